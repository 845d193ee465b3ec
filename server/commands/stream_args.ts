/**
 * What the stream command modules share: key lookups, ID and trim-option
 * parsing with Redis 7.0's errors, entry replies, and the commands Redis
 * propagates for consumer-group state (XCLAIM ... FORCE JUSTID LASTID,
 * XGROUP SETID ... ENTRIESREAD).
 */
import type { ReplyWriter } from "../../protocol/writer.ts";
import { ArgCursor } from "../args.ts";
import type { Config } from "../config.ts";
import type { CommandContext } from "../context.ts";
import { typed } from "../db.ts";
import {
  CommandError,
  INTERVAL_END_INVALID,
  INTERVAL_START_INVALID,
  STREAM_ID_INVALID,
  SYNTAX,
  TRIM_LIMIT_NEGATIVE,
  TRIM_LIMIT_WITHOUT_APPROX,
  TRIM_LIMIT_WITHOUT_STRATEGY,
  TRIM_MAXLEN_AND_MINID,
  TRIM_MAXLEN_NEGATIVE,
  XTRIM_WITHOUT_STRATEGY,
} from "../errors.ts";
import { type NodeLimits, Stream, type StreamEntry, type TrimSpec } from "../types/stream.ts";
import type { Consumer, ConsumerGroup, Nack } from "../types/stream_groups.ts";
import { NotifyClass } from "../notify.ts";
import {
  formatId,
  nextId,
  type ParsedId,
  parseId,
  previousId,
  SEQ_MAX,
  type StreamId,
} from "../types/stream_id.ts";

/** The stream at `key` for a read (counted as hit or miss); WRONGTYPE for other types. */
export function readStream(ctx: CommandContext, key: string): Stream | undefined {
  return typed(ctx.db.readObject<Stream>(key, "stream"));
}

/** One maker for every XADD, not a closure per call. */
const newStream = () => new Stream();

/** The stream at `key` for a write, created empty when `create` is set. */
export function writeStream(ctx: CommandContext, key: string, create: boolean): Stream | undefined {
  return typed(
    create
      ? ctx.db.writeObject<Stream>(key, "stream", newStream)
      : ctx.db.writeObject<Stream>(key, "stream"),
  );
}

/** The live cells of the last config nodeLimits read (one server per process, but tests make more). */
let limitsConfig: Config | undefined;
let maxBytesCell = { value: 0 };
let maxEntriesCell = { value: 0 };

/** nodeLimits's answer, refilled by each call (its callers use it at once and keep nothing). */
const limits: NodeLimits = { maxBytes: 0, maxEntries: 0 };

/** stream-node-max-bytes and stream-node-max-entries, by live cells: no name lookups per XADD. */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.server.config;
  if (config !== limitsConfig) {
    limitsConfig = config;
    maxBytesCell = config.live("stream-node-max-bytes");
    maxEntriesCell = config.live("stream-node-max-entries");
  }
  limits.maxBytes = maxBytesCell.value;
  limits.maxEntries = maxEntriesCell.value;
  return limits;
}

/** An ID without `-`/`+` (streamParseStrictIDOrReply). */
export function strictId(arg: string, missingSeq = 0n): StreamId {
  const parsed = parseId(arg, { missingSeq });
  if (parsed === undefined) throw new CommandError(STREAM_ID_INVALID);
  return parsed.id;
}

/** XADD's ID: also `ms-*`. */
export function xaddId(arg: string): ParsedId {
  const parsed = parseId(arg, { missingSeq: 0n, allowAutoSeq: true });
  if (parsed === undefined) throw new CommandError(STREAM_ID_INVALID);
  return parsed;
}

/** An ID that may be `-` or `+` (streamParseIDOrReply). */
export function rangeId(arg: string, missingSeq: bigint): StreamId {
  const parsed = parseId(arg, { missingSeq, allowSpecial: true });
  if (parsed === undefined) throw new CommandError(STREAM_ID_INVALID);
  return parsed.id;
}

/** A range start: `(id` is exclusive (strict), a bare ms starts at seq 0. */
export function intervalStart(arg: string): StreamId {
  if (arg.length > 1 && arg[0] === "(") {
    const next = nextId(strictId(arg.slice(1)));
    if (next === undefined) throw new CommandError(INTERVAL_START_INVALID);
    return next;
  }
  return rangeId(arg, 0n);
}

/** A range end: `(id` is exclusive (strict), a bare ms ends at the largest seq. */
export function intervalEnd(arg: string): StreamId {
  if (arg.length > 1 && arg[0] === "(") {
    const previous = previousId(strictId(arg.slice(1), SEQ_MAX));
    if (previous === undefined) throw new CommandError(INTERVAL_END_INVALID);
    return previous;
  }
  return rangeId(arg, SEQ_MAX);
}

/** XADD's and XTRIM's options, as streamParseAddOrTrimArgsOrReply reads them. */
export interface AddTrimArgs {
  trim: TrimSpec | undefined;
  /** argv index of the MAXLEN/MINID value (rewritten for propagation after `~`). */
  trimArgIndex: number;
  /** argv index of LIMIT (0: none), left out of the propagated form. */
  limitIndex: number;
  noMkStream: boolean;
  /** XADD: argv index of the ID argument. */
  idIndex: number;
  id: ParsedId | undefined;
}

/**
 * Parses options from argv[2]; for XADD up to and including the ID. For a
 * client that `obeys` (AOF, master) LIMIT is accepted and ignored.
 */
