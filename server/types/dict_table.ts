/**
 * A packed dict's hash table (packed_dict.ts): moving an old bucket's entries
 * while a resize runs, and building one in one pass from the entries of
 * distinct fields (the set commands that store a result).
 */
import { hashString } from "./dict_hash.ts";
import { flat, PackedReader } from "./packed_record.ts";

/** Average entries per bucket above which the table doubles. */
export const MAX_LOAD = 8;
/** Fields or values longer than this are kept out of the packed buckets. */
export const LARGE_ENTRY = 512;

export interface LargeEntry {
  value: string;
  /** Position in LargeEntries.fields. */
  slot: number;
}

/** Entries kept outside the buckets; absent in most dicts. */
export interface LargeEntries {
  map: Map<string, LargeEntry>;
  /** Every large field, for O(1) random picks. */
  fields: string[];
  /** Total length of the fields and values, for memory accounting. */
  chars: number;
}

/** What a dict holds once expanded into a hash table; compact dicts have none of it. */
export class HashTable {
  /** While a resize runs: the table being drained, and how far it is. */
  old: string[] | undefined = undefined;
  rehashIndex = 0;
  large: LargeEntries | undefined = undefined;
  /** Total length of the buckets, for memory accounting. */
  chars = 0;

  constructor(public buckets: string[]) {}
}

/**
 * A dict without values holding distinct fields, from their entries (tag,
 * length, field), entries[k] in bucket at[k] of a table of `tableSize`
 * buckets (or at[k] the field's hash): one string in the given order when
 * `compact` or when it fits one bucket (stored count ~n), else a table sized
 * for them. A walk copies entries from a set's buckets, and a field's bucket
 * in a table of fewer buckets is its bucket there masked, so no field is
 * hashed again. Undefined when they need more than `tableSize` buckets.
 */
export function fillTable(
  entries: readonly string[],
  at: readonly number[],
  tableSize: number,
  compact: boolean,
): { table: string | HashTable; stored: number } | undefined {
  const n = entries.length;
  if (compact || n <= MAX_LOAD) return { table: flat(entries.join("")), stored: compact ? n : ~n };
  let size = 2;
  while (size * MAX_LOAD < n) size *= 2;
  if (size > tableSize) return undefined;
  const parts: string[] = new Array<string>(size).fill("");
  for (let k = 0; k < n; k++) parts[at[k]! & (size - 1)] += entries[k]!;
  const table = new HashTable(parts.map(flat));
  for (const bucket of table.buckets) table.chars += bucket.length;
  return { table, stored: n };
}

/** Adds an entry kept outside the buckets. */
export function addLarge(table: HashTable, field: string, value: string): void {
  const large: LargeEntries = table.large ??= { map: new Map(), fields: [], chars: 0 };
  large.map.set(field, { value, slot: large.fields.length });
  large.fields.push(field);
  large.chars += field.length + value.length;
}

const reader = new PackedReader();
// One old bucket's entries by destination while moveBucket runs: a destination's runs are
// joined with `+` (no flattening) and flattened once into it.
const runTargets: number[] = [];
const runParts: string[] = [];
/** Whether runParts[k] is one run (a substring: see moveBucket). */
const runSingle: boolean[] = [];
let runCount = 0;

/**
 * Moves an old bucket's entries (drained while a resize runs) into table.buckets. They are
 * gathered into runs by destination and each destination is written once, not once per entry
 * (a 6-entry bucket made ~3x its bytes in intermediate strings); a bucket that moves whole into
 * an empty one is kept as it is, not copied (already old: nothing for a scavenge to copy).
 */
export function moveBucket(table: HashTable, bucket: string, withValues: boolean): void {
  const mask = table.buckets.length - 1;
  const r = reader;
  table.chars -= bucket.length;
  let runStart = 0;
  let runTarget = -1;
  r.pos = 0;
  while (r.pos < bucket.length) {
    const at = r.pos++;
    const fieldLength = r.readLength(bucket);
    const field = bucket.substring(r.pos, r.pos + fieldLength);
    r.pos += fieldLength;
    const valueLength = withValues ? r.readLength(bucket) : 0;
    r.pos += valueLength;
    const large = fieldLength > LARGE_ENTRY || valueLength > LARGE_ENTRY;
    const target = large ? -1 : hashString(field) & mask;
    if (target !== runTarget || large) {
      if (runTarget >= 0) addRun(runTarget, bucket, runStart, at);
      runStart = at;
      runTarget = target;
    }
    if (large) {
      // Only from a compact bucket, which keeps large entries inline.
      addLarge(table, field, bucket.substring(r.pos - valueLength, r.pos));
      runStart = r.pos;
    }
  }
  if (runTarget >= 0) addRun(runTarget, bucket, runStart, bucket.length);
  for (let k = 0; k < runCount; k++) storeRun(table, bucket, k);
  runCount = 0;
}

/** Adds bucket[start, end) to the runs for bucket `target`. */
function addRun(target: number, bucket: string, start: number, end: number): void {
  if (start === end) return;
  const part = start === 0 && end === bucket.length ? bucket : bucket.substring(start, end);
  for (let k = 0; k < runCount; k++) {
    if (runTargets[k] === target) {
      runParts[k] += part;
      runSingle[k] = false;
      return;
    }
  }
  runTargets[runCount] = target;
  runSingle[runCount] = true;
  runParts[runCount++] = part;
}

/** Appends runParts[k] to its bucket. */
function storeRun(table: HashTable, bucket: string, k: number): void {
  const buckets = table.buckets;
  const i = runTargets[k]!;
  const part = runParts[k]!;
  runParts[k] = "";
  const existing = buckets[i]!;
  // One run alone into an empty bucket is copied: a substring of 13+ chars is a slice, which
  // would keep the whole old bucket alive.
  const moved = existing.length > 0
    ? flat(existing + part)
    : part === bucket
    ? bucket
    : runSingle[k]
    ? flat(part.substring(0, 1) + part.substring(1))
    : flat(part);
  buckets[i] = moved;
  table.chars += moved.length - existing.length;
}
