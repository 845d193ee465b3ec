/**
 * WATCH bookkeeping: which clients watch which keys, so a write, an expiry or
 * a flush can mark their transactions as failed (Redis's touchWatchedKey).
 */
import type { Client } from "./client.ts";
import { blockingKey as dbKey } from "./blocking.ts";

export class WatchRegistry {
  readonly #watchers = new Map<string, Set<Client>>();

  get size(): number {
    return this.#watchers.size;
  }

  watch(client: Client, dbIndex: number, key: string): void {
    const k = dbKey(dbIndex, key);
    client.watched ??= new Set();
    if (client.watched.has(k)) return;
    client.watched.add(k);
    let set = this.#watchers.get(k);
    if (!set) this.#watchers.set(k, set = new Set());
    set.add(client);
  }

  unwatchAll(client: Client): void {
    if (!client.watched) return;
    for (const k of client.watched) {
      const set = this.#watchers.get(k);
      set?.delete(client);
      if (set?.size === 0) this.#watchers.delete(k);
    }
    client.watched = undefined;
    client.watchDirty = false;
  }

  /** A key was modified: every client watching it fails its next EXEC. */
  touch(dbIndex: number, key: string): void {
    if (this.#watchers.size === 0) return;
    const set = this.#watchers.get(dbKey(dbIndex, key));
    if (set) { for (const client of set) client.watchDirty = true; }
  }

  /**
   * A whole database changed (FLUSHDB, FLUSHALL, SWAPDB): watchers of keys in
   * it fail, when `exists` says the key was there (Redis touches only keys
   * that existed, or that exist after a swap).
   */
  touchDb(dbIndex: number, exists: (key: string) => boolean): void {
    const prefix = `${dbIndex}\0`;
    for (const [k, set] of this.#watchers) {
      if (!k.startsWith(prefix) || !exists(k.slice(prefix.length))) continue;
      for (const client of set) client.watchDirty = true;
    }
  }
}
