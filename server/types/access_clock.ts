/**
 * The clock the key table stamps accesses with (OBJECT IDLETIME, LRU and LFU
 * eviction): Redis's LRU clock, seconds modulo 2^24.
 */

export function lruClock(now: number): number {
  return Math.floor(now / 1000) & 0xffffff;
}

/**
 * The LRU clock stamped on accesses. Reading Date.now() costs ~60 ns, a
 * quarter of a GET, so like Redis's server.lruclock it is refreshed by the
 * server's cron (advanceAccessClock) instead of read per access.
 */
export let accessClock = lruClock(Date.now());

/** Called by the server cron every tick. */
export function advanceAccessClock(now: number): void {
  accessClock = lruClock(now);
}

/** Seconds from `last` to `now` on the wrapping 24-bit clock. */
export function clockDistance(last: number, now: number): number {
  return now >= last ? now - last : now + 0x1000000 - last;
}
