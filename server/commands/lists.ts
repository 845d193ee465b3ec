/**
 * List commands (Redis 7.0's t_list.c) over server/types/list.ts, including
 * the blocking pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP wait in
 * server/blocking.ts and reach the AOF as the plain pop or move they became.
 */
import { type HeldKey, takeKey, takesKeyBytes } from "../../protocol/bytes.ts";
import { arg, ArgCursor, intArg, LONG_MAX, parseInteger } from "../args.ts";
import { blockingKey, parseBlockingTimeout } from "../blocking.ts";
import { countedKeys, INSERTED_KEY, keyRange, READ_DELETED_KEY } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec } from "../command.ts";
import {
  CommandError,
  INDEX_OUT_OF_RANGE,
  LPOS_COUNT_NEGATIVE,
  LPOS_MAXLEN_NEGATIVE,
  LPOS_RANK_ZERO,
  NO_SUCH_KEY,
  NOT_INTEGER,
  SYNTAX,
  wrongArity,
  WRONGTYPE,
} from "../errors.ts";
import { typed, WRONG_TYPE, type WrongType } from "../db.ts";
import { NotifyClass } from "../notify.ts";
import { RedisList } from "../types/list.ts";
import { parseMultiPop, positiveLong } from "./collections.ts";

type End = "left" | "right";

function parseEnd(arg: string): End {
  // As clients send them: no lower-cased copy.
  if (arg === "LEFT") return "left";
  if (arg === "RIGHT") return "right";
  const end = arg.toLowerCase();
  if (end !== "left" && end !== "right") throw new CommandError(SYNTAX);
  return end;
}

function writeList(ctx: CommandContext, key: string): RedisList | undefined | WrongType {
  return ctx.db.getObject<RedisList>(key, "list");
}

function pop(list: RedisList, end: End): string {
  return (end === "left" ? list.popLeft() : list.popRight())!;
}

/** Pushes onto `key`, creating the list; Redis's lpush/rpush event. */
function push(
  ctx: CommandContext,
  key: string,
  list: RedisList | undefined,
  value: string,
  end: End,
) {
  if (list === undefined) {
    list = new RedisList();
    ctx.db.set(key, list);
  }
  if (end === "left") list.pushLeft(value);
  else list.pushRight(value);
  ctx.keyChanged(key, NotifyClass.List, end === "left" ? "lpush" : "rpush");
}

/** Redis's listElementsRemoved: the pop event, then "del" if the list emptied. */
function popped(ctx: CommandContext, key: string, list: RedisList, end: End, count: number): void {
  ctx.server.keyChanged(
    ctx.db,
    key,
    NotifyClass.List,
    end === "left" ? "lpop" : "rpop",
    count,
  );
  ctx.db.deleteIfEmpty(key, list);
}

/** Pops up to `count` elements and replies [key, [elements...]] (LMPOP and BLMPOP). */
function popRangeWithKey(
  ctx: CommandContext,
  key: string,
  list: RedisList,
  end: End,
  count: number,
) {
  const n = Math.min(count, list.length);
  const out = ctx.out;
  out.array(2);
  out.bulk(key);
  out.array(n);
  for (let i = 0; i < n; i++) out.bulk(pop(list, end));
  popped(ctx, key, list, end, n);
  return n;
}

/** How a pop of `n` from `key` goes to the AOF: LPOP/RPOP key [n]. */
function popCommand(end: End, key: string, n?: number): string[] {
  const argv = [end === "left" ? "LPOP" : "RPOP", key];
  if (n !== undefined) argv.push(String(n));
  return argv;
}

function newList(): RedisList {
  return new RedisList();
}

/** LPUSH/RPUSH key element of a key left as bytes (takesKeyBytes below): its string made if needed. */
function pushHeld(ctx: CommandContext, key: HeldKey, value: string, end: End): void {
  const db = ctx.db;
  const list = db.writeObjectAt<RedisList>(key, "list", newList);
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (end === "left") list.pushLeft(value);
  else list.pushRight(value);
  ctx.out.int(list.length);
  db.reaccountAt(key, list);
  const event = end === "left" ? "lpush" : "rpush";
  ctx.server.keyChangedAt(db, key, NotifyClass.List, event, 1, true);
}

