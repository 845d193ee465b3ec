/**
 * DEBUG HTSTATS-KEY: a hash table's shape in Redis's dictGetStats text, from
 * the buckets of a set or hash that has left its listpack/intset form (our
 * buckets hold entries back to back: a bucket's entry count is its chain
 * length). A big sorted set's members are indexed by open addressing here,
 * with no chains to count, so it gets Redis's reply for a value that is not
 * a hash table, as a listpack does.
 */
import { CommandError, NO_SUCH_KEY, NOT_A_HASH_TABLE } from "../errors.ts";
import type { CommandContext } from "../context.ts";
import { PackedDict } from "../types/packed_dict.ts";

/** Redis's DICT_STATS_VECTLEN: chains of this length or more share its last (unprinted) slot. */
const STATS_VECTLEN = 50;

/** C's `(float)a / b` printed with `%.02f`. */
function ratio(a: number, b: number, scale = 1): string {
  return Math.fround(Math.fround(a / b) * scale).toFixed(2);
}

/** One table's paragraph, as Redis's _dictGetStatsHt. */
export function tableStats(index: number, counts: readonly number[]): string {
  const name = index === 0 ? "main hash table" : "rehashing target";
  const elements = counts.reduce((sum, n) => sum + n, 0);
  if (elements === 0) {
    return `Hash table ${index} stats (${name}):\nNo stats available for empty dictionaries\n`;
  }
  const vector = new Array<number>(STATS_VECTLEN).fill(0);
  let slots = 0;
  let longest = 0;
  for (const n of counts) {
    vector[Math.min(n, STATS_VECTLEN - 1)]!++;
    if (n === 0) continue;
    slots++;
    if (n > longest) longest = n;
  }
  let text = `Hash table ${index} stats (${name}):\n` +
    ` table size: ${counts.length}\n` +
    ` number of elements: ${elements}\n` +
    ` different slots: ${slots}\n` +
    ` max chain length: ${longest}\n` +
    ` avg chain length (counted): ${ratio(elements, slots)}\n` +
    ` avg chain length (computed): ${ratio(elements, slots)}\n` +
    ` Chain length distribution:\n`;
  for (let i = 0; i < STATS_VECTLEN - 1; i++) {
    if (vector[i] === 0) continue;
    text += `   ${i}: ${vector[i]} (${ratio(vector[i]!, counts.length, 100)}%)\n`;
  }
  return text;
}

/** DEBUG HTSTATS-KEY key. */
export function keyHashTableStats(ctx: CommandContext, key: string): void {
  const value = ctx.db.lookupRead(key);
  if (value === undefined) throw new CommandError(NO_SUCH_KEY);
  const tables = value instanceof PackedDict ? value.bucketCounts() : undefined;
  if (tables === undefined) throw new CommandError(NOT_A_HASH_TABLE);
  ctx.out.verbatim(tables.map((counts, i) => tableStats(i, counts)).join(""), "txt");
}
