/**
 * The keys and values of one database, packed for memory.
 *
 * Why not a `Map<string, value>`: with 1M keys of 10-byte values a Map costs ~96 bytes a key on the
 * V8 heap (two 32-byte strings and a 30-byte entry), which put the server at 2.2x Redis's RSS. Here
 * a key and its short string value are one record of bytes in 1 MiB arena pages, off the V8 heap
 * (nothing for the GC to trace), found through an open-addressing index of two Uint32Arrays: ~45
 * bytes a key. Values that are not short strings (collections, long strings) stay JS values in a
 * side array the record points to. Records are laid out as record_format.ts describes (written by
 * record_write.ts, edited in place by record_edit.ts); the index's probing is key_slots.ts's.
 */
import { ByteString, StringForm } from "./string.ts";
import { BoxTable } from "./box_table.ts";
import { hashBytes, hashKey, sameAsHashed } from "./key_hash.ts";
import * as keySlots from "./key_slots.ts";
import { compactPage } from "./record_compact.ts";
import { writeRecord } from "./record_write.ts";
import {
  boxedBytes,
  copyToRoom,
  copyWithTime,
  grownCapacity,
  integerSum,
  overwriteInline,
  overwriteSpan,
  releaseRecord,
  roomRecordSize,
  setBoxed,
  setTimeInPlace,
  writeSum,
} from "./record_edit.ts";
import { free, type KeyBytes, PageBytes, pageString, sameBytes } from "./page_bytes.ts";
import {
  boxIndex,
  FLAG_ROOM,
  FLAG_TIME,
  FLAG_TTL,
  FORM_SHIFT,
  HEADER,
  INLINE_MAX,
  isShortString,
  KIND_BIG_KEY,
  KIND_BOXED,
  KIND_INLINE,
  KIND_MASK,
  readVarint2,
  recordSize,
  recordTime,
  setInlineForm,
  TIME_BYTES,
  VALUE_INLINE_MAX,
  writeVarint2,
} from "./record_format.ts";
import { Arena, OFFSET_MASK, PAGE_BITS, PAGE_SIZE } from "./arena.ts";
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import type { BigKeyBox, StoredValue } from "./box_bytes.ts";
export type { StoredValue };
import { LFU_INIT } from "./lfu.ts";
import { touchAccess } from "./record_access.ts";
import type { RedisObject, RedisValue } from "./value.ts";

const MIN_CAPACITY = 8;

// Offsets into a page come from a record's ref or from parsing the record, and
// slot indexes are masked: typed-array reads of them are in range and carry `!`.
export class KeyTable {
  /** Slot i is slots[2i] (record ref, 0 when empty) and slots[2i+1] (the key's hash). */
  #slots: Uint32Array = new Uint32Array(MIN_CAPACITY * 2);
  #mask = MIN_CAPACITY - 1;
  /** A key's home slot is the top bits of its hash: hash >>> shift. */
  #shift = keySlots.slotShift(MIN_CAPACITY);
  #count = 0;
  readonly #arena = new Arena((pageIndex) => this.#maybeCompact(pageIndex));
  #compacting = false;
  readonly #boxes = new BoxTable();
  /** Parse position left by #keyStart (avoids returning pairs on hot paths). */
  #at = 0;
  /** The view getForReply gives an inline string's bytes in. */
  readonly #view = new PageBytes();
  /** Under an LFU maxmemory-policy reads also bump the LFU counter. */
  trackFrequency = false;

  get size(): number {
    return this.#count;
  }

  /** Bytes held by the index and the arena pages (not boxed JS values). */
  get allocatedBytes(): number {
    return this.#slots.byteLength + this.#arena.pageCount * PAGE_SIZE;
  }

  /**
   * What the keyspace costs, as Redis's used_memory counts its dataset: the index, the live records
   * (keys and short strings), and the boxed values at their accounted size (valueBytes), kept up to
   * date by every write here and by reaccount() after a value changed in place. Arena space of dead
   * records awaiting compaction (under a quarter of a page's worth each) is left out, as an
   * allocator's free space is.
   */
  get usedBytes(): number {
    const records = this.#arena.liveBytes;
    const boxes = this.#boxes;
    return this.#slots.byteLength + records + boxes.overheadBytes + boxes.valueBytes;
  }

