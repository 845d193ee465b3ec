/** Byte-level reads and writes on the key table's arena pages. */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";

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
  if (len === 0 || len > 15) return undefined;
  const end = start + len;
  let p = start;
  const negative = page[p] === 45;
  if (negative) p++;
  if (p === end || (page[p] === 48 && (negative || len > 1))) return undefined;
  let v = 0;
  for (; p < end; p++) {
    const d = page[p]! - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** How many characters a safe integer takes in decimal. */
export function integerLength(v: number): number {
  let n = v < 0 ? -v : v;
  let len = v < 0 ? 2 : 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    len++;
  }
  return len;
}

/** Writes a safe integer's `len` (its integerLength) decimal characters at `start`. */
export function writeInteger(page: Uint8Array, start: number, len: number, v: number): void {
  let n = v < 0 ? -v : v;
  let p = start + len;
  do {
    const q = Math.floor(n / 10);
    page[--p] = 48 + n - q * 10;
    n = q;
  } while (n !== 0);
  if (v < 0) page[start] = 45;
}
