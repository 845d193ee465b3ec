/**
 * XREAD and XREADGROUP (Redis 7.0's xreadCommand and the stream half of
 * blocked.c): served at once when any stream has entries past the requested
 * ID, else, with BLOCK, parked on the blocking registry until a write makes
 * a key ready. XREADGROUP records deliveries in the group's PEL and
 * propagates them as XCLAIM ... FORCE JUSTID LASTID (the command itself is
 * never propagated).
 */
import { arg, ArgCursor } from "../args.ts";
import { blockingKey } from "../blocking.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { typed } from "../db.ts";
import {
  blockFromScript,
  CommandError,
  noGroupForRead,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  XREAD_GREATER_ID,
  XREAD_GROUP_OPTION,
  XREAD_NOACK_OPTION,
  XREAD_TIMEOUT_NOT_INTEGER,
  XREAD_UNBALANCED,
  XREADGROUP_DOLLAR,
  XREADGROUP_GROUP_GONE,
  XREADGROUP_KEY_GONE,
  XREADGROUP_MISSING_GROUP,
} from "../errors.ts";
import type { Stream, StreamEntry } from "../types/stream.ts";
import type { Consumer, ConsumerGroup } from "../types/stream_groups.ts";
import { formatId, ID_MAX, ID_MIN, nextId, type StreamId } from "../types/stream_id.ts";
import { seenConsumer, setIdArgv, strictId, writeEntry, xclaimArgv } from "./stream_args.ts";

/** Without COUNT, a blocked reader is served at most this many entries (as Redis). */
const BLOCKED_DEFAULT_COUNT = 1000;

interface ReadArgs {
  /** Absolute deadline in ms (0: forever); undefined without BLOCK. */
  deadline: number | undefined;
  count: number;
  noack: boolean;
  group: string | undefined;
  consumer: string;
  keys: string[];
  idArgs: string[];
}

