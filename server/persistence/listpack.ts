/**
 * Listpacks, Redis 7's compact encoding for small hashes and sorted sets and
 * for the nodes of a list's quicklist:
 *
 *   u32 total bytes | u16 element count (65535: count unknown) | entries | 0xFF
 *
 * Each entry is an encoding byte (small uint, 13/16/24/32/64-bit int, or a
 * string with a 6, 12 or 32-bit length), its data, then a 1-5 byte
 * "backlen" so the list can be walked backwards. Integers read back as their
 * decimal text, which is what Redis stored them from.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { check } from "./format_error.ts";

const HEADER_SIZE = 6;
const EOF = 0xff;

/** The elements of a listpack, as binary strings. Throws FormatError if malformed. */
export function decodeListpack(lp: Uint8Array): string[] {
  check(lp.length >= HEADER_SIZE + 1, "listpack too short");
  const view = new DataView(lp.buffer, lp.byteOffset, lp.byteLength);
  check(view.getUint32(0, true) === lp.length, "listpack size mismatch");
  const declared = view.getUint16(4, true);
  const out: string[] = [];
  let p = HEADER_SIZE;
  const end = lp.length - 1;
  while (p < end) {
    const b = lp[p]!;
    let entryLen: number;
    if (b < 0x80) {
      out.push(String(b));
      entryLen = 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      check(p + 1 + len <= end, "listpack string past the end");
      out.push(bytesToBinary(lp, p + 1, p + 1 + len));
      entryLen = 1 + len;
    } else if ((b & 0xe0) === 0xc0) {
      check(p + 2 <= end, "listpack int past the end");
      const raw = ((b & 0x1f) << 8) | lp[p + 1]!;
      out.push(String(raw >= 4096 ? raw - 8192 : raw));
      entryLen = 2;
    } else if ((b & 0xf0) === 0xe0) {
      check(p + 2 <= end, "listpack string past the end");
      const len = ((b & 0x0f) << 8) | lp[p + 1]!;
      check(p + 2 + len <= end, "listpack string past the end");
      out.push(bytesToBinary(lp, p + 2, p + 2 + len));
      entryLen = 2 + len;
    } else {
      switch (b) {
        case 0xf0: {
          check(p + 5 <= end, "listpack string past the end");
          const len = view.getUint32(p + 1, true);
          check(p + 5 + len <= end, "listpack string past the end");
          out.push(bytesToBinary(lp, p + 5, p + 5 + len));
          entryLen = 5 + len;
          break;
        }
        case 0xf1:
          check(p + 3 <= end, "listpack int past the end");
          out.push(String(view.getInt16(p + 1, true)));
          entryLen = 3;
          break;
        case 0xf2: {
          check(p + 4 <= end, "listpack int past the end");
          const raw = lp[p + 1]! | (lp[p + 2]! << 8) | (lp[p + 3]! << 16);
          out.push(String((raw << 8) >> 8));
          entryLen = 4;
          break;
        }
        case 0xf3:
          check(p + 5 <= end, "listpack int past the end");
          out.push(String(view.getInt32(p + 1, true)));
          entryLen = 5;
          break;
        case 0xf4:
          check(p + 9 <= end, "listpack int past the end");
          out.push(String(view.getBigInt64(p + 1, true)));
          entryLen = 9;
          break;
        default:
          check(false, `listpack bad encoding byte ${b}`);
      }
    }
    p += entryLen + backlenSize(entryLen);
  }
  check(p === end && lp[end] === EOF, "listpack not terminated");
  check(declared === 0xffff || declared === out.length, "listpack count mismatch");
  return out;
}

function backlenSize(len: number): number {
  return len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5;
}

/**
 * The integer a string stands for if Redis would store it as one (canonical
 * decimal, int64 range: no sign on zero, no leading zeros), else undefined.
 * Within ±2^53 as a number, beyond that as a bigint.
 */
