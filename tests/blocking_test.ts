/**
 * Blocking list commands with several real clients: who gets served, when,
 * with what, and what reaches the AOF and keyspace notifications.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import type { RedisServer } from "../server/server.ts";
import { RespClient, startServer } from "./helpers.ts";

/** Waits until the server has `n` blocked clients (bounded: about 5 s). */
async function blockedClients(server: RedisServer, n: number): Promise<void> {
  for (let i = 0; i < 500 && server.blocking.blockedClients !== n; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  equal(server.blocking.blockedClients, n);
}

/** Records what the server propagates to the AOF. */
function recordPropagation(server: RedisServer): string[][] {
  const log: string[][] = [];
  server.propagators.push({ propagate: (_db, argv) => log.push([...argv]) });
  return log;
}

Deno.test("BLPOP waits for a push and replies [key, element]; BRPOP takes the tail", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using pusher = await RespClient.connect(srv.port);
  await waiter.send("BLPOP", "empty", "queue", "0");
  await blockedClients(srv.server, 1);
  equal(await pusher.cmd("RPUSH", "queue", "a", "b", "c"), 3);
  deepEqual(await waiter.read(), {
    type: "array",
    values: [{ type: "bulk", value: "queue" }, { type: "bulk", value: "a" }],
  });
  deepEqual(await waiter.cmd("BRPOP", "queue", "0"), ["queue", "c"]);
  deepEqual(await pusher.cmd("LRANGE", "queue", "0", "-1"), ["b"]);
});

Deno.test("clients blocked on a key are served first come, first served", async () => {
  await using srv = startServer();
  const waiters = await Promise.all([1, 2, 3].map(() => RespClient.connect(srv.port)));
  using pusher = await RespClient.connect(srv.port);
  try {
    for (const [i, waiter] of waiters.entries()) {
      await waiter.send("BLPOP", "q", "0");
      await blockedClients(srv.server, i + 1);
    }
    equal(await pusher.cmd("RPUSH", "q", "first", "second"), 2);
    deepEqual(await waiters[0]!.cmd("PING"), ["q", "first"]);
    deepEqual(await waiters[1]!.cmd("PING"), ["q", "second"]);
    await blockedClients(srv.server, 1);
    equal(await pusher.cmd("EXISTS", "q"), 0);
    equal(await pusher.cmd("LPUSH", "q", "third"), 1);
    deepEqual(await waiters[2]!.read().then((v) => v.type === "array"), true);
    equal(await pusher.cmd("LLEN", "q"), 0);
  } finally {
    for (const waiter of waiters) waiter.close();
  }
});

Deno.test("a timeout replies a null array (RESP2 *-1, RESP3 _); bad timeouts are Redis's errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.call("BLPOP", "nothing", "0.05"), { type: "nullArray" });
  deepEqual(await c.call("BLMOVE", "nothing", "dst", "LEFT", "RIGHT", "0.01"), {
    type: "nullArray",
  });
  deepEqual(await c.call("BLMPOP", "0.01", "1", "nothing", "LEFT"), { type: "nullArray" });
  deepEqual(await c.cmd("BLPOP", "k", "abc"), {
    error: "ERR timeout is not a float or out of range",
  });
  deepEqual(await c.cmd("BLPOP", "k", " 1"), {
    error: "ERR timeout is not a float or out of range",
  });
  deepEqual(await c.cmd("BLPOP", "k", "-1"), { error: "ERR timeout is negative" });
  deepEqual(await c.cmd("BRPOPLPUSH", "k", "d", "inf"), { error: "ERR timeout is negative" });
  deepEqual(await c.cmd("BLMPOP", "-0.5", "1", "k", "LEFT"), {
    error: "ERR timeout is negative",
  });
  await c.cmd("HELLO", "3");
  deepEqual(await c.call("BRPOP", "nothing", "0.01"), { type: "null" });
});

Deno.test("a blocked client never stalls others; its pipelined requests wait for it", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  // Two requests in one write: the PING must wait until BLPOP is served.
  await waiter.writeRaw("*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
  await blockedClients(srv.server, 1);
  equal(await other.cmd("PING"), "PONG");
  equal(await other.cmd("SET", "x", "1"), "OK");
  equal(await other.cmd("LPUSH", "k", "v"), 1);
  deepEqual(await waiter.cmd("ECHO", "after"), ["k", "v"]);
  equal(await waiter.read().then((v) => v.type === "simple" && v.value), "PONG");
  equal(await waiter.read().then((v) => v.type === "bulk" && v.value), "after");
});

