/**
 * Consumer-group commands (Redis 7.0's t_stream.c): XGROUP and its
 * subcommands, XACK, XPENDING, XCLAIM and XAUTOCLAIM. Claims are propagated
 * as Redis propagates them: one XCLAIM ... FORCE JUSTID LASTID per pending
 * entry changed, so AOF replay rebuilds the PEL exactly.
 */
import { arg, ArgCursor, intArg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { typed } from "../db.ts";
import { keyRange } from "../key_specs.ts";
import {
  BUSYGROUP,
  CommandError,
  noGroupForKey,
  noKeyOrGroup,
  subcommandSyntax,
  SYNTAX,
  XAUTOCLAIM_COUNT,
  XAUTOCLAIM_MIN_IDLE,
  XCLAIM_IDLE,
  XCLAIM_MIN_IDLE,
  XCLAIM_RETRYCOUNT,
  XCLAIM_TIME,
  xclaimUnknownOption,
  XGROUP_ENTRIES_READ,
  XGROUP_KEY_MISSING,
} from "../errors.ts";
import { NotifyClass } from "../notify.ts";
import { Stream } from "../types/stream.ts";
import {
  type Consumer,
  ConsumerGroup,
  ENTRIES_READ_UNKNOWN,
  type Nack,
} from "../types/stream_groups.ts";
import { formatId, ID_MAX, ID_MIN, parseId, type StreamId } from "../types/stream_id.ts";
import { HELP_SUMMARY, helpRow } from "./help.ts";
import {
  intervalEnd,
  intervalStart,
  rangeId,
  readStream,
  seenConsumer,
  setIdArgv,
  strictId,
  writeEntry,
  xclaimArgv,
} from "./stream_args.ts";
import { DELETED_KEY, sortedNames } from "./streams.ts";

/** LONG_MAX / 16: XAUTOCLAIM's largest COUNT (attempts are ten per entry). */
const MAX_AUTOCLAIM_COUNT = 576460752303423487;

// ---- XGROUP ------------------------------------------------------------------

const XGROUP_HELP = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Prints this help.",
];

interface GroupArgs {
  stream: Stream | undefined;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: number;
}

/** What every XGROUP subcommand checks first, in xgroupCommand's order. */
function groupPrologue(ctx: CommandContext, argv: string[], needsGroup: boolean): GroupArgs {
  const sub = arg(argv, 1).toLowerCase();
  const args: GroupArgs = {
    stream: undefined,
    group: undefined,
    mkstream: false,
    entriesRead: ENTRIES_READ_UNKNOWN,
  };
  const c = new ArgCursor(argv, 5);
  while (c.hasMore()) {
    const opt = c.nextOption();
    if (sub === "create" && opt === "mkstream") {
      args.mkstream = true;
    } else if ((sub === "create" || sub === "setid") && opt === "entriesread" && c.hasMore()) {
      args.entriesRead = c.nextInt();
      if (args.entriesRead < ENTRIES_READ_UNKNOWN) throw new CommandError(XGROUP_ENTRIES_READ);
    } else {
      throw new CommandError(subcommandSyntax(argv));
    }
  }
  args.stream = typed(ctx.db.writeObject<Stream>(arg(argv, 2), "stream"));
  if (!args.mkstream) {
    if (args.stream === undefined) throw new CommandError(XGROUP_KEY_MISSING);
    args.group = args.stream.groups.get(arg(argv, 3));
    if (args.group === undefined && needsGroup) {
      throw new CommandError(noGroupForKey(arg(argv, 3), arg(argv, 2)));
    }
  }
  return args;
}

function xgroupCreate(ctx: CommandContext, argv: string[]): void {
  const args = groupPrologue(ctx, argv, false);
  if (argv.length > 8) throw new CommandError(subcommandSyntax(argv));
  const id = argv[4] === "$" ? args.stream?.lastId ?? ID_MIN : strictId(arg(argv, 4));
  let s = args.stream;
  if (s === undefined) {
    s = new Stream();
    ctx.db.set(arg(argv, 2), s);
  }
  if (s.groups.has(arg(argv, 3))) throw new CommandError(BUSYGROUP);
  s.addGroup(new ConsumerGroup(arg(argv, 3), id, args.entriesRead));
  ctx.keyChanged(arg(argv, 2), NotifyClass.Stream, "xgroup-create");
  ctx.out.ok();
}

function xgroupSetId(ctx: CommandContext, argv: string[]): void {
  const { stream, group, entriesRead } = groupPrologue(ctx, argv, true);
  if (argv.length !== 5 && argv.length !== 7) throw new CommandError(subcommandSyntax(argv));
  group!.lastId = argv[4] === "$" ? stream!.lastId : rangeId(arg(argv, 4), 0n);
  group!.entriesRead = entriesRead;
  ctx.keyChanged(arg(argv, 2), NotifyClass.Stream, "xgroup-setid");
  ctx.out.ok();
}

