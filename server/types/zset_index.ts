/**
 * A big sorted set's members, held once as bytes, and its member → score
 * index (Redis's skiplist encoding pairs its skip list with a dict the same
 * way): open addressing with linear probing over typed arrays, members hashed
 * by dict_hash.ts's hashString. The tree's leaves (zset_tree.ts) hold entry
 * ids into this store.
 *
 * Bytes, not strings: a V8 string costs a 12-byte header and rounds up to 8
 * bytes, so a 10-byte member took 24 bytes and a pointer; here it takes its
 * bytes, a length byte and an offset. And a reply copies bytes into the
 * output buffer (Uint8Array to Uint8Array), where a string's chars were read
 * one charCodeAt at a time (most of a ZQUERY pair's cost).
 *
 * Not a Map: V8's Map.get and Map.set internalize a string key, a look-up
 * in the process's string table that, with a request's fresh member, cost
 * most of a ZADD to a 100k-member set. Scores sit in a Float64Array, so a
 * score change allocates nothing.
 *
 * An entry keeps its id until it is deleted (freed ids are reused), so a
 * ZSCAN iterator walking the ids survives writes: an element present for the
 * whole scan is returned; one added meanwhile may or may not be. Ids are
 * compacted only when the table shrinks (the tree, which holds ids, asks for
 * it: see compact), and an iterator that sees it starts over (elements may
 * repeat, none is skipped), as SCAN allows.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { hashBytes, hashCopy, hashString } from "./dict_hash.ts";
import type { MemberStore, PairWriter, RangeWriter } from "./zset_nodes.ts";

/** Slots of a new index; a power of two. */
const MIN_SLOTS = 8;
/** A record's length byte; this value says a 4-byte length follows. */
const LONG_LENGTH = 255;
/** A heap is repacked when dead records take more than half of it, past this size. */
const MIN_REPACK = 1024;

/**
 * An entry's bytes besides its member's: two table ints at a quarter to half
 * full (~24), an offset, a score and a length byte.
 */
export const INDEX_ENTRY_BYTES = 24 + 4 + 8 + 1;

/**
 * The member a look-up or compare was given last, as bytes, and its hash
 * (shared by every index: equal strings have equal bytes). A command's
 * member is read from its string once (hashCopy); the table's probes and the
 * tree's compares then read bytes against bytes, where each charCodeAt checks
 * the string's form (a 20-byte member's equality took ~25 ns that way).
 */
let probe = new Uint8Array(64);
/** probe's bytes read four a step (big-endian: in memcmp's order). */
let probeView = new DataView(probe.buffer);
let probeOf = "";
/** In a typed array: a module variable would box a hash over 2^30. */
const probeHash = Int32Array.of(hashString("") | 0);
/** A probe longer than this is not kept past the next shorter member. */
const PROBE_KEEP = 4096;

/** Makes `member` the probe (a compare's member usually is already: loadProbe). */
function setProbe(member: string): void {
  const len = member.length;
  if (len > probe.length || (probe.length > PROBE_KEEP && len <= PROBE_KEEP)) {
    probe = new Uint8Array(Math.max(64, len));
    probeView = new DataView(probe.buffer);
  }
  probeHash[0] = hashCopy(member, probe);
  probeOf = member;
}

function loadProbe(member: string): void {
  if (member !== probeOf) setProbe(member);
}

export class MemberIndex implements MemberStore {
  /**
   * Two ints a slot: entry id + 1 (0 for an empty slot) and the member's
   * hash, side by side so a probe reads one cache line; at most half full.
   */
  #table = new Int32Array(2 * MIN_SLOTS);
  /** The members' records, `length bytes`, appended at #top; deleted ones are dead until a repack. */
  #heap = new Uint8Array(64);
  #view = new DataView(this.#heap.buffer);
  #top = 0;
  #dead = 0;
  /** Per entry id: its record's offset in #heap (-1 while the id is free) and its score. */
  #offsets = new Int32Array(MIN_SLOTS).fill(-1);
  #scores = new Float64Array(MIN_SLOTS);
  /** Ids handed out so far (live or free). */
  #ids = 0;
  #free: number[] = [];
  #size = 0;
  /** Bumped when ids are compacted (a live iterator starts over). */
  #generation = 0;
  /**
   * The slot idOf() last found, or the empty one its miss ended on: a score
   * change (look-up, then set) finds its entry again without a hash.
   */
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

