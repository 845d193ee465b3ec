/** String commands. */
import {
  DEFER_MIN,
  DEFERRED_ARG,
  type HeldArgument,
  type HeldArguments,
  noteKeyArgument,
  takeArguments,
  takeDeferredSpan,
  takeKey,
  takesArgumentBytes,
  takesBytes,
  takesKeyBytes,
} from "../../protocol/bytes.ts";
import type { ReplyWriter } from "../../protocol/writer.ts";
import { arg, intArg, isWord, parseIncrement, parseInt64, parseInteger } from "../args.ts";
import { keyRange, READ_DELETED_KEY, READ_UPDATED_KEY } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec, Handler } from "../command.ts";
import {
  CommandError,
  DECREMENT_OVERFLOW,
  INCREMENT_NAN_OR_INFINITY,
  invalidExpire,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  SYNTAX,
  wrongArity,
  WRONGTYPE,
} from "../errors.ts";
import { NotifyClass } from "../notify.ts";
import {
  addLongDouble,
  exactDyadic,
  exactSumText,
  formatLongDouble,
  type LongDouble,
  MAX_LONG_DOUBLE_CHARS,
  parseLongDouble,
  StringForm,
} from "../types/string.ts";
import { commandTime } from "../types/access_clock.ts";
import { type KeyBytes, PageBytes } from "../types/page_bytes.ts";
import { type Database, typed, WRONG_TYPE } from "../db.ts";
import { lcsCommand } from "./strings_lcs.ts";
import { appendCommand, setRangeCommand } from "./strings_edit.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

type ExpireUnit = "ex" | "px" | "exat" | "pxat";

/** The expiry unit `word` names in any case, if it names one. */
function expireUnitOf(word: string): ExpireUnit | undefined {
  if (word.length === 2) return isWord(word, "ex") ? "ex" : isWord(word, "px") ? "px" : undefined;
  return isWord(word, "exat") ? "exat" : isWord(word, "pxat") ? "pxat" : undefined;
}

/**
 * The absolute expiry time (ms) of SET/GETEX's EX, PX, EXAT, PXAT argument,
 * with Redis's checks: positive, and no overflow when scaled or added to now.
 * A bad one is its error's text, returned rather than thrown: a handler
 * always left by a throw never gets hotter than V8's baseline code
 * (docs/performance.md), and a client repeating a bad SET paid ~0.6 µs for it.
 */
function expireTimeOf(arg: string, unit: ExpireUnit, command: string): number | string {
  const n = parseInteger(arg);
  if (n === undefined) return NOT_INTEGER;
  const seconds = unit === "ex" || unit === "exat";
  if (n <= 0 || (seconds && n > 9223372036854775)) return invalidExpire(command);
  let when = seconds ? n * 1000 : n;
  if (unit === "ex" || unit === "px") when += commandTime();
  if (when > 9223372036854775807) return invalidExpire(command);
  return when;
}

interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  unit: ExpireUnit | undefined;
  expire: string | undefined;
}

/** SETEX and PSETEX: `key time value`, SET with EX or PX and nothing else. */
function setWithExpiry(name: string, unit: ExpireUnit): Handler {
  return (ctx, argv) => {
    const options: SetOptions = {
      nx: false,
      xx: false,
      get: false,
      keepTtl: false,
      unit,
      expire: arg(argv, 2),
    };
    const done = setGeneric(ctx, name, arg(argv, 1), arg(argv, 3), options);
    if (typeof done === "string") ctx.fail(done);
    else if (done) ctx.out.ok();
    else ctx.out.nil();
  };
}

/**
 * SET's options, as Redis's parseExtendedStringArgumentsOrReply accepts them;
 * undefined for a syntax error.
 */
