/**
 * GET, EXISTS, DEL, UNLINK and the INCR family look their key up from the request's
 * bytes, without its string (protocol/bytes.ts, keys left as bytes).
 * Everything else that reads the key must still see it as sent: the AOF and
 * replicas, MONITOR, the slow log, ACL key checks, WATCH, client tracking,
 * keyspace events, a key with a TTL, a MULTI queue or a paused client that
 * runs the request after its batch.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  expectMonitored,
  expectSnapshotSees,
  expectWatchAborted,
  heldKeyShapes,
  pipelineOneWrite,
  plain,
  propagatedBy,
  RespClient,
  slowLogged,
  startServer,
  within,
} from "./helpers.ts";

const KEYS = heldKeyShapes("counter:000000000000");

/** Each key's writes, in every form a key is left as bytes in, names in any case. */
function writes(key: string): string[][] {
  return [
    ["INCR", key],
    ["incrby", key, "41"],
    ["DeCr", key],
    ["DECRBY", key, "2"],
    // Over a value of its length (written in place from the key's bytes), then of another.
    ["SET", key, "40"],
    ["set", key, "forty"],
    // Deleted at the slot its lookup found (KeyTable.deleteAt), then made again.
    ["DEL", key],
    ["SET", key, "forty"],
    ["unlink", key],
    ["SET", key, "forty"],
    // Grown where it lies, then moved to a record with room (KeyTable.editInlineOf).
    ["APPEND", key, "-two"],
    ["append", key, "x".repeat(40)],
  ];
}

Deno.test("keys from the request's bytes: replies, and writes propagated as sent", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const propagated = propagatedBy(srv.server);
  const requests = KEYS.flatMap((k) => [
    ["GET", k],
    ["EXISTS", k],
    ...writes(k),
    ["get", k],
    ["exists", k],
    ["DEL", k],
    // A missing key: answered 0, not propagated.
    ["del", k],
    ["UNLINK", k],
  ]);
  const replies = await pipelineOneWrite(c, requests);
  deepEqual(
    replies,
    KEYS.flatMap(() => [
      ...[null, 0, 1, 42, 41, 39, "OK", "OK", 1, "OK", 1, "OK", 9, 49],
      ...[`forty-two${"x".repeat(40)}`, 1, 1, 0, 0],
    ]),
  );
  deepEqual(propagated.splice(0), KEYS.flatMap((k) => [...writes(k), ["DEL", k]]));
  for (const k of KEYS) await c.cmd("SET", k, "forty");
  // Values written again by another client read back under the same keys.
  using other = await RespClient.connect(srv.port);
  for (const [i, k] of KEYS.entries()) equal(await other.cmd("SET", k, `v${i}`), "OK");
  deepEqual(await pipelineOneWrite(c, KEYS.map((k) => ["GET", k])), KEYS.map((_, i) => `v${i}`));
});

Deno.test("keys from the request's bytes: errors, a sum that changes length, a missing key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("RPUSH", "list", "a");
  await c.cmd("SET", "text", "abc");
  await c.cmd("SET", "nine", "9");
  const replies = await pipelineOneWrite(c, [
    ["GET", "list"],
    ["INCR", "text"],
    ["INCR", "nine"],
    ["DECR", "nine"],
    ["INCRBY", "fresh", "5"],
    ["INCRBY", "fresh", "x"],
    ["DECRBY", "big:key1", "9223372036854775807"],
    ["EXISTS", "list"],
  ]);
  deepEqual(replies, [
    { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
    { error: "ERR value is not an integer or out of range" },
    10,
    9,
    5,
    { error: "ERR value is not an integer or out of range" },
    -9223372036854775807n,
    1,
  ]);
});

Deno.test("keys from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const requests = KEYS.flatMap((k) => [
    ["GET", k],
    ["INCR", k],
    ["SET", k, "7"],
    ["EXISTS", k],
    ["DEL", k],
    ["DEL", k],
  ]);
  await pipelineOneWrite(c, requests);
  await expectMonitored(monitor, requests);
  // SET and DEL are timed by sampling (Command.timedBySampling): logged only when sampled.
  const sampled = (argv: string[]) => argv[0] === "SET" || argv[0] === "DEL";
  const logged = (await slowLogged(c)).filter((argv) => !sampled(argv));
  deepEqual(logged, requests.filter((argv) => !sampled(argv)));
});

