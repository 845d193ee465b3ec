/**
 * The layout of a key-table record (see keytable.ts), and the reads of it
 * that need nothing but its page and offset.
 *
 *     0      flags: kind (inline, boxed, big key), dead bit, StringForm
 *     1..3   last access, seconds mod 2^24 (Redis's 24-bit LRU clock)
 *     4      LFU counter
 *     5..    key length (1-2 byte varint), then value length (varint, inline)
 *            or box index (u32, boxed); big keys have only the box index
 *     ...    key bytes, then value bytes (inline)
 */
import type { StoredValue } from "./box_bytes.ts";

/** Longest key and string value kept inline (both fit a 2-byte varint). */
export const INLINE_MAX = 1024;

export const KIND_INLINE = 0;
export const KIND_BOXED = 1;
export const KIND_BIG_KEY = 2;
export const KIND_MASK = 3;
/** Set on a record once deleted or superseded; compaction skips it. */
export const FLAG_DEAD = 4;
/** A string's StringForm, which decides its OBJECT ENCODING. */
export const FORM_SHIFT = 3;
export const FORM_MASK = 3;
export const HEADER = 5;

/** The box index of a boxed or big-key record. */
export function boxIndex(page: Uint8Array, off: number): number {
  let p = off + HEADER;
  if ((page[off]! & KIND_MASK) !== KIND_BIG_KEY) p += page[p]! & 0x80 ? 2 : 1;
  return (page[p]! | (page[p + 1]! << 8) | (page[p + 2]! << 16) | (page[p + 3]! << 24)) >>> 0;
}

/** Bytes the record at `off` occupies. */
export function recordSize(page: Uint8Array, off: number): number {
  const kind = page[off]! & KIND_MASK;
  if (kind === KIND_BIG_KEY) return HEADER + 4;
  let p = off + HEADER;
  let keyLen = page[p++]!;
  if (keyLen & 0x80) keyLen = (keyLen & 0x7f) | (page[p++]! << 7);
  if (kind === KIND_BOXED) return p + 4 + keyLen - off;
  let len = page[p++]!;
  if (len & 0x80) len = (len & 0x7f) | (page[p++]! << 7);
  return p + keyLen + len - off;
}

/** Whether a value is stored inline: a string, or a string's bytes, of at most INLINE_MAX. */
export function isShortString(value: StoredValue | Uint8Array): value is string | Uint8Array {
  return (typeof value === "string" || value instanceof Uint8Array) && value.length <= INLINE_MAX;
}
