/**
 * Turns values decoded from RDB data into the server's types. Duplicates are
 * refused as Redis refuses them ("Duplicate set members detected"...): a
 * file or DUMP payload that has them is corrupt.
 */
import { RedisHash } from "../types/hash.ts";
import { RedisList } from "../types/list.ts";
import { RedisSet } from "../types/set.ts";
import { SortedSet, ZSET_DEFAULT_LIMITS } from "../types/sorted_set.ts";
import type { RedisValue } from "../types/value.ts";
import { check } from "./format_error.ts";
import type { DecodedValue } from "./rdb_reader.ts";

/** A decoded value as a server value; a sorted set's encoding follows `zsetLimits` (the config's). */
export function materialize(value: DecodedValue, zsetLimits = ZSET_DEFAULT_LIMITS): RedisValue {
  if (typeof value === "string") return value;
  switch (value.type) {
    case "list": {
      const list = new RedisList();
      for (const item of value.items) list.pushRight(item);
      return list;
    }
    case "set": {
      const set = new RedisSet();
      for (const member of value.members) check(set.add(member), "Duplicate set members detected");
      return set;
    }
    case "hash": {
      const hash = new RedisHash();
      const pairs = value.pairs;
      // Field-value pairs: the reader checked the count is even.
      for (let i = 0; i < pairs.length; i += 2) {
        check(hash.set(pairs[i]!, pairs[i + 1]!), "Duplicate hash fields detected");
      }
      return hash;
    }
    case "zset": {
      const zset = new SortedSet();
      const { members, scores } = value;
      for (const [i, member] of members.entries()) {
        check(zset.add(member, scores[i]!, zsetLimits), "Duplicate zset fields detected");
      }
      return zset;
    }
    case "stream":
      return value.stream;
  }
}
