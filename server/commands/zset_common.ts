/**
 * What the sorted-set command modules share: key lookups, score and
 * range-bound parsing (every range form becomes an interval of ranks), and
 * the reply of a run of ranks.
 */
import { isWord, parseInteger } from "../args.ts";
import { NotifyClass } from "../notify.ts";
import { strtod, strtodWhole } from "../../protocol/double.ts";
import type { CommandContext } from "../context.ts";
import type { WrongType } from "../db.ts";
import { CommandError, MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING_RANGE, NOT_FLOAT } from "../errors.ts";
import { SortedSet, type ZsetLimits } from "../types/sorted_set.ts";

// ---- keys ------------------------------------------------------------------

/**
 * The sorted set at `key` for a read (Redis's lookupKeyRead: counts hits and misses) that keeps
 * no reference past its reply: a small one kept packed is read in place (db.viewObject).
 */
export function readZset(ctx: CommandContext, key: string): SortedSet | undefined | WrongType {
  return ctx.db.viewObject<SortedSet>(key, "zset");
}

export function writeZset(
  ctx: CommandContext,
  key: string,
): SortedSet | undefined | WrongType {
  return ctx.db.writeObject<SortedSet>(key, "zset");
}

/** Stores a computed set at `dst`, or deletes `dst` when it is empty; replies its size. */
export function storeResult(
  ctx: CommandContext,
  dst: string,
  result: SortedSet,
  event: string,
): void {
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
 * A ZADD option's lower-case name, or undefined for anything else (a score).
 * Compared by character code in any case, as Redis's strcasecmp: a lower-case
 * copy and a Set lookup of it cost more than the rest of the option parsing.
 */
export function zaddOption(word: string): string | undefined {
  if (word.length === 4) return isWord(word, "incr") ? "incr" : undefined;
  if (word.length !== 2) return undefined;
  // `| 0x20` lower-cases an ASCII letter and maps no other character onto one.
  const first = word.charCodeAt(0) | 0x20;
  const second = word.charCodeAt(1) | 0x20;
  if (second === X) return first === N ? "nx" : first === X ? "xx" : undefined;
  if (second === T) return first === G ? "gt" : first === L ? "lt" : undefined;
  return first === C && second === H ? "ch" : undefined;
}

// The letters' codes: c, g, h, l, n, t, x.
const C = 0x63, G = 0x67, H = 0x68, L = 0x6c, N = 0x6e, T = 0x74, X = 0x78;

/**
 * A score as Redis's string2d reads it (ZADD, ZINCRBY, WEIGHTS, ZQUERY): all
 * of strtod's forms (inf, hex, exponents), but no leading space, no NaN, no
 * overflow to inf and no underflow to 0.
 */
export function parseScore(arg: string, error = NOT_FLOAT): number {
  const score = scoreOf(arg);
  if (Number.isNaN(score)) throw new CommandError(error);
  return score;
}

/**
 * parseScore's value, NaN (no score's) for what it refuses: for a handler
 * that ends by ctx.fail (a handler left by a throw stays in V8's baseline
 * code while a client repeats the error: docs/performance.md, session 28).
 */
export function scoreOf(arg: string): number {
  const digits = shortDecimal(arg);
  if (digits !== undefined) return digits;
  const integer = parseInteger(arg);
  if (integer !== undefined) return integer;
  const parsed = strtodWhole(arg);
  return parsed === undefined || parsed.outOfRange ? NaN : parsed.value;
}

/**
 * An optional minus and 1-15 decimal digits, leading zeros allowed (as
 * strtod reads them, and as redis-benchmark writes its random scores): exact
 * in a double, so strtod would give the same value; "-0" is -0 as there.
 */
function shortDecimal(s: string): number | undefined {
  const length = s.length;
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  if (length === start || length - start > 15) return undefined;
  let value = 0;
  for (let i = start; i < length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return start === 1 ? -value : value;
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
function parseScoreBound(arg: string): ScoreBound | undefined {
  const exclusive = arg.charCodeAt(0) === 40;
  const text = exclusive ? arg.slice(1) : arg;
  const digits = shortDecimal(text);
  if (digits !== undefined) return { value: digits, exclusive };
  const parsed = strtod(text);
  if (
    (parsed.length !== text.length && text.charCodeAt(parsed.length) !== 0) ||
    Number.isNaN(parsed.value)
  ) {
    return undefined;
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
function parseLexBound(arg: string): LexBound | undefined {
  const c = arg.charCodeAt(0);
  // Redis reads "-" and "+" as C strings: a NUL byte ends them.
  const alone = arg.length === 1 || arg.charCodeAt(1) === 0;
  if (c === 45 && alone) return { edge: LexEdge.Min, value: "", exclusive: true };
  if (c === 43 && alone) return { edge: LexEdge.Max, value: "", exclusive: true };
  if (c === 40 || c === 91) {
    return { edge: LexEdge.Value, value: arg.slice(1), exclusive: c === 40 };
  }
  return undefined;
}

/** The ranks [start, end] of the members within [min, max] by score (empty when start > end). */
function scoreRanks(set: SortedSet, min: ScoreBound, max: ScoreBound): [number, number] {
  const [start, below] = set.countByScores(min.value, min.exclusive, max.value, !max.exclusive);
  return [start, below - 1];
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
export type RangeOf = (set: SortedSet) => [number, number];

/**
 * A score or lex range's ranks function, or the error's text for a bound it
 * cannot read: its callers end by ctx.fail (see scoreOf).
 */
export function parseRange(lex: boolean, minArg: string, maxArg: string): RangeOf | string {
  if (lex) {
    const min = parseLexBound(minArg);
    const max = parseLexBound(maxArg);
    if (min === undefined || max === undefined) return MIN_MAX_NOT_STRING_RANGE;
    return (set) => lexRanks(set, min, max);
  }
  const min = parseScoreBound(minArg);
  const max = parseScoreBound(maxArg);
  if (min === undefined || max === undefined) return MIN_MAX_NOT_FLOAT;
  return (set) => scoreRanks(set, min, max);
}

/**
 * ZRANGE's start/stop sanitized as Redis does (negative counts from the end);
 * undefined when the range is empty.
 */
export function rankRange(size: number, start: number, end: number): [number, number] | undefined {
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
export function limitRanks(
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
export function pairsNested(ctx: CommandContext): boolean {
  return ctx.protocol !== 2;
}

/** Replies the members at ranks `from` to `to` (either direction), with their scores if asked. */
export function replyRanks(
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
  set.writeRanks(from, to, out, withScores, nested);
}

/** A new set of the members at ranks `from` to `to` of `set`. */
export function copyRanks(
  set: SortedSet,
  from: number,
  to: number,
  limits: ZsetLimits,
): SortedSet {
  const result = new SortedSet();
  set.visitRange(from, to, (member, score) => result.addNew(member, score, limits));
  return result;
}
