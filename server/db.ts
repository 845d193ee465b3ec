/**
 * One numbered database: the keyspace and its expiry times.
 *
 * Keys and values live in a KeyTable (server/types/keytable.ts), which packs
 * short strings into arena pages for memory and keeps Map's method names
 * (`get`, `set`, `has`, `delete`, `keys`, `entries`, `size`...). Use the
 * Database methods, which add expiry, rather than `dict` directly. Which keys
 * have a TTL is kept in a separate ExpireTable, as Redis keeps its `expires`
 * dict, so keys without one pay nothing for the feature; a key's record in the
 * KeyTable carries a flag while it has one (setExpire, removeExpire; set()
 * clears it) and ends with its time (record_format.ts FLAG_TIME), which a
 * lookup reads beside the record it found.
 */
import {
  countOf,
  frequency,
  hasTtl,
  idleSeconds,
  markTtl,
  recordTimes,
  setKeyAccess,
  stringForm,
  ttlTimeOf,
  typeOf,
  valueToRead,
} from "./types/keytable_access.ts";
import { CommandError, WRONGTYPE } from "./errors.ts";
import { KeyTable, type StoredValue } from "./types/keytable.ts";
import { VALUE_INLINE_MAX } from "./types/record_format.ts";
import { hasType, valueOf } from "./types/box_bytes.ts";
import { ByteString, StringForm } from "./types/string.ts";
import type { RedisObject, RedisValue } from "./types/value.ts";
import { commandTime } from "./types/access_clock.ts";
import { type KeyBytes, PageBytes } from "./types/page_bytes.ts";
import { randomTableKey } from "./types/keytable_keys.ts";
import { ExpireTable } from "./types/expire_table.ts";

/** What a collection's lookup returns for another type's key (readObject, getObjectAt, ...). */
export const WRONG_TYPE: unique symbol = Symbol("WRONGTYPE");
export type WrongType = typeof WRONG_TYPE;

/**
 * `value`, or WRONGTYPE thrown for WRONG_TYPE: for a reader deep in a command
 * (set algebra's keys, streams) or on a path also taken for a blocked client.
 */
export function typed<T>(value: T | WrongType): T {
  if (value === WRONG_TYPE) throw new CommandError(WRONGTYPE);
  return value;
}

/** The length of a stored string (kept as bytes or not); WRONG_TYPE for a collection. */
function lengthOf(value: StoredValue | undefined): number | undefined | WrongType {
  if (value === undefined || typeof value === "string") return value?.length;
  return value instanceof ByteString ? value.length : WRONG_TYPE;
}

/** What a database tells the rest of the server. */
export interface KeyspaceHooks {
  /** A key vanished because its TTL passed (lazy or active expiry). */
  expired(db: Database, key: string): void;
  /** A key was created (Redis's dbAdd: the "new" keyspace event). */
  added?(db: Database, key: string): void;
  /** A command emptied a collection and it was deleted (the "del" event). */
  emptied?(db: Database, key: string): void;
  /** A key was given a TTL by a command (not by loading a dataset). */
  expireSet?(db: Database, key: string): void;
  /**
   * What a key whose TTL passed is (asked only for such keys): deleted (a
   * master), hidden but kept until the master's DEL arrives (a replica,
   * Redis's expireIfNeeded), or kept as is for the master's own commands.
   */
  expiryPolicy?(): ExpiryPolicy;
}

export type ExpiryPolicy = "delete" | "hide" | "keep";

/** Where read lookups are counted (INFO stats keyspace_hits/misses). */
export interface LookupCounters {
  keyspaceHits: number;
  keyspaceMisses: number;
}

/**
 * Database `index` of a server's fixed list. Indexes from users are checked
 * before they get here (SELECT, MOVE, an RDB's SELECTDB), so a missing one is
 * a bug.
 */
export function databaseAt(dbs: readonly Database[], index: number): Database {
  const db = dbs[index];
  if (db === undefined) throw new RangeError(`no database ${index}`);
  return db;
}