function parseSetOptions(argv: readonly string[], from: number): SetOptions | undefined {
  const options: SetOptions = {
    nx: false,
    xx: false,
    get: false,
    keepTtl: false,
    unit: undefined,
    expire: undefined,
  };
  for (let i = from; i < argv.length; i++) {
    const word = argv[i]!;
    const unit = word.length === 2 || word.length === 4 ? expireUnitOf(word) : undefined;
    if (isWord(word, "nx") && !options.xx) options.nx = true;
    else if (isWord(word, "xx") && !options.nx) options.xx = true;
    else if (isWord(word, "get")) options.get = true;
    else if (isWord(word, "keepttl") && options.unit === undefined) options.keepTtl = true;
    else if (
      unit !== undefined && i + 1 < argv.length && !options.keepTtl &&
      (options.unit === undefined || options.unit === unit)
    ) {
      options.unit = unit;
      options.expire = argv[++i];
    } else {
      return undefined;
    }
  }
  return options;
}

/**
 * Redis's setGenericCommand: SET with options, SETNX, SETEX, PSETEX. Returns
 * whether the value was set (false: skipped by NX or XX); the caller
 * replies, unless GET has already replied with the old value. A bad expiry
 * time is its error's text, and nothing is changed.
 */
function setGeneric(
  ctx: CommandContext,
  command: string,
  key: string,
  value: string,
  options: SetOptions,
): boolean | string {
  const when = options.unit === undefined
    ? undefined
    : expireTimeOf(options.expire!, options.unit, command);
  if (typeof when === "string") return when;
  const db = ctx.db;
  if (options.get) {
    const old = typed(ctx.db.readString(key));
    if (old === undefined) ctx.out.nil();
    else ctx.out.bulk(old);
  }
  const found = db.has(key);
  if ((options.nx && found) || (options.xx && !found)) return false;
  // A TTL about to be set replaces the old one in place: clearing it first costs a
  // delete and a re-insert in the expires table.
  if (found && (options.keepTtl || when !== undefined)) db.replace(key, value);
  else db.set(key, value, StringForm.Encoded, when);
  // set() and replace() accounted for the value they stored (no lookup to account again).
  ctx.server.keyChanged(db, key, NotifyClass.String, "set", 1, true);
  if (when !== undefined) {
    db.setExpire(key, when);
    // Relative times would replay wrong from the AOF: record the absolute one,
    // formatted only for a recorder (AOF, replicas, a script).
    if (ctx.server.recordsWrites()) ctx.propagateAs = [["SET", key, value, "PXAT", String(when)]];
    ctx.server.notify(NotifyClass.Generic, "expire", key, db.index);
  }
  return true;
}

/** SET key value, whose key may be left as bytes and value deferred (takesKeyBytes, takesBytes). */
function setPlain(ctx: CommandContext, argv: string[], value: string): void {
  const db = ctx.db;
  const held = takeKey(argv, 1);
  const bytes = value === DEFERRED_ARG ? takeDeferredSpan(argv, 2) : undefined;
  // A short value, from the key's bytes: its string is made only for a new key.
  if (
    held !== undefined &&
    (bytes === undefined ? db.setAt(held, value) : setShortAt(db, held, bytes))
  ) {
    return ctx.server.keyChangedAt(db, held, NotifyClass.String, "set");
  }
  const key = held === undefined ? arg(argv, 1) : held.string();
  if (bytes === undefined) db.set(key, value);
  else db.setSpan(key, bytes.bytes, bytes.start, bytes.end);
  ctx.server.keyChanged(db, key, NotifyClass.String, "set", 1, true);
}

/** A deferred value under DEFER_MIN bytes set at a key given as its bytes (MSET's path); false if not done. */
function setShortAt(db: Database, key: KeyBytes, value: HeldArgument): boolean {
  return value.end - value.start < DEFER_MIN &&
    db.setSpanAt(key, value.bytes, value.start, value.end);
}

/** INCR, DECR, INCRBY, DECRBY of argv's key, which may be left as bytes (takesKeyBytes below). */
function incrementBy(ctx: CommandContext, argv: string[], increment: number | bigint): void {
  const held = takeKey(argv, 1);
  if (held === undefined) return incrementKey(ctx, arg(argv, 1), increment);
  const db = ctx.db;
  const sum = typeof increment === "number" ? db.addToIntegerAt(held, increment) : undefined;
  if (sum === undefined) return incrementKey(ctx, held.string(), increment);
  ctx.server.keyChangedAt(db, held, NotifyClass.String, "incrby");
  ctx.out.int(sum);
}

