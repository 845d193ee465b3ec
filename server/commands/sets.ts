/**
 * Set commands (Redis 7.0's t_set.c) over server/types/set.ts. Multi-set
 * results (SINTER, SUNION, SDIFF, SMEMBERS, SPOP with a count) are RESP3 sets.
 */
import { type HeldKey, takeKey, takesKeyBytes } from "../../protocol/bytes.ts";
import { arg, ArgCursor, LONG_MAX, rangedLong } from "../args.ts";
import {
  INSERTED_KEY,
  keyRange,
  OVERWRITTEN_KEY,
  READ_DELETED_KEY,
  READ_KEY,
} from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import { type CommandSpec, withoutCount } from "../command.ts";
import {
  CommandError,
  LIMIT_NEGATIVE,
  NUMKEYS_NOT_POSITIVE,
  NUMKEYS_OVER_ARGS,
  SYNTAX,
  VALUE_OUT_OF_RANGE,
  WRONGTYPE,
} from "../errors.ts";
import { typed, WRONG_TYPE, type WrongType } from "../db.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { parseCursor, parseScanOptions, scanDict, writeScanReply } from "../scan.ts";
import { compareIntegers, isIntsetMember, RedisSet } from "../types/set.ts";
import { sampleByWalk } from "../types/dict_sample.ts";
import { visitCommon } from "../types/set_algebra.ts";
import { intsetLimit, MAX_REPEATED_PICKS, positiveLong, randomDistinct } from "./collections.ts";

function readSet(ctx: CommandContext, key: string): RedisSet | undefined | WrongType {
  return ctx.db.readObject<RedisSet>(key, "set");
}

/** readSet for a reply read straight off the set: a small one kept packed is not unpacked (db.viewObject). */
function viewSet(ctx: CommandContext, key: string): RedisSet | undefined | WrongType {
  return ctx.db.viewObject<RedisSet>(key, "set");
}

function writeSet(ctx: CommandContext, key: string): RedisSet | undefined | WrongType {
  return ctx.db.getObject<RedisSet>(key, "set");
}

function newSet(): RedisSet {
  return new RedisSet();
}

/** SADD key member of a key left as bytes (takesKeyBytes below): its string made only if needed. */
function addHeld(ctx: CommandContext, key: HeldKey, member: string): void {
  const db = ctx.db;
  const set = db.writeObjectAt<RedisSet>(key, "set", newSet);
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (!set.add(member, intsetLimit(ctx))) return ctx.out.int(0);
  ctx.out.int(1);
  db.reaccountAt(key, set);
  ctx.server.keyChangedAt(db, key, NotifyClass.Set, "sadd", 1, true);
}

/** SPOP key of a key left as bytes: its string made for the AOF's SREM or to delete the emptied set. */
function popHeld(ctx: CommandContext, key: HeldKey): void {
  const db = ctx.db;
  const set = db.getObjectAt<RedisSet>(key, "set");
  if (set === undefined) return ctx.out.nil();
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const member = set.randomField()!;
  set.delete(member);
  db.reaccountAt(key, set);
  ctx.server.keyChangedAt(db, key, NotifyClass.Set, "spop", 1, true);
  if (ctx.server.recordsWrites()) ctx.propagateAs = [["SREM", key.string(), member]];
  ctx.out.bulk(member);
  if (set.size() === 0) db.deleteIfEmpty(key.string(), set);
}

// These take their key as the request's bytes in these forms (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("sadd", 3);
takesKeyBytes("spop", 2);
takesKeyBytes("sismember", 3);
takesKeyBytes("scard", 2);

/**
 * The sets at the keys argv[from] onward (to `to`), undefined for missing
 * ones; WRONGTYPE if any holds another type (every key is looked up first, as
 * in Redis).
 */
function readSets(
  ctx: CommandContext,
  argv: readonly string[],
  from: number,
  to = argv.length,
): (RedisSet | undefined)[] {
  const sets = new Array<RedisSet | undefined>(to - from);
  for (let i = from; i < to; i++) sets[i - from] = typed(readSet(ctx, argv[i]!));
  return sets;
}

/** The sets when every key held one (readSets), else undefined: an empty intersection. */
function allSets(sets: (RedisSet | undefined)[]): RedisSet[] | undefined {
  for (const set of sets) if (set === undefined) return undefined;
  return sets as RedisSet[];
}

