/**
 * The layout of a key-table record (see keytable.ts), and the reads of it
 * that need nothing but its page and offset.
 *
 *     0      flags: kind (inline, boxed, big key), dead bit, StringForm, room, TTL
 *     1..3   last access, seconds mod 2^24 (Redis's 24-bit LRU clock)
 *     4      LFU counter
 *     5..    key length (1-2 byte varint), then value length (varint, inline)
 *            or box index (u32, boxed); big keys have only the box index;
 *            an inline record with FLAG_ROOM has its value length in 2 bytes
 *            and its capacity (2 bytes, the same varint) after it
 *     ...    key bytes, then value bytes (inline), then any room
 */
import type { StoredValue } from "./box_bytes.ts";

/** Longest key kept inline (a 2-byte varint); longer keys are boxed with their value. */
export const INLINE_MAX = 1024;
/**
 * Longest string value kept inline (a 2-byte varint holds up to 32,767):
 * Redis's 16 KB read buffer (PROTO_IOBUF_LEN). A value held as a JS string
 * in a box was decoded from the request, kept alive into V8's old space
 * (garbage for the collector once overwritten) and encoded back for each
 * GET; inline, SET copies the request's bytes into the page (in place when
 * the length is unchanged) and GET copies them out. Per value it also
 * saves the box and the string's header.
 */
export const VALUE_INLINE_MAX = 16 * 1024;

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
/**
 * On an inline record: it has room for a value of its capacity, which an
 * edit (APPEND, SETRANGE) grows into without writing a new record.
 */
export const FLAG_ROOM = 32;

/**
 * The key has a TTL (an entry in its database's expires table, kept by server/db.ts): a lookup
 * from a request's bytes of a key without one skips the table and the key's string. A rewrite
 * of the key's record keeps it unless the write clears the TTL (KeyTable.set).
 */
export const FLAG_TTL = 64;

/**
 * The record ends with an expiry time (TIME_BYTES, a float64 of ms, after its value and any room):
 * written by the first TTL its key gets (KeyTable.setTime), carried by rewrites that keep the TTL.
 * While FLAG_TTL is set it is the key's expiry time (the expires table keeps which keys have one,
 * not their times), and a lookup's expiry check reads it here, beside the record the probe just
 * found, instead of probing the expires table by the key's string (GET and TTL over 100k volatile
 * keys: a third of their time). A record that has the bytes keeps the flag (recordSize counts them).
 */
export const FLAG_TIME = 128;
export const TIME_BYTES = 8;

const timeScratch = new Float64Array(1);
const timeBytes = new Uint8Array(timeScratch.buffer);

/** The expiry time a record with FLAG_TIME ends with. */
export function recordTime(page: Uint8Array, off: number): number {
  const at = off + recordSize(page, off) - TIME_BYTES;
  for (let i = 0; i < TIME_BYTES; i++) timeBytes[i] = page[at + i]!;
  return timeScratch[0]!;
}

/** Writes `when` as a record's expiry time at `at` (its last TIME_BYTES). */
export function writeTime(page: Uint8Array, at: number, when: number): void {
  timeScratch[0] = when;
  for (let i = 0; i < TIME_BYTES; i++) page[at + i] = timeBytes[i]!;
}

/** Marks the inline record at `off` as holding a string of `form`, keeping its room and TTL flags. */
export function setInlineForm(page: Uint8Array, off: number, form: number): void {
  page[off] = (page[off]! & (FLAG_ROOM | FLAG_TTL | FLAG_TIME)) | KIND_INLINE |
    (form << FORM_SHIFT);
}

/** The box index of a boxed or big-key record. */
export function boxIndex(page: Uint8Array, off: number): number {
  let p = off + HEADER;
  if ((page[off]! & KIND_MASK) !== KIND_BIG_KEY) p += page[p]! & 0x80 ? 2 : 1;
  return (page[p]! | (page[p + 1]! << 8) | (page[p + 2]! << 16) | (page[p + 3]! << 24)) >>> 0;
}

/** Bytes the record at `off` occupies. */
export function recordSize(page: Uint8Array, off: number): number {
  const flags = page[off]!;
  const time = flags & FLAG_TIME ? TIME_BYTES : 0;
  const kind = flags & KIND_MASK;
  if (kind === KIND_BIG_KEY) return HEADER + 4 + time;
  let p = off + HEADER;
  let keyLen = page[p++]!;
  if (keyLen & 0x80) keyLen = (keyLen & 0x7f) | (page[p++]! << 7);
  if (kind === KIND_BOXED) return p + 4 + keyLen - off + time;
  let len = page[p++]!;
  if (len & 0x80) len = (len & 0x7f) | (page[p++]! << 7);
  if (flags & FLAG_ROOM) {
    // The capacity, after the length, is what the record holds.
    len = readVarint2(page, p);
    p += 2;
  }
  return p + keyLen + len - off + time;
}

/** A length written in two bytes as records write lengths of 128 and more (writeVarint2). */
export function readVarint2(page: Uint8Array, p: number): number {
  return (page[p]! & 0x7f) | (page[p + 1]! << 7);
}

/** Writes `n` (under 2^15) in two bytes, whatever its size: a length that can grow in place. */
export function writeVarint2(page: Uint8Array, p: number, n: number): void {
  page[p] = (n & 0x7f) | 0x80;
  page[p + 1] = n >>> 7;
}

/**
 * Writes an inline record with FLAG_ROOM for a key of `keyLen` bytes (at most
 * INLINE_MAX), its value `len` bytes long in room for `capacity`, all but the
 * access stamp and the key's and value's bytes; returns where the value starts.
 */
export function writeRoomRecord(
  page: Uint8Array,
  off: number,
  keyLen: number,
  len: number,
  capacity: number,
): number {
  page[off] = KIND_INLINE | FLAG_ROOM;
  let p = off + HEADER;
  if (keyLen < 0x80) page[p++] = keyLen;
  else {
    writeVarint2(page, p, keyLen);
    p += 2;
  }
  writeVarint2(page, p, len);
  writeVarint2(page, p + 2, capacity);
  return p + 4 + keyLen;
}

/** Whether a value is stored inline: a string, or a string's bytes, of at most VALUE_INLINE_MAX. */
export function isShortString(value: StoredValue | Uint8Array): value is string | Uint8Array {
  return (typeof value === "string" || value instanceof Uint8Array) &&
    value.length <= VALUE_INLINE_MAX;
}
