/**
 * A monotonic clock in milliseconds for timing commands. performance.now()
 * is a Deno op, about 130 ns a reading: two readings in every sixteenth
 * command were a few percent of a small command's time. clock_gettime
 * through FFI (a V8 fast call into the vDSO) costs about 40 ns. Where FFI is
 * not allowed (or not Linux), performance.now() serves. Only differences
 * of its readings mean anything: its origin is the machine's boot.
 */

const CLOCK_MONOTONIC = 1;

/** struct timespec: tv_sec (64-bit; its low half suffices since boot), tv_nsec. */
const timespec = new Int32Array(4);
const timespecBytes = new Uint8Array(timespec.buffer);

function openClock(): (() => number) | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
    const { clock_gettime } = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    }).symbols;
    const read = () => {
      clock_gettime(CLOCK_MONOTONIC, timespecBytes);
      return timespec[0]! * 1000 + timespec[2]! / 1e6;
    };
    // A libc whose timespec is laid out otherwise would read nonsense: refuse it.
    const a = read(), b = read();
    return a > 0 && b >= a && b - a < 1000 ? read : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds on a monotonic clock, with sub-microsecond digits. */
export const monotonicMs: () => number = openClock() ?? (() => performance.now());
