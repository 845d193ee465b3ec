/**
 * RESP2/RESP3 request decoding (server side) and reply decoding (client side).
 * Strings are binary strings (one char per byte), see bytes.ts.
 */
import {
  argvFromSpans,
  bytesToBinary,
  bytesToBinaryNoted,
  commandNames,
  DEFER_MIN,
  deferArgument,
  DEFERRED_ARG,
  deferredIndex,
  forgetRequestSpans,
  HELD_ARGS_MAX,
  holdArguments,
  holdKey,
  HOLDS_ARGUMENTS,
  holdsArgument,
  KEY_BYTES_MAX,
  KEY_BYTES_MIN,
  noteRequestKey,
  noteRequestSpans,
  parseDecimal,
  VALUE_DEFER_MIN,
} from "./bytes.ts";
import { ProtocolError, protocolErrorReply } from "./errors.ts";
import { splitArgs } from "./inline.ts";

/** Redis's PROTO_INLINE_MAX_SIZE. */
export const INLINE_MAX = 64 * 1024;
/** Redis's limit on the element count of one multibulk request. */
export const MULTIBULK_MAX = 1024 * 1024;
/** What an unauthenticated client may send in one request (networking.c). */
const UNAUTHENTICATED_MAX_ARGS = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;
const CR = 13;
const LF = 10;

/** What a decoder asks of its client before reading a large unauthenticated request. */
export interface AuthState {
  readonly authRequired: boolean;
}

const NO_AUTH: AuthState = { authRequired: false };

function protocolError(detail: string): ProtocolError {
  return new ProtocolError(detail, protocolErrorReply(detail));
}

/**
 * Incremental RESP request decoder. Like Redis's query-buffer parser it keeps
 * the arguments of a partly received multibulk request, so a huge request
 * arriving over many reads is scanned once. `consumed` is how many bytes the
 * last call used, whether or not it completed a request: callers must always
 * drop that many bytes.
 */
export class RespRequestDecoder {
  consumed = 0;
  /** When incomplete: total bytes needed from the current start, if known. */
  needed = 0;
  /**
   * When incomplete inside a bulk: the bytes of its `$len` line, which
   * `needed` counts from. Redis has parsed that line by then: its qbuf holds
   * only the bulk's data.
   */
  bulkHeader = 0;
  /** proto-max-bulk-len; mutable through CONFIG SET. */
  maxBulkLen = 512 * 1024 * 1024;
  /**
   * Whether the client must still authenticate (its owner's authRequired,
   * read as needed): Redis then refuses requests of more than 10 arguments
   * or bulks over 16 KiB before reading them. An object, not a closure made
   * per client: 10,000 idle clients hold 10,000 decoders.
   */
  auth: AuthState = NO_AUTH;
  /**
   * Whether long arguments note their bytes for writeBinary (bytes.ts), and
   * an argument a handler takes as bytes is left in the buffer (deferArgument):
   * only for an owner that calls forgetNotedBytes before the buffer changes.
   */
  notesBytes = false;

  #argv: string[] | undefined;
  #remaining = 0;
  /** Bytes the arguments of a partly received request hold (they count in used_memory). */
  pendingBytes = 0;