/** LPOP/RPOP key of a key left as bytes: its string made if needed (the emptied list deleted). */
function popHeld(ctx: CommandContext, key: HeldKey, end: End): void {
  const db = ctx.db;
  const list = db.getObjectAt<RedisList>(key, "list");
  if (list === undefined) return ctx.out.nil();
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  ctx.out.bulk(pop(list, end));
  db.reaccountAt(key, list);
  ctx.server.keyChangedAt(db, key, NotifyClass.List, end === "left" ? "lpop" : "rpop", 1, true);
  if (list.length === 0) db.deleteIfEmpty(key.string(), list);
}

// These take their key as the request's bytes in these forms (protocol/bytes.ts, keys left as bytes).
for (const name of ["lpush", "rpush", "lpop", "rpop", "llen"]) {
  takesKeyBytes(name, name.endsWith("push") ? 3 : 2);
}

function pushGeneric(ctx: CommandContext, argv: string[], end: End, onlyIfExists: boolean): void {
  const held = takeKey(argv, 1);
  if (held !== undefined) return pushHeld(ctx, held, argv[2]!, end);
  const key = arg(argv, 1);
  let list = writeList(ctx, key);
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (list === undefined) {
    if (onlyIfExists) return ctx.out.int(0);
    list = new RedisList();
    ctx.db.set(key, list);
  }
  for (let i = 2; i < argv.length; i++) {
    const value = argv[i]!; // i < argv.length
    if (end === "left") list.pushLeft(value);
    else list.pushRight(value);
  }
  ctx.out.int(list.length);
  const event = end === "left" ? "lpush" : "rpush";
  ctx.keyChanged(key, NotifyClass.List, event, argv.length - 2);
}

function popGeneric(ctx: CommandContext, argv: string[], end: End): void {
  if (argv.length > 3) throw new CommandError(wrongArity(arg(argv, 0).toLowerCase()));
  const withCount = argv.length === 3;
  const held = takeKey(argv, 1);
  if (held !== undefined) return popHeld(ctx, held, end);
  const count = withCount ? positiveLong(arg(argv, 2)) : 0;
  const key = arg(argv, 1);
  const list = writeList(ctx, key);
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const out = ctx.out;
  if (list === undefined) return withCount ? out.nilArray() : out.nil();
  if (!withCount) {
    out.bulk(pop(list, end));
    return popped(ctx, key, list, end, 1);
  }
  if (count === 0) return out.array(0);
  const n = Math.min(count, list.length);
  out.array(n);
  for (let i = 0; i < n; i++) out.bulk(pop(list, end));
  popped(ctx, key, list, end, n);
}

/** Redis's start/end clamping for LRANGE and LTRIM: undefined for an empty range. */
function clampRange(start: number, end: number, length: number): [number, number] | undefined {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return undefined;
  return [start, Math.min(end, length - 1)];
}

/**
 * LMOVE's work once the source is known to hold elements: checks the
 * destination's type, moves one element, replies it. Events as Redis:
 * the push on the destination, then the pop (and "del") on the source.
 */
function move(
  ctx: CommandContext,
  source: string,
  list: RedisList,
  destination: string,
  from: End,
  to: End,
): void {
  if (destination === source && from !== to) return rotate(ctx, source, list, from, to);
  // LMOVE l l LEFT LEFT needs no second lookup.
  const target = destination === source ? list : typed(writeList(ctx, destination));
  const value = pop(list, from);
  push(ctx, destination, target, value, to);
  ctx.out.bulk(value);
  ctx.server.keyChanged(
    ctx.db,
    source,
    NotifyClass.List,
    from === "left" ? "lpop" : "rpop",
    0,
  );
  ctx.db.deleteIfEmpty(source, list);
}

