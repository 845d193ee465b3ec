/** Hash commands (Redis 7.0's t_hash.c) over server/types/hash.ts. */
import { type HeldKey, takeKey, takesKeyBytes } from "../../protocol/bytes.ts";
import {
  arg,
  ArgCursor,
  LONG_MAX,
  parseIncrement,
  parseInt64,
  parseInteger,
  rangedLong,
} from "../args.ts";
import { keyRange, READ_UPDATED_KEY } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import { type CommandSpec, withoutCount } from "../command.ts";
import {
  CommandError,
  HASH_VALUE_NOT_FLOAT,
  HASH_VALUE_NOT_INTEGER,
  INCREMENT_NAN_OR_INFINITY,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  VALUE_NAN_OR_INFINITY,
  VALUE_OUT_OF_RANGE,
  wrongArity,
  WRONGTYPE,
} from "../errors.ts";
import { WRONG_TYPE, type WrongType } from "../db.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { parseCursor, parseScanOptions, scanDict, writeScanReply } from "../scan.ts";
import { RedisHash } from "../types/hash.ts";
import {
  addLongDouble,
  exactDyadic,
  exactSumText,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "../types/string.ts";
import { hashLimits, MAX_REPEATED_PICKS, randomDistinct } from "./collections.ts";

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** HINCRBYFLOAT's increment: a finite float, or Redis's errors. */
function finiteIncrement(text: string): LongDouble {
  const increment = parseLongDouble(text);
  if (increment === undefined) throw new CommandError(NOT_FLOAT);
  if (typeof increment === "number") throw new CommandError(VALUE_NAN_OR_INFINITY);
  return increment;
}

/** HINCRBYFLOAT's sum in long double arithmetic, as Redis computes it. */
function longDoubleSum(current: string | undefined, increment: LongDouble): string {
  const value = current === undefined ? parseLongDouble("0")! : parseLongDouble(current);
  if (value === undefined) throw new CommandError(HASH_VALUE_NOT_FLOAT);
  const sum = typeof value === "number" ? value : addLongDouble(value, increment);
  if (typeof sum === "number") throw new CommandError(INCREMENT_NAN_OR_INFINITY);
  return formatLongDouble(sum);
}

/**
 * The hash at `key` for a read that keeps no reference past its reply (every read here): a small
 * one kept packed is not unpacked (db.viewObject).
 */
function viewHash(ctx: CommandContext, key: string): RedisHash | undefined | WrongType {
  return ctx.db.viewObject<RedisHash>(key, "hash");
}

/** Redis's hashTypeLookupWriteOrCreate. */
function writeHash(ctx: CommandContext, key: string): RedisHash | WrongType {
  let hash = ctx.db.getObject<RedisHash>(key, "hash");
  if (hash === undefined) {
    hash = new RedisHash();
    ctx.db.set(key, hash);
  }
  return hash;
}

function newHash(): RedisHash {
  return new RedisHash();
}

/** writeHash of a key left as bytes (takesKeyBytes below): its string made when created. */
function writeHeldHash(ctx: CommandContext, key: HeldKey): RedisHash | WrongType {
  return ctx.db.writeObjectAt<RedisHash>(key, "hash", newHash);
}

/** HSET key field value of a key left as bytes: its string made only if needed. */
function setHeld(ctx: CommandContext, key: HeldKey, field: string, value: string): void {
  const db = ctx.db;
  const hash = writeHeldHash(ctx, key);
  if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const footprint = hash.footprint();
  const created = hash.setWithin(field, value, hashLimits(ctx));
  ctx.out.int(created ? 1 : 0);
  // A value rewritten with one of its length leaves the hash's account as it was.
  if (created || hash.footprint() !== footprint) db.reaccountAt(key, hash);
  ctx.server.keyChangedAt(db, key, NotifyClass.Hash, "hset", 1, true);
}

// These take their key as the request's bytes in these forms (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("hset", 4);
takesKeyBytes("hget", 3);
takesKeyBytes("hincrby", 4);

/** HSET and HMSET: they differ only in their reply. */
function setFields(ctx: CommandContext, argv: string[], replyCount: boolean): void {
  if (argv.length % 2 === 1) throw new CommandError(wrongArity(arg(argv, 0).toLowerCase()));
  const held = takeKey(argv, 1);
  if (held !== undefined) return setHeld(ctx, held, argv[2]!, argv[3]!);
  const key = arg(argv, 1);
  const hash = writeHash(ctx, key);
  if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const limits = hashLimits(ctx);
  const footprint = hash.footprint();
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    if (hash.setWithin(arg(argv, i), arg(argv, i + 1), limits)) created++;
  }
  if (replyCount) ctx.out.int(created);
  else ctx.out.ok();
  // Values rewritten with ones of their length leave the hash's account as it was.
  const accounted = created === 0 && hash.footprint() === footprint;
  ctx.server.keyChanged(ctx.db, key, NotifyClass.Hash, "hset", (argv.length - 2) / 2, accounted);
}

