/**
 * Command modules driven through the context alone (no sockets): the keyspace
 * API's statistics, key events, EXEC through ctx.execute, and per-server
 * command statistics.
 */
import { deepEqual, equal } from "node:assert/strict";
import { harness } from "../../tests/context_harness.ts";
import type { CommandContext } from "../context.ts";
import { NotifyClass } from "../notify.ts";

Deno.test("reads count one keyspace hit or miss each, writes none", () => {
  const { server, run } = harness();
  run("SET", "k", "v");
  run("HSET", "h", "f", "v");
  equal(server.stats.keyspaceHits + server.stats.keyspaceMisses, 0);
  deepEqual(run("GET", "k"), "v");
  deepEqual(run("GET", "missing"), null);
  deepEqual(run("HGET", "h", "f"), "v");
  deepEqual(run("MGET", "k", "nope", "h"), ["v", null, null]);
  equal(server.stats.keyspaceHits, 4);
  equal(server.stats.keyspaceMisses, 2);
});

Deno.test("a command that empties a collection deletes it with the del event", () => {
  const { server, run } = harness({ "notify-keyspace-events": "Eg" });
  const events: string[] = [];
  const notify = server.notify.bind(server);
  server.notify = (cls: NotifyClass, event: string, key: string, db: number) => {
    events.push(`${event}:${key}`);
    notify(cls, event, key, db);
  };
  run("RPUSH", "l", "a");
  run("LPOP", "l");
  deepEqual(run("EXISTS", "l"), 0);
  deepEqual(events, ["rpush:l", "lpop:l", "del:l"]);
});

Deno.test("EXEC runs its queue through ctx.execute: statistics and replies as for any call", () => {
  const { server, ctx, run } = harness();
  deepEqual(run("MULTI"), "OK");
  ctx.multi!.queue.push({ command: server.commands.lookup("incr")!, argv: ["INCR", "n"] });
  ctx.multi!.queue.push({ command: server.commands.lookup("incr")!, argv: ["INCR", "n"] });
  deepEqual(run("EXEC"), [1, 2]);
  equal(server.commands.lookup("incr")!.calls, 2);
});

Deno.test("two servers in one process keep separate command statistics", () => {
  const a = harness();
  const b = harness();
  a.run("PING");
  a.run("PING");
  b.run("PING");
  equal(a.server.commands.lookup("ping")!.calls, 2);
  equal(b.server.commands.lookup("ping")!.calls, 1);
});

Deno.test("ctx.keyChanged counts a change and fails a WATCHer's EXEC", () => {
  const { server, ctx, run } = harness();
  run("WATCH", "k");
  const context: CommandContext = ctx;
  const dirty = server.dirty;
  context.keyChanged("k", NotifyClass.String, "set");
  equal(server.dirty, dirty + 1);
  run("MULTI");
  deepEqual(run("EXEC"), null);
});