function replyMembers(ctx: CommandContext, members: Iterable<string>, count: number): void {
  const out = ctx.out;
  out.set(count);
  for (const member of members) out.bulk(member);
}

/** Members in every set, iterating the smallest; stops after `limit` (0: all). */
function intersect(sets: RedisSet[], limit = 0): string[] {
  const ordered = sets.slice().sort((a, b) => a.size() - b.size());
  const [smallest, ...others] = ordered;
  const result: string[] = [];
  if (smallest === undefined) return result;
  const walked = visitCommon(smallest, others, (bucket, start, length) => {
    result.push(bucket.substring(start, start + length));
    return limit === 0 || result.length < limit;
  });
  if (walked) return result;
  smallest.forEachMember((member) => {
    if (limit !== 0 && result.length >= limit) return;
    if (inEvery(others, smallest, member)) result.push(member);
  });
  return result;
}

/** intersectionSize's count and limit: one visitor made once, not a closure per call. */
let counted = 0;
let countLimit = 0;
const countMember = () => ++counted !== countLimit;

/** SINTERCARD: how many members intersect() would return, without making them strings. */
function intersectionSize(sets: RedisSet[], limit: number): number {
  // The first smallest set is walked, as intersect()'s stable sort would put it first.
  let smallest = sets[0]!;
  for (const set of sets) if (set.size() < smallest.size()) smallest = set;
  counted = 0;
  countLimit = limit;
  // visitCommon passes over the walked set itself among the others.
  if (visitCommon(smallest, sets, countMember)) return counted;
  return intersect(sets, limit).length;
}

function inEvery(sets: RedisSet[], except: RedisSet, member: string): boolean {
  for (const set of sets) if (set !== except && !set.has(member)) return false;
  return true;
}

/**
 * Replies distinct members as the set Redis would build of them (SUNION and
 * SDIFF fill a new set, then reply it): in order when that set would be an
 * intset, as intsets iterate sorted.
 */
function replyBuiltSet(ctx: CommandContext, members: string[], maxIntset: number): void {
  if (members.length <= Math.min(maxIntset, 2 ** 30) && members.every(isIntsetMember)) {
    members.sort(compareIntegers);
  }
  replyMembers(ctx, members, members.length);
}

/** The members of any set, once each: a plain Set, not a RedisSet built only to be read. */
function unionMembers(sets: (RedisSet | undefined)[]): string[] {
  const seen = new Set<string>();
  const add = (member: string) => seen.add(member);
  for (const set of sets) set?.forEachMember(add);
  return [...seen];
}

/** Members of the first set in none of the others. */
function difference(sets: (RedisSet | undefined)[]): string[] {
  const result: string[] = [];
  const [first, ...others] = sets;
  // A key repeated after the first removes everything.
  if (first === undefined || others.includes(first)) return result;
  first.forEachMember((member) => {
    if (!inAny(others, member)) result.push(member);
  });
  return result;
}

function inAny(sets: (RedisSet | undefined)[], member: string): boolean {
  for (const set of sets) if (set !== undefined && set.has(member)) return true;
  return false;
}

/**
 * The STORE variants: a non-empty result replaces `destination` whatever it
 * held (and its TTL); an empty one deletes it.
 */
function store(ctx: CommandContext, destination: string, result: RedisSet, event: string): void {
  const db = ctx.db;
  const server = ctx.server;
  if (result.size() > 0) {
    db.set(destination, result);
    ctx.out.int(result.size());
    server.keyChanged(db, destination, NotifyClass.Set, event);
  } else {
    ctx.out.int(0);
    if (db.delete(destination)) server.keyChanged(db, destination, NotifyClass.Generic, "del");
  }
}

function intersectionOf(ctx: CommandContext, argv: readonly string[], from: number): string[] {
  const sets = allSets(readSets(ctx, argv, from));
  return sets === undefined ? [] : intersect(sets);
}

/** Whether a member could be an intset's: the first test of isIntsetMember, on its bytes. */
function mayBeInteger(bucket: string, start: number, length: number): boolean {
  const c = bucket.charCodeAt(start);
  return length > 0 && length <= 20 && (c === 45 || (c >= 48 && c <= 57));
}

