/**
 * Walks over a KeyTable's index: a SCAN step, a random key, the eviction
 * sample, and whole-table walks built on the SCAN step (safe while the
 * table changes: keys present throughout come once or more).
 */
import type { KeyTable } from "./keytable.ts";
import type { RedisValue } from "./value.ts";
import { valueOf } from "./box_bytes.ts";
import { OFFSET_MASK } from "./arena.ts";
import { accessClock, clockDistance } from "./access_clock.ts";
import { decayedCounter, lastAccess } from "./record_access.ts";

/**
 * One step of a SCAN: emits the keys of the home slots visited from
 * `cursor` until `count` keys were emitted or 10 x count slots visited, and
 * returns the next cursor (0 when the iteration is complete).
 *
 * Homes are the top bits of the hash, so a cursor is a position in hash
 * space that means the same at any capacity: growing splits a home into
 * two adjacent ones, shrinking merges them (a merged home may be visited
 * twice, never skipped).
 */
export function scanTable(
  table: KeyTable,
  cursor: number,
  count: number,
  emit: (key: string) => void,
): number {
  const shift = table.shift;
  // Once: `2 ** shift` with a variable shift is a call to pow.
  const span = 2 ** shift;
  const homes = table.slots.length >>> 1;
  let home = (cursor >>> 0) >>> shift;
  let emitted = 0;
  let visits = count * 10;
  for (;;) {
    emitted += emitHome(table, home, emit);
    if (++home === homes) return 0;
    if (emitted >= count || --visits <= 0) return home * span;
  }
}

/** Emits the keys whose home slot is `home`; returns how many. */
function emitHome(table: KeyTable, home: number, emit: (key: string) => void): number {
  const slots = table.slots;
  const mask = (slots.length >>> 1) - 1;
  const shift = table.shift;
  let n = 0;
  for (let i = home; slots[i * 2] !== 0; i = (i + 1) & mask) {
    if (slots[i * 2 + 1]! >>> shift === home) {
      emit(table.keyOf(slots[i * 2]!));
      n++;
    }
    if (((i + 1) & mask) === home) break;
  }
  return n;
}

/** A random key (slot-uniform, as Redis's is bucket-uniform), or undefined if empty. */
export function randomTableKey(table: KeyTable): string | undefined {
  if (table.size === 0) return undefined;
  const slots = table.slots;
  const mask = (slots.length >>> 1) - 1;
  let i = Math.floor(Math.random() * (mask + 1));
  while (slots[i * 2] === 0) i = (i + 1) & mask;
  return table.keyOf(slots[i * 2]!);
}

/**
 * Up to `count` distinct keys from a random stretch of the index, as
 * Redis's dictGetSomeKeys samples for eviction (cheap, and random enough
 * when repeated: keys sit at random slots by their hash). Each sampled
 * record is scored from its header (idle seconds on the LRU clock, or 255
 * less the decayed LFU counter when `byFrequency`), and its key decoded for
 * `visit` only when `wanted` takes the score. Most samples lose to the
 * pool's candidates, so most cost no string and no second lookup. Half the
 * dead share of the record's page is added: it never outranks a second of
 * idleness or a step of the counter, but among keys equal there (most,
 * when the key space turns over within a second) the deadest page's go
 * first, so pages empty and are freed or compacted cheaply (Arena.toCompact).
 */
export function sampleScored(
  table: KeyTable,
  count: number,
  byFrequency: boolean,
  wanted: (score: number) => boolean,
  visit: (key: string, score: number) => void,
): void {
  if (table.size === 0) return;
  const slots = table.slots;
  const mask = (slots.length >>> 1) - 1;
  const clock = accessClock;
  let i = Math.floor(Math.random() * (mask + 1));
  let left = Math.min(count, table.size);
  for (let steps = mask + 1; left > 0 && steps > 0; steps--) {
    const ref = slots[i * 2]!;
    if (ref !== 0) {
      left--;
      const page = table.pageOf(ref);
      const off = ref & OFFSET_MASK;
      const score = (byFrequency
        ? 255 - decayedCounter(page, off, clock)
        : clockDistance(lastAccess(page, off), clock)) + table.deadShare(ref) / 2;
      if (wanted(score)) {
        visit(table.keyOf(ref), score);
      }
    }
    i = (i + 1) & mask;
  }
}

/** Every key of `table`. */
export function* tableKeys(table: KeyTable): IterableIterator<string> {
  const batch: string[] = [];
  const push = (key: string) => batch.push(key);
  let cursor = 0;
  do {
    cursor = scanTable(table, cursor, 128, push);
    for (const key of batch) yield key;
    batch.length = 0;
  } while (cursor !== 0);
}

/** Every key of `table` with its value (read without recording an access). */
export function* tableEntries(table: KeyTable): IterableIterator<[string, RedisValue]> {
  for (const key of tableKeys(table)) {
    const value = valueOf(table.peek(key));
    if (value !== undefined) yield [key, value];
  }
}
