/** ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD. */
import { arg, ArgCursor, intArg, LONG_MAX } from "../args.ts";
import { pairsNested, parseScore, storeResult } from "./zset_common.ts";
import type { CommandContext } from "../context.ts";
import {
  atLeastOneInputKey,
  CommandError,
  LIMIT_NEGATIVE,
  SYNTAX,
  WEIGHT_NOT_FLOAT,
  WRONGTYPE,
} from "../errors.ts";
import { SortedSet, type ZsetLimits } from "../types/sorted_set.ts";
import { zsetLimits } from "./collections.ts";

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
  /** A packed set's scores by member, read once when it is probed many times. */
  scores?: Map<string, number>;
}

/**
 * Probes above which a packed set is read into a Map first: each of its
 * score() calls walks the packed string (Redis walks its listpack too, O(N*M)).
 */
const INDEX_PROBES = 8;

/** Gives `source` its scores Map when it is a packed set that will be probed `probes` times. */
function indexFor(source: Source, probes: number): void {
  const value = source.value;
  if (probes <= INDEX_PROBES || value === undefined || value.type !== "zset") return;
  if (!value.isPacked()) return;
  const scores = new Map<string, number>();
  for (const [member, score] of value.entries()) scores.set(member, score);
  source.scores = scores;
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

/** Calls `visit` for each member and score of `source` (rank order for a sorted set), no tuples. */
function visitSource(source: Source, visit: (member: string, score: number) => void): void {
  const value = source.value;
  if (value === undefined) return;
  if (value.type === "set") {
    for (const member of value.members()) visit(member, 1);
    return;
  }
  const size = value.size();
  if (size > 0) value.visitRange(0, size - 1, visit);
}

function sourceScore(source: Source, member: string): number | undefined {
  if (source.scores !== undefined) return source.scores.get(member);
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

/** Members found in Redis's result order: by score, then by member bytes. */
function sortFound(found: [string, number][]): void {
  found.sort(([m1, s1], [m2, s2]) => s1 !== s2 ? s1 - s2 : m1 < m2 ? -1 : m1 > m2 ? 1 : 0);
}

/**
 * The result set of the members found (distinct). Knowing the count up front
 * makes a large result a tree at once (Redis's final encoding is the same); a
 * small one is sorted and packed in one pass.
 */
function fill(found: [string, number][], limits: ZsetLimits): SortedSet {
  let longest = 0;
  for (const [member] of found) if (member.length > longest) longest = member.length;
  if (found.length <= limits.entries && longest <= limits.value) {
    sortFound(found);
    return SortedSet.fromSorted(found);
  }
  const result = new SortedSet();
  result.reserveFor(found.length, longest, limits);
  for (const [member, score] of found) result.addNew(member, score, limits);
  return result;
}

/** fill of a union's totals (member to score): a large result takes them with no entry arrays. */
function fillFromTotals(totals: Map<string, number>, limits: ZsetLimits): SortedSet {
  let longest = 0;
  for (const member of totals.keys()) if (member.length > longest) longest = member.length;
  if (totals.size <= limits.entries && longest <= limits.value) return fill([...totals], limits);
  const result = new SortedSet();
  result.reserveFor(totals.size, longest, limits);
  totals.forEach((score, member) => result.addNew(member, score, limits));
  return result;
}

/**
 * Replies the members found, sorted, as Redis replies its result skiplist
 * (never packed, so a -0 score stays -0): no set is built.
 */
function replyFound(ctx: CommandContext, found: [string, number][], withScores: boolean): void {
  sortFound(found);
  const out = ctx.out;
  const nested = withScores && pairsNested(ctx);
  out.array(withScores && !nested ? found.length * 2 : found.length);
  for (const [member, score] of found) {
    if (nested) out.array(2);
    out.bulk(member);
    if (withScores) out.double(score);
  }
}

export enum SetOp {
  Union,
  Inter,
  Diff,
}

/**
 * Redis's zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE
 * forms (`dst`), and ZINTERCARD (`cardinalityOnly`). Plain sets count as
 * sorted sets whose scores are all 1.
 */
export function setOperation(
  ctx: CommandContext,
  argv: string[],
  name: string,
  dst: string | undefined,
  numkeysAt: number,
  op: SetOp,
  cardinalityOnly: boolean,
): void {
  const numkeys = intArg(arg(argv, numkeysAt));
  if (numkeys < 1) throw new CommandError(atLeastOneInputKey(name));
  if (numkeys > argv.length - numkeysAt - 1) throw new CommandError(SYNTAX);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const value = ctx.db.lookupRead(arg(argv, numkeysAt + 1 + i));
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
  const args = new ArgCursor(argv, numkeysAt + 1 + numkeys);
  const weighted = op !== SetOp.Diff && !cardinalityOnly;
  while (args.hasMore()) {
    const option = args.nextOption();
    if (weighted && args.remaining >= numkeys && option === "weights") {
      for (const source of sources) source.weight = parseScore(args.next(), WEIGHT_NOT_FLOAT);
    } else if (weighted && args.hasMore() && option === "aggregate") {
      const which = args.nextOption();
      if (which === "sum") how = Aggregate.Sum;
      else if (which === "min") how = Aggregate.Min;
      else if (which === "max") how = Aggregate.Max;
      else throw new CommandError(SYNTAX);
    } else if (dst === undefined && !cardinalityOnly && option === "withscores") {
      withScores = true;
    } else if (cardinalityOnly && args.hasMore() && option === "limit") {
      limit = args.nextLong(0n, LONG_MAX, LIMIT_NEGATIVE);
    } else {
      throw new CommandError(SYNTAX);
    }
  }

  if (op !== SetOp.Diff) sources.sort((a, b) => sourceSize(a) - sourceSize(b));
  const found: [member: string, score: number][] = [];
  let cardinality = 0;
  if (op === SetOp.Inter) {
    const [smallest, ...others] = sources;
    // numkeys ≥ 1 was checked while parsing: there is always a first source.
    if (smallest !== undefined && sourceSize(smallest) > 0) {
      for (const other of others) indexFor(other, sourceSize(smallest));
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
          found.push([member, total]);
        }
      }
    }
  } else if (op === SetOp.Union) {
    const totals = new Map<string, number>();
    // A source's members are distinct: the first one's need no lookup.
    const [first, ...rest] = sources;
    if (first !== undefined) {
      const weight = first.weight;
      visitSource(first, (member, score) => {
        const value = weight * score;
        totals.set(member, Number.isNaN(value) ? 0 : value);
      });
    }
    for (const source of rest) {
      const weight = source.weight;
      visitSource(source, (member, score) => {
        let value = weight * score;
        if (Number.isNaN(value)) value = 0;
        const sofar = totals.get(member);
        totals.set(member, sofar === undefined ? value : aggregate(sofar, value, how));
      });
    }
    if (dst !== undefined) {
      return storeResult(ctx, dst, fillFromTotals(totals, zsetLimits(ctx)), "zunionstore");
    }
    totals.forEach((score, member) => found.push([member, score]));
  } else {
    const [base, ...others] = sources;
    for (const other of others) indexFor(other, base === undefined ? 0 : sourceSize(base));
    for (const [member, score] of base === undefined ? [] : sourceEntries(base)) {
      if (others.every((other) => sourceScore(other, member) === undefined)) {
        found.push([member, score]);
      }
    }
  }
  if (dst !== undefined) {
    const event = op === SetOp.Union
      ? "zunionstore"
      : op === SetOp.Inter
      ? "zinterstore"
      : "zdiffstore";
    return storeResult(ctx, dst, fill(found, zsetLimits(ctx)), event);
  }
  if (cardinalityOnly) return ctx.out.int(cardinality);
  replyFound(ctx, found, withScores);
}
