/**
 * Keys that a client of a writable replica (replica-read-only no) gave a
 * TTL. A replica leaves its master's keys for the master's DEL, but no DEL
 * will ever come for these: the replica expires them itself, as Redis's
 * rememberSlaveKeyWithExpire / expireSlaveKeys do. A tracked key that lost
 * its TTL, or was deleted, is forgotten when next looked at.
 */
import type { Database } from "../db.ts";

/** Keys looked at between two clock reads (Redis checks its time every 64). */
const CHECK_CLOCK_EVERY = 64;

export class OwnExpires {
  /** Per database index, the keys given a TTL here. */
  readonly #keys = new Map<number, Set<string>>();

  add(dbIndex: number, key: string): void {
    const keys = this.#keys.get(dbIndex);
    if (keys === undefined) this.#keys.set(dbIndex, new Set([key]));
    else keys.add(key);
  }

  /** INFO's slave_expires_tracked_keys: Redis counts keys, whatever their databases. */
  get size(): number {
    const keys = new Set<string>();
    for (const set of this.#keys.values()) for (const key of set) keys.add(key);
    return keys.size;
  }

  /** A full resync replaced the dataset: nothing here is the replica's own any more. */
  clear(): void {
    this.#keys.clear();
  }

  /** Deletes the tracked keys whose TTL has passed, for at most `budgetMs`. */
  expire(dbs: readonly Database[], now: number, budgetMs: number): void {
    const started = performance.now();
    let looked = 0;
    for (const [dbIndex, keys] of this.#keys) {
      const db = dbs[dbIndex];
      for (const key of keys) {
        const when = db?.getExpire(key);
        if (when === undefined) keys.delete(key);
        else if (when <= now) {
          db!.expireNow(key);
          keys.delete(key);
        }
        if (++looked % CHECK_CLOCK_EVERY === 0 && performance.now() - started > budgetMs) return;
      }
      if (keys.size === 0) this.#keys.delete(dbIndex);
    }
  }
}
