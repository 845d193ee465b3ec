/**
 * A database's expiry times by key (Redis's `expires` dict): open addressing
 * over the key table's hash (key_hash.ts), keys compared with `===`.
 *
 * Why not a `Map<string, number>`: a key looked up is a string just made from
 * the request, never the one the Map holds, and V8 hashes such a string and
 * looks it up in its string table on every get: GET, TTL and SETEX over 100k
 * volatile keys spent a third of their time there and ran at 0.54-0.70x of
 * Redis. Here the hash is the one the key table's lookup of the same key just
 * computed (hashKey remembers it).
 *
 * The times themselves live where its TimeStore keeps them: a database's key table keeps each at
 * the end of its key's record (record_format.ts FLAG_TIME), where a lookup that just found the key
 * reads it, so this table holds only which keys have one (for the active expiry cycle, saves and
 * eviction's samples). A store may keep a time past its key's deletion here: get() and entries()
 * read it only for keys the table holds.
 *
 * Deletion leaves a tombstone, so that positions stay put under an iteration
 * (the active expiry cycle deletes as it walks); tombstones go at the next
 * rehash. Iterators read the table as it is when they step: after a rehash
 * they go on from the same index, which may repeat or skip entries, as the
 * cycle's and eviction's sampling allows.
 */
import { hashKey } from "./key_hash.ts";

const MIN_CAPACITY = 8;
/** In #hashes: an empty slot; a live one holds its key's hash + 1. */
const EMPTY = 0;
/** In #hashes: a deleted entry's slot (a tombstone): probes go past it. */
const DELETED = -1;

/** Where an ExpireTable's times are kept. */
export interface TimeStore {
  /** The time set for `key`, while the table holds it. */
  get(key: string): number | undefined;
  set(key: string, when: number): void;
}

export class ExpireTable {
  #keys: (string | undefined)[] = new Array(MIN_CAPACITY).fill(undefined);
  #hashes = new Int32Array(MIN_CAPACITY);
  #size = 0;
  #tombstones = 0;

  constructor(readonly times: TimeStore) {}

  get size(): number {
    return this.#size;
  }

  /** `key`'s expiry time (ms), or undefined without one. */
  get(key: string): number | undefined {
    return this.#find(key, hashKey(key)) < 0 ? undefined : this.times.get(key);
  }

  has(key: string): boolean {
    return this.#find(key, hashKey(key)) >= 0;
  }

  set(key: string, when: number): this {
    const h = hashKey(key) + 1;
    const mask = this.#hashes.length - 1;
    let free = -1;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const held = this.#hashes[i]!;
      if (held === EMPTY) {
        if (free < 0) free = i;
        break;
      }
      if (held === DELETED) {
        if (free < 0) free = i;
      } else if (held === h && this.#keys[i] === key) {
        this.times.set(key, when);
        return this;
      }
    }
    if (this.#hashes[free] === DELETED) this.#tombstones--;
    this.#keys[free] = key;
    this.#hashes[free] = h;
    this.times.set(key, when);
    this.#size++;
    // At most three quarters used, tombstones included: probes stay short and end.
    if (4 * (this.#size + this.#tombstones) > 3 * this.#hashes.length) this.#rehash();
    return this;
  }

  delete(key: string): boolean {
    const slot = this.#find(key, hashKey(key));
    if (slot < 0) return false;
    this.#keys[slot] = undefined;
    this.#hashes[slot] = DELETED;
    this.#size--;
    this.#tombstones++;
    // A table emptied by expiry gives its memory back, as Redis's dict shrinks.
    if (this.#hashes.length > MIN_CAPACITY && 8 * this.#size < this.#hashes.length) this.#rehash();
    return true;
  }

  clear(): void {
    this.#keys = new Array(MIN_CAPACITY).fill(undefined);
    this.#hashes = new Int32Array(MIN_CAPACITY);
    this.#size = 0;
    this.#tombstones = 0;
  }

  /** The entries, read as the table is at each step (see the module's comment). */
  *entries(): IterableIterator<[string, number]> {
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keys[i];
      if (key !== undefined) yield [key, this.times.get(key)!];
    }
  }

  *keys(): IterableIterator<string> {
    for (const key of this.#keys) if (key !== undefined) yield key;
  }

  *values(): IterableIterator<number> {
    for (const [, when] of this.entries()) yield when;
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** The slot holding `key`, whose hashKey is `hash`, or -1. */
  #find(key: string, hash: number): number {
    if (this.#size === 0) return -1;
    const h = hash + 1;
    const hashes = this.#hashes;
    const mask = hashes.length - 1;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const held = hashes[i]!;
      if (held === EMPTY) return -1;
      if (held === h && this.#keys[i] === key) return i;
    }
  }

  /** Places every entry again in a table twice as large as they need, tombstones gone. */
  #rehash(): void {
    let capacity = MIN_CAPACITY;
    while (capacity < 2 * this.#size) capacity *= 2;
    const keys = this.#keys;
    const hashes = this.#hashes;
    this.#keys = new Array(capacity).fill(undefined);
    this.#hashes = new Int32Array(capacity);
    this.#tombstones = 0;
    const mask = capacity - 1;
    for (let j = 0; j < keys.length; j++) {
      const h = hashes[j]!;
      if (h <= EMPTY) continue;
      let i = h & mask;
      while (this.#hashes[i] !== EMPTY) i = (i + 1) & mask;
      this.#keys[i] = keys[j];
      this.#hashes[i] = h;
    }
  }
}
