/**
 * Set intersection by walking buckets side by side, for SINTER, SINTERCARD
 * and SINTERSTORE. Every packed dict places a field by the same hash: in
 * bucket `hash & (n - 1)` of its n buckets, tagged with `hash >>> 24`. So a
 * member found in bucket i of a table of n buckets can only be, in a table
 * of m <= n buckets, in bucket `i & (m - 1)` under the same tag: no member
 * is hashed, or made a string, to be looked up (the lookups were ~80 ns a
 * member against Redis's ~30).
 */
import { PackedReader } from "./packed_record.ts";
import type { RedisSet } from "./set.ts";

const reader = new PackedReader();

/** Visits one common member: its bytes are `bucket[start, start + length)`; false stops the walk. */
export type CommonVisitor = (bucket: string, start: number, length: number) => boolean;

/**
 * Calls `visit` for each member of `first` that every set of `others` holds,
 * in `first`'s iteration order. Returns false, having visited nothing, when
 * the walk does not apply (a resize under way, members kept outside the
 * buckets, or another set with more buckets than `first`): then look up.
 */
export function visitCommon(first: RedisSet, others: RedisSet[], visit: CommonVisitor): boolean {
  const buckets = first.plainBuckets;
  if (buckets === undefined) return false;
  const tables: (readonly string[])[] = [];
  for (const other of others) {
    const table = other.plainBuckets;
    if (table === undefined || table.length > buckets.length) return false;
    if (other !== first) tables.push(table);
  }
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    let p = 0;
    while (p < bucket.length) {
      const tag = bucket.charCodeAt(p);
      reader.pos = p + 1;
      const length = reader.readLength(bucket);
      const start = reader.pos;
      p = start + length;
      if (inEveryTable(tables, i, tag, bucket, start, length) && !visit(bucket, start, length)) {
        return true;
      }
    }
  }
  return true;
}

function inEveryTable(
  tables: (readonly string[])[],
  index: number,
  tag: number,
  s: string,
  start: number,
  length: number,
): boolean {
  for (const table of tables) {
    if (!bucketHolds(table[index & (table.length - 1)]!, tag, s, start, length)) return false;
  }
  return true;
}

/** Whether a set's bucket holds an entry tagged `tag` whose bytes are `s[start, start + length)`. */
function bucketHolds(bucket: string, tag: number, s: string, start: number, length: number) {
  let p = 0;
  while (p < bucket.length) {
    const entryTag = bucket.charCodeAt(p);
    let entryLength = bucket.charCodeAt(p + 1);
    if (entryLength < 0x80) {
      p += 2;
    } else {
      reader.pos = p + 1;
      entryLength = reader.readLength(bucket);
      p = reader.pos;
    }
    if (entryTag === tag && entryLength === length && sameSlice(bucket, p, s, start, length)) {
      return true;
    }
    p += entryLength;
  }
  return false;
}

function sameSlice(a: string, aStart: number, b: string, bStart: number, length: number) {
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  }
  return true;
}