Deno.test("keys from the request's bytes: ACL key patterns, checked and logged", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await admin.cmd("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all");
  await admin.cmd("SET", "app:n", "1");
  await admin.cmd("SET", "other", "1");
  equal(await c.cmd("AUTH", "app", "pw"), "OK");
  await admin.cmd("SET", "other:2", "1");
  const replies = await pipelineOneWrite(c, [
    ["GET", "app:n"],
    ["INCR", "other"],
    ["EXISTS", "other"],
    ["DEL", "other:2"],
    ["DEL", "app:n"],
  ]);
  equal(replies[0], "1");
  ok(String((replies[1] as { error: string }).error).startsWith("NOPERM"));
  ok(String((replies[2] as { error: string }).error).startsWith("NOPERM"));
  ok(String((replies[3] as { error: string }).error).startsWith("NOPERM"));
  equal(replies[4], 1);
  const log = await admin.cmd("ACL", "LOG") as unknown[][];
  deepEqual(log.map((entry) => entry[entry.indexOf("object") + 1]), ["other:2", "other"]);
  equal(await admin.cmd("GET", "other"), "1");
  equal(await admin.cmd("GET", "other:2"), "1");
});

Deno.test("keys from the request's bytes: WATCH sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  const key = "watched:000000000001";
  await c.cmd("SET", key, "1");
  equal(await watcher.cmd("WATCH", key), "OK");
  deepEqual(await pipelineOneWrite(c, [["INCR", key]]), [2]);
  await expectWatchAborted(watcher, ["GET", key]);
  equal(await watcher.cmd("WATCH", key), "OK");
  deepEqual(await pipelineOneWrite(c, [["DEL", key]]), [1]);
  await expectWatchAborted(watcher, ["GET", key]);
});

Deno.test("keys from the request's bytes: client tracking sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using tracker = await RespClient.connect(srv.port);
  const key = "tracked:000000000001";
  await c.cmd("SET", key, "1");
  await tracker.cmd("HELLO", "3");
  equal(await tracker.cmd("CLIENT", "TRACKING", "on"), "OK");
  deepEqual(await pipelineOneWrite(tracker, [["GET", key], ["EXISTS", key]]), ["1", 1]);
  deepEqual(await pipelineOneWrite(c, [["INCR", key]]), [2]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [key]]);
  // Its own write: the invalidation follows the reply.
  deepEqual(await pipelineOneWrite(tracker, [["GET", key], ["INCRBY", key, "2"]]), ["2", 4]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [key]]);
  deepEqual(await pipelineOneWrite(tracker, [["GET", key]]), ["4"]);
  deepEqual(await pipelineOneWrite(c, [["DEL", key]]), [1]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [key]]);
});

Deno.test("keys from the request's bytes: keyspace events name the key", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$g" });
  using c = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  const key = "notified:00000000001";
  await sub.send("SUBSCRIBE", "__keyevent@0__:incrby", "__keyevent@0__:set", "__keyevent@0__:del");
  for (let i = 0; i < 3; i++) await sub.read();
  deepEqual(await pipelineOneWrite(c, [["INCR", key], ["SET", key, "2"], ["DEL", key]]), [
    1,
    "OK",
    1,
  ]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:incrby", key]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:set", key]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:del", key]);
});

Deno.test("keys from the request's bytes: a snapshot's copy-on-write sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectSnapshotSees(srv.server, c, [
    ["INCR", "cow:0000000000000001"],
    ["INCRBY", "cow", "2"],
    ["DEL", "cow:0000000000000001"],
  ]);
});

Deno.test("keys from the request's bytes: a key with a TTL keeps it, one past it is gone", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "ttl:key1", "1", "EX", "100");
  await c.cmd("SET", "gone", "1", "PX", "1");
  await new Promise((r) => setTimeout(r, 10));
  deepEqual(
    await pipelineOneWrite(c, [["INCR", "ttl:key1"], ["GET", "gone"], ["EXISTS", "gone"]]),
    [
      2,
      null,
      0,
    ],
  );
  const ttl = await c.cmd("TTL", "ttl:key1") as number;
  ok(ttl > 90 && ttl <= 100, String(ttl));
  // DEL of a key past its TTL answers 0 (expired, not deleted); of one before it, 1.
  await c.cmd("SET", "gone:2", "1", "PX", "1");
  await c.cmd("SET", "kept:2", "1");
  await new Promise((r) => setTimeout(r, 10));
  deepEqual(
    await pipelineOneWrite(c, [["DEL", "gone:2"], ["DEL", "ttl:key1"], ["UNLINK", "kept:2"]]),
    [0, 1, 1],
  );
  // SET clears a TTL, also over a value of its length.
  await c.cmd("SET", "ttl:key2", "1", "EX", "100");
  deepEqual(await pipelineOneWrite(c, [["SET", "ttl:key2", "2"], ["TTL", "ttl:key2"]]), ["OK", -1]);
});

