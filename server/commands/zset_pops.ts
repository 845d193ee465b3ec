/** ZPOPMIN/MAX, BZPOPMIN/MAX, ZMPOP/BZMPOP and ZRANDMEMBER. */
import { NotifyClass } from "../notify.ts";
import { pairsNested, readZset, writeZset } from "./zset_common.ts";
import { MAX_REPEATED_PICKS } from "./collections.ts";
import { blockingKey, parseBlockingTimeout } from "../blocking.ts";
import type { CommandContext } from "../context.ts";
import { typed, WRONG_TYPE } from "../db.ts";
import { CommandError, VALUE_OUT_OF_RANGE, WRONGTYPE } from "../errors.ts";
import { SortedSet } from "../types/sorted_set.ts";

// ---- pops ------------------------------------------------------------------

/**
 * Redis's genericZpopCommand: pops up to `count` members (-1: one, the plain
 * form) from the first of `keys` that exists (one key as itself: no array
 * per ZPOPMIN). `emitKey` puts the key in the reply (BZPOP*, ZMPOP),
 * `nested` makes [member, score] pairs, and
 * `nilWhenEmpty` answers a null instead of an empty array when no key exists.
 * Returns how many were popped and from which key (in one shared object:
 * read it at once).
 */
export function pop(
  ctx: CommandContext,
  keys: string | readonly string[],
  max: boolean,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): { key: string; popped: number } | undefined {
  const out = ctx.out;
  let key = "";
  let set: SortedSet | undefined;
  if (typeof keys === "string") {
    set = typed(writeZset(ctx, keys));
    key = keys;
  } else {
    for (const candidate of keys) {
      set = typed(writeZset(ctx, candidate));
      if (set !== undefined) {
        key = candidate;
        break;
      }
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
  popOut = out;
  popNested = nested;
  set.visitRange(from, to, emitPopped);
  popOut = undefined;
  set.removeRange(Math.min(from, to), Math.max(from, to));
  ctx.keyChanged(key, NotifyClass.Zset, max ? "zpopmax" : "zpopmin", n);
  ctx.db.deleteIfEmpty(key, set);
  lastPop.key = key;
  lastPop.popped = n;
  return lastPop;
}

/** What pop() returns: read at once, it is the next pop's too (no object per ZPOPMIN). */
const lastPop = { key: "", popped: 0 };

// pop()'s reply state, read by emitPopped: one function for every pop, no closure per call.
let popOut: CommandContext["out"] | undefined;
let popNested = false;

function emitPopped(member: string, score: number): void {
  const out = popOut!;
  if (popNested) out.array(2);
  out.bulk(member);
  out.double(score);
}

/** How a pop served by a blocking command goes to the AOF: ZPOPMIN/ZPOPMAX key [count]. */
export function popCommand(max: boolean, key: string, count: number, popped: number): string[] {
  const argv = [max ? "ZPOPMAX" : "ZPOPMIN", key];
  if (count !== -1) argv.push(String(popped));
  return argv;
}

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP (`nested`): pops now if any key has members,
 * else waits for one (not inside EXEC, which answers as a timeout would).
 */
export function blockingPop(
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
    if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
    if (set === undefined || set.size() === 0) continue;
    const result = pop(ctx, key, max, true, count, nested, nested)!;
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
      const result = pop(ctx, key, max, true, count, nested, nested)!;
      ctx.server.propagate(db.index, popCommand(max, key, count, result.popped));
      return true;
    },
    onTimeout() {
      ctx.out.nilArray();
    },
  });
}

// ---- ZRANDMEMBER ------------------------------------------------------------

export function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/** ZRANDMEMBER key count [WITHSCORES] (Redis's zrandmemberWithCountCommand). */
export function randomMembers(
  ctx: CommandContext,
  key: string,
  requested: number,
  withScores: boolean,
): void {
  const out = ctx.out;
  const set = readZset(ctx, key);
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
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
      // i and j are below size, the length of ranks.
      const j = i + randomBelow(size - i);
      [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
      writeEntry(set.at(ranks[i]!));
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
