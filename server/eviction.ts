/**
 * Key eviction under maxmemory, as Redis 7.0 does it (evict.c).
 *
 * Before a command runs (see `mustReject`), the server calls
 * `Evictor.perform` while used memory is above `maxmemory`. LRU, LFU and
 * volatile-ttl policies sample `maxmemory-samples` keys of every database
 * into a pool of the best 16 candidates seen so far (kept across calls, so
 * the choice improves with every sample) and evict the best one still
 * present; the random policies evict a random key, taking the databases in
 * turn. Eviction stops after a time budget set by
 * `maxmemory-eviction-tenacity`; the server then lets commands through
 * ("running") and continues from a timer, so no command stalls the loop for
 * long. With nothing left to evict, or under noeviction, the answer is
 * "fail" and commands that may grow memory get the OOM error.
 *
 * The module knows databases only through EvictableDb, and deletion through
 * the `evict` callback (which notifies, propagates and counts).
 */

export const EVICTION_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
] as const;
export type EvictionPolicy = typeof EVICTION_POLICIES[number];

/** Redis's EVPOOL_SIZE. */
export const POOL_SIZE = 16;

/** What eviction needs from a database. */
export interface EvictableDb {
  /** Keys in scope: all keys, or only those with a TTL (volatileOnly). */
  count(volatileOnly: boolean): number;
  /** Up to `n` distinct keys in scope, sampled as Redis's dictGetSomeKeys. */
  sample(n: number, volatileOnly: boolean, visit: (key: string) => void): void;
  /**
   * Optional, for allkeys-lru and allkeys-lfu: as `sample`, but the database
   * scores each key itself (as candidateScore does) and passes on only the
   * keys `wanted` takes, sparing the keys the pool would drop.
   */
  sampleScored?(
    n: number,
    byFrequency: boolean,
    wanted: (score: number) => boolean,
    visit: (key: string, score: number) => void,
  ): void;
  /** A random key in scope, or undefined when there is none. */
  randomKey(volatileOnly: boolean): string | undefined;
  /** Whether `key` is still there (and in scope): pool entries may be stale. */
  contains(key: string, volatileOnly: boolean): boolean;
  /** Seconds since the last access (Redis's LRU clock). */
  idleSeconds(key: string): number;
  /** The decayed LFU counter. */
  frequency(key: string): number;
  /** Expiry time in ms, or undefined. */
  expireAt(key: string): number | undefined;
}

export interface EvictionSettings {
  maxmemory: number;
  policy: EvictionPolicy;
  samples: number;
  tenacity: number;
}

/** ok: within maxmemory; running: over it but time ran out (continue later); fail: cannot free. */
export type EvictionResult = "ok" | "running" | "fail";

/**
 * Redis's evictionTimeLimitUs: 50 µs per step of tenacity up to 10, then
 * +15% a step; 100 is unlimited. In milliseconds.
 */
export function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return 0.05 * tenacity;
  if (tenacity < 100) return 0.5 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

interface PoolEntry {
  key: string;
  db: number;
  /** Higher is a better candidate: idle seconds, 255 - frequency, or -expireAt. */
  score: number;
}

/** The best candidates sampled so far, ascending by score (Redis's EvictionPoolLRU). */
export class EvictionPool {
  readonly entries: PoolEntry[] = [];

  /** Whether a key of this score would enter (the pool has room, or a worse candidate). */
  accepts(score: number): boolean {
    const entries = this.entries;
    return entries.length < POOL_SIZE || entries[0]!.score < score;
  }

  /** Inserts a sampled key unless the pool is full of better candidates. */
  offer(key: string, db: number, score: number): void {
    const entries = this.entries;
    const existing = entries.findIndex((e) => e.key === key && e.db === db);
    if (existing >= 0) entries.splice(existing, 1);
    let k = 0;
    while (k < entries.length && entries[k]!.score < score) k++;
    if (entries.length === POOL_SIZE) {
      // Full: drop the worst (the first) to make room, unless the new one is worse still.
      if (k === 0) return;
      entries.shift();
      k--;
    }
    entries.splice(k, 0, { key, db, score });
  }

