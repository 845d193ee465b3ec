/**
 * The native binary protocol ("Build Your Own Redis" framing), see
 * docs/protocol.md. Pure functions over Uint8Array; all integers little-endian.
 *
 * Decoders are incremental: `undefined` means "need more bytes", a complete
 * frame reports how many bytes it consumed, and malformed input throws
 * ProtocolError.
 */
import {
  bytesToBinary,
  bytesToBinaryNoted,
  commandNames,
  DEFER_MIN,
  deferArgument,
  DEFERRED_ARG,
  holdKey,
  holdsArgument,
  KEY_BYTES_MIN,
  noteRequestKey,
  VALUE_DEFER_MIN,
  writeBinary,
} from "./bytes.ts";
import { ONE_BYTE, twoBytes } from "./short_strings.ts";
import { ProtocolError } from "./errors.ts";

/** Largest message body (after the 4-byte length) either side may send. */
export const MAX_MSG_LEN = 32 * 1024 * 1024;
/** Most strings one request may carry. */
export const MAX_ARGS = 200_000;

export const enum Tag {
  Nil = 0,
  Err = 1,
  Str = 2,
  Int = 3,
  Dbl = 4,
  Arr = 5,
}

export const enum ErrCode {
  Unknown = 1,
  TooBig = 2,
  WrongType = 3,
  BadArg = 4,
}

/** A little-endian u32 (no DataView to allocate per request). */
function u32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

/** Largest buffer whose view a decoder keeps between requests (a query buffer is 16 KB). */
const KEPT_VIEW_MAX = 64 * 1024;
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A request's argv of `count` strings, its name and key in place. */
function argvOf(name: string, key: string, count: number): string[] {
  const argv = new Array<string>(count);
  argv[0] = name;
  argv[1] = key;
  return argv;
}

/** Decodes native requests; `consumed` holds the length of the last frame. */
export class NativeRequestDecoder {
  consumed = 0;
  /** Longest string a request may carry: the server sets proto-max-bulk-len, as for RESP. */
  maxArgLen = MAX_MSG_LEN;
  /**
   * Whether long strings note their bytes, one a handler takes as bytes
   * stays in the buffer (protocol/bytes.ts, deferred arguments), a key its
   * handler takes as bytes is left there (holdKey) and other keys are noted
   * (noteRequestKey), as RESP's decoder does: set by a connection that
   * forgets them before its buffer changes.
   */
  notesBytes = false;

  /** Decodes one request from buf[start, end) into binary-string arguments. */
  decode(buf: Uint8Array, start: number, end: number): string[] | undefined {
    return this.#decode(buf, start, end);
  }

  /**
   * Lets go of the view of a large buffer: the connection calls it when a
   * batch is done, so an idle client's decoder holds no large buffer, while
   * a batch's requests share one view (one made per request cost an
   * allocation each).
   */
  releaseView(): void {
    if (this.#buf !== undefined && this.#buf.byteLength > KEPT_VIEW_MAX) {
      this.#buf = undefined;
      this.#dv = EMPTY_VIEW;
    }
  }

