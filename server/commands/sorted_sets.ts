/**
 * Sorted-set commands (Redis 7.0's t_zset.c) over server/types/sorted_set.ts,
 * plus the book's ZQUERY: ZADD/ZINCRBY, the single-member commands and the
 * rows of every command. Ranges are zset_ranges.ts, pops and ZRANDMEMBER
 * zset_pops.ts, set operations zset_algebra.ts, shared parsing zset_common.ts.
 * Every range form (ranks, scores, lex, LIMIT) is first turned into an
 * interval of ranks, so a reply costs O(log n + m).
 */
import {
  DEFERRED_ARG,
  type HeldKey,
  takeDeferredSpan,
  takeKey,
  takesBytes,
  takesKeyBytes,
} from "../../protocol/bytes.ts";
import { arg, ArgCursor, intArg, isWord, LONG_MAX } from "../args.ts";
import { countRange, Direction, RangeType, removeRange, replyRank, zrange } from "./zset_ranges.ts";
import {
  pairsNested,
  parseScore,
  readZset,
  scoreOf,
  writeZset,
  zaddOption,
} from "./zset_common.ts";
import { blockingPop, pop, popCommand, randomBelow, randomMembers } from "./zset_pops.ts";
import { SetOp, setOperation } from "./zset_algebra.ts";
import {
  countedKeys,
  keyRange,
  OVERWRITTEN_KEY,
  READ_DELETED_KEY,
  READ_KEY,
  READ_UPDATED_KEY,
} from "../key_specs.ts";
import { formatDouble } from "../../protocol/double.ts";
import type { CommandContext } from "../context.ts";
import { type CommandSpec, withoutCount } from "../command.ts";
import {
  CommandError,
  NAN_RESULT,
  NOT_FLOAT,
  outOfRangeBetween,
  SYNTAX,
  VALUE_OUT_OF_RANGE,
  WRONGTYPE,
  ZADD_GT_LT_NX,
  ZADD_INCR_PAIRS,
  ZADD_NX_XX,
} from "../errors.ts";
import { WRONG_TYPE } from "../db.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { parseCursor, parseScanOptions, scanStep, writeScanReply } from "../scan.ts";
import { queryPairs, SortedSet, type ZsetLimits } from "../types/sorted_set.ts";
import { parseMultiPop, positiveLong, zsetLimits } from "./collections.ts";

const MIN_MAX = ["min", "max"] as const;

// ---- ZADD / ZINCRBY -------------------------------------------------------------

