/** Byte-level reads and writes on the key table's arena pages. */
import { bytesToBinary } from "../../protocol/bytes.ts";

/** Bytes as a binary string. */
export function pageString(page: Uint8Array, start: number, end: number): string {
  return bytesToBinary(page, start, end);
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

const encoder = new TextEncoder();
/** ASCII bytes are their own UTF-8, and decoding them is ~10x faster than fromCharCode. */
const asciiDecoder = new TextDecoder();
/** Below this, a loop beats encodeInto's call and view. */
const ENCODE_MIN = 64;

/**
 * Writes binary string `s` at `p`; true if it took the ASCII path. encodeInto copies ASCII ~10x faster than a
 * charCodeAt loop (1 KB: 0.3 against 4 us); a string with chars over 0x7f
 * (UTF-8 would widen them) is written again byte by byte.
 */
export function writeChars(page: Uint8Array, p: number, s: string): boolean {
  const n = s.length;
  if (n >= ENCODE_MIN) {
    // Every char read and no more bytes written than chars: all ASCII.
    const { read, written } = encoder.encodeInto(s, page.subarray(p, p + n));
    if (read === n && written === n) return true;
  }
  for (let i = 0; i < n; i++) page[p + i] = s.charCodeAt(i);
  return false;
}

/** Bytes written by writeChars's ASCII path, as a string. */
export function asciiString(page: Uint8Array, start: number, end: number): string {
  return asciiDecoder.decode(page.subarray(start, end));
}
