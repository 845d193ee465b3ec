/**
 * A key's access record in the key table (OBJECT IDLETIME and FREQ, eviction's
 * samples, RESTORE's IDLETIME and FREQ): its LRU clock and LFU counter live in
 * its record's header (record_access.ts). Also its TTL flag (record_format.ts
 * FLAG_TTL), which server/db.ts keeps.
 */
import { clockDistance, lruClock } from "./access_clock.ts";
import type { TimeStore } from "./expire_table.ts";
import type { KeyTable } from "./keytable.ts";
import { OFFSET_MASK } from "./arena.ts";
import { type BigKeyBox, hasType, storedType, type StoredValue } from "./box_bytes.ts";
import { PackedKind } from "./packed_record.ts";
import { unpackValue } from "./packed_value.ts";
import { decayedCounter, lastAccess, setAccess, touchAccess } from "./record_access.ts";
import {
  boxIndex,
  FLAG_TIME,
  FLAG_TTL,
  FORM_MASK,
  FORM_SHIFT,
  KIND_BOXED,
  KIND_INLINE,
  KIND_MASK,
  recordTime,
} from "./record_format.ts";
import { StringForm } from "./string.ts";

/** Seconds since `key`'s last access, as Redis's LRU clock counts them; undefined if absent. */
export function idleSeconds(table: KeyTable, key: string, now = Date.now()): number | undefined {
  const ref = table.refOf(key);
  if (ref === 0) return undefined;
  return clockDistance(lastAccess(table.pageOf(ref), ref & OFFSET_MASK), lruClock(now));
}

/** `key`'s LFU counter after Redis's decay (one step per idle minute); undefined if absent. */
export function frequency(table: KeyTable, key: string, now = Date.now()): number | undefined {
  const ref = table.refOf(key);
  if (ref === 0) return undefined;
  return decayedCounter(table.pageOf(ref), ref & OFFSET_MASK, lruClock(now));
}

/** RESTORE's IDLETIME and FREQ on `key` (see record_access.ts's setAccess). */
export function setKeyAccess(
  table: KeyTable,
  key: string,
  idle: number | undefined,
  counter: number | undefined,
  now = Date.now(),
): void {
  const ref = table.refOf(key);
  if (ref !== 0) setAccess(table.pageOf(ref), ref & OFFSET_MASK, idle, counter, now);
}

/** Whether the record `ref` (KeyTable.refAt's) has FLAG_TTL: its key has an expiry time. */
export function hasTtl(table: KeyTable, ref: number): boolean {
  return (table.pageOf(ref)[ref & OFFSET_MASK]! & FLAG_TTL) !== 0;
}

/**
 * Sets `key`'s FLAG_TTL and the expiry time `when` its record ends with, or clears the flag when
 * `when` is undefined: its database's expires table gained (or changed) or lost it.
 */
export function markTtl(table: KeyTable, key: string, when: number | undefined): void {
  if (when !== undefined) return table.setTime(key, when);
  const ref = table.refOf(key);
  if (ref === 0) return;
  const page = table.pageOf(ref);
  page[ref & OFFSET_MASK] = page[ref & OFFSET_MASK]! & ~FLAG_TTL;
}

/**
 * The expiry time of the record `ref` (refOf's or refAt's), read off the record (FLAG_TIME);
 * undefined when it has no TTL.
 */
export function ttlTimeOf(table: KeyTable, ref: number): number | undefined {
  // FLAG_TTL comes only with the time (setTime) and goes on only with it (rewrites keep both).
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  return (page[off]! & (FLAG_TTL | FLAG_TIME)) === (FLAG_TTL | FLAG_TIME)
    ? recordTime(page, off)
    : undefined;
}

/** How the string at `key` was written (see StringForm); Encoded if absent. */
export function stringForm(table: KeyTable, key: string): StringForm {
  const ref = table.refOf(key);
  if (ref === 0) return StringForm.Encoded;
  return (table.pageOf(ref)[ref & OFFSET_MASK]! >>> FORM_SHIFT) & FORM_MASK;
}

/**
 * The value in the record `ref` (refOf's) for a command that only reads it, the access recorded:
 * a small collection kept packed is read through its type's shared view (packed_value.ts
 * unpackValue), not made again.
 */
export function valueToRead(table: KeyTable, ref: number): StoredValue {
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  if ((page[off]! & KIND_MASK) === KIND_BOXED) {
    const box = boxIndex(page, off);
    const states = table.boxes.states;
    const kind = states.packedKind(box);
    if (kind !== undefined && kind !== PackedKind.Stream) {
      touchAccess(page, off, table.trackFrequency);
      return unpackValue(kind, table.boxes.values[box] as string, states.packedCount(box), true);
    }
  }
  return table.storedOf(ref);
}

/** TYPE's answer for the record `ref` (refOf's): a packed collection's is read off its box. */
export function typeOf(table: KeyTable, ref: number): string {
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  const kind = page[off]! & KIND_MASK;
  if (kind === KIND_INLINE) return "string";
  const box = boxIndex(page, off);
  if (kind === KIND_BOXED) return table.boxes.typeOf(box);
  return storedType((table.boxes.values[box] as BigKeyBox).value);
}

/**
 * The element count of the collection of `type` in the record `ref` (refOf's), the access
 * recorded; -1 when it holds another type. A packed collection's count is the one it was packed
 * with: HLEN of a key not used lately costs no unpacking, as in Redis it costs no decoding.
 */
export function countOf(table: KeyTable, ref: number, type: string): number {
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  if ((page[off]! & KIND_MASK) === KIND_BOXED) {
    const box = boxIndex(page, off);
    const sameType = table.boxes.typeOf(box) === type;
    const count = sameType ? table.boxes.packedCountOf(box) : -1;
    if (!sameType || count >= 0) {
      touchAccess(page, off, table.trackFrequency);
      return count;
    }
  }
  const value = table.storedOf(ref);
  return hasType(value, type) ? value.size() : -1;
}

/**
 * The key table as its database's expires table's TimeStore: each time at the end of its key's
 * record, where the lookups that just found the key read it (ttlTimeOf).
 */
export function recordTimes(table: KeyTable): TimeStore {
  return {
    get: (key) => {
      const ref = table.refOf(key);
      return ref === 0 ? undefined : ttlTimeOf(table, ref);
    },
    set: (key, when) => table.setTime(key, when),
  };
}
