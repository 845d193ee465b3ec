/**
 * One numbered database: the keyspace and its expiry times.
 *
 * Keys and string values are binary strings in a JS Map: V8's one-byte
 * strings cache their hash, so lookups hash once, and a Map entry costs about
 * three words. Expiry times live in a second Map, as Redis keeps its `expires`
 * dict, so keys without a TTL pay nothing for the feature.
 */
import { CommandError, WRONGTYPE } from "./errors.ts";
import type { RedisObject, RedisValue } from "./types/value.ts";

/** What a database tells the rest of the server. */
export interface KeyspaceHooks {
  /** A key vanished because its TTL passed (lazy or active expiry). */
  expired(db: Database, key: string): void;
}

export class Database {
  readonly dict = new Map<string, RedisValue>();
  /** Absolute expiry time in Unix milliseconds, for keys that have one. */
  readonly expires = new Map<string, number>();
  /** Roving position of the active-expiry cycle over `expires`. */
  expireCursor: Iterator<[string, number]> | undefined;

  constructor(readonly index: number, readonly hooks: KeyspaceHooks) {}

  get size(): number {
    return this.dict.size;
  }

  /** The value at `key`, deleting it first if its TTL has passed. */
  get(key: string): RedisValue | undefined {
    const value = this.dict.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0) {
      const when = this.expires.get(key);
      if (when !== undefined && when <= Date.now()) {
        this.expireNow(key);
        return undefined;
      }
    }
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The string at `key`, undefined if missing; WRONGTYPE for other types. */
  getString(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "string") return value;
    throw new CommandError(WRONGTYPE);
  }

  /** The collection of `type` at `key`, undefined if missing; WRONGTYPE otherwise. */
  getObject<T extends RedisObject>(key: string, type: T["type"]): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value === "string" || value.type !== type) throw new CommandError(WRONGTYPE);
    return value as T;
  }

  /** Stores a value and clears any TTL, as Redis's setKey. */
  set(key: string, value: RedisValue): void {
    this.dict.set(key, value);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replaces the value of an existing key, keeping its TTL. */
  replace(key: string, value: RedisValue): void {
    this.dict.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /** Sets the absolute expiry time (ms) of an existing key. */
  setExpire(key: string, when: number): void {
    this.expires.set(key, when);
  }

  /** Expiry time of a live key, or undefined if it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  removeExpire(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Deletes an expired key and tells the server (notifications, WATCH, AOF). */
  expireNow(key: string): void {
    this.dict.delete(key);
    this.expires.delete(key);
    this.hooks.expired(this, key);
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