/** HKEYS, HVALS and HGETALL (a map in RESP3). */
function replyAll(ctx: CommandContext, key: string, fields: boolean, values: boolean): void {
  const out = ctx.out;
  const hash = viewHash(ctx, key);
  if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const both = fields && values;
  const size = hash?.size() ?? 0;
  if (both) out.map(size);
  else out.array(size);
  if (hash === undefined) return;
  if (both) {
    hash.forEach((field, value) => {
      out.bulk(field);
      out.bulk(value);
    });
  } else {
    hash.forEach((field, value) => out.bulk(fields ? field : value));
  }
}

/**
 * HRANDFIELD with a count: negative allows repeats; otherwise distinct
 * fields, the whole hash when it has no more than asked. WITHVALUES pairs
 * are [field, value] arrays in RESP3, flat in RESP2.
 */
function randomFields(
  ctx: CommandContext,
  hash: RedisHash,
  count: number,
  withValues: boolean,
): void {
  const out = ctx.out;
  const nested = withValues && ctx.protocol !== 2;
  const emit = (field: string, value: string) => {
    if (nested) out.array(2);
    out.bulk(field);
    if (withValues) out.bulk(value);
  };
  const unique = count > 0;
  if (-count > MAX_REPEATED_PICKS) throw new CommandError(VALUE_OUT_OF_RANGE);
  const n = unique ? Math.min(count, hash.size()) : -count;
  out.array(withValues && !nested ? n * 2 : n);
  if (!unique || n === 1) {
    for (let i = 0; i < n; i++) emit(...hash.random()!);
  } else if (n === hash.size()) {
    for (const [field, value] of hash.entries()) emit(field, value);
  } else if (n * 3 > hash.size()) {
    // Most of the hash: a partial shuffle of all entries.
    for (const [field, value] of randomDistinct([...hash.entries()], n)) emit(field, value);
  } else {
    const seen = new Set<string>();
    while (seen.size < n) {
      const [field, value] = hash.random()!;
      if (seen.has(field)) continue;
      seen.add(field);
      emit(field, value);
    }
  }
}

