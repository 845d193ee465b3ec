/**
 * Stream commands without consumer groups (Redis 7.0's t_stream.c): XADD,
 * XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID and XINFO, over
 * server/types/stream.ts. XREAD and XREADGROUP are in stream_reads.ts, group
 * commands in stream_cgroups.ts.
 */
import { arg, ArgCursor } from "../args.ts";
import { type HeldKey, takeKey, takesKeyBytes } from "../../protocol/bytes.ts";
import type { ReplyWriter } from "../../protocol/writer.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { keyRange } from "../key_specs.ts";
import {
  CommandError,
  NO_SUCH_KEY,
  noGroupForKey,
  subcommandSyntax,
  SYNTAX,
  wrongArity,
  WRONGTYPE,
  XADD_ID_EXHAUSTED,
  XADD_ID_TOO_SMALL,
  XADD_ID_ZERO,
  XADD_TOO_LARGE,
  XSETID_BELOW_MAX_DELETED,
  XSETID_BELOW_TOP,
  XSETID_ENTRIES_ADDED_NEGATIVE,
  XSETID_ENTRIES_ADDED_SMALL,
} from "../errors.ts";
import { WRONG_TYPE } from "../db.ts";
import { NotifyClass } from "../notify.ts";
import { type IdRequest, Stream } from "../types/stream.ts";
import { type ConsumerGroup, ENTRIES_READ_UNKNOWN, type Nack } from "../types/stream_groups.ts";
import { formatId, ID_MAX, ID_MIN, type StreamId } from "../types/stream_id.ts";
import { HELP_SUMMARY, helpRow } from "./help.ts";
import {
  type AddTrimArgs,
  collect,
  exactTrimArgv,
  intervalEnd,
  intervalStart,
  nodeLimits,
  parseAddTrimArgs,
  readStream,
  strictId,
  writeEntries,
  writeEntry,
  writeStream,
} from "./stream_args.ts";

const AUTO_ID: IdRequest = { kind: "auto" };
/** parseAddTrimArgs's answer for the usual `XADD key * ...`, without options. */
const PLAIN_AUTO: AddTrimArgs = Object.freeze({
  trim: undefined,
  trimArgIndex: 0,
  limitIndex: 0,
  noMkStream: false,
  idIndex: 2,
  id: undefined,
});

