/**
 * Client sockets served from one epoll instance driven through FFI, as
 * Redis's ae loop does: wait for ready sockets, read each with one read,
 * run what it asked, and write every pending reply once per round
 * (Redis's handleClientsWithPendingWrites). Deno's own socket ops cost about
 * 1.5 µs more per request than the system calls they wrap (an async op, a
 * promise, a tokio task each way); at pipeline 1 that alone held redis-home
 * under Redis's throughput (docs/performance.md).
 *
 * The round's replies go out by one io_uring_enter where the kernel allows
 * it (uring_sends.ts; REDIS_HOME_IO=epoll writes each with write()).
 *
 * Only for Linux with FFI allowed (`--allow-ffi`); anything else, and
 * REDIS_HOME_IO=deno, keeps Deno's sockets. Sockets are still accepted and
 * closed by Deno; this module only reads and writes them. Calls take 32-bit
 * integers, buffers and BigInt sizes, so V8 makes them fast calls (a u64
 * given a number takes the slow path; an i32 passed for a size_t leaves the
 * upper half undefined).
 */
import { openLibc } from "./libc.ts";
import { UringSends } from "./uring_sends.ts";

/** What a watched socket is told. Its handlers must not throw: the loop serves every socket. */
export interface PollTarget {
  onReadable(): void;
  onWritable(): void;
  /** Writes the replies it holds (the round's end, or a microtask outside rounds). */
  flushPending(): void;
  /** The result of a write that returned PENDING: bytes, WOULD_BLOCK or FAILED. */
  writeDone(result: number): void;
}

/** A read or write found nothing to do now. */
export const WOULD_BLOCK = -1;
/** The socket failed (reset, broken pipe...). */
export const FAILED = -2;
/** A write queued for the round's batch of sends: its result comes by writeDone. */
export const PENDING = -3;

const EPOLLIN = 0x001;
const EPOLLOUT = 0x004;
const EPOLLERR = 0x008;
const EPOLLHUP = 0x010;
const EPOLLRDHUP = 0x2000;
/**
 * Client sockets are watched edge-triggered: a level-triggered socket that
 * was ready goes back on epoll's ready list and is polled again (tcp_poll) by
 * the next wait, once more per request at pipeline 1. An edge is reported
 * once; a read that filled its room re-arms the socket (rearm), and changing
 * the mask (watch) re-polls it, so bytes waiting while reading was paused
 * are reported when it resumes.
 */
const EPOLLET = 0x80000000;
const HANGUP = EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EAGAIN = 11;
const EINTR = 4;
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const EPOLL_CLOEXEC = 0o2000000;
const MAX_EVENTS = 256;
/**
 * While sockets keep the loop busy it still lets Deno's own event loop run
 * (timers, the cron, accepts, TLS and replication sockets) this often, by
 * one setImmediate.
 */
const YIELD_MS = 2;
/** How long a quiet moment is polled before the wait goes to the thread pool. */
const SPIN_MS = 0.05;
/** The most quiet moments a failed spin makes the loop skip spinning for. */
const MAX_BACKOFF = 1024;

