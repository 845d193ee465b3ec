/**
 * Reply encoders that write straight into a growable output buffer. One
 * interface serves all three wire formats, so command handlers say what they
 * reply (a bulk string, a map, a double...) and the client's protocol decides
 * the bytes: RESP2, RESP3, or the native tagged values.
 */
import { copyBytes, decimalLength, writeBinary, writeDecimal } from "./bytes.ts";
import { formatDouble } from "./double.ts";
import { errorBytes, hasLineBreak } from "./error_bytes.ts";
import { RESPONSE_TOO_BIG } from "./errors.ts";
import { ErrCode, MAX_MSG_LEN, Tag } from "./native.ts";

/**
 * Output buffers are shared: a client takes one from the pool when it starts
 * replying and gives it back once the bytes are written, so an idle client
 * holds no output buffer at all (10,000 idle clients must fit in 100 MB).
 */
const EMPTY = new Uint8Array(0);
const MIN_BUFFER = 4096;
const POOLED_MAX_SIZE = 64 * 1024;
/** Largest buffer kept as the spare (see sent()). */
const KEPT_MAX_SIZE = 4 * 1024 * 1024;
const POOL_LIMIT = 256;
const pool: Uint8Array[] = [];
/**
 * The large buffer (over POOLED_MAX_SIZE) the last big batch was written
 * from, for the next that outgrows a pooled one, whichever client's: kept per
 * client, 50 clients each filling their own with 16 pipelined GETs of 16 KB
 * went through 25 MB of buffers, each copy into them and out to the socket a
 * cache miss; shared, one stays in cache. Growing a fresh one by doubling
 * each batch instead cost a third of such a client's time.
 */
let spare: Uint8Array | undefined;
/** Whether a batch took the spare since the cron last looked (releaseSpare). */
let spareUsed = false;

/** Lets the spare buffer go if no batch needed it since the last call (the cron's). */
export function releaseSpare(): void {
  if (!spareUsed) spare = undefined;
  spareUsed = false;
}

/** Keeps `buf` as the spare unless the spare is larger (a batch's rest would replace a full one). */
function keepSpare(buf: Uint8Array): void {
  if (buf.byteLength > KEPT_MAX_SIZE) return;
  if (spare === undefined || buf.byteLength >= spare.byteLength) spare = buf;
}

export abstract class ReplyWriter {
  buf: Uint8Array;
  pos = 0;
  /** Where the top-level reply being written began, or -1 between replies. */
  protected replyStart = -1;
  /**
   * Bytes of pushes written in front of an open reply so far (see beginPush):
   * a position taken inside that reply has moved on by the growth of this.
   */
  displaced = 0;
  /** Where the open reply began when beginPush set it aside. */
  #setAsideFrom = 0;
  #peak = 0;

  constructor() {
    this.buf = EMPTY;
  }

  /** Bytes waiting to be sent. */
  get length(): number {
    return this.pos;
  }

