/**
 * Set intersection by walking buckets side by side, for SINTER, SINTERCARD
 * and SINTERSTORE. Every packed dict places a field by the same hash: in
 * bucket `hash & (n - 1)` of its n buckets, tagged with `hash >>> 24`. So a
 * member found in bucket i of a table of n buckets can only be, in a table
 * of m <= n buckets, in bucket `i & (m - 1)` under the same tag: no member
 * is hashed, or made a string, to be looked up (the lookups were ~80 ns a
 * member against Redis's ~30).
 */
import { afterLength, lengthAt } from "./packed_record.ts";
import type { RedisSet } from "./set.ts";

/** Where the bytes of the entry entryEnd last read begin (past its tag and length). */
let bytesStart = 0;

/** The end of the bucket entry at `p` (its tag byte, its length, its bytes); sets bytesStart. */
function entryEnd(bucket: string, p: number): number {
  // A one-byte length, nearly always, read inline.
  const length = bucket.charCodeAt(p + 1);
  if (length < 0x80) {
    bytesStart = p + 2;
    return p + 2 + length;
  }
  const long = lengthAt(bucket, p + 1);
  bytesStart = afterLength;
  return afterLength + long;
}

/**
 * Visits one common member: its bytes are `bucket[start, start + length)`,
 * its whole entry (tag, length, bytes) starts at `entry`, and `bucket` is
 * bucket `index` of the first set's table; false stops the walk.
 */
export type CommonVisitor = (
  bucket: string,
  start: number,
  length: number,
  entry: number,
  index: number,
) => boolean;

/**
 * The entries of one bucket of another set by tag: where the entry of each
 * tag starts, so that a member of the first set is looked for with one read
 * instead of a walk of the bucket (a bucket of ~6 members is met by ~6 of the
 * first set's, each of which walked it). A tag two entries share sends its
 * lookups back to the walk. Stamps mark the tags of the bucket indexed last,
 * so moving to the next bucket clears nothing.
 */
class TagIndex {
  readonly #stamps = new Int32Array(256);
  readonly #starts = new Int32Array(256);
  #stamp = 0;
  #bucket = "";

  /** Indexes `bucket` unless it is the one indexed last (same content, same index). */
  use(bucket: string): void {
    if (bucket === this.#bucket && this.#stamp !== 0) return;
    this.#bucket = bucket;
    if (++this.#stamp === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    const stamps = this.#stamps;
    const starts = this.#starts;
    let p = 0;
    while (p < bucket.length) {
      const tag = bucket.charCodeAt(p);
      if (stamps[tag] === stamp) starts[tag] = -1;
      else {
        stamps[tag] = stamp;
        starts[tag] = p;
      }
      p = entryEnd(bucket, p);
    }
  }

  /**
   * Whether the indexed bucket holds the entry `s[entry, end)` (tag, length,
   * bytes): entries of one member are the same characters, the length's
   * included, so the bytes after the tag are compared in one loop.
   */
  holds(s: string, entry: number, end: number): boolean {
    const tag = s.charCodeAt(entry);
    if (this.#stamps[tag] !== this.#stamp) return false;
    const bucket = this.#bucket;
    const p = this.#starts[tag]!;
    if (p < 0) return bucketHolds(bucket, s, entry, end);
    return sameSlice(bucket, p + 1, s, entry + 1, end - entry - 1);
  }
}

/** One TagIndex per other set of a walk, kept between walks (up to KEPT_INDEXES of them). */
const indexes: TagIndex[] = [];
const KEPT_INDEXES = 16;
/** The other sets' tables during a walk (tables[k] indexed by indexes[k]): reused, emptied after. */
const tables: (readonly string[])[] = [];
const NO_TABLE: readonly string[] = [];

/**
 * Calls `visit` for each member of `first` that every set of `others` holds,
 * in `first`'s iteration order. Returns false, having visited nothing, when
 * the walk does not apply (a resize under way, members kept outside the
 * buckets, or another set with more buckets than `first`): then look up.
 */
export function visitCommon(first: RedisSet, others: RedisSet[], visit: CommonVisitor): boolean {
  const buckets = first.plainBuckets;
  if (buckets === undefined) return false;
  let n = 0;
  for (const other of others) {
    const table = other.plainBuckets;
    if (table === undefined || table.length > buckets.length) {
      tables.fill(NO_TABLE, 0, n);
      return false;
    }
    if (other !== first) tables[n++] = table;
  }
  while (indexes.length < n) indexes.push(new TagIndex());
  if (n === 1) walkWithOne(buckets, tables[0]!, visit);
  else walkCommon(buckets, n, visit);
  tables.fill(NO_TABLE, 0, n);
  // An intersection of many sets leaves no lasting 2 KB per set, nor a long array.
  if (indexes.length > KEPT_INDEXES) indexes.length = KEPT_INDEXES;
  if (tables.length > KEPT_INDEXES) tables.length = KEPT_INDEXES;
  return true;
}

/** The walk against the first n of `tables`. */
function walkCommon(buckets: readonly string[], n: number, visit: CommonVisitor): void {
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    // Another set's bucket is indexed when a member of this one first needs it.
    let indexed = 0;
    let p = 0;
    while (p < bucket.length) {
      const entry = p;
      p = entryEnd(bucket, p);
      const start = bytesStart;
      let held = true;
      for (let k = 0; k < n; k++) {
        const index = indexes[k]!;
        if (k >= indexed) {
          const table = tables[k]!;
          index.use(table[i & (table.length - 1)]!);
          indexed = k + 1;
        }
        if (!index.holds(bucket, entry, p)) {
          held = false;
          break;
        }
      }
      if (held && !visit(bucket, start, p - start, entry, i)) return;
    }
  }
}

/**
 * walkCommon against one other set (SINTER, SINTERCARD of two keys): a
 * bucket of the first whose counterpart is empty is skipped unread.
 */
function walkWithOne(buckets: readonly string[], table: readonly string[], visit: CommonVisitor) {
  const index = indexes[0]!;
  const mask = table.length - 1;
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    const other = table[i & mask]!;
    if (bucket.length === 0 || other.length === 0) continue;
    index.use(other);
    let p = 0;
    while (p < bucket.length) {
      const entry = p;
      p = entryEnd(bucket, p);
      const start = bytesStart;
      if (index.holds(bucket, entry, p) && !visit(bucket, start, p - start, entry, i)) return;
    }
  }
}

/** Whether a set's bucket holds the entry `s[entry, end)` (TagIndex.holds, for a tag two entries share). */
function bucketHolds(bucket: string, s: string, entry: number, end: number) {
  const tag = s.charCodeAt(entry);
  const size = end - entry;
  let p = 0;
  while (p < bucket.length) {
    const at = p;
    p = entryEnd(bucket, p);
    if (
      bucket.charCodeAt(at) === tag && p - at === size &&
      sameSlice(bucket, at + 1, s, entry + 1, size - 1)
    ) {
      return true;
    }
  }
  return false;
}

function sameSlice(a: string, aStart: number, b: string, bStart: number, length: number) {
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  }
  return true;
}
