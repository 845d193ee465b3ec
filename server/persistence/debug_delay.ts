/**
 * Redis's testing delays: key-load-delay (rdbLoad sleeps after each key) and
 * rdb-key-save-delay (rdbSaveKeyValuePair and rewriteAppendOnlyFileRio sleep
 * after each key they write), both through debug.c's debugDelay.
 *
 * A loading server and SAVE block in Redis too, so they sleep here as well.
 * A background save has no child process of its own here: `KeyPace` turns
 * the delay into a schedule instead (key n may be written once the delays of
 * the keys before it have passed), and the job waits on a timer between its
 * slices, so the save lasts as long as Redis's child while clients are served.
 */

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds. */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(SLEEPER, 0, 0, ms);
}

/**
 * One call's delay in microseconds: `usec` itself, or for a negative value
 * one microsecond once in -usec calls (Redis's short sleeps by sleeping less often).
 */
export function delayOf(usec: number): number {
  if (usec >= 0) return usec;
  return Math.floor(Math.random() * -usec) === 0 ? 1 : 0;
}

/** Redis's debugDelay: sleeps `delayOf(usec)` microseconds. */
export function debugDelay(usec: number): void {
  sleepSync(delayOf(usec) / 1000);
}

/** A background save's schedule under rdb-key-save-delay `delayUs` (0: no pacing). */
export class KeyPace {
  readonly #start = performance.now();
  /** Microseconds of delay owed for the keys written so far. */
  #owedUs = 0;

  constructor(readonly delayUs: number) {}

  /** Keys that may be written now; Infinity without a delay. */
  allowance(): number {
    if (this.delayUs === 0) return Infinity;
    const aheadUs = (performance.now() - this.#start) * 1000 - this.#owedUs;
    if (aheadUs < 0) return 0;
    return this.delayUs > 0 ? Math.floor(aheadUs / this.delayUs) + 1 : Infinity;
  }

  /** A key was written: its delay comes before the next one (and before the end). */
  wrote(): void {
    if (this.delayUs !== 0) this.#owedUs += delayOf(this.delayUs);
  }

  /** Milliseconds until the delays owed so far have passed (0: now). */
  waitMs(): number {
    if (this.#owedUs === 0) return 0;
    return Math.max(0, this.#owedUs / 1000 - (performance.now() - this.#start));
  }
}
