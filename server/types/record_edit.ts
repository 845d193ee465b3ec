/**
 * Edits of a key-table record already written (laid out as record_format.ts describes; new ones
 * are record_write.ts's): INCRBY's digits of an inline value where it lies, the copy of an inline
 * record into one with room to grow (APPEND, SETRANGE), a boxed record's value swapped in its box
 * (a long string made a ByteString there for the bit commands), SET's and MSET's writes over a
 * value of the same length, and the mark of a record superseded or deleted. KeyTable finds the
 * record and keeps its index, arena and caches; these take the page, the record's offset and
 * where its value starts.
 */
import type { BoxTable } from "./box_table.ts";
import type { BigKeyBox, StoredValue } from "./box_bytes.ts";
import { copyBytes } from "../../protocol/bytes.ts";
import {
  addDigits,
  integerLength,
  readSmallInteger,
  writeInline,
  writeInteger,
} from "./page_bytes.ts";
import { stampAccess } from "./record_access.ts";
import {
  boxIndex,
  FLAG_DEAD,
  FLAG_TIME,
  FLAG_TTL,
  FORM_SHIFT,
  HEADER,
  KIND_BIG_KEY,
  KIND_INLINE,
  KIND_MASK,
  recordSize,
  recordTime,
  setInlineForm,
  TIME_BYTES,
  VALUE_INLINE_MAX,
  writeRoomRecord,
  writeTime,
} from "./record_format.ts";
import { ByteString, StringForm } from "./string.ts";
import type { RedisObject } from "./value.ts";

/**
 * INCRBY's sum of `delta` and the inline value at `start` (`len` bytes) when that is an integer
 * readSmallInteger takes (|delta| < 1e15: the sum is exact); else undefined.
 */
export function integerSum(
  page: Uint8Array,
  start: number,
  len: number,
  delta: number,
): number | undefined {
  const value = readSmallInteger(page, start, len);
  return value === undefined ? undefined : value + delta;
}

/**
 * INCRBY's write of `sum` (integerSum's, of `delta`) over the inline integer at `start` when it has
 * the same `len` digits, as an int-encoded string; false, nothing written, when its length differs.
 * A small increment of a non-negative integer carries through the last digits (addDigits), as
 * Redis edits an int in place.
 */
export function writeSum(
  page: Uint8Array,
  off: number,
  start: number,
  len: number,
  sum: number,
  delta: number,
): boolean {
  if (integerLength(sum) !== len) return false;
  if (sum - delta >= 0 && delta > 0 && delta < 10) addDigits(page, start, len, delta);
  else writeInteger(page, start, sum);
  setInlineForm(page, off, StringForm.Encoded);
  return true;
}

/**
 * The capacity a value growing to `length` moves into: twice its length, as Redis's sdsMakeRoomFor
 * grows greedily (a run of appends then rewrites no record), at most VALUE_INLINE_MAX.
 */
export function grownCapacity(length: number): number {
  return Math.min(2 * length, VALUE_INLINE_MAX);
}

/**
 * Bytes an inline record with room for `capacity` value bytes takes (see writeRoomRecord), with
 * an expiry time after it when `timed`.
 */
export function roomRecordSize(keyLen: number, capacity: number, timed: boolean): number {
  return HEADER + (keyLen < 0x80 ? 1 : 2) + 4 + keyLen + capacity + (timed ? TIME_BYTES : 0);
}

/**
 * Writes at `to` of `target` the inline record at `old` of `page` (its value `len` bytes from
 * `from`, after its key's `keyLen`) again as one with room for `capacity`: same key, LFU counter and TTL flag, stamped as
 * accessed; returns where its value starts.
 */
export function copyToRoom(
  target: Uint8Array,
  to: number,
  page: Uint8Array,
  old: number,
  from: number,
  keyLen: number,
  len: number,
  capacity: number,
): number {
  const at = writeRoomRecord(target, to, keyLen, len, capacity);
  target[to + 4] = page[old + 4]!;
  target[to]! |= page[old]! & (FLAG_TTL | FLAG_TIME);
  if (page[old]! & FLAG_TIME) writeTime(target, at + capacity, recordTime(page, old));
  stampAccess(target, to);
  // The key's bytes and the value's lie together in both records: one copy.
  target.set(page.subarray(from - keyLen, from + len), at - keyLen);
  return at;
}