/**
 * SINTERSTORE's set. When the walk applies and some member is not an
 * integer, the common members' entries are copied into the new set's
 * buckets as they are (no member made a string or hashed again); otherwise
 * the members are built into a set as SUNIONSTORE's are (from the walk's
 * entries when it applied: no second walk).
 */
function intersectionSet(ctx: CommandContext, argv: readonly string[], from: number): RedisSet {
  const sets = allSets(readSets(ctx, argv, from));
  if (sets === undefined) return new RedisSet();
  const [smallest, ...others] = sets.sort((a, b) => a.size() - b.size());
  const entries: string[] = [];
  const at: number[] = [];
  /** Where each entry's member begins in it (past its tag and length). */
  const heads: number[] = [];
  let integers = true;
  const walked = visitCommon(smallest!, others, (bucket, start, length, entry, index) => {
    entries.push(bucket.substring(entry, start + length));
    at.push(index);
    heads.push(start - entry);
    if (integers) integers = mayBeInteger(bucket, start, length);
    return true;
  });
  const tableSize = smallest!.plainBuckets?.length ?? 0;
  const set = walked && !integers ? RedisSet.fromEntries(entries, at, tableSize) : undefined;
  if (set !== undefined) return set;
  const members = walked ? entries.map((entry, k) => entry.substring(heads[k]!)) : intersect(sets);
  return RedisSet.fromDistinct(members, intsetLimit(ctx));
}

/** SRANDMEMBER with a count: negative allows repeats, else distinct members. */
function randomMembers(ctx: CommandContext, set: RedisSet, count: number): void {
  const out = ctx.out;
  const size = set.size();
  if (count < 0 || count === 1) {
    const n = Math.abs(count);
    if (n > MAX_REPEATED_PICKS) throw new CommandError(VALUE_OUT_OF_RANGE);
    out.array(n);
    for (let i = 0; i < n; i++) out.bulk(set.randomField()!);
    return;
  }
  if (count >= size) {
    out.array(size);
    for (const member of set.members()) out.bulk(member);
    return;
  }
  out.array(count);
  if (sampleByWalk(set, count, (member) => out.bulk(member))) return;
  if (count * 3 > size) {
    // Most of the set: a partial shuffle of all members.
    for (const member of randomDistinct([...set.members()], count)) out.bulk(member);
    return;
  }
  const seen = new Set<string>();
  while (seen.size < count) {
    const member = set.randomField()!;
    if (seen.has(member)) continue;
    seen.add(member);
    out.bulk(member);
  }
}

/** SPOP key count: replies a set, reaches the AOF as one SREM per member (DEL when all go). */
function popMembers(ctx: CommandContext, key: string, count: number): void {
  const out = ctx.out;
  const set = writeSet(ctx, key);
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined || count === 0) return out.set(0);
  const server = ctx.server;
  const size = set.size();
  server.keyChanged(ctx.db, key, NotifyClass.Set, "spop", Math.min(count, size));
  if (count >= size) {
    replyMembers(ctx, set.members(), size);
    ctx.db.delete(key);
    server.keyChanged(ctx.db, key, NotifyClass.Generic, "del", 0);
    ctx.propagateAs = [["DEL", key]];
    return;
  }
  out.set(count);
  const propagate: string[][] = [];
  for (let i = 0; i < count; i++) {
    const member = set.randomField()!;
    set.delete(member);
    out.bulk(member);
    propagate.push(["SREM", key, member]);
  }
  ctx.propagateAs = propagate;
}

const SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";
const INTER_COMPLEXITY =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const UNION_COMPLEXITY = "O(N) where N is the total number of elements in all given sets.";

