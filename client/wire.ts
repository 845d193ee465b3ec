/**
 * `--wire` and `:wire on|off`: each request and reply frame as annotated hex,
 * so one can see how each protocol frames a command. A native frame shows its
 * length prefix, the string count and each string's length and bytes (or a
 * reply's tags); a RESP frame shows each type marker with its length or value.
 *
 *   -> request, native, 22 bytes
 *      12 00 00 00                                       msglen 18
 *      02 00 00 00                                       nstr 2
 *      03 00 00 00                                       len 3
 *      47 45 54                                          "GET"
 *
 * Pure: bytes in, text out (a binary string, lines ending in "\n").
 */
import { bytesToBinary } from "../protocol/bytes.ts";
import type { WireProtocol } from "./connection.ts";
import { quoteString } from "./render.ts";

/** One line of the dump: some bytes of the frame and what they are. */
interface Row {
  start: number;
  end: number;
  note: string;
}

const BYTES_PER_ROW = 16;
/** Bytes of one string shown in full; longer strings show their start and a count of the rest. */
const SHOWN_STRING_BYTES = 64;
const HEX_WIDTH = BYTES_PER_ROW * 3 + 2;

const NATIVE_ERROR_CODES: Record<number, string> = {
  1: "unknown command",
  2: "reply too big",
  3: "wrong type",
  4: "bad argument",
};

const RESP_TYPES: Record<string, string> = {
  "+": "simple string",
  "-": "error",
  ":": "integer",
  "$": "bulk string",
  "*": "array",
  "_": "null",
  ",": "double",
  "#": "boolean",
  "!": "bulk error",
  "=": "verbatim string",
  "(": "big number",
  "%": "map",
  "~": "set",
  ">": "push",
  "|": "attribute",
};

/** Thrown when a frame ends early or holds what its protocol cannot. */
class Malformed extends Error {}

/** Walks a frame, collecting rows. */
class Walker {
  readonly rows: Row[] = [];
  readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number, note: string): number {
    if (this.pos + n > this.bytes.length) throw new Malformed();
    this.rows.push({ start: this.pos, end: this.pos + n, note });
    this.pos += n;
    return this.pos - n;
  }

  u32(note: (n: number) => string): number {
    if (this.pos + 4 > this.bytes.length) throw new Malformed();
    const n = this.view.getUint32(this.pos, true);
    this.take(4, note(n));
    return n;
  }

  /** A string's bytes, quoted as redis-cli quotes strings, and `trailer` more (RESP's CR LF). */
  string(n: number, indent: string, trailer = 0): void {
    if (this.pos + n + trailer > this.bytes.length) throw new Malformed();
    const shown = Math.min(n, SHOWN_STRING_BYTES);
    const text = indent + quoteString(bytesToBinary(this.bytes, this.pos, this.pos + shown)) +
      (shown < n ? "..." : "");
    this.take(n + trailer, trailer > 0 ? text + " CRLF" : text);
  }
}

function nativeRequest(w: Walker): void {
  w.u32((n) => `msglen ${n}`);
  const count = w.u32((n) => `nstr ${n}`);
  for (let i = 0; i < count; i++) w.string(w.u32((n) => `len ${n}`), "");
}

function nativeValue(w: Walker, depth: number): void {
  const tag = w.bytes[w.pos];
  const indent = "  ".repeat(depth);
  switch (tag) {
    case 0:
      w.take(1, `${indent}tag 0 nil`);
      return;
    case 1: {
      w.take(1, `${indent}tag 1 error`);
      w.u32((n) => `${indent}code ${n} (${NATIVE_ERROR_CODES[n] ?? "?"})`);
      w.string(w.u32((n) => `${indent}len ${n}`), indent);
      return;
    }
    case 2:
      w.take(1, `${indent}tag 2 string`);
      w.string(w.u32((n) => `${indent}len ${n}`), indent);
      return;
    case 3:
      w.take(1, `${indent}tag 3 integer`);
      if (w.pos + 8 > w.bytes.length) throw new Malformed();
      w.take(8, `${indent}${w.view.getBigInt64(w.pos, true)}`);
      return;
    case 4:
      w.take(1, `${indent}tag 4 double`);
      if (w.pos + 8 > w.bytes.length) throw new Malformed();
      w.take(8, `${indent}${w.view.getFloat64(w.pos, true)}`);
      return;
    case 5: {
      w.take(1, `${indent}tag 5 array`);
      const count = w.u32((n) => `${indent}count ${n}`);
      for (let i = 0; i < count; i++) nativeValue(w, depth + 1);
      return;
    }
    default:
      throw new Malformed();
  }
}

