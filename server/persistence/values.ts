/**
 * Turns values decoded from RDB data into the server's types. Duplicates are
 * refused as Redis refuses them ("Duplicate set members detected"...): a
 * file or DUMP payload that has them is corrupt.
 */
import { HASH_MAX_LISTPACK_ENTRIES, HASH_MAX_LISTPACK_VALUE, RedisHash } from "../types/hash.ts";
import { RedisList } from "../types/list.ts";
import { RedisSet, SET_MAX_INTSET_ENTRIES } from "../types/set.ts";
import { SortedSet, ZSET_DEFAULT_LIMITS, type ZsetLimits } from "../types/sorted_set.ts";
import type { RedisValue } from "../types/value.ts";
import { check } from "./format_error.ts";
import type { DecodedValue } from "./rdb_reader.ts";

/**
 * The encoding limits a loaded value is converted by, as Redis's rdbLoadObject
 * converts (a small hash past hash-max-listpack-entries becomes a hash table...).
 */
export interface LoadLimits {
  zset: ZsetLimits;
  hashEntries: number;
  hashValue: number;
  intsetEntries: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  zset: ZSET_DEFAULT_LIMITS,
  hashEntries: HASH_MAX_LISTPACK_ENTRIES,
  hashValue: HASH_MAX_LISTPACK_VALUE,
  intsetEntries: SET_MAX_INTSET_ENTRIES,
};

/** The limits a server's parameters set. */
export function loadLimits(config: { getNumber(name: string): number }): LoadLimits {
  return {
    zset: {
      entries: config.getNumber("zset-max-listpack-entries"),
      value: config.getNumber("zset-max-listpack-value"),
    },
    hashEntries: config.getNumber("hash-max-listpack-entries"),
    hashValue: config.getNumber("hash-max-listpack-value"),
    intsetEntries: config.getNumber("set-max-intset-entries"),
  };
}

/** A decoded value as a server value, in the encoding `limits` (the config's) give it. */
export function materialize(value: DecodedValue, limits = DEFAULT_LOAD_LIMITS): RedisValue {
  if (typeof value === "string") return value;
  switch (value.type) {
    case "list": {
      const list = new RedisList();
      for (const item of value.items) list.pushRight(item);
      return list;
    }
    case "set": {
      const set = new RedisSet();
      for (const member of value.members) {
        check(set.add(member, limits.intsetEntries), "Duplicate set members detected");
      }
      return set;
    }
    case "hash": {
      const hash = new RedisHash();
      const pairs = value.pairs;
      // Field-value pairs: the reader checked the count is even.
      // Redis converts a packed one by its length alone, a hash table's by its values too.
      const maxValue = value.packed ? Infinity : limits.hashValue;
      for (let i = 0; i < pairs.length; i += 2) {
        check(
          hash.set(pairs[i]!, pairs[i + 1]!, limits.hashEntries, maxValue),
          "Duplicate hash fields detected",
        );
      }
      return hash;
    }
    case "zset": {
      const zset = new SortedSet();
      const { members, scores } = value;
      const zsetLimits = value.packed ? { ...limits.zset, value: Infinity } : limits.zset;
      for (const [i, member] of members.entries()) {
        check(zset.add(member, scores[i]!, zsetLimits), "Duplicate zset fields detected");
      }
      return zset;
    }
    case "stream":
      return value.stream;
  }
}