function xgroupDestroy(ctx: CommandContext, argv: string[]): void {
  const { stream, group } = groupPrologue(ctx, argv, false);
  if (group === undefined) return ctx.out.int(0);
  stream!.deleteGroup(arg(argv, 3));
  ctx.keyChanged(arg(argv, 2), NotifyClass.Stream, "xgroup-destroy");
  ctx.out.int(1);
}

function xgroupCreateConsumer(ctx: CommandContext, argv: string[]): void {
  const { group } = groupPrologue(ctx, argv, true);
  const { created } = group!.consumer(arg(argv, 4), Date.now());
  if (created) ctx.keyChanged(arg(argv, 2), NotifyClass.Stream, "xgroup-createconsumer");
  ctx.out.int(created ? 1 : 0);
}

function xgroupDelConsumer(ctx: CommandContext, argv: string[]): void {
  const { group } = groupPrologue(ctx, argv, true);
  if (!group!.consumers.has(arg(argv, 4))) return ctx.out.int(0);
  const pending = group!.deleteConsumer(arg(argv, 4));
  ctx.keyChanged(arg(argv, 2), NotifyClass.Stream, "xgroup-delconsumer");
  ctx.out.int(pending);
}

// ---- XACK, XPENDING ----------------------------------------------------------------

/** The group named argv[2] of the stream at argv[1], for a read. */
function lookupGroup(ctx: CommandContext, argv: string[]): [Stream, ConsumerGroup] | undefined {
  const s = readStream(ctx, arg(argv, 1));
  const group = s?.groups.get(arg(argv, 2));
  return s === undefined || group === undefined ? undefined : [s, group];
}

function xack(ctx: CommandContext, argv: string[]): void {
  const found = lookupGroup(ctx, argv);
  if (found === undefined) return ctx.out.int(0);
  let acked = 0;
  if (argv.length === 4) {
    // One ID, the usual call: no arrays.
    if (found[1].ack(strictId(argv[3]!))) acked++;
  } else {
    // Every ID is checked before any is acknowledged, as Redis does.
    const ids = argv.slice(3).map((arg) => strictId(arg));
    for (const id of ids) if (found[1].ack(id)) acked++;
  }
  ctx.server.dirty += acked;
  ctx.out.int(acked);
}

function xpending(ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) throw new CommandError(SYNTAX);
  let minIdle = 0;
  let start = ID_MIN;
  let end = ID_MAX;
  let count = 0;
  let consumerName: string | undefined;
  if (argv.length >= 6) {
    let at = 3;
    if (arg(argv, 3).toLowerCase() === "idle") {
      minIdle = intArg(arg(argv, 4));
      if (argv.length < 8) throw new CommandError(SYNTAX);
      at = 5;
    }
    count = Math.max(0, intArg(arg(argv, at + 2)));
    start = intervalStart(arg(argv, at));
    end = intervalEnd(arg(argv, at + 1));
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const found = lookupGroup(ctx, argv);
  if (found === undefined) throw new CommandError(noKeyOrGroup(arg(argv, 1), arg(argv, 2)));
  const group = found[1];
  if (argv.length === 3) return pendingSummary(ctx, group);
  let pel = group.pel;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) return ctx.out.array(0);
    pel = consumer.pel;
  }
  const now = Date.now();
  const rows: [StreamId, Nack][] = [];
  if (count > 0) {
    for (const row of pel.range(start, end)) {
      if (minIdle && now - row[1].deliveryTime < minIdle) continue;
      rows.push(row);
      if (rows.length >= count) break;
    }
  }
  const out = ctx.out;
  out.array(rows.length);
  for (const [id, nack] of rows) {
    out.array(4);
    out.bulk(formatId(id));
    out.bulk(nack.consumer.name);
    out.int(Math.max(0, now - nack.deliveryTime));
    out.int(nack.deliveryCount);
  }
}

function pendingSummary(ctx: CommandContext, group: ConsumerGroup): void {
  const out = ctx.out;
  out.array(4);
  out.int(group.pel.size);
  if (group.pel.size === 0) {
    out.nil();
    out.nil();
    out.nilArray();
    return;
  }
  // The PEL is not empty: its first and last entries exist.
  out.bulk(formatId(group.pel.first()));
  out.bulk(formatId(group.pel.last()));
  const owners = sortedNames(group.consumers).filter((n) => group.consumers.get(n)!.pel.size > 0);
  out.array(owners.length);
  for (const name of owners) {
    out.array(2);
    out.bulk(name);
    out.bulk(String(group.consumers.get(name)!.pel.size));
  }
}

// ---- XCLAIM, XAUTOCLAIM ---------------------------------------------------------------

