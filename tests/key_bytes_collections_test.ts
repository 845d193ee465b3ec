/**
 * SADD, HSET and LPUSH/RPUSH of one member, LPOP/RPOP, SPOP, and the reads
 * SISMEMBER, SCARD, HGET, HINCRBY, LLEN look their key up from the request's
 * bytes (protocol/bytes.ts, keys left as bytes), as key_bytes_test.ts checks
 * for the string commands. Everything else that reads the key must still see
 * it as sent, a collection written in place must be accounted again, and a
 * client blocked on a list must be woken by a push that held its key.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  expectMonitored,
  expectRepliesPropagated,
  expectSnapshotSees,
  expectWatchAborted,
  heldKeyShapes,
  pipelineOneWrite,
  plain,
  RespClient,
  slowLogged,
  startServer,
  within,
} from "./helpers.ts";

const KEYS = heldKeyShapes("myset", "collection:000000001");

/** Each key's requests in every form that holds the key, names in any case, and their replies. */
function requests(key: string): [string[], unknown][] {
  return [
    [["SADD", key, "a"], 1],
    [["sadd", key, "a"], 0],
    [["SISMEMBER", key, "a"], 1],
    [["scard", key], 1],
    [["SPOP", key], "a"],
    [["EXISTS", key], 0],
    [["HSET", key, "f", "v"], 1],
    [["hset", key, "f", "w"], 0],
    [["HGET", key, "f"], "w"],
    [["HINCRBY", key, "n", "5"], 5],
    [["hincrby", key, "n", "1"], 6],
    [["DEL", key], 1],
    [["LPUSH", key, "a"], 1],
    [["rpush", key, "b"], 2],
    [["LLEN", key], 2],
    [["lpop", key], "a"],
    [["RPOP", key], "b"],
    [["EXISTS", key], 0],
    [["SPOP", key], null],
    [["LPOP", key], null],
    [["HGET", key, "f"], null],
    [["SCARD", key], 0],
    [["LLEN", key], 0],
    [["SISMEMBER", key, "a"], 0],
  ];
}

/** What the AOF and replicas see of requests(key). */
function propagated(key: string): string[][] {
  return [
    ["SADD", key, "a"],
    ["SREM", key, "a"],
    ["HSET", key, "f", "v"],
    ["hset", key, "f", "w"],
    ["HINCRBY", key, "n", "5"],
    ["hincrby", key, "n", "1"],
    ["DEL", key],
    ["LPUSH", key, "a"],
    ["rpush", key, "b"],
    ["lpop", key],
    ["RPOP", key],
  ];
}

Deno.test("collection keys from the request's bytes: replies, and writes propagated as sent", async () => {
  await expectRepliesPropagated(KEYS, requests, propagated);
});

Deno.test("collection keys from the request's bytes: WRONGTYPE, and an error after the lookup", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "text", "abc");
  await c.cmd("SADD", "aset", "m");
  await c.cmd("HSET", "hash", "s", "abc");
  const wrong = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
  const replies = await pipelineOneWrite(c, [
    ["SADD", "text", "m"],
    ["SISMEMBER", "text", "m"],
    ["SCARD", "hash"],
    ["SPOP", "hash"],
    ["HSET", "aset", "f", "v"],
    ["HGET", "aset", "f"],
    ["HINCRBY", "text", "f", "1"],
    ["HINCRBY", "hash", "s", "1"],
    ["LPUSH", "aset", "x"],
    ["RPUSH", "text", "x"],
    ["LPOP", "hash"],
    ["RPOP", "aset"],
    ["LLEN", "text"],
    ["TYPE", "text"],
  ]);
  deepEqual(replies, [
    wrong,
    wrong,
    wrong,
    wrong,
    wrong,
    wrong,
    wrong,
    { error: "ERR hash value is not an integer" },
    wrong,
    wrong,
    wrong,
    wrong,
    wrong,
    "string",
  ]);
});

Deno.test("collection keys from the request's bytes: a boxed string is WRONGTYPE, a TTL seen", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Longer than a record holds inline: boxed, as a string and as bytes (SETRANGE).
  await c.cmd("SET", "long", "x".repeat(20000));
  await c.cmd("SET", "bytes", "y".repeat(20000));
  await c.cmd("SETRANGE", "bytes", "5", "z");
  await c.cmd("SADD", "timed", "m");
  await c.cmd("PEXPIRE", "timed", "100000");
  await c.cmd("SADD", "gone", "m");
  await c.cmd("PEXPIRE", "gone", "1");
  await new Promise((resolve) => setTimeout(resolve, 20));
  const wrong = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
  const replies = await pipelineOneWrite(c, [
    ["SADD", "long", "m"],
    ["HGET", "bytes", "f"],
    ["LLEN", "long"],
    ["SISMEMBER", "bytes", "m"],
    ["SISMEMBER", "timed", "m"],
    ["HSET", "timed", "f", "v"],
    ["SISMEMBER", "gone", "m"],
    ["SADD", "gone", "n"],
    ["SMEMBERS", "gone"],
    ["STRLEN", "bytes"],
  ]);
  deepEqual(replies, [wrong, wrong, wrong, wrong, 1, wrong, 0, 1, ["n"], 20000]);
});