export const hashCommands: CommandSpec[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set the string value of a hash field",
    syntax: "key field value [field value ...]",
    complexity:
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    handler: (ctx, argv) => setFields(ctx, argv, true),
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set multiple hash fields to multiple values",
    syntax: "key field value [field value ...]",
    complexity: "O(N) where N is the number of fields being set.",
    handler: (ctx, argv) => setFields(ctx, argv, false),
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set the value of a hash field, only if the field does not exist",
    syntax: "key field value",
    complexity: "O(1)",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const hash = writeHash(ctx, key);
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const field = arg(argv, 2);
      if (hash.has(field)) return ctx.out.int(0);
      hash.setWithin(field, arg(argv, 3), hashLimits(ctx));
      ctx.out.int(1);
      ctx.keyChanged(key, NotifyClass.Hash, "hset");
    },
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get the value of a hash field",
    syntax: "key field",
    complexity: "O(1)",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      const hash = held === undefined
        ? viewHash(ctx, arg(argv, 1))
        : ctx.db.viewObjectAt<RedisHash>(held, "hash");
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const value = hash?.get(arg(argv, 2));
      if (value === undefined) ctx.out.nil();
      else ctx.out.bulk(value);
    },
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get the values of all the given hash fields",
    syntax: "key field [field ...]",
    complexity: "O(N) where N is the number of fields being requested.",
    handler(ctx, argv) {
      const hash = viewHash(ctx, arg(argv, 1));
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const out = ctx.out;
      out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        const field = argv[i]!; // i < argv.length
        const value = hash?.get(field);
        if (value === undefined) out.nil();
        else out.bulk(value);
      }
    },
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Delete one or more hash fields",
    syntax: "key field [field ...]",
    complexity: "O(N) where N is the number of fields to be removed.",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const hash = ctx.db.getObject<RedisHash>(key, "hash");
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      let deleted = 0;
      if (hash !== undefined) {
        for (let i = 2; i < argv.length; i++) {
          const field = argv[i]!; // i < argv.length
          if (hash.size() === 0) break;
          if (hash.delete(field)) deleted++;
        }
      }
      ctx.out.int(deleted);
      if (deleted === 0) return;
      ctx.keyChanged(key, NotifyClass.Hash, "hdel", deleted);
      ctx.db.deleteIfEmpty(key, hash!);
    },
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "hash",
    since: "2.0.0",
    summary: "Get the number of fields in a hash",
    syntax: "key",
    complexity: "O(1)",
    handler(ctx, argv) {
      const count = ctx.db.readCount(arg(argv, 1), "hash");
      if (count === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(count);
    },
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "hash",
    since: "3.2.0",
    summary: "Get the length of the value of a hash field",
    syntax: "key field",
    complexity: "O(1)",
    handler(ctx, argv) {
      const hash = viewHash(ctx, arg(argv, 1));
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(hash?.valueLength(arg(argv, 2)) ?? 0);
    },
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "hash",
    since: "2.0.0",
    summary: "Determine if a hash field exists",
    syntax: "key field",
    complexity: "O(1)",
    handler(ctx, argv) {
      const hash = viewHash(ctx, arg(argv, 1));
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(hash?.has(arg(argv, 2)) ? 1 : 0);
    },
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the fields in a hash",
    syntax: "key",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx, argv) => replyAll(ctx, arg(argv, 1), true, false),
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the values in a hash",
    syntax: "key",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx, argv) => replyAll(ctx, arg(argv, 1), false, true),
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the fields and values in a hash",
    syntax: "key",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx, argv) => replyAll(ctx, arg(argv, 1), true, true),
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "hash",
    since: "2.0.0",
    summary: "Increment the integer value of a hash field by the given number",
    syntax: "key field increment",
    complexity: "O(1)",
    handler(ctx, argv) {
      // Short numbers add exactly as numbers (as INCRBY's): no regex, no bigints.
      const increment = parseIncrement(arg(argv, 3));
      // Errors end it by ctx.fail: a handler left by a throw stays in V8's baseline code.
      if (increment === undefined) return ctx.fail(NOT_INTEGER);
      const held = takeKey(argv, 1);
      const hash = held === undefined ? writeHash(ctx, arg(argv, 1)) : writeHeldHash(ctx, held);
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const field = arg(argv, 2);
      const limits = hashLimits(ctx);
      const stepped = typeof increment === "number"
        ? hash.addWithin(field, increment, limits)
        : NaN;
      if (!Number.isNaN(stepped)) {
        ctx.out.int(stepped);
        // The step kept the hash's size: it needs no accounting again.
        if (held !== undefined) {
          return ctx.server.keyChangedAt(ctx.db, held, NotifyClass.Hash, "hincrby", 1, true);
        }
        return ctx.server.keyChanged(ctx.db, arg(argv, 1), NotifyClass.Hash, "hincrby", 1, true);
      }
      const key = held === undefined ? arg(argv, 1) : held.string();
      const current = hash.get(field);
      let result: number | bigint;
      if (typeof increment === "number" && (current === undefined || current.length < 16)) {
        const value = current === undefined ? 0 : parseInteger(current);
        if (value === undefined) return ctx.fail(HASH_VALUE_NOT_INTEGER);
        result = value + increment;
      } else {
        const value = current === undefined ? 0n : parseInt64(current);
        if (value === undefined) return ctx.fail(HASH_VALUE_NOT_INTEGER);
        result = value + BigInt(increment);
        if (result < INT64_MIN || result > INT64_MAX) return ctx.fail(OVERFLOW);
      }
      hash.setWithin(field, String(result), limits);
      ctx.out.int(result);
      ctx.keyChanged(key, NotifyClass.Hash, "hincrby");
    },
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "hash",
    since: "2.6.0",
    summary: "Increment the float value of a hash field by the given amount",
    syntax: "key field increment",
    complexity: "O(1)",
    handler(ctx, argv) {
      const incrementText = arg(argv, 3);
      const quick = exactDyadic(incrementText);
      // A bad increment is refused before the hash is looked up or made, as in Redis.
      const increment = Number.isNaN(quick) ? finiteIncrement(incrementText) : undefined;
      const key = arg(argv, 1);
      const hash = writeHash(ctx, key);
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const field = arg(argv, 2);
      const current = hash.get(field);
      const text = exactSumText(exactDyadic(current ?? "0"), quick) ??
        longDoubleSum(current, increment ?? finiteIncrement(incrementText));
      hash.setWithin(field, text, hashLimits(ctx));
      ctx.out.bulk(text);
      ctx.keyChanged(key, NotifyClass.Hash, "hincrbyfloat");
      // Replaying the increment could round differently: record the result.
      ctx.propagateAs = [["HSET", key, field, text]];
    },
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: withoutCount,
    group: "hash",
    since: "6.2.0",
    summary: "Get one or multiple random fields from a hash",
    syntax: "key [count [WITHVALUES]]",
    complexity: "O(N) where N is the number of fields returned",
    handler(ctx, argv) {
      const out = ctx.out;
      const key = arg(argv, 1);
      if (argv.length === 2) {
        const hash = viewHash(ctx, key);
        if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
        const picked = hash?.randomField();
        if (picked === undefined) out.nil();
        else out.bulk(picked);
        return;
      }
      const args = new ArgCursor(argv, 2);
      const countText = args.next();
      const count = rangedLong(countText, -LONG_MAX, LONG_MAX);
      const withValues = args.eat("withvalues");
      args.end();
      const magnitude = BigInt(countText);
      if (withValues && (magnitude > LONG_MAX / 2n || magnitude < -LONG_MAX / 2n)) {
        throw new CommandError(VALUE_OUT_OF_RANGE);
      }
      const hash = viewHash(ctx, key);
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (hash === undefined || count === 0) return out.array(0);
      randomFields(ctx, hash, count, withValues);
    },
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "hash",
    since: "2.8.0",
    summary: "Incrementally iterate hash fields and associated values",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    handler(ctx, argv) {
      const out = ctx.out;
      const cursor = parseCursor(arg(argv, 2));
      const hash = viewHash(ctx, arg(argv, 1));
      if (hash === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (hash === undefined) {
        return writeScanReply(out, 0n, []);
      }
      const { match, count } = parseScanOptions(argv, 3, false);
      const items: string[] = [];
      const emit = (field: string, value: string) => {
        if (match === undefined || globMatch(match, field)) items.push(field, value);
      };
      let next = 0n;
      // A listpack-encoded hash is returned whole, whatever the cursor (as Redis).
      if (hash.compact) { for (const [field, value] of hash.entries()) emit(field, value); }
      else next = scanDict(hash, cursor, count, emit);
      writeScanReply(out, next, items);
    },
  },
];