/** Redis's zaddGenericCommand: ZADD, and ZINCRBY as ZADD INCR. */
function zadd(ctx: CommandContext, argv: string[], incrCommand: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let at = 2;
  // Options end at the first word that is not one (the first score).
  for (; at < argv.length; at++) {
    const option = zaddOption(argv[at]!);
    if (option === "nx") nx = true;
    else if (option === "xx") xx = true;
    else if (option === "ch") ch = true;
    else if (option === "incr") incr = true;
    else if (option === "gt") gt = true;
    else if (option === "lt") lt = true;
    else break;
  }
  const pairs = argv.length - at;
  // Its errors end it by ctx.fail, not a throw (see scoreOf).
  if (pairs === 0 || pairs % 2 !== 0) return ctx.fail(SYNTAX);
  if (nx && xx) return ctx.fail(ZADD_NX_XX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.fail(ZADD_GT_LT_NX);
  if (incr && pairs > 2) return ctx.fail(ZADD_INCR_PAIRS);
  // Every score is parsed before anything changes; one pair (the usual ZADD) needs no array.
  const firstScore = scoreOf(argv[at]!);
  if (Number.isNaN(firstScore)) return ctx.fail(NOT_FLOAT);
  const count = pairs >> 1;
  let scores: number[] | undefined;
  if (count > 1) {
    scores = new Array<number>(count);
    scores[0] = firstScore;
    for (let i = at + 2; i < argv.length; i += 2) {
      const score = scoreOf(argv[i]!);
      if (Number.isNaN(score)) return ctx.fail(NOT_FLOAT);
      scores[(i - at) >> 1] = score;
    }
  }

  const db = ctx.db;
  const key = arg(argv, 1);
  // The limits matter only to an insert: an update of existing members never reads them.
  let limits: Readonly<ZsetLimits> | undefined;
  let set = writeZset(ctx, key);
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined) {
    if (xx) return incr ? ctx.out.nil() : ctx.out.int(0);
    limits = zsetLimits(ctx);
    set = new SortedSet();
    let longest = 0;
    for (let i = at + 1; i < argv.length; i += 2) longest = Math.max(longest, arg(argv, i).length);
    set.reserveFor(count, longest, limits);
    db.set(key, set);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  for (let j = 0; j < count; j++) {
    const member = arg(argv, at + 2 * j + 1);
    let score = scores === undefined ? firstScore : scores[j]!; // j < count
    const old = set.score(member);
    if (old === undefined) {
      if (xx) continue;
      set.addNew(member, score, limits ??= zsetLimits(ctx));
      added++;
    } else {
      if (nx) continue;
      if (incr) {
        score += old;
        if (Number.isNaN(score)) throw new CommandError(NAN_RESULT);
      }
      if ((lt && score >= old) || (gt && score <= old)) continue;
      if (score !== old) {
        set.changeScore(member, old, score);
        updated++;
      }
    }
    processed++;
    result = score;
  }
  if (incr) {
    if (processed > 0) ctx.out.double(result);
    else ctx.out.nil();
  } else {
    ctx.out.int(ch ? added + updated : added);
  }
  if (added + updated > 0) {
    ctx.server.keyChanged(db, key, NotifyClass.Zset, incr ? "zincr" : "zadd", added + updated);
  }
}

/**
 * ZADD key score member of a key left as bytes (takesKeyBytes below): its
 * string made only where something needs it (a new key, a listener, a TTL).
 * An option in the score's place is a syntax error the full path answers.
 */
function zaddHeld(ctx: CommandContext, key: HeldKey, argv: string[]): void {
  const scoreArg = argv[2]!;
  if (zaddOption(scoreArg) !== undefined) {
    key.string();
    memberString(argv);
    return zadd(ctx, argv, false);
  }
  const score = scoreOf(scoreArg);
  if (Number.isNaN(score)) return ctx.fail(NOT_FLOAT);
  const db = ctx.db;
  let set = db.getObjectAt<SortedSet>(key, "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined) {
    const member = memberString(argv);
    const limits = zsetLimits(ctx);
    set = new SortedSet();
    set.reserveFor(1, member.length, limits);
    db.set(key.string(), set);
    set.addNew(member, score, limits);
  } else {
    // A member left as bytes is looked for by them: a ZADD of one already there makes no string.
    const bytes = argv[3] === DEFERRED_ARG ? takeDeferredSpan(argv, 3)! : undefined;
    const old = bytes === undefined ? set.score(argv[3]!) : set.scoreOfBytes(bytes);
    if (old === score) return ctx.out.int(0);
    const member = bytes === undefined ? argv[3]! : bytes.string();
    if (old === undefined) set.addNew(member, score, zsetLimits(ctx));
    else return changed(ctx, key, set, member, old, score);
  }
  ctx.out.int(1);
  db.reaccountAt(key, set);
  ctx.server.keyChangedAt(db, key, NotifyClass.Zset, "zadd", 1, true);
}

/** zaddHeld's member moved from score `old` to `score`: 0 replied, the change told. */
function changed(
  ctx: CommandContext,
  key: HeldKey,
  set: SortedSet,
  member: string,
  old: number,
  score: number,
): void {
  set.changeScore(member, old, score);
  ctx.out.int(0);
  ctx.db.reaccountAt(key, set);
  ctx.server.keyChangedAt(ctx.db, key, NotifyClass.Zset, "zadd", 1, true);
}

/** ZADD key score member's member, made its string if it was left as bytes (takesBytes below). */
function memberString(argv: string[]): string {
  const member = argv[3]!;
  if (argv.length !== 4 || member !== DEFERRED_ARG) return member;
  return takeDeferredSpan(argv, 3)!.string();
}

// These take their key as the request's bytes in these forms (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("zadd", 4);
// ZADD key score member's member, 20 bytes or more (protocol/bytes.ts, VALUE_DEFER_MIN).
takesBytes("zadd", 3, 4);
takesKeyBytes("zquery", 6);

// ---- the command table --------------------------------------------------------

const SET_OP_COMPLEXITY = [
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
];

const RANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";

/** A rank of up to 3 digits, not negative (not counted from the end). */
function shortRank(rank: string): boolean {
  const length = rank.length;
  if (length === 0 || length > 3) return false;
  for (let i = 0; i < length; i++) {
    const digit = rank.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

/**
 * boundedByArgs of ZRANGE and ZREVRANGE by rank (nothing but WITHSCORES or
 * REV after start and stop): both short and not negative, so at most 1,000
 * elements are replied after a seek, tens of µs, far under the slow log's
 * floor for sampled commands.
 */
const shortRankRange = (argv: readonly string[]): boolean => {
  if (argv.length > 5 || !shortRank(argv[2]!) || !shortRank(argv[3]!)) return false;
  const option = argv[4];
  return option === undefined || isWord(option, "withscores") || isWord(option, "rev");
};

export const sortedSetCommands: CommandSpec[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Add one or more members to a sorted set, or update its score if it already exists",
    syntax: "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      if (held !== undefined) return zaddHeld(ctx, held, argv);
      memberString(argv);
      zadd(ctx, argv, false);
    },
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Increment the score of a member in a sorted set",
    syntax: "key increment member",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    handler: (ctx, argv) => zadd(ctx, argv, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Remove one or more members from a sorted set",
    syntax: "key member [member ...]",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const set = writeZset(ctx, key);
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) return ctx.out.int(0);
      let removed = 0;
      for (let i = 2; i < argv.length && set.size() > 0; i++) {
        if (set.remove(arg(argv, i))) removed++;
      }
      if (removed > 0) {
        ctx.keyChanged(key, NotifyClass.Zset, "zrem", removed);
        ctx.db.deleteIfEmpty(key, set);
      }
      ctx.out.int(removed);
    },
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Get the score associated with the given member in a sorted set",
    syntax: "key member",
    complexity: "O(1)",
    handler(ctx, argv) {
      const set = readZset(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const score = set?.score(arg(argv, 2));
      if (score === undefined) ctx.out.nil();
      else ctx.out.double(score);
    },
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Get the score associated with the given members in a sorted set",
    syntax: "key member [member ...]",
    complexity: "O(N) where N is the number of members being requested.",
    handler(ctx, argv) {
      const set = readZset(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const out = ctx.out;
      out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        const score = set?.score(arg(argv, i));
        if (score === undefined) out.nil();
        else out.double(score);
      }
    },
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Get the number of members in a sorted set",
    syntax: "key",
    complexity: "O(1)",
    handler(ctx, argv) {
      const count = ctx.db.readCount(arg(argv, 1), "zset");
      if (count === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(count);
    },
  },
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.0.0",
    summary: "Count the members in a sorted set with scores within the given values",
    syntax: "key min max",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx, argv) => countRange(ctx, argv, false),
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.8.9",
    summary: "Count the number of members in a sorted set between a given lexicographical range",
    syntax: "key min max",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx, argv) => countRange(ctx, argv, true),
  },
  {
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    boundedByArgs: shortRankRange,
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Return a range of members in a sorted set",
    syntax: "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Auto, Direction.Auto),
  },
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(OVERWRITTEN_KEY, 1), keyRange(READ_KEY, 2)],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Store a range of members from sorted set into another key",
    syntax: "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    handler: (ctx, argv) => zrange(ctx, argv, 2, arg(argv, 1), RangeType.Auto, Direction.Auto),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    boundedByArgs: shortRankRange,
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.2.0",
    summary:
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    syntax: "key start stop [WITHSCORES]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Rank, Direction.Reverse),
  },
  {
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "1.0.5",
    summary: "Return a range of members in a sorted set, by score",
    syntax: "key min max [WITHSCORES] [LIMIT offset count]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Score, Direction.Forward),
  },
  {
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.2.0",
    summary:
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    syntax: "key max min [WITHSCORES] [LIMIT offset count]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Score, Direction.Reverse),
  },
  {
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.8.9",
    summary: "Return a range of members in a sorted set, by lexicographical range",
    syntax: "key min max [LIMIT offset count]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Lex, Direction.Forward),
  },
  {
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.8.9",
    summary:
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
    syntax: "key max min [LIMIT offset count]",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => zrange(ctx, argv, 1, undefined, RangeType.Lex, Direction.Reverse),
  },
  {
    name: "zrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.0.0",
    summary: "Determine the index of a member in a sorted set",
    syntax: "key member",
    complexity: "O(log(N))",
    handler: (ctx, argv) => replyRank(ctx, argv, false),
  },
  {
    name: "zrevrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.0.0",
    summary:
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
    syntax: "key member",
    complexity: "O(log(N))",
    handler: (ctx, argv) => replyRank(ctx, argv, true),
  },
  ...(["zremrangebyrank", "zremrangebyscore", "zremrangebylex"] as const).map((name) => ({
    name,
    arity: 4,
    flags: ["write"] as const,
    keys: [1, 1, 1] as const,
    group: "sorted-set" as const,
    since: name === "zremrangebyrank" ? "2.0.0" : name === "zremrangebyscore" ? "1.2.0" : "2.8.9",
    summary: name === "zremrangebyrank"
      ? "Remove all members in a sorted set within the given indexes"
      : name === "zremrangebyscore"
      ? "Remove all members in a sorted set within the given scores"
      : "Remove all members in a sorted set between the given lexicographical range",
    syntax: name === "zremrangebyrank" ? "key start stop" : "key min max",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx: CommandContext, argv: string[]) =>
      removeRange(
        ctx,
        argv,
        name === "zremrangebyrank"
          ? RangeType.Rank
          : name === "zremrangebyscore"
          ? RangeType.Score
          : RangeType.Lex,
      ),
  })),
  ...(["zpopmin", "zpopmax"] as const).map((name) => ({
    name,
    arity: -2,
    flags: ["write", "fast"] as const,
    keys: [1, 1, 1] as const,
    keySpecs: [keyRange(READ_DELETED_KEY, 1)],
    group: "sorted-set" as const,
    since: "5.0.0",
    summary: name === "zpopmin"
      ? "Remove and return members with the lowest scores in a sorted set"
      : "Remove and return members with the highest scores in a sorted set",
    syntax: "key [count]",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler(ctx: CommandContext, argv: string[]) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      const count = argv.length === 3 ? positiveLong(arg(argv, 2)) : -1;
      const nested = pairsNested(ctx) && count !== -1;
      pop(ctx, arg(argv, 1), name === "zpopmax", false, count, nested, false);
    },
  })),
  ...(["bzpopmin", "bzpopmax"] as const).map((name) => ({
    name,
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"] as const,
    keys: [1, -2, 1] as const,
    keySpecs: [keyRange(READ_DELETED_KEY, 1, -2)],
    group: "sorted-set" as const,
    since: "5.0.0",
    summary: name === "bzpopmin"
      ? "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available"
      : "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    syntax: "key [key ...] timeout",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx: CommandContext, argv: string[]) =>
      blockingPop(
        ctx,
        argv.slice(1, -1),
        arg(argv, argv.length - 1),
        name === "bzpopmax",
        -1,
        false,
      ),
  })),
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keySpecs: [countedKeys(READ_DELETED_KEY, 1)],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Remove and return members with scores in a sorted set",
    syntax: "numkeys key [key ...] <MIN | MAX> [COUNT count]",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler(ctx, argv) {
      const { keys, end, count } = parseMultiPop(argv, 1, MIN_MAX);
      const max = end === "max";
      const result = pop(ctx, keys, max, true, count, true, true);
      if (result !== undefined) {
        ctx.propagateAs = [popCommand(max, result.key, count, result.popped)];
      }
    },
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keySpecs: [countedKeys(READ_DELETED_KEY, 2)],
    group: "sorted-set",
    since: "7.0.0",
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    syntax: "timeout numkeys key [key ...] <MIN | MAX> [COUNT count]",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler(ctx, argv) {
      const { keys, end, count } = parseMultiPop(argv, 2, MIN_MAX);
      blockingPop(ctx, keys, arg(argv, 1), end === "max", count, true);
    },
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: withoutCount,
    group: "sorted-set",
    since: "6.2.0",
    summary: "Get one or multiple random elements from a sorted set",
    syntax: "key [count [WITHSCORES]]",
    complexity: "O(N) where N is the number of elements returned",
    handler(ctx, argv) {
      if (argv.length >= 3) {
        const args = new ArgCursor(argv, 2);
        const count = args.nextInt64();
        if (count < -LONG_MAX) throw new CommandError(outOfRangeBetween(-LONG_MAX, LONG_MAX));
        const withScores = args.eat("withscores");
        args.end();
        if (withScores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
          throw new CommandError(VALUE_OUT_OF_RANGE);
        }
        return randomMembers(ctx, arg(argv, 1), Number(count), withScores);
      }
      const set = readZset(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) return ctx.out.nil();
      ctx.out.bulk(set.at(randomBelow(set.size()))[0]);
    },
  },
  ...([
    ["zunion", SetOp.Union, "6.2.0", "Add multiple sorted sets"],
    ["zinter", SetOp.Inter, "6.2.0", "Intersect multiple sorted sets"],
    ["zdiff", SetOp.Diff, "6.2.0", "Subtract multiple sorted sets"],
  ] as const).map(([name, op, since, summary]) => ({
    name,
    arity: -3,
    flags: ["readonly", "movablekeys"] as const,
    group: "sorted-set" as const,
    since,
    summary,
    syntax: op === SetOp.Diff
      ? "numkeys key [key ...] [WITHSCORES]"
      : "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]",
    complexity: SET_OP_COMPLEXITY[op],
    handler: (ctx: CommandContext, argv: string[]) =>
      setOperation(ctx, argv, name, undefined, 1, op, false),
  })),
  ...([
    [
      "zunionstore",
      SetOp.Union,
      "2.0.0",
      "Add multiple sorted sets and store the resulting sorted set in a new key",
    ],
    [
      "zinterstore",
      SetOp.Inter,
      "2.0.0",
      "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    ],
    [
      "zdiffstore",
      SetOp.Diff,
      "6.2.0",
      "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    ],
  ] as const).map(([name, op, since, summary]) => ({
    name,
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"] as const,
    keys: [1, 1, 1] as const,
    keySpecs: [keyRange(OVERWRITTEN_KEY, 1), countedKeys(READ_KEY, 2)],
    group: "sorted-set" as const,
    since,
    summary,
    syntax: op === SetOp.Diff
      ? "destination numkeys key [key ...]"
      : "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]",
    complexity: SET_OP_COMPLEXITY[op],
    handler: (ctx: CommandContext, argv: string[]) =>
      setOperation(ctx, argv, name, arg(argv, 1), 2, op, false),
  })),
  {
    name: "zintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Intersect multiple sorted sets and return the cardinality of the result",
    syntax: "numkeys key [key ...] [LIMIT limit]",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    handler: (ctx, argv) => setOperation(ctx, argv, "zintercard", undefined, 1, SetOp.Inter, true),
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "2.8.0",
    summary: "Incrementally iterate sorted sets elements and associated scores",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    handler(ctx, argv) {
      const out = ctx.out;
      const cursor = parseCursor(arg(argv, 2));
      const set = readZset(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) {
        return writeScanReply(out, 0n, []);
      }
      const { match, count } = parseScanOptions(argv, 3, false);
      const items: string[] = [];
      const emit = (member: string, score: number) => {
        if (match === undefined || globMatch(match, member)) {
          items.push(member, formatDouble(score));
        }
      };
      let next = 0n;
      const iterator = set.scanIterator();
      if (iterator === undefined) {
        // A listpack-encoded set is returned whole, whatever the cursor (as Redis).
        set.visitRange(0, set.size() - 1, emit);
      } else {
        next = scanStep(set, () => set.scanIterator()!, cursor, count, ([m, s]) => emit(m, s));
      }
      writeScanReply(out, next, items);
    },
  },
  {
    name: "zquery",
    arity: 6,
    flags: ["readonly"],
    // A seek as ZRANK's (Redis flags that fast) and the reply its limit asks for.
    boundedByArgs: true,
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "7.0.0",
    summary:
      "Return members at or after a score and member, skipping an offset, as member and score pairs (the book's ZQUERY)",
    syntax: "key score member offset limit",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler(ctx, argv) {
      const score = parseScore(arg(argv, 2));
      const offset = intArg(arg(argv, 4));
      const limit = intArg(arg(argv, 5));
      const out = ctx.out;
      const held = takeKey(argv, 1);
      const set = held !== undefined
        ? ctx.db.viewObjectAt<SortedSet>(held, "zset")
        : readZset(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) return out.array(0);
      // The book seeks the first member >= (score, member), moves by offset
      // (out of range: nothing), then writes members while fewer than
      // `limit` array elements (two per member) have been written.
      const pairs = limit <= 0 ? 0 : Math.ceil(limit / 2);
      if (ctx.isNative) return set.writeFrom(score, arg(argv, 3), offset, pairs, out);
      const seek = set.countBelow(score, arg(argv, 3));
      const n = queryPairs(seek, offset, set.size(), pairs);
      out.array(n * 2);
      if (n === 0) return;
      set.visitRange(seek + offset, seek + offset + n - 1, (member, memberScore) => {
        out.bulk(member);
        out.bulk(formatDouble(memberScore));
      });
    },
  },
];