Deno.test("pushes inside MULTI/EXEC serve waiters after EXEC, with the final content", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using writer = await RespClient.connect(srv.port);
  await waiter.send("BLPOP", "k", "0");
  await blockedClients(srv.server, 1);
  // Pushed and popped within one transaction: nothing left to serve.
  await writer.cmd("MULTI");
  await writer.cmd("RPUSH", "k", "gone");
  await writer.cmd("LPOP", "k");
  deepEqual(await writer.cmd("EXEC"), [1, "gone"]);
  await blockedClients(srv.server, 1);
  await writer.cmd("MULTI");
  await writer.cmd("LPUSH", "k", "a");
  await writer.cmd("LPUSH", "k", "b");
  deepEqual(await writer.cmd("EXEC"), [1, 2]);
  deepEqual(await waiter.read().then((v) => v.type === "array" && v.values.length), 2);
  deepEqual(await writer.cmd("LRANGE", "k", "0", "-1"), ["a"]);
  equal(srv.server.blocking.blockedClients, 0);
});

Deno.test("inside EXEC blocking commands answer at once, as on timeout", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  for (
    const argv of [
      ["BLPOP", "none", "0"],
      ["BRPOP", "none", "0"],
      ["BLMPOP", "0", "1", "none", "RIGHT"],
      ["BLMOVE", "none", "d", "LEFT", "LEFT", "0"],
      ["BRPOPLPUSH", "none", "d", "0"],
    ]
  ) {
    equal(await c.cmd(...argv), "QUEUED");
  }
  // Redis answers a refused BLMOVE/BRPOPLPUSH with a null bulk, not a null array.
  deepEqual(await c.call("EXEC"), {
    type: "array",
    values: [
      { type: "nullArray" },
      { type: "nullArray" },
      { type: "nullArray" },
      { type: "null" },
      { type: "null" },
    ],
  });
});

Deno.test("LMOVE into a list wakes its waiter and fails a WATCH on it", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  using mover = await RespClient.connect(srv.port);
  await mover.cmd("RPUSH", "src", "x", "y");
  await watcher.cmd("WATCH", "dst");
  await waiter.send("BRPOP", "dst", "0");
  await blockedClients(srv.server, 1);
  equal(await mover.cmd("LMOVE", "src", "dst", "RIGHT", "LEFT"), "y");
  deepEqual(await waiter.cmd("PING"), ["dst", "y"]);
  await watcher.cmd("MULTI");
  await watcher.cmd("LLEN", "dst");
  equal(await watcher.cmd("EXEC"), null);
});

Deno.test("BLMOVE and BRPOPLPUSH move when served; a wrong-type destination is an error", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using pusher = await RespClient.connect(srv.port);
  await waiter.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "src", "a", "b");
  deepEqual(await waiter.read(), { type: "bulk", value: "a" });
  deepEqual(await pusher.cmd("LRANGE", "dst", "0", "-1"), ["a"]);
  deepEqual(await pusher.cmd("LRANGE", "src", "0", "-1"), ["b"]);

  await pusher.cmd("DEL", "src");
  await pusher.cmd("SET", "dst", "string");
  await waiter.send("BRPOPLPUSH", "src", "dst", "0");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "src", "c");
  deepEqual(await waiter.cmd("PING"), {
    error: "WRONGTYPE Operation against a key holding the wrong kind of value",
  });
  deepEqual(await pusher.cmd("LRANGE", "src", "0", "-1"), ["c"]);
});

Deno.test("a waiter on several keys is served by whichever gets data, in its own db", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using pusher = await RespClient.connect(srv.port);
  await waiter.cmd("SELECT", "1");
  await waiter.send("BLMPOP", "0", "3", "a", "b", "c", "RIGHT", "COUNT", "2");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "b", "x", "y", "z");
  await pusher.cmd("SET", "c", "not a list");
  await blockedClients(srv.server, 1);
  await pusher.cmd("SELECT", "1");
  await pusher.cmd("SET", "c", "not a list");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "b", "x", "y", "z");
  deepEqual(await waiter.cmd("PING"), ["b", ["z", "y"]]);
  deepEqual(await pusher.cmd("LRANGE", "b", "0", "-1"), ["x"]);
  await pusher.cmd("SELECT", "0");
  equal(await pusher.cmd("LLEN", "b"), 3);
});