/**
 * INCR, DECR, INCRBY, DECRBY: int64 arithmetic with Redis's overflow error.
 * Its errors end it by ctx.fail: a client retrying INCR on a string that is
 * no number left it failing ~1.7 µs a request by a throw.
 */
function incrementKey(ctx: CommandContext, key: string, increment: number | bigint): void {
  const db = ctx.db;
  // A short integer stored inline is edited where it lies (no string read or made).
  const sum = typeof increment === "number" ? db.addToInteger(key, increment) : undefined;
  if (sum !== undefined) {
    ctx.server.keyChanged(db, key, NotifyClass.String, "incrby");
    return ctx.out.int(sum);
  }
  // Longer than 20 bytes is no integer: refused before a text is made of a string kept as bytes.
  const length = db.stringLength(key);
  if (length === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if ((length ?? 0) > 20) return ctx.fail(NOT_INTEGER);
  const current = db.getString(key);
  let result: number | bigint;
  if (current === undefined) {
    result = increment;
  } else if (current.length < 16 && typeof increment === "number") {
    // Both fit in 53 bits, so the sum is exact.
    const v = parseInteger(current);
    if (v === undefined) return ctx.fail(NOT_INTEGER);
    result = v + increment;
  } else {
    const v = parseInt64(current);
    if (v === undefined) return ctx.fail(NOT_INTEGER);
    const sum = v + BigInt(increment);
    if (sum > INT64_MAX || sum < INT64_MIN) return ctx.fail(OVERFLOW);
    result = sum;
  }
  const text = String(result);
  if (current === undefined) db.set(key, text);
  else db.replace(key, text);
  ctx.server.keyChanged(db, key, NotifyClass.String, "incrby");
  ctx.out.int(result);
}

const ZERO: LongDouble = { negative: false, mantissa: 0n, exponent: 0 };

function parseFloatArg(s: string): LongDouble | number {
  const v = parseLongDouble(s);
  if (v === undefined) throw new CommandError(NOT_FLOAT);
  return v;
}

/** GETRANGE's clamping of start/end to [0, length); undefined for an empty range. */
function byteRange(start: number, end: number, length: number): [number, number] | undefined {
  if (start < 0 && end < 0 && start > end) return undefined;
  if (start < 0) start = Math.max(0, length + start);
  if (end < 0) end = Math.max(0, length + end);
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return undefined;
  return [start, end];
}

/** A stored string as a bulk reply: copied from where it lies when the lookup gave its bytes. */
function replyStored(out: ReplyWriter, value: string | PageBytes): void {
  if (typeof value === "string") out.bulk(value);
  else out.bulkBytes(value.page, value.start, value.end);
}

function getRange(ctx: CommandContext, argv: string[]): void {
  const start = intArg(arg(argv, 2));
  const end = intArg(arg(argv, 3));
  const value = ctx.db.readStringForReply(arg(argv, 1));
  if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (value === undefined) return ctx.out.bulk("");
  if (typeof value === "string") {
    const range = byteRange(start, end, value.length);
    return ctx.out.bulk(range === undefined ? "" : value.slice(range[0], range[1] + 1));
  }
  // The range copied from where the value is stored.
  const range = byteRange(start, end, value.end - value.start);
  if (range === undefined) ctx.out.bulk("");
  else ctx.out.bulkBytes(value.page, value.start + range[0], value.start + range[1] + 1);
}

/** GETEX: the value, then its TTL set, removed (PERSIST) or, for a past EXAT/PXAT, the key deleted. */
function getWithExpiry(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  let unit: ExpireUnit | undefined;
  let expire: string | undefined;
  let persist = false;
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    const named = word.length === 2 || word.length === 4 ? expireUnitOf(word) : undefined;
    if (isWord(word, "persist") && unit === undefined) {
      persist = true;
    } else if (
      named !== undefined && i + 1 < argv.length && !persist &&
      (unit === undefined || unit === named)
    ) {
      unit = named;
      expire = argv[++i];
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const value = ctx.db.readStringForReply(key);
  if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (value === undefined) return ctx.out.nil();
  const when = unit === undefined ? undefined : expireTimeOf(expire!, unit, "getex");
  if (typeof when === "string") return ctx.fail(when);
  replyStored(ctx.out, value);
  const db = ctx.db;
  const server = ctx.server;
  if (when !== undefined && (unit === "exat" || unit === "pxat") && when <= commandTime()) {
    db.delete(key);
    ctx.propagateAs = [["DEL", key]];
    server.keyChanged(db, key, NotifyClass.Generic, "del");
  } else if (when !== undefined) {
    db.setExpire(key, when);
    // As EXPIRE's: formatted only for a recorder (AOF, replicas, a script).
    if (server.recordsWrites()) ctx.propagateAs = [["PEXPIREAT", key, String(when)]];
    server.keyChanged(db, key, NotifyClass.Generic, "expire");
  } else if (persist && db.removeExpire(key)) {
    ctx.propagateAs = [["PERSIST", key]];
    server.keyChanged(db, key, NotifyClass.Generic, "persist");
  }
}

function msetGeneric(ctx: CommandContext, argv: string[], onlyIfNoneExist: boolean): void {
  if (argv.length % 2 === 0) throw new CommandError(wrongArity(arg(argv, 0).toLowerCase()));
  const held = takeArguments(argv);
  if (held !== undefined) return msetHeld(ctx, held, argv.length, onlyIfNoneExist);
  const db = ctx.db;
  if (onlyIfNoneExist) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.has(arg(argv, i))) return ctx.out.int(0);
    }
  }
  const server = ctx.server;
  for (let i = 1; i < argv.length; i += 2) {
    // Hashed and compared from the request's bytes (requestKey), as a first key is.
    noteKeyArgument(argv, i);
    const key = argv[i]!;
    db.set(key, argv[i + 1]!);
    // set() accounted for the value it stored: no second lookup to account again.
    server.keyChanged(db, key, NotifyClass.String, "set", 1, true);
  }
  if (onlyIfNoneExist) ctx.out.int(1);
  else ctx.out.ok();
}

