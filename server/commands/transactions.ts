/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Dispatch queues
 * commands while client.multi is set; EXEC runs the queue through ctx.execute so
 * statistics, keyspace events and AOF propagation happen as for any command.
 */
import { checkCall, logDenial, revokedReason } from "../acl/access.ts";
import type { CommandFlag, CommandSpec } from "../command.ts";
import { keyRange } from "../key_specs.ts";
import {
  aclChangedSinceQueued,
  CommandError,
  DISCARD_WITHOUT_MULTI,
  EXEC_ABORT,
  EXEC_WITHOUT_MULTI,
  MULTI_NESTED,
  WATCH_IN_MULTI,
} from "../errors.ts";

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
    handler(ctx) {
      if (ctx.client.multi !== undefined) throw new CommandError(MULTI_NESTED);
      ctx.client.multi = { queue: [], dirty: false, bytes: 0 };
      ctx.out.ok();
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
    handler(ctx) {
      const multi = ctx.client.multi;
      if (multi === undefined) throw new CommandError(EXEC_WITHOUT_MULTI);
      const server = ctx.server;
      const watches = server.watches;
      ctx.client.multi = undefined;
      const watchFailed = ctx.client.watchDirty || watches.anyExpired(ctx.client);
      watches.unwatchAll(ctx.client);
      // A command that failed to queue aborts the transaction before WATCH is looked at.
      if (multi.dirty) throw new CommandError(EXEC_ABORT);
      if (watchFailed) return ctx.out.nilArray();

      const out = ctx.out;
      out.array(multi.queue.length);
      ctx.client.inExec = true;
      server.execPropagation = "pending";
      try {
        for (const { command, argv } of multi.queue) {
          // Permissions are checked again: ACL rules may have changed since MULTI.
          const denial = checkCall(server.acl, ctx.client.user, command, argv);
          if (denial === undefined) ctx.execute(command, argv);
          else {
            logDenial(ctx, denial, command, argv, "multi");
            out.error(aclChangedSinceQueued(revokedReason(denial)));
          }
        }
      } finally {
        ctx.client.inExec = false;
        server.endExecPropagation(ctx.db.index);
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
    handler(ctx) {
      if (ctx.client.multi === undefined) throw new CommandError(DISCARD_WITHOUT_MULTI);
      ctx.client.multi = undefined;
      ctx.server.watches.unwatchAll(ctx.client);
      ctx.out.ok();
    },
  },
  {
    name: "watch",
    arity: -2,
    flags: FLAGS,
    keys: [1, -1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1, -1)],
    group: "transactions",
    since: "2.2.0",
    summary: "Monitors changes to keys to determine the execution of a transaction.",
    syntax: "key [key ...]",
    complexity: "O(1) for every key.",
    handler(ctx, argv) {
      if (ctx.client.multi !== undefined) throw new CommandError(WATCH_IN_MULTI);
      // A transaction already doomed gains nothing from more keys.
      if (!ctx.client.watchDirty) {
        for (const key of argv.slice(1)) {
          ctx.server.watches.watch(ctx.client, ctx.db, key);
        }
      }
      ctx.out.ok();
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
    handler(ctx) {
      ctx.server.watches.unwatchAll(ctx.client);
      ctx.out.ok();
    },
  },
];
