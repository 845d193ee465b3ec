/**
 * Small collections kept as their one packed string. A small hash, set,
 * list or sorted set is already one string (packed_record.ts); its object adds 40 bytes (a 24-byte header and two
 * fields), a quarter of what a key with a 3-field hash costs. The key table
 * keeps the string alone and makes the object again, in O(n) as listpack
 * operations are, when a command looks the key up (see KeyTable's recently
 * used boxes).
 */
import { RedisHash } from "./hash.ts";
import { RedisList } from "./list.ts";
import { PackedDict } from "./packed_dict.ts";
import { PackedKind } from "./packed_record.ts";
import { RedisSet } from "./set.ts";
import { SortedSet } from "./sorted_set.ts";
import type { RedisObject } from "./value.ts";

/** A value that may be kept as one packed string. */
export interface Packable extends RedisObject {
  /** What the string holds now, or PackedKind.NotPackable (a big collection). */
  packedKind(): PackedKind;
  /** The string, while packedKind() is not NotPackable. */
  packedData(): string;
}

/** Whether a stored value is a collection type that has a packed form. */
export function isPackable(value: unknown): value is Packable {
  // Hashes and sets share their base class: one prototype walk for either.
  // A stream is not: its small form's bytes are appended in place (stream_small.ts).
  return value instanceof PackedDict || value instanceof SortedSet || value instanceof RedisList;
}

/**
 * The object again, from its packedKind(), packedData() and size() then (-1: unknown, counted).
 * `view`: into one object per type, shared until the next call with `view`, for a command that
 * only reads the value and keeps no reference to it past its reply (keytable_access.ts
 * valueToRead): no object made, and no slot taken in the key table's ring of recently used boxes.
 */
export function unpackValue(kind: PackedKind, data: string, count: number, view = false): Packable {
  const known = count < 0 ? undefined : count;
  switch (kind) {
    case PackedKind.HashListpack:
    case PackedKind.HashTable:
      return RedisHash.fromPacked(data, kind, known, view ? HASH_VIEW : undefined);
    case PackedKind.SetIntset:
    case PackedKind.SetTable:
      return RedisSet.fromPacked(data, kind, known, view ? SET_VIEW : undefined);
    case PackedKind.SortedSet:
      return SortedSet.fromPacked(data, known, view ? ZSET_VIEW : undefined);
    case PackedKind.List:
      return RedisList.fromPacked(data, known, view ? LIST_VIEW : undefined);
    case PackedKind.Stream:
    case PackedKind.NotPackable:
      throw new Error("not a packed value");
  }
}

const HASH_VIEW = new RedisHash();
const SET_VIEW = new RedisSet();
const ZSET_VIEW = new SortedSet();
const LIST_VIEW = new RedisList();