/** Puts `value` in the box of the boxed or big-key record at `off` (in a big key's holder). */
export function replaceBoxed(
  boxes: BoxTable,
  page: Uint8Array,
  off: number,
  value: StoredValue,
): void {
  const box = boxIndex(page, off);
  const holder = (page[off]! & KIND_MASK) === KIND_BIG_KEY
    ? boxes.values[box] as BigKeyBox
    : undefined;
  if (holder) holder.value = value;
  boxes.set(box, holder ?? value);
}

/**
 * The value of the boxed or big-key record at `off` (of `kind`); a long string becomes a
 * ByteString in place, so later bit commands neither copy nor convert it.
 */
export function boxedBytes(
  boxes: BoxTable,
  page: Uint8Array,
  off: number,
  kind: number,
): ByteString | RedisObject {
  const box = boxIndex(page, off);
  const holder = kind === KIND_BIG_KEY ? boxes.values[box] as BigKeyBox : undefined;
  const stored = (holder ? holder.value : boxes.unbox(box)) as StoredValue;
  if (typeof stored !== "string") return stored;
  const converted = ByteString.from(stored);
  replaceBoxed(boxes, page, off, converted);
  return converted;
}

/**
 * set()'s swap of a boxed record's value for `value`: now a string of `form` with TTL flag `ttl`,
 * stamped as accessed.
 */
export function setBoxed(
  boxes: BoxTable,
  page: Uint8Array,
  off: number,
  value: StoredValue,
  form: StringForm,
  ttl: number,
): void {
  replaceBoxed(boxes, page, off, value);
  page[off] = (page[off]! & (KIND_MASK | FLAG_TIME)) | (form << FORM_SHIFT) | ttl;
  stampAccess(page, off);
}

/**
 * SET's write of `value` over the inline value of its length at `at`, as a string of `form`,
 * stamped as accessed.
 */
export function overwriteInline(
  page: Uint8Array,
  off: number,
  at: number,
  value: string | Uint8Array,
  form: StringForm,
): void {
  writeInline(page, at, value);
  setInlineForm(page, off, form);
  stampAccess(page, off);
}

/** MSET's overwriteInline of bytes [from, to) of `bytes` (a request's), as an Encoded string. */
export function overwriteSpan(
  page: Uint8Array,
  off: number,
  at: number,
  bytes: Uint8Array,
  from: number,
  to: number,
): void {
  copyBytes(page, at, bytes, from, to);
  setInlineForm(page, off, StringForm.Encoded);
  stampAccess(page, off);
}

/**
 * Gives the record at `off` of `page` expiry time `when` and FLAG_TTL: in place when it ends with a
 * time (FLAG_TIME); else false, for the caller to move it (copyWithTime).
 */
export function setTimeInPlace(page: Uint8Array, off: number, when: number): boolean {
  if ((page[off]! & FLAG_TIME) === 0) return false;
  writeTime(page, off + recordSize(page, off) - TIME_BYTES, when);
  page[off]! |= FLAG_TTL;
  return true;
}

/**
 * Copies the record at `off` of `page` (`size` bytes, no time) to `to` of `target` with expiry time
 * `when` after it and FLAG_TIME and FLAG_TTL set; marks the old one dead, its box kept.
 */
export function copyWithTime(
  target: Uint8Array,
  to: number,
  page: Uint8Array,
  off: number,
  size: number,
  when: number,
): void {
  target.set(page.subarray(off, off + size), to);
  target[to]! |= FLAG_TIME | FLAG_TTL;
  writeTime(target, to + size, when);
  page[off]! |= FLAG_DEAD;
}

/** Marks the record at `off` dead (superseded or deleted) and frees its box; returns its size. */
export function releaseRecord(boxes: BoxTable, page: Uint8Array, off: number): number {
  if ((page[off]! & KIND_MASK) !== KIND_INLINE) boxes.free(boxIndex(page, off));
  page[off]! |= FLAG_DEAD;
  return recordSize(page, off);
}
