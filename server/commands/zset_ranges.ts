/** ZRANGE and its older forms, ZCOUNT/ZLEXCOUNT, ZREMRANGEBY*: ranges as rank intervals. */
import { arg, ArgCursor, intArg } from "../args.ts";
import { NotifyClass } from "../notify.ts";
import {
  copyRanks,
  limitRanks,
  parseRange,
  RangeOf,
  rankRange,
  readZset,
  replyRanks,
  storeResult,
  writeZset,
} from "./zset_common.ts";
import type { CommandContext } from "../context.ts";
import { WRONG_TYPE } from "../db.ts";
import {
  CommandError,
  LIMIT_NEEDS_BYSCORE_OR_BYLEX,
  SYNTAX,
  WITHSCORES_WITH_BYLEX,
  WRONGTYPE,
} from "../errors.ts";
import { SortedSet } from "../types/sorted_set.ts";
import { zsetLimits } from "./collections.ts";

// ---- ranges ------------------------------------------------------------------

export enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

export enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * Redis's zrangeGenericCommand: ZRANGE, ZRANGESTORE and the older
 * Z[REV]RANGE[BYSCORE|BYLEX]. `first` is the index of the source key;
 * `dst` is set for ZRANGESTORE.
 */
export function zrange(
  ctx: CommandContext,
  argv: string[],
  first: number,
  dst: string | undefined,
  type: RangeType,
  direction: Direction,
): void {
  const store = dst !== undefined;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  const args = new ArgCursor(argv, first + 3);
  while (args.hasMore()) {
    const option = args.nextOption();
    if (!store && option === "withscores") {
      withScores = true;
    } else if (option === "limit" && args.remaining >= 2) {
      offset = args.nextInt();
      limit = args.nextInt();
    } else if (direction === Direction.Auto && option === "rev") {
      direction = Direction.Reverse;
    } else if (type === RangeType.Auto && option === "bylex") {
      type = RangeType.Lex;
    } else if (type === RangeType.Auto && option === "byscore") {
      type = RangeType.Score;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (type === RangeType.Auto) type = RangeType.Rank;
  const reverse = direction === Direction.Reverse;
  // As in Redis, "LIMIT offset -1" passes for no LIMIT at all.
  if (limit !== -1 && type === RangeType.Rank) {
    throw new CommandError(LIMIT_NEEDS_BYSCORE_OR_BYLEX);
  }
  if (withScores && type === RangeType.Lex) throw new CommandError(WITHSCORES_WITH_BYLEX);

  // Reversed score and lex ranges are written max first.
  const minArg = arg(argv, reverse && type !== RangeType.Rank ? first + 2 : first + 1);
  const maxArg = arg(argv, reverse && type !== RangeType.Rank ? first + 1 : first + 2);
  let start = 0;
  let end = 0;
  let rangeOf: RangeOf | undefined;
  if (type === RangeType.Rank) {
    start = intArg(minArg);
    end = intArg(maxArg);
  } else {
    const parsed = parseRange(type === RangeType.Lex, minArg, maxArg);
    if (typeof parsed === "string") return ctx.fail(parsed);
    rangeOf = parsed;
  }

  const set = readZset(ctx, arg(argv, first));
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  let ranks: [number, number] | undefined;
  if (set !== undefined) {
    if (rangeOf === undefined) {
      const range = rankRange(set.size(), start, end);
      if (range !== undefined) {
        const last = set.size() - 1;
        ranks = reverse ? [last - range[0], last - range[1]] : range;
      }
    } else {
      const [low, high] = rangeOf(set);
      ranks = limitRanks(low, high, reverse, offset, limit);
    }
  }
  if (store) {
    const result = ranks === undefined
      ? new SortedSet()
      : copyRanks(set!, ranks[0], ranks[1], zsetLimits(ctx));
    return storeResult(ctx, dst, result, "zrangestore");
  }
  if (ranks === undefined) return ctx.out.array(0);
  replyRanks(ctx, set!, ranks[0], ranks[1], withScores);
}

/** ZRANK and ZREVRANK (`reverse`: counted from the highest score). */
export function replyRank(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const set = readZset(ctx, arg(argv, 1));
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const rank = set?.rank(arg(argv, 2));
  if (rank === undefined) ctx.out.nil();
  else ctx.out.int(reverse ? set!.size() - 1 - rank : rank);
}

/** ZCOUNT and ZLEXCOUNT. */
export function countRange(ctx: CommandContext, argv: string[], lex: boolean): void {
  const rangeOf = parseRange(lex, arg(argv, 2), arg(argv, 3));
  if (typeof rangeOf === "string") return ctx.fail(rangeOf);
  const set = readZset(ctx, arg(argv, 1));
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined) return ctx.out.int(0);
  const [start, end] = rangeOf(set);
  ctx.out.int(Math.max(0, end - start + 1));
}

/** The keyspace event of each ZREMRANGEBY* form. */
const REMOVE_EVENT: Record<RangeType, string> = {
  [RangeType.Auto]: "",
  [RangeType.Rank]: "zremrangebyrank",
  [RangeType.Score]: "zremrangebyscore",
  [RangeType.Lex]: "zremrangebylex",
};

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX. */
export function removeRange(ctx: CommandContext, argv: string[], type: RangeType): void {
  let rangeOf: (set: SortedSet) => [number, number] | undefined;
  if (type === RangeType.Rank) {
    const start = intArg(arg(argv, 2));
    const end = intArg(arg(argv, 3));
    rangeOf = (set) => rankRange(set.size(), start, end);
  } else {
    const parsed = parseRange(type === RangeType.Lex, arg(argv, 2), arg(argv, 3));
    if (typeof parsed === "string") return ctx.fail(parsed);
    rangeOf = parsed;
  }
  const key = arg(argv, 1);
  const set = writeZset(ctx, key);
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined) return ctx.out.int(0);
  const range = rangeOf(set);
  if (range === undefined || range[0] > range[1]) return ctx.out.int(0);
  const removed = range[1] - range[0] + 1;
  set.removeRange(range[0], range[1]);
  ctx.keyChanged(key, NotifyClass.Zset, REMOVE_EVENT[type], removed);
  ctx.db.deleteIfEmpty(key, set);
  ctx.out.int(removed);
}