function xadd(ctx: CommandContext, argv: string[]): void {
  // The key may be the request's bytes (takesKeyBytes below): its string is made only if needed.
  const held = takeKey(argv, 1);
  const limits = nodeLimits(ctx);
  const args = argv[2] === "*"
    ? PLAIN_AUTO
    : parseAddTrimArgs(argv, true, limits, ctx.client.obeys);
  const fieldsAt = args.idIndex + 1;
  const pairCount = argv.length - fieldsAt;
  if (pairCount < 2 || pairCount % 2 === 1) throw new CommandError(wrongArity("xadd"));
  const given = args.id;
  if (given !== undefined && given.seqGiven && given.id === ID_MIN) {
    throw new CommandError(XADD_ID_ZERO);
  }
  const db = ctx.db;
  let s = held === undefined
    ? writeStream(ctx, arg(argv, 1), false)
    : db.getObjectAt<Stream>(held, "stream");
  if (s === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  // A new stream is stored once its entry is in: the key table accounts it
  // as it is, and keyChanged need not look the key up again to account it.
  const made = s === undefined;
  if (made && args.noMkStream) return ctx.out.nil();
  s ??= new Stream();
  if (s.exhausted()) throw new CommandError(XADD_ID_EXHAUSTED);
  const request: IdRequest = given === undefined
    ? AUTO_ID
    : given.seqGiven
    ? { kind: "explicit", id: given.id }
    : { kind: "partial", ms: given.id >> 64n };
  const failed = s.addFrom(argv, fieldsAt, request, Date.now(), limits);
  // Stored even when the entry failed: Redis's XADD creates the key first.
  if (made) db.set(held === undefined ? argv[1]! : held.string(), s);
  if (failed !== undefined) {
    throw new CommandError(failed === "order" ? XADD_ID_TOO_SMALL : XADD_TOO_LARGE);
  }
  const ms = s.lastMs;
  const seq = s.lastSeq;
  // Both NaN tests fail past 2^53.
  if (ms === ms && seq === seq) ctx.out.bulkId(ms, seq);
  else ctx.out.bulk(s.lastIdText());
  if (held === undefined) {
    ctx.server.keyChanged(db, argv[1]!, NotifyClass.Stream, "xadd", 1, made);
  } else {
    if (!made) db.reaccountAt(held, s);
    ctx.server.keyChangedAt(db, held, NotifyClass.Stream, "xadd", 1, true);
  }
  if (args.trim !== undefined || ctx.server.recordsWrites()) xaddAfter(ctx, argv, held, args, s);
}

/**
 * XADD's trimming and what it propagates: the concrete ID, formatted only
 * for a recorder (AOF, replicas, a script), and an exact trim for `~`.
 */
function xaddAfter(
  ctx: CommandContext,
  argv: string[],
  held: HeldKey | undefined,
  args: AddTrimArgs,
  s: Stream,
): void {
  // The key's string, also put in argv (the copies below keep it).
  const key = held === undefined ? argv[1]! : held.string();
  let propagated = argv;
  if ((args.id === undefined || !args.id.seqGiven) && ctx.server.recordsWrites()) {
    propagated = argv.slice();
    propagated[args.idIndex] = s.lastIdText();
  }
  if (args.trim !== undefined) {
    if (s.trim(args.trim) > 0) ctx.server.notify(NotifyClass.Stream, "xtrim", key, ctx.db.index);
    if (args.trim.approx) propagated = exactTrimArgv(propagated, args, s);
  }
  if (propagated !== argv) ctx.propagateAs = [propagated];
}

function xrange(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const start = intervalStart(arg(argv, reverse ? 3 : 2));
  const end = intervalEnd(arg(argv, reverse ? 2 : 3));
  let count = -1;
  const args = new ArgCursor(argv, 4);
  while (args.hasMore()) {
    if (args.nextOption() !== "count" || !args.hasMore()) throw new CommandError(SYNTAX);
    count = Math.max(0, args.nextInt());
  }
  const s = readStream(ctx, arg(argv, 1));
  if (s === undefined) return ctx.out.array(0);
  if (count === 0) return ctx.out.nilArray();
  writeEntries(ctx.out, collect(s, start, end, count === -1 ? 0 : count, reverse));
}

function xdel(ctx: CommandContext, argv: string[]): void {
  const s = writeStream(ctx, arg(argv, 1), false);
  if (s === undefined) return ctx.out.int(0);
  const ids = argv.slice(2).map((arg) => strictId(arg));
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted > 0) ctx.keyChanged(arg(argv, 1), NotifyClass.Stream, "xdel", deleted);
  ctx.out.int(deleted);
}

function xtrim(ctx: CommandContext, argv: string[]): void {
  const args = parseAddTrimArgs(argv, false, nodeLimits(ctx), ctx.client.obeys);
  const s = writeStream(ctx, arg(argv, 1), false);
  if (s === undefined) return ctx.out.int(0);
  const deleted = s.trim(args.trim!);
  if (deleted > 0) {
    ctx.keyChanged(arg(argv, 1), NotifyClass.Stream, "xtrim", deleted);
    if (args.trim!.approx) ctx.propagateAs = [exactTrimArgv(argv, args, s)];
  }
  ctx.out.int(deleted);
}

