/**
 * The hash type: fields and values in a PackedDict. Small hashes stay in one
 * insertion-ordered bucket, which is what Redis calls a listpack (and so
 * HGETALL answers in insertion order, as Redis does); past Redis 7.0's
 * default thresholds they become a hash table, and, as in Redis, never go back.
 */
import { PackedDict } from "./packed_dict.ts";
import { PackedKind } from "./packed_record.ts";
import type { RedisObject } from "./value.ts";

/** Default hash-max-listpack-entries (Redis 7.0's built-in default). */
export const HASH_MAX_LISTPACK_ENTRIES = 512;
/** Default hash-max-listpack-value. */
export const HASH_MAX_LISTPACK_VALUE = 64;

export class RedisHash extends PackedDict implements RedisObject {
  get type(): "hash" {
    return "hash";
  }

  protected get withValues(): boolean {
    return true;
  }

  encoding(): string {
    return this.compact ? "listpack" : "hashtable";
  }

  size(): number {
    return this.count;
  }

  /**
   * Sets a field; true if it is new. The limits are the server's
   * hash-max-listpack-entries and hash-max-listpack-value.
   */
  override set(
    field: string,
    value: string,
    maxEntries = HASH_MAX_LISTPACK_ENTRIES,
    maxValue = HASH_MAX_LISTPACK_VALUE,
  ): boolean {
    if (this.compact && (field.length > maxValue || value.length > maxValue)) this.expand();
    const added = super.set(field, value);
    if (added && this.compact && this.count > maxEntries) this.expand();
    return added;
  }

  /**
   * set() with the server's limits as hashLimits() keeps them: indexed, not
   * spread into the call (V8 calls through a spread generically, ~10 ns).
   */
  setWithin(field: string, value: string, limits: readonly [number, number]): boolean {
    return this.set(field, value, limits[0], limits[1]);
  }

  /**
   * HINCRBY's step where it is taken in place (PackedDict.addInPlace): the
   * sum, or NaN where not. While compact, a field or value past the limit
   * (lowered since it was written) goes the way of set(), which converts.
   */
  addWithin(field: string, increment: number, limits: readonly [number, number]): number {
    const maxLength = this.compact ? limits[1] : Infinity;
    return field.length > maxLength ? NaN : this.addInPlace(field, increment, maxLength);
  }

  /**
   * What the key table accounts this hash at (valueBytes: memoryUsage(), or
   * its packed string's bytes), with its form: a write that leaves it equal
   * needs no accounting again.
   */
  footprint(): number {
    return this.memoryUsage() * 4 + this.packedVariant() + 1;
  }

  /** See packed_value.ts. */
  packedKind(): PackedKind {
    const variant = this.packedVariant();
    return variant < 0 ? PackedKind.NotPackable : PackedKind.HashListpack + variant;
  }

  /**
   * A hash from its packedData() and packedKind() (and its size(), if known), made in `into`
   * (packed_value.ts's shared view) or a new hash.
   */
  static fromPacked(
    data: string,
    kind: PackedKind,
    count?: number,
    into = new RedisHash(),
  ): RedisHash {
    into.restorePacked(data, kind - PackedKind.HashListpack, count);
    return into;
  }

  clone(): RedisHash {
    return this.copyInto(new RedisHash());
  }
}
