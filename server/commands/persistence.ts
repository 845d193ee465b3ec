/**
 * Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN, and
 * DUMP / RESTORE, whose payloads use the RDB value encoding with Redis's
 * version and CRC-64 trailer, so values move between redis-home and Redis.
 */
import { binaryToBytes } from "../../protocol/bytes.ts";
import { arg, ArgCursor, parseInteger } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import type { RedisValue } from "../types/value.ts";
import {
  AOF_REWRITE_FAILED,
  AOF_REWRITE_IN_PROGRESS,
  BGSAVE_CHILD_ACTIVE,
  BGSAVE_IN_PROGRESS,
  CommandError,
  DUMP_BAD_DATA,
  DUMP_PAYLOAD_INVALID,
  NO_SHUTDOWN_IN_PROGRESS,
  NOT_INTEGER,
  RESTORE_BAD_FREQ,
  RESTORE_BAD_IDLETIME,
  RESTORE_BAD_TTL,
  RESTORE_BUSYKEY,
  SAVE_FAILED,
  SHUTDOWN_FAILED,
  SYNTAX,
} from "../errors.ts";
import { NotifyClass } from "../notify.ts";
import { FormatError } from "../persistence/format_error.ts";
import type { ShutdownFlags } from "../persistence/manager.ts";
import { readDumpPayload } from "../persistence/rdb_reader.ts";
import { dumpPayload } from "../persistence/rdb_writer.ts";
import { type LoadLimits, loadLimits, materialize } from "../persistence/values.ts";

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  /** IDLETIME seconds, -1 when absent. */
  idle: number;
  /** FREQ counter, -1 when absent. */
  freq: number;
}