/**
 * LMOVE l l RIGHT LEFT (and RPOPLPUSH l l, LMOVE l l LEFT RIGHT): the list
 * turns in place. Its key changes once; the pop's event follows, as in Redis.
 */
function rotate(ctx: CommandContext, key: string, list: RedisList, from: End, to: End): void {
  const value = list.rotate(from === "right")!; // the caller found it not empty
  ctx.keyChanged(key, NotifyClass.List, to === "left" ? "lpush" : "rpush");
  ctx.out.bulk(value);
  ctx.server.notify(NotifyClass.List, from === "left" ? "lpop" : "rpop", key, ctx.db.index);
}

/** The BLPOP family's wait: tries `serve` as keys become ready, until the deadline. */
function blockOn(
  ctx: CommandContext,
  keys: string[],
  deadline: number,
  serve: (key: string, list: RedisList) => void,
): void {
  const db = ctx.db;
  const waitKeys = keys.map((key) => blockingKey(db.index, key));
  ctx.server.blocking.block(ctx.client, {
    keys: waitKeys,
    deadline,
    tryServe(readyKey) {
      const key = keys[waitKeys.indexOf(readyKey)];
      if (key === undefined) return false;
      const value = db.get(key);
      if (value === undefined || typeof value === "string" || value.type !== "list") return false;
      serve(key, value as RedisList);
      return true;
    },
    onTimeout() {
      ctx.out.nilArray();
    },
  });
}

/** BLPOP, BRPOP and BLMPOP (`count` set: nested reply with up to count elements). */
function blockingPop(
  ctx: CommandContext,
  keys: string[],
  timeoutArg: string,
  end: End,
  count?: number,
): void {
  const deadline = parseBlockingTimeout(timeoutArg);
  const out = ctx.out;
  for (const key of keys) {
    const list = writeList(ctx, key);
    if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
    if (list === undefined) continue;
    if (count !== undefined) {
      const n = popRangeWithKey(ctx, key, list, end, count);
      ctx.propagateAs = [popCommand(end, key, n)];
      return;
    }
    out.array(2);
    out.bulk(key);
    out.bulk(pop(list, end));
    popped(ctx, key, list, end, 1);
    ctx.propagateAs = [popCommand(end, key)];
    return;
  }
  if (ctx.inExec) return out.nilArray();
  const dbIndex = ctx.db.index;
  blockOn(ctx, keys, deadline, (key, list) => {
    if (count !== undefined) {
      const n = Math.min(count, list.length);
      ctx.server.propagate(dbIndex, popCommand(end, key, n));
      popRangeWithKey(ctx, key, list, end, count);
      return;
    }
    ctx.server.propagate(dbIndex, popCommand(end, key));
    out.array(2);
    out.bulk(key);
    out.bulk(pop(list, end));
    popped(ctx, key, list, end, 1);
  });
}

/** BLMOVE and BRPOPLPUSH (`asRpoplpush`: how it reaches the AOF). */
function blockingMove(
  ctx: CommandContext,
  source: string,
  destination: string,
  from: End,
  to: End,
  timeoutArg: string,
  asRpoplpush: boolean,
): void {
  const deadline = parseBlockingTimeout(timeoutArg);
  const moveCommand = asRpoplpush
    ? ["RPOPLPUSH", source, destination]
    : ["LMOVE", source, destination, from.toUpperCase(), to.toUpperCase()];
  const list = writeList(ctx, source);
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (list !== undefined) {
    move(ctx, source, list, destination, from, to);
    ctx.propagateAs = [moveCommand];
    return;
  }
  // Unlike a timeout, a refusal to block (inside EXEC) is a null bulk.
  if (ctx.inExec) return ctx.out.nil();
  const dbIndex = ctx.db.index;
  blockOn(ctx, [source], deadline, (_key, list) => {
    const target = ctx.db.get(destination);
    if (target !== undefined && (typeof target === "string" || target.type !== "list")) {
      ctx.out.error(WRONGTYPE);
      return;
    }
    ctx.server.propagate(dbIndex, moveCommand);
    move(ctx, source, list, destination, from, to);
  });
}

