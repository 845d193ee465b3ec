/**
 * Clocks read through FFI where allowed. performance.now() is a Deno op,
 * about 130 ns a reading: two readings in every sixteenth command were a few
 * percent of a small command's time. clock_gettime through FFI (a V8 fast
 * call into the vDSO) costs about 40 ns. Where FFI is not allowed (or not
 * Linux), performance.now() serves.
 */
import { openLibc } from "./libc.ts";

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;

/** struct timespec: tv_sec (64-bit; its low half holds any second until 2106), tv_nsec. */
const timespec = new Uint32Array(4);
const timespecBytes = new Uint8Array(timespec.buffer);

type ReadClock = (clock: number, timespec: Uint8Array) => number;

function openClock(): ReadClock | undefined {
  const libc = openLibc({ clock_gettime: { parameters: ["i32", "buffer"], result: "i32" } });
  if (libc === undefined) return undefined;
  const { clock_gettime } = libc;
  // A libc whose timespec is laid out otherwise would read nonsense: refuse it.
  clock_gettime(CLOCK_REALTIME, timespecBytes);
  const offMs = Math.abs(timespec[0]! * 1000 + timespec[2]! / 1e6 - Date.now());
  return offMs < 1000 && timespec[2]! < 1e9 ? clock_gettime : undefined;
}

const readClock = openClock();

/** Milliseconds on a monotonic clock, with sub-microsecond digits; only differences mean anything. */
export const monotonicMs: () => number = readClock === undefined ? () => performance.now() : () => {
  readClock(CLOCK_MONOTONIC, timespecBytes);
  return timespec[0]! * 1000 + timespec[2]! / 1e6;
};

/** Microseconds since the Unix epoch (TIME, INFO's server_time_usec). */
export const unixMicros: () => number = readClock === undefined
  ? () => Math.floor((performance.timeOrigin + performance.now()) * 1000)
  : () => {
    readClock(CLOCK_REALTIME, timespecBytes);
    return timespec[0]! * 1e6 + Math.floor(timespec[2]! / 1000);
  };
