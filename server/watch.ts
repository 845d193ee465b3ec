/**
 * WATCH bookkeeping: which clients watch which keys, so a write, an expiry or
 * a flush can mark their transactions as failed (Redis's touchWatchedKey).
 */
import { blockingKey as dbKey } from "./blocking.ts";
import type { Client } from "./client.ts";
import { type Database, databaseAt } from "./db.ts";

export class WatchRegistry {
  readonly #watchers = new Map<string, Set<Client>>();
  /**
   * Per client, the watched keys that had already expired (not yet deleted)
   * when WATCHed: their deletion is no change (Redis's watchedKey.expired).
   */
  readonly #expiredWhenWatched = new WeakMap<Client, Set<string>>();

  watch(client: Client, db: Database, key: string): void {
    const k = dbKey(db.index, key);
    client.watched ??= new Set();
    if (client.watched.has(k)) return;
    client.watched.add(k);
    let set = this.#watchers.get(k);
    if (!set) this.#watchers.set(k, set = new Set());
    set.add(client);
    if (isExpired(db, key, Date.now())) {
      let expired = this.#expiredWhenWatched.get(client);
      if (!expired) this.#expiredWhenWatched.set(client, expired = new Set());
      expired.add(k);
    }
  }

  /** UNWATCH, EXEC, DISCARD, RESET, disconnect: forgets the keys and the failure. */
  unwatchAll(client: Client): void {
    this.#forget(client);
    client.watchDirty = false;
  }

  #forget(client: Client): void {
    if (!client.watched) return;
    for (const k of client.watched) {
      const set = this.#watchers.get(k);
      set?.delete(client);
      if (set?.size === 0) this.#watchers.delete(k);
    }
    client.watched = undefined;
    this.#expiredWhenWatched.delete(client);
  }

  /** Whether any client watches any key (a write to a key kept as bytes then makes its string). */
  watching(): boolean {
    return this.#watchers.size !== 0;
  }

  /** A key was modified or deleted: every client watching it fails its next EXEC. */
  touch(dbIndex: number, key: string): void {
    if (this.#watchers.size === 0) return;
    const k = dbKey(dbIndex, key);
    const set = this.#watchers.get(k);
    if (!set) return;
    for (const client of set) {
      const expired = this.#expiredWhenWatched.get(client);
      if (expired?.delete(k) && !databaseAt(client.server.dbs, dbIndex).dict.has(key)) continue;
      client.watchDirty = true;
      // Its EXEC fails whatever else changes: stop tracking it, as Redis does.
      this.#forget(client);
    }
  }

  /**
   * Database `emptied` loses its contents (FLUSHDB, FLUSHALL) or gets
   * `replacedWith`'s (SWAPDB): a watcher fails where its key's logical state
   * changes, as Redis's touchAllWatchedKeysInDb. An expired key that goes, or
   * that is replaced by another expired one, is no change.
   */
  touchDb(emptied: Database, replacedWith?: Database): void {
    const prefix = `${emptied.index}\0`;
    const now = Date.now();
    for (const [k, set] of this.#watchers) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      const wasThere = emptied.dict.has(key);
      const comesIn = replacedWith !== undefined && replacedWith.dict.has(key);
      if (!wasThere && !comesIn) continue;
      const comesExpired = comesIn && isExpired(replacedWith!, key, now);
      for (const client of set) {
        if (this.#replaced(client, k, wasThere, comesIn, comesExpired)) client.watchDirty = true;
      }
    }
  }

  /** Whether replacing a watched key's value changes it for this client (see touchDb). */
  #replaced(
    client: Client,
    k: string,
    wasThere: boolean,
    comesIn: boolean,
    comesExpired: boolean,
  ): boolean {
    let expired = this.#expiredWhenWatched.get(client);
    if (expired?.has(k)) {
      // Expired when watched: gone now is no change, and so is another expired value.
      if (!comesIn) expired.delete(k);
      return comesIn && !comesExpired;
    }
    if (wasThere || !comesExpired) return true;
    // A missing key replaced by an expired one: still missing, as WATCH sees it.
    if (!expired) this.#expiredWhenWatched.set(client, expired = new Set());
    expired.add(k);
    return false;
  }

  /**
   * Whether a key watched while live has passed its TTL but not been deleted
   * yet: EXEC then fails, as in Redis 7 (isWatchedKeyExpired). A deleted one
   * already failed it through touch.
   */
  anyExpired(client: Client): boolean {
    if (!client.watched) return false;
    const expired = this.#expiredWhenWatched.get(client);
    const now = Date.now();
    for (const k of client.watched) {
      if (expired?.has(k)) continue;
      const split = k.indexOf("\0");
      const db = databaseAt(client.server.dbs, Number(k.slice(0, split)));
      if (isExpired(db, k.slice(split + 1), now)) return true;
    }
    return false;
  }
}

/** A key still stored whose TTL has passed (Redis's keyIsExpired). */
function isExpired(db: Database, key: string, now: number): boolean {
  const when = db.getExpire(key);
  return when !== undefined && when <= now;
}
