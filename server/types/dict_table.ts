/**
 * A packed dict's hash table (packed_dict.ts), and building one in one pass
 * from the entries of distinct fields (the set commands that store a result).
 */
import { flat } from "./packed_record.ts";

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