/** RESTORE's options, checked first in Redis's order; IDLETIME and FREQ exclude each other. */
function parseRestoreOptions(argv: string[]): RestoreOptions {
  const options = { replace: false, absttl: false, idle: -1, freq: -1 };
  const args = new ArgCursor(argv, 4);
  while (args.hasMore()) {
    const option = args.nextOption();
    const more = args.hasMore();
    if (option === "replace") {
      options.replace = true;
    } else if (option === "absttl") {
      options.absttl = true;
    } else if (option === "idletime" && more && options.freq === -1) {
      options.idle = args.nextInt();
      if (options.idle < 0) throw new CommandError(RESTORE_BAD_IDLETIME);
    } else if (option === "freq" && more && options.idle === -1) {
      options.freq = args.nextInt();
      if (options.freq < 0 || options.freq > 255) throw new CommandError(RESTORE_BAD_FREQ);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return options;
}

/** A DUMP payload as a value; Redis's errors for a bad checksum or version and bad data. */
function decodeDumpPayload(payload: string, limits: LoadLimits, checksum: boolean): RedisValue {
  try {
    const decoded = readDumpPayload(binaryToBytes(payload), checksum);
    if (decoded === null) throw new CommandError(DUMP_PAYLOAD_INVALID);
    if (decoded === undefined) throw new CommandError(DUMP_BAD_DATA);
    return materialize(decoded, limits);
  } catch (err) {
    if (err instanceof FormatError) throw new CommandError(DUMP_BAD_DATA);
    throw err;
  }
}

/** RESTORE key ttl payload [options]: the key made from a DUMP payload, with its TTL. */
function restore(ctx: CommandContext, argv: string[]): void {
  const { replace, absttl, idle, freq } = parseRestoreOptions(argv);
  const db = ctx.db;
  const key = arg(argv, 1);
  if (!replace && db.has(key)) throw new CommandError(RESTORE_BUSYKEY);
  let ttl = parseInteger(arg(argv, 2));
  if (ttl === undefined) throw new CommandError(NOT_INTEGER);
  if (ttl < 0) throw new CommandError(RESTORE_BAD_TTL);
  const checksum = !ctx.server.skipChecksumValidation;
  const value = decodeDumpPayload(arg(argv, 3), loadLimits(ctx.server.config), checksum);

  const deleted = replace && db.delete(key);
  const now = Date.now();
  if (ttl > 0 && !absttl) ttl += now;
  if (ttl > 0 && ttl <= now) {
    // Already expired: the key is gone, which the AOF records as a DEL.
    if (deleted) {
      ctx.propagateAs = [["DEL", key]];
      ctx.keyChanged(key, NotifyClass.Generic, "del");
    }
    return ctx.out.ok();
  }
  db.set(key, value);
  // As objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME under any other.
  if (ctx.server.config.get("maxmemory-policy").endsWith("-lfu")) {
    if (freq >= 0) db.setAccess(key, undefined, freq);
  } else if (idle >= 0) {
    db.setAccess(key, idle, undefined);
  }
  if (ttl > 0) {
    db.setExpire(key, ttl);
    if (!absttl) {
      const propagated = argv.slice();
      propagated[2] = String(ttl);
      propagated.push("ABSTTL");
      ctx.propagateAs = [propagated];
    }
  }
  ctx.keyChanged(key, NotifyClass.Generic, "restore");
  ctx.out.ok();
}

/** RESTORE's row; RESTORE-ASKING's is the same with the asking flag. */
const RESTORE_ROW: CommandSpec = {
  name: "restore",
  arity: -4,
  flags: ["write", "denyoom"],
  keys: [1, 1, 1],
  group: "generic",
  acl: ["keyspace", "dangerous"],
  since: "2.6.0",
  summary: "Creates a key from the serialized representation of a value.",
  syntax: "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]",
  complexity:
    "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value.",
  handler: restore,
};

export const persistenceCommands: CommandSpec[] = [
  {
    name: "save",
    arity: 1,
    flags: ["no_async_loading", "admin", "noscript", "no_multi"],
    group: "server",
    since: "1.0.0",
    summary: "Synchronously saves the database(s) to disk.",
    syntax: "",
    complexity: "O(N) where N is the total number of keys in all databases",
    handler(ctx) {
      const persistence = ctx.server.persistence;
      if (persistence.bgsaveInProgress) throw new CommandError(BGSAVE_IN_PROGRESS);
      if (!persistence.save()) throw new CommandError(SAVE_FAILED);
      ctx.out.ok();
    },
  },
  {
    name: "bgsave",
    arity: -1,
    flags: ["no_async_loading", "admin", "noscript"],
    group: "server",
    since: "1.0.0",
    summary: "Asynchronously saves the database(s) to disk.",
    syntax: "[SCHEDULE]",
    complexity: "O(N) where N is the total number of keys in all databases",
    handler(ctx, argv) {
      const args = new ArgCursor(argv);
      const schedule = args.eat("schedule");
      args.end();
      const persistence = ctx.server.persistence;
      if (persistence.bgsaveInProgress) throw new CommandError(BGSAVE_IN_PROGRESS);
      if (persistence.job !== undefined || ctx.inExec) {
        if (!schedule && !ctx.inExec) {
          throw new CommandError(BGSAVE_CHILD_ACTIVE);
        }
        persistence.bgsaveScheduled = true;
        return ctx.out.simple("Background saving scheduled");
      }
      if (!persistence.startBgsave()) throw new CommandError(SAVE_FAILED);
      ctx.out.simple("Background saving started");
    },
  },
  {
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    acl: ["admin", "dangerous"],
    since: "1.0.0",
    summary: "Returns the Unix timestamp of the last successful save to disk.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.int(ctx.server.persistence.lastSave);
    },
  },
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: ["no_async_loading", "admin", "noscript"],
    group: "server",
    since: "1.0.0",
    summary: "Asynchronously rewrites the append-only file to disk.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      const persistence = ctx.server.persistence;
      if (persistence.rewriteInProgress) {
        throw new CommandError(AOF_REWRITE_IN_PROGRESS);
      }
      if (persistence.job !== undefined || ctx.inExec) {
        persistence.rewriteScheduled = true;
        persistence.rewriteFailuresInARow = 0;
        return ctx.out.simple("Background append only file rewriting scheduled");
      }
      if (!persistence.startRewrite()) {
        throw new CommandError(AOF_REWRITE_FAILED);
      }
      ctx.out.simple("Background append only file rewriting started");
    },
  },
  {
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    group: "server",
    since: "1.0.0",
    summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.",
    syntax: "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
    complexity: "O(N) when saving, where N is the total number of keys in all databases",
    handler(ctx, argv) {
      const flags: ShutdownFlags & { now?: boolean } = {};
      let abort = false;
      let any = false;
      const args = new ArgCursor(argv);
      while (args.hasMore()) {
        const option = args.nextOption();
        if (option === "nosave") flags.nosave = true;
        else if (option === "save") flags.save = true;
        else if (option === "force") flags.force = true;
        else if (option === "now") flags.now = true;
        else if (option === "abort") abort = true;
        else throw new CommandError(SYNTAX);
        if (option !== "abort") any = true;
      }
      if ((abort && any) || (flags.save && flags.nosave)) throw new CommandError(SYNTAX);
      const wait = ctx.server.shutdownWait;
      if (abort) {
        if (!wait.abort()) throw new CommandError(NO_SHUTDOWN_IN_PROGRESS);
        return ctx.out.ok();
      }
      // Stopping, or waiting for the replicas with this client blocked until then.
      if (wait.begin(flags, ctx.client) || ctx.client.blocked !== undefined) return;
      throw new CommandError(SHUTDOWN_FAILED);
    },
  },
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "generic",
    since: "2.6.0",
    summary: "Returns a serialized representation of the value stored at a key.",
    syntax: "key",
    complexity:
      "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size.",
    handler(ctx, argv) {
      const value = ctx.db.get(arg(argv, 1));
      if (value === undefined) return ctx.out.nil();
      const compression = ctx.server.config.getBool("rdbcompression");
      ctx.out.bulk(dumpPayload(value, compression));
    },
  },
  RESTORE_ROW,
  {
    // RESTORE as a cluster's MIGRATE sends it to a slot being imported; the same here.
    ...RESTORE_ROW,
    name: "restore-asking",
    flags: [...RESTORE_ROW.flags, "asking"],
    group: "server",
    since: "3.0.0",
    summary: "An internal command for migrating keys in a cluster",
    complexity:
      "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
  },
];