  /** The most bytes ever pending at once (CLIENT LIST rbp). */
  get peak(): number {
    return Math.max(this.#peak, this.pos);
  }

  /**
   * Hands the pending bytes to the caller for writing; replies produced while
   * that write is in flight go to another buffer, so they never touch the
   * bytes being sent. Give the view back with `recycle` once written.
   */
  take(): Uint8Array {
    if (this.pos > this.#peak) this.#peak = this.pos;
    const filled = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    return filled;
  }

  /**
   * The pending bytes were sent straight from `buf[0, pos)`: the writer
   * empties, its buffer back to the pool (take and recycle, with no view made).
   */
  sent(): void {
    if (this.pos > this.#peak) this.#peak = this.pos;
    const buf = this.buf;
    this.pos = 0;
    this.buf = EMPTY;
    if (buf.byteLength <= POOLED_MAX_SIZE) {
      if (pool.length < POOL_LIMIT) pool.push(buf);
    } else keepSpare(buf);
  }

  /** Returns a written buffer from `take` to the shared pool. */
  recycle(view: Uint8Array): void {
    const size = view.buffer.byteLength;
    if (size <= POOLED_MAX_SIZE) {
      if (pool.length < POOL_LIMIT) pool.push(new Uint8Array(view.buffer));
    } else keepSpare(new Uint8Array(view.buffer));
  }

  /**
   * Forgets everything written from `mark` on (used to undo a failed reply).
   * Dropping the whole open reply (a blocked command that has not replied)
   * closes it.
   */
  truncate(mark: number): void {
    this.pos = mark;
    if (mark <= this.replyStart) this.replyStart = -1;
  }

  ensure(extra: number): void {
    // The growth is a call of its own: a small ensure costs callers little of
    // V8's inlining budget (a native ZQUERY's pair writer was left a call).
    if (this.pos + extra > this.buf.length) this.#grow(this.pos + extra);
  }

  #grow(need: number): void {
    const large = spare;
    if (need <= POOLED_MAX_SIZE) {
      // The spare is not for a batch that a pooled buffer may hold: it would
      // keep it till the round's end, when a larger batch wanted it.
      const pooled = this.buf === EMPTY ? pool.pop() : undefined;
      if (pooled !== undefined && pooled.length >= need) {
        this.buf = pooled;
        return;
      }
      if (pooled !== undefined) pool.push(pooled);
    } else if (large !== undefined && large.length >= need) {
      spare = undefined;
      spareUsed = true;
      const pooled = this.buf;
      large.set(pooled.subarray(0, this.pos));
      this.buf = large;
      // Handed to nothing else (take() empties the writer): the next batch's to fill.
      const poolable = pooled.byteLength > 0 && pooled.byteLength <= POOLED_MAX_SIZE;
      if (poolable && pool.length < POOL_LIMIT) pool.push(pooled);
      return;
    }
    let size = Math.max(this.buf.length * 2, MIN_BUFFER);
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** Appends an ASCII/binary string with no framing. */
  raw(s: string): void {
    this.ensure(s.length);
    this.pos = writeBinary(this.buf, this.pos, s);
  }

  rawBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  // The protocol's framing of a top-level reply (native length prefix).
  beginReply(): void {
    this.replyStart = this.pos;
  }

  endReply(): void {
    this.replyStart = -1;
  }

  /** Whether a command's reply is being written (between beginReply and endReply). */
  get replyOpen(): boolean {
    return this.replyStart >= 0;
  }

  /**
   * Starts an out-of-band frame of `n` items (a pub/sub message), closed by
   * endPush. If this client's own reply is open (it published to itself),
   * what it wrote so far is set aside and follows the push: frames never
   * nest, and the client sees the message before the reply, as from Redis.
   */
  beginPush(n: number): Uint8Array | undefined {
    const setAside = this.beginOutOfBand();
    this.push(n);
    return setAside;
  }

  /**
   * Starts an out-of-band reply of any kind (a MONITOR line), closed by
   * endPush; like beginPush, an open reply is set aside and follows it.
   */
  beginOutOfBand(): Uint8Array | undefined {
    const open = this.replyStart;
    let setAside: Uint8Array | undefined;
    if (open >= 0) {
      setAside = this.buf.slice(open, this.pos);
      this.#setAsideFrom = open;
      this.pos = open;
    }
    this.beginReply();
    return setAside;
  }

  /** Ends a push frame and reopens the reply beginPush set aside. */
  endPush(setAside: Uint8Array | undefined): void {
    this.endReply();
    if (setAside === undefined) return;
    const reopened = this.pos;
    this.rawBytes(setAside);
    this.replyStart = reopened;
    this.displaced += reopened - this.#setAsideFrom;
  }

  abstract simple(s: string): void;
  abstract error(message: string): void;
  abstract int(n: number | bigint): void;
  abstract bulk(s: string): void;
  /** A bulk string of bytes [start, end) of `bytes`, copied as they are (a stored value's, where it lies). */
  abstract bulkBytes(bytes: Uint8Array, start?: number, end?: number): void;
  abstract nil(): void;
  abstract nilArray(): void;
  abstract array(n: number): void;
  abstract map(n: number): void;
  abstract set(n: number): void;
  abstract push(n: number): void;
  abstract double(d: number): void;
  abstract bool(b: boolean): void;
  abstract verbatim(s: string, format?: string): void;
  /** `ms-seq` as a bulk string, both integers up to 2^53: a stream ID without building its text. */
  abstract bulkId(ms: number, seq: number): void;

  ok(): void {
    this.simple("OK");
  }

  /** A bulk string and a double (a member and its score): the native writer makes one room check. */
  bulkAndDouble(s: string, d: number): void {
    this.bulk(s);
    this.double(d);
  }

  /** bulkAndDouble of the member that is `length` chars of binary string `s` from `start`. */
  bulkSpanAndDouble(s: string, start: number, length: number, d: number): void {
    this.bulkAndDouble(s.substring(start, start + length), d);
  }

  /** bulkAndDouble of a member held as `length` bytes of `bytes` (`view`: a view of it) at `start`. */
  bulkBytesAndDouble(
    bytes: Uint8Array,
    _view: DataView,
    start: number,
    length: number,
    d: number,
  ): void {
    this.bulkBytes(bytes, start, start + length);
    this.double(d);
  }

  /** An array of bulk strings. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulk(s);
  }

  /** An array of bulk strings or nils. */
  bulkOrNilArray(items: readonly (string | undefined)[]): void {
    this.array(items.length);
    for (const s of items) {
      if (s === undefined) this.nil();
      else this.bulk(s);
    }
  }

  /** Which protocol this writer speaks. */
  abstract get protocol(): 2 | 3 | "native";
}

/**
 * RESP2 and RESP3. One class for both, because HELLO switches a connection's
 * protocol between replies while earlier replies still sit in the buffer.
 */
export class RespWriter extends ReplyWriter {
  constructor(public resp: 2 | 3 = 2) {
    super();
  }

  get protocol(): 2 | 3 {
    return this.resp;
  }

  /** A header line with a count: `*3\r\n`, `%2\r\n`... */
  #count(prefix: number, n: number): void {
    if (n < 0) {
      this.#line(prefix, String(n));
      return;
    }
    this.ensure(24);
    const b = this.buf;
    b[this.pos] = prefix;
    let p = writeDecimal(b, this.pos + 1, n);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  #line(prefix: number, s: string): void {
    this.ensure(s.length + 3);
    const b = this.buf;
    let p = this.pos;
    b[p++] = prefix;
    p = writeBinary(b, p, s);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  simple(s: string): void {
    this.#line(43, /* + */ s);
  }

  /** The commonest reply, stored byte by byte. */
  override ok(): void {
    this.ensure(5);
    const b = this.buf;
    const p = this.pos;
    b[p] = 43; // +
    b[p + 1] = 79; // O
    b[p + 2] = 75; // K
    b[p + 3] = 13;
    b[p + 4] = 10;
    this.pos = p + 5;
  }

  error(message: string): void {
    const bytes = errorBytes(message);
    if (bytes === undefined) {
      // Redis never lets a newline split an error reply: each CR and LF becomes a space.
      this.#line(45, /* - */ hasLineBreak(message) ? message.replace(/[\r\n]/g, " ") : message);
      return;
    }
    this.ensure(bytes.length + 3);
    this.buf[this.pos++] = 45; // -
    this.rawBytes(bytes);
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  int(n: number | bigint): void {
    if (typeof n !== "number" || !Number.isSafeInteger(n)) {
      this.#line(58, /* : */ String(n));
      return;
    }
    this.ensure(24);
    const b = this.buf;
    b[this.pos++] = 58; // :
    if (n < 0) {
      b[this.pos++] = 45; // -
      n = -n;
    }
    let p = writeDecimal(b, this.pos, n);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  bulk(s: string): void {
    const p = this.#bulkStart(s.length);
    this.#bulkEnd(writeBinary(this.buf, p, s));
  }

  bulkId(ms: number, seq: number): void {
    if (ms !== idMs) noteIdMs(ms);
    const p = this.#bulkStart(idMsLength + decimalLength(seq));
    this.#bulkEnd(writeDecimal(this.buf, copyIdMs(this.buf, p), seq));
  }

  bulkBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const p = this.#bulkStart(end - start);
    this.#bulkEnd(copyBytes(this.buf, p, bytes, start, end));
  }

  /** Writes `$len\r\n` with room for the value and its CRLF; returns where the value goes. */
  #bulkStart(len: number): number {
    this.ensure(len + 16);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 36; // $
    p = writeDecimal(b, p, len);
    b[p++] = 13;
    b[p++] = 10;
    return p;
  }

  #bulkEnd(p: number): void {
    this.buf[p++] = 13;
    this.buf[p++] = 10;
    this.pos = p;
  }

  nil(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "$-1\r\n");
  }

  nilArray(): void {
    this.raw(this.resp === 3 ? "_\r\n" : "*-1\r\n");
  }

  array(n: number): void {
    this.#count(42, /* * */ n);
  }

  map(n: number): void {
    if (this.resp === 3) this.#count(37, /* % */ n);
    else this.array(n * 2);
  }

  set(n: number): void {
    if (this.resp === 3) this.#count(126, /* ~ */ n);
    else this.array(n);
  }

  push(n: number): void {
    if (this.resp === 3) this.#count(62, /* > */ n);
    else this.array(n);
  }

  double(d: number): void {
    if (this.resp === 3) this.#line(44, /* , */ formatDouble(d));
    else this.bulk(formatDouble(d));
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? "#t\r\n" : "#f\r\n");
    else this.raw(b ? ":1\r\n" : ":0\r\n");
  }

