/**
 * A key's access record in the key table (OBJECT IDLETIME and FREQ, eviction's
 * samples, RESTORE's IDLETIME and FREQ): its LRU clock and LFU counter live in
 * its record's header (record_access.ts). Also its TTL flag (record_format.ts
 * FLAG_TTL), which server/db.ts keeps.
 */
import { clockDistance, lruClock } from "./access_clock.ts";
import type { KeyTable } from "./keytable.ts";
import { OFFSET_MASK } from "./arena.ts";
import { decayedCounter, lastAccess, setAccess } from "./record_access.ts";
import { FLAG_TTL, FORM_MASK, FORM_SHIFT } from "./record_format.ts";
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

/** Sets or clears `key`'s FLAG_TTL: its database's expires table gained or lost it. */
export function markTtl(table: KeyTable, key: string, on: boolean): void {
  const ref = table.refOf(key);
  if (ref === 0) return;
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  page[off] = on ? page[off]! | FLAG_TTL : page[off]! & ~FLAG_TTL;
}

/** How the string at `key` was written (see StringForm); Encoded if absent. */
export function stringForm(table: KeyTable, key: string): StringForm {
  const ref = table.refOf(key);
  if (ref === 0) return StringForm.Encoded;
  return (table.pageOf(ref)[ref & OFFSET_MASK]! >>> FORM_SHIFT) & FORM_MASK;
}