  decode(buf: Uint8Array, start: number, end: number): string[] | undefined {
    this.consumed = 0;
    this.needed = 0;
    this.bulkHeader = 0;
    if (this.#argv === undefined) {
      if (start >= end) return undefined;
      if (buf[start] !== 42 /* * */) return this.#inline(buf, start, end);
      const whole = this.#whole(buf, start, end);
      if (whole !== undefined) return whole;
      let count = quickNumber(buf, start + 1, end);
      let line = quickLine;
      if (count < 0) {
        line = findCRLF(buf, start, end);
        if (line < 0) {
          if (end - start > INLINE_MAX) throw protocolError("too big mbulk count string");
          return undefined;
        }
        count = parseDecimal(buf, start + 1, line) ?? MULTIBULK_MAX + 1;
      }
      if (count > MULTIBULK_MAX) throw protocolError("invalid multibulk length");
      if (count > UNAUTHENTICATED_MAX_ARGS && this.auth.authRequired) {
        throw protocolError("unauthenticated multibulk length");
      }
      this.consumed = line + 2 - start;
      start = line + 2;
      if (count <= 0) return []; // Redis ignores empty multibulks
      this.#argv = [];
      this.#remaining = count;
    }
    const argv = this.#argv;
    while (this.#remaining > 0) {
      if (start >= end) return undefined;
      let len = buf[start] === 36 /* $ */ ? quickNumber(buf, start + 1, end) : -1;
      let line = quickLine;
      if (len < 0) {
        line = findCRLF(buf, start, end);
        if (line < 0) {
          if (end - start > INLINE_MAX) throw protocolError("too big bulk count string");
          return undefined;
        }
        if (buf[start] !== 36 /* $ */) {
          throw protocolError(`expected '$', got '${String.fromCharCode(buf[start]!)}'`);
        }
        len = parseDecimal(buf, start + 1, line) ?? -1;
      }
      if (len < 0 || len > this.maxBulkLen) throw protocolError("invalid bulk length");
      if (len > UNAUTHENTICATED_MAX_BULK && this.auth.authRequired) {
        throw protocolError("unauthenticated bulk length");
      }
      const dataStart = line + 2;
      if (end - dataStart < len + 2) {
        this.needed = dataStart + len + 2 - start;
        this.bulkHeader = dataStart - start;
        return undefined;
      }
      if (this.#remaining === 1 && len >= VALUE_DEFER_MIN && this.#defers(argv)) {
        // The last argument, taken as bytes: argv is returned below, its bytes still here.
        argv.push("");
        deferArgument(argv, argv.length - 1, buf, dataStart, dataStart + len);
      } else {
        argv.push(
          argv.length === 0
            ? commandNames.decode(buf, dataStart, len)
            : this.notesBytes
            ? bytesToBinaryNoted(buf, dataStart, dataStart + len)
            : bytesToBinary(buf, dataStart, dataStart + len),
        );
      }
      // A V8 string's header is 16 bytes (server/types/memory.ts).
      this.pendingBytes += len + 16;
      this.#remaining--;
      const next = dataStart + len + 2;
      this.consumed += next - start;
      start = next;
    }
    this.#argv = undefined;
    this.pendingBytes = 0;
    return argv;
  }