  verbatim(s: string, format = "txt"): void {
    if (this.resp !== 3) return this.bulk(s);
    this.#line(61, /* = */ String(s.length + 4));
    this.raw(format + ":");
    this.raw(s);
    this.raw("\r\n");
  }
}

/**
 * Native protocol replies: `u32 msglen | value`. The length of a top-level
 * reply is back-patched in endReply(); a reply over 32 MiB is replaced by an
 * ERR with code 2, as the protocol requires.
 */
export class NativeWriter extends ReplyWriter {
  get protocol(): "native" {
    return "native";
  }

  override beginReply(): void {
    this.ensure(4);
    this.replyStart = this.pos;
    this.pos += 4;
  }

  override endReply(): void {
    const start = this.replyStart;
    if (start < 0) return;
    this.replyStart = -1;
    let len = this.pos - start - 4;
    if (len === 0) {
      // Everything went out in frames of its own (SUBSCRIBE's confirmations).
      this.pos = start;
      return;
    }
    if (len > MAX_MSG_LEN) {
      this.pos = start + 4;
      this.#err(ErrCode.TooBig, RESPONSE_TOO_BIG);
      len = this.pos - start - 4;
    }
    putU32(this.buf, start, len);
  }

  override truncate(mark: number): void {
    const start = this.replyStart;
    // A rolled-back reply keeps its length prefix slot.
    if (start >= 0 && mark > start) this.pos = Math.max(mark, start + 4);
    else super.truncate(mark);
  }

