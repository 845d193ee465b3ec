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
}

export type RedisValue = string | RedisObject;

export function typeOf(value: RedisValue): RedisType {
  return typeof value === "string" ? "string" : value.type;
}
