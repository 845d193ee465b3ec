/**
 * A point-in-time view of every database, read a slice at a time while the
 * server keeps serving: what BGSAVE and BGREWRITEAOF write. Redis gets this
 * from fork()'s copy-on-write; here the copy is per key:
 *
 * - Each database is walked in hash order with KeyTable.scan, so "already
 *   visited" is simply `hashKey(key) < cursor` (the cursor is a position in
 *   hash space that keeps its meaning across resizes; keys a shrink makes
 *   the scan emit twice fall below the cursor and are skipped).
 * - Before a command writes a key that is not yet visited, `beforeWrite`
 *   keeps its value as of now, which is its value at the start: a clone
 *   for collections, the string itself (strings are immutable), or "absent"
 *   for a key created during the save. The walk uses the kept state, and
 *   keys deleted before the walk reached them are written from it at the end.
 * - FLUSHDB/FLUSHALL/SWAPDB replace whole databases: `freeze` first reads
 *   the rest of the database into memory.
 *
 * Keys that expire and are deleted during the save without a command (active
 * expiry) may be missing from the snapshot; they were due to expire, so a
 * load would drop them anyway.
 */
import type { Database } from "../db.ts";
import { hashKey } from "../types/key_hash.ts";
import type { RedisValue } from "../types/value.ts";
import { scanTable } from "../types/keytable_keys.ts";
import { valueOf } from "../types/box_bytes.ts";

/** Receives the snapshot's contents in order. */
export interface SnapshotSink {
  /** A database with entries begins; sizes are from the start of the save (a hint). */
  beginDb(index: number, keys: number, expires: number): void;
  entry(key: string, value: RedisValue, expireAt: number | undefined): void;
}

/** A key's state when the save started, kept because a write was about to change it. */
interface Kept {
  value: RedisValue;
  expireAt: number | undefined;
}

interface DbState {
  readonly db: Database;
  readonly keysAtStart: number;
  readonly expiresAtStart: number;
  /** First-touch states; null: the key did not exist at the start. */
  readonly kept: Map<string, Kept | null>;
  /** The rest of the database, read into memory before a FLUSH/SWAPDB replaced it. */
  frozen: [string, RedisValue, number | undefined][] | undefined;
}

/** Keys read from the table per scan call. */
const SCAN_BATCH = 128;

export class KeyspaceSnapshot {
  readonly #state: DbState[];
  /** Database being walked; those below it are done. */
  #dbIndex = 0;
  /** Hash-space position: keys of the current database hashing below it are done. */
  #cursor = 0;
  #begun = false;
  #done = false;
  /** Keys written so far (INFO current_save_keys_processed). */
  keysWritten = 0;
  readonly keysTotal: number;

  constructor(dbs: readonly Database[]) {
    this.#state = dbs.map((db) => ({
      db,
      keysAtStart: db.size,
      expiresAtStart: db.expires.size,
      kept: new Map(),
      frozen: undefined,
    }));
    this.keysTotal = this.#state.reduce((n, s) => n + s.keysAtStart, 0);
  }

  get done(): boolean {
    return this.#done;
  }

  #visited(dbIndex: number, key: string): boolean {
    if (dbIndex < this.#dbIndex || this.#done) return true;
    if (dbIndex > this.#dbIndex || !this.#begun) return false;
    return hashKey(key) < this.#cursor;
  }

  /** Called before a command changes `key` in database `dbIndex`. */
  beforeWrite(dbIndex: number, key: string): void {
    const state = this.#state[dbIndex];
    if (state === undefined || state.keysAtStart === 0 || state.frozen !== undefined) return;
    if (state.kept.has(key) || this.#visited(dbIndex, key)) return;
    const db = state.db;
    const value = valueOf(db.dict.peek(key));
    state.kept.set(
      key,
      value === undefined ? null : { value: copyOf(value), expireAt: db.expires.get(key) },
    );
  }

  /**
   * Called before a database's contents are replaced wholesale. `copy`
   * clones collections, for SWAPDB, where they stay writable elsewhere.
   */
  freeze(dbIndex: number, copy: boolean): void {
    const state = this.#state[dbIndex];
    if (state === undefined || state.keysAtStart === 0 || state.frozen !== undefined) return;
    if (dbIndex < this.#dbIndex || this.#done) return;
    const rest: [string, RedisValue, number | undefined][] = [];
    const from = dbIndex === this.#dbIndex && this.#begun ? this.#cursor : 0;
    this.#walk(state, from, Infinity, (key, value, expireAt) => {
      rest.push([key, copy ? copyOf(value) : value, expireAt]);
    });
    state.frozen = rest;
  }

  /**
   * Emits entries to `sink` until `deadline` (performance.now() ms) passes
   * or the snapshot is complete; returns true when complete.
   */
  step(sink: SnapshotSink, deadline: number): boolean {
    while (!this.#done) {
      const index = this.#dbIndex;
      const state = this.#state[index];
      if (state === undefined) {
        this.#done = true;
        break;
      }
      if (state.keysAtStart === 0) {
        this.#nextDb();
        continue;
      }
      if (!this.#begun) {
        this.#begun = true;
        this.#cursor = 0;
        sink.beginDb(index, state.keysAtStart, state.expiresAtStart);
      }
      if (state.frozen !== undefined) {
        for (const [key, value, expireAt] of state.frozen) this.#emit(sink, key, value, expireAt);
        state.frozen = undefined;
        this.#nextDb();
        continue;
      }
      const next = this.#walk(state, this.#cursor, deadline, (key, value, expireAt) => {
        this.#emit(sink, key, value, expireAt);
      });
      if (next === undefined) {
        this.#nextDb();
        continue;
      }
      this.#cursor = next;
      return false;
    }
    return true;
  }

  #emit(sink: SnapshotSink, key: string, value: RedisValue, expireAt: number | undefined): void {
    this.keysWritten++;
    sink.entry(key, value, expireAt);
  }

  /**
   * Walks the database of `state` from hash position `from`, giving the snapshot
   * state of each key to `emit`, until `deadline`. Returns the position
   * reached, or undefined once the whole database (and the kept states of
   * keys deleted since) has been given.
   */
  #walk(
    state: DbState,
    from: number,
    deadline: number,
    emit: (key: string, value: RedisValue, expireAt: number | undefined) => void,
  ): number | undefined {
    const { db, kept } = state;
    let cursor = from;
    let low = from;
    const expires = db.expires;
    const visit = (key: string) => {
      // A shrunk table may emit a merged home twice: those keys are done.
      if (hashKey(key) < low) return;
      if (kept.size !== 0) {
        const state = kept.get(key);
        if (state !== undefined) {
          kept.delete(key);
          if (state !== null) emit(key, state.value, state.expireAt);
          return;
        }
      }
      const value = valueOf(db.dict.peek(key));
      if (value !== undefined) emit(key, value, expires.size === 0 ? undefined : expires.get(key));
    };
    do {
      low = cursor;
      cursor = scanTable(db.dict, cursor, SCAN_BATCH, visit);
      if (cursor === 0) {
        // Keys deleted before the walk reached them.
        for (const [key, state] of kept) if (state !== null) emit(key, state.value, state.expireAt);
        kept.clear();
        return undefined;
      }
    } while (performance.now() < deadline);
    return cursor;
  }

  #nextDb(): void {
    this.#state[this.#dbIndex]?.kept.clear();
    this.#dbIndex++;
    this.#begun = false;
    this.#cursor = 0;
  }
}

function copyOf(value: RedisValue): RedisValue {
  return typeof value === "string" ? value : value.clone();
}