  #u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  #u32(v: number): void {
    this.ensure(4);
    putU32(this.buf, this.pos, v);
    this.pos += 4;
  }

  bulkId(ms: number, seq: number): void {
    if (ms !== idMs) noteIdMs(ms);
    const p = this.#strStart(idMsLength + decimalLength(seq));
    this.pos = writeDecimal(this.buf, copyIdMs(this.buf, p), seq);
  }

  bulkBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const p = this.#strStart(end - start);
    this.pos = copyBytes(this.buf, p, bytes, start, end);
  }

  #str(s: string): void {
    // #strStart may grow the buffer: read it after.
    const p = this.#strStart(s.length);
    this.pos = writeBinary(this.buf, p, s);
  }

  /** A string's tag and length, with room for its bytes; returns where they go. */
  #strStart(len: number): number {
    this.ensure(5 + len);
    this.buf[this.pos++] = Tag.Str;
    putU32(this.buf, this.pos, len);
    return this.pos + 4;
  }

  #err(code: number, message: string): void {
    this.#u8(Tag.Err);
    this.#u32(code);
    this.#u32(message.length);
    const bytes = errorBytes(message);
    if (bytes === undefined) this.raw(message);
    else this.rawBytes(bytes);
  }

  simple(s: string): void {
    this.#str(s);
  }

  error(message: string): void {
    const code = message.startsWith("WRONGTYPE")
      ? ErrCode.WrongType
      : message.startsWith("ERR unknown command") ||
          message.startsWith("ERR unknown subcommand")
      ? ErrCode.Unknown
      : ErrCode.BadArg;
    this.#err(code, message);
  }

  int(n: number | bigint): void {
    this.ensure(9);
    this.buf[this.pos++] = Tag.Int;
    if (typeof n === "number" && (n | 0) === n) {
      // A 32-bit integer (the usual reply: 0, 1, a count): its high half is its sign.
      putU32(this.buf, this.pos, n);
      putU32(this.buf, this.pos + 4, n >> 31);
    } else if (typeof n === "number" && Number.isSafeInteger(n)) {
      // Two's complement from the number's halves: no BigInt per reply.
      const hi = Math.floor(n / 0x100000000);
      putU32(this.buf, this.pos, n - hi * 0x100000000);
      putU32(this.buf, this.pos + 4, hi >>> 0);
    } else {
      new DataView(this.buf.buffer, this.buf.byteOffset).setBigInt64(this.pos, BigInt(n), true);
    }
    this.pos += 8;
  }

  bulk(s: string): void {
    this.#str(s);
  }

  nil(): void {
    this.#u8(Tag.Nil);
  }

  nilArray(): void {
    this.#u8(Tag.Nil);
  }

  array(n: number): void {
    this.#u8(Tag.Arr);
    this.#u32(n);
  }

  map(n: number): void {
    this.array(n * 2);
  }

  set(n: number): void {
    this.array(n);
  }

  push(n: number): void {
    this.array(n);
  }

  double(d: number): void {
    this.ensure(9);
    const buf = this.buf;
    buf[this.pos++] = Tag.Dbl;
    putF64(buf, this.pos, d);
    this.pos += 8;
  }

  override bulkAndDouble(s: string, d: number): void {
    const len = s.length;
    this.ensure(14 + len);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = Tag.Str;
    putU32(buf, at + 1, len);
    const end = writeBinary(buf, at + 5, s);
    buf[end] = Tag.Dbl;
    putF64(buf, end + 1, d);
    this.pos = end + 9;
  }

  override bulkSpanAndDouble(s: string, start: number, length: number, d: number): void {
    // A long member (zset-max-listpack-value raised) takes writeBinary's native path.
    if (length > SPAN_COPY_MAX) return this.bulkAndDouble(s.substring(start, start + length), d);
    this.ensure(14 + length);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = Tag.Str;
    putU32(buf, at + 1, length);
    const to = at + 5 - start;
    for (let i = start, end = start + length; i < end; i++) buf[to + i] = s.charCodeAt(i);
    const end = at + 5 + length;
    buf[end] = Tag.Dbl;
    putF64(buf, end + 1, d);
    this.pos = end + 9;
  }

  override bulkBytesAndDouble(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    length: number,
    d: number,
  ): void {
    this.ensure(14 + length);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = Tag.Str;
    putU32(buf, at + 1, length);
    const end = at + 5 + length;
    if (length <= 64) copyWords(bytes, view, start, length, buf, at + 5);
    else buf.set(bytes.subarray(start, start + length), at + 5);
    buf[end] = Tag.Dbl;
    putF64(buf, end + 1, d);
    this.pos = end + 9;
  }

  bool(b: boolean): void {
    this.int(b ? 1 : 0);
  }

  verbatim(s: string): void {
    this.#str(s);
  }
}