  /**
   * Room for `count` members in all: the table and per-id arrays sized once
   * (a ZUNIONSTORE result of 20k members rehashed 12 times growing).
   */
  reserve(count: number): void {
    let slots = this.#table.length >> 1;
    while (count * 2 > slots) slots *= 2;
    if (slots > this.#table.length >> 1) this.#rehash(slots);
    if (count > this.#scores.length) this.#growIds(count);
  }

  clone(): MemberIndex {
    const copy = new MemberIndex();
    copy.#table = this.#table.slice();
    copy.#heap = this.#heap.slice(0, Math.max(this.#top, 64));
    copy.#view = new DataView(copy.#heap.buffer);
    copy.#top = this.#top;
    copy.#dead = this.#dead;
    copy.#offsets = this.#offsets.slice();
    copy.#scores = this.#scores.slice();
    copy.#ids = this.#ids;
    copy.#free = this.#free.slice();
    copy.#size = this.#size;
    return copy;
  }

  /** The score of `member`, or undefined when absent. */
  get(member: string): number | undefined {
    const id = this.idOf(member);
    return id < 0 ? undefined : this.#scores[id];
  }

  /** The id of `member`, or -1 when absent. */
  idOf(member: string): number {
    setProbe(member);
    const slot = this.#find();
    // A miss notes the empty slot: set() then skips comparing a stale entry (another record read).
    this.#lastFound = slot < 0 ? ~slot : slot;
    return slot < 0 ? -1 : this.#table[2 * slot]! - 1;
  }

  /** Sets `member`'s score, adding the member if absent; returns its id. */
  set(member: string, score: number): number {
    // The slot may hold another entry by now (or none): its member tells.
    const last = this.#table[2 * this.#lastFound] ?? 0;
    if (last !== 0 && this.compare(last - 1, member) === 0) {
      this.#scores[last - 1] = score;
      return last - 1;
    }
    loadProbe(member);
    const hash = probeHash[0]!;
    const slot = this.#find();
    if (slot >= 0) {
      const id = this.#table[2 * slot]! - 1;
      this.#scores[id] = score;
      return id;
    }
    const id = this.#free.length > 0 ? this.#free.pop()! : this.#newId();
    this.#offsets[id] = this.#append();
    this.#scores[id] = score;
    this.#table[2 * ~slot] = id + 1;
    this.#table[2 * ~slot + 1] = hash;
    if (++this.#size * 4 > this.#table.length) this.#rehash(this.#table.length);
    return id;
  }

  /** The MemberStore's add: a member the caller knows is absent. */
  add(member: string, score: number): number {
    return this.set(member, score);
  }

  scoreOf(id: number): number {
    return this.#scores[id]!;
  }

  setScore(id: number, score: number): void {
    this.#scores[id] = score;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    setProbe(member);
    const slot = this.#find();
    if (slot < 0) return false;
    this.#deleteSlot(slot);
    return true;
  }

  /** Removes the entry of `id` (a live one). */
  deleteId(id: number): void {
    const at = this.start(id);
    const hash = hashBytes(this.#heap, at, this.length(id)) | 0;
    const table = this.#table;
    const mask = (table.length >> 1) - 1;
    let slot = hash & mask;
    while (table[2 * slot] !== id + 1) {
      // An empty slot first would mean an id not live: stop rather than spin.
      if (table[2 * slot] === 0) throw new Error(`zset index: no entry ${id}`);
      slot = (slot + 1) & mask;
    }
    this.#deleteSlot(slot);
  }

  /** Whether enough was deleted that compact() should run (the holder of ids runs it). */
  get sparse(): boolean {
    return this.#table.length > 2 * MIN_SLOTS && this.#size * 16 < this.#table.length;
  }

  // ---- the members' bytes ---------------------------------------------------

  /** The bytes every start() points into (valid until the next add or delete). */
  get heap(): Uint8Array {
    return this.#heap;
  }

  /** Where `id`'s bytes begin in heap. */
  start(id: number): number {
    const at = this.#offsets[id]!;
    return this.#heap[at] === LONG_LENGTH ? at + 5 : at + 1;
  }

  length(id: number): number {
    const heap = this.#heap;
    const at = this.#offsets[id]!;
    const short = heap[at]!;
    if (short !== LONG_LENGTH) return short;
    return (heap[at + 1]! | (heap[at + 2]! << 8) | (heap[at + 3]! << 16) |
      (heap[at + 4]! << 24)) >>>
      0;
  }

  /** The member of `id` as a (binary) string. */
  string(id: number): string {
    const start = this.start(id);
    return bytesToBinary(this.#heap, start, start + this.length(id));
  }

  /** Negative, 0 or positive as `id`'s member sorts before, equal to or after `member` (memcmp). */
  compare(id: number, member: string): number {
    loadProbe(member);
    // The record read once here (no length() and start() calls): the tree's
    // searches compare members whenever scores tie (ZADD of equal scores).
    const bytes = probe;
    const heap = this.#heap;
    const at = this.#offsets[id]!;
    let len = heap[at]!;
    let p = at + 1;
    if (len === LONG_LENGTH) {
      len = this.length(id);
      p = at + 5;
    }
    const n = len < member.length ? len : member.length;
    const view = this.#view;
    const probed = probeView;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const held = view.getUint32(p + i);
      const given = probed.getUint32(i);
      if (held !== given) return held < given ? -1 : 1;
    }
    for (; i < n; i++) {
      const diff = heap[p + i]! - bytes[i]!;
      if (diff !== 0) return diff;
    }
    return len - member.length;
  }

  writePair(id: number, score: number, out: PairWriter): void {
    const heap = this.#heap;
    const at = this.#offsets[id]!;
    const short = heap[at]!;
    const view = this.#view;
    if (short !== LONG_LENGTH) out.bulkBytesAndDouble(heap, view, at + 1, short, score);
    else out.bulkBytesAndDouble(heap, view, at + 5, this.length(id), score);
  }

  writeMember(id: number, out: RangeWriter): void {
    const start = this.start(id);
    out.bulkBytes(this.#heap, start, start + this.length(id));
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
      if (id >= this.#ids) return;
      if (this.#offsets[id] !== -1) yield [this.string(id), this.#scores[id]!];
    }
  }

  /**
   * After many deletes: live entries at ids 0..size-1 (in slot order), a
   * table sized for them and a packed heap. Returns each old id's new one.
   */
  compact(): Int32Array {
    const slots = Math.max(MIN_SLOTS, this.#table.length >> 3);
    const remap = new Int32Array(this.#ids).fill(-1);
    const offsets = new Int32Array(slots).fill(-1);
    const scores = new Float64Array(slots);
    let next = 0;
    const old = this.#table;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const id = old[i]! - 1;
      remap[id] = next;
      offsets[next] = this.#offsets[id]!;
      scores[next] = this.#scores[id]!;
      old[i] = ++next;
    }
    this.#offsets = offsets;
    this.#scores = scores;
    this.#ids = next;
    this.#free = [];
    this.#generation++;
    this.#rehash(slots);
    this.#repack();
    return remap;
  }

  // ---- internals ------------------------------------------------------------

  /** The slot holding the probe's member, or ~slot of the empty slot where it would go. */
  #find(): number {
    const hash = probeHash[0]!;
    const table = this.#table;
    const mask = (table.length >> 1) - 1;
    for (let slot = hash & mask;; slot = (slot + 1) & mask) {
      const entry = table[2 * slot]!;
      if (entry === 0) return ~slot;
      if (table[2 * slot + 1] === hash && this.#equals(entry - 1)) return slot;
    }
  }

  #equals(id: number): boolean {
    const len = probeOf.length;
    const bytes = probe;
    const heap = this.#heap;
    const at = this.#offsets[id]!;
    // A short record's length byte is its length: one read settles most mismatches.
    if (len >= LONG_LENGTH ? this.length(id) !== len : heap[at] !== len) return false;
    const p = len >= LONG_LENGTH ? at + 5 : at + 1;
    const view = this.#view;
    const probed = probeView;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (view.getInt32(p + i) !== probed.getInt32(i)) return false;
    for (; i < len; i++) if (heap[p + i] !== bytes[i]) return false;
    return true;
  }

  #deleteSlot(hole: number): void {
    const table = this.#table;
    const id = table[2 * hole]! - 1;
    this.#dead += this.#recordSize(id);
    this.#offsets[id] = -1;
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
    if (this.#heap.length > MIN_REPACK && this.#dead * 2 > this.#top) this.#repack();
  }

  #recordSize(id: number): number {
    const len = this.length(id);
    return len < LONG_LENGTH ? 1 + len : 5 + len;
  }

  /** Appends the probe's member as a record to the heap; returns its offset. */
  #append(): number {
    const len = probeOf.length;
    const size = len < LONG_LENGTH ? 1 + len : 5 + len;
    if (this.#top + size > this.#heap.length) this.#growHeap(this.#top + size);
    const heap = this.#heap;
    const at = this.#top;
    if (len < LONG_LENGTH) heap[at] = len;
    else {
      heap[at] = LONG_LENGTH;
      heap[at + 1] = len;
      heap[at + 2] = len >>> 8;
      heap[at + 3] = len >>> 16;
      heap[at + 4] = len >>> 24;
    }
    const bytes = probe;
    for (let i = 0, p = at + size - len; i < len; i++) heap[p + i] = bytes[i]!;
    this.#top = at + size;
    return at;
  }

  #growHeap(need: number): void {
    let size = this.#heap.length * 2;
    while (size < need) size *= 2;
    const heap = new Uint8Array(size);
    heap.set(this.#heap.subarray(0, this.#top));
    this.#heap = heap;
    this.#view = new DataView(heap.buffer);
  }

  /** Live records moved together in id order into a heap with a quarter to spare. */
  #repack(): void {
    const live = this.#top - this.#dead;
    const heap = new Uint8Array(Math.max(64, live + (live >> 2)));
    let top = 0;
    for (let id = 0; id < this.#ids; id++) {
      const at = this.#offsets[id]!;
      if (at === -1) continue;
      const size = this.#recordSize(id);
      heap.set(this.#heap.subarray(at, at + size), top);
      this.#offsets[id] = top;
      top += size;
    }
    this.#heap = heap;
    this.#view = new DataView(heap.buffer);
    this.#top = top;
    this.#dead = 0;
  }

  /** A fresh id past the used ones, the per-id arrays grown when full. */
  #newId(): number {
    const id = this.#ids++;
    if (id === this.#scores.length) this.#growIds(id * 2);
    return id;
  }

  #growIds(capacity: number): void {
    const scores = new Float64Array(capacity);
    scores.set(this.#scores.subarray(0, this.#ids));
    this.#scores = scores;
    const offsets = new Int32Array(capacity).fill(-1);
    offsets.set(this.#offsets.subarray(0, this.#ids));
    this.#offsets = offsets;
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
}
