/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Dispatch queues
 * commands while client.multi is set; EXEC runs the queue through call() so
 * statistics, keyspace events and AOF propagation happen as for any command.
 */
import type { CommandFlag, CommandSpec } from "../command.ts";
import { call } from "../dispatch.ts";
import {
  CommandError,
  DISCARD_WITHOUT_MULTI,
  EXEC_ABORT,
  EXEC_WITHOUT_MULTI,
  MULTI_NESTED,
  WATCH_IN_MULTI,
} from "../errors.ts";
import type { RedisServer } from "../server.ts";

/** Closes the MULTI that the transaction's first propagated write opened, if any. */
function closeExecPropagation(server: RedisServer, dbIndex: number): void {
  const sent = server.execPropagation === "sent";
  server.execPropagation = "off";
  if (sent) server.propagate(dbIndex, ["EXEC"]);
}

const FLAGS: readonly CommandFlag[] = ["noscript", "loading", "stale", "fast", "allow_busy"];

export const transactionCommands: CommandSpec[] = [
  {
    name: "multi",
    arity: 1,
    flags: FLAGS,
    group: "transactions",
    since: "1.2.0",
    summary: "Starts a transaction.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      if (client.multi !== undefined) throw new CommandError(MULTI_NESTED);
      client.multi = { queue: [], dirty: false };
      client.out.ok();
    },
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    group: "transactions",
    since: "1.2.0",
    summary: "Executes all commands in a transaction.",
    syntax: "",
    complexity: "Depends on commands in the transaction",
    handler(client) {
      const multi = client.multi;
      if (multi === undefined) throw new CommandError(EXEC_WITHOUT_MULTI);
      const server = client.server;
      const watches = server.watches;
      client.multi = undefined;
      const watchFailed = client.watchDirty || watches.anyExpired(client);
      watches.unwatchAll(client);
      // A command that failed to queue aborts the transaction before WATCH is looked at.
      if (multi.dirty) throw new CommandError(EXEC_ABORT);
      if (watchFailed) return client.out.nilArray();

      const out = client.out;
      out.array(multi.queue.length);
      client.inExec = true;
      server.execPropagation = "pending";
      try {
        for (const { command, argv } of multi.queue) call(client, command, argv);
      } finally {
        client.inExec = false;
        closeExecPropagation(server, client.db.index);
      }
    },
  },
  {
    name: "discard",
    arity: 1,
    flags: FLAGS,
    group: "transactions",
    since: "2.0.0",
    summary: "Discards a transaction.",
    syntax: "",
    complexity: "O(N), when N is the number of queued commands",
    handler(client) {
      if (client.multi === undefined) throw new CommandError(DISCARD_WITHOUT_MULTI);
      client.multi = undefined;
      client.server.watches.unwatchAll(client);
      client.out.ok();
    },
  },
  {
    name: "watch",
    arity: -2,
    flags: FLAGS,
    keys: [1, -1, 1],
    group: "transactions",
    since: "2.2.0",
    summary: "Monitors changes to keys to determine the execution of a transaction.",
    syntax: "key [key ...]",
    complexity: "O(1) for every key.",
    handler(client, argv) {
      if (client.multi !== undefined) throw new CommandError(WATCH_IN_MULTI);
      // A transaction already doomed gains nothing from more keys.
      if (!client.watchDirty) {
        for (let i = 1; i < argv.length; i++) {
          client.server.watches.watch(client, client.db, argv[i]);
        }
      }
      client.out.ok();
    },
  },
  {
    name: "unwatch",
    arity: 1,
    flags: FLAGS,
    group: "transactions",
    since: "2.2.0",
    summary: "Forgets about watched keys of a transaction.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      client.server.watches.unwatchAll(client);
      client.out.ok();
    },
  },
];