  #decode(buf: Uint8Array, start: number, end: number): string[] | undefined {
    this.consumed = 0;
    const available = end - start;
    if (available < 4) return undefined;
    const dv = this.#viewOf(buf);
    const msgLen = dv.getUint32(start, true);
    if (msgLen > MAX_MSG_LEN) throw new ProtocolError(`native message too long: ${msgLen}`);
    if (msgLen < 4) throw new ProtocolError(`native message too short: ${msgLen}`);
    if (available < 4 + msgLen) return undefined;
    const count = dv.getUint32(start + 4, true);
    if (count > MAX_ARGS) throw new ProtocolError(`too many strings in request: ${count}`);
    // Each string takes at least its 4-byte length: a count the message cannot
    // hold is refused before any room is made for it.
    if (count > (msgLen - 4) / 4) throw new ProtocolError("string header overruns message");
    const frameEnd = start + 4 + msgLen;
    this.#pos = start + 8;
    this.#frameEnd = frameEnd;
    // The whole frame is in: each string is made as it is checked, in one
    // pass (a malformed one throws, and the strings made before it go).
    let argv: string[];
    if (count === 0) {
      // An empty request is answered as RESP's `*1 $0` is: unknown command ''.
      argv = [""];
    } else {
      const name = commandNames.decode(buf, this.#next(), this.#len);
      if (count === 1) argv = [name];
      else {
        const notes = this.notesBytes;
        // Strings of DEFER_MIN bytes or more: a frame that long may hold one.
        if (notes && msgLen >= 4 + 4 * count + DEFER_MIN) {
          argv = this.#deferring(buf, name, count, frameEnd);
          this.consumed = 4 + msgLen;
          return argv;
        }
        // No string here is long enough to note its bytes.
        const keyStart = this.#next();
        const keyLength = this.#len;
        const hold = notes && this.#holds(name, count, keyLength);
        // An argument its handler takes as bytes (takesBytes: SET's value, ZADD's member).
        const at = notes && count > 2 ? commandNames.deferAt(name, count) : 0;
        // A held key is made "" here, then marked.
        const key = hold
          ? ""
          : keyLength === 1
          ? ONE_BYTE[buf[keyStart]!]!
          : bytesToBinary(buf, keyStart, keyStart + keyLength);
        if (count === 2) argv = [name, key];
        else {
          // Literals of the usual sizes (packed arrays), then the rest in one loop.
          argv = count === 3
            ? [name, key, ""]
            : count === 4
            ? [name, key, "", ""]
            : count === 6
            ? [name, key, "", "", "", ""]
            : argvOf(name, key, count);
          this.#strings(buf, argv, count, at);
        }
        if (this.#pos !== frameEnd) throw new ProtocolError("trailing bytes in message");
        // Deferred first: deferArgument settles the request before's key, not this one's.
        if (at > 0 && this.#deferEnd > 0) {
          deferArgument(argv, at, buf, this.#deferStart, this.#deferEnd);
        }
        if (hold) holdKey(argv, 1, buf, keyStart, keyStart + keyLength);
        // The key table hashes and compares the key from its bytes (bytes.ts, requestKey);
        // a key under KEY_BYTES_MIN as cheaply from its string.
        else if (notes && keyLength >= KEY_BYTES_MIN) noteRequestKey(key, buf, keyStart);
      }
    }
    if (this.#pos !== frameEnd) throw new ProtocolError("trailing bytes in message");
    this.consumed = 4 + msgLen;
    return argv;
  }

  /**
   * A view of the buffer being decoded from, kept across requests: a
   * connection reads into the same buffer, and a DataView's reads cost less
   * than four byte loads (in-process native zadd ~3% faster). A large
   * buffer's view goes when its batch does (releaseView).
   */
  #buf: Uint8Array | undefined;
  #dv: DataView = EMPTY_VIEW;

  #viewOf(buf: Uint8Array): DataView {
    if (buf !== this.#buf) {
      this.#buf = buf;
      this.#dv = view(buf);
    }
    return this.#dv;
  }

  /** Where the next string's header is, and where the frame being decoded ends. */
  #pos = 0;
  #frameEnd = 0;
  /** The length #next found. */
  #len = 0;
  /** Where the argument #strings left as bytes is (#deferEnd 0: none). */
  #deferStart = 0;
  #deferEnd = 0;

  /** Checks the string at #pos (its length, then its bytes), moves past it; returns its start. */
  #next(): number {
    const pos = this.#pos + 4;
    const frameEnd = this.#frameEnd;
    if (pos > frameEnd) throw new ProtocolError("string header overruns message");
    const len = this.#dv.getUint32(pos - 4, true);
    // The errors are made in a call of their own: this stays small enough to inline.
    if (len > frameEnd - pos || len > this.maxArgLen) this.#refuse(len, frameEnd - pos);
    this.#len = len;
    this.#pos = pos + len;
    return pos;
  }

  /** Refuses a string of `len` bytes where `room` remain in the frame. */
  #refuse(len: number, room: number): never {
    if (len > room) throw new ProtocolError("string overruns message");
    throw new ProtocolError(`string longer than ${this.maxArgLen}`);
  }

  /** Whether a key of `length` bytes is one `name`'s handler takes as bytes with `count` strings. */
  #holds(name: string, count: number, length: number): boolean {
    return length >= KEY_BYTES_MIN && holdsArgument(commandNames.keyCounts(name), count, length);
  }

  /** decode's strings when the frame is long: one its command's handler takes as bytes is deferred. */
  #deferring(buf: Uint8Array, name: string, count: number, frameEnd: number): string[] {
    const at = commandNames.deferAt(name, count);
    const argv = new Array<string>(count);
    argv[0] = name;
    let from = 0;
    let to = 0;
    let keyStart = 0;
    let keyEnd = 0;
    let hold = false;
    for (let i = 1; i < count; i++) {
      const start = this.#next();
      const end = start + this.#len;
      if (i === 1) {
        keyStart = start;
        keyEnd = end;
        hold = this.#holds(name, count, this.#len);
      }
      if (i === at && this.#len >= DEFER_MIN) {
        from = start;
        to = end;
        argv[i] = "";
      } else if (i === 1 && hold) argv[i] = "";
      else argv[i] = bytesToBinaryNoted(buf, start, end);
    }
    if (this.#pos !== frameEnd) throw new ProtocolError("trailing bytes in message");
    if (to > 0) deferArgument(argv, at, buf, from, to);
    const key = argv[1]!;
    if (hold) holdKey(argv, 1, buf, keyStart, keyEnd);
    else if (key !== DEFERRED_ARG && key.length >= KEY_BYTES_MIN) {
      noteRequestKey(key, buf, keyStart);
    }
    return argv;
  }

  /** Strings 2 to count - 1 into argv, each checked and made. */
  #strings(buf: Uint8Array, argv: string[], count: number, deferAt: number): void {
    const dv = this.#dv;
    const frameEnd = this.#frameEnd;
    const max = this.maxArgLen;
    let pos = this.#pos;
    this.#deferEnd = 0;
    for (let i = 2; i < count; i++) {
      if (pos + 4 > frameEnd) throw new ProtocolError("string header overruns message");
      const len = dv.getUint32(pos, true);
      pos += 4;
      if (len > frameEnd - pos || len > max) this.#refuse(len, frameEnd - pos);
      if (i === deferAt && len >= VALUE_DEFER_MIN) {
        // Made "" here, marked once the frame is checked.
        argv[i] = "";
        this.#deferStart = pos;
        this.#deferEnd = pos + len;
        pos += len;
        continue;
      }
      // shortArgument's cases written out: calling it here cost a ZQUERY ~13 ns.
      argv[i] = len > 2
        ? bytesToBinary(buf, pos, pos + len)
        : len === 1
        ? ONE_BYTE[buf[pos]!]!
        : len === 2
        ? twoBytes(buf[pos]!, buf[pos + 1]!)
        : "";
      pos += len;
    }
    this.#pos = pos;
  }

  /** Bytes needed to complete the frame starting at `start`, if its header is in. */
  expectedLength(buf: Uint8Array, start: number, end: number): number | undefined {
    if (end - start < 4) return undefined;
    return 4 + u32(buf, start);
  }
}

