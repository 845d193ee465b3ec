/**
 * Sorted-set commands (Redis 7.0's t_zset.c) over server/types/sorted_set.ts,
 * plus the book's ZQUERY. Every range form (ranks, scores, lex, LIMIT) is
 * first turned into an interval of ranks, so a reply costs O(log n + m).
 */
import { countedKeys, keyRange, OVERWRITTEN_KEY, READ_KEY } from "../key_specs.ts";
import { formatDouble, strtod, strtodWhole } from "../../protocol/double.ts";
import { intArg, parseInt64, parseInteger } from "../args.ts";
import { blockingKey, parseBlockingTimeout } from "../blocking.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec } from "../command.ts";
import {
  atLeastOneInputKey,
  CommandError,
  COUNT_NOT_POSITIVE,
  LIMIT_NEEDS_BYSCORE_OR_BYLEX,
  LIMIT_NEGATIVE,
  MIN_MAX_NOT_FLOAT,
  MIN_MAX_NOT_STRING_RANGE,
  NAN_RESULT,
  NOT_FLOAT,
  NOT_INTEGER,
  NOT_POSITIVE,
  NUMKEYS_NOT_POSITIVE,
  outOfRangeBetween,
  SYNTAX,
  VALUE_OUT_OF_RANGE,
  WEIGHT_NOT_FLOAT,
  WITHSCORES_WITH_BYLEX,
  WRONGTYPE,
  ZADD_GT_LT_NX,
  ZADD_INCR_PAIRS,
  ZADD_NX_XX,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { parseCursor, parseScanOptions, scanStep, writeScanReply } from "../scan.ts";
import { SortedSet } from "../types/sorted_set.ts";

const LONG_MAX = 9223372036854775807n;
/**
 * ZRANDMEMBER with a negative count repeats picks without bound in Redis; past
 * this many (a reply of hundreds of megabytes) it is refused instead.
 */
const MAX_REPEATED_PICKS = 1 << 24;

// ---- keys ------------------------------------------------------------------

/** The sorted set at `key` for a read (Redis's lookupKeyRead: counts hits and misses). */
function readZset(ctx: CommandContext, key: string): SortedSet | undefined {
  return ctx.db.readObject<SortedSet>(key, "zset");
}

function writeZset(ctx: CommandContext, key: string): SortedSet | undefined {
  return ctx.db.writeObject<SortedSet>(key, "zset");
}

/** Stores a computed set at `dst`, or deletes `dst` when it is empty; replies its size. */
function storeResult(ctx: CommandContext, dst: string, result: SortedSet, event: string): void {
  const db = ctx.db;
  if (result.size() > 0) {
    db.set(dst, result);
    ctx.server.keyChanged(db, dst, NotifyClass.Zset, event);
  } else if (db.has(dst) && db.delete(dst)) {
    ctx.server.keyChanged(db, dst, NotifyClass.Generic, "del");
  }
  ctx.out.int(result.size());
}

// ---- argument parsing -------------------------------------------------------

/**
 * A score as Redis's string2d reads it (ZADD, ZINCRBY, WEIGHTS, ZQUERY): all
 * of strtod's forms (inf, hex, exponents), but no leading space, no NaN, no
 * overflow to inf and no underflow to 0.
 */
function parseScore(arg: string, error = NOT_FLOAT): number {
  const integer = parseInteger(arg);
  if (integer !== undefined) return integer;
  const parsed = strtodWhole(arg);
  if (parsed === undefined || parsed.outOfRange || Number.isNaN(parsed.value)) {
    throw new CommandError(error);
  }
  return parsed.value;
}

/** An integer argument of at least `min`; `error` for a bad number and for one too small. */
function rangedLong(arg: string, min: number, error: string): number {
  const value = parseInteger(arg);
  if (value === undefined || value < min) throw new CommandError(error);
  return value;
}

interface ScoreBound {
  value: number;
  exclusive: boolean;
}

/**
 * A ZRANGEBYSCORE bound as zslParseRange reads it: "(" for exclusive, then
 * plain strtod up to the string's end or a NUL byte (so leading spaces, an
 * empty string meaning 0, and overflow to inf all pass, as in Redis).
 */
function parseScoreBound(arg: string): ScoreBound {
  const exclusive = arg.charCodeAt(0) === 40;
  const text = exclusive ? arg.slice(1) : arg;
  const parsed = strtod(text);
  if (
    (parsed.length !== text.length && text.charCodeAt(parsed.length) !== 0) ||
    Number.isNaN(parsed.value)
  ) {
    throw new CommandError(MIN_MAX_NOT_FLOAT);
  }
  return { value: parsed.value, exclusive };
}

/** Where a lex bound sits: below every member ("-"), above every one ("+"), or at `value`. */
const enum LexEdge {
  Min,
  Max,
  Value,
}

interface LexBound {
  edge: LexEdge;
  value: string;
  exclusive: boolean;
}

/** A ZRANGEBYLEX bound: "-", "+", "(member" or "[member" (zslParseLexRangeItem). */
function parseLexBound(arg: string): LexBound {
  const c = arg.charCodeAt(0);
  // Redis reads "-" and "+" as C strings: a NUL byte ends them.
  const alone = arg.length === 1 || arg.charCodeAt(1) === 0;
  if (c === 45 && alone) return { edge: LexEdge.Min, value: "", exclusive: true };
  if (c === 43 && alone) return { edge: LexEdge.Max, value: "", exclusive: true };
  if (c === 40 || c === 91) {
    return { edge: LexEdge.Value, value: arg.slice(1), exclusive: c === 40 };
  }
  throw new CommandError(MIN_MAX_NOT_STRING_RANGE);
}

/** The ranks [start, end] of the members within [min, max] by score (empty when start > end). */
function scoreRanks(set: SortedSet, min: ScoreBound, max: ScoreBound): [number, number] {
  return [
    set.countByScore(min.value, min.exclusive),
    set.countByScore(max.value, !max.exclusive) - 1,
  ];
}

/** As scoreRanks, by member (ZRANGEBYLEX assumes equal scores). */
function lexRanks(set: SortedSet, min: LexBound, max: LexBound): [number, number] {
  const start = min.edge === LexEdge.Min
    ? 0
    : min.edge === LexEdge.Max
    ? set.size()
    : set.countByMember(min.value, min.exclusive);
  const end = max.edge === LexEdge.Max
    ? set.size() - 1
    : max.edge === LexEdge.Min
    ? -1
    : set.countByMember(max.value, !max.exclusive) - 1;
  return [start, end];
}

/** A parsed score or lex range, as the function giving its ranks in a set. */
type RangeOf = (set: SortedSet) => [number, number];

function parseRange(lex: boolean, minArg: string, maxArg: string): RangeOf {
  if (lex) {
    const min = parseLexBound(minArg);
    const max = parseLexBound(maxArg);
    return (set) => lexRanks(set, min, max);
  }
  const min = parseScoreBound(minArg);
  const max = parseScoreBound(maxArg);
  return (set) => scoreRanks(set, min, max);
}

/**
 * ZRANGE's start/stop sanitized as Redis does (negative counts from the end);
 * undefined when the range is empty.
 */
function rankRange(size: number, start: number, end: number): [number, number] | undefined {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return undefined;
  return [start, Math.min(end, size - 1)];
}

/**
 * The ranks to visit, first to last, for the elements [start, end] after
 * LIMIT offset count (a negative count means all, a negative offset nothing).
 */
function limitRanks(
  start: number,
  end: number,
  reverse: boolean,
  offset: number,
  count: number,
): [number, number] | undefined {
  if (start > end || offset < 0) return undefined;
  const available = end - start + 1 - offset;
  const n = count < 0 ? available : Math.min(available, count);
  if (n <= 0) return undefined;
  return reverse ? [end - offset, end - offset - n + 1] : [start + offset, start + offset + n - 1];
}

// ---- replies ------------------------------------------------------------------

/** Member/score pairs are [member, score] arrays in RESP3 (and native), flat in RESP2. */
function pairsNested(ctx: CommandContext): boolean {
  return ctx.protocol !== 2;
}

/** Replies the members at ranks `from` to `to` (either direction), with their scores if asked. */
function replyRanks(
  ctx: CommandContext,
  set: SortedSet,
  from: number,
  to: number,
  withScores: boolean,
): void {
  const out = ctx.out;
  const count = Math.abs(to - from) + 1;
  const nested = withScores && pairsNested(ctx);
  out.array(withScores && !nested ? count * 2 : count);
  set.visitRange(from, to, (member, score) => {
    if (nested) out.array(2);
    out.bulk(member);
    if (withScores) out.double(score);
  });
}

/** A new set of the members at ranks `from` to `to` of `set`. */
function copyRanks(set: SortedSet, from: number, to: number): SortedSet {
  const result = new SortedSet();
  set.visitRange(from, to, (member, score) => result.addNew(member, score));
  return result;
}

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
  for (; at < argv.length; at++) {
    const option = argv[at].toLowerCase();
    if (option === "nx") nx = true;
    else if (option === "xx") xx = true;
    else if (option === "ch") ch = true;
    else if (option === "incr") incr = true;
    else if (option === "gt") gt = true;
    else if (option === "lt") lt = true;
    else break;
  }
  const pairs = argv.length - at;
  if (pairs === 0 || pairs % 2 !== 0) throw new CommandError(SYNTAX);
  if (nx && xx) throw new CommandError(ZADD_NX_XX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new CommandError(ZADD_GT_LT_NX);
  if (incr && pairs > 2) throw new CommandError(ZADD_INCR_PAIRS);
  const scores: number[] = [];
  for (let i = at; i < argv.length; i += 2) scores.push(parseScore(argv[i]));

  const db = ctx.db;
  const key = argv[1];
  let set = writeZset(ctx, key);
  if (set === undefined) {
    if (xx) return incr ? ctx.out.nil() : ctx.out.int(0);
    set = new SortedSet();
    db.set(key, set);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  for (let j = 0; j < scores.length; j++) {
    const member = argv[at + 2 * j + 1];
    let score = scores[j];
    const old = set.score(member);
    if (old === undefined) {
      if (xx) continue;
      set.addNew(member, score);
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

// ---- ranges ------------------------------------------------------------------

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * Redis's zrangeGenericCommand: ZRANGE, ZRANGESTORE and the older
 * Z[REV]RANGE[BYSCORE|BYLEX]. `first` is the index of the source key;
 * `dst` is set for ZRANGESTORE.
 */
function zrange(
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
  for (let j = first + 3; j < argv.length; j++) {
    const option = argv[j].toLowerCase();
    const left = argv.length - j - 1;
    if (!store && option === "withscores") {
      withScores = true;
    } else if (option === "limit" && left >= 2) {
      offset = intArg(argv[j + 1]);
      limit = intArg(argv[j + 2]);
      j += 2;
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
  const minArg = argv[reverse && type !== RangeType.Rank ? first + 2 : first + 1];
  const maxArg = argv[reverse && type !== RangeType.Rank ? first + 1 : first + 2];
  let start = 0;
  let end = 0;
  let rangeOf: RangeOf | undefined;
  if (type === RangeType.Rank) {
    start = intArg(minArg);
    end = intArg(maxArg);
  } else {
    rangeOf = parseRange(type === RangeType.Lex, minArg, maxArg);
  }

  const set = readZset(ctx, argv[first]);
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
    const result = ranks === undefined ? new SortedSet() : copyRanks(set!, ranks[0], ranks[1]);
    return storeResult(ctx, dst, result, "zrangestore");
  }
  if (ranks === undefined) return ctx.out.array(0);
  replyRanks(ctx, set!, ranks[0], ranks[1], withScores);
}

/** ZCOUNT and ZLEXCOUNT. */
function countRange(ctx: CommandContext, argv: string[], lex: boolean): void {
  const rangeOf = parseRange(lex, argv[2], argv[3]);
  const set = readZset(ctx, argv[1]);
  if (set === undefined) return ctx.out.int(0);
  const [start, end] = rangeOf(set);
  ctx.out.int(Math.max(0, end - start + 1));
}

const REMOVE_EVENTS = ["", "zremrangebyrank", "zremrangebyscore", "zremrangebylex"];

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX. */
function removeRange(ctx: CommandContext, argv: string[], type: RangeType): void {
  let rangeOf: (set: SortedSet) => [number, number] | undefined;
  if (type === RangeType.Rank) {
    const start = intArg(argv[2]);
    const end = intArg(argv[3]);
    rangeOf = (set) => rankRange(set.size(), start, end);
  } else {
    rangeOf = parseRange(type === RangeType.Lex, argv[2], argv[3]);
  }
  const key = argv[1];
  const set = writeZset(ctx, key);
  if (set === undefined) return ctx.out.int(0);
  const range = rangeOf(set);
  if (range === undefined || range[0] > range[1]) return ctx.out.int(0);
  const removed = range[1] - range[0] + 1;
  set.removeRange(range[0], range[1]);
  ctx.keyChanged(key, NotifyClass.Zset, REMOVE_EVENTS[type], removed);
  ctx.db.deleteIfEmpty(key, set);
  ctx.out.int(removed);
}

// ---- pops ------------------------------------------------------------------

/**
 * Redis's genericZpopCommand: pops up to `count` members (-1: one, the plain
 * form) from the first of `keys` that exists. `emitKey` puts the key in the
 * reply (BZPOP*, ZMPOP), `nested` makes [member, score] pairs, and
 * `nilWhenEmpty` answers a null instead of an empty array when no key exists.
 * Returns how many were popped and from which key.
 */
function pop(
  ctx: CommandContext,
  keys: readonly string[],
  max: boolean,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): { key: string; popped: number } | undefined {
  const out = ctx.out;
  let key = "";
  let set: SortedSet | undefined;
  for (const candidate of keys) {
    set = writeZset(ctx, candidate);
    if (set !== undefined) {
      key = candidate;
      break;
    }
  }
  if (set === undefined) {
    if (nilWhenEmpty) out.nilArray();
    else out.array(0);
    return undefined;
  }
  if (count === 0) {
    out.array(0);
    return undefined;
  }
  const size = set.size();
  const n = Math.min(count === -1 ? 1 : count, size);
  if (!emitKey) {
    out.array(nested ? n : n * 2);
  } else if (!nested) {
    out.array(n * 2 + 1);
    out.bulk(key);
  } else {
    out.array(2);
    out.bulk(key);
    out.array(n);
  }
  const from = max ? size - 1 : 0;
  const to = max ? size - n : n - 1;
  set.visitRange(from, to, (member, score) => {
    if (nested) out.array(2);
    out.bulk(member);
    out.double(score);
  });
  set.removeRange(Math.min(from, to), Math.max(from, to));
  ctx.keyChanged(key, NotifyClass.Zset, max ? "zpopmax" : "zpopmin", n);
  ctx.db.deleteIfEmpty(key, set);
  return { key, popped: n };
}

/** How a pop served by a blocking command goes to the AOF: ZPOPMIN/ZPOPMAX key [count]. */
function popCommand(max: boolean, key: string, count: number, popped: number): string[] {
  const argv = [max ? "ZPOPMAX" : "ZPOPMIN", key];
  if (count !== -1) argv.push(String(popped));
  return argv;
}

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP (`nested`): pops now if any key has members,
 * else waits for one (not inside EXEC, which answers as a timeout would).
 */
function blockingPop(
  ctx: CommandContext,
  keys: string[],
  timeoutArg: string,
  max: boolean,
  count: number,
  nested: boolean,
): void {
  const deadline = parseBlockingTimeout(timeoutArg);
  for (const key of keys) {
    const set = writeZset(ctx, key);
    if (set === undefined || set.size() === 0) continue;
    const result = pop(ctx, [key], max, true, count, nested, nested)!;
    ctx.propagateAs = [popCommand(max, key, count, result.popped)];
    return;
  }
  if (ctx.inExec) return ctx.out.nilArray();
  const db = ctx.db;
  // One wait per distinct key, as Redis's blockForKeys.
  const keyByWaitKey = new Map<string, string>();
  for (const key of keys) keyByWaitKey.set(blockingKey(db.index, key), key);
  ctx.server.blocking.block(ctx.client, {
    keys: [...keyByWaitKey.keys()],
    deadline,
    tryServe(readyKey) {
      const key = keyByWaitKey.get(readyKey)!;
      const value = db.get(key);
      if (value === undefined || typeof value === "string" || value.type !== "zset") return false;
      const result = pop(ctx, [key], max, true, count, nested, nested)!;
      ctx.server.propagate(db.index, popCommand(max, key, count, result.popped));
      return true;
    },
    onTimeout() {
      ctx.out.nilArray();
    },
  });
}

/** ZMPOP and BZMPOP's arguments from numkeys on: the keys, MIN|MAX and COUNT. */
function parseMultiPop(
  argv: string[],
  numkeysAt: number,
): { keys: string[]; max: boolean; count: number } {
  const numkeys = rangedLong(argv[numkeysAt], 1, NUMKEYS_NOT_POSITIVE);
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const where = argv[whereAt].toUpperCase();
  if (where !== "MIN" && where !== "MAX") throw new CommandError(SYNTAX);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && argv[j].toUpperCase() === "COUNT" && j + 1 < argv.length) {
      count = rangedLong(argv[++j], 1, COUNT_NOT_POSITIVE);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return {
    keys: argv.slice(numkeysAt + 1, whereAt),
    max: where === "MAX",
    count: count === -1 ? 1 : count,
  };
}

// ---- ZRANDMEMBER ------------------------------------------------------------

function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/** ZRANDMEMBER key count [WITHSCORES] (Redis's zrandmemberWithCountCommand). */
function randomMembers(
  ctx: CommandContext,
  key: string,
  requested: number,
  withScores: boolean,
): void {
  const out = ctx.out;
  const set = readZset(ctx, key);
  if (set === undefined) return out.array(0);
  const unique = requested >= 0;
  const count = Math.abs(requested);
  if (count === 0) return out.array(0);
  const nested = withScores && pairsNested(ctx);
  const writeEntry = ([member, score]: [string, number]) => {
    if (nested) out.array(2);
    out.bulk(member);
    if (withScores) out.double(score);
  };
  const size = set.size();
  if (!unique || count === 1) {
    if (count > MAX_REPEATED_PICKS) throw new CommandError(VALUE_OUT_OF_RANGE);
    out.array(withScores && !nested ? count * 2 : count);
    for (let i = 0; i < count; i++) writeEntry(set.at(randomBelow(size)));
    return;
  }
  const n = Math.min(count, size);
  out.array(withScores && !nested ? n * 2 : n);
  // The whole set comes highest first: Redis's zset iterator walks from the tail.
  if (count >= size) return set.visitRange(size - 1, 0, (m, s) => writeEntry([m, s]));
  if (count * 3 > size) {
    // Most of the set: a partial shuffle of all ranks.
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + randomBelow(size - i);
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
      writeEntry(set.at(ranks[i]));
    }
    return;
  }
  const seen = new Set<number>();
  while (seen.size < count) {
    const rank = randomBelow(size);
    if (seen.has(rank)) continue;
    seen.add(rank);
    writeEntry(set.at(rank));
  }
}

// ---- ZUNION / ZINTER / ZDIFF ------------------------------------------------

/** The part of a plain set (server/types/set.ts) that set operations read: members score 1. */
interface MemberSet {
  readonly type: "set";
  size(): number;
  has(member: string): boolean;
  members(): Iterable<string>;
}

interface Source {
  value: SortedSet | MemberSet | undefined;
  weight: number;
}

function sourceSize(source: Source): number {
  return source.value === undefined ? 0 : source.value.size();
}

function* sourceEntries(source: Source): Iterable<[string, number]> {
  const value = source.value;
  if (value === undefined) return;
  if (value.type === "zset") {
    yield* value.entries();
  } else {
    for (const member of value.members()) yield [member, 1];
  }
}

function sourceScore(source: Source, member: string): number | undefined {
  const value = source.value;
  if (value === undefined) return undefined;
  if (value.type === "zset") return value.score(member);
  return value.has(member) ? 1 : undefined;
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

function aggregate(into: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = into + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === Aggregate.Min) return value < into ? value : into;
  return value > into ? value : into;
}

const enum SetOp {
  Union,
  Inter,
  Diff,
}

/**
 * Redis's zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE
 * forms (`dst`), and ZINTERCARD (`cardinalityOnly`). Plain sets count as
 * sorted sets whose scores are all 1.
 */
function setOperation(
  ctx: CommandContext,
  argv: string[],
  name: string,
  dst: string | undefined,
  numkeysAt: number,
  op: SetOp,
  cardinalityOnly: boolean,
): void {
  const numkeys = intArg(argv[numkeysAt]);
  if (numkeys < 1) throw new CommandError(atLeastOneInputKey(name));
  if (numkeys > argv.length - numkeysAt - 1) throw new CommandError(SYNTAX);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const value = ctx.db.lookupRead(argv[numkeysAt + 1 + i]);
    if (
      value !== undefined &&
      (typeof value === "string" || (value.type !== "zset" && value.type !== "set"))
    ) {
      throw new CommandError(WRONGTYPE);
    }
    sources.push({ value: value as SortedSet | MemberSet | undefined, weight: 1 });
  }

  let how = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  for (let j = numkeysAt + 1 + numkeys; j < argv.length; j++) {
    const option = argv[j].toLowerCase();
    const left = argv.length - j;
    const weighted = op !== SetOp.Diff && !cardinalityOnly;
    if (weighted && left >= numkeys + 1 && option === "weights") {
      for (const source of sources) source.weight = parseScore(argv[++j], WEIGHT_NOT_FLOAT);
    } else if (weighted && left >= 2 && option === "aggregate") {
      const which = argv[++j].toLowerCase();
      if (which === "sum") how = Aggregate.Sum;
      else if (which === "min") how = Aggregate.Min;
      else if (which === "max") how = Aggregate.Max;
      else throw new CommandError(SYNTAX);
    } else if (dst === undefined && !cardinalityOnly && option === "withscores") {
      withScores = true;
    } else if (cardinalityOnly && left >= 2 && option === "limit") {
      limit = rangedLong(argv[++j], 0, LIMIT_NEGATIVE);
    } else {
      throw new CommandError(SYNTAX);
    }
  }

  if (op !== SetOp.Diff) sources.sort((a, b) => sourceSize(a) - sourceSize(b));
  const result = new SortedSet();
  let cardinality = 0;
  if (op === SetOp.Inter) {
    const [smallest, ...others] = sources;
    if (sourceSize(smallest) > 0) {
      for (const [member, score] of sourceEntries(smallest)) {
        let total = smallest.weight * score;
        if (Number.isNaN(total)) total = 0;
        let inAll = true;
        for (const other of others) {
          const found = other.value === smallest.value ? score : sourceScore(other, member);
          if (found === undefined) {
            inAll = false;
            break;
          }
          total = aggregate(total, found * other.weight, how);
        }
        if (!inAll) continue;
        if (cardinalityOnly) {
          if (++cardinality === limit) break;
        } else {
          result.addNew(member, total);
        }
      }
    }
  } else if (op === SetOp.Union) {
    const totals = new Map<string, number>();
    for (const source of sources) {
      for (const [member, score] of sourceEntries(source)) {
        let value = source.weight * score;
        if (Number.isNaN(value)) value = 0;
        const sofar = totals.get(member);
        totals.set(member, sofar === undefined ? value : aggregate(sofar, value, how));
      }
    }
    for (const [member, score] of totals) result.addNew(member, score);
  } else {
    const [base, ...others] = sources;
    for (const [member, score] of sourceEntries(base)) {
      if (others.every((other) => sourceScore(other, member) === undefined)) {
        result.addNew(member, score);
      }
    }
  }

  if (dst !== undefined) {
    const event = op === SetOp.Union
      ? "zunionstore"
      : op === SetOp.Inter
      ? "zinterstore"
      : "zdiffstore";
    return storeResult(ctx, dst, result, event);
  }
  if (cardinalityOnly) return ctx.out.int(cardinality);
  if (result.size() === 0) return ctx.out.array(0);
  replyRanks(ctx, result, 0, result.size() - 1, withScores);
}

// ---- the command table --------------------------------------------------------

const SET_OP_COMPLEXITY = [
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
];

const RANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";

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
    handler: (ctx, argv) => zadd(ctx, argv, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
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
      const key = argv[1];
      const set = writeZset(ctx, key);
      if (set === undefined) return ctx.out.int(0);
      let removed = 0;
      for (let i = 2; i < argv.length && set.size() > 0; i++) {
        if (set.remove(argv[i])) removed++;
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
      const score = readZset(ctx, argv[1])?.score(argv[2]);
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
      const set = readZset(ctx, argv[1]);
      const out = ctx.out;
      out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        const score = set?.score(argv[i]);
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
      ctx.out.int(readZset(ctx, argv[1])?.size() ?? 0);
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
    handler: (ctx, argv) => zrange(ctx, argv, 2, argv[1], RangeType.Auto, Direction.Auto),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
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
    handler(ctx, argv) {
      const rank = readZset(ctx, argv[1])?.rank(argv[2]);
      if (rank === undefined) ctx.out.nil();
      else ctx.out.int(rank);
    },
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
    handler(ctx, argv) {
      const set = readZset(ctx, argv[1]);
      const rank = set?.rank(argv[2]);
      if (rank === undefined) ctx.out.nil();
      else ctx.out.int(set!.size() - 1 - rank);
    },
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
      const count = argv.length === 3 ? rangedLong(argv[2], 0, NOT_POSITIVE) : -1;
      const nested = pairsNested(ctx) && count !== -1;
      pop(ctx, [argv[1]], name === "zpopmax", false, count, nested, false);
    },
  })),
  ...(["bzpopmin", "bzpopmax"] as const).map((name) => ({
    name,
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"] as const,
    keys: [1, -2, 1] as const,
    group: "sorted-set" as const,
    since: "5.0.0",
    summary: name === "bzpopmin"
      ? "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available"
      : "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    syntax: "key [key ...] timeout",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx: CommandContext, argv: string[]) =>
      blockingPop(ctx, argv.slice(1, -1), argv[argv.length - 1], name === "bzpopmax", -1, false),
  })),
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Remove and return members with scores in a sorted set",
    syntax: "numkeys key [key ...] <MIN | MAX> [COUNT count]",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler(ctx, argv) {
      const { keys, max, count } = parseMultiPop(argv, 1);
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
    group: "sorted-set",
    since: "7.0.0",
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    syntax: "timeout numkeys key [key ...] <MIN | MAX> [COUNT count]",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler(ctx, argv) {
      const { keys, max, count } = parseMultiPop(argv, 2);
      blockingPop(ctx, keys, argv[1], max, count, true);
    },
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Get one or multiple random elements from a sorted set",
    syntax: "key [count [WITHSCORES]]",
    complexity: "O(N) where N is the number of elements returned",
    handler(ctx, argv) {
      if (argv.length >= 3) {
        const count = parseInt64(argv[2]);
        if (count === undefined) throw new CommandError(NOT_INTEGER);
        if (count < -LONG_MAX) throw new CommandError(outOfRangeBetween(-LONG_MAX, LONG_MAX));
        const withScores = argv.length === 4 && argv[3].toUpperCase() === "WITHSCORES";
        if (argv.length > 4 || (argv.length === 4 && !withScores)) {
          throw new CommandError(SYNTAX);
        }
        if (withScores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
          throw new CommandError(VALUE_OUT_OF_RANGE);
        }
        return randomMembers(ctx, argv[1], Number(count), withScores);
      }
      const set = readZset(ctx, argv[1]);
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
      setOperation(ctx, argv, name, argv[1], 2, op, false),
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
      const cursor = parseCursor(argv[2]);
      const set = readZset(ctx, argv[1]);
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
    keys: [1, 1, 1],
    group: "sorted-set",
    since: "7.0.0",
    summary:
      "Return members at or after a score and member, skipping an offset, as member and score pairs (the book's ZQUERY)",
    syntax: "key score member offset limit",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler(ctx, argv) {
      const score = parseScore(argv[2]);
      const offset = intArg(argv[4]);
      const limit = intArg(argv[5]);
      const out = ctx.out;
      const set = readZset(ctx, argv[1]);
      const size = set?.size() ?? 0;
      // The book seeks the first member >= (score, member), moves by offset
      // (out of range: nothing), then writes members while fewer than
      // `limit` array elements (two per member) have been written.
      const seek = set === undefined ? size : set.countBelow(score, argv[3]);
      const start = seek + offset;
      if (seek >= size || start < 0 || start >= size || limit <= 0) return out.array(0);
      const n = Math.min(size - start, Math.ceil(limit / 2));
      out.array(n * 2);
      const native = ctx.isNative;
      set!.visitRange(start, start + n - 1, (member, memberScore) => {
        out.bulk(member);
        if (native) out.double(memberScore);
        else out.bulk(formatDouble(memberScore));
      });
    },
  },
];
