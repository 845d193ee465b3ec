/**
 * The access stamp in a key-table record's header: bytes 1..3 hold the last
 * access on Redis's 24-bit LRU clock, byte 4 the LFU counter (OBJECT
 * IDLETIME/FREQ, LRU and LFU eviction).
 */
import { accessClock, clockDistance, lruClock } from "./access_clock.ts";
import { lfuDecay, lfuIncrement } from "./lfu.ts";

/** Stamps the record at `off` with the current access clock. */
export function stampAccess(page: Uint8Array, off: number, clock = accessClock): void {
  page[off + 1] = clock;
  page[off + 2] = clock >>> 8;
  page[off + 3] = clock >>> 16;
}

export function lastAccess(page: Uint8Array, off: number): number {
  return page[off + 1]! | (page[off + 2]! << 8) | (page[off + 3]! << 16);
}

/** The LFU counter after Redis's decay (one step per idle minute). */
export function decayedCounter(page: Uint8Array, off: number, clock: number): number {
  return lfuDecay(page[off + 4]!, Math.floor(clockDistance(lastAccess(page, off), clock) / 60));
}

/** Records an access: the clock, and the LFU counter when LFU is in use. */
export function touchAccess(page: Uint8Array, off: number, trackFrequency: boolean): void {
  if (trackFrequency) page[off + 4] = lfuIncrement(decayedCounter(page, off, accessClock));
  stampAccess(page, off);
}

/**
 * RESTORE's IDLETIME and FREQ (Redis's objectSetLRUOrLFU): the last access
 * `idle` seconds ago, and/or the LFU counter. An idle time past the clock's
 * range lands half a clock cycle back, as in Redis.
 */
export function setAccess(
  page: Uint8Array,
  off: number,
  idle: number | undefined,
  counter: number | undefined,
  now: number,
): void {
  const clock = lruClock(now);
  let stamp = idle === undefined ? clock : clock - idle;
  if (stamp < 0) stamp = (clock + 0x800000) % 0x1000000;
  if (counter !== undefined) page[off + 4] = counter;
  stampAccess(page, off, stamp);
}