  /** Accounts again for `key`'s value after a change in place; returns the change in bytes. */
  reaccount(key: string): number {
    // A SET just wrote it inline (the common write): nothing on the heap to recount.
    if (key === this.#inlineKey) return 0;
    const ref = key === this.#gotKey ? this.#gotRef : this.#find(key, hashKey(key));
    if (ref === 0) return 0;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    if ((page[off]! & KIND_MASK) === KIND_INLINE) return 0;
    return this.#boxes.reaccount(boxIndex(page, off));
  }

  // ---- lookups ---------------------------------------------------------

  /**
   * The key, record and slot of the last get() or of a key set() added, until
   * a set(), delete() or clear(): the write after a lookup needs no probe.
   */
  #gotKey: string | undefined;
  #gotRef = 0;
  #gotSlot = 0;

  /** The value at `key` as stored (a long string's ByteString as it is), recording the access. */
  get(key: string): StoredValue | undefined {
    const ref = this.#access(key);
    return ref === 0 ? undefined : this.#value(ref);
  }

  /** The record of `key` (0 if absent), remembered as the last get's and stamped as accessed. */
  #access(key: string): number {
    // As Redis's dictFind: an empty table is not probed, and the key not hashed.
    if (this.#count === 0) return 0;
    const ref = this.#lookup(key);
    if (ref !== 0) touchAccess(this.#pageOf(ref), ref & OFFSET_MASK, this.trackFrequency);
    return ref;
  }

  // #find of `key`, remembered (#foundSlot set too): the same key again before a write (db's TTL
  // check, then its read) costs no second probe.
  #lookup(key: string): number {
    if (key === this.#gotKey && this.#gotRef !== 0) {
      this.#foundSlot = this.#gotSlot;
      return this.#gotRef;
    }
    const ref = this.#find(key, hashKey(key));
    if (ref !== 0) this.#rememberGot(key, ref);
    return ref;
  }

  /** Records `key`'s record, just found by #find, as the last get's (the next set skips a probe). */
  #rememberGot(key: string, ref: number): void {
    this.#gotKey = key;
    this.#gotRef = ref;
    this.#gotSlot = this.#foundSlot;
  }

  /** The value as stored (a ByteString as it is) of the record refAt found; the access recorded. */
  storedOf(ref: number): StoredValue {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    touchAccess(page, off, this.trackFrequency);
    if ((page[off]! & KIND_MASK) !== KIND_BOXED) return this.#value(ref);
    return this.#boxes.unbox(this.#heldBox = boxIndex(page, off)) as StoredValue;
  }

  /** storedOf of a boxed record without FLAG_TTL (a collection's, most often); else undefined, nothing done. */
  boxedOf(ref: number): StoredValue | undefined {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    if ((page[off]! & (KIND_MASK | FLAG_TTL)) !== KIND_BOXED) return undefined;
    touchAccess(page, off, this.trackFrequency);
    return this.#boxes.unbox(this.#heldBox = boxIndex(page, off)) as StoredValue;
  }

  /** The box storedOf or boxedOf found last: reaccountAt checks it still holds the value written. */
  #heldBox = 0;

  /** reaccount() of `key` holding `value`, changed in place: by the box storedOf found while it holds it. */
  reaccountAt(key: KeyBytes, value: RedisObject): number {
    const box = this.#heldBox;
    if (this.#boxes.values[box] !== value) return this.reaccount(key.string());
    return this.#boxes.reaccountHeld(box, value);
  }

  /**
   * The value of the record `ref` (0: undefined) for a reply, the access recorded: an inline string
   * as the view of its bytes (one PageBytes for all calls), copied out before the table changes.
   */
  getForReplyOf(ref: number): RedisValue | PageBytes | undefined {
    if (ref === 0) return undefined;
    touchAccess(this.#pageOf(ref), ref & OFFSET_MASK, this.trackFrequency);
    return this.#forReply(ref);
  }

  #forReply(ref: number): RedisValue | PageBytes {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    if ((page[off]! & KIND_MASK) === KIND_INLINE) {
      const len = this.#inlineValue(page, off);
      return this.#view.at(page, this.#at, this.#at + len);
    }
    const value = this.#value(ref);
    // A long string kept as bytes is viewed where they lie too: no text made of them.
    return value instanceof ByteString ? this.#view.at(value.bytes, 0, value.length) : value;
  }