Deno.test("collection keys from the request's bytes: accounted as the same writes by string", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const members = Array.from({ length: 300 }, (_, i) => `member:${i}`);
  // One write a member (the key held) against one write of all (the key as a string).
  await pipelineOneWrite(c, members.map((m) => ["SADD", "held:set:0000000001", m]));
  await pipelineOneWrite(c, members.map((m) => ["HSET", "held:hash:000000001", m, m]));
  await pipelineOneWrite(c, members.map((m) => ["RPUSH", "held:list:000000001", m]));
  await c.cmd("SADD", "full:set:0000000001", ...members);
  await c.cmd("HSET", "full:hash:000000001", ...members.flatMap((m) => [m, m]));
  await c.cmd("RPUSH", "full:list:000000001", ...members);
  for (const [held, full] of [["set:0", "set:0"], ["hash:", "hash:"], ["list:", "list:"]]) {
    const usage = await pipelineOneWrite(c, [
      ["MEMORY", "USAGE", `held:${held}000000001`],
      ["MEMORY", "USAGE", `full:${full}000000001`],
    ]);
    ok(typeof usage[0] === "number" && usage[0] > 3000, String(usage[0]));
    equal(usage[0], usage[1], held);
  }
  // Popped to empty one at a time: the key goes, and the keyspace's account with it.
  await pipelineOneWrite(c, members.map(() => ["LPOP", "held:list:000000001"]));
  await pipelineOneWrite(c, members.map(() => ["SPOP", "held:set:0000000001"]));
  deepEqual(
    await pipelineOneWrite(c, [["EXISTS", "held:list:000000001"], [
      "EXISTS",
      "held:set:0000000001",
    ]]),
    [0, 0],
  );
});

Deno.test("collection keys from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const sent = KEYS.flatMap((k) => requests(k).map(([argv]) => argv));
  await pipelineOneWrite(c, sent);
  await expectMonitored(monitor, sent);
  const logged = await slowLogged(c);
  // Some writes are timed by sampling (Command.timedBySampling): logged only when sampled.
  const names = new Set(logged.map((argv) => argv[0]!));
  deepEqual(logged, sent.filter((argv) => names.has(argv[0]!)));
  ok(names.size >= 3, [...names].join());
});

Deno.test("collection keys from the request's bytes: ACL key patterns, checked and logged", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await admin.cmd("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all");
  equal(await c.cmd("AUTH", "app", "pw"), "OK");
  const denied = [
    ["SADD", "other", "m"],
    ["HSET", "other", "f", "v"],
    ["LPUSH", "other", "x"],
    ["LPOP", "other"],
    ["SPOP", "other"],
    ["SCARD", "other"],
  ];
  const replies = await pipelineOneWrite(c, [["SADD", "app:s", "m"], ...denied]);
  equal(replies[0], 1);
  for (const reply of replies.slice(1)) {
    ok(String((reply as { error: string }).error).startsWith("NOPERM"));
  }
  const log = await admin.cmd("ACL", "LOG") as unknown[][];
  deepEqual(log.map((entry) => entry[entry.indexOf("object") + 1]), ["other"]);
  equal(await admin.cmd("EXISTS", "other"), 0);
});

Deno.test("collection keys from the request's bytes: WATCH sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  for (const write of [["SADD", "m"], ["HSET", "f", "v"], ["RPUSH", "x"], ["LPOP"]]) {
    const key = "watched:000000000001";
    if (write[0] === "LPOP") await c.cmd("RPUSH", key + "x", "a");
    const target = write[0] === "LPOP" ? key + "x" : key;
    await c.cmd("DEL", key);
    equal(await watcher.cmd("WATCH", target), "OK");
    deepEqual((await pipelineOneWrite(c, [[write[0]!, target, ...write.slice(1)]])).length, 1);
    await expectWatchAborted(watcher);
  }
});