/**
 * msetGeneric of keys and values left as the request's bytes (takesArgumentBytes below):
 * a value over one of its length is copied from its bytes; a key's string is made for a new
 * record or a listener (keyChangedAt), a value's for a new record, both for a key with a TTL.
 */
function msetHeld(
  ctx: CommandContext,
  held: HeldArguments,
  count: number,
  onlyIfNoneExist: boolean,
): void {
  const db = ctx.db;
  if (onlyIfNoneExist) {
    for (let i = 1; i < count; i += 2) if (db.hasAt(held.at(i))) return ctx.out.int(0);
  }
  const server = ctx.server;
  const spans = held.spans;
  for (let i = 1; i < count; i += 2) {
    const from = spans[2 * i + 2]!;
    const key = held.at(i);
    if (db.setSpanAt(key, held.bytes, from, from + spans[2 * i + 3]!)) {
      server.keyChangedAt(db, key, NotifyClass.String, "set", 1, true);
      continue;
    }
    const name = key.string();
    db.set(name, held.stringOf(i + 1));
    server.keyChanged(db, name, NotifyClass.String, "set", 1, true);
  }
  if (onlyIfNoneExist) ctx.out.int(1);
  else ctx.out.ok();
}

/** INCRBYFLOAT's sum in long double arithmetic, with its errors, as Redis computes it. */
function longDoubleSum(current: string | undefined, incrementText: string): string {
  const value = current === undefined ? ZERO : parseFloatArg(current);
  const increment = parseFloatArg(incrementText);
  // Infinite operands: Redis's sum would be NaN or infinite.
  if (typeof value === "number" || typeof increment === "number") {
    throw new CommandError(INCREMENT_NAN_OR_INFINITY);
  }
  const sum = addLongDouble(value, increment);
  if (typeof sum === "number") throw new CommandError(INCREMENT_NAN_OR_INFINITY);
  return formatLongDouble(sum);
}

