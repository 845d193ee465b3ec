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
 *
 * With rdb-key-save-delay (`keyDelayUs`) the walk keeps to Redis's child's
 * pace: a key is written only once the delays of those before it have
 * passed, and the snapshot is complete once the last key's delay has too
 * (the keys deleted before the walk reached them go out together at the end
 * of their database; their delays are still owed).
 */
import type { Database } from "../db.ts";
import { hashKey } from "../types/key_hash.ts";
import type { RedisValue } from "../types/value.ts";
import { scanTable } from "../types/keytable_keys.ts";
import { valueOf } from "../types/box_bytes.ts";
import { KeyPace } from "./debug_delay.ts";

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
  /** Entries of `frozen` written so far. */
  frozenAt: number;
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
  readonly #pace: KeyPace;

  /** `keyDelayUs`: rdb-key-save-delay when the save started (Redis's child keeps its fork-time value). */
  constructor(dbs: readonly Database[], keyDelayUs = 0) {
    this.#pace = new KeyPace(keyDelayUs);
    this.#state = dbs.map((db) => ({
      db,
      keysAtStart: db.size,
      expiresAtStart: db.expires.size,
      kept: new Map(),
      frozen: undefined,
      frozenAt: 0,
    }));
    this.keysTotal = this.#state.reduce((n, s) => n + s.keysAtStart, 0);
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Milliseconds until rdb-key-save-delay lets the snapshot go on (after
   * `step` returned false); 0 when it may go on at once.
   */
  waitMs(): number {
    return this.#pace.waitMs();
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
    this.#walk(state, from, Infinity, false, (key, value, expireAt) => {
      rest.push([key, copy ? copyOf(value) : value, expireAt]);
    });
    state.frozen = rest;
    state.frozenAt = 0;
  }

  /**
   * Emits entries to `sink` until `deadline` (performance.now() ms) passes,
   * rdb-key-save-delay asks for a wait (see `waitMs`) or the snapshot is
   * complete; returns true when complete.
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
        const frozen = state.frozen;
        const end = Math.min(frozen.length, state.frozenAt + this.#pace.allowance());
        for (; state.frozenAt < end; state.frozenAt++) {
          const [key, value, expireAt] = frozen[state.frozenAt]!;
          this.#emit(sink, key, value, expireAt);
        }
        if (end < frozen.length) return false;
        state.frozen = undefined;
        this.#nextDb();
        continue;
      }
      const next = this.#walk(state, this.#cursor, deadline, true, (key, value, expireAt) => {
        this.#emit(sink, key, value, expireAt);
      });
      if (next === undefined) {
        this.#nextDb();
        continue;
      }
      this.#cursor = next;
      return false;
    }
    // Redis's child sleeps after the last key too.
    return this.#pace.waitMs() === 0;
  }

  #emit(sink: SnapshotSink, key: string, value: RedisValue, expireAt: number | undefined): void {
    this.keysWritten++;
    sink.entry(key, value, expireAt);
    this.#pace.wrote();
  }

  /**
   * Walks the database of `state` from hash position `from`, giving the snapshot
   * state of each key to `emit`, until `deadline` (or, `paced`, until
   * rdb-key-save-delay asks for a wait). Returns the position reached, or
   * undefined once the whole database (and the kept states of keys deleted
   * since) has been given.
   */
  #walk(
    state: DbState,
    from: number,
    deadline: number,
    paced: boolean,
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
      const count = paced ? Math.min(SCAN_BATCH, this.#pace.allowance()) : SCAN_BATCH;
      if (count === 0) break;
      low = cursor;
      cursor = scanTable(db.dict, cursor, count, visit);
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