  /** The value at `key` as stored (see get) without recording an access (OBJECT, TYPE, TTL). */
  peek(key: string): StoredValue | undefined {
    const ref = this.#lookup(key);
    return ref === 0 ? undefined : this.#value(ref);
  }

  /**
   * The string at `key` as bytes (a copy of a short one), recording the
   * access; other types come back as is.
   */
  bytes(key: string): ByteString | RedisObject | undefined {
    const ref = this.#access(key);
    if (ref === 0) return undefined;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind !== KIND_INLINE) return boxedBytes(this.#boxes, page, off, kind);
    const len = this.#inlineValue(page, off);
    // A byte of room after the value: a HyperLogLog over it (PFADD, PFCOUNT) writes a zero
    // there, and would otherwise copy the value once more to make the room.
    const bytes = new Uint8Array(len + 1);
    bytes.set(page.subarray(this.#at, this.#at + len));
    return new ByteString(bytes, len);
  }

  /**
   * bytes() for a read that ends before the table next changes (GETBIT, BITCOUNT...): where the
   * string's bytes lie, in its page or in its ByteString's buffer, as the same PageBytes each call;
   * nothing copied or allocated (a subarray and its ByteString were a tenth of a GETBIT).
   */
  viewBytes(key: string): PageBytes | RedisObject | undefined {
    const ref = this.#access(key);
    if (ref === 0) return undefined;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_INLINE) {
      const len = this.#inlineValue(page, off);
      return this.#bytesView.at(page, this.#at, this.#at + len);
    }
    const value = boxedBytes(this.#boxes, page, off, kind);
    return value instanceof ByteString ? this.#bytesView.at(value.bytes, 0, value.length) : value;
  }

  /** The view viewBytes and editBytes give (a second one: a GET's view may be in use). */
  readonly #bytesView = new PageBytes();

  /**
   * The string at `key` to edit in place (SETBIT...), with one probe, made Raw: a short one grown
   * to `length` bytes at least (editInline's) as a view of its record's bytes until the table next
   * changes (boxed, small bitmaps took 2.6x Redis's memory); a longer one as its boxed ByteString,
   * accounted after a write by reaccount(key). Other types as they are. `editGrew`: it lengthened.
   */
  editBytes(key: string, length: number): PageBytes | ByteString | RedisObject | undefined {
    const ref = this.#access(key);
    if (ref === 0) return undefined;
    this.#inlineKey = undefined;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_INLINE) {
      const len = this.#inlineValue(page, off);
      this.editGrew = len < length;
      if (this.editInlineOf(ref, key.length, length, "") !== undefined) return this.#bytesView;
      const value = new ByteString(page.slice(this.#at, this.#at + len));
      this.#set(key, value, StringForm.Raw, true);
      return value;
    }
    const value = boxedBytes(this.#boxes, page, off, kind);
    if (value instanceof ByteString) {
      page[off] = kind | (StringForm.Raw << FORM_SHIFT) | (page[off]! & (FLAG_TTL | FLAG_TIME));
    }
    return value;
  }

  /** Gives `key`'s record expiry time `when` and FLAG_TTL (db's setExpire), moved if it had none. */
  setTime(key: string, when: number): void {
    const ref = this.#lookup(key);
    if (ref === 0 || setTimeInPlace(this.#pageOf(ref), ref & OFFSET_MASK, when)) return;
    const slot = this.#foundSlot;
    const size = recordSize(this.#pageOf(ref), ref & OFFSET_MASK);
    const fresh = this.#arena.reserve(size + TIME_BYTES);
    // Opening a page for it may have compacted the old record elsewhere.
    const live = this.#slots[slot * 2]!;
    const page = this.#pageOf(live);
    copyWithTime(this.#pageOf(fresh), fresh & OFFSET_MASK, page, live & OFFSET_MASK, size, when);
    this.#slots[slot * 2] = fresh;
    this.#gotKey = undefined;
    this.#maybeCompact(this.#arena.release(live, size));
  }

  /** Whether the last editBytes lengthened a short string. */
  editGrew = false;

  /** Whether `key` is present; remembered as the last get's, for the write that often follows (SET NX/EX). */
  has(key: string): boolean {
    return this.#lookup(key) !== 0;
  }

  /**
   * The record of a key given as its bytes (0 if absent), valid until the table next changes:
   * a lookup checks its TTL flag (keytable_access.ts hasTtl) and goes on with storedOf,
   * getForReplyOf or addToIntegerOf.
   */
  refAt(key: KeyBytes): number {
    return this.#count === 0 ? 0 : this.#findAt(key);
  }

  /** The ref of `key`'s record (0 if absent), for keytable_access.ts; pageOf gives its page. */
  refOf(key: string): number {
    return this.#lookup(key);
  }

  // ---- writes ----------------------------------------------------------

  /** The key the last set() stored inline; cleared by anything else that writes. */
  #inlineKey: string | undefined;

  /**
   * Stores `value` at `key`; `form` records how a string was made, for OBJECT ENCODING. Returns
   * true if the key is new. An overwrite keeps the LFU counter, as Redis's dbSetValue does.
   */
  set(key: string, value: StoredValue, form = StringForm.Encoded, time?: number): boolean {
    return this.#set(key, value, form, false, time);
  }

  /** set() that keeps the key's FLAG_TTL (a write that keeps its TTL: SET KEEPTTL, INCR...). */
  replace(key: string, value: StoredValue, form = StringForm.Encoded): boolean {
    return this.#set(key, value, form, true);
  }

  /** set() of a string's bytes (BITOP's): no JS string made and encoded back when short. */
  setBytes(key: string, bytes: Uint8Array, form: StringForm): boolean {
    const inline = bytes.length <= VALUE_INLINE_MAX && key.length <= INLINE_MAX;
    return this.#set(key, inline ? bytes : bytesToBinary(bytes), form, false);
  }

  /**
   * setBytes() of bytes [from, to) of `bytes` (SET's value, from its request), Encoded: over an
   * inline value of that length copied in place, else set() at the record just found.
   */
  setSpan(key: string, bytes: Uint8Array, from: number, to: number): boolean {
    const ref = key === this.#gotKey ? this.#gotRef : this.#find(key, hashKey(key));
    if (ref !== 0) {
      const page = this.#pageOf(ref);
      const off = ref & OFFSET_MASK;
      if ((page[off]! & KIND_MASK) === KIND_INLINE && this.#inlineValue(page, off) === to - from) {
        // A short one by a loop, no view made (copyBytes).
        overwriteSpan(page, off, this.#at, bytes, from, to);
        page[off] = page[off]! & ~FLAG_TTL;
        return false;
      }
    }
    // The probe just made serves set() (a new key: inserted at the slot it ended at).
    this.#rememberGot(key, ref);
    return this.setBytes(key, bytes.subarray(from, to), StringForm.Encoded);
  }

  /**
   * set() and replace(): `keepTtl` keeps an overwritten record's FLAG_TTL; `time`, the TTL about
   * to be set (SET EX, a load), goes in a record written here, which setTime() then fills in place.
   */
  #set(
    key: string,
    value: StoredValue | Uint8Array,
    form: StringForm,
    keepTtl: boolean,
    time?: number,
  ): boolean {
    const got = key === this.#gotKey;
    this.#gotKey = undefined;
    const short = isShortString(value);
    this.#inlineKey = short && key.length <= INLINE_MAX ? key : undefined;
    const h = hashKey(key);
    const ref = got ? this.#gotRef : this.#find(key, h);
    if (ref === 0) {
      const fresh = writeRecord(this.#arena, this.#boxes, key, value, form, LFU_INIT, time);
      this.#foundSlot = this.#insert(h, fresh);
      this.#rememberGot(key, fresh);
      return true;
    }
    const slot = got ? this.#gotSlot : this.#foundSlot;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    const counter = page[off + 4]!;
    const ttl = keepTtl ? page[off]! & FLAG_TTL : 0;
    // Same-length overwrites (the common SET pattern) rewrite in place.
    if (short && this.#writeOver(page, off, value, form)) {
      if (ttl === 0) page[off] = page[off]! & ~FLAG_TTL;
      return false;
    }
    if (kind !== KIND_INLINE && !short) {
      // Boxed stays boxed: swap the value in the box (never a Uint8Array, which is short).
      setBoxed(this.#boxes, page, off, value as StoredValue, form, ttl);
      return false;
    }
    // A TTL kept keeps its time (record_format.ts FLAG_TIME).
    const kept = ttl !== 0 && page[off]! & FLAG_TIME ? recordTime(page, off) : undefined;
    const fresh = writeRecord(this.#arena, this.#boxes, key, value, form, counter, time ?? kept);
    this.#pageOf(fresh)[fresh & OFFSET_MASK]! |= ttl;
    // Opening a page for the write may have compacted the old record elsewhere.
    const live = this.#slots[slot * 2]!;
    this.#slots[slot * 2] = fresh;
    this.#maybeCompact(this.#release(live));
    return false;
  }

  /**
   * set() of a short string at a key given as its bytes (a request's): a value of the same
   * length is written in place, a new key's record gets the key's string (key.string()) and the
   * slot its probe ended at; anything else is set() with the key found. True if `key` was added.
   */
  setAt(key: KeyBytes, value: string, form: StringForm): boolean | undefined {
    return this.#setFound(key, this.#findAt(key), value, form);
  }

  /** setAt() of the record #findAt just found for `key` (0: none). */
  #setFound(key: KeyBytes, ref: number, value: string, form: StringForm): boolean | undefined {
    const short = isShortString(value);
    if (ref !== 0) {
      const page = this.#pageOf(ref);
      const off = ref & OFFSET_MASK;
      if (page[off]! & FLAG_TTL) return undefined;
      if (short && this.#writeOver(page, off, value, form)) return false;
      this.#rememberGot(key.string(), ref);
      return this.#set(key.string(), value, form, false);
    }
    if (!short) return this.#set(key.string(), value, form, false);
    const name = key.string();
    this.#gotKey = undefined;
    this.#inlineKey = name.length <= INLINE_MAX ? name : undefined;
    const fresh = writeRecord(this.#arena, this.#boxes, name, value, form, LFU_INIT);
    this.#foundSlot = this.#insert(this.#probeHash, fresh);
    this.#rememberGot(name, fresh);
    return true;
  }

  /**
   * setAt() of a value given as bytes [from, to) of `bytes` (MSET's, from its request): one
   * written over an inline value of its length makes no string; anything else is setAt()'s.
   */
  setSpanAt(key: KeyBytes, bytes: Uint8Array, from: number, to: number): boolean | undefined {
    const ref = this.#findAt(key);
    if (ref !== 0) {
      const page = this.#pageOf(ref);
      const off = ref & OFFSET_MASK;
      const plain = (page[off]! & (FLAG_TTL | KIND_MASK)) === KIND_INLINE;
      if (plain && this.#inlineValue(page, off) === to - from) {
        overwriteSpan(page, off, this.#at, bytes, from, to);
        return false;
      }
    }
    // The value's string: a subarray() for writeRecord costs more than a short string.
    return this.#setFound(key, ref, bytesToBinary(bytes, from, to), StringForm.Encoded);
  }

  /**
   * INCRBY's edit: when `key` holds an inline integer readSmallInteger takes,
   * stores it plus `delta` (|delta| < 1e15: the sum is exact) as an int-encoded
   * string and returns the sum; else undefined, nothing touched. Digits of
   * unchanged length overwrite the old ones, as Redis edits an int in place.
   */
  addToInteger(key: string, delta: number): number | undefined {
    return this.#addToInteger(this.#lookup(key), delta, key);
  }

  /**
   * addToInteger of the record refAt found (0: undefined), its key given as bytes; also
   * undefined, nothing touched, when the sum's length differs (the record is written again,
   * which needs the key's string).
   */
  addToIntegerOf(ref: number, delta: number): number | undefined {
    return this.#addToInteger(ref, delta, undefined);
  }

  #addToInteger(ref: number, delta: number, key: string | undefined): number | undefined {
    if (ref === 0) return undefined;
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    if ((page[off]! & KIND_MASK) !== KIND_INLINE) return undefined;
    const len = this.#inlineValue(page, off);
    const sum = integerSum(page, this.#at, len, delta);
    if (sum === undefined) return undefined;
    const written = writeSum(page, off, this.#at, len, sum, delta);
    // A sum of another length is written as a new record, which needs the key's string.
    if (!written && key === undefined) return undefined;
    touchAccess(page, off, this.trackFrequency);
    if (!written) {
      this.#rememberGot(key!, ref);
      this.#set(key!, String(sum), StringForm.Encoded, true);
      return sum;
    }
    this.#gotKey = undefined;
    this.#inlineKey = key;
    return sum;
  }

  /**
   * APPEND's and SETRANGE's edit of an inline string: writes `patch` at `offset` (at the end when
   * -1), zero-filling any gap, and returns the new length; undefined, nothing touched, when `key`
   * is absent, not inline, or would outgrow VALUE_INLINE_MAX. A string that grows past its record
   * moves to one with room for twice its length, as Redis's sdsMakeRoomFor grows greedily: a run of
   * appends then rewrites no record (none left dead to compact). The string becomes Raw.
   */
  editInline(key: string, offset: number, patch: string | Uint8Array): number | undefined {
    // A write after a read of the key (PFADD's) skips the probe the read made.
    const ref = this.#lookup(key);
    const length = this.editInlineOf(ref, key.length, offset, patch);
    if (length !== undefined) this.#inlineKey = key;
    return length;
  }

  /** editInline of the record refAt found (0: undefined) for a key of `keyLen` bytes. */
  editInlineOf(ref: number, keyLen: number, offset: number, patch: string | Uint8Array) {
    if (ref === 0) return undefined;
    let page = this.#pageOf(ref);
    let off = ref & OFFSET_MASK;
    if ((page[off]! & KIND_MASK) !== KIND_INLINE) return undefined;
    const len = this.#inlineValue(page, off);
    const start = offset < 0 ? len : offset;
    const length = Math.max(len, start + patch.length);
    if (length > VALUE_INLINE_MAX) return undefined;
    touchAccess(page, off, this.trackFrequency);
    if (length > (page[off]! & FLAG_ROOM ? readVarint2(page, this.#at - keyLen - 2) : len)) {
      const timed = (page[off]! & FLAG_TIME) !== 0;
      const fresh = this.#moveToRoom(keyLen, this.#foundSlot, len, grownCapacity(length), timed);
      page = this.#pageOf(fresh);
      off = fresh & OFFSET_MASK;
    }
    const at = this.#at;
    if (length > len) {
      writeVarint2(page, at - keyLen - 4, length);
      page.fill(0, at + len, at + start);
    }
    if (typeof patch === "string") writeBinary(page, at + start, patch);
    else page.set(patch, at + start);
    setInlineForm(page, off, StringForm.Raw);
    this.#gotKey = undefined;
    this.#bytesView.at(page, at, at + length);
    return length;
  }

  /**
   * Rewrites the inline record in `slot` (its key `keyLen` bytes) as one with room for
   * `capacity` bytes, its first `len` value bytes copied; returns its ref, #at at its value.
   */
  #moveToRoom(keyLen: number, slot: number, len: number, capacity: number, timed: boolean) {
    const fresh = this.#arena.reserve(roomRecordSize(keyLen, capacity, timed));
    // Opening a page for it may have compacted the old record elsewhere.
    const live = this.#slots[slot * 2]!;
    const page = this.#pageOf(live);
    const old = live & OFFSET_MASK;
    this.#inlineValue(page, old);
    const target = this.#pageOf(fresh);
    const at = copyToRoom(target, fresh & OFFSET_MASK, page, old, this.#at, keyLen, len, capacity);
    this.#slots[slot * 2] = fresh;
    this.#maybeCompact(this.#release(live));
    this.#at = at;
    return fresh;
  }

  delete(key: string): boolean {
    this.#inlineKey = undefined;
    this.#gotKey = undefined;
    return this.#deleteFound(this.#find(key, hashKey(key)));
  }

  /**
   * delete() of a key given as its bytes (a request's: no string made), at the slot its probe
   * found; undefined, nothing done, for a key with FLAG_TTL (its time may have passed: the
   * caller decides by its string).
   */
  deleteAt(key: KeyBytes): boolean | undefined {
    const ref = this.refAt(key);
    if (ref !== 0 && (this.#pageOf(ref)[ref & OFFSET_MASK]! & FLAG_TTL) !== 0) return undefined;
    this.#inlineKey = undefined;
    this.#gotKey = undefined;
    return this.#deleteFound(ref);
  }

  /** Deletes the record `ref` the last probe found in #foundSlot; false when 0 (absent). */
  #deleteFound(ref: number): boolean {
    if (ref === 0) return false;
    const released = this.#release(ref);
    keySlots.removeSlot(this.#slots, this.#mask, this.#shift, this.#foundSlot);
    if (--this.#count === 0) {
      // Nothing live: every page back but one (allocating a page for the next key cost ~10 µs).
      this.clear(true);
      return true;
    }
    this.#maybeCompact(released);
    this.#maybeShrink();
    return true;
  }

  /** Empties the table; `emptied` (its last key deleted) keeps a page, a small table in place. */
  clear(emptied = false): void {
    this.#inlineKey = undefined;
    this.#gotKey = undefined;
    this.#count = 0;
    // Typed arrays made again cost ~1 µs: a key set and deleted in a loop paid it each time.
    const small = this.#mask + 1 === MIN_CAPACITY && this.#boxes.values.length <= MIN_CAPACITY;
    if (emptied && small && this.#boxes.trimFreed()) {
      this.#slots.fill(0);
      return this.#arena.rewind();
    }
    free(this.#slots);
    if (emptied) this.#arena.rewind();
    else this.#arena.clear();
    this.#slots = new Uint32Array(MIN_CAPACITY * 2);
    this.#mask = MIN_CAPACITY - 1;
    this.#shift = keySlots.slotShift(MIN_CAPACITY);
    this.#boxes.clear();
  }

  // ---- for the walks of keytable_keys.ts (SCAN, random keys, eviction samples) ----

  /** The index: slot i is slots[2i] (a record ref, 0 when empty) and slots[2i+1] (its key's hash). Read only. */
  get slots(): Uint32Array {
    return this.#slots;
  }

  /** A key's home slot is the top bits of its hash: hash >>> shift. */
  get shift(): number {
    return this.#shift;
  }

  /** The key of the record at `ref` (from slots). */
  keyOf(ref: number): string {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_BIG_KEY) return (this.#boxes.values[boxIndex(page, off)] as BigKeyBox).key;
    const len = this.#keyBytes(page, off, kind);
    return pageString(page, this.#at, this.#at + len);
  }

  /** The page of the record at `ref`; it starts at ref & OFFSET_MASK there. */
  pageOf(ref: number): Uint8Array {
    return this.#pageOf(ref);
  }

  /** The boxes the records point to; read only (MEMORY USAGE's accounts, keytable_access.ts). */
  get boxes(): BoxTable {
    return this.#boxes;
  }

  /** The share of the bytes written into the page of `ref` that dead records hold (0..1). */
  deadShare(ref: number): number {
    return this.#arena.deadShare(ref);
  }

  // ---- index -----------------------------------------------------------

  /** Slot of the last successful #find. */
  #foundSlot = 0;

  /** The hash of the key refAt looked for last (setAt inserts a new key by it). */
  #probeHash = 0;

  /** #find of a key given as its bytes. */
  #findAt(key: KeyBytes): number {
    const h = this.#probeHash = hashBytes(key.bytes, key.start, key.end);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = h >>> this.#shift;; i = (i + 1) & mask) {
      const ref = slots[i * 2]!;
      if (ref === 0) return 0;
      if (slots[i * 2 + 1] === h && this.#keyEqualsAt(ref, key)) {
        this.#foundSlot = i;
        return ref;
      }
    }
  }

  /** The record ref of `key` (0 if absent); sets #foundSlot. */
  #find(key: string, h: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = h >>> this.#shift;; i = (i + 1) & mask) {
      const ref = slots[i * 2]!;
      if (ref === 0) return 0;
      if (slots[i * 2 + 1] === h && this.#keyEquals(ref, key)) {
        this.#foundSlot = i;
        return ref;
      }
    }
  }

  #insert(h: number, ref: number): number {
    if ((this.#count + 1) * 4 > (this.#mask + 1) * 3) this.#resize((this.#mask + 1) * 2);
    this.#count++;
    const slot = keySlots.placeSlot(this.#slots, this.#mask, this.#shift, h, ref);
    if (!keySlots.crowded(slot, h, this.#mask, this.#shift, this.#count)) return slot;
    this.#resize((this.#mask + 1) * 2);
    return keySlots.slotOfRef(this.#slots, this.#mask, this.#shift, ref, h);
  }

  #resize(capacity: number): void {
    const old = this.#slots;
    this.#slots = keySlots.rehashedSlots(old, capacity);
    this.#mask = capacity - 1;
    this.#shift = keySlots.slotShift(capacity);
    free(old);
  }

  #maybeShrink(): void {
    const target = keySlots.shrunkCapacity(this.#mask + 1, this.#count, MIN_CAPACITY);
    if (target !== 0) this.#resize(target);
  }

  // ---- records ---------------------------------------------------------

  #pageOf(ref: number): Uint8Array {
    return this.#arena.pages[(ref >>> PAGE_BITS) - 1]!;
  }

  /** Parses the key length of the record at `off`; leaves #at after it. */
  #keyStart(page: Uint8Array, off: number): number {
    let p = off + HEADER;
    let len = page[p++]!;
    if (len & 0x80) len = (len & 0x7f) | (page[p++]! << 7);
    this.#at = p;
    return len;
  }

  /** The key length of an inline or boxed record; leaves #at at the key's first byte. */
  #keyBytes(page: Uint8Array, off: number, kind: number): number {
    const len = this.#keyStart(page, off);
    // Between the two: an inline value's length (1 or 2 bytes) and any capacity (2), or a box index (4).
    if (kind !== KIND_INLINE || page[off]! & FLAG_ROOM) this.#at += 4;
    else this.#at += page[this.#at]! & 0x80 ? 2 : 1;
    return len;
  }

  /** The hash of the key of the record at `off` of `page` (page compaction finds its slot by it). */
  #recordHash(page: Uint8Array, off: number): number {
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_BIG_KEY) {
      return hashKey((this.#boxes.values[boxIndex(page, off)] as BigKeyBox).key);
    }
    const keyLen = this.#keyBytes(page, off, kind);
    return hashBytes(page, this.#at, this.#at + keyLen);
  }

  #keyEquals(ref: number, key: string): boolean {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_BIG_KEY) {
      return (this.#boxes.values[boxIndex(page, off)] as BigKeyBox).key === key;
    }
    const len = this.#keyBytes(page, off, kind);
    return len === key.length && sameBytes(page, this.#at, key);
  }

  /**
   * #keyEquals of a key given as its bytes (kept apart: the string one stays small enough to
   * inline), for #findAt only: it compares with the words the key's hash kept (sameAsHashed).
   */
  #keyEqualsAt(ref: number, key: KeyBytes): boolean {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    const len = key.end - key.start;
    if (kind === KIND_BIG_KEY) {
      const stored = (this.#boxes.values[boxIndex(page, off)] as BigKeyBox).key;
      return stored.length === len && sameBytes(key.bytes, key.start, stored);
    }
    return this.#keyBytes(page, off, kind) === len &&
      sameAsHashed(page, this.#at, key.bytes, key.start, len);
  }

  #value(ref: number): StoredValue {
    const page = this.#pageOf(ref);
    const off = ref & OFFSET_MASK;
    const kind = page[off]! & KIND_MASK;
    if (kind === KIND_BIG_KEY) return (this.#boxes.values[boxIndex(page, off)] as BigKeyBox).value;
    if (kind !== KIND_INLINE) return this.#boxes.unbox(boxIndex(page, off)) as StoredValue;
    const len = this.#inlineValue(page, off);
    return pageString(page, this.#at, this.#at + len);
  }

  /** Writes `value` over an inline value of its length at `off`; false if it is not one. */
  #writeOver(page: Uint8Array, off: number, value: string | Uint8Array, form: StringForm): boolean {
    if ((page[off]! & KIND_MASK) !== KIND_INLINE) return false;
    if (this.#inlineValue(page, off) !== value.length) return false;
    overwriteInline(page, off, this.#at, value, form);
    return true;
  }

  /** The length of an inline record's value; leaves #at at its first byte. */
  #inlineValue(page: Uint8Array, off: number): number {
    const keyLen = this.#keyStart(page, off);
    let p = this.#at;
    let len = page[p++]!;
    if (len & 0x80) len = (len & 0x7f) | (page[p++]! << 7);
    this.#at = p + keyLen + (page[off]! & FLAG_ROOM ? 2 : 0);
    return len;
  }

  /** Marks a record dead and frees its box; returns its page. */
  #release(ref: number): number {
    const size = releaseRecord(this.#boxes, this.#pageOf(ref), ref & OFFSET_MASK);
    return this.#arena.release(ref, size);
  }

  /** Compacts the page the arena picks after a death in `pageIndex`, if any. */
  #maybeCompact(pageIndex: number): void {
    if (this.#compacting) return;
    const target = this.#arena.toCompact(pageIndex);
    if (target >= 0) this.#compact(target);
  }

  /** Moves a page's live records to the page being filled, and frees it. */
  #compact(pageIndex: number): void {
    this.#compacting = true;
    const hash = (page: Uint8Array, off: number) => this.#recordHash(page, off);
    compactPage(this.#arena, this.#slots, this.#mask, this.#shift, pageIndex, hash);
    this.#compacting = false;
  }
}