  /** Removes and returns the best candidate. */
  takeBest(): PoolEntry | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** What decides OOM rejection, as Redis's processCommand does. */
export interface CommandTraits {
  /** The command is flagged denyoom (may grow memory). */
  denyOom: boolean;
  /** The client is inside MULTI, queueing. */
  inMulti: boolean;
  /** EXEC, DISCARD, QUIT or RESET, which MULTI never rejects. */
  endsTransaction: boolean;
}

/**
 * Whether a command gets the OOM error when eviction failed: commands that
 * may grow memory, and anything queued inside MULTI (queueing itself takes
 * memory) except what ends the transaction.
 */
export function mustReject(outOfMemory: boolean, traits: CommandTraits): boolean {
  if (!outOfMemory) return false;
  return traits.denyOom || (traits.inMulti && !traits.endsTransaction);
}

export class Evictor {
  readonly pool = new EvictionPool();
  #nextDb = 0;
  /** The database sampleScored is sampling (its visits land under this index). */
  #sampling = 0;
  readonly #wanted = (score: number) => this.pool.accepts(score);
  readonly #offerSampled = (key: string, score: number) =>
    this.pool.offer(key, this.#sampling, score);

  /**
   * Evicts keys until `usedMemory()` is within maxmemory, the policy has
   * nothing to evict, or the time budget runs out. `evict` deletes one key.
   * `record` gets the milliseconds of each deletion ("eviction-del") and of
   * the whole run ("eviction-cycle"), as Redis's latency monitor measures them.
   */
  perform(
    settings: EvictionSettings,
    dbs: readonly EvictableDb[],
    usedMemory: () => number,
    evict: (db: number, key: string) => void,
    now: () => number = () => performance.now(),
    record?: (event: string, ms: number) => void,
  ): EvictionResult {
    const { maxmemory, policy } = settings;
    if (maxmemory === 0 || usedMemory() <= maxmemory) return "ok";
    if (policy === "noeviction") return "fail";
    const started = now();
    const timedEvict = record === undefined ? evict : (db: number, key: string) => {
      const start = now();
      evict(db, key);
      record("eviction-del", now() - start);
    };
    const result = this.#evictUntil(settings, dbs, usedMemory, timedEvict, () => now() - started);
    record?.("eviction-cycle", now() - started);
    return result;
  }

  #evictUntil(
    settings: EvictionSettings,
    dbs: readonly EvictableDb[],
    usedMemory: () => number,
    evict: (db: number, key: string) => void,
    elapsed: () => number,
  ): EvictionResult {
    const maxmemory = settings.maxmemory;
    const limit = evictionTimeLimitMs(settings.tenacity);
    let freed = 0;
    while (usedMemory() > maxmemory) {
      const victim = this.#pick(settings, dbs);
      if (victim === undefined) return "fail";
      evict(victim.db, victim.key);
      if (++freed % 16 === 0 && elapsed() > limit) {
        return usedMemory() > maxmemory ? "running" : "ok";
      }
    }
    return "ok";
  }

  #pick(settings: EvictionSettings, dbs: readonly EvictableDb[]): PoolEntry | undefined {
    const volatileOnly = settings.policy.startsWith("volatile-");
    if (settings.policy.endsWith("-random")) {
      for (let i = 0; i < dbs.length; i++) {
        const db = this.#nextDb = (this.#nextDb + 1) % dbs.length;
        const key = dbs[db]!.randomKey(volatileOnly);
        if (key !== undefined) return { key, db, score: 0 };
      }
      return undefined;
    }
    const byFrequency = settings.policy.endsWith("-lfu");
    for (;;) {
      let total = 0;
      dbs.forEach((db, index) => {
        const keys = db.count(volatileOnly);
        if (keys === 0) return;
        total += keys;
        if (!volatileOnly && db.sampleScored !== undefined) {
          this.#sampling = index;
          db.sampleScored(settings.samples, byFrequency, this.#wanted, this.#offerSampled);
          return;
        }
        db.sample(settings.samples, volatileOnly, (key) => {
          this.pool.offer(key, index, candidateScore(settings.policy, db, key));
        });
      });
      if (total === 0) return undefined;
      // Best first; entries whose key went away meanwhile are skipped.
      for (let entry = this.pool.takeBest(); entry; entry = this.pool.takeBest()) {
        if (dbs[entry.db]?.contains(entry.key, volatileOnly)) return entry;
      }
    }
  }
}

/** How good a candidate `key` is under `policy` (higher evicts first). */
function candidateScore(policy: EvictionPolicy, db: EvictableDb, key: string): number {
  if (policy.endsWith("-lru")) return db.idleSeconds(key);
  if (policy.endsWith("-lfu")) return 255 - db.frequency(key);
  // volatile-ttl: the sooner it expires, the better.
  return -(db.expireAt(key) ?? Infinity);
}