const ENDS: readonly End[] = ["left", "right"];

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const MPOP_COMPLEXITY =
  "O(N+M) where N is the number of provided keys and M is the number of elements returned.";

/** LPOS key element [RANK r] [COUNT n] [MAXLEN m]. */
function lpos(ctx: CommandContext, argv: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  // Redis 7.0 makes a negative rank positive in a C long; LONG_MIN stays
  // negative, so every match from the tail counts and COUNT never ends the
  // scan (matches - rank + 1 overflows).
  let rankLongMin = false;
  const args = new ArgCursor(argv, 3);
  while (args.hasMore()) {
    const option = args.nextOption();
    const more = args.hasMore();
    if (option === "rank" && more) {
      const text = args.next();
      rank = intArg(text);
      if (rank === 0) throw new CommandError(LPOS_RANK_ZERO);
      rankLongMin = text === "-9223372036854775808";
    } else if (option === "count" && more) {
      count = args.nextLong(0n, LONG_MAX, LPOS_COUNT_NEGATIVE);
    } else if (option === "maxlen" && more) {
      maxlen = args.nextLong(0n, LONG_MAX, LPOS_MAXLEN_NEGATIVE);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const out = ctx.out;
  const list = ctx.db.viewObject<RedisList>(arg(argv, 1), "list");
  if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (list === undefined) return count === -1 ? out.nil() : out.array(0);
  const limit = count === -1 ? 1 : rankLongMin ? 0 : count;
  const skip = rankLongMin ? 0 : Math.abs(rank) - 1;
  const found = list.positions(arg(argv, 2), skip, limit, maxlen, rank < 0);
  if (count !== -1) {
    out.array(found.length);
    for (const i of found) out.int(i);
  } else if (found[0] !== undefined) {
    out.int(found[0]);
  } else {
    out.nil();
  }
}

export const listCommands: CommandSpec[] = [
  ...([
    ["lpush", "1.0.0", "Prepend one or multiple elements to a list", "left", false],
    ["rpush", "1.0.0", "Append one or multiple elements to a list", "right", false],
    ["lpushx", "2.2.0", "Prepend an element to a list, only if the list exists", "left", true],
    ["rpushx", "2.2.0", "Append an element to a list, only if the list exists", "right", true],
  ] as const).map(([name, since, summary, end, onlyIfExists]): CommandSpec => ({
    name,
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "list",
    since,
    summary,
    syntax: "key element [element ...]",
    complexity: PUSH_COMPLEXITY,
    handler: (ctx, argv) => pushGeneric(ctx, argv, end, onlyIfExists),
  })),
  ...([
    ["lpop", "Remove and get the first elements in a list", "left"],
    ["rpop", "Remove and get the last elements in a list", "right"],
  ] as const).map(([name, summary, end]): CommandSpec => ({
    name,
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1)],
    group: "list",
    since: "1.0.0",
    summary,
    syntax: "key [count]",
    complexity: "O(N) where N is the number of elements returned",
    handler: (ctx, argv) => popGeneric(ctx, argv, end),
  })),
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "list",
    since: "1.0.0",
    summary: "Get the length of a list",
    syntax: "key",
    complexity: "O(1)",
    handler(ctx, argv) {
      const held = takeKey(argv, 1);
      const count = held === undefined
        ? ctx.db.readCount(arg(argv, 1), "list")
        : ctx.db.readCountAt(held, "list");
      if (count === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.int(count);
    },
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "list",
    since: "1.0.0",
    summary: "Get a range of elements from a list",
    syntax: "key start stop",
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    handler(ctx, argv) {
      const start = parseInteger(arg(argv, 2));
      const stop = parseInteger(arg(argv, 3));
      // Ended by ctx.fail: a handler left by a throw stays in V8's baseline code.
      if (start === undefined || stop === undefined) return ctx.fail(NOT_INTEGER);
      const out = ctx.out;
      const list = ctx.db.viewObject<RedisList>(arg(argv, 1), "list");
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      const range = list && clampRange(start, stop, list.length);
      if (list === undefined || range === undefined) return out.array(0);
      const n = range[1] - range[0] + 1;
      out.array(n);
      list.forRange(range[0], n, (value) => out.bulk(value));
    },
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "list",
    since: "1.0.0",
    summary: "Get an element from a list by its index",
    syntax: "key index",
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    handler(ctx, argv) {
      const list = ctx.db.viewObject<RedisList>(arg(argv, 1), "list");
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) return ctx.out.nil();
      const index = parseInteger(arg(argv, 2));
      if (index === undefined) return ctx.fail(NOT_INTEGER);
      const value = list.at(index);
      if (value === undefined) ctx.out.nil();
      else ctx.out.bulk(value);
    },
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "list",
    since: "1.0.0",
    summary: "Set the value of an element in a list by its index",
    syntax: "key index element",
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    handler(ctx, argv) {
      const key = arg(argv, 1);
      const list = writeList(ctx, key);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) throw new CommandError(NO_SUCH_KEY);
      if (!list.set(intArg(arg(argv, 2)), arg(argv, 3))) throw new CommandError(INDEX_OUT_OF_RANGE);
      ctx.out.ok();
      ctx.keyChanged(key, NotifyClass.List, "lset");
    },
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "list",
    since: "2.2.0",
    summary: "Insert an element before or after another element in a list",
    syntax: "key <BEFORE | AFTER> pivot element",
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    handler(ctx, argv) {
      const where = arg(argv, 2).toLowerCase();
      if (where !== "before" && where !== "after") throw new CommandError(SYNTAX);
      const key = arg(argv, 1);
      const list = writeList(ctx, key);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) return ctx.out.int(0);
      const pivot = arg(argv, 3);
      let index = 0;
      for (const value of list.values()) {
        if (value === pivot) break;
        index++;
      }
      if (index === list.length) return ctx.out.int(-1);
      list.insert(where === "after" ? index + 1 : index, arg(argv, 4));
      ctx.out.int(list.length);
      ctx.keyChanged(key, NotifyClass.List, "linsert");
    },
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    group: "list",
    since: "1.0.0",
    summary: "Remove elements from a list",
    syntax: "key count element",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    handler(ctx, argv) {
      const count = intArg(arg(argv, 2));
      const key = arg(argv, 1);
      const list = writeList(ctx, key);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) return ctx.out.int(0);
      const removed = list.removeMatching(arg(argv, 3), Math.abs(count), count < 0);
      ctx.out.int(removed);
      if (removed === 0) return;
      ctx.keyChanged(key, NotifyClass.List, "lrem", removed);
      ctx.db.deleteIfEmpty(key, list);
    },
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    group: "list",
    since: "1.0.0",
    summary: "Trim a list to the specified range",
    syntax: "key start stop",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    handler(ctx, argv) {
      const start = intArg(arg(argv, 2));
      const stop = intArg(arg(argv, 3));
      const key = arg(argv, 1);
      const list = writeList(ctx, key);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      ctx.out.ok();
      if (list === undefined) return;
      const length = list.length;
      const range = clampRange(start, stop, length);
      if (range === undefined) list.trim(0, -1);
      // A range covering the whole list trims nothing: no need to repack it.
      else if (range[0] !== 0 || range[1] !== length - 1) list.trim(range[0], range[1]);
      // As Redis, the event (and WATCH) fire even when nothing was trimmed.
      ctx.keyChanged(key, NotifyClass.List, "ltrim", length - list.length);
      ctx.db.deleteIfEmpty(key, list);
    },
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "list",
    since: "6.0.6",
    summary: "Return the index of matching elements on a list",
    syntax: "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    handler: lpos,
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    // One pop and one push: O(1), a small list copied whole is at most 8 KB (types/list.ts).
    boundedByArgs: true,
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(INSERTED_KEY, 2)],
    group: "list",
    since: "6.2.0",
    summary: "Pop an element from a list, push it to another list and return it",
    syntax: "source destination <LEFT | RIGHT> <LEFT | RIGHT>",
    complexity: "O(1)",
    handler(ctx, argv) {
      const from = parseEnd(arg(argv, 3));
      const to = parseEnd(arg(argv, 4));
      const source = arg(argv, 1);
      const list = writeList(ctx, source);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) return ctx.out.nil();
      move(ctx, source, list, arg(argv, 2), from, to);
    },
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    // One pop and one push: O(1), a small list copied whole is at most 8 KB (types/list.ts).
    boundedByArgs: true,
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(INSERTED_KEY, 2)],
    group: "list",
    since: "1.2.0",
    summary: "Remove the last element in a list, prepend it to another list and return it",
    syntax: "source destination",
    complexity: "O(1)",
    handler(ctx, argv) {
      const source = arg(argv, 1);
      const list = writeList(ctx, source);
      if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
      if (list === undefined) return ctx.out.nil();
      move(ctx, source, list, arg(argv, 2), "right", "left");
    },
  },
  {
    name: "lmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keySpecs: [countedKeys(READ_DELETED_KEY, 1)],
    group: "list",
    since: "7.0.0",
    summary: "Pop elements from a list",
    syntax: "numkeys key [key ...] <LEFT | RIGHT> [COUNT count]",
    complexity: MPOP_COMPLEXITY,
    handler(ctx, argv) {
      const { keys, end, count } = parseMultiPop(argv, 1, ENDS);
      for (const key of keys) {
        const list = writeList(ctx, key);
        if (list === WRONG_TYPE) return ctx.fail(WRONGTYPE);
        if (list === undefined) continue;
        const n = popRangeWithKey(ctx, key, list, end, count);
        ctx.propagateAs = [popCommand(end, key, n)];
        return;
      }
      ctx.out.nilArray();
    },
  },
  ...([
    [
      "blpop",
      "Remove and get the first element in a list, or block until one is available",
      "left",
    ],
    [
      "brpop",
      "Remove and get the last element in a list, or block until one is available",
      "right",
    ],
  ] as const).map(([name, summary, end]): CommandSpec => ({
    name,
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    keys: [1, -2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1, -2)],
    group: "list",
    since: "2.0.0",
    summary,
    syntax: "key [key ...] timeout",
    complexity: "O(N) where N is the number of provided keys.",
    handler: (ctx, argv) => blockingPop(ctx, argv.slice(1, -1), arg(argv, argv.length - 1), end),
  })),
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(INSERTED_KEY, 2)],
    group: "list",
    since: "6.2.0",
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    syntax: "source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout",
    complexity: "O(1)",
    handler(ctx, argv) {
      const from = parseEnd(arg(argv, 3));
      const to = parseEnd(arg(argv, 4));
      blockingMove(ctx, arg(argv, 1), arg(argv, 2), from, to, arg(argv, 5), false);
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(INSERTED_KEY, 2)],
    group: "list",
    since: "2.2.0",
    summary:
      "Pop an element from a list, push it to another list and return it; or block until one is available",
    syntax: "source destination timeout",
    complexity: "O(1)",
    handler(ctx, argv) {
      blockingMove(ctx, arg(argv, 1), arg(argv, 2), "right", "left", arg(argv, 3), true);
    },
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keySpecs: [countedKeys(READ_DELETED_KEY, 2)],
    group: "list",
    since: "7.0.0",
    summary: "Pop elements from a list, or block until one is available",
    syntax: "timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]",
    complexity: MPOP_COMPLEXITY,
    handler(ctx, argv) {
      const { keys, end, count } = parseMultiPop(argv, 2, ENDS);
      blockingPop(ctx, keys, arg(argv, 1), end, count);
    },
  },
];
