/**
 * Server administration: INFO, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME,
 * LOLWUT. (COMMAND is command_info.ts, CONFIG config.ts, DEBUG debug.ts,
 * MEMORY memory.ts, INFO's sections server/info/.)
 */
import { arg, ArgCursor, int32Arg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { ServerContext } from "../context.ts";
import { unixMicros } from "../clock.ts";
import type { Database } from "../db.ts";
import {
  CommandError,
  DB_INDEX_OUT_OF_RANGE,
  SWAPDB_FIRST_INDEX,
  SWAPDB_SECOND_INDEX,
  SYNTAX,
} from "../errors.ts";
import { renderInfo } from "../info/render.ts";
import { INFO_PROVIDERS } from "../info/sections.ts";
import { VERSION } from "../../protocol/version.ts";

// ---- keyspace commands ------------------------------------------------------

/**
 * FLUSHDB/FLUSHALL's optional ASYNC | SYNC: whether Redis would free the data in the
 * background (without either, lazyfree-lazy-user-flush says). Both empty it at once here.
 */
function flushesAsync(server: ServerContext, argv: string[]): boolean {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 1) return server.config.getBool("lazyfree-lazy-user-flush");
  const mode = arg(argv, 1).toLowerCase();
  if (mode !== "async" && mode !== "sync") throw new CommandError(SYNTAX);
  return mode === "async";
}

/** Empties a database; WATCHers of keys it held fail their EXEC. Returns the keys removed. */
function flushDatabase(server: ServerContext, db: Database): number {
  const removed = db.size;
  server.watches.touchDb(db);
  db.clear();
  signalBlockedKeys(server, [db.index]);
  return removed;
}

/**
 * Wakes every client blocked on a key of these databases after a flush or
 * swap: those waiting for data find none and keep waiting, while XREADGROUP
 * readers whose stream vanished get their error (Redis's
 * scanDatabaseForDeletedStreams).
 */
function signalBlockedKeys(server: ServerContext, indexes: readonly number[]): void {
  if (server.blocking.blockedClients === 0) return;
  for (const ctx of server.clients.values()) {
    for (const waiting of ctx.client.blocked?.keys ?? []) {
      const split = waiting.indexOf("\0");
      const index = Number(waiting.slice(0, split));
      if (indexes.includes(index)) server.blocking.signalReady(index, waiting.slice(split + 1));
    }
  }
}

function dbArg(server: ServerContext, value: string, invalid: string): Database {
  const db = server.dbs[int32Arg(value, invalid)];
  if (db === undefined) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
  return db;
}

/**
 * SWAPDB: the two databases trade contents (clients stay on their index).
 * Watchers of a key whose value changes fail (see WatchRegistry.touchDb);
 * clients blocked on their keys are woken.
 */
function swapDatabases(server: ServerContext, a: Database, b: Database): void {
  server.watches.touchDb(a, b);
  server.watches.touchDb(b, a);
  a.swapWith(b);
  signalBlockedKeys(server, [a.index, b.index]);
}

export const serverAdminCommands: CommandSpec[] = [
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    group: "server",
    acl: ["dangerous"],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    since: "1.0.0",
    summary: "Returns information and statistics about the server.",
    syntax: "[section [section ...]]",
    complexity: "O(1)",
    handler(ctx, argv) {
      ctx.out.verbatim(renderInfo(ctx.server, argv.slice(1), INFO_PROVIDERS));
    },
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    group: "server",
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    since: "1.0.0",
    summary: "Returns the number of keys in the database.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.int(ctx.db.size);
    },
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "1.0.0",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Removes all keys from the current database.",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) where N is the number of keys in the selected database",
    handler(ctx, argv) {
      const lazily = flushesAsync(ctx.server, argv);
      const removed = flushDatabase(ctx.server, ctx.db);
      if (lazily) ctx.server.stats.lazyfreedObjects += removed;
      // Counted as at least one change so that even an empty FLUSHDB reaches the AOF, as Redis forces.
      ctx.server.dirty += Math.max(1, removed);
      if (ctx.server.tracking.engaged) ctx.server.tracking.invalidateAll();
      ctx.out.ok();
    },
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "1.0.0",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Removes all keys from all databases.",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) where N is the total number of keys in all databases",
    handler(ctx, argv) {
      const server = ctx.server;
      const lazily = flushesAsync(server, argv);
      let removed = 0;
      for (const db of server.dbs) removed += flushDatabase(server, db);
      if (lazily) server.stats.lazyfreedObjects += removed;
      if (server.tracking.engaged) server.tracking.invalidateAll();
      server.dirty += removed + 1;
      server.persistence.flushedAll();
      // Propagated even when the save left `dirty` as it was (Redis's forceCommandPropagation).
      server.propagate(ctx.db.index, argv);
      ctx.propagateAs = [];
      ctx.out.ok();
    },
  },
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "4.0.0",
    summary: "Swaps two Redis databases.",
    syntax: "index1 index2",
    complexity:
      "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    handler(ctx, argv) {
      const server = ctx.server;
      const a = dbArg(server, arg(argv, 1), SWAPDB_FIRST_INDEX);
      const b = dbArg(server, arg(argv, 2), SWAPDB_SECOND_INDEX);
      if (a !== b) {
        swapDatabases(server, a, b);
        server.dirty++;
      }
      ctx.out.ok();
    },
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    since: "2.6.0",
    tips: ["nondeterministic_output"],
    summary: "Returns the server time.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      const micros = unixMicros();
      ctx.out.bulkArray([String(Math.floor(micros / 1e6)), String(micros % 1e6)]);
    },
  },
  {
    name: "lolwut",
    arity: -1,
    flags: ["readonly", "fast"],
    group: "server",
    since: "5.0.0",
    summary: "Displays computer art and the Redis version",
    syntax: "[VERSION version]",
    handler(ctx, argv) {
      const args = new ArgCursor(argv);
      while (args.hasMore()) {
        if (args.nextOption() === "version" && args.hasMore()) args.nextInt();
      }
      ctx.out.verbatim(`Redis ver. ${VERSION}\n`);
    },
  },
];
