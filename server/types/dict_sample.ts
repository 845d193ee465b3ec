/**
 * Distinct random members of a small set in one walk (SRANDMEMBER with a
 * count, Redis's "case 4"): when the set holds no more than WALK_FACTOR
 * times the members asked for, marking `count` distinct positions and
 * reading them in one pass of the buckets beats `count` random probes with
 * a Set of strings to drop repeats (each probe walks a bucket, and may miss).
 */
import { PackedReader } from "./packed_record.ts";
import type { RedisSet } from "./set.ts";

/** Set size, in members asked for, up to which a walk is the cheaper way. */
const WALK_FACTOR = 16;

const reader = new PackedReader();
let marks = new Uint8Array(256);

/**
 * Calls `visit` for `count` distinct members of `set`, chosen uniformly, in
 * random order (bucket order would put an intset's smallest picks first, and
 * a client taking the first of a sample would be biased); false, having
 * visited nothing, where a walk does not apply.
 */
export function sampleByWalk(set: RedisSet, count: number, visit: (m: string) => void): boolean {
  const size = set.size();
  const buckets = set.plainBuckets;
  if (buckets === undefined || size > WALK_FACTOR * count || count > size) return false;
  if (marks.length < size) marks = new Uint8Array(size);
  // Floyd's sampling: each `count`-subset of positions equally likely.
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(Math.random() * (j + 1));
    marks[marks[t] === 0 ? t : j] = 1;
  }
  const picked: string[] = [];
  let position = 0;
  let left = count;
  for (let i = 0; left > 0 && i < buckets.length; i++) {
    const bucket = buckets[i]!;
    let p = 0;
    while (p < bucket.length) {
      reader.pos = p + 1;
      const length = reader.readLength(bucket);
      p = reader.pos + length;
      if (marks[position] === 1) {
        marks[position] = 0;
        picked.push(bucket.substring(reader.pos, p));
        left--;
      }
      position++;
    }
  }
  for (let i = picked.length - 1; i >= 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    visit(picked[j]!);
    picked[j] = picked[i]!;
  }
  return true;
}