function incrByFloat(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const key = arg(argv, 1);
  // Too long to be a float (Redis's MAX_LONG_DOUBLE_CHARS): refused before its text is made.
  const length = db.stringLength(key);
  if (length === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if ((length ?? 0) >= MAX_LONG_DOUBLE_CHARS) return ctx.fail(NOT_FLOAT);
  const current = db.getString(key);
  const text = exactSumText(exactDyadic(current ?? "0"), exactDyadic(arg(argv, 2))) ??
    longDoubleSum(current, arg(argv, 2));
  if (current === undefined) db.set(key, text, StringForm.Plain);
  else db.replace(key, text, StringForm.Plain);
  ctx.server.keyChanged(db, key, NotifyClass.String, "incrbyfloat");
  // Replaying the increment could round differently: record the result.
  ctx.propagateAs = [["SET", key, text, "KEEPTTL"]];
  ctx.out.bulk(text);
}

/** Rows shared by GETRANGE and its old name SUBSTR. */
function rangeRow(name: string, since: string, summary: string): CommandSpec {
  return {
    name,
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "string",
    since,
    summary,
    syntax: "key start end",
    handler: getRange,
  };
}

// SET key value copies its value's bytes from the request (protocol/bytes.ts, deferred arguments).
takesBytes("set", 2, 3);
// These look their key up from the request's bytes (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("get", 2);
takesArgumentBytes("mset");
takesArgumentBytes("msetnx");
takesKeyBytes("set", 3);
for (const name of ["incr", "decr"]) takesKeyBytes(name, 2);
for (const name of ["incrby", "decrby"]) takesKeyBytes(name, 3);

export const stringCommands: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "string",
    since: "1.0.0",
    summary: "Returns the string value of a key.",
    syntax: "key",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      const db = ctx.db;
      // WRONGTYPE by ctx.fail (see incrementKey).
      const value = held === undefined
        ? db.lookupForReply(arg(argv, 1))
        : db.lookupForReplyAt(held);
      if (value === undefined) ctx.out.nil();
      else if (typeof value === "string" || value instanceof PageBytes) replyStored(ctx.out, value);
      else ctx.fail(WRONGTYPE);
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "string",
    since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type.",
    syntax:
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
    handler(ctx, argv) {
      const value = arg(argv, 2);
      if (argv.length === 3) {
        setPlain(ctx, argv, value);
        // The book's `set key value` replies NIL on the native protocol.
        if (ctx.isNative) ctx.out.nil();
        else ctx.out.ok();
        return;
      }
      const key = arg(argv, 1);
      const options = parseSetOptions(argv, 3);
      if (options === undefined) return ctx.fail(SYNTAX);
      if (options.get && options.unit === undefined) {
        // GET changes nothing, so the AOF records the SET without it.
        ctx.propagateAs = [argv.filter((word, i) => i < 3 || word.toLowerCase() !== "get")];
      }
      const done = setGeneric(ctx, "set", key, value, options);
      if (typeof done === "string") return ctx.fail(done);
      if (options.get) return;
      if (done) ctx.out.ok();
      else ctx.out.nil();
    },
  },
  {
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "string",
    since: "1.0.0",
    summary: "Set the string value of a key only when the key doesn't exist.",
    syntax: "key value",
    handler(ctx, argv) {
      const options: SetOptions = {
        nx: true,
        xx: false,
        get: false,
        keepTtl: false,
        unit: undefined,
        expire: undefined,
      };
      ctx.out.int(setGeneric(ctx, "setnx", arg(argv, 1), arg(argv, 2), options) === true ? 1 : 0);
    },
  },
  {
    name: "setex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "string",
    since: "2.0.0",
    summary:
      "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    syntax: "key seconds value",
    handler: setWithExpiry("setex", "ex"),
  },
  {
    name: "psetex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "string",
    since: "2.6.0",
    summary:
      "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    syntax: "key milliseconds value",
    handler: setWithExpiry("psetex", "px"),
  },
  {
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "1.0.0",
    summary: "Returns the previous string value of a key after setting it to a new value.",
    syntax: "key value",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const value = arg(argv, 2);
      const old = ctx.db.readString(key);
      if (old === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const db = ctx.db;
      db.set(key, value);
      ctx.server.keyChanged(db, key, NotifyClass.String, "set");
      ctx.propagateAs = [["SET", key, value]];
      if (old === undefined) ctx.out.nil();
      else ctx.out.bulk(old);
    },
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1)],
    group: "string",
    since: "6.2.0",
    summary: "Returns the string value of a key after deleting the key.",
    syntax: "key",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const value = ctx.db.readString(key);
      if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (value === undefined) return ctx.out.nil();
      const db = ctx.db;
      db.delete(key);
      ctx.propagateAs = [["DEL", key]];
      ctx.server.keyChanged(db, key, NotifyClass.Generic, "del");
      ctx.out.bulk(value);
    },
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "6.2.0",
    summary: "Returns the string value of a key after setting its expiration time.",
    syntax:
      "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
    handler: getWithExpiry,
  },
  {
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    group: "string",
    since: "1.0.0",
    summary: "Atomically returns the string values of one or more keys.",
    syntax: "key [key ...]",
    handler(ctx, argv) {
      const db = ctx.db;
      const out = ctx.out;
      out.array(argv.length - 1);
      for (let i = 1; i < argv.length; i++) {
        const key = argv[i]!; // i < argv.length
        noteKeyArgument(argv, i);
        // Each value is copied out before the next lookup, as lookupForReply asks.
        const value = db.lookupForReply(key);
        if (typeof value === "string" || value instanceof PageBytes) replyStored(out, value);
        else out.nil();
      }
    },
  },
  {
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    boundedByArgs: true,
    group: "string",
    since: "1.0.1",
    summary: "Atomically creates or modifies the string values of one or more keys.",
    syntax: "key value [key value ...]",
    handler: (ctx, argv) => msetGeneric(ctx, argv, false),
  },
  {
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    boundedByArgs: true,
    group: "string",
    since: "1.0.1",
    summary:
      "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    syntax: "key value [key value ...]",
    handler: (ctx, argv) => msetGeneric(ctx, argv, true),
  },
  appendCommand,
  {
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "string",
    since: "2.2.0",
    summary: "Returns the length of a string value.",
    syntax: "key",
    handler(ctx, argv) {
      const length = ctx.db.readStringLength(arg(argv, 1));
      if (length === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(length ?? 0);
    },
  },
  rangeRow("getrange", "2.4.0", "Returns a substring of the string stored at a key."),
  rangeRow("substr", "1.0.0", "Returns a substring from a string value."),
  setRangeCommand,
  {
    name: "incr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "1.0.0",
    summary:
      "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    syntax: "key",
    handler: (ctx, argv) => incrementBy(ctx, argv, 1),
  },
  {
    name: "decr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "1.0.0",
    summary:
      "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    syntax: "key",
    handler: (ctx, argv) => incrementBy(ctx, argv, -1),
  },
  {
    name: "incrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "1.0.0",
    summary:
      "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    syntax: "key increment",
    handler(ctx, argv) {
      const increment = parseIncrement(arg(argv, 2));
      if (increment === undefined) return ctx.fail(NOT_INTEGER);
      incrementBy(ctx, argv, increment);
    },
  },
  {
    name: "decrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "1.0.0",
    summary:
      "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    syntax: "key decrement",
    handler(ctx, argv) {
      const decrement = parseIncrement(arg(argv, 2));
      if (decrement === undefined) return ctx.fail(NOT_INTEGER);
      if (decrement === INT64_MIN) return ctx.fail(DECREMENT_OVERFLOW);
      incrementBy(ctx, argv, -decrement);
    },
  },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "string",
    since: "2.6.0",
    summary:
      "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    syntax: "key increment",
    handler: incrByFloat,
  },
  lcsCommand,
];
