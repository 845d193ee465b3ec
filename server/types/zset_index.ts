/**
 * A big sorted set's member → score index (Redis's skiplist encoding pairs
 * its skip list with a dict the same way): open addressing with linear
 * probing over typed arrays, members hashed by dict_hash.ts's hashString.
 *
 * Not a Map: V8's Map.get and Map.set internalize a string key, a look-up
 * in the process's string table that, with a request's fresh member, cost
 * most of a ZADD to a 100k-member set (Map.get ~500 ns of ~1,750; here the
 * hash, a slot and the entry: ~200). Scores sit in a Float64Array, so a
 * score change allocates nothing (a Map's double value is a new heap number
 * in an old table, one more young object for each scavenge).
 *
 * An entry keeps its id until it is deleted (freed ids are reused), so a
 * ZSCAN iterator walking the ids survives writes: an element present for the
 * whole scan is returned; one added meanwhile may or may not be. Ids are
 * compacted only when the table shrinks, and an iterator that sees it starts
 * over (elements may repeat, none is skipped), as SCAN allows.
 */
import { hashString } from "./dict_hash.ts";

/** Slots of a new index; a power of two. */
const MIN_SLOTS = 8;

export class MemberIndex {
  /**
   * Two ints a slot: entry id + 1 (0 for an empty slot) and the member's
   * hash, side by side so a probe reads one cache line; at most half full.
   */
  #table = new Int32Array(2 * MIN_SLOTS);
  /** Per entry id: the member (undefined while the id is free) and its score. */
  #members: (string | undefined)[] = [];
  #scores = new Float64Array(MIN_SLOTS);
  #free: number[] = [];
  #size = 0;
  /** Bumped when ids are compacted (a live iterator starts over). */
  #generation = 0;
  /** The slot get() last found: a score change (get, then set) finds its entry again without a hash. */
  #lastFound = 0;

  get size(): number {
    return this.#size;
  }

  /** The index of `entries` (distinct members). */
  static from(entries: Iterable<[member: string, score: number]>): MemberIndex {
    const index = new MemberIndex();
    for (const [member, score] of entries) index.set(member, score);
    return index;
  }

  clone(): MemberIndex {
    const copy = new MemberIndex();
    copy.#table = this.#table.slice();
    copy.#members = this.#members.slice();
    copy.#scores = this.#scores.slice();
    copy.#free = this.#free.slice();
    copy.#size = this.#size;
    return copy;
  }

  /** The score of `member`, or undefined when absent. */
  get(member: string): number | undefined {
    const slot = this.#find(member, hashString(member) | 0);
    if (slot < 0) return undefined;
    this.#lastFound = slot;
    return this.#scores[this.#table[2 * slot]! - 1];
  }

  /** Sets `member`'s score, adding the member if absent. */
  set(member: string, score: number): void {
    // The slot may hold another entry by now (or none): its member tells.
    const last = this.#table[2 * this.#lastFound] ?? 0;
    if (last !== 0 && this.#members[last - 1] === member) {
      this.#scores[last - 1] = score;
      return;
    }
    const hash = hashString(member) | 0;
    const slot = this.#find(member, hash);
    if (slot >= 0) {
      this.#scores[this.#table[2 * slot]! - 1] = score;
      return;
    }
    const id = this.#free.length > 0 ? this.#free.pop()! : this.#newId();
    this.#members[id] = member;
    this.#scores[id] = score;
    this.#table[2 * ~slot] = id + 1;
    this.#table[2 * ~slot + 1] = hash;
    if (++this.#size * 4 > this.#table.length) this.#rehash(this.#table.length);
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    let hole = this.#find(member, hashString(member) | 0);
    if (hole < 0) return false;
    const table = this.#table;
    const id = table[2 * hole]! - 1;
    this.#members[id] = undefined;
    this.#free.push(id);
    this.#size--;
    // Backward shift: an entry after the hole moves into it unless its home slot lies between.
    const mask = (table.length >> 1) - 1;
    for (let next = (hole + 1) & mask; table[2 * next] !== 0; next = (next + 1) & mask) {
      const hash = table[2 * next + 1]!;
      if (((next - (hash & mask)) & mask) >= ((next - hole) & mask)) {
        table[2 * hole] = table[2 * next]!;
        table[2 * hole + 1] = hash;
        hole = next;
      }
    }
    table[2 * hole] = 0;
    if (table.length > 2 * MIN_SLOTS && this.#size * 16 < table.length) this.#compact();
    return true;
  }

  /**
   * Every [member, score], in id order; live (see the module's note): the
   * iterator ZSCAN keeps between calls.
   */
  *entries(): IterableIterator<[member: string, score: number]> {
    let generation = this.#generation;
    for (let id = 0;; id++) {
      // Checked first: ids past the compacted ones would end the walk.
      if (this.#generation !== generation) {
        generation = this.#generation;
        id = 0;
      }
      if (id >= this.#members.length) return;
      const member = this.#members[id];
      if (member !== undefined) yield [member, this.#scores[id]!];
    }
  }

  /** The slot holding `member`, or ~slot of the empty slot where it would go. */
  #find(member: string, hash: number): number {
    const table = this.#table;
    const mask = (table.length >> 1) - 1;
    for (let slot = hash & mask;; slot = (slot + 1) & mask) {
      const entry = table[2 * slot]!;
      if (entry === 0) return ~slot;
      if (table[2 * slot + 1] === hash && this.#members[entry - 1] === member) return slot;
    }
  }

  /** A fresh id past the used ones, the score array grown when full. */
  #newId(): number {
    const id = this.#members.length;
    if (id === this.#scores.length) {
      const scores = new Float64Array(id * 2);
      scores.set(this.#scores);
      this.#scores = scores;
    }
    this.#members.push(undefined);
    return id;
  }

  /** The same entries in a table of `slots` slots (a power of two). */
  #rehash(slots: number): void {
    const old = this.#table;
    const table = new Int32Array(2 * slots);
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const hash = old[i + 1]!;
      let slot = hash & mask;
      while (table[2 * slot] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[i]!;
      table[2 * slot + 1] = hash;
    }
    this.#table = table;
  }

  /** After many deletes: live entries at ids 0..size-1 and a table sized for them. */
  #compact(): void {
    const slots = Math.max(MIN_SLOTS, this.#table.length >> 3);
    const members: (string | undefined)[] = [];
    const scores = new Float64Array(slots);
    // New ids in slot order: each slot's id is rewritten as it moves.
    const old = this.#table;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const id = old[i]! - 1;
      scores[members.length] = this.#scores[id]!;
      members.push(this.#members[id]);
      old[i] = members.length;
    }
    this.#members = members;
    this.#scores = scores;
    this.#free = [];
    this.#generation++;
    this.#rehash(slots);
  }
}