Deno.test("collection keys from the request's bytes: client tracking sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using tracker = await RespClient.connect(srv.port);
  const set = "tracked:set:00000001";
  const hash = "tracked:hash:0000001";
  await c.cmd("SADD", set, "a");
  await c.cmd("HSET", hash, "f", "v");
  await tracker.cmd("HELLO", "3");
  equal(await tracker.cmd("CLIENT", "TRACKING", "on"), "OK");
  deepEqual(await pipelineOneWrite(tracker, [["SISMEMBER", set, "a"], ["HGET", hash, "f"]]), [
    1,
    "v",
  ]);
  deepEqual(await pipelineOneWrite(c, [["SADD", set, "b"]]), [1]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [set]]);
  deepEqual(await pipelineOneWrite(c, [["HSET", hash, "f", "w"]]), [0]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [hash]]);
});

Deno.test("collection keys from the request's bytes: keyspace events name the key", async () => {
  await using srv = startServer({ "notify-keyspace-events": "Eshlg" });
  using c = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  const key = "notified:00000000001";
  const events = ["sadd", "spop", "del", "hset", "hincrby", "rpush", "lpop"];
  await sub.send("SUBSCRIBE", ...events.map((e) => `__keyevent@0__:${e}`));
  for (const _ of events) await sub.read();
  deepEqual(
    await pipelineOneWrite(c, [
      ["SADD", key, "a"],
      ["SPOP", key],
      ["HSET", key, "f", "1"],
      ["HINCRBY", key, "f", "1"],
      ["DEL", key],
      ["RPUSH", key, "x"],
      ["LPOP", key],
    ]),
    [1, "a", 1, 2, 1, 1, "x"],
  );
  for (const event of ["sadd", "spop", "del", "hset", "hincrby", "del", "rpush", "lpop", "del"]) {
    deepEqual(plain(await within(sub.read())), ["message", `__keyevent@0__:${event}`, key]);
  }
});

Deno.test("collection keys from the request's bytes: a push wakes a client blocked on the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using blocked = await RespClient.connect(srv.port);
  for (const push of ["LPUSH", "RPUSH"]) {
    const key = "queue:00000000000001";
    await blocked.send("BLPOP", key, "5");
    while (srv.server.blocking.blockedClients === 0) await new Promise((r) => setTimeout(r, 5));
    deepEqual(await pipelineOneWrite(c, [[push, key, "job"]]), [1]);
    deepEqual(plain(await within(blocked.read())), [key, "job"]);
    equal(await c.cmd("EXISTS", key), 0);
  }
});

Deno.test("collection keys from the request's bytes: a key with a TTL keeps it, one past it is gone", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "ttl:set1", "a");
  await c.cmd("EXPIRE", "ttl:set1", "100");
  await c.cmd("RPUSH", "gone:list", "a", "b");
  await c.cmd("PEXPIRE", "gone:list", "1");
  await c.cmd("HSET", "gone:hash", "f", "v");
  await c.cmd("PEXPIRE", "gone:hash", "1");
  await new Promise((r) => setTimeout(r, 10));
  deepEqual(
    await pipelineOneWrite(c, [
      ["SADD", "ttl:set1", "b"],
      ["SCARD", "ttl:set1"],
      ["LLEN", "gone:list"],
      ["RPUSH", "gone:list", "c"],
      ["HGET", "gone:hash", "f"],
      ["HSET", "gone:hash", "g", "w"],
    ]),
    [1, 2, 0, 1, null, 1],
  );
  const ttl = await c.cmd("TTL", "ttl:set1") as number;
  ok(ttl > 90 && ttl <= 100, String(ttl));
  deepEqual(await pipelineOneWrite(c, [["TTL", "gone:list"], ["TTL", "gone:hash"]]), [-1, -1]);
});

Deno.test("collection keys from the request's bytes outlive their batch in a MULTI queue and a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  deepEqual(
    await pipelineOneWrite(c, [["MULTI"], ["SADD", "queued:1", "a"], ["RPUSH", "queued:2", "x"]]),
    [
      "OK",
      "QUEUED",
      "QUEUED",
    ],
  );
  deepEqual(await pipelineOneWrite(c, [["SCARD", "none:zz"], ["EXEC"], ["SMEMBERS", "queued:1"]]), [
    "QUEUED",
    [1, 1, 0],
    ["a"],
  ]);
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("HSET", "paused:1", "f", "v");
  await c.send("LPUSH", "paused:2", "y");
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read())], [1, 1]);
  deepEqual(
    await pipelineOneWrite(c, [["HGET", "paused:1", "f"], ["LRANGE", "paused:2", "0", "-1"]]),
    [
      "v",
      ["y"],
    ],
  );
});

Deno.test("collection keys from the request's bytes: a snapshot's copy-on-write sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectSnapshotSees(srv.server, c, [
    ["SADD", "cow:0000000000000001", "a"],
    ["HSET", "cow:0000000000000002", "f", "v"],
    ["LPUSH", "cow:0000000000000003", "x"],
    ["SPOP", "cow:0000000000000001"],
  ]);
});