function xsetid(ctx: CommandContext, argv: string[]): void {
  const id = strictId(arg(argv, 2));
  let entriesAdded = -1;
  let maxDeleted = ID_MIN;
  const args = new ArgCursor(argv, 3);
  while (args.hasMore()) {
    const opt = args.nextOption();
    if (opt === "entriesadded" && args.hasMore()) {
      entriesAdded = args.nextInt();
      if (entriesAdded < 0) throw new CommandError(XSETID_ENTRIES_ADDED_NEGATIVE);
    } else if (opt === "maxdeletedid" && args.hasMore()) {
      maxDeleted = strictId(args.next());
      if (id < maxDeleted) throw new CommandError(XSETID_BELOW_MAX_DELETED);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const s = writeStream(ctx, arg(argv, 1), false);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  if (s.length > 0) {
    if (id < s.lastLiveId()) throw new CommandError(XSETID_BELOW_TOP);
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      throw new CommandError(XSETID_ENTRIES_ADDED_SMALL);
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted !== ID_MIN) s.maxDeletedId = maxDeleted;
  ctx.keyChanged(arg(argv, 1), NotifyClass.Stream, "xsetid");
  ctx.out.ok();
}

// ---- XINFO -------------------------------------------------------------------

const XINFO_HELP = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Prints this help.",
];

function existingStream(ctx: CommandContext, key: string): Stream {
  const s = readStream(ctx, key);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  return s;
}

/** Group names in rax (byte) order. */
export function sortedNames<V>(map: ReadonlyMap<string, V>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeEntriesRead(ctx: CommandContext, entriesRead: number): void {
  if (entriesRead === ENTRIES_READ_UNKNOWN) ctx.out.nil();
  else ctx.out.int(entriesRead);
}

function writeLag(ctx: CommandContext, lag: number | undefined): void {
  if (lag === undefined) ctx.out.nil();
  else ctx.out.int(lag);
}

/** The fields XINFO STREAM starts with, in both forms. */
function writeStreamHeader(ctx: CommandContext, s: Stream): void {
  const out = ctx.out;
  out.bulk("length");
  out.int(s.length);
  out.bulk("radix-tree-keys");
  out.int(s.nodes.length);
  out.bulk("radix-tree-nodes");
  out.int(s.radixTreeNodes());
  out.bulk("last-generated-id");
  out.bulk(formatId(s.lastId));
  out.bulk("max-deleted-entry-id");
  out.bulk(formatId(s.maxDeletedId));
  out.bulk("entries-added");
  out.int(s.entriesAdded);
  out.bulk("recorded-first-entry-id");
  out.bulk(formatId(s.firstId));
}

function xinfoStream(ctx: CommandContext, argv: string[]): void {
  // As in Redis, the key is looked up before the options are read.
  const s = existingStream(ctx, arg(argv, 2));
  const args = new ArgCursor(argv, 3);
  const full = args.hasMore();
  let count = 10;
  if (full) {
    if (args.remaining !== 1 && args.remaining !== 3) {
      throw new CommandError(subcommandSyntax(argv));
    }
    if (args.nextOption() !== "full") throw new CommandError(subcommandSyntax(argv));
    if (args.hasMore()) {
      if (args.nextOption() !== "count") throw new CommandError(subcommandSyntax(argv));
      count = args.nextInt();
      if (count < 0) count = 10;
    }
  }
  const out = ctx.out;
  if (!full) {
    out.map(10);
    writeStreamHeader(ctx, s);
    out.bulk("groups");
    out.int(s.groups.size);
    for (const [name, last] of [["first-entry", false], ["last-entry", true]] as const) {
      out.bulk(name);
      const entry = s.edge(last);
      if (entry === undefined) out.nil();
      else writeEntry(out, entry);
    }
    return;
  }
  out.map(9);
  writeStreamHeader(ctx, s);
  out.bulk("entries");
  writeEntries(out, collect(s, ID_MIN, ID_MAX, count));
  out.bulk("groups");
  writeNamed(out, s.groups, 6, (group) => writeGroupFull(ctx, s, group, count));
}

/**
 * XINFO's lists of groups and of consumers: by name, each a map of
 * `fields` more fields after its name, which `write` writes.
 */
function writeNamed<T>(
  out: ReplyWriter,
  items: ReadonlyMap<string, T>,
  fields: number,
  write: (item: T) => void,
): void {
  out.array(items.size);
  for (const name of sortedNames(items)) {
    out.map(fields + 1);
    out.bulk("name");
    out.bulk(name);
    write(items.get(name)!);
  }
}

function writeGroupFull(ctx: CommandContext, s: Stream, group: ConsumerGroup, count: number): void {
  const out = ctx.out;
  const limit = count === 0 ? Infinity : count;
  out.bulk("last-delivered-id");
  out.bulk(formatId(group.lastId));
  out.bulk("entries-read");
  writeEntriesRead(ctx, group.entriesRead);
  out.bulk("lag");
  writeLag(ctx, s.lag(group));
  out.bulk("pel-count");
  out.int(group.pel.size);
  out.bulk("pending");
  writePel(out, group.pel.range(ID_MIN, ID_MAX, limit), true);
  out.bulk("consumers");
  writeNamed(out, group.consumers, 3, (consumer) => {
    out.bulk("seen-time");
    out.int(consumer.seenTime);
    out.bulk("pel-count");
    out.int(consumer.pel.size);
    out.bulk("pending");
    writePel(out, consumer.pel.range(ID_MIN, ID_MAX, limit), false);
  });
}

/** Pending entries in XINFO STREAM FULL: ID, the owner (in a group's list), delivery time and count. */
function writePel(out: ReplyWriter, rows: readonly [StreamId, Nack][], withOwner: boolean): void {
  out.array(rows.length);
  for (const [id, nack] of rows) {
    out.array(withOwner ? 4 : 3);
    out.bulk(formatId(id));
    if (withOwner) out.bulk(nack.consumer.name);
    out.int(nack.deliveryTime);
    out.int(nack.deliveryCount);
  }
}

function xinfoGroups(ctx: CommandContext, argv: string[]): void {
  const s = existingStream(ctx, arg(argv, 2));
  const out = ctx.out;
  writeNamed(out, s.groups, 5, (group) => {
    out.bulk("consumers");
    out.int(group.consumers.size);
    out.bulk("pending");
    out.int(group.pel.size);
    out.bulk("last-delivered-id");
    out.bulk(formatId(group.lastId));
    out.bulk("entries-read");
    writeEntriesRead(ctx, group.entriesRead);
    out.bulk("lag");
    writeLag(ctx, s.lag(group));
  });
}

function xinfoConsumers(ctx: CommandContext, argv: string[]): void {
  const s = existingStream(ctx, arg(argv, 2));
  const group = s.groups.get(arg(argv, 3));
  if (group === undefined) throw new CommandError(noGroupForKey(arg(argv, 3), arg(argv, 2)));
  const now = Date.now();
  const out = ctx.out;
  writeNamed(out, group.consumers, 2, (consumer) => {
    out.bulk("pending");
    out.int(consumer.pel.size);
    out.bulk("idle");
    out.int(Math.max(0, now - consumer.seenTime));
  });
}

// ---- the table -----------------------------------------------------------------

const stream = { group: "stream" } as const;
/** Redis's flags for a stream key whose entries a command removes. */
export const DELETED_KEY = ["RW", "delete"] as const;
const xinfoSub = { ...stream, flags: ["readonly"], keys: [2, 2, 1] } as const;

export const streamCommands: CommandSpec[] = [
  {
    ...stream,
    name: "xadd",
    tips: ["nondeterministic_output"],
    arity: -5,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Appends a new message to a stream. Creates the key if it doesn't exist.",
    syntax:
      "key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]",
    complexity:
      "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    handler: xadd,
  },
  {
    ...stream,
    name: "xrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Returns the messages from a stream within a range of IDs.",
    syntax: "key start end [COUNT count]",
    complexity:
      "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: (ctx, argv) => xrange(ctx, argv, false),
  },
  {
    ...stream,
    name: "xrevrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Returns the messages from a stream within a range of IDs in reverse order.",
    syntax: "key end start [COUNT count]",
    complexity:
      "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: (ctx, argv) => xrange(ctx, argv, true),
  },
  {
    ...stream,
    name: "xlen",
    keySpecs: [keyRange(["RO"], 1)],
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Return the number of messages in a stream.",
    syntax: "key",
    complexity: "O(1)",
    handler: (ctx, argv) => ctx.out.int(readStream(ctx, arg(argv, 1))?.length ?? 0),
  },
  {
    ...stream,
    name: "xdel",
    keySpecs: [keyRange(DELETED_KEY, 1)],
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Returns the number of messages after removing them from a stream.",
    syntax: "key id [id ...]",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    handler: xdel,
  },
  {
    ...stream,
    name: "xtrim",
    keySpecs: [keyRange(DELETED_KEY, 1)],
    tips: ["nondeterministic_output"],
    arity: -4,
    flags: ["write"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "Deletes messages from the beginning of a stream.",
    syntax: "key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]",
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    handler: xtrim,
  },
  {
    ...stream,
    name: "xsetid",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    since: "5.0.0",
    summary: "An internal command for replicating stream values.",
    syntax: "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
    complexity: "O(1)",
    handler: xsetid,
  },
  {
    ...stream,
    name: "xinfo",
    arity: -2,
    flags: [],
    since: "5.0.0",
    summary: "A container for stream introspection commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        ...xinfoSub,
        name: "consumers",
        tips: ["nondeterministic_output"],
        arity: 4,
        since: "5.0.0",
        summary: "Returns a list of the consumers in a consumer group.",
        syntax: "key group",
        complexity: "O(1)",
        handler: xinfoConsumers,
      },
      {
        ...xinfoSub,
        name: "groups",
        arity: 3,
        since: "5.0.0",
        summary: "Returns a list of the consumer groups of a stream.",
        syntax: "key",
        complexity: "O(1)",
        handler: xinfoGroups,
      },
      {
        ...xinfoSub,
        name: "stream",
        arity: -3,
        since: "5.0.0",
        summary: "Returns information about a stream.",
        syntax: "key [FULL [COUNT count]]",
        complexity: "O(1)",
        handler: xinfoStream,
      },
      helpRow(XINFO_HELP, { ...stream, since: "5.0.0", summary: HELP_SUMMARY, complexity: "O(1)" }),
    ],
  },
];

// XADD takes its key as the request's bytes in these forms (protocol/bytes.ts, keys left as
// bytes): every argument count it accepts up to 31 (takesKeyBytes's most).
for (let count = 5; count <= 31; count++) takesKeyBytes("xadd", count);