function nativeReply(w: Walker): void {
  w.u32((n) => `msglen ${n}`);
  nativeValue(w, 0);
}

/** The RESP header or line value starting at w.pos: its text without CR LF. */
function respLine(w: Walker): string {
  const lf = w.bytes.indexOf(10, w.pos);
  if (lf < 0) throw new Malformed();
  const end = w.bytes[lf - 1] === 13 ? lf - 1 : lf;
  return bytesToBinary(w.bytes, w.pos, end);
}

function respValue(w: Walker, depth: number): void {
  const line = respLine(w);
  const marker = line.charAt(0);
  const type = RESP_TYPES[marker];
  if (type === undefined) throw new Malformed();
  const indent = "  ".repeat(depth);
  const lineLength = w.bytes.indexOf(10, w.pos) + 1 - w.pos;
  const body = line.slice(1);
  const n = Number(body);
  switch (marker) {
    case "$":
    case "!":
    case "=":
      if (n < 0) {
        w.take(lineLength, `${indent}${line}  null ${type}`);
        return;
      }
      w.take(lineLength, `${indent}${line}  ${type}, ${plural(n, "byte")}`);
      w.string(n, indent, 2);
      return;
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const what = marker === "%" || marker === "|" ? "pair" : "element";
      if (n < 0) {
        w.take(lineLength, `${indent}${line}  null ${type}`);
        return;
      }
      w.take(lineLength, `${indent}${line}  ${type}, ${plural(n, what)}`);
      const count = what === "pair" ? 2 * n : n;
      for (let i = 0; i < count; i++) respValue(w, depth + 1);
      if (marker === "|") respValue(w, depth);
      return;
    }
    default: {
      const shown = /^[\x20-\x7e]*$/.test(body) ? body : quoteString(body);
      w.take(lineLength, `${indent}${marker}${shown}  ${type}`);
    }
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The rows of a frame; bytes that do not parse become one last row saying so. */
function rowsOf(bytes: Uint8Array, parse: (w: Walker) => void): Row[] {
  const w = new Walker(bytes);
  try {
    parse(w);
    if (w.pos < bytes.length) w.take(bytes.length - w.pos, "(more bytes)");
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    w.rows.push({ start: w.pos, end: bytes.length, note: "(does not parse)" });
  }
  return w.rows;
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  let out = "";
  for (let i = start; i < end; i++) {
    out += (i > start ? " " : "") + bytes[i]!.toString(16).padStart(2, "0");
  }
  return out;
}

/** A row as lines of at most 16 bytes, long strings cut after 64 bytes. */
function formatRow(bytes: Uint8Array, row: Row): string {
  let out = "";
  const shownEnd = Math.min(row.end, row.start + SHOWN_STRING_BYTES);
  for (let at = row.start; at < shownEnd || at === row.start; at += BYTES_PER_ROW) {
    const end = Math.min(at + BYTES_PER_ROW, shownEnd);
    const note = at === row.start ? row.note : "";
    out += ("   " + hex(bytes, at, end).padEnd(HEX_WIDTH) + note).trimEnd() + "\n";
    if (end >= shownEnd) break;
  }
  if (shownEnd < row.end) out += `   ... ${row.end - shownEnd} more bytes\n`;
  return out;
}

/** The annotated dump of one frame, headed by its direction, protocol and size. */
export function formatFrame(
  direction: "request" | "reply",
  protocol: WireProtocol,
  bytes: Uint8Array,
): string {
  const parse = protocol === "resp"
    ? (w: Walker) => respValue(w, 0)
    : direction === "request"
    ? nativeRequest
    : nativeReply;
  const arrow = direction === "request" ? "->" : "<-";
  const name = protocol === "resp" ? "RESP" : "native";
  let out = `${arrow} ${direction}, ${name}, ${bytes.length} bytes\n`;
  for (const row of rowsOf(bytes, parse)) out += formatRow(bytes, row);
  return out;
}
