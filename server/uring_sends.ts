/**
 * A round's replies sent by one io_uring_enter instead of a write each: at
 * pipeline 1 the system call's own layers (entry, fdget, vfs, libc's
 * wrapper, the FFI call) are ~15% of a request (docs/performance.md, session
 * 23). Each pending reply becomes a SEND entry, submitted without waiting:
 * a socket with room takes its reply (whole or in part) during the call. A
 * full one makes io_uring wait for room (it does so even for a non-blocking
 * socket): those sends are cancelled at once (they sent nothing, and their
 * connections keep the bytes for when the socket is writable), so no reply
 * buffer is in the kernel's hands when submit() returns.
 *
 * Used by the poller unless REDIS_HOME_IO=epoll; where the kernel or a
 * seccomp profile refuses io_uring, replies go by write() as before.
 */
import { openLibc } from "./libc.ts";

const SYMBOLS = {
  syscall: {
    parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "i64",
  },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
} as const;

const SYS_IO_URING_SETUP = 425n;
const SYS_IO_URING_ENTER = 426n;
const IORING_ENTER_GETEVENTS = 1n;
const IORING_OFF_SQES = 0x10000000n;
const IORING_OP_SEND = 26;
const IORING_OP_ASYNC_CANCEL = 14;
/** A cancel's user_data: this plus the place of the send it cancels. */
const CANCEL = 0x10000;
/** Rounds of cancels after which a send still unanswered is given up (held forever). */
const MAX_CANCEL_ROUNDS = 1000;
const MSG_NOSIGNAL = 0x4000;
const PROT_READ_WRITE = 3;
const MAP_SHARED_POPULATE = 0x01 | 0x8000;
const ENTRIES = 256;
const EINTR = 4n;
const EAGAIN = 11;
const EPIPE = 32;
const ECANCELED = 125;

export class UringSends {
  readonly #syscall: (...args: bigint[]) => bigint;
  readonly #ring: bigint;
  readonly #r32: Uint32Array;
  readonly #sqes: DataView;
  readonly #cqes: DataView;
  readonly #sqTail: number;
  readonly #sqMask: number;
  readonly #cqHead: number;
  readonly #cqTail: number;
  readonly #cqMask: number;
  #tail: number;
  #queued = 0;
  /** The sockets of the sends queued and not yet answered, by place (-1 once answered). */
  readonly #fds = new Int32Array(ENTRIES);
  /** The buffers being sent, by place: kept alive until answered. */
  readonly #buffers: (Uint8Array | undefined)[] = new Array(ENTRIES);
  /** Buffers of sends given up on: the kernel may still read them, so they are never freed. */
  readonly #held: Uint8Array[] = [];
  /** A failed io_uring_enter leaves the ring unused from then on. */
  #broken = false;