/** Longest member bulkSpanAndDouble copies char by char (a small sorted set's, by default). */
const SPAN_COPY_MAX = 64;

/** The writer for a protocol. */
export function writerFor(protocol: 2 | 3 | "native"): ReplyWriter {
  return protocol === "native" ? new NativeWriter() : new RespWriter(protocol);
}

/**
 * The `ms-` of the last stream ID bulkId wrote: IDs XADD makes share their
 * ms with hundreds of others, so its digits are copied, not worked out.
 */
let idMs = -1;
const idMsBytes = new Uint8Array(24);
let idMsLength = 0;

function noteIdMs(ms: number): void {
  idMs = ms;
  idMsLength = writeDecimal(idMsBytes, 0, ms);
  idMsBytes[idMsLength++] = 45; // -
}

function copyIdMs(b: Uint8Array, p: number): number {
  for (let i = 0; i < idMsLength; i++) b[p + i] = idMsBytes[i]!;
  return p + idMsLength;
}

/**
 * The buffer putF64 wrote into last and a view of it, kept while the buffer
 * is small (a large one is not held after its client lets it go).
 */
let f64Buf: Uint8Array | undefined;
let f64View: DataView = new DataView(new ArrayBuffer(0));
const F64_VIEW_MAX = 64 * 1024;

/** Where putF64 lays out a double for a buffer it keeps no view of. */
const f64Scratch = new Uint8Array(8);
const f64ScratchView = new DataView(f64Scratch.buffer);

/** A little-endian IEEE double at `at`: one store through a view, not eight byte copies. */
function putF64(b: Uint8Array, at: number, d: number): void {
  if (b === f64Buf || viewDst(b)) return f64View.setFloat64(at, d, true);
  // A large buffer: its bytes are copied. A DataView made per double was an
  // allocation each: in-process native ZQUERY 440 ns against 300.
  f64ScratchView.setFloat64(0, d, true);
  const scratch = f64Scratch;
  for (let i = 0; i < 8; i++) b[at + i] = scratch[i]!;
}

/**
 * Copies a short member (up to 64 bytes) from `src` (`from`: a view of it)
 * four bytes a step into `dst` through putF64's view: a byte loop took a
 * fifth of a native ZQUERY of five 20-byte members (in-process, 352 → 320 ns
 * a request).
 */
function copyWords(
  src: Uint8Array,
  from: DataView,
  start: number,
  length: number,
  dst: Uint8Array,
  at: number,
): void {
  let i = 0;
  if (dst === f64Buf || viewDst(dst)) {
    const to = f64View;
    for (; i + 4 <= length; i += 4) to.setInt32(at + i, from.getInt32(start + i, true), true);
  }
  for (; i < length; i++) dst[at + i] = src[start + i]!;
}

/** Makes `dst` putF64's buffer and view unless it is too large to hold; whether it did. */
function viewDst(dst: Uint8Array): boolean {
  if (dst.byteLength > F64_VIEW_MAX) return false;
  f64Buf = dst;
  f64View = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  return true;
}

/** Writes `v` as a little-endian u32 at `at` (no DataView per reply). */
function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}