export const setCommands: CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Add one or more members to a set",
    syntax: "key member [member ...]",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      if (held !== undefined) return addHeld(ctx, held, argv[2]!);
      const key = arg(argv, 1);
      let set = writeSet(ctx, key);
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) {
        set = new RedisSet();
        ctx.db.set(key, set);
      }
      const maxIntset = intsetLimit(ctx);
      let added = 0;
      for (let i = 2; i < argv.length; i++) {
        const member = argv[i]!; // i < argv.length
        if (set.add(member, maxIntset)) added++;
      }
      ctx.out.int(added);
      if (added > 0) ctx.keyChanged(key, NotifyClass.Set, "sadd", added);
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Remove one or more members from a set",
    syntax: "key member [member ...]",
    complexity: "O(N) where N is the number of members to be removed.",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const set = writeSet(ctx, key);
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      let removed = 0;
      if (set !== undefined) {
        for (let i = 2; i < argv.length; i++) {
          const member = argv[i]!; // i < argv.length
          if (set.size() === 0) break;
          if (set.delete(member)) removed++;
        }
      }
      ctx.out.int(removed);
      if (removed === 0) return;
      ctx.keyChanged(key, NotifyClass.Set, "srem", removed);
      ctx.db.deleteIfEmpty(key, set!);
    },
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(INSERTED_KEY, 2)],
    group: "set",
    since: "1.0.0",
    summary: "Move a member from one set to another",
    syntax: "source destination member",
    complexity: "O(1)",
    handler(ctx, argv) {
      const source = arg(argv, 1);
      const destination = arg(argv, 2);
      const member = arg(argv, 3);
      const db = ctx.db;
      const out = ctx.out;
      const from = writeSet(ctx, source);
      if (from === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      // A missing source answers 0 whatever the destination holds, as in Redis.
      if (from === undefined) return out.int(0);
      let to = source === destination ? from : writeSet(ctx, destination);
      if (to === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (from === to) return out.int(from.has(member) ? 1 : 0);
      if (!from.delete(member)) return out.int(0);
      const server = ctx.server;
      server.keyChanged(db, source, NotifyClass.Set, "srem");
      ctx.db.deleteIfEmpty(source, from);
      if (to === undefined) {
        to = new RedisSet();
        db.set(destination, to);
      }
      if (to.add(member, intsetLimit(ctx))) {
        server.keyChanged(db, destination, NotifyClass.Set, "sadd");
      }
      out.int(1);
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "set",
    since: "1.0.0",
    summary: "Determine if a given value is a member of a set",
    syntax: "key member",
    complexity: "O(1)",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      const set = held === undefined
        ? viewSet(ctx, arg(argv, 1))
        : ctx.db.viewObjectAt<RedisSet>(held, "set");
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(set?.has(arg(argv, 2)) ? 1 : 0);
    },
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "6.2.0",
    summary: "Returns the membership associated with the given elements for a set",
    syntax: "key member [member ...]",
    complexity: "O(N) where N is the number of elements being checked for membership",
    handler(ctx, argv) {
      const set = viewSet(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const out = ctx.out;
      out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        const member = argv[i]!; // i < argv.length
        out.int(set?.has(member) ? 1 : 0);
      }
    },
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Get all the members in a set",
    syntax: "key",
    complexity: "O(N) where N is the set cardinality.",
    handler(ctx, argv) {
      const set = viewSet(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const out = ctx.out;
      out.set(set?.size() ?? 0);
      set?.forEach((member) => out.bulk(member));
    },
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "set",
    since: "1.0.0",
    summary: "Get the number of members in a set",
    syntax: "key",
    complexity: "O(1)",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      const count = held === undefined
        ? ctx.db.readCount(arg(argv, 1), "set")
        : ctx.db.readCountAt(held, "set");
      if (count === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(count);
    },
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1)],
    group: "set",
    since: "1.0.0",
    summary: "Remove and return one or multiple random members from a set",
    syntax: "key [count]",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    handler(ctx, argv) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      const held = takeKey(argv, 1);
      if (held !== undefined) return popHeld(ctx, held);
      const key = arg(argv, 1);
      if (argv.length === 3) return popMembers(ctx, key, positiveLong(arg(argv, 2)));
      const set = writeSet(ctx, key);
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) return ctx.out.nil();
      const member = set.randomField()!;
      set.delete(member);
      ctx.keyChanged(key, NotifyClass.Set, "spop");
      ctx.propagateAs = [["SREM", key, member]];
      ctx.out.bulk(member);
      ctx.db.deleteIfEmpty(key, set);
    },
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: withoutCount,
    group: "set",
    since: "1.0.0",
    summary: "Get one or multiple random members from a set",
    syntax: "key [count]",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    handler(ctx, argv) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      const out = ctx.out;
      const key = arg(argv, 1);
      if (argv.length === 3) {
        const count = rangedLong(arg(argv, 2), -LONG_MAX, LONG_MAX);
        const set = viewSet(ctx, key);
        if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
        if (set === undefined || count === 0) return out.array(0);
        return randomMembers(ctx, set, count);
      }
      const set = viewSet(ctx, key);
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const picked = set?.randomField();
      if (picked === undefined) out.nil();
      else out.bulk(picked);
    },
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Intersect multiple sets",
    syntax: "key [key ...]",
    complexity: INTER_COMPLEXITY,
    handler(ctx, argv) {
      const members = intersectionOf(ctx, argv, 1);
      replyMembers(ctx, members, members.length);
    },
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    group: "set",
    since: "7.0.0",
    summary: "Intersect multiple sets and return the cardinality of the result",
    syntax: "numkeys key [key ...] [LIMIT limit]",
    complexity: INTER_COMPLEXITY,
    handler(ctx, argv) {
      const numkeys = rangedLong(arg(argv, 1), 1n, LONG_MAX, NUMKEYS_NOT_POSITIVE);
      if (numkeys > argv.length - 2) throw new CommandError(NUMKEYS_OVER_ARGS);
      let limit = 0;
      if (argv.length > 2 + numkeys) {
        const args = new ArgCursor(argv, 2 + numkeys);
        while (args.hasMore()) {
          if (!args.eat("limit") || !args.hasMore()) throw new CommandError(SYNTAX);
          limit = args.nextLong(0n, LONG_MAX, LIMIT_NEGATIVE);
        }
      }
      const sets = allSets(readSets(ctx, argv, 2, 2 + numkeys));
      ctx.out.int(sets === undefined ? 0 : intersectionSize(sets, limit));
    },
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    keySpecs: [keyRange(OVERWRITTEN_KEY, 1), keyRange(READ_KEY, 2, -1)],
    group: "set",
    since: "1.0.0",
    summary: "Intersect multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: INTER_COMPLEXITY,
    handler(ctx, argv) {
      store(ctx, arg(argv, 1), intersectionSet(ctx, argv, 2), "sinterstore");
    },
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Add multiple sets",
    syntax: "key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(ctx, argv) {
      replyBuiltSet(ctx, unionMembers(readSets(ctx, argv, 1)), intsetLimit(ctx));
    },
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    keySpecs: [keyRange(OVERWRITTEN_KEY, 1), keyRange(READ_KEY, 2, -1)],
    group: "set",
    since: "1.0.0",
    summary: "Add multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(ctx, argv) {
      const members = unionMembers(readSets(ctx, argv, 2));
      store(ctx, arg(argv, 1), RedisSet.fromDistinct(members, intsetLimit(ctx)), "sunionstore");
    },
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Subtract multiple sets",
    syntax: "key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(ctx, argv) {
      replyBuiltSet(ctx, difference(readSets(ctx, argv, 1)), intsetLimit(ctx));
    },
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    keySpecs: [keyRange(OVERWRITTEN_KEY, 1), keyRange(READ_KEY, 2, -1)],
    group: "set",
    since: "1.0.0",
    summary: "Subtract multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(ctx, argv) {
      const members = difference(readSets(ctx, argv, 2));
      store(ctx, arg(argv, 1), RedisSet.fromDistinct(members, intsetLimit(ctx)), "sdiffstore");
    },
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "set",
    since: "2.8.0",
    summary: "Incrementally iterate Set elements",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    complexity: SCAN_COMPLEXITY,
    handler(ctx, argv) {
      const out = ctx.out;
      const cursor = parseCursor(arg(argv, 2));
      const set = viewSet(ctx, arg(argv, 1));
      if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (set === undefined) {
        return writeScanReply(out, 0n, []);
      }
      const { match, count } = parseScanOptions(argv, 3, false);
      const members: string[] = [];
      const emit = (member: string) => {
        if (match === undefined || globMatch(match, member)) members.push(member);
      };
      let next = 0n;
      // An intset is returned whole, whatever the cursor (as Redis).
      if (set.compact) { for (const member of set.members()) emit(member); }
      else next = scanDict(set, cursor, count, emit);
      writeScanReply(out, next, members);
    },
  },
];