export function parseAddTrimArgs(
  argv: readonly string[],
  xadd: boolean,
  limits: NodeLimits,
  obeys = false,
): AddTrimArgs {
  const args: AddTrimArgs = {
    trim: undefined,
    trimArgIndex: 0,
    limitIndex: 0,
    noMkStream: false,
    idIndex: argv.length,
    id: undefined,
  };
  let limit: number | undefined;
  const c = new ArgCursor(argv, 2);
  while (c.hasMore()) {
    if (xadd && c.peekOption() === "*") break;
    const word = c.next();
    const opt = word.toLowerCase();
    const more = c.remaining;
    if ((opt === "maxlen" || opt === "minid") && more > 0) {
      if (args.trim !== undefined) throw new CommandError(TRIM_MAXLEN_AND_MINID);
      const mark = c.peekOption();
      const approx = more >= 2 && mark === "~";
      if (more >= 2 && (mark === "~" || mark === "=")) c.next();
      args.trimArgIndex = c.index;
      if (opt === "maxlen") {
        const maxlen = c.nextInt();
        if (maxlen < 0) throw new CommandError(TRIM_MAXLEN_NEGATIVE);
        args.trim = { strategy: "maxlen", maxlen, approx, limit: 0 };
      } else {
        args.trim = { strategy: "minid", minid: strictId(c.next()), approx, limit: 0 };
      }
    } else if (opt === "limit" && more > 0) {
      args.limitIndex = c.index - 1;
      limit = c.nextInt();
      if (limit < 0) throw new CommandError(TRIM_LIMIT_NEGATIVE);
    } else if (xadd && opt === "nomkstream") {
      args.noMkStream = true;
    } else if (xadd) {
      // The ID: the options end here.
      c.index--;
      args.id = xaddId(word);
      break;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  args.idIndex = c.index;
  if (limit && args.trim === undefined) throw new CommandError(TRIM_LIMIT_WITHOUT_STRATEGY);
  if (!xadd && args.trim === undefined) throw new CommandError(XTRIM_WITHOUT_STRATEGY);
  if (args.trim !== undefined && obeys) {
    args.trim.limit = 0;
  } else if (args.trim !== undefined) {
    if (limit !== undefined) {
      if (!args.trim.approx) throw new CommandError(TRIM_LIMIT_WITHOUT_APPROX);
      args.trim.limit = limit;
    } else if (args.trim.approx) {
      const byNodes = 100 * limits.maxEntries;
      args.trim.limit = byNodes <= 0 ? 10000 : Math.min(byNodes, 1000000);
    }
  }
  return args;
}

/**
 * After an approximate trim, the argv to propagate: `=` and the exact
 * resulting length (MAXLEN) or first ID (MINID), so replay trims the same,
 * as Redis does. LIMIT is left out: Redis keeps it and lets its AOF and
 * replication clients skip the "LIMIT needs ~" check, which redis-home's
 * replay does not distinguish; without it both servers replay the command.
 */
export function exactTrimArgv(
  argv: readonly string[],
  args: AddTrimArgs,
  s: Stream,
): string[] {
  const out = argv.slice();
  out[args.trimArgIndex - 1] = "=";
  out[args.trimArgIndex] = args.trim!.strategy === "maxlen"
    ? String(s.length)
    : formatId(s.firstMaster());
  if (args.limitIndex > 0) out.splice(args.limitIndex, 2);
  return out;
}

/**
 * The consumer `name` of a group, seen now; made on first use, with its
 * keyspace event (XREADGROUP, XCLAIM, XAUTOCLAIM).
 */
export function seenConsumer(
  ctx: CommandContext,
  key: string,
  group: ConsumerGroup,
  name: string,
  now: number,
): { consumer: Consumer; created: boolean } {
  const found = group.consumer(name, now);
  found.consumer.seenTime = now;
  if (found.created) {
    ctx.server.dirty++;
    ctx.server.notify(NotifyClass.Stream, "xgroup-createconsumer", key, ctx.db.index);
  }
  return found;
}

/** One entry: [id, [field, value, ...]]. */
export function writeEntry(out: ReplyWriter, entry: StreamEntry): void {
  out.array(2);
  out.bulk(entry.text ?? formatId(entry.id));
  out.bulkArray(entry.pairs);
}

export function writeEntries(out: ReplyWriter, entries: readonly StreamEntry[]): void {
  out.array(entries.length);
  for (const entry of entries) writeEntry(out, entry);
}

/** Up to `count` (0: all) entries of [start, end]. */
export function collect(
  s: Stream,
  start: StreamId,
  end: StreamId,
  count: number,
  reverse = false,
): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const entry of s.range(start, end, reverse)) {
    out.push(entry);
    if (count > 0 && out.length >= count) break;
  }
  return out;
}

/** XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last: a pending entry as replay sets it. */
export function xclaimArgv(
  key: string,
  group: ConsumerGroup,
  id: StreamId,
  nack: Nack,
  idText = formatId(id),
  timeText = String(nack.deliveryTime),
): string[] {
  return [
    "XCLAIM",
    key,
    group.name,
    nack.consumer.name,
    "0",
    idText,
    "TIME",
    timeText,
    "RETRYCOUNT",
    String(nack.deliveryCount),
    "FORCE",
    "JUSTID",
    "LASTID",
    group.lastId === id ? idText : formatId(group.lastId),
  ];
}

/** XGROUP SETID key group last ENTRIESREAD n: a group's position as replay sets it. */
export function setIdArgv(key: string, group: ConsumerGroup): string[] {
  return [
    "XGROUP",
    "SETID",
    key,
    group.name,
    formatId(group.lastId),
    "ENTRIESREAD",
    String(group.entriesRead),
  ];
}