export class Database {
  dict = new KeyTable();
  /** The keys that have a TTL; each time (absolute, Unix ms) is kept at the end of its record. */
  expires = new ExpireTable(recordTimes(this.dict));
  /** Roving position of the active-expiry cycle over `expires`. */
  expireCursor: Iterator<[string, number]> | undefined;

  constructor(
    readonly index: number,
    readonly hooks: KeyspaceHooks,
    readonly counters: LookupCounters = { keyspaceHits: 0, keyspaceMisses: 0 },
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Under an LFU maxmemory-policy, reads keep Redis's LFU counters. */
  set trackFrequency(on: boolean) {
    this.dict.trackFrequency = on;
  }

  // ---- the keyspace API commands use ----------------------------------------

  /**
   * Redis's lookupKeyRead: the value (lazy expiry first), counted as a
   * keyspace hit or miss. Use for every read a command makes of its keys.
   */
  lookupRead(key: string): RedisValue | undefined {
    const value = this.get(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /** Counts a command's lookup of one of its keys in INFO's keyspace_hits or keyspace_misses. */
  #countLookup(found: boolean): void {
    if (found) this.counters.keyspaceHits++;
    else this.counters.keyspaceMisses++;
  }

  /** lookupRead of a value's type or length: a string kept as bytes as it is (see getStored). */
  lookupStored(key: string): StoredValue | undefined {
    const value = this.getStored(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /** peekRead of a value's type or length: a string kept as bytes as it is (see getStored). */
  peekReadStored(key: string): StoredValue | undefined {
    const value = this.peekStored(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /** lookupRead without recording an access (Redis's LOOKUP_NOTOUCH), still counted. */
  peekRead(key: string): RedisValue | undefined {
    const value = this.peek(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /** peekRead for a command that needs only whether the key exists (EXISTS, TTL): no value decoded. */
  existsRead(key: string): boolean {
    const found = this.has(key);
    this.#countLookup(found);
    return found;
  }

  /** existsRead of a key given as its bytes (a request's): its string made only to check a TTL. */
  existsReadAt(key: KeyBytes): boolean {
    const found = this.hasAt(key);
    this.#countLookup(found);
    return found;
  }

  /**
   * existsRead and getExpire with one lookup of the expiry (TTL and its
   * family): the key's expiry time in ms, -1 without one, undefined when
   * the key is missing or its TTL has passed.
   */
  expiryRead(key: string): number | undefined {
    const ref = this.dict.refOf(key);
    // A record without FLAG_TTL has no time (ttlTimeOf: undefined).
    const when = ref !== 0 ? ttlTimeOf(this.dict, ref) : undefined;
    const live = when === undefined || when > commandTime() || !this.#expirePassed(key);
    const found = live && ref !== 0;
    this.#countLookup(found);
    return found ? when ?? -1 : undefined;
  }

  /** TYPE's lookup (peekRead, counted): the type's name, "none" if missing; a packed collection not unpacked. */
  readType(key: string): string {
    const ref = this.#liveRef(key);
    this.#countLookup(ref !== 0);
    return ref === 0 ? "none" : typeOf(this.dict, ref);
  }

  /**
   * readObject's size of a collection of `type` (HLEN, SCARD, ZCARD, LLEN): 0 if missing,
   * WRONG_TYPE for another type; a packed collection's count read without unpacking it.
   */
  readCount(key: string, type: RedisObject["type"]): number | WrongType {
    return this.#countOf(this.#liveRef(key), type);
  }

  /** readCount of a key given as its bytes (a request's). */
  readCountAt(key: KeyBytes, type: RedisObject["type"]): number | WrongType {
    return this.#countOf(this.#liveRefAt(key), type);
  }

  #countOf(ref: number, type: string): number | WrongType {
    this.#countLookup(ref !== 0);
    if (ref === 0) return 0;
    const count = countOf(this.dict, ref, type);
    return count < 0 ? WRONG_TYPE : count;
  }

  /** lookupRead of a string as bytes for bit reads (see KeyTable.bytes); WRONGTYPE for others. */
  readBytes(key: string): ByteString | undefined {
    const value = this.getBytes(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /**
   * readBytes for a read that is over before the next keyspace access (GETBIT,
   * BITCOUNT...): where the string's bytes lie (KeyTable.viewBytes), nothing
   * copied. Never keep or write through the result.
   */
  viewBytes(key: string): PageBytes | undefined | WrongType {
    const value = this.viewValue(key);
    if (value === undefined || value instanceof PageBytes) return value;
    return WRONG_TYPE;
  }

  /** viewBytes that hands back a value of another type (LCS answers it with its own error). */
  viewValue(key: string): PageBytes | RedisObject | undefined {
    const value = this.#view(key);
    this.#countLookup(value !== undefined);
    return value;
  }

  /**
   * viewBytes for a write that looks before it edits (PFADD, whose repeated elements change
   * nothing): not counted as a hit or miss, as Redis's lookupKeyWrite.
   */
  viewBytesToWrite(key: string): PageBytes | undefined | WrongType {
    const value = this.#view(key);
    return value === undefined || value instanceof PageBytes ? value : WRONG_TYPE;
  }

  #view(key: string): PageBytes | RedisObject | undefined {
    return this.expires.size !== 0 && this.#expireIfNeeded(key)
      ? undefined
      : this.dict.viewBytes(key);
  }

  /**
   * The length of the string at `key`, undefined if missing, WRONG_TYPE for other types; no text
   * made of a string kept as bytes (STRLEN after SETBIT costs O(1), as in Redis).
   */
  stringLength(key: string): number | undefined | WrongType {
    return lengthOf(this.getStored(key));
  }

  /** stringLength counted as a keyspace hit or miss (STRLEN), another type's key a hit too, as in Redis. */
  readStringLength(key: string): number | undefined | WrongType {
    const value = this.getStored(key);
    this.#countLookup(value !== undefined);
    return lengthOf(value);
  }

  /** lookupRead of a string: undefined if missing, WRONG_TYPE for other types (as readObject). */
  readString(key: string): string | undefined | WrongType {
    const value = this.lookupRead(key);
    if (value === undefined || typeof value === "string") return value;
    return WRONG_TYPE;
  }

  /**
   * lookupRead for a reply that copies the value out before the next
   * keyspace access (MGET): an inline string comes as the view of its stored
   * bytes (KeyTable.getForReply).
   */
  lookupForReply(key: string): RedisValue | PageBytes | undefined {
    const value = this.dict.getForReplyOf(this.#liveRef(key));
    this.#countLookup(value !== undefined);
    return value;
  }

  /** readString for a reply that copies the value out at once (GET), as lookupForReply. */
  readStringForReply(key: string): string | PageBytes | undefined | WrongType {
    const value = this.lookupForReply(key);
    if (value === undefined || typeof value === "string" || value instanceof PageBytes) {
      return value;
    }
    return WRONG_TYPE;
  }

  /** lookupForReply of a key given as its bytes (a request's): its string made only to check a TTL. */
  lookupForReplyAt(key: KeyBytes): RedisValue | PageBytes | undefined {
    const value = this.dict.getForReplyOf(this.#liveRefAt(key));
    this.#countLookup(value !== undefined);
    return value;
  }

  /**
   * lookupRead of a collection of `type`: undefined if missing, WRONG_TYPE for
   * another type's key, not thrown (its handler ends by ctx.fail, or a deeper
   * reader by typed()): a throw from optimized code cost ~0.7 us a reply.
   */
  readObject<T extends RedisObject>(key: string, type: T["type"]): T | undefined | WrongType {
    const value = this.getStored(key);
    this.#countLookup(value !== undefined);
    if (value === undefined) return undefined;
    if (!hasType(value, type)) return WRONG_TYPE;
    return value as T;
  }

  /**
   * Redis's lookupKeyWrite for a collection: the value of `type` (WRONG_TYPE
   * for another type, as readObject), or, when `create` is given and the key
   * is missing, a new value stored at the key. Not counted as a hit or miss.
   */
  writeObject<T extends RedisObject>(key: string, type: T["type"], create: () => T): T | WrongType;
  writeObject<T extends RedisObject>(key: string, type: T["type"]): T | undefined | WrongType;
  writeObject<T extends RedisObject>(
    key: string,
    type: T["type"],
    create?: () => T,
  ): T | undefined | WrongType {
    const value = this.getObject<T>(key, type);
    if (value !== undefined || create === undefined) return value;
    const made = create();
    this.set(key, made);
    return made;
  }

  /** Deletes a key its command just emptied, with Redis's "del" event. */
  deleteIfEmpty(key: string, value: RedisObject): boolean {
    if (value.size() !== 0) return false;
    this.delete(key);
    this.hooks.emptied?.(this, key);
    return true;
  }

  // ---- lower level: no statistics --------------------------------------------

  /** The value at `key`, deleting it first if its TTL has passed; records the access. */
  get(key: string): RedisValue | undefined {
    return valueOf(this.getStored(key));
  }

  /**
   * get() with a long string kept as bytes (a ByteString) as it is: for a read of a value's type
   * or length, which must not make the text of a string edited in place (each edit drops it).
   */
  getStored(key: string): StoredValue | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** As get, without recording an access (Redis's LOOKUP_NOTOUCH: TYPE, TTL, OBJECT). */
  peek(key: string): RedisValue | undefined {
    return valueOf(this.peekStored(key));
  }

  /** peek() with a string kept as bytes as it is (see getStored). */
  peekStored(key: string): StoredValue | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.peek(key);
  }

  has(key: string): boolean {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return false;
    return this.dict.has(key);
  }

  /** The string at `key`, undefined if missing; WRONGTYPE for other types. */
  getString(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "string") return value;
    throw new CommandError(WRONGTYPE);
  }

  /** KeyTable.addToInteger on a live key; undefined also when its TTL has passed. */
  addToInteger(key: string, delta: number): number | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.addToInteger(key, delta);
  }

  /** addToInteger of a key given as its bytes (KeyTable.addToIntegerOf); its string made only to check a TTL. */
  addToIntegerAt(key: KeyBytes, delta: number): number | undefined {
    return this.dict.addToIntegerOf(this.#liveRefAt(key), delta);
  }

  /**
   * The record of a key given as its bytes (KeyTable.refAt), 0 when absent or its TTL passed
   * (deleted or hidden, as #expireIfNeeded decides): only a key with a TTL (FLAG_TTL) makes
   * its string and looks its time up.
   */
  #liveRefAt(key: KeyBytes): number {
    const dict = this.dict;
    const ref = dict.refAt(key);
    if (ref === 0 || !hasTtl(dict, ref) || !this.#ttlPassed(key, ref)) return ref;
    return 0;
  }

  /** #liveRefAt of a key given as a string. */
  #liveRef(key: string): number {
    const dict = this.dict;
    const ref = dict.refOf(key);
    if (ref === 0 || !hasTtl(dict, ref) || !this.#ttlPassed(key, ref)) return ref;
    return 0;
  }

  /** KeyTable.editInline (APPEND, SETRANGE, PFADD) on a live key; undefined also when its TTL has passed. */
  editInline(key: string, offset: number, patch: string | Uint8Array): number | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.editInline(key, offset, patch);
  }

  /** editInline of a key given as its bytes (KeyTable.editInlineOf); its string made only to check a TTL. */
  editInlineAt(key: KeyBytes, offset: number, patch: string): number | undefined {
    return this.dict.editInlineOf(this.#liveRefAt(key), key.end - key.start, offset, patch);
  }

  /** The collection of `type` at `key`, undefined if missing; WRONG_TYPE for another type's key. */
  getObject<T extends RedisObject>(key: string, type: T["type"]): T | undefined | WrongType {
    const value = this.getStored(key);
    if (value === undefined) return undefined;
    if (!hasType(value, type)) return WRONG_TYPE;
    return value as T;
  }

  /**
   * getObject of a key given as its bytes (a request's): its string made only
   * to check a TTL. Another type's key is WRONG_TYPE, not thrown: these are
   * the hot paths' lookups, and their handlers end by ctx.fail.
   */
  getObjectAt<T extends RedisObject>(key: KeyBytes, type: T["type"]): T | undefined | WrongType {
    const dict = this.dict;
    const ref = dict.refAt(key);
    if (ref === 0) return undefined;
    // A boxed record without a TTL (the common case): whatever it holds but a `type`
    // object is a string's (a boxed string has no type).
    const value = (dict.boxedOf(ref) ?? this.#storedOf(key, ref)) as T | undefined;
    if (value === undefined) return undefined;
    return value.type === type ? value : WRONG_TYPE;
  }

  /** KeyTable.storedOf of the record `ref` of `key`; undefined if its TTL has passed. */
  #storedOf(key: KeyBytes, ref: number): StoredValue | undefined {
    if (hasTtl(this.dict, ref) && this.#ttlPassed(key, ref)) return undefined;
    return this.dict.storedOf(ref);
  }

  /** writeObject of a key given as its bytes: its string made when the key is created. */
  writeObjectAt<T extends RedisObject>(
    key: KeyBytes,
    type: T["type"],
    create: () => T,
  ): T | WrongType {
    const value = this.getObjectAt<T>(key, type);
    if (value !== undefined) return value;
    const made = create();
    this.set(key.string(), made);
    return made;
  }

  /** viewObjectAt of a key given as a string. */
  viewObject<T extends RedisObject>(key: string, type: T["type"]): T | undefined | WrongType {
    return this.#viewOf<T>(this.#liveRef(key), type);
  }

  /**
   * readObjectAt for a command that only reads the collection and keeps no reference to it past
   * its reply (HGET): a small hash kept packed is read in place (keytable_access.ts valueToRead).
   */
  viewObjectAt<T extends RedisObject>(key: KeyBytes, type: T["type"]): T | undefined | WrongType {
    return this.#viewOf<T>(this.#liveRefAt(key), type);
  }

  #viewOf<T extends RedisObject>(ref: number, type: T["type"]): T | undefined | WrongType {
    this.#countLookup(ref !== 0);
    if (ref === 0) return undefined;
    const value = valueToRead(this.dict, ref);
    return hasType(value, type) ? value as T : WRONG_TYPE;
  }

  /** readObject of a key given as its bytes (getObjectAt, counted as a hit or miss). */
  readObjectAt<T extends RedisObject>(key: KeyBytes, type: T["type"]): T | undefined | WrongType {
    const value = this.getObjectAt<T>(key, type);
    this.#countLookup(value !== undefined);
    return value;
  }

  /** Accounts again for `value`, the collection at `key` (a request's bytes), after a write in place. */
  reaccountAt(key: KeyBytes, value: RedisObject): void {
    this.dict.reaccountAt(key, value);
  }

  /**
   * The string at `key` as bytes for bit reads (see KeyTable.bytes),
   * undefined if missing; WRONGTYPE for other types.
   */
  getBytes(key: string): ByteString | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    const value = this.dict.bytes(key);
    if (value === undefined || value instanceof ByteString) return value;
    throw new CommandError(WRONGTYPE);
  }

  /**
   * The string at `key` to edit in place (SETBIT, BITFIELD, SETRANGE, APPEND), created if missing
   * and zero-filled up to `length` bytes, as a view of its bytes good until the keyspace next
   * changes (KeyTable.editBytes); WRONG_TYPE for other types. The value becomes a "raw" string;
   * its TTL stays. `editGrew` says whether the key was created or lengthened.
   */
  editBytes(key: string, length: number): PageBytes | WrongType {
    let current = this.expires.size !== 0 && this.#expireIfNeeded(key)
      ? undefined
      : this.dict.editBytes(key, length);
    const created = current === undefined;
    if (created && length <= VALUE_INLINE_MAX) {
      // A new short string gets a record of its own, as SET's.
      this.setBytes(key, new Uint8Array(length), StringForm.Raw);
      current = this.dict.editBytes(key, length);
    }
    if (current instanceof PageBytes) {
      this.editGrew = created || this.dict.editGrew;
      return current;
    }
    if (current !== undefined && !(current instanceof ByteString)) return WRONG_TYPE;
    const value = current ?? new ByteString();
    if (current === undefined) this.set(key, value, StringForm.Raw);
    const grew = created || length > value.length;
    value.prepareWrite(length);
    // Accounted at its new length even when the command then reports no change.
    if (grew) this.dict.reaccount(key);
    this.editGrew = grew;
    return this.#edited.at(value.bytes, 0, value.length);
  }

  /** The view editBytes gives a long string's bytes in. */
  readonly #edited = new PageBytes();

  /** Whether the last editBytes created or lengthened its key. */
  editGrew = false;

  /**
   * Stores a value and clears any TTL, as Redis's setKey. `form` says how a
   * string was made (StringForm), which decides its OBJECT ENCODING.
   * `expireAt`: the TTL the caller gives it next (setExpire, loadExpire), whose
   * time a record written here makes room for (no second write of the record).
   */
  set(key: string, value: StoredValue, form = StringForm.Encoded, expireAt?: number): void {
    if (this.dict.set(key, value, form, expireAt)) this.hooks.added?.(this, key);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /**
   * SET of a short string at a key given as its bytes (a request's): its string is made
   * only for a new key (KeyTable.setAt). False, nothing done, when a TTL may need clearing
   * (the caller sets it with the key's string).
   */
  setAt(key: KeyBytes, value: string): boolean {
    const added = this.dict.setAt(key, value, StringForm.Encoded);
    if (added === undefined) return false;
    if (added) this.hooks.added?.(this, key.string());
    return true;
  }

  /**
   * set() of a key and a value given as bytes (MSET's, from its request): false, nothing
   * done, for a key with a TTL to clear (the caller sets it with strings).
   */
  setSpanAt(key: KeyBytes, bytes: Uint8Array, from: number, to: number): boolean {
    const added = this.dict.setSpanAt(key, bytes, from, to);
    if (added === undefined) return false;
    if (added) this.hooks.added?.(this, key.string());
    return true;
  }

  /** has() of a key given as its bytes (a request's): its string made only to check a TTL. */
  hasAt(key: KeyBytes): boolean {
    return this.#liveRefAt(key) !== 0;
  }

  /** set() of bytes [from, to) of `bytes` as an Encoded string (see KeyTable.setSpan). */
  setSpan(key: string, bytes: Uint8Array, from: number, to: number): void {
    if (this.dict.setSpan(key, bytes, from, to)) this.hooks.added?.(this, key);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /** set() of a string given as its bytes (see KeyTable.setBytes). */
  setBytes(key: string, bytes: Uint8Array, form: StringForm): void {
    if (this.dict.setBytes(key, bytes, form)) this.hooks.added?.(this, key);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replaces the value of an existing key, keeping its TTL. */
  replace(key: string, value: StoredValue, form = StringForm.Encoded): void {
    this.dict.replace(key, value, form);
  }

  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /**
   * delete() of a key given as its bytes (a request's), at the slot its lookup found: true if
   * deleted, false if absent; undefined, nothing done, for a key with a TTL (it may have
   * passed: the caller deletes by its string, has() first).
   */
  deleteAt(key: KeyBytes): boolean | undefined {
    return this.dict.deleteAt(key);
  }

  /** Sets the absolute expiry time (ms) of an existing key, and its record's FLAG_TTL. */
  setExpire(key: string, when: number): void {
    this.loadExpire(key, when);
    this.hooks.expireSet?.(this, key);
  }

  /** setExpire for a dataset being loaded from an RDB file or payload: no one is told. */
  loadExpire(key: string, when: number): void {
    // The time goes at the end of the key's record, with its FLAG_TTL (recordTimes).
    this.expires.set(key, when);
  }

  /** Expiry time of a live key, or undefined if it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.times.get(key);
  }

  removeExpire(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    markTtl(this.dict, key, undefined);
    return true;
  }

  /** Whether the key's TTL has passed (it may not have been deleted yet). */
  isExpired(key: string, now = commandTime()): boolean {
    const when = this.getExpire(key);
    return when !== undefined && when <= now;
  }

  #expireIfNeeded(key: string): boolean {
    // The record's FLAG_TTL first: the key table's probe, which the lookup after finds in cache,
    // costs less than a miss in the expires table (STRLEN over 100k keys, some volatile: 2.0 µs).
    const ref = this.dict.refOf(key);
    if (ref === 0 || !hasTtl(this.dict, ref)) return false;
    return this.#ttlPassed(key, ref);
  }

  /**
   * #expireIfNeeded of a key whose record `ref` has FLAG_TTL: its time is read off the record, and
   * a key given as its bytes (refAt's) gets its string only once it expired.
   */
  #ttlPassed(key: string | KeyBytes, ref: number): boolean {
    const when = ttlTimeOf(this.dict, ref);
    if (when === undefined || when > commandTime()) return false;
    return this.#expirePassed(typeof key === "string" ? key : key.string());
  }

  /** A key whose TTL passed: deleted or hidden by the expiry policy (true), or kept (false). */
  #expirePassed(key: string): boolean {
    const policy = this.hooks.expiryPolicy?.() ?? "delete";
    if (policy === "keep") return false;
    if (policy === "delete") this.expireNow(key);
    return true;
  }

  /** Deletes an expired key and tells the server (notifications, WATCH, AOF). */
  expireNow(key: string): void {
    this.dict.delete(key);
    this.expires.delete(key);
    this.hooks.expired(this, key);
  }

  /** How the string at `key` was made (OBJECT ENCODING, COPY, RENAME keep it). */
  stringForm(key: string): StringForm {
    return stringForm(this.dict, key);
  }

  /** Seconds since the key was last read or written (OBJECT IDLETIME). */
  idleSeconds(key: string): number | undefined {
    return idleSeconds(this.dict, key);
  }

  /** Sets a key's last access `idle` seconds back and/or its LFU counter (RESTORE). */
  setAccess(key: string, idle: number | undefined, counter: number | undefined): void {
    setKeyAccess(this.dict, key, idle, counter);
  }

  /** Redis's logarithmic access counter (OBJECT FREQ under an LFU policy). */
  frequency(key: string): number | undefined {
    return frequency(this.dict, key);
  }

  /** A random live key, or undefined when the database is empty (RANDOMKEY). */
  randomKey(): string | undefined {
    // A replica hides expired keys without deleting them: bound the search, as Redis does.
    for (let tries = 0;; tries++) {
      const key = randomTableKey(this.dict);
      if (key === undefined || this.expires.size === 0 || !this.#expireIfNeeded(key)) return key;
      if (tries === 100) return key;
    }
  }

  /** SWAPDB: trades keyspaces with `other`; each keeps its index (clients stay put). */
  swapWith(other: Database): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.expireCursor, other.expireCursor] = [other.expireCursor, this.expireCursor];
  }

  clear(): void {
    this.dict.clear();
    this.expires.clear();
    this.expireCursor = undefined;
  }

  /**
   * One bounded step of active expiry: checks up to `sample` keys that have a
   * TTL, continuing where the previous step stopped (as Redis 6+ walks its
   * expires table with a cursor), and deletes the expired ones.
   */
  activeExpireStep(sample: number, now: number): { checked: number; expired: number } {
    let checked = 0;
    let expired = 0;
    if (this.expires.size === 0) return { checked, expired };
    let cursor = this.expireCursor ?? this.expires.entries();
    let wrapped = false;
    while (checked < sample) {
      const step = cursor.next();
      if (step.done) {
        if (wrapped) break;
        wrapped = true;
        cursor = this.expires.entries();
        continue;
      }
      checked++;
      const [key, when] = step.value;
      if (when <= now) {
        this.expireNow(key);
        expired++;
      }
    }
    this.expireCursor = cursor;
    return { checked, expired };
  }
}
