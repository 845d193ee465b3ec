/**
 * An experiment, not the server: how much of a pipeline-1 request's CPU the
 * system calls take, measured on two bare loops that answer every native GET
 * with nil: epoll + read + write through FFI (as server/poller.ts does), and
 * io_uring (a RECV and a SEND entry per request, one io_uring_enter a round),
 * and between them `hybrid`: epoll and read, the round's replies sent by one
 * io_uring_enter. WORK adds a fixed loop per request to each, so the server, not the load
 * generator, is the bottleneck; SPIN=1 polls without sleeping, as the
 * server's poller does. docs/performance.md (session 23) has the figures.
 *
 *   SPIN=1 WORK=300 taskset -c 0 deno run -A bench/uring_probe.ts epoll|hybrid|uring PORT CONNS
 *   taskset -c 1 loadgen --port PORT --proto native --conns CONNS --pipeline 1 \
 *     --server-pid PID --server-core 0 -- get k
 *
 * It accepts CONNS connections first (blocking), then serves only them.
 */
const mode = Deno.args[0] ?? "uring";
const port = Number(Deno.args[1] ?? 7120);
const CONNS = Number(Deno.args[2] ?? 50);

const libc = Deno.dlopen("libc.so.6", {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "pointer", "pointer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "u64"], result: "i32" },
  write: { parameters: ["i32", "buffer", "u64"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  syscall6: {
    name: "syscall",
    parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "i64",
  },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
});
const L = libc.symbols;

// ---- listen and accept CONNS connections (blocking) ----
const lfd = L.socket(2, 1, 0);
const one = new Int32Array([1]);
L.setsockopt(lfd, 1, 2, new Uint8Array(one.buffer), 4); // SO_REUSEADDR
const sa = new Uint8Array(16);
const dv = new DataView(sa.buffer);
dv.setUint16(0, 2, true);
dv.setUint16(2, port, false);
sa.set([127, 0, 0, 1], 4);
if (L.bind(lfd, sa, 16) !== 0) throw new Error("bind");
L.listen(lfd, 128);
console.error(`listening ${port} (${mode}) pid ${Deno.pid}`);
const fds: number[] = [];
while (fds.length < CONNS) {
  const fd = L.accept4(lfd, null, null, mode === "uring" ? 0 : 0o4000); // SOCK_NONBLOCK for epoll
  if (fd >= 0) fds.push(fd);
}
console.error(`accepted ${fds.length}`);

const REPLY = new Uint8Array([1, 0, 0, 0, 0]);
const SPIN = Deno.env.get("SPIN") === "1";
const WORK = Number(Deno.env.get("WORK") ?? 0);
let sink = 0;
/** Stand-in for a request's own processing, the same in both loops. */
function work(count: number): void {
  for (let k = 0; k < count * WORK; k++) sink = (sink * 31 + k) | 0;
}
/** Requests complete in buf[0, n): the count (each a native GET answered with nil). */
function countRequests(buf: Uint8Array, n: number): number {
  let at = 0;
  let count = 0;
  while (at + 4 <= n) {
    const len = buf[at]! | buf[at + 1]! << 8 | buf[at + 2]! << 16 | buf[at + 3]! << 24;
    if (at + 4 + len > n) break;
    at += 4 + len;
    count++;
  }
  return count;
}

const bufs = fds.map(() => new Uint8Array(16384));
const outs = fds.map(() => new Uint8Array(16384));

/** An io_uring instance: queue RECV/SEND entries, then submit and wait. */
function openRing() {
  const ENTRIES = 256;
  const params = new Uint8Array(120);
  const pv = new DataView(params.buffer);
  const SINGLE_ISSUER = 1 << 12, DEFER_TASKRUN = 1 << 13;
  pv.setUint32(8, Deno.env.get("NODEFER") ? 0 : SINGLE_ISSUER | DEFER_TASKRUN, true);
  const paramsPtr = Deno.UnsafePointer.value(Deno.UnsafePointer.of(params)!);
  const ring = Number(L.syscall6(425n, BigInt(ENTRIES), BigInt(paramsPtr), 0n, 0n, 0n, 0n));
  if (ring < 0) throw new Error(`io_uring_setup ${ring}`);
  const sqEntries = pv.getUint32(0, true), cqEntries = pv.getUint32(4, true);
  const sqOff = (k: number) => pv.getUint32(40 + k * 4, true);
  const cqOff = (k: number) => pv.getUint32(80 + k * 4, true);
  const ringSize = Math.max(sqOff(6) + sqEntries * 4, cqOff(5) + cqEntries * 16);
  const PROT = 3, SHARED_POPULATE = 0x01 | 0x8000;
  const ringPtr = L.mmap(null, BigInt(ringSize), PROT, SHARED_POPULATE, ring, 0n);
  const sqesPtr = L.mmap(null, BigInt(sqEntries * 64), PROT, SHARED_POPULATE, ring, 0x10000000n);
  const ringMem = Deno.UnsafePointerView.getArrayBuffer(ringPtr!, ringSize);
  const sqesMem = Deno.UnsafePointerView.getArrayBuffer(sqesPtr!, sqEntries * 64);
  const r32 = new Uint32Array(ringMem);
  const cqes = new DataView(ringMem, cqOff(5));
  const sqes = new DataView(sqesMem);
  const sqTail = sqOff(1) >> 2, sqMask = r32[sqOff(2) >> 2]!, sqArray = sqOff(6) >> 2;
  const cqHead = cqOff(0) >> 2, cqTail = cqOff(1) >> 2, cqMask = r32[cqOff(2) >> 2]!;
  for (let i = 0; i < sqEntries; i++) r32[sqArray + i] = i;
  let tail = r32[sqTail]!;
  let pending = 0;
  const ringBig = BigInt(ring);
  return {
    queue(op: number, i: number, addr: number, len: number, tag: number): void {
      const at = (tail & sqMask) * 64;
      sqes.setUint32(at, op, true); // opcode, flags 0, ioprio 0
      sqes.setInt32(at + 4, fds[i]!, true);
      sqes.setBigUint64(at + 8, 0n, true);
      sqes.setUint32(at + 16, addr % 0x100000000, true);
      sqes.setUint32(at + 20, Math.floor(addr / 0x100000000), true);
      sqes.setUint32(at + 24, len, true);
      sqes.setUint32(at + 28, 0, true);
      sqes.setUint32(at + 32, i * 2 + tag, true);
      sqes.setUint32(at + 36, 0, true);
      sqes.setBigUint64(at + 40, 0n, true);
      sqes.setBigUint64(at + 48, 0n, true);
      tail = (tail + 1) >>> 0;
      pending++;
    },
    /** Submits what is queued, waits for `min` completions, calls `done` for each. */
    enter(min: number, done: (data: number, res: number) => void): void {
      Atomics.store(r32, sqTail, tail);
      const r = Number(L.syscall6(426n, ringBig, BigInt(pending), BigInt(min), 1n, 0n, 0n));
      if (r < 0) throw new Error(`enter ${r}`);
      pending = 0;
      let head = r32[cqHead]!;
      const end = Atomics.load(r32, cqTail);
      while (head !== end) {
        const at = (head & cqMask) * 16;
        done(cqes.getUint32(at, true), cqes.getInt32(at + 8, true));
        head = (head + 1) >>> 0;
      }
      Atomics.store(r32, cqHead, head);
    },
  };
}

const RECV = 27, SEND = 26;
const address = (b: Uint8Array) => Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)!));
const outAddr = outs.map(address);

