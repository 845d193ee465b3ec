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