Deno.test("keys from the request's bytes outlive their batch in a MULTI queue and a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  // Queued in one batch, run by EXEC in the next, after the buffer held other requests.
  await c.cmd("SET", "queued:2", "x");
  deepEqual(
    await pipelineOneWrite(c, [["MULTI"], ["INCR", "queued:1"], ["GET", "queued:1"], [
      "DEL",
      "queued:2",
    ]]),
    ["OK", "QUEUED", "QUEUED", "QUEUED"],
  );
  deepEqual(await pipelineOneWrite(c, [["EXISTS", "none:zz"], ["EXEC"], ["GET", "queued:1"]]), [
    "QUEUED",
    [1, "1", 1, 0],
    "1",
  ]);
  // Held by CLIENT PAUSE until after its batch, while the client sends more.
  await other.cmd("SET", "paused:3", "x");
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("INCR", "paused:1");
  await c.send("INCRBY", "paused:2", "7");
  await c.send("DEL", "paused:3");
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read()), plain(await c.read())], [1, 7, 1]);
  deepEqual(await pipelineOneWrite(c, [["GET", "paused:1"], ["GET", "paused:2"]]), ["1", "7"]);
});

Deno.test("DEL from the request's bytes: a client blocked on the key stays blocked, then is served", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using blocked = await RespClient.connect(srv.port);
  const key = "stream:0000000000002";
  await c.cmd("XADD", key, "1-1", "f", "v");
  await blocked.send("XREAD", "BLOCK", "5000", "STREAMS", key, "$");
  while (srv.server.blocking.blockedClients === 0) await new Promise((r) => setTimeout(r, 5));
  deepEqual(await pipelineOneWrite(c, [["DEL", key]]), [1]);
  equal(srv.server.blocking.blockedClients, 1);
  deepEqual(await pipelineOneWrite(c, [["XADD", key, "2-1", "f", "w"]]), ["2-1"]);
  deepEqual(plain(await within(blocked.read())), [[key, [["2-1", ["f", "w"]]]]]);
});

Deno.test("MSET, MGET, EXISTS and DEL hash and compare each key from the request's bytes: replies, MULTI, a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  const mset = ["MSET", ...KEYS.flatMap((k, i) => [k, `v${i}`]), KEYS[3]!, "again"];
  const values = KEYS.map((_, i) => i === 3 ? "again" : `v${i}`);
  deepEqual(await pipelineOneWrite(c, [mset, ["MGET", ...KEYS]]), ["OK", values]);
  // Over values of other lengths, then queued in MULTI and run by EXEC in a later batch.
  const other2 = ["MSET", ...KEYS.flatMap((k) => [k, "longer value"])];
  deepEqual(await pipelineOneWrite(c, [["MULTI"], other2]), ["OK", "QUEUED"]);
  deepEqual(await pipelineOneWrite(c, [["GET", KEYS[4]!], ["EXEC"], ["MGET", ...KEYS]]), [
    "QUEUED",
    ["OK", "longer value"],
    KEYS.map(() => "longer value"),
  ]);
  // Queued, then run by EXEC in the same batch after other requests took the decoder's spans.
  deepEqual(
    await pipelineOneWrite(c, [
      ["MULTI"],
      ["MSET", "queued:key:1", "a", "queued:key:22", "b"],
      ["SET", "other:key:333", "c"],
      ["EXEC"],
      ["MGET", "queued:key:1", "queued:key:22", "other:key:333"],
      ["DEL", "queued:key:1", "queued:key:22", "other:key:333"],
    ]),
    ["OK", "QUEUED", "QUEUED", ["OK", "OK"], ["a", "b", "c"], 3],
  );
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send(...mset);
  await c.send("GET", KEYS[5]!);
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read())], ["OK", "v5"]);
  deepEqual(await other.cmd("MGET", ...KEYS), values);
  equal(await other.cmd("DBSIZE"), KEYS.length);
  // EXISTS and DEL of many keys note each in turn too.
  deepEqual(await pipelineOneWrite(c, [["EXISTS", ...KEYS, "none"], ["DEL", "none", ...KEYS]]), [
    KEYS.length,
    KEYS.length,
  ]);
  equal(await other.cmd("DBSIZE"), 0);
});