Deno.test("a client that disconnects while blocked is forgotten", async () => {
  await using srv = startServer();
  const waiter = await RespClient.connect(srv.port);
  using pusher = await RespClient.connect(srv.port);
  await waiter.send("BLPOP", "k", "0");
  await blockedClients(srv.server, 1);
  waiter.close();
  await blockedClients(srv.server, 0);
  equal(await pusher.cmd("RPUSH", "k", "kept"), 1);
  deepEqual(await pusher.cmd("LRANGE", "k", "0", "-1"), ["kept"]);
});

Deno.test("CLIENT UNBLOCK ends a wait as a timeout or with the UNBLOCKED error", async () => {
  await using srv = startServer();
  using waiter = await RespClient.connect(srv.port);
  using admin = await RespClient.connect(srv.port);
  const id = String(await waiter.cmd("CLIENT", "ID"));
  await waiter.send("BLPOP", "k", "0");
  await blockedClients(srv.server, 1);
  equal(await admin.cmd("CLIENT", "UNBLOCK", id), 1);
  deepEqual(await waiter.read(), { type: "nullArray" });
  await waiter.send("BLMOVE", "k", "d", "LEFT", "LEFT", "0");
  await blockedClients(srv.server, 1);
  equal(await admin.cmd("CLIENT", "UNBLOCK", id, "ERROR"), 1);
  deepEqual(await waiter.cmd("PING"), { error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" });
  equal(await admin.cmd("CLIENT", "UNBLOCK", id), 0);
  equal(await waiter.cmd("PING"), "PONG");
  // The error counts as the blocked command's, as Redis's unit/info checks.
  const errors = await admin.cmd("INFO", "errorstats") as string;
  match(errors, /errorstat_UNBLOCKED:count=1/);
  const stats = await admin.cmd("INFO", "commandstats") as string;
  match(stats, /cmdstat_blmove:calls=1,.*failed_calls=1/);
});

Deno.test("served blocking pops reach the AOF as the plain commands, with Redis's events", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  const log = recordPropagation(srv.server);
  using waiter = await RespClient.connect(srv.port);
  using pusher = await RespClient.connect(srv.port);
  using events = await RespClient.connect(srv.port);
  await events.cmd("PSUBSCRIBE", "__keyevent@0__:*");

  await waiter.send("BLPOP", "k", "0");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "k", "v");
  deepEqual(await waiter.read().then((v) => v.type), "array");
  await waiter.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
  await blockedClients(srv.server, 1);
  await pusher.cmd("RPUSH", "src", "w");
  await waiter.read();
  await waiter.send("BRPOPLPUSH", "src", "dst", "0");
  await blockedClients(srv.server, 1);
  await pusher.cmd("LPUSH", "src", "z");
  await waiter.read();
  await waiter.send("BLMPOP", "0", "1", "dst", "LEFT", "COUNT", "5");
  deepEqual(await waiter.read().then((v) => v.type), "array");
  await pusher.cmd("RPUSH", "now", "n");
  deepEqual(await waiter.cmd("BRPOP", "now", "0"), ["now", "n"]);

  deepEqual(log, [
    ["RPUSH", "k", "v"],
    ["LPOP", "k"],
    ["RPUSH", "src", "w"],
    ["LMOVE", "src", "dst", "RIGHT", "LEFT"],
    ["LPUSH", "src", "z"],
    ["RPOPLPUSH", "src", "dst"],
    ["LPOP", "dst", "2"],
    ["RPUSH", "now", "n"],
    ["RPOP", "now"],
  ]);
  const seen: string[] = [];
  while (seen.length < 16) {
    const message = await events.read();
    if (message.type !== "array") continue;
    const [, , channel = "", key] = message.values.map((v) => v.type === "bulk" ? v.value : "");
    seen.push(`${channel.replace("__keyevent@0__:", "")} ${key}`);
  }
  deepEqual(seen, [
    "rpush k",
    "lpop k",
    "del k",
    "rpush src",
    "lpush dst",
    "rpop src",
    "del src",
    "lpush src",
    "lpush dst",
    "rpop src",
    "del src",
    "lpop dst",
    "del dst",
    "rpush now",
    "rpop now",
    "del now",
  ]);
});
