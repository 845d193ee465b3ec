/**
 * What the list, hash and set commands share: lookups with Redis's
 * statistics, deleting a key its command emptied, and Redis's ranged
 * integer arguments.
 */
import { parseInt64 } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { CommandError, NOT_INTEGER, NOT_POSITIVE, outOfRangeBetween } from "../errors.ts";
import type { ZsetLimits } from "../types/sorted_set.ts";

export const LONG_MAX = 9223372036854775807n;
/**
 * SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count repeat picks
 * without bound in Redis; past this many (a reply of hundreds of megabytes)
 * they are refused instead.
 */
export const MAX_REPEATED_PICKS = 1 << 24;

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
export function hashLimits(ctx: CommandContext): [maxEntries: number, maxValue: number] {
  const config = ctx.server.config;
  return [
    config.getNumber("hash-max-listpack-entries"),
    config.getNumber("hash-max-listpack-value"),
  ];
}

/** The server's zset-max-listpack-entries and zset-max-listpack-value. */
export function zsetLimits(ctx: CommandContext): ZsetLimits {
  const config = ctx.server.config;
  return {
    entries: config.getNumber("zset-max-listpack-entries"),
    value: config.getNumber("zset-max-listpack-value"),
  };
}

/** The server's set-max-intset-entries. */
export function intsetLimit(ctx: CommandContext): number {
  return ctx.server.config.getNumber("set-max-intset-entries");
}

/** Redis's getPositiveLongFromObjectOrReply (0 allowed). */
export function positiveLong(arg: string, message = NOT_POSITIVE): number {
  return rangedLong(arg, 0n, LONG_MAX, message);
}

/**
 * Draws `count` distinct items of `items` at random (a partial Fisher-Yates
 * shuffle, in place), for the random-member commands' "most of the
 * collection" case.
 */
export function* randomDistinct<T>(items: T[], count: number): Generator<T> {
  const n = Math.min(count, items.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (items.length - i));
    // i <= j < items.length: both are in range.
    const picked = items[j]!;
    items[j] = items[i]!;
    items[i] = picked;
    yield picked;
  }
}