const SYMBOLS = {
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  // ssize_t results read as i32: every length asked for is under 2 GB, and -1 stays -1.
  read: { parameters: ["i32", "buffer", "u64"], result: "i32" },
  write: { parameters: ["i32", "buffer", "u64"], result: "i32" },
  readv: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  writev: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  eventfd_write: { parameters: ["i32", "u64"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** struct epoll_event: packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
const EVENT_SIZE = Deno.build.arch === "x86_64" ? 12 : 16;
const EVENT_DATA = Deno.build.arch === "x86_64" ? 4 : 8;

/** Sizes under this are BigInts made once: a size_t argument is a BigInt, and made per call it would allocate. */
const SMALL_SIZES = 4096;
const SIZES = Array.from({ length: SMALL_SIZES }, (_, n) => BigInt(n));
/** The last larger size asked for (a read's room repeats). */
let largeSize = -1;
let largeSizeArgument = 0n;

/** `n` as a size_t argument. */
function sizeArgument(n: number): bigint {
  if (n < SMALL_SIZES) return SIZES[n]!;
  if (n !== largeSize) {
    largeSize = n;
    largeSizeArgument = BigInt(n);
  }
  return largeSizeArgument;
}

export class Poller {
  readonly #libc: Libc;
  readonly #errno: Deno.UnsafePointerView;
  readonly #epfd: number;
  /** Written to wake a wait in progress when the poller closes. */
  readonly #wakeFd: number;
  readonly #targets: (PollTarget | undefined)[] = [];
  /** The interest mask each fd is registered with. */
  readonly #masks: number[] = [];
  readonly #events = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  readonly #eventsView = new DataView(this.#events.buffer);
  /** A wait on Deno's thread pool writes here, never into #events. */
  readonly #asyncEvents = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  readonly #asyncView = new DataView(this.#asyncEvents.buffer);
  readonly #ctl = new Uint8Array(16);
  readonly #ctlView = new DataView(this.#ctl.buffer);
  readonly #iov = new Uint8Array(16);
  readonly #iovView = new DataView(this.#iov.buffer);
  /** Each buffer's address, so an iovec can point into it. */
  readonly #addresses = new WeakMap<ArrayBufferLike, number>();
  /**
   * Date.now() as the current round of ready sockets began (at most a spin's
   * 50 µs before its reads): what its reads are stamped with, one clock
   * reading a round instead of one a socket (~60 ns, 1% of a request at pipeline 1).
   */
  roundMs = 0;
  /**
   * Targets to flush: #pending[0, #pendingCount), kept at its size (setting an
   * array's length to 0 frees its elements, which the next round regrew).
   */
  #pending: (PollTarget | undefined)[] = [];
  #pendingCount = 0;
  #inRound = false;
  #flushQueued = false;
  #closing = false;
  #loop: Promise<void> | undefined;
  /** The round's replies go by one io_uring_enter (uring_sends.ts), else undefined. */
  readonly #sends = UringSends.open();
  #batching = false;
  readonly #sent = (fd: number, result: number): void => {
    const target = this.#targets[fd];
    if (target === undefined) return;
    target.writeDone(result >= 0 ? result : result === -EAGAIN ? WOULD_BLOCK : FAILED);
  };

  private constructor(libc: Libc) {
    this.#libc = libc;
    this.#errno = new Deno.UnsafePointerView(libc.__errno_location()!);
    this.#epfd = libc.epoll_create1(EPOLL_CLOEXEC);
    this.#wakeFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.#epfd < 0 || this.#wakeFd < 0) throw new Error("epoll unavailable");
    this.#control(EPOLL_CTL_ADD, this.#wakeFd, EPOLLIN);
  }

  /** A poller when this process may use one, else undefined (Deno's sockets serve). */
  static open(): Poller | undefined {
    if (Deno.env.get("REDIS_HOME_IO") === "deno") return undefined;
    const libc = openLibc(SYMBOLS);
    try {
      return libc === undefined ? undefined : new Poller(libc);
    } catch {
      return undefined; // no epoll or eventfd here
    }
  }

  /** The socket's descriptor when it is a plain Deno TCP or Unix socket (not TLS). */
  static fdOf(conn: object): number | undefined {
    if ("handshake" in conn) return undefined;
    const symbol = Object.getOwnPropertySymbols(conn)
      .find((s) => s.description === "Deno.internal.fd");
    if (symbol === undefined) return undefined;
    const fd = (conn as Record<symbol, unknown>)[symbol];
    return typeof fd === "number" && fd >= 0 ? fd : undefined;
  }

  /** Watches `fd` for reading; the loop starts with the first socket. */
  add(fd: number, target: PollTarget): void {
    this.#targets[fd] = target;
    this.#masks[fd] = EPOLLIN | EPOLLRDHUP | EPOLLET;
    this.#control(EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP | EPOLLET);
    this.#loop ??= this.#run();
  }

  /** Says which readiness `fd` waits for. */
  watch(fd: number, read: boolean, write: boolean): void {
    const mask = (read ? EPOLLIN | EPOLLRDHUP : 0) | (write ? EPOLLOUT : 0) | EPOLLET;
    if (this.#masks[fd] === mask || this.#targets[fd] === undefined) return;
    this.#masks[fd] = mask;
    this.#control(EPOLL_CTL_MOD, fd, mask);
  }

  /** Reports `fd` again in a coming round if it is still ready (more bytes wait after a full read). */
  rearm(fd: number): void {
    if (this.#targets[fd] === undefined) return;
    this.#control(EPOLL_CTL_MOD, fd, this.#masks[fd]!);
  }

  /** Stops watching `fd`; call before Deno closes the socket. */
  remove(fd: number): void {
    if (this.#targets[fd] === undefined) return;
    this.#targets[fd] = undefined;
    this.#control(EPOLL_CTL_DEL, fd, 0);
  }

  /**
   * Reads into `buf` from `start`: bytes read, 0 at end of stream, WOULD_BLOCK or FAILED.
   * From a buffer's start (nearly always: requests end where reads do) a plain read,
   * ~40 ns less than readv's iovec (built here, copied in by the kernel).
   */
  read(fd: number, buf: Uint8Array, start: number): number {
    let n: number;
    if (start === 0) n = this.#libc.read(fd, buf, sizeArgument(buf.length));
    else {
      this.#setIov(buf, start, buf.length - start);
      n = this.#libc.readv(fd, this.#iov, 1);
    }
    return n >= 0 ? n : this.#failure();
  }

  /** Writes `buf[start, end)`: bytes written, WOULD_BLOCK or FAILED. As read, a plain write from 0. */
  write(fd: number, buf: Uint8Array, start: number, end: number): number {
    const sends = this.#sends;
    if (this.#batching && start === 0 && sends!.open) {
      sends!.queue(fd, buf, this.#addressOf(buf), end);
      return PENDING;
    }
    let n: number;
    if (start === 0) n = this.#libc.write(fd, buf, sizeArgument(end));
    else {
      this.#setIov(buf, start, end - start);
      n = this.#libc.writev(fd, this.#iov, 1);
    }
    return n >= 0 ? n : this.#failure();
  }

  /** Asks for `target.flushPending()` at the end of this round (or soon, outside one). */
  scheduleFlush(target: PollTarget): void {
    this.#pending[this.#pendingCount++] = target;
    if (this.#inRound || this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flushAll());
  }

  /** Ends the loop; resolves once no wait is in flight. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#libc.eventfd_write(this.#wakeFd, 1n);
    await this.#loop;
    this.#libc.close(this.#epfd);
    this.#libc.close(this.#wakeFd);
  }

  /**
   * Rounds of ready sockets: polled without sleeping while some are ready,
   * letting Deno's loop run every YIELD_MS; with none ready, the wait goes to
   * Deno's thread pool, so Deno's loop runs freely meanwhile. That wait costs
   * a wakeup of a pool thread and then of this one, so a quiet moment is
   * first polled for up to SPIN_MS, which answers a client that sends again
   * at once sooner and for less. A spin that found nothing is not tried again
   * for 1, 2, 4... quiet moments: where clients are slow (or share this thread,
   * as an in-process client does) spinning stops costing anything.
   */
  async #run(): Promise<void> {
    const libc = this.#libc;
    // Date.now, not performance.now: a V8 builtin where the other is a Deno op.
    let lastYield = this.roundMs = Date.now();
    let backoff = 0;
    let skip = 0;
    while (!this.#closing) {
      let n = libc.epoll_wait(this.#epfd, this.#events, MAX_EVENTS, 0);
      if (n === 0 && skip > 0) skip--;
      else if (n === 0) {
        n = this.#spin();
        backoff = n > 0 ? 0 : Math.min(MAX_BACKOFF, backoff * 2 || 1);
        skip = backoff;
        if (n > 0) this.roundMs = Date.now();
      }
      if (n > 0) this.#dispatch(this.#eventsView, n);
      // One reading serves the yield and the next round's roundMs, which begins now.
      if (n > 0 && (this.roundMs = Date.now()) - lastYield < YIELD_MS) {
        // Lets promise callbacks the round queued run before the next.
        await undefined;
        continue;
      }
      if (n > 0) {
        // Still busy: Deno's loop turns once on this thread (~2 µs of CPU),
        // where a wait handed to the thread pool cost 5-40 µs (both threads).
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = this.roundMs = Date.now();
        continue;
      }
      n = await libc.epoll_wait_async(this.#epfd, this.#asyncEvents, MAX_EVENTS, -1);
      lastYield = this.roundMs = Date.now();
      if (n > 0) this.#dispatch(this.#asyncView, n);
    }
  }

  /** Polls for up to SPIN_MS; the number of ready sockets (0 if none came). */
  #spin(): number {
    const until = performance.now() + SPIN_MS;
    let n = 0;
    while (n === 0 && performance.now() < until) {
      n = this.#libc.epoll_wait(this.#epfd, this.#events, MAX_EVENTS, 0);
    }
    return n;
  }

  #dispatch(events: DataView, n: number): void {
    this.#inRound = true;
    try {
      for (let i = 0; i < n; i++) {
        const at = i * EVENT_SIZE;
        const fd = events.getInt32(at + EVENT_DATA, true);
        const target = this.#targets[fd];
        if (target === undefined) continue;
        const mask = events.getUint32(at, true);
        // A closed or failed socket reads 0 or an error: the read path notices.
        if (mask & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          target.onReadable();
          // The end of the stream behind the bytes just read is reported once:
          // report it again while the socket is still read, so a read sees it.
          if (mask & HANGUP && this.#targets[fd] === target && this.#masks[fd]! & EPOLLIN) {
            this.rearm(fd);
          }
        }
        if (mask & EPOLLOUT && this.#targets[fd] === target) target.onWritable();
      }
    } finally {
      this.#inRound = false;
      this.#flushAll();
    }
  }

  #flushAll(): void {
    this.#flushQueued = false;
    const pending = this.#pending;
    const count = this.#pendingCount;
    const sends = this.#sends;
    // A broken ring is not open: writes go by write().
    this.#batching = sends !== undefined;
    try {
      for (let i = 0; i < count; i++) {
        const target = pending[i]!;
        pending[i] = undefined;
        target.flushPending();
      }
    } finally {
      this.#batching = false;
    }
    sends?.submit(this.#sent);
    // A flush may schedule another (a resumed batch): kept for the next flush (its microtask).
    const more = this.#pendingCount - count;
    for (let i = 0; i < more; i++) {
      pending[i] = pending[count + i];
      pending[count + i] = undefined;
    }
    this.#pendingCount = more;
  }

  #failure(): number {
    const errno = this.#errno.getInt32();
    return errno === EAGAIN || errno === EINTR ? WOULD_BLOCK : FAILED;
  }

  #setIov(buf: Uint8Array, start: number, length: number): void {
    const address = this.#addressOf(buf) + start;
    const view = this.#iovView;
    view.setUint32(0, address % 0x100000000, true);
    view.setUint32(4, Math.floor(address / 0x100000000), true);
    view.setUint32(8, length, true);
    view.setUint32(12, 0, true);
  }

  /**
   * Where `buf` starts in memory. Reading `.buffer` moves a small in-heap
   * array's bytes off the heap, where backing stores never move.
   */
  #addressOf(buf: Uint8Array): number {
    let base = this.#addresses.get(buf.buffer);
    if (base === undefined) {
      const pointer = Deno.UnsafePointer.of(buf);
      base = Number(Deno.UnsafePointer.value(pointer)) - buf.byteOffset;
      this.#addresses.set(buf.buffer, base);
    }
    return base + buf.byteOffset;
  }

  #control(op: number, fd: number, mask: number): void {
    this.#ctlView.setUint32(0, mask, true);
    this.#ctlView.setInt32(EVENT_DATA, fd, true);
    this.#libc.epoll_ctl(this.#epfd, op, fd, this.#ctl);
  }
}
