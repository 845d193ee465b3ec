/**
 * What the list, hash and set commands share: lookups with Redis's
 * statistics, deleting a key its command emptied, and Redis's ranged
 * integer arguments.
 */
import { parseInt64 } from "../args.ts";
import type { Client } from "../client.ts";
import { CommandError, NOT_INTEGER, NOT_POSITIVE, outOfRangeBetween } from "../errors.ts";
import { NotifyClass } from "../notify.ts";
import type { RedisObject } from "../types/value.ts";

export const LONG_MAX = 9223372036854775807n;

/** Redis's lookupKeyRead: the value (WRONGTYPE for another type), counting hits and misses. */
export function readObject<T extends RedisObject>(
  client: Client,
  key: string,
  type: T["type"],
): T | undefined {
  const value = client.db.getObject<T>(key, type);
  const stats = client.server.stats;
  if (value === undefined) stats.keyspaceMisses++;
  else stats.keyspaceHits++;
  return value;
}

/** Deletes a key its command just emptied, with Redis's "del" event. */
export function deleteIfEmpty(client: Client, key: string, value: RedisObject): boolean {
  if (value.size() !== 0) return false;
  client.db.delete(key);
  client.server.keyChanged(client.db, key, NotifyClass.Generic, "del", 0);
  return true;
}

/**
 * Redis's getRangeLongFromObjectOrReply: an integer within [min, max]; out
 * of range (or not an integer, when `message` is given) replies `message`
 * or Redis's "must between" text.
 */
export function rangedLong(arg: string, min: bigint, max: bigint, message?: string): number {
  const value = parseInt64(arg);
  if (value === undefined) throw new CommandError(message ?? NOT_INTEGER);
  if (value < min || value > max) throw new CommandError(message ?? outOfRangeBetween(min, max));
  return Number(value);
}

/** The server's hash-max-listpack-entries and hash-max-listpack-value. */
export function hashLimits(client: Client): [maxEntries: number, maxValue: number] {
  const config = client.server.config;
  return [
    config.getNumber("hash-max-listpack-entries"),
    config.getNumber("hash-max-listpack-value"),
  ];
}

/** The server's set-max-intset-entries. */
export function intsetLimit(client: Client): number {
  return client.server.config.getNumber("set-max-intset-entries");
}

/** Redis's getPositiveLongFromObjectOrReply (0 allowed). */
export function positiveLong(arg: string, message = NOT_POSITIVE): number {
  return rangedLong(arg, 0n, LONG_MAX, message);
}
