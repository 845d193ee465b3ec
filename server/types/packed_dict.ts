/**
 * A compact hash table of binary-string fields (each with a value, for
 * hashes; without, for sets), the storage behind RedisHash and RedisSet.
 *
 * Why not a JS Map: a Map entry with two short strings costs ~85 bytes on V8 (three words per
 * entry plus bucket and growth slack, plus 16+ bytes of header per string), against ~64 in
 * Redis. Here each bucket is one binary string holding its entries back to back, listpack style
 * (`tag len field [len value]`, lengths as 7-bit varints, the tag 8 more bits of the field's
 * hash so that a lookup rarely compares a field that differs), so an entry costs its bytes plus
 * three, and a bucket's header is shared by ~4-8 entries. Measured live heap for 1M "element:N"
 * entries: 25 bytes a hash field with a short value, 20 a set member. The price is copying a
 * bucket (~100 bytes) on each write, which is what Redis's listpacks pay too.
 *
 * - Compact mode (hash listpack, set intset): one bucket in insertion order, or sorted
 *   (intsets), until `expand()`.
 * - Resizing is incremental, as Redis's dict: while a resize runs, every write moves a couple
 *   of buckets, so no call stalls on a big table.
 * - An entry whose field or value outgrew LARGE_ENTRY bytes lives in a side Map, so writes to
 *   its bucket neighbours never copy it.
 * - Random picks are uniform (rejection sampling over buckets; a bucket past SAMPLE_BOUND
 *   entries is slightly under-sampled); scans use Redis's reverse-binary cursor.
 */

import { nextCursor, ScanIterator } from "./dict_scan.ts";
import { hashedField, hashField, hashString } from "./dict_hash.ts";
import {
  bucketEntries,
  flat,
  lengthPrefix,
  ONE_BYTE_STRINGS,
  PackedReader,
  picked,
  pickEntry,
  prefixLength,
  sameChars,
  visitEntries,
} from "./packed_record.ts";
import { arrayBytes, MAP_ENTRY_BYTES, objectBytes, stringBytes } from "./memory.ts";
import { integerAt, steppedDigits, stepText } from "./packed_digits.ts";
import {
  addLarge,
  fillTable,
  HashTable,
  LARGE_ENTRY,
  type LargeEntries,
  type LargeEntry,
  MAX_LOAD,
  moveBucket,
} from "./dict_table.ts";

/**
 * Buckets moved per write while a resize runs. One, as Redis: each move's new buckets survive
 * the next scavenge, and two a write put a doubling's copies into fewer, longer pauses.
 */
const REHASH_STEPS = 1;
/** Rejection-sampling bound for uniform random picks (>= almost every bucket's size). */
const SAMPLE_BOUND = 2 * MAX_LOAD;

// Scratch state of the last lookup. Every method that sets it is synchronous
// and reads it before returning, so one copy serves every dict.
const reader = new PackedReader();
/** The table holding the looked-up bucket; undefined for a compact dict's one bucket. */
let foundTable: string[] | undefined;
let foundIndex = 0;
/** The looked-up field's tag byte. */
let foundTag = 0;
let foundEnd = 0;
let foundValueStart = 0;
let foundValueLength = 0;
/** The large entry's field the last #pick took. */
let pickedLarge = "";
/** The last entry #find found: buckets are immutable, so the same bucket and field, same bounds. */
const memo = {
  bucket: "",
  field: "",
  withValues: false,
  at: 0,
  end: 0,
  valueStart: 0,
  valueLength: 0,
};

/** A compact dict: its object (two fields) and one bucket string. */
const COMPACT_BYTES = objectBytes(2);
/** An expanded dict's own objects: the dict and its HashTable. */
const TABLE_BYTES = objectBytes(2) + objectBytes(5);
/** A large entry: its LargeEntry object, Map entry and slot in `fields`. */
const LARGE_ENTRY_BYTES = objectBytes(2) + MAP_ENTRY_BYTES + 8;

/**
 * The table. RedisHash and RedisSet extend it (no wrapper object per key):
 * `withValues` and `sortedCompact` / `compare` say what they store.
 */