  private constructor(libc: Libc) {
    this.#syscall = libc.syscall as unknown as (...args: bigint[]) => bigint;
    const params = new Uint8Array(120);
    const view = new DataView(params.buffer);
    const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(params)));
    const ring = this.#syscall(SYS_IO_URING_SETUP, BigInt(ENTRIES), address, 0n, 0n, 0n, 0n);
    if (ring < 0n) throw new Error(`io_uring_setup: ${ring}`);
    this.#ring = ring;
    const sqEntries = view.getUint32(0, true);
    const cqEntries = view.getUint32(4, true);
    const sqOff = (k: number) => view.getUint32(40 + k * 4, true);
    const cqOff = (k: number) => view.getUint32(80 + k * 4, true);
    // IORING_FEAT_SINGLE_MMAP (5.4+): one mapping holds both rings.
    const ringBytes = Math.max(sqOff(6) + sqEntries * 4, cqOff(5) + cqEntries * 16);
    const fd = Number(ring);
    const ringPtr = libc.mmap(
      null,
      BigInt(ringBytes),
      PROT_READ_WRITE,
      MAP_SHARED_POPULATE,
      fd,
      0n,
    );
    const sqesPtr = libc.mmap(
      null,
      BigInt(sqEntries * 64),
      PROT_READ_WRITE,
      MAP_SHARED_POPULATE,
      fd,
      IORING_OFF_SQES,
    );
    if (ringPtr === null || sqesPtr === null) throw new Error("io_uring mmap");
    const ringMemory = Deno.UnsafePointerView.getArrayBuffer(ringPtr, ringBytes);
    this.#r32 = new Uint32Array(ringMemory);
    this.#cqes = new DataView(ringMemory, cqOff(5));
    this.#sqes = new DataView(Deno.UnsafePointerView.getArrayBuffer(sqesPtr, sqEntries * 64));
    this.#sqTail = sqOff(1) >> 2;
    this.#sqMask = this.#r32[sqOff(2) >> 2]!;
    this.#cqHead = cqOff(0) >> 2;
    this.#cqTail = cqOff(1) >> 2;
    this.#cqMask = this.#r32[cqOff(2) >> 2]!;
    const array = sqOff(6) >> 2;
    for (let i = 0; i < sqEntries; i++) this.#r32[array + i] = i;
    this.#tail = this.#r32[this.#sqTail]!;
  }

  /** A ring unless REDIS_HOME_IO=epoll, if the kernel gives one; else undefined. */
  static open(): UringSends | undefined {
    if (Deno.env.get("REDIS_HOME_IO") === "epoll") return undefined;
    const libc = openLibc(SYMBOLS);
    try {
      return libc === undefined ? undefined : new UringSends(libc);
    } catch {
      return undefined;
    }
  }

  /** Whether another send may be queued before submit(). */
  get open(): boolean {
    return this.#queued < ENTRIES && !this.#broken;
  }

  /** Queues a send of `buf[0, length)` (at `address`) on `fd`; its result goes to submit's `done`. */
  queue(fd: number, buf: Uint8Array, address: number, length: number): void {
    this.#buffers[this.#queued] = buf;
    this.#fds[this.#queued] = fd;
    // user_data: the entry's place in this round, where its socket and buffer are kept.
    this.#entry(IORING_OP_SEND, fd, address, length, MSG_NOSIGNAL, this.#queued++);
  }

  /** Fills the next submission queue entry (64 bytes; the fields not given are 0). */
  #entry(op: number, fd: number, address: number, length: number, flags: number, data: number) {
    const at = (this.#tail & this.#sqMask) * 64;
    const sqes = this.#sqes;
    sqes.setUint32(at, op, true); // opcode, flags and ioprio 0
    sqes.setInt32(at + 4, fd, true);
    sqes.setBigUint64(at + 8, 0n, true);
    sqes.setUint32(at + 16, address % 0x100000000, true);
    sqes.setUint32(at + 20, Math.floor(address / 0x100000000), true);
    sqes.setUint32(at + 24, length, true);
    sqes.setUint32(at + 28, flags, true);
    sqes.setUint32(at + 32, data, true);
    sqes.setUint32(at + 36, 0, true);
    sqes.setBigUint64(at + 40, 0n, true);
    sqes.setBigUint64(at + 48, 0n, true);
    sqes.setBigUint64(at + 56, 0n, true);
    this.#tail = (this.#tail + 1) >>> 0;
  }

  /**
   * Submits the queued sends and calls `done(fd, result)` for each (bytes,
   * or -errno; -EAGAIN for one that found its socket full).
   */
  submit(done: (fd: number, result: number) => void): void {
    const count = this.#queued;
    if (count === 0) return;
    this.#queued = 0;
    let unsubmitted = count;
    let unanswered = count;
    for (let round = 0; unanswered > 0; round++) {
      let cancels = 0;
      if (unsubmitted === 0) {
        if (round > MAX_CANCEL_ROUNDS) return this.#giveUp(count, done);
        // What is left waits for room in its socket: cancelled, it sent nothing.
        for (let place = 0; place < count; place++) {
          if (this.#fds[place]! < 0) continue;
          // addr: the user_data of the send to cancel.
          this.#entry(IORING_OP_ASYNC_CANCEL, -1, place, 0, 0, CANCEL + place);
          cancels++;
        }
      }
      Atomics.store(this.#r32, this.#sqTail, this.#tail);
      const r = this.#syscall(
        SYS_IO_URING_ENTER,
        this.#ring,
        BigInt(unsubmitted + cancels),
        BigInt(cancels),
        IORING_ENTER_GETEVENTS,
        0n,
        0n,
      );
      if (r > 0n) unsubmitted = Math.max(0, unsubmitted - Number(r));
      unanswered -= this.#reap(done);
      if (r < 0n && r !== -EINTR && unanswered > 0) return this.#giveUp(count, done);
    }
  }

  /** Answers the completions waiting; returns how many. */
  #reap(done: (fd: number, result: number) => void): number {
    const r32 = this.#r32;
    let head = r32[this.#cqHead]!;
    const end = Atomics.load(r32, this.#cqTail);
    let reaped = 0;
    while (head !== end) {
      const at = (head & this.#cqMask) * 16;
      const place = this.#cqes.getUint32(at, true);
      const result = this.#cqes.getInt32(at + 8, true);
      head = (head + 1) >>> 0;
      // A cancel's own completion, or a send answered already: nothing to tell.
      if (place >= CANCEL || this.#fds[place]! < 0) continue;
      reaped++;
      const fd = this.#fds[place]!;
      this.#fds[place] = -1;
      this.#buffers[place] = undefined;
      done(fd, result === -ECANCELED ? -EAGAIN : result);
    }
    Atomics.store(r32, this.#cqHead, head);
    return reaped;
  }

  /**
   * io_uring_enter failed, or sends would not cancel: the ring is not used
   * again, and each send left unanswered is answered -EPIPE (whether the
   * kernel took it is unknown, so its connection closes rather than risk
   * sending its bytes twice), its buffer held for good (the kernel may read it).
   */
  #giveUp(count: number, done: (fd: number, result: number) => void): void {
    this.#broken = true;
    for (let place = 0; place < count; place++) {
      const fd = this.#fds[place]!;
      if (fd < 0) continue;
      this.#fds[place] = -1;
      this.#held.push(this.#buffers[place]!);
      this.#buffers[place] = undefined;
      done(fd, -EPIPE);
    }
  }
}

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