if (mode === "epoll" || mode === "hybrid") {
  // hybrid: epoll and read as epoll's, the round's replies as SEND entries, one enter a round.
  const ring = mode === "hybrid" ? openRing() : undefined;
  const ep = L.epoll_create1(0);
  const ev = new Uint8Array(12);
  const evv = new DataView(ev.buffer);
  fds.forEach((fd, i) => {
    evv.setUint32(0, 0x001 | 0x80000000, true);
    evv.setUint32(4, i, true);
    L.epoll_ctl(ep, 1, fd, ev);
  });
  const events = new Uint8Array(12 * 256);
  const evs = new DataView(events.buffer);
  const size = 16384n;
  const ignore = () => {};
  for (;;) {
    const n = L.epoll_wait(ep, events, 256, SPIN ? 0 : -1);
    let sends = 0;
    for (let e = 0; e < n; e++) {
      const i = evs.getUint32(e * 12 + 4, true);
      const fd = fds[i]!;
      const buf = bufs[i]!;
      const got = L.read(fd, buf, size);
      if (got <= 0) continue;
      const count = countRequests(buf, got);
      work(count);
      const out = outs[i]!;
      for (let k = 0; k < count; k++) out.set(REPLY, k * 5);
      if (ring === undefined) L.write(fd, out, BigInt(count * 5));
      else {
        ring.queue(SEND, i, outAddr[i]!, count * 5, 1);
        sends++;
      }
    }
    if (sends > 0) ring!.enter(sends, ignore);
  }
} else {
  const ring = openRing();
  const bufAddr = bufs.map(address);
  for (let i = 0; i < fds.length; i++) ring.queue(RECV, i, bufAddr[i]!, 16384, 0);
  const done = (data: number, res: number): void => {
    const i = data >> 1;
    if ((data & 1) === 1) return; // a send done
    if (res <= 0) {
      if (res !== 0) console.error("recv", res);
      return;
    }
    const count = countRequests(bufs[i]!, res);
    work(count);
    const out = outs[i]!;
    for (let k = 0; k < count; k++) out.set(REPLY, k * 5);
    ring.queue(SEND, i, outAddr[i]!, count * 5, 1);
    ring.queue(RECV, i, bufAddr[i]!, 16384, 0);
  };
  for (;;) ring.enter(SPIN ? 0 : 1, done);
}
