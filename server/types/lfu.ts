/**
 * Redis's LFU counter: an 8-bit logarithmic access counter per key that
 * decays while the key is idle (evict.c: LFULogIncr, LFUDecrAndReturn). The
 * two parameters are server configuration (lfu-log-factor, lfu-decay-time),
 * shared by every database, so they live here rather than in each key table.
 */

/** Redis's LFU_INIT_VAL: a new key starts with this counter. */
export const LFU_INIT = 5;

export const lfuSettings = {
  /** lfu-log-factor: higher makes the counter grow more slowly. */
  logFactor: 10,
  /** lfu-decay-time: idle minutes per decrement; 0 never decays. */
  decayTime: 1,
};

/** The counter after one access: +1 with probability 1 / ((counter - 5) * factor + 1). */
export function lfuIncrement(counter: number, random = Math.random()): number {
  if (counter === 255) return 255;
  const base = counter > LFU_INIT ? counter - LFU_INIT : 0;
  return random < 1 / (base * lfuSettings.logFactor + 1) ? counter + 1 : counter;
}

/** The counter after `idleMinutes` without access: minus one per decay period. */
export function lfuDecay(counter: number, idleMinutes: number): number {
  const decayTime = lfuSettings.decayTime;
  if (decayTime === 0) return counter;
  const periods = Math.floor(idleMinutes / decayTime);
  return periods > counter ? 0 : counter - periods;
}