export function canonicalInteger(s: string): number | bigint | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === len) return undefined;
  const first = s.charCodeAt(i);
  if (first === 48) return len === 1 ? 0 : undefined;
  if (first < 49 || first > 57) return undefined;
  for (i++; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (len < 16) return Number(s);
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined;
  return big;
}

/** Builds one listpack, appending elements as Redis's lpAppend encodes them. */
export class ListpackBuilder {
  #buf = new Uint8Array(256);
  #pos = HEADER_SIZE;
  count = 0;

  /** Bytes used so far, including the header and the end byte to come. */
  get size(): number {
    return this.#pos + 1;
  }

  append(s: string): void {
    const int = canonicalInteger(s);
    this.#ensure(s.length + 11);
    const start = this.#pos;
    let p = start;
    const buf = this.#buf;
    if (int !== undefined) {
      p = encodeInteger(buf, p, int);
    } else if (s.length < 64) {
      buf[p++] = 0x80 | s.length;
      p = writeBinary(buf, p, s);
    } else if (s.length < 4096) {
      buf[p++] = 0xe0 | (s.length >> 8);
      buf[p++] = s.length & 0xff;
      p = writeBinary(buf, p, s);
    } else {
      buf[p++] = 0xf0;
      new DataView(buf.buffer).setUint32(p, s.length, true);
      p = writeBinary(buf, p + 4, s);
    }
    this.#pos = writeBacklen(buf, p, p - start);
    this.count++;
  }

  /** The finished listpack (the builder must not be reused). */
  finish(): Uint8Array {
    this.#ensure(1);
    this.#buf[this.#pos++] = EOF;
    const view = new DataView(this.#buf.buffer);
    view.setUint32(0, this.#pos, true);
    view.setUint16(4, Math.min(this.count, 0xffff), true);
    return this.#buf.subarray(0, this.#pos);
  }

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }
}

function encodeInteger(buf: Uint8Array, p: number, int: number | bigint): number {
  if (typeof int === "bigint" || int < -2147483648 || int > 2147483647) {
    buf[p] = 0xf4;
    new DataView(buf.buffer).setBigInt64(p + 1, BigInt(int), true);
    return p + 9;
  }
  const v = int;
  if (v >= 0 && v <= 127) {
    buf[p] = v;
    return p + 1;
  }
  if (v >= -4096 && v <= 4095) {
    const u = v < 0 ? v + 8192 : v;
    buf[p] = 0xc0 | (u >> 8);
    buf[p + 1] = u & 0xff;
    return p + 2;
  }
  const width = v >= -32768 && v <= 32767 ? 2 : v >= -8388608 && v <= 8388607 ? 3 : 4;
  buf[p] = width === 2 ? 0xf1 : width === 3 ? 0xf2 : 0xf3;
  for (let i = 0; i < width; i++) buf[p + 1 + i] = (v >> (8 * i)) & 0xff;
  return p + 1 + width;
}

/** Writes the entry length `len` as Redis's reversed 7-bit backlen. */
function writeBacklen(buf: Uint8Array, p: number, len: number): number {
  const size = backlenSize(len);
  for (let i = size - 1; i >= 0; i--) {
    const group = Math.floor(len / 2 ** (7 * i)) & 127;
    buf[p++] = i === size - 1 ? group : group | 128;
  }
  return p;
}

/** Bytes an integer element takes in a listpack, backlen included. */
export function listpackIntSize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  return v >= -2147483648 && v <= 2147483647 ? 6 : 10;
}

/** Bytes the element `s` takes in a listpack (as ListpackBuilder encodes it). */
export function listpackElementSize(s: string): number {
  const int = canonicalInteger(s);
  if (int !== undefined) return typeof int === "bigint" ? 10 : listpackIntSize(int);
  const len = s.length + (s.length < 64 ? 1 : s.length < 4096 ? 2 : 5);
  return len + backlenSize(len);
}
