/**
 * What SCRIPT DEBUG YES needs instead of fork(): Redis debugs the script in
 * a forked child, so the session's writes die with the child. redis-home
 * cannot fork; it keeps, before each write of the session, the first state
 * of every key the write may change (the key specs' written keys, as a
 * background save's copy-on-write finds them: persistence/write_keys.ts),
 * or of a whole database before FLUSHDB/FLUSHALL/SWAPDB, and puts them back
 * when the session ends.
 */
import type { ServerContext, WriteWatcher } from "../context.ts";
import { reportWrites } from "../persistence/write_keys.ts";
import { valueOf } from "../types/box_bytes.ts";
import { scanTable } from "../types/keytable_keys.ts";
import type { RedisValue } from "../types/value.ts";

interface Kept {
  value: RedisValue;
  expireAt: number | undefined;
}

export class UndoLog {
  /** Per database, each key's state before the session first wrote it (null: it did not exist). */
  readonly #keys = new Map<number, Map<string, Kept | null>>();
  /** Whole databases as they were before the session first emptied or swapped them. */
  readonly #dbs = new Map<number, Map<string, Kept>>();
  /** Added to server.writeWatchers for the session. */
  readonly watcher: WriteWatcher = (ctx, command, argv) =>
    reportWrites(ctx, command, argv, {
      key: (dbIndex, key) => this.#keepKey(dbIndex, key),
      database: (dbIndex) => this.#keepDatabase(dbIndex),
    });

  constructor(readonly server: ServerContext) {}

  #state(dbIndex: number, key: string): Kept | null {
    const db = this.server.dbs[dbIndex]!;
    const value = valueOf(db.dict.peek(key));
    if (value === undefined) return null;
    return {
      value: typeof value === "string" ? value : value.clone(),
      expireAt: db.expires.get(key),
    };
  }

  #keepKey(dbIndex: number, key: string): void {
    if (this.#dbs.has(dbIndex) || this.server.dbs[dbIndex] === undefined) return;
    let keys = this.#keys.get(dbIndex);
    if (keys === undefined) this.#keys.set(dbIndex, keys = new Map());
    if (!keys.has(key)) keys.set(key, this.#state(dbIndex, key));
  }

  #keepDatabase(dbIndex: number): void {
    const db = this.server.dbs[dbIndex];
    if (this.#dbs.has(dbIndex) || db === undefined) return;
    const all = new Map<string, Kept>();
    let cursor = 0;
    do {
      cursor = scanTable(db.dict, cursor, 1000, (key) => {
        const state = this.#state(dbIndex, key);
        if (state !== null) all.set(key, state);
      });
    } while (cursor !== 0);
    // Keys written earlier in the session go back to their state from before it.
    for (const [key, state] of this.#keys.get(dbIndex) ?? []) {
      if (state === null) all.delete(key);
      else all.set(key, state);
    }
    this.#keys.delete(dbIndex);
    this.#dbs.set(dbIndex, all);
  }

  /** Puts every kept key and database back as it was before the session. */
  restore(): void {
    for (const [dbIndex, all] of this.#dbs) {
      const db = this.server.dbs[dbIndex]!;
      db.clear();
      for (const [key, state] of all) put(this.server, dbIndex, key, state);
    }
    for (const [dbIndex, keys] of this.#keys) {
      for (const [key, state] of keys) put(this.server, dbIndex, key, state);
    }
    this.#dbs.clear();
    this.#keys.clear();
  }
}

function put(server: ServerContext, dbIndex: number, key: string, state: Kept | null): void {
  const db = server.dbs[dbIndex]!;
  if (state === null) {
    db.delete(key);
    return;
  }
  db.set(key, state.value);
  if (state.expireAt !== undefined) db.setExpire(key, state.expireAt);
}
