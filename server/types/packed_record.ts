/**
 * The record format every packed collection shares (packed dicts, small
 * lists, small sorted sets): each part is a varint length, then its bytes,
 * all in one string, so a small collection is one V8 string and no objects.
 */
import { ONE_BYTE } from "../../protocol/short_strings.ts";

/**
 * What a small collection's one packed string holds, for the key table that
 * keeps it without its object (packed_value.ts); -1 where a value is not one.
 */
export const enum PackedKind {
  NotPackable = -1,
  HashListpack = 0,
  HashTable = 1,
  SetIntset = 2,
  SetTable = 3,
  SortedSet = 4,
  List = 5,
  Stream = 6,
}

/** Every one-byte string, made once (tags and short length prefixes): the decoders' table. */
export const ONE_BYTE_STRINGS = ONE_BYTE;

/** The varint length prefix of an entry part. */
export function lengthPrefix(n: number): string {
  if (n < 0x80) return ONE_BYTE_STRINGS[n]!;
  let s = "";
  while (n >= 0x80) {
    s += String.fromCharCode((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return s + String.fromCharCode(n);
}

let flattenSink = 0;

/**
 * `s`, built with `+`, made one flat string before it is stored. V8 keeps
 * `a + b` as a tree of 32-byte nodes, which it never collapses in old space
 * (each read a walk); reading a char flattens the tree while it is young,
 * and the next scavenge drops the node, so what reaches old space is one
 * sequential string. Cheaper than Array.prototype.join: measured 70 ns
 * against 105-130 ns to rebuild a 150-byte bucket.
 */
export function flat(s: string): string {
  // Stored, so that the optimizing compiler cannot drop the read.
  flattenSink ^= s.charCodeAt(0);
  return s;
}

/**
 * Reads packed strings of `len part` records. `pos` is the offset after the
 * last `readLength`, so a scan over a packed string allocates nothing.
 */
export class PackedReader {
  pos = 0;

  readLength(s: string): number {
    let c = s.charCodeAt(this.pos++);
    if (c < 0x80) return c;
    let len = c & 0x7f;
    let scale = 0x80;
    do {
      c = s.charCodeAt(this.pos++);
      len += (c & 0x7f) * scale;
      scale *= 0x80;
    } while (c >= 0x80);
    return len;
  }

  /** Steps over one `len part` record. */
  skipPart(s: string): void {
    const len = this.readLength(s);
    this.pos += len;
  }
}

/** Where the length lengthAt read ends: the first byte after it. */
export let afterLength = 0;
const lengthReader = new PackedReader();

/**
 * The length (a varint) at `p` of a packed string, setting afterLength. It
 * is one byte nearly always, read inline where a walk is hot; a longer one
 * goes through PackedReader.
 */
export function lengthAt(s: string, p: number): number {
  const length = s.charCodeAt(p);
  if (length < 0x80) {
    afterLength = p + 1;
    return length;
  }
  lengthReader.pos = p;
  const long = lengthReader.readLength(s);
  afterLength = lengthReader.pos;
  return long;
}

/** Fields up to this long are compared char by char; longer ones as a substring. */
const SHORT_FIELD = 4;

/**
 * Whether `s` holds `field` at `start`. From the last char first: fields
 * often share a prefix ("user:1", "user:2"). A short one char by char; a
 * longer one as a substring: string equality compares flat strings
 * natively several bytes a step, where startsWith, indexOf or charCodeAt
 * read a char at a time (20 chars: ~26 ns against ~53 for a char loop,
 * ~26-38 for indexOf; 3 chars: the loop 7 ns against 12).
 */
export function sameChars(s: string, start: number, field: string): boolean {
  const length = field.length;
  if (length > SHORT_FIELD) {
    return s.charCodeAt(start + length - 1) === field.charCodeAt(length - 1) &&
      s.slice(start, start + length) === field;
  }
  for (let i = length - 1; i >= 0; i--) {
    if (s.charCodeAt(start + i) !== field.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Whether `s` holds bytes [start, start + length) of `bytes` at `at`, from
 * the last char first as sameChars (a request's member, no string made:
 * 20 bytes ~19 ns against ~23 for sameChars and ~36 to make the string).
 */
export function sameBytes(
  s: string,
  at: number,
  bytes: Uint8Array,
  start: number,
  length: number,
): boolean {
  for (let i = length - 1; i >= 0; i--) {
    if (s.charCodeAt(at + i) !== bytes[start + i]) return false;
  }
  return true;
}

/**
 * lengthPrefix(n) with its bytes in reverse order: written after a record,
 * it reads back from the record's end (readBackLength), as a listpack's
 * backlen does, so packed lists and sorted sets are walked from the tail.
 */
export function backLengthPrefix(n: number): string {
  if (n < 0x80) return ONE_BYTE_STRINGS[n]!;
  const prefix = lengthPrefix(n);
  let back = "";
  for (let i = prefix.length - 1; i >= 0; i--) back += prefix[i];
  return back;
}

/** Bytes the last readBackLength read. */
export let backLengthBytes = 0;

/** The length whose backLengthPrefix ends at `end` in `s` (its size left in backLengthBytes). */
export function readBackLength(s: string, end: number): number {
  let c = s.charCodeAt(end - 1);
  let length = c & 0x7f;
  let bytes = 1;
  for (let scale = 0x80; c >= 0x80; scale *= 0x80) {
    c = s.charCodeAt(end - 1 - bytes++);
    length += (c & 0x7f) * scale;
  }
  backLengthBytes = bytes;
  return length;
}

/** Bytes taken by the varint prefix of a length. */
export function prefixLength(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** Calls `visit` for each entry of a dict bucket (PackedDict.visitBucket); returns how many. */
export function visitEntries(
  bucket: string,
  withValues: boolean,
  visit: (field: string, value: string) => void,
): number {
  let entries = 0;
  const r = new PackedReader();
  while (r.pos < bucket.length) {
    r.pos++;
    const fieldLength = r.readLength(bucket);
    const field = bucket.substring(r.pos, r.pos + fieldLength);
    r.pos += fieldLength;
    let value = "";
    if (withValues) {
      const valueLength = r.readLength(bucket);
      value = bucket.substring(r.pos, r.pos + valueLength);
      r.pos += valueLength;
    }
    visit(field, value);
    entries++;
  }
  return entries;
}

/** A dict bucket's entries, decoded. */
export function bucketEntries(
  bucket: string,
  withValues: boolean,
): [field: string, value: string][] {
  const entries: [string, string][] = [];
  visitEntries(bucket, withValues, (field, value) => entries.push([field, value]));
  return entries;
}

/** Where pickEntry found its entry: the field's and the value's bounds. */
export const picked = { fieldStart: 0, fieldLength: 0, valueStart: 0, valueLength: 0 };

/**
 * Walks a dict bucket to entry `j`, recording its bounds in `picked` (when
 * the bucket has one); with `countAll`, on to the end. Returns the entries
 * walked: a random pick counts its bucket and finds its entry in one pass.
 */
export function pickEntry(
  bucket: string,
  j: number,
  withValues: boolean,
  countAll: boolean,
): number {
  let n = 0;
  let p = 0;
  while (p < bucket.length && (countAll || n <= j)) {
    // Past the entry's tag: its field's length.
    const fieldLength = lengthAt(bucket, p + 1);
    p = afterLength;
    if (n === j) {
      picked.fieldStart = p;
      picked.fieldLength = fieldLength;
    }
    p += fieldLength;
    if (withValues) {
      const valueLength = lengthAt(bucket, p);
      p = afterLength;
      if (n === j) {
        picked.valueStart = p;
        picked.valueLength = valueLength;
      }
      p += valueLength;
    }
    n++;
  }
  return n;
}