interface ClaimOptions {
  deliveryTime: number;
  retryCount: number;
  force: boolean;
  justId: boolean;
  lastId: StreamId;
}

/** XCLAIM's IDs (until the first that does not parse) and options. */
function parseClaim(argv: string[], now: number): { ids: StreamId[]; options: ClaimOptions } {
  const ids: StreamId[] = [];
  const c = new ArgCursor(argv, 5);
  while (c.hasMore()) {
    const parsed = parseId(c.next(), { missingSeq: 0n });
    if (parsed === undefined) {
      c.index--;
      break;
    }
    ids.push(parsed.id);
  }
  const options: ClaimOptions = {
    deliveryTime: -1,
    retryCount: -1,
    force: false,
    justId: false,
    lastId: ID_MIN,
  };
  while (c.hasMore()) {
    const word = c.next();
    const opt = word.toLowerCase();
    const more = c.remaining;
    if (opt === "force") options.force = true;
    else if (opt === "justid") options.justId = true;
    else if (opt === "idle" && more > 0) options.deliveryTime = now - c.nextInt(XCLAIM_IDLE);
    else if (opt === "time" && more > 0) options.deliveryTime = c.nextInt(XCLAIM_TIME);
    else if (opt === "retrycount" && more > 0) options.retryCount = c.nextInt(XCLAIM_RETRYCOUNT);
    else if (opt === "lastid" && more > 0) options.lastId = strictId(c.next());
    else throw new CommandError(xclaimUnknownOption(word));
  }
  if (options.deliveryTime < 0 || options.deliveryTime > now) options.deliveryTime = now;
  return { ids, options };
}

function xclaim(ctx: CommandContext, argv: string[]): void {
  const found = lookupGroup(ctx, argv);
  if (found === undefined) throw new CommandError(noKeyOrGroup(arg(argv, 1), arg(argv, 2)));
  const [s, group] = found;
  const minIdle = Math.max(0, intArg(arg(argv, 4), XCLAIM_MIN_IDLE));
  const now = Date.now();
  const { ids, options } = parseClaim(argv, now);
  const key = arg(argv, 1);
  const propagate: string[][] = [];
  let propagateLastId = false;
  if (options.lastId > group.lastId) {
    group.lastId = options.lastId;
    propagateLastId = true;
  }
  let consumer: Consumer | undefined;
  const claimed: StreamId[] = [];
  for (const id of ids) {
    let nack = group.pel.get(id);
    const entry = s.get(id);
    if (entry === undefined) {
      if (nack !== undefined) {
        propagate.push(xclaimArgv(key, group, id, nack));
        propagateLastId = false;
        ctx.server.dirty++;
        group.ack(id);
      }
      continue;
    }
    if (nack === undefined) {
      if (!options.force) continue;
      consumer ??= seenConsumer(ctx, key, group, arg(argv, 3), now).consumer;
      nack = { deliveryTime: now, deliveryCount: 1, consumer };
      group.pel.set(id, nack);
      consumer.pel.set(id, nack);
    } else {
      if (minIdle && now - nack.deliveryTime < minIdle) continue;
      consumer ??= seenConsumer(ctx, key, group, arg(argv, 3), now).consumer;
      group.transfer(id, nack, consumer);
    }
    nack.deliveryTime = options.deliveryTime;
    if (options.retryCount >= 0) nack.deliveryCount = options.retryCount;
    else if (!options.justId) nack.deliveryCount++;
    claimed.push(id);
    propagate.push(xclaimArgv(key, group, id, nack));
    propagateLastId = false;
    ctx.server.dirty++;
  }
  if (propagateLastId) {
    propagate.push(setIdArgv(key, group));
    ctx.server.dirty++;
  }
  ctx.propagateAs = propagate;
  ctx.out.array(claimed.length);
  for (const id of claimed) {
    if (options.justId) ctx.out.bulk(formatId(id));
    else writeEntry(ctx.out, s.get(id)!);
  }
}