export abstract class PackedDict {
  // Two fields, for the many small hashes and sets (each field is 8 bytes).
  /**
   * One bucket string while compact, and while an expanded dict still fits one bucket (a set
   * of three strings is a "hashtable" in Redis 7.0); then the hash table.
   */
  #table: string | HashTable = "";
  /** The entry count, stored as ~count (negative) for an expanded dict in one string. */
  #stored = 0;

  // Methods, not getters: V8 does not inline a private getter (~4 ns a read).
  #count(): number {
    const stored = this.#stored;
    return stored < 0 ? ~stored : stored;
  }

  /** Adds `d` to the count (~count stored: adding to the count subtracts). */
  #addCount(d: number): void {
    this.#stored += this.#stored < 0 ? -d : d;
  }

  /** The hash table's buckets once expanded; undefined while compact. */
  #buckets(): string[] | undefined {
    const table = this.#table;
    return typeof table === "string" ? undefined : table.buckets;
  }

  #compactBucket(): string {
    return this.#table as string;
  }

  /** The table being drained into #buckets while a resize runs. */
  #old(): string[] | undefined {
    const table = this.#table;
    return typeof table === "string" ? undefined : table.old;
  }

  /** Buckets of #old below this index have been moved. */
  #rehashIndex(): number {
    return (this.#table as HashTable).rehashIndex;
  }

  /** Entries kept outside the buckets (only ever in an expanded dict). */
  #large(): LargeEntries | undefined {
    const table = this.#table;
    return typeof table === "string" ? undefined : table.large;
  }

  /** Whether entries carry a value (hashes) or not (sets). */
  protected abstract get withValues(): boolean;

  /** In compact mode, keep entries sorted by `compare` (intsets). */
  protected get sortedCompact(): boolean {
    return false;
  }

  protected compare(_a: string, _b: string): number {
    return 0;
  }

  /** Number of entries. */
  get count(): number {
    return this.#count();
  }

  /** Still one bucket in insertion (or sorted) order: a listpack or intset. */
  get compact(): boolean {
    return typeof this.#table === "string" && this.#stored >= 0;
  }

  /**
   * Each bucket's entry count, per table (DEBUG HTSTATS-KEY): the one a resize
   * drains first (Redis's ht[0]), then the one it fills; undefined while compact.
   * Entries kept outside the buckets (large ones) are in none.
   */
  bucketCounts(): number[][] | undefined {
    const table = this.#table;
    const count = (bucket: string) => visitEntries(bucket, this.withValues, () => {});
    if (typeof table === "string") return this.compact ? undefined : [[count(table)]];
    const buckets = table.buckets.map(count);
    const old = table.old;
    if (old === undefined) return [buckets];
    return [old.map((bucket, i) => i < table.rehashIndex ? 0 : count(bucket)), buckets];
  }

  /**
   * Leaves compact mode: from now on the table grows with its content. The entries are
   * rehashed at once, which also moves out any entry that is large (a compact bucket keeps
   * those inline).
   */
  expand(): void {
    if (!this.compact) return;
    // A short bucket holds no large entry and fits one bucket: it only changes encoding.
    if (this.#count() <= MAX_LOAD && this.#compactBucket().length <= LARGE_ENTRY) {
      this.#stored = ~this.#stored;
      return;
    }
    let size = 1;
    while (size * MAX_LOAD < this.#count()) size *= 2;
    this.#toTable();
    this.#startResize(size);
    while (this.#old() !== undefined) this.#rehashStep();
  }

  /** Moves the one bucket string into a HashTable of one bucket. */
  #toTable(): void {
    const bucket = this.#compactBucket();
    const count = this.#count();
    const table = new HashTable([bucket]);
    table.chars = bucket.length;
    this.#table = table;
    this.#stored = count;
  }

  /** Its V8 heap bytes from its string lengths in O(1) (memory.ts): what used_memory counts. */
  memoryUsage(): number {
    const table = this.#table;
    if (typeof table === "string") return COMPACT_BYTES + stringBytes(table.length);
    const strings = Math.min(this.#count(), table.buckets.length + (table.old?.length ?? 0));
    let bytes = TABLE_BYTES + arrayBytes(table.buckets.length) + table.chars + 20 * strings;
    if (table.old !== undefined) bytes += arrayBytes(table.old.length);
    const large = table.large;
    if (large !== undefined) {
      const n = large.fields.length;
      bytes += arrayBytes(n) + n * (LARGE_ENTRY_BYTES + 2 * stringBytes(0)) + large.chars;
    }
    return bytes;
  }

  // Reads never move buckets, so lookups are safe while entries() runs.

  has(field: string): boolean {
    if (field.length <= LARGE_ENTRY || this.compact) {
      const bucket = this.#locate(field);
      if (bucket.length > 0 && this.#find(bucket, field) >= 0) return true;
    }
    return this.#large()?.map.has(field) ?? false;
  }

  /** The value of `field` ("" in a set), or undefined. */
  get(field: string): string | undefined {
    if (field.length <= LARGE_ENTRY || this.compact) {
      const bucket = this.#locate(field);
      if (bucket.length > 0 && this.#find(bucket, field) >= 0) {
        return this.withValues
          ? bucket.substring(foundValueStart, foundValueStart + foundValueLength)
          : "";
      }
    }
    return this.#large()?.map.get(field)?.value;
  }

  /** The length of `field`'s value without copying it out (HSTRLEN); 0 if missing. */
  valueLength(field: string): number {
    if (field.length <= LARGE_ENTRY || this.compact) {
      const bucket = this.#locate(field);
      if (bucket.length > 0 && this.#find(bucket, field) >= 0) return foundValueLength;
    }
    return this.#large()?.map.get(field)?.value.length ?? 0;
  }

  /**
   * HINCRBY's step where the value lies (packed_digits.ts): a short integer (≤ `maxLength` chars)
   * whose sum keeps its length and sign, in one lookup. The sum; NaN, nothing done, otherwise.
   */
  addInPlace(field: string, increment: number, maxLength: number): number {
    if (!this.withValues || field.length > LARGE_ENTRY) return NaN;
    if (this.#old() !== undefined) this.#rehashStep();
    const bucket = this.#locate(field);
    if (bucket.length === 0 || this.#find(bucket, field) < 0) return NaN;
    const start = foundValueStart;
    const length = foundValueLength;
    const value = length > maxLength ? NaN : integerAt(bucket, start, length);
    const sum = value + increment;
    const digits = Number.isNaN(sum) ? undefined : stepText(value, sum, length);
    if (digits === undefined) return NaN;
    const end = start + length;
    const updated = flat(bucket.slice(0, end - steppedDigits) + digits + bucket.slice(end));
    this.#store(updated);
    // The entry's bounds are as #find left them in the memo, now in the new bucket.
    memo.bucket = updated;
    return sum;
  }

  /** Adds or updates an entry; true if the field is new. */
  set(field: string, value = ""): boolean {
    if (this.#old() !== undefined) this.#rehashStep();
    const compact = this.compact;
    const large = !compact && (field.length > LARGE_ENTRY || value.length > LARGE_ENTRY);
    if (large && typeof this.#table === "string") this.#toTable();
    if (field.length <= LARGE_ENTRY || compact) {
      const bucket = this.#locate(field);
      const at = bucket.length > 0 ? this.#find(bucket, field) : -1;
      if (at >= 0) {
        if (!this.withValues) return false;
        if (large) {
          this.#store(flat(bucket.slice(0, at) + bucket.slice(foundEnd)));
          this.#setLarge(field, value);
        } else if (
          foundValueLength !== value.length || !sameChars(bucket, foundValueStart, value)
        ) {
          // (An equal value stays as it is: no bucket copy, no garbage.)
          // A value of the same length (a counter's usual step) keeps its prefix: one join fewer.
          const head = foundValueLength === value.length
            ? bucket.slice(0, foundValueStart)
            : bucket.slice(0, foundValueStart - prefixLength(foundValueLength)) +
              lengthPrefix(value.length);
          const updated = flat(head + value + bucket.slice(foundEnd));
          this.#store(updated);
          // #find left the entry in the memo: moved to the new bucket, its next read needs no scan.
          memo.bucket = updated;
          memo.valueStart = head.length;
          memo.valueLength = value.length;
          memo.end = memo.valueStart + value.length;
        }
        return false;
      }
    }
    const existing = this.#large()?.map.get(field);
    if (existing !== undefined) {
      this.#large()!.chars += value.length - existing.value.length;
      existing.value = value;
      return false;
    }
    this.#addCount(1);
    if (large) {
      this.#setLarge(field, value);
      return true;
    }
    const bucket = this.#locate(field);
    const tag = ONE_BYTE_STRINGS[foundTag]!;
    const fieldLength = lengthPrefix(field.length);
    const valueLength = this.withValues ? lengthPrefix(value.length) : "";
    // Each insert's lasting garbage is the old bucket only (the `+` nodes die young).
    if (foundTable === undefined && this.sortedCompact && compact) {
      const at = this.#sortedPosition(bucket, field);
      this.#store(
        flat(
          bucket.slice(0, at) + tag + fieldLength + field + valueLength + value + bucket.slice(at),
        ),
      );
    } else {
      this.#store(flat(bucket + tag + fieldLength + field + valueLength + value));
    }
    const buckets = this.#buckets();
    if (buckets === undefined) {
      if (!compact && this.#count() > MAX_LOAD) {
        this.#toTable();
        this.#startResize(2);
      }
    } else if (this.#old() === undefined && this.#count() > buckets.length * MAX_LOAD) {
      this.#startResize(buckets.length * 2);
    }
    return true;
  }

  /** Removes an entry; true if it existed. */
  delete(field: string): boolean {
    if (this.#old() !== undefined) this.#rehashStep();
    let found = false;
    if (field.length <= LARGE_ENTRY || this.compact) {
      const bucket = this.#locate(field);
      const at = bucket.length > 0 ? this.#find(bucket, field) : -1;
      if (at >= 0) {
        this.#store(
          at === 0 && foundEnd === bucket.length
            ? ""
            : flat(bucket.slice(0, at) + bucket.slice(foundEnd)),
        );
        found = true;
      }
    }
    if (!found && !this.#deleteLarge(field)) return false;
    this.#addCount(-1);
    const buckets = this.#buckets();
    if (
      buckets !== undefined && this.#old() === undefined && buckets.length > 1 &&
      this.#count() < buckets.length / 2
    ) {
      let target = 1;
      while (target * MAX_LOAD < this.#count() * 2) target *= 2;
      this.#startResize(target);
    }
    return true;
  }

  /** A uniformly random entry, or undefined when empty. */
  random(): [field: string, value: string] | undefined {
    const bucket = this.#pick();
    if (bucket === undefined) return undefined;
    if (bucket === "") return [pickedLarge, this.#large()!.map.get(pickedLarge)!.value];
    const { fieldStart, valueStart } = picked;
    return [
      bucket.substring(fieldStart, fieldStart + picked.fieldLength),
      this.withValues ? bucket.substring(valueStart, valueStart + picked.valueLength) : "",
    ];
  }

  /** A uniformly random field, or undefined when empty: random() without its pair. */
  randomField(): string | undefined {
    const bucket = this.#pick();
    if (bucket === "") return pickedLarge;
    if (bucket === undefined) return undefined;
    return bucket.substring(picked.fieldStart, picked.fieldStart + picked.fieldLength);
  }

  /**
   * Picks an entry uniformly: returns its bucket with its bounds in `picked`,
   * "" for a large entry (its field in pickedLarge), undefined when empty.
   */
  #pick(): string | undefined {
    const count = this.#count();
    if (count === 0) return undefined;
    const largeCount = this.#large()?.fields.length ?? 0;
    if (largeCount > 0 && Math.random() * count < largeCount) {
      pickedLarge = this.#large()!.fields[randomBelow(largeCount)]!;
      return "";
    }
    const withValues = this.withValues;
    const buckets = this.#buckets();
    if (buckets === undefined) {
      const bucket = this.#compactBucket();
      pickEntry(bucket, randomBelow(count - largeCount), withValues, false);
      return bucket;
    }
    const old = this.#old();
    const oldLive = old === undefined ? 0 : old.length - this.#rehashIndex();
    const slots = oldLive + buckets.length;
    // The smallest entry: a tag and a length (and a value's length).
    const minEntry = withValues ? 3 : 2;
    for (;;) {
      // One draw for the slot and for j, the entry in it.
      const draw = randomBelow(slots * SAMPLE_BOUND);
      const slot = Math.floor(draw / SAMPLE_BOUND);
      const j = draw - slot * SAMPLE_BOUND;
      const bucket = slot < oldLive ? old![this.#rehashIndex() + slot]! : buckets[slot - oldLive]!;
      if (bucket.length === 0) continue;
      // Taking entry j with j uniform below a bound larger than the bucket
      // makes entries equally likely whatever their bucket's size (the rare
      // bucket past the bound draws below its size instead: slightly under-sampled).
      if (pickEntry(bucket, j, withValues, false) <= j) continue;
      const end = withValues
        ? picked.valueStart + picked.valueLength
        : picked.fieldStart + picked.fieldLength;
      // Only a bucket whose rest could hold entries past the bound is counted.
      if (j + 1 + (bucket.length - end) / minEntry > SAMPLE_BOUND) {
        const n = pickEntry(bucket, j, withValues, true);
        if (n > SAMPLE_BOUND) pickEntry(bucket, randomBelow(n), withValues, false);
      }
      return bucket;
    }
  }

  /** Every entry; the dict must not be written during the iteration. */
  *entries(): IterableIterator<[field: string, value: string]> {
    const buckets = this.#buckets();
    if (buckets === undefined) {
      yield* bucketEntries(this.#compactBucket(), this.withValues);
    } else {
      const old = this.#old();
      if (old !== undefined) {
        for (let i = this.#rehashIndex(); i < old.length; i++) {
          yield* bucketEntries(old[i]!, this.withValues);
        }
      }
      for (const bucket of buckets) {
        if (bucket.length > 0) yield* bucketEntries(bucket, this.withValues);
      }
    }
    for (const [field, entry] of this.#large()?.map ?? []) yield [field, entry.value];
  }

  /**
   * Calls `visit` for every entry, in entries() order, without allocating
   * per entry (the reply loops of HGETALL and SMEMBERS). The dict must not
   * be written meanwhile.
   */
  forEach(visit: (field: string, value: string) => void): void {
    const buckets = this.#buckets();
    if (buckets === undefined) {
      this.visitBucket(this.#compactBucket(), visit);
    } else {
      const old = this.#old();
      if (old !== undefined) {
        for (let i = this.#rehashIndex(); i < old.length; i++) this.visitBucket(old[i]!, visit);
      }
      for (const bucket of buckets) {
        if (bucket.length > 0) this.visitBucket(bucket, visit);
      }
    }
    for (const [field, entry] of this.#large()?.map ?? []) visit(field, entry.value);
  }

  /**
   * The buckets while no resize runs and no entry lives outside them (a
   * compact dict's as a table of one), for walks side by side with another
   * dict's (set_algebra.ts); undefined otherwise.
   */
  get plainBuckets(): readonly string[] | undefined {
    if (this.#large() !== undefined || this.#old() !== undefined) return undefined;
    return this.#buckets() ?? [this.#compactBucket()];
  }

  /** Whether some entries live outside the buckets (a field or value over LARGE_ENTRY bytes). */
  get hasLargeEntries(): boolean {
    return this.#large() !== undefined;
  }

  /** Calls `visit` for each entry of a bucket (one from scanBuckets); returns how many. */
  visitBucket(bucket: string, visit: (field: string, value: string) => void): number {
    return visitEntries(bucket, this.withValues, visit);
  }

  /**
   * An iterator for SCAN-style cursors that stays valid while the dict
   * changes: every entry present for the whole scan is returned at least
   * once (possibly more, across a resize), as Redis's dictScan promises.
   */
  scanIterator(): Iterator<[field: string, value: string]> {
    return new ScanIterator(this);
  }

  /** Reports the buckets cursor `v` covers to `visit`; returns the next cursor (0: done). */
  scanBuckets(v: number, visit: (bucket: string) => void): number {
    const buckets = this.#buckets();
    if (buckets === undefined) {
      visit(this.#compactBucket());
      return 0;
    }
    const old = this.#old();
    if (old === undefined) {
      const mask = buckets.length - 1;
      visit(buckets[v & mask]!);
      return nextCursor(v, mask);
    }
    const [small, big] = old.length < buckets.length ? [old, buckets] : [buckets, old];
    const m0 = small.length - 1;
    const m1 = big.length - 1;
    visit(small[v & m0]!);
    do {
      visit(big[v & m1]!);
      v = nextCursor(v, m1);
    } while (v & (m0 ^ m1));
    return v;
  }

  /** Entries kept outside the buckets, as a live Map iterator (for scans). */
  largeEntries(): Iterator<[string, LargeEntry]> | undefined {
    return this.#large()?.map.entries();
  }

  /**
   * Whether this dict is one string the key table may keep without its object
   * (see packed_value.ts): -1 if not, else 0 (compact) or 1 (expanded, one bucket).
   */
  protected packedVariant(): number {
    if (typeof this.#table !== "string") return -1;
    return this.#stored < 0 ? 1 : 0;
  }

  /** The one string, while packedVariant() is not -1. */
  packedData(): string {
    return this.#table as string;
  }

  /** On an empty dict: packedData()'s content, its packedVariant(), and its count if known. */
  protected restorePacked(data: string, variant: number, count = this.#countPacked(data)): void {
    this.#table = data;
    this.#stored = variant === 1 ? ~count : count;
  }

  #countPacked(data: string): number {
    const r = reader;
    r.pos = 0;
    let count = 0;
    while (r.pos < data.length) {
      r.pos++;
      r.skipPart(data);
      if (this.withValues) r.skipPart(data);
      count++;
    }
    return count;
  }

  /** Copies this dict's content into an empty dict of the same kind (clone()). */
  protected copyInto<T extends PackedDict>(copy: T): T {
    const table = this.#table;
    copy.#stored = this.#stored;
    if (typeof table === "string") {
      copy.#table = table;
      return copy;
    }
    const copied = new HashTable(table.buckets.slice());
    copied.old = table.old?.slice();
    copied.rehashIndex = table.rehashIndex;
    copied.chars = table.chars;
    const large = table.large;
    if (large !== undefined) {
      const map = new Map<string, LargeEntry>();
      for (const [field, entry] of large.map) map.set(field, { ...entry });
      copied.large = { map, fields: large.fields.slice(), chars: large.chars };
    }
    copy.#table = copied;
    return copy;
  }

  /**
   * Fills an empty dict without values with distinct `fields` in one pass, as set() calls
   * would but with no bucket copy per entry: one bucket in the given order when `compact`,
   * else a table sized for them. False, and nothing done, if a field is too long for a bucket.
   */
  protected fillDistinct(fields: readonly string[], compact: boolean): boolean {
    if (fields.some((field) => field.length > LARGE_ENTRY)) return false;
    const hashes = fields.map(hashString);
    const entries = fields.map((field, k) =>
      ONE_BYTE_STRINGS[hashes[k]! >>> 24]! + lengthPrefix(field.length) + field
    );
    return this.fillEntries(entries, hashes, Infinity, compact);
  }

  /** fillDistinct from the fields' entries: see fillTable. False, and nothing done, if it declines. */
  protected fillEntries(
    entries: readonly string[],
    at: readonly number[],
    tableSize: number,
    compact = false,
  ): boolean {
    if (this.#count() !== 0 || this.withValues) return false;
    const filled = fillTable(entries, at, tableSize, compact);
    if (filled === undefined) return false;
    this.#table = filled.table;
    this.#stored = filled.stored;
    return true;
  }

  // ---- internals -------------------------------------------------------

  /** The bucket where `field` lives or would be added (sets foundTable/foundIndex). */
  #locate(field: string): string {
    const h = hashField(field);
    foundTag = h >>> 24;
    const buckets = this.#buckets();
    if (buckets === undefined) {
      foundTable = undefined;
      return this.#compactBucket();
    }
    const old = this.#old();
    if (old !== undefined) {
      const i = h & (old.length - 1);
      if (i >= this.#rehashIndex()) {
        foundTable = old;
        foundIndex = i;
        return old[i]!;
      }
    }
    foundTable = buckets;
    foundIndex = h & (buckets.length - 1);
    return buckets[foundIndex]!;
  }

  /** Replaces the bucket found by the last #locate. */
  #store(bucket: string): void {
    if (foundTable === undefined) {
      this.#table = bucket;
    } else {
      (this.#table as HashTable).chars += bucket.length - foundTable[foundIndex]!.length;
      foundTable[foundIndex] = bucket;
    }
  }

  /** Offset of `field`'s entry in `bucket`, or -1; records its bounds. */
  #find(bucket: string, field: string): number {
    // A field found last is found once more from the memo (HINCRBY reads then writes). #locate
    // just hashed `field`: memo.field, kept as hashedField, matches it by identity, not chars.
    const same = bucket === memo.bucket && memo.field === hashedField;
    if (same && this.withValues === memo.withValues) {
      foundEnd = memo.end;
      foundValueStart = memo.valueStart;
      foundValueLength = memo.valueLength;
      return memo.at;
    }
    const at = this.#scan(bucket, field);
    if (at >= 0) {
      memo.bucket = bucket;
      memo.field = hashedField;
      memo.withValues = this.withValues;
      memo.at = at;
      memo.end = foundEnd;
      memo.valueStart = foundValueStart;
      memo.valueLength = foundValueLength;
    }
    return at;
  }

  #scan(bucket: string, field: string): number {
    const length = field.length;
    const tag = foundTag;
    const withValues = this.withValues;
    const end = bucket.length;
    // The hottest loop of hashes and sets: one-byte lengths are read inline.
    let p = 0;
    while (p < end) {
      const at = p;
      let fieldLength = bucket.charCodeAt(p + 1);
      if (fieldLength < 0x80) {
        p += 2;
      } else {
        reader.pos = p + 1;
        fieldLength = reader.readLength(bucket);
        p = reader.pos;
      }
      const fieldStart = p;
      p += fieldLength;
      if (withValues) {
        let valueLength = bucket.charCodeAt(p);
        if (valueLength < 0x80) {
          p++;
        } else {
          reader.pos = p;
          valueLength = reader.readLength(bucket);
          p = reader.pos;
        }
        foundValueLength = valueLength;
        foundValueStart = p;
        p += valueLength;
      }
      if (
        bucket.charCodeAt(at) === tag && fieldLength === length &&
        sameChars(bucket, fieldStart, field)
      ) {
        foundEnd = p;
        return at;
      }
    }
    return -1;
  }

  /** Where `field` goes in a sorted bucket: before the first entry `compare` puts after it. */
  #sortedPosition(bucket: string, field: string): number {
    const r = reader;
    r.pos = 0;
    while (r.pos < bucket.length) {
      const at = r.pos++;
      const length = r.readLength(bucket);
      const other = bucket.substring(r.pos, r.pos + length);
      r.pos += length;
      if (this.withValues) r.skipPart(bucket);
      if (this.compare(field, other) < 0) return at;
    }
    return bucket.length;
  }

  #setLarge(field: string, value: string): void {
    addLarge(this.#table as HashTable, field, value);
  }

  #deleteLarge(field: string): boolean {
    const large = this.#large();
    const entry = large?.map.get(field);
    if (large === undefined || entry === undefined) return false;
    large.map.delete(field);
    large.chars -= field.length + entry.value.length;
    const last = large.fields.pop()!;
    if (last !== field) {
      large.fields[entry.slot] = last;
      large.map.get(last)!.slot = entry.slot;
    }
    if (large.fields.length === 0) (this.#table as HashTable).large = undefined;
    return true;
  }

  #startResize(size: number): void {
    const table = this.#table as HashTable;
    table.old = table.buckets;
    table.rehashIndex = 0;
    table.buckets = new Array<string>(size).fill("");
  }

  /** Moves the next few buckets of the old table into the new one (dict_table.ts moveBucket). */
  #rehashStep(): void {
    const table = this.#table as HashTable;
    const old = table.old!;
    for (let step = 0; step < REHASH_STEPS && table.rehashIndex < old.length; step++) {
      const bucket = old[table.rehashIndex]!;
      old[table.rehashIndex++] = "";
      if (bucket.length > 0) moveBucket(table, bucket, this.withValues);
    }
    if (table.rehashIndex >= old.length) table.old = undefined;
  }
}

function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}