function parseReadArgs(argv: string[], readGroup: boolean, fromScript: boolean): ReadArgs {
  const args: ReadArgs = {
    deadline: undefined,
    count: 0,
    noack: false,
    group: undefined,
    consumer: "",
    keys: [],
    idArgs: [],
  };
  let streamsAt = 0;
  const c = new ArgCursor(argv);
  while (c.hasMore()) {
    const opt = c.nextOption();
    const more = c.remaining;
    if (opt === "block" && more > 0) {
      if (fromScript) throw new CommandError(blockFromScript(arg(argv, 0)));
      const ms = c.nextInt(XREAD_TIMEOUT_NOT_INTEGER);
      if (ms < 0) throw new CommandError(TIMEOUT_NEGATIVE);
      args.deadline = ms === 0 ? 0 : Date.now() + ms;
    } else if (opt === "count" && more > 0) {
      args.count = Math.max(0, c.nextInt());
    } else if (opt === "streams" && more > 0) {
      streamsAt = c.index;
      const n = argv.length - streamsAt;
      if (n % 2 !== 0) throw new CommandError(XREAD_UNBALANCED);
      args.keys = argv.slice(streamsAt, streamsAt + n / 2);
      args.idArgs = argv.slice(streamsAt + n / 2);
      break;
    } else if (opt === "group" && more >= 2) {
      if (!readGroup) throw new CommandError(XREAD_GROUP_OPTION);
      args.group = c.next();
      args.consumer = c.next();
    } else if (opt === "noack") {
      if (!readGroup) throw new CommandError(XREAD_NOACK_OPTION);
      args.noack = true;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (streamsAt === 0) throw new CommandError(SYNTAX);
  if (readGroup && args.group === undefined) throw new CommandError(XREADGROUP_MISSING_GROUP);
  return args;
}

/** One stream to read: where from, and (XREADGROUP) which group. */
interface Target {
  key: string;
  stream: Stream | undefined;
  group: ConsumerGroup | undefined;
  /** Entries must be after this ID. */
  after: StreamId;
  /** XREADGROUP with `>`: new entries only. */
  newOnly: boolean;
}

function resolveTargets(ctx: CommandContext, args: ReadArgs): Target[] {
  const targets: Target[] = [];
  // XREAD checked there are as many ids as keys.
  for (const [i, key] of args.keys.entries()) {
    const idArg = args.idArgs[i]!;
    const stream = typed(ctx.db.readObject<Stream>(key, "stream"));
    let group: ConsumerGroup | undefined;
    if (args.group !== undefined) {
      group = stream?.groups.get(args.group);
      if (group === undefined) throw new CommandError(noGroupForRead(key, args.group));
    }
    if (idArg === "$") {
      if (args.group !== undefined) throw new CommandError(XREADGROUP_DOLLAR);
      targets.push({ key, stream, group, after: stream?.lastId ?? ID_MIN, newOnly: false });
    } else if (idArg === ">") {
      if (args.group === undefined) throw new CommandError(XREAD_GREATER_ID);
      targets.push({ key, stream, group, after: ID_MAX, newOnly: true });
    } else {
      targets.push({ key, stream, group, after: strictId(idArg), newOnly: false });
    }
  }
  return targets;
}

/** An entry served from a consumer's history whose entry was deleted has null fields. */
type Served = StreamEntry | { id: StreamId; pairs: null };

/** What one read delivers, and the commands that record it for the AOF. */
/** A group read: who reads and whether deliveries are acknowledged up front. */
interface GroupReader {
  group: ConsumerGroup;
  consumer: Consumer;
  noack: boolean;
}

/** The reading consumer; under NOACK a new one is propagated, as no XCLAIM will make it. */
function consumerFor(
  ctx: CommandContext,
  key: string,
  group: ConsumerGroup,
  name: string,
  now: number,
  noack: boolean,
  propagate: string[][],
): Consumer {
  const { consumer, created } = seenConsumer(ctx, key, group, name, now);
  if (created && noack) propagate.push(["XGROUP", "CREATECONSUMER", key, group.name, name]);
  return consumer;
}

/**
 * Serves entries after `after` (new ones, for a group: PEL entries and group
 * position). What the read changes goes to `propagate` (XCLAIMs, XGROUP
 * SETID), unless it is undefined: nothing records writes, so none are built.
 */
function readNew(
  s: Stream,
  key: string,
  after: StreamId,
  count: number,
  reader: GroupReader | undefined,
  now: number,
  propagate: string[][] | undefined,
): Served[] {
  const entries: Served[] = [];
  const start = nextId(after);
  if (start === undefined) return entries;
  let moved = false;
  // Every entry of one read is delivered at `now`: its XCLAIMs share the text.
  const nowText = String(now);
  for (const entry of s.range(start, ID_MAX)) {
    if (reader !== undefined) {
      const group = reader.group;
      if (entry.id > group.lastId) {
        s.advanceGroup(group, entry.id);
        moved = true;
      }
      if (!reader.noack) {
        const nack = group.deliver(entry.id, reader.consumer, now);
        if (propagate !== undefined) {
          entry.text ??= formatId(entry.id);
          propagate.push(xclaimArgv(key, group, entry.id, nack, entry.text, nowText));
        }
      }
    }
    entries.push(entry);
    if (count > 0 && entries.length >= count) break;
  }
  if (reader?.noack && moved) propagate?.push(setIdArgv(key, reader.group));
  return entries;
}

/** Serves a consumer's own pending entries after `after` (XREADGROUP with an ID). */
function readHistory(
  s: Stream,
  consumer: Consumer,
  after: StreamId,
  count: number,
  now: number,
): Served[] {
  const start = nextId(after);
  if (start === undefined) return [];
  const out: Served[] = [];
  for (const [id, nack] of consumer.pel.range(start, ID_MAX, count > 0 ? count : Infinity)) {
    const entry = s.get(id);
    if (entry === undefined) {
      out.push({ id, pairs: null });
      continue;
    }
    nack.deliveryTime = now;
    nack.deliveryCount++;
    out.push(entry);
  }
  return out;
}

function writeServed(ctx: CommandContext, served: readonly Served[]): void {
  ctx.out.array(served.length);
  for (const entry of served) {
    if (entry.pairs !== null) {
      writeEntry(ctx.out, entry);
    } else {
      ctx.out.array(2);
      ctx.out.bulk(formatId(entry.id));
      ctx.out.nilArray();
    }
  }
}

/** [[key, entries], ...] in RESP2, {key: entries, ...} in RESP3 and native. */
function writeReply(ctx: CommandContext, results: readonly [string, Served[]][]): void {
  const pairs = ctx.protocol === 2;
  if (pairs) ctx.out.array(results.length);
  else ctx.out.map(results.length);
  for (const [key, served] of results) {
    if (pairs) ctx.out.array(2);
    ctx.out.bulk(key);
    writeServed(ctx, served);
  }
}

function xread(ctx: CommandContext, argv: string[], readGroup: boolean): void {
  const args = parseReadArgs(argv, readGroup, ctx.client.fromScript);
  const targets = resolveTargets(ctx, args);
  const now = Date.now();
  const results: [string, Served[]][] = [];
  const propagate: string[][] = [];
  // XCLAIMs are built only for a reader of a group, and only if anything records them.
  const recorded = readGroup && ctx.server.recordsWrites() ? propagate : undefined;
  for (const t of targets) {
    const s = t.stream;
    if (s === undefined) continue;
    let after = t.after;
    if (t.group !== undefined && t.newOnly) {
      if (s.length === 0 || s.lastLiveId() <= t.group.lastId) continue;
      after = t.group.lastId;
    } else if (t.group === undefined && (s.length === 0 || s.lastLiveId() <= after)) {
      continue;
    }
    let consumer: Consumer | undefined;
    if (t.group !== undefined) {
      consumer = consumerFor(ctx, t.key, t.group, args.consumer, now, args.noack, propagate);
      ctx.server.dirty++;
    }
    if (t.group !== undefined && !t.newOnly) {
      results.push([t.key, readHistory(s, consumer!, after, args.count, now)]);
      continue;
    }
    const reader = t.group === undefined
      ? undefined
      : { group: t.group, consumer: consumer!, noack: args.noack };
    results.push([t.key, readNew(s, t.key, after, args.count, reader, now, recorded)]);
  }
  if (readGroup) ctx.propagateAs = propagate;
  if (results.length > 0) return writeReply(ctx, results);
  if (args.deadline === undefined || ctx.inExec) return ctx.out.nilArray();
  block(ctx, args, targets);
}

/** Parks the reader until a key it waits on gets entries past its position. */
function block(ctx: CommandContext, args: ReadArgs, targets: Target[]): void {
  const db = ctx.db;
  const byWaitKey = new Map<string, Target>();
  for (const t of targets) {
    const waitKey = blockingKey(db.index, t.key);
    if (!byWaitKey.has(waitKey)) byWaitKey.set(waitKey, t);
  }
  const count = args.count > 0 ? args.count : BLOCKED_DEFAULT_COUNT;
  ctx.server.blocking.block(ctx.client, {
    keys: [...byWaitKey.keys()],
    deadline: args.deadline!,
    tryServe(readyKey) {
      const t = byWaitKey.get(readyKey)!;
      const value = db.peek(t.key);
      const isStream = value !== undefined && typeof value !== "string" && value.type === "stream";
      if (!isStream) {
        if (args.group === undefined) return false;
        return unblockWithError(ctx, XREADGROUP_KEY_GONE);
      }
      const s = value as Stream;
      let after = t.after;
      let group: ConsumerGroup | undefined;
      if (args.group !== undefined) {
        group = s.groups.get(args.group);
        if (group === undefined) return unblockWithError(ctx, XREADGROUP_GROUP_GONE);
        after = group.lastId;
      }
      if (s.lastId <= after) return false;
      const now = Date.now();
      const propagate: string[][] = [];
      const consumer = group === undefined
        ? undefined
        : consumerFor(ctx, t.key, group, args.consumer, now, args.noack, propagate);
      const reader = group === undefined
        ? undefined
        : { group, consumer: consumer!, noack: args.noack };
      writeReply(ctx, [[t.key, readNew(s, t.key, after, count, reader, now, propagate)]]);
      for (const command of propagate) ctx.server.propagate(db.index, command);
      if (group !== undefined) ctx.server.dirty++;
      return true;
    },
    onTimeout() {
      ctx.out.nilArray();
    },
  });
}

/** Ends a wait with an error reply, counted in INFO errorstats and commandstats as Redis counts it. */
function unblockWithError(ctx: CommandContext, message: string): true {
  ctx.server.stats.countError(message);
  const command = ctx.server.commands.lookup("xreadgroup");
  if (command !== undefined) command.failedCalls++;
  ctx.out.error(message);
  return true;
}

const streamsKeySpec = (flags: readonly string[], from: number) => ({
  flags,
  begin: { keyword: "STREAMS", from },
  find: { range: { lastkey: -1, step: 1, limit: 2 } },
});

export const streamReadCommands: CommandSpec[] = [
  {
    name: "xread",
    arity: -4,
    flags: ["readonly", "blocking", "movablekeys"],
    keySpecs: [streamsKeySpec(["RO", "access"], 1)],
    group: "stream",
    since: "5.0.0",
    summary:
      "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.",
    syntax: "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
    handler: (ctx, argv) => xread(ctx, argv, false),
  },
  {
    name: "xreadgroup",
    arity: -7,
    flags: ["write", "blocking", "movablekeys"],
    // RO as in Redis 7.0, though the group changes: snapshots copy every
    // key of a write command whose specs mark none written (write_keys.ts).
    keySpecs: [streamsKeySpec(["RO", "access"], 4)],
    group: "stream",
    since: "5.0.0",
    summary:
      "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.",
    syntax:
      "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
    handler: (ctx, argv) => xread(ctx, argv, true),
  },
];
