/**
 * What the collection commands share: the configured encoding limits,
 * Redis's positive integer arguments and the arguments of LMPOP/ZMPOP.
 */
import { arg, ArgCursor, LONG_MAX, rangedLong } from "../args.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  COUNT_NOT_POSITIVE,
  NOT_POSITIVE,
  NUMKEYS_NOT_POSITIVE,
  SYNTAX,
} from "../errors.ts";
import type { Config } from "../config.ts";
import type { ZsetLimits } from "../types/sorted_set.ts";

/**
 * SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count repeat picks
 * without bound in Redis; past this many (a reply of hundreds of megabytes)
 * they are refused instead.
 */
export const MAX_REPEATED_PICKS = 1 << 24;

type Cell = { readonly value: number };

/** The encoding limits' live config cells, for the last server's config seen. */
let cellsConfig: Config | undefined;
let hashEntries: Cell;
let hashValue: Cell;
let intsetEntries: Cell;
let hashTuple: [maxEntries: number, maxValue: number] = [0, 0];
let zsetEntries: Cell;
let zsetValue: Cell;
let zsetShared: Readonly<ZsetLimits> = { entries: -1, value: -1 };

/** Each write of a hash, set or sorted set reads its limits: cells, not a name lookup per command. */
function limitCells(config: Config): void {
  if (config === cellsConfig) return;
  cellsConfig = config;
  hashEntries = config.live("hash-max-listpack-entries");
  hashValue = config.live("hash-max-listpack-value");
  intsetEntries = config.live("set-max-intset-entries");
  zsetEntries = config.live("zset-max-listpack-entries");
  zsetValue = config.live("zset-max-listpack-value");
}

/** The server's hash-max-listpack-entries and hash-max-listpack-value (read-only: shared). */
export function hashLimits(ctx: CommandContext): readonly [maxEntries: number, maxValue: number] {
  limitCells(ctx.server.config);
  if (hashTuple[0] !== hashEntries.value || hashTuple[1] !== hashValue.value) {
    hashTuple = [hashEntries.value, hashValue.value];
  }
  return hashTuple;
}

/** The server's zset-max-listpack-entries and zset-max-listpack-value (read-only: shared). */
export function zsetLimits(ctx: CommandContext): Readonly<ZsetLimits> {
  limitCells(ctx.server.config);
  if (zsetShared.entries !== zsetEntries.value || zsetShared.value !== zsetValue.value) {
    zsetShared = { entries: zsetEntries.value, value: zsetValue.value };
  }
  return zsetShared;
}

/** The server's set-max-intset-entries. */
export function intsetLimit(ctx: CommandContext): number {
  limitCells(ctx.server.config);
  return intsetEntries.value;
}

/** Redis's getPositiveLongFromObjectOrReply (0 allowed). */
export function positiveLong(arg: string, message = NOT_POSITIVE): number {
  return rangedLong(arg, 0n, LONG_MAX, message);
}

/**
 * LMPOP/ZMPOP and their blocking forms from numkeys on: the keys, which end
 * to pop from (one of `ends`, in any case) and COUNT (default 1).
 */
export function parseMultiPop<End extends string>(
  argv: readonly string[],
  numkeysAt: number,
  ends: readonly End[],
): { keys: string[]; end: End; count: number } {
  const numkeys = rangedLong(arg(argv, numkeysAt), 1n, LONG_MAX, NUMKEYS_NOT_POSITIVE);
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const args = new ArgCursor(argv, whereAt);
  const where = args.nextOption();
  const end = ends.find((e) => e === where);
  if (end === undefined) throw new CommandError(SYNTAX);
  const count = args.eat("count") ? args.nextLong(1n, LONG_MAX, COUNT_NOT_POSITIVE) : 1;
  args.end();
  return { keys: argv.slice(numkeysAt + 1, whereAt), end, count };
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