  /** Whether the argument after `argv`'s is one its command's handler takes as bytes. */
  #defers(argv: string[]): boolean {
    return this.notesBytes && argv.length > 0 &&
      deferredIndex(argv[0]!, argv.length + 1) === argv.length;
  }

  /**
   * The usual request, read in two tight passes: one that finds every
   * argument (headers of up to 9 digits, at most WHOLE_MAX_ARGS arguments of
   * at most UNAUTHENTICATED_MAX_BULK bytes, all of it in the buffer), then
   * one that makes their strings. Anything else, an incomplete request
   * included, is left to the general path (undefined), which keeps a partly
   * received request's arguments. The first pass allocates nothing, so a
   * request arriving a byte at a time costs its headers per read, not its
   * strings.
   */
  #whole(buf: Uint8Array, start: number, end: number): string[] | undefined {
    // "*N\r" with one digit, else quickNumber's general header.
    let p = start + 4;
    let count = p < end && buf[start + 2] === CR ? buf[start + 1]! - 48 : -1;
    if (count < 1 || count > 9) {
      count = quickNumber(buf, start + 1, end);
      if (count < 1 || count > WHOLE_MAX_ARGS) return undefined;
      if (count > UNAUTHENTICATED_MAX_ARGS && this.auth.authRequired) return undefined;
      p = quickLine + 2;
    }
    const spans = SPANS;
    // A request noted with these spans (queued in MULTI, paused) no longer finds its bytes here.
    forgetRequestSpans();
    let widest = 0;
    for (let i = 0; i < count; i++) {
      // "$N\r" with one or two digits read in place; longer or odd headers by quickNumber.
      // Every byte read lies before the argument's end, checked against `end` below.
      if (p + 4 > end || buf[p] !== 36 /* $ */) return undefined;
      let len = buf[p + 1]! - 48;
      const second = buf[p + 2]!;
      let dataStart = p + 4;
      if (second !== CR || len < 1 || len > 9) {
        if (second >= 48 && second <= 57 && buf[p + 3] === CR && len >= 1 && len <= 9) {
          len = len * 10 + second - 48;
          dataStart = p + 5;
          if (len > widest) widest = len;
        } else {
          len = quickNumber(buf, p + 1, end);
          if (len < 0 || len > UNAUTHENTICATED_MAX_BULK) return undefined;
          dataStart = quickLine + 2;
          if (len > widest) widest = len;
        }
      }
      p = dataStart + len + 2;
      if (p > end) return undefined;
      spans[2 * i] = dataStart;
      spans[2 * i + 1] = len;
    }
    this.consumed = p - start;
    const name = commandNames.decode(buf, spans[0]!, spans[1]!);
    const long = widest >= DEFER_MIN;
    if (this.notesBytes && count > 1) {
      // A long argument, or a value after the key that its command stores as bytes (#deferring).
      const defers = long ||
        (count > 2 && widest >= VALUE_DEFER_MIN && commandNames.deferAt(name, count) !== 0);
      const keyLength = spans[3]!;
      if (keyLength >= KEY_BYTES_MIN) {
        const counts = commandNames.keyCounts(name);
        if (holdsArgument(counts, count, keyLength)) {
          return this.#holding(buf, spans, count, name, defers);
        }
        if (
          (counts & HOLDS_ARGUMENTS) !== 0 && (count & 1) === 1 && keyLength <= KEY_BYTES_MAX
        ) {
          // Every key and value left in the buffer (MSET: bytes.ts, HeldArguments).
          const argv = new Array<string>(count);
          argv[0] = name;
          holdArguments(argv, buf, spans, count);
          return argv;
        }
      }
      if (defers) {
        const argv = this.#deferring(buf, spans, count, name);
        if (argv[1] !== DEFERRED_ARG) noteRequestKey(argv[1]!, buf, spans[2]!);
        return argv;
      }
    }
    // Arguments under DEFER_MIN bytes are never noted (bytesToBinaryNoted notes from ENCODE_MIN).
    const argv = argvFromSpans(buf, spans, count, name, long && this.notesBytes);
    // The key table hashes and compares the key from its bytes (bytes.ts, requestKey);
    // a key under KEY_BYTES_MIN as cheaply from its string.
    if (this.notesBytes && count > 1 && spans[3]! >= KEY_BYTES_MIN) {
      noteRequestKey(argv[1]!, buf, spans[2]!);
      if (count > 3) noteRequestSpans(argv, buf, spans);
    }
    return argv;
  }

  /** #whole's strings when the key is one its command's handler takes as bytes: left in the buffer. */
  #holding(
    buf: Uint8Array,
    spans: Int32Array,
    count: number,
    name: string,
    defers: boolean,
  ): string[] {
    const length = spans[3]!;
    // Made "" by argvFromSpans, then marked.
    spans[3] = 0;
    const argv = defers
      ? this.#deferring(buf, spans, count, name)
      : argvFromSpans(buf, spans, count, name, false);
    holdKey(argv, 1, buf, spans[2]!, spans[2]! + length);
    // EVALSHA's sha held: a script notes its KEYS[1] from these spans (noteKeyArgument).
    if (count > 3) noteRequestSpans(argv, buf, spans);
    return argv;
  }

  /** #whole's strings when an argument is long: one its command's handler takes as bytes is left in the buffer. */
  #deferring(buf: Uint8Array, spans: Int32Array, count: number, name: string): string[] {
    const at = commandNames.deferAt(name, count);
    const length = at === 0 ? 0 : spans[2 * at + 1]!;
    // Made "" by argvFromSpans, then marked.
    if (length >= VALUE_DEFER_MIN) spans[2 * at + 1] = 0;
    const argv = argvFromSpans(buf, spans, count, name, true);
    if (length >= VALUE_DEFER_MIN) {
      const from = spans[2 * at]!;
      deferArgument(argv, at, buf, from, from + length);
    }
    return argv;
  }

  #inline(buf: Uint8Array, start: number, end: number): string[] | undefined {
    let nl = -1;
    for (let i = start; i < end; i++) {
      if (buf[i] === LF) {
        nl = i;
        break;
      }
    }
    if (nl < 0) {
      if (end - start > INLINE_MAX) throw protocolError("too big inline request");
      return undefined;
    }
    const lineEnd = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    const argv = splitArgs(bytesToBinary(buf, start, lineEnd));
    if (argv === undefined) throw protocolError("unbalanced quotes in request");
    this.consumed = nl + 1 - start;
    return argv;
  }
}

/** Most arguments a request may have to take the decoder's one-pass path (#whole). */
const WHOLE_MAX_ARGS = HELD_ARGS_MAX;
/**
 * Where #whole found each argument: its first byte, then its length. One
 * array for every decoder (each call fills it before reading it, and forgets
 * the request noted with it first): one per client was ~0.7 KB of an idle one.
 */
const SPANS = new Int32Array(2 * WHOLE_MAX_ARGS);

/** Where the CR after the number quickNumber read is. */
let quickLine = 0;

/**
 * The usual header line, 1 to 9 digits from `start` without a leading zero
 * then CR and a byte after it, read in one pass (findCRLF and parseDecimal
 * take two): its number, with the CR's offset in quickLine. -1 for anything
 * else, which the general path handles (and finds errors in).
 */
function quickNumber(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  let c = buf[start]!;
  if (c < 49 || c > 57) return -1;
  let n = c - 48;
  let p = start + 1;
  for (const limit = Math.min(end, start + 9); p < limit; p++) {
    c = buf[p]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + c - 48;
  }
  if (p + 1 >= end || buf[p] !== CR) return -1;
  quickLine = p;
  return n;
}