/** Encodes a request (binary-string arguments) as one native frame. */
export function encodeNativeRequest(argv: readonly string[]): Uint8Array {
  let size = 8;
  for (const a of argv) size += 4 + a.length;
  const out = new Uint8Array(size);
  const dv = view(out);
  dv.setUint32(0, size - 4, true);
  dv.setUint32(4, argv.length, true);
  let pos = 8;
  for (const a of argv) {
    dv.setUint32(pos, a.length, true);
    pos = writeBinary(out, pos + 4, a);
  }
  return out;
}

/** A decoded native response value. Strings are binary strings. */
export type NativeValue =
  | { type: "nil" }
  | { type: "err"; code: number; message: string }
  | { type: "str"; value: string }
  | { type: "int"; value: bigint }
  | { type: "dbl"; value: number }
  | { type: "arr"; values: NativeValue[] };

/** Decodes one response frame from buf[start, end). */
export class NativeResponseDecoder {
  consumed = 0;

  decode(buf: Uint8Array, start: number, end: number): NativeValue | undefined {
    this.consumed = 0;
    if (end - start < 4) return undefined;
    const dv = view(buf);
    const msgLen = dv.getUint32(start, true);
    if (msgLen > MAX_MSG_LEN) throw new ProtocolError(`native response too long: ${msgLen}`);
    if (end - start < 4 + msgLen) return undefined;
    const frameEnd = start + 4 + msgLen;
    const [value, pos] = readValue(buf, dv, start + 4, frameEnd, 0);
    if (pos !== frameEnd) throw new ProtocolError("trailing bytes in response");
    this.consumed = 4 + msgLen;
    return value;
  }
}

const MAX_DEPTH = 64;

function readValue(
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  depth: number,
): [NativeValue, number] {
  const need = (n: number) => {
    if (pos + n > end) throw new ProtocolError("value overruns response");
  };
  need(1);
  const tag = buf[pos++];
  switch (tag) {
    case Tag.Nil:
      return [{ type: "nil" }, pos];
    case Tag.Err: {
      need(8);
      const code = dv.getUint32(pos, true);
      const len = dv.getUint32(pos + 4, true);
      pos += 8;
      need(len);
      return [{ type: "err", code, message: bytesToBinary(buf, pos, pos + len) }, pos + len];
    }
    case Tag.Str: {
      need(4);
      const len = dv.getUint32(pos, true);
      pos += 4;
      need(len);
      return [{ type: "str", value: bytesToBinary(buf, pos, pos + len) }, pos + len];
    }
    case Tag.Int:
      need(8);
      return [{ type: "int", value: dv.getBigInt64(pos, true) }, pos + 8];
    case Tag.Dbl:
      need(8);
      return [{ type: "dbl", value: dv.getFloat64(pos, true) }, pos + 8];
    case Tag.Arr: {
      need(4);
      if (depth >= MAX_DEPTH) throw new ProtocolError("response nested too deeply");
      const n = dv.getUint32(pos, true);
      pos += 4;
      // Each element takes at least one byte: reject counts the frame cannot hold.
      if (n > end - pos) throw new ProtocolError("array overruns response");
      const values: NativeValue[] = [];
      for (let i = 0; i < n; i++) {
        const [v, next] = readValue(buf, dv, pos, end, depth + 1);
        values.push(v);
        pos = next;
      }
      return [{ type: "arr", values }, pos];
    }
    default:
      throw new ProtocolError(`unknown response tag ${tag}`);
  }
}
