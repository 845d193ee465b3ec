/**
 * Writing a new key-table record (laid out as record_format.ts describes)
 * into the arena: inline for a short string value, else a box index into the
 * side table; a key over INLINE_MAX goes whole into a big-key box.
 */
import type { Arena } from "./arena.ts";
import { OFFSET_MASK, PAGE_BITS } from "./arena.ts";
import type { BoxTable } from "./box_table.ts";
import type { StoredValue } from "./box_bytes.ts";
import { writeInline, writeU32, writeVarint } from "./page_bytes.ts";
import { stampAccess } from "./record_access.ts";
import {
  FLAG_TIME,
  FORM_SHIFT,
  HEADER,
  INLINE_MAX,
  isShortString,
  KIND_BIG_KEY,
  KIND_BOXED,
  KIND_INLINE,
  TIME_BYTES,
  writeTime,
} from "./record_format.ts";
import type { StringForm } from "./string.ts";

/** Writes a new record for key/value, ending with expiry time `time` if given; returns its ref. */
export function writeRecord(
  arena: Arena,
  boxes: BoxTable,
  key: string,
  value: StoredValue | Uint8Array,
  form: StringForm,
  counter: number,
  time?: number,
): number {
  const timed = time !== undefined;
  const formBits = (form << FORM_SHIFT) | (timed ? FLAG_TIME : 0);
  const timeBytes = timed ? TIME_BYTES : 0;
  if (key.length > INLINE_MAX) {
    // setBytes passes no bytes with a long key.
    const box = boxes.add({ key, value: value as StoredValue });
    const ref = arena.reserve(HEADER + 4 + timeBytes);
    const page = arena.pages[(ref >>> PAGE_BITS) - 1]!;
    const off = ref & OFFSET_MASK;
    page[off] = KIND_BIG_KEY | formBits;
    page[off + 4] = counter;
    stampAccess(page, off);
    writeU32(page, off + HEADER, box);
    if (timed) writeTime(page, off + HEADER + 4, time);
    return ref;
  }
  const keyLen = key.length;
  const keyLenBytes = keyLen < 0x80 ? 1 : 2;
  const inline = isShortString(value);
  const valueLen = inline ? value.length : 0;
  const size = HEADER + keyLenBytes + (inline ? (valueLen < 0x80 ? 1 : 2) + valueLen : 4) +
    keyLen + timeBytes;
  const ref = arena.reserve(size);
  const page = arena.pages[(ref >>> PAGE_BITS) - 1]!;
  const off = ref & OFFSET_MASK;
  page[off] = (inline ? KIND_INLINE : KIND_BOXED) | formBits;
  page[off + 4] = counter;
  stampAccess(page, off);
  let p = writeVarint(page, off + HEADER, keyLen);
  if (inline) {
    p = writeVarint(page, p, valueLen);
  } else {
    writeU32(page, p, boxes.add(value as StoredValue));
    p += 4;
  }
  for (let i = 0; i < keyLen; i++) page[p + i] = key.charCodeAt(i);
  if (inline) writeInline(page, p + keyLen, value);
  if (timed) writeTime(page, off + size - TIME_BYTES, time);
  return ref;
}
