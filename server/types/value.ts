/**
 * What a key holds. Strings are binary strings (see protocol/bytes.ts for why
 * that beats Uint8Array on memory); collections are objects implementing
 * RedisObject, each defined in its own module under server/types/.
 */
export type RedisType = "string" | "list" | "hash" | "set" | "zset" | "stream";

export interface RedisObject {
  readonly type: Exclude<RedisType, "string">;
  /** Redis's encoding name for OBJECT ENCODING (listpack, hashtable, ...). */
  encoding(): string;
  /** An independent deep copy (COPY, snapshots). */
  clone(): RedisObject;
  /** Number of elements; the key is deleted when this reaches 0. */
  size(): number;
  /**
   * Bytes the value holds, estimated in O(1) and current after every write
   * (see memory.ts): what used_memory and MEMORY USAGE count for it. Without
   * it the key table assumes 64 bytes an element.
   */
  memoryUsage?(): number;
}

export type RedisValue = string | RedisObject;

export function typeOf(value: RedisValue): RedisType {
  return typeof value === "string" ? "string" : value.type;
}