function findCRLF(buf: Uint8Array, start: number, end: number): number {
  // A plain loop: subarray().indexOf() allocates a view per call on the hot path.
  let pos = start;
  while (pos < end && buf[pos] !== CR) pos++;
  if (pos === end) return -1;
  // Redis splits on \r and assumes \n follows; a lone \r with \n missing yet
  // means the line is still arriving.
  return pos + 1 < end ? pos : -1;
}

/** Encodes a request as a RESP multibulk (binary-string arguments). */
export function encodeRespRequest(argv: readonly string[]): Uint8Array {
  let head = `*${argv.length}\r\n`;
  let size = head.length;
  for (const a of argv) size += `$${a.length}\r\n`.length + a.length + 2;
  const out = new Uint8Array(size);
  let pos = 0;
  const put = (s: string) => {
    for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  };
  put(head);
  for (const a of argv) {
    head = `$${a.length}\r\n`;
    put(head);
    put(a);
    put("\r\n");
  }
  return out;
}

/** A decoded RESP reply. Strings are binary strings. */
export type RespValue =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "int"; value: bigint }
  | { type: "bulk"; value: string }
  | { type: "verbatim"; format: string; value: string }
  | { type: "null" }
  | { type: "nullArray" }
  | { type: "double"; value: number; raw: string }
  | { type: "bool"; value: boolean }
  | { type: "bignum"; value: string }
  | { type: "array"; values: RespValue[] }
  | { type: "set"; values: RespValue[] }
  | { type: "push"; values: RespValue[] }
  | { type: "map"; entries: [RespValue, RespValue][] };

/** Incremental RESP reply decoder for clients. */
export class RespReplyDecoder {
  consumed = 0;

  decode(buf: Uint8Array, start: number, end: number): RespValue | undefined {
    const r = readReply(buf, start, end, 0);
    if (r === undefined) return undefined;
    this.consumed = r[1] - start;
    return r[0];
  }
}

function readLine(buf: Uint8Array, start: number, end: number): [string, number] | undefined {
  const cr = findCRLF(buf, start, end);
  if (cr < 0) return undefined;
  return [bytesToBinary(buf, start, cr), cr + 2];
}

function readReply(
  buf: Uint8Array,
  start: number,
  end: number,
  depth: number,
): [RespValue, number] | undefined {
  if (start >= end) return undefined;
  if (depth > 64) throw new ProtocolError("reply nested too deeply");
  const type = String.fromCharCode(buf[start]!);
  const line = readLine(buf, start + 1, end);
  if (line === undefined) return undefined;
  const [text, next] = line;
  switch (type) {
    case "+":
      return [{ type: "simple", value: text }, next];
    case "-":
      return [{ type: "error", value: text }, next];
    case ":":
      return [{ type: "int", value: BigInt(text) }, next];
    case "(":
      return [{ type: "bignum", value: text }, next];
    case "_":
      return [{ type: "null" }, next];
    case "#":
      return [{ type: "bool", value: text === "t" }, next];
    case ",":
      return [{ type: "double", value: parseRespDouble(text), raw: text }, next];
    case "$":
    case "=":
    case "!": {
      const len = Number(text);
      if (len < 0) return [{ type: type === "$" ? "null" : "nullArray" }, next];
      if (end - next < len + 2) return undefined;
      const value = bytesToBinary(buf, next, next + len);
      const after = next + len + 2;
      if (type === "!") return [{ type: "error", value }, after];
      if (type === "=") {
        return [{ type: "verbatim", format: value.slice(0, 3), value: value.slice(4) }, after];
      }
      return [{ type: "bulk", value }, after];
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const n = Number(text);
      if (!Number.isInteger(n)) throw new ProtocolError(`bad aggregate length '${text}'`);
      if (n < 0) return [{ type: "nullArray" }, next];
      const count = type === "%" || type === "|" ? n * 2 : n;
      const values: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const r = readReply(buf, pos, end, depth + 1);
        if (r === undefined) return undefined;
        values.push(r[0]);
        pos = r[1];
      }
      if (type === "|") {
        // Attributes describe the reply that follows; clients may ignore them.
        return readReply(buf, pos, end, depth);
      }
      if (type === "%") {
        const entries: [RespValue, RespValue][] = [];
        for (let i = 0; i < values.length; i += 2) entries.push([values[i]!, values[i + 1]!]);
        return [{ type: "map", entries }, pos];
      }
      const kind = type === "*" ? "array" : type === "~" ? "set" : "push";
      return [{ type: kind, values }, pos];
    }
    default:
      throw new ProtocolError(`unknown reply type byte ${buf[start]}`);
  }
}

function parseRespDouble(text: string): number {
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan" || text === "-nan") return NaN;
  return Number(text);
}
