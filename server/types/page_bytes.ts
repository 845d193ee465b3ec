/** Byte-level reads and writes on the key table's arena pages. */
import {
  bytesToBinary,
  decimalLength,
  parseDecimal,
  requestKey,
  writeBinary,
  writeDecimal,
} from "../../protocol/bytes.ts";

/**
 * Where a stored value's bytes lie: [start, end) of a page. The key table
 * hands out one such view, good until it next changes, so that a reply
 * copies the bytes without a string built and encoded back.
 */
export class PageBytes {
  page: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;

  /** Points this view at `page[start, end)`; returns it. */
  at(page: Uint8Array, start: number, end: number): this {
    this.page = page;
    this.start = start;
    this.end = end;
    return this;
  }
}

/** A key given as its bytes, [start, end) of `bytes` (a request's: protocol/bytes.ts, HeldKey). */
export interface KeyBytes {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  /** The key's string, made when something needs it (the same one each call). */
  string(): string;
}

/** Bytes as a binary string. */
export function pageString(page: Uint8Array, start: number, end: number): string {
  return bytesToBinary(page, start, end);
}

/** A string value into a record: a binary string, or its bytes as they are. */
export function writeInline(page: Uint8Array, p: number, value: string | Uint8Array): void {
  if (typeof value === "string") writeBinary(page, p, value);
  else page.set(value, p);
}

/**
 * Returns an array's memory to the allocator now rather than at the next
 * garbage collection, which may be long in coming on an idle server:
 * detaching an ArrayBuffer frees its backing store at once.
 */
export function free(array: Uint8Array | Uint32Array): void {
  // The key table makes its arrays over plain ArrayBuffers, never shared ones.
  (array.buffer as ArrayBuffer).transfer(0);
}

/** A length as the records store it: one byte below 128, else two (7 bits, then the rest). */
export function writeVarint(page: Uint8Array, p: number, n: number): number {
  if (n < 0x80) {
    page[p] = n;
    return p + 1;
  }
  page[p] = (n & 0x7f) | 0x80;
  page[p + 1] = n >>> 7;
  return p + 2;
}

/** A little-endian u32 (a box index). */
export function writeU32(page: Uint8Array, p: number, n: number): void {
  page[p] = n;
  page[p + 1] = n >>> 8;
  page[p + 2] = n >>> 16;
  page[p + 3] = n >>> 24;
}

/**
 * The integer written in page[start, start + len) when it is one Redis's
 * string2ll takes (no sign but a leading "-", no leading zeros, no "-0") and
 * has at most 15 characters (so sums with another such stay exact); else undefined.
 */
export function readSmallInteger(page: Uint8Array, start: number, len: number): number | undefined {
  return len <= 15 ? parseDecimal(page, start, start + len) : undefined;
}

/** How many characters a safe integer takes in decimal. */
export function integerLength(v: number): number {
  return v < 0 ? 1 + decimalLength(-v) : decimalLength(v);
}

/** Writes a safe integer's decimal characters (integerLength of them) at `start`. */
export function writeInteger(page: Uint8Array, start: number, v: number): void {
  if (v >= 0) return void writeDecimal(page, start, v);
  page[start] = 45; // -
  writeDecimal(page, start + 1, -v);
}

/**
 * Whether page[p, p + s.length) holds binary string `s`. Four chars a step,
 * their differences or'ed: each charCodeAt checks the string's form, and one
 * branch per four halves the loop's cost (a 20-byte key: ~49 → ~35 ns).
 */
export function sameBytes(page: Uint8Array, p: number, s: string): boolean {
  // The request's key is compared with the bytes it was made from (bytes.ts, requestKey).
  if (s === requestKey.key) return sameSpan(page, p, requestKey.bytes, requestKey.start, s.length);
  const len = s.length;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const q = p + i;
    if (
      (page[q]! ^ s.charCodeAt(i)) | (page[q + 1]! ^ s.charCodeAt(i + 1)) |
      (page[q + 2]! ^ s.charCodeAt(i + 2)) | (page[q + 3]! ^ s.charCodeAt(i + 3))
    ) return false;
  }
  for (; i < len; i++) if (page[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Whether page[p, p + len) holds the same bytes as from[start, start + len).
 * Four bytes a step, compared as one word: one branch per four.
 */
export function sameSpan(
  page: Uint8Array,
  p: number,
  from: Uint8Array,
  start: number,
  len: number,
): boolean {
  let i = 0;
  // `i < last`, not `i + 4 <= len`: a bound the compiler sees spares an overflow check a step.
  const last = len - 3;
  while (i < last) {
    const a = p + i;
    const b = start + i;
    if (
      (page[a]! | (page[a + 1]! << 8) | (page[a + 2]! << 16) | (page[a + 3]! << 24)) !==
        (from[b]! | (from[b + 1]! << 8) | (from[b + 2]! << 16) | (from[b + 3]! << 24))
    ) return false;
    i += 4;
  }
  for (; i < len; i++) if (page[p + i] !== from[start + i]) return false;
  return true;
}

/**
 * INCR's write: adds 0 < delta < 10 to the non-negative integer written in
 * page[start, start + len), in place, carrying from the last digit, when the
 * sum keeps its length (the caller knows). One or two bytes change, against
 * writeInteger's digits all formatted again.
 */
export function addDigits(page: Uint8Array, start: number, len: number, delta: number): void {
  let p = start + len - 1;
  let d = page[p]! - 48 + delta;
  while (d > 9) {
    page[p--] = 38 + d; // 48 + d - 10
    d = page[p]! - 47; // the digit + 1
  }
  page[p] = 48 + d;
}