function xautoclaim(ctx: CommandContext, argv: string[]): void {
  const minIdle = Math.max(0, intArg(arg(argv, 4), XAUTOCLAIM_MIN_IDLE));
  const start = intervalStart(arg(argv, 5));
  let count = 100;
  let justId = false;
  const args = new ArgCursor(argv, 6);
  while (args.hasMore()) {
    const opt = args.nextOption();
    if (opt === "count" && args.hasMore()) {
      count = args.nextInt(XAUTOCLAIM_COUNT);
      if (count < 1 || count > MAX_AUTOCLAIM_COUNT) {
        throw new CommandError(XAUTOCLAIM_COUNT);
      }
    } else if (opt === "justid") {
      justId = true;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const found = lookupGroup(ctx, argv);
  if (found === undefined) throw new CommandError(noKeyOrGroup(arg(argv, 1), arg(argv, 2)));
  const [s, group] = found;
  const key = arg(argv, 1);
  const now = Date.now();
  const propagate: string[][] = [];
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  let consumer: Consumer | undefined;
  let attempts = count * 10;
  let cursor = start;
  let next: StreamId = ID_MIN;
  for (;;) {
    const row = group.pel.range(cursor, ID_MAX, 1)[0];
    if (row === undefined) break;
    const [id, nack] = row;
    if (attempts-- === 0 || count === 0) {
      next = id;
      break;
    }
    cursor = id + 1n;
    if (s.get(id) === undefined) {
      propagate.push(xclaimArgv(key, group, id, nack));
      ctx.server.dirty++;
      group.ack(id);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= seenConsumer(ctx, key, group, arg(argv, 3), now).consumer;
    group.transfer(id, nack, consumer);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    claimed.push(id);
    count--;
    propagate.push(xclaimArgv(key, group, id, nack));
    ctx.server.dirty++;
  }
  ctx.propagateAs = propagate;
  const out = ctx.out;
  out.array(3);
  out.bulk(formatId(next));
  out.array(claimed.length);
  for (const id of claimed) {
    if (justId) out.bulk(formatId(id));
    else writeEntry(out, s.get(id)!);
  }
  out.array(deleted.length);
  for (const id of deleted) out.bulk(formatId(id));
}

// ---- the table -----------------------------------------------------------------

const stream = { group: "stream" } as const;
const xgroupSub = { ...stream, keys: [2, 2, 1] } as const;

export const streamGroupCommands: CommandSpec[] = [
  {
    ...stream,
    name: "xgroup",
    arity: -2,
    flags: [],
    since: "5.0.0",
    summary: "A container for consumer groups commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...xgroupSub,
        name: "create",
        keySpecs: [keyRange(["RW", "insert"], 2)],
        arity: -5,
        flags: ["write", "denyoom"],
        since: "5.0.0",
        summary: "Creates a consumer group.",
        syntax: "key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]",
        complexity: "O(1)",
        handler: xgroupCreate,
      },
      {
        ...xgroupSub,
        name: "createconsumer",
        keySpecs: [keyRange(["RW", "insert"], 2)],
        arity: 5,
        flags: ["write", "denyoom"],
        since: "6.2.0",
        summary: "Creates a consumer in a consumer group.",
        syntax: "key group consumer",
        complexity: "O(1)",
        handler: xgroupCreateConsumer,
      },
      {
        ...xgroupSub,
        name: "delconsumer",
        keySpecs: [keyRange(DELETED_KEY, 2)],
        arity: 5,
        flags: ["write"],
        since: "5.0.0",
        summary: "Deletes a consumer from a consumer group.",
        syntax: "key group consumer",
        complexity: "O(1)",
        handler: xgroupDelConsumer,
      },
      {
        ...xgroupSub,
        name: "destroy",
        keySpecs: [keyRange(DELETED_KEY, 2)],
        arity: 4,
        flags: ["write"],
        since: "5.0.0",
        summary: "Destroys a consumer group.",
        syntax: "key group",
        complexity:
          "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        handler: xgroupDestroy,
      },
      {
        ...xgroupSub,
        name: "setid",
        arity: -5,
        flags: ["write"],
        since: "5.0.0",
        summary: "Sets the last-delivered ID of a consumer group.",
        syntax: "key group <id | $> [ENTRIESREAD entries-read]",
        complexity: "O(1)",
        handler: xgroupSetId,
      },
      helpRow(XGROUP_HELP, {
        ...stream,
        since: "5.0.0",
        summary: HELP_SUMMARY,
        complexity: "O(1)",
      }),
    ],
  },
  {
    ...stream,
    name: "xack",
    arity: -4,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary:
      "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.",
    syntax: "key group id [id ...]",
    complexity: "O(1) for each message ID processed.",
    handler: xack,
  },
  {
    ...stream,
    name: "xpending",
    tips: ["nondeterministic_output"],
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary:
      "Returns the information and entries from a stream consumer group's pending entries list.",
    syntax: "key group [[IDLE min-idle-time] start end count [consumer]]",
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    handler: xpending,
  },
  {
    ...stream,
    name: "xclaim",
    tips: ["nondeterministic_output"],
    arity: -6,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary:
      "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.",
    syntax:
      "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    handler: xclaim,
  },
  {
    ...stream,
    name: "xautoclaim",
    keySpecs: [keyRange(DELETED_KEY, 1)],
    tips: ["nondeterministic_output"],
    arity: -6,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    since: "6.2.0",
    summary:
      "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.",
    syntax: "key group consumer min-idle-time start [COUNT count] [JUSTID]",
    complexity: "O(1) if COUNT is small.",
    handler: xautoclaim,
  },
];
