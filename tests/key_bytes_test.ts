/**
 * GET, EXISTS and the INCR family look their key up from the request's
 * bytes, without its string (protocol/bytes.ts, keys left as bytes).
 * Everything else that reads the key must still see it as sent: the AOF and
 * replicas, MONITOR, the slow log, ACL key checks, WATCH, client tracking,
 * keyspace events, a key with a TTL, a MULTI queue or a paused client that
 * runs the request after its batch.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  expectMonitored,
  pipelineOneWrite,
  plain,
  RespClient,
  slowLogged,
  startServer,
  within,
} from "./helpers.ts";

/** Keys on both sides of the shortest and longest left as bytes (4, 32), binary ones, the empty key. */
const KEYS = [
  "k",
  "kkk",
  "kkkk",
  "counter:000000000000",
  "x".repeat(32),
  "y".repeat(33),
  "\x00\xff\x80\r\n key",
  "",
];

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
  ];
}

Deno.test("keys from the request's bytes: replies, and writes propagated as sent", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const propagated: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => propagated.push([...argv]) });
  const requests = KEYS.flatMap((k) => [
    ["GET", k],
    ["EXISTS", k],
    ...writes(k),
    ["get", k],
    ["exists", k],
  ]);
  const replies = await pipelineOneWrite(c, requests);
  deepEqual(replies, KEYS.flatMap(() => [null, 0, 1, 42, 41, 39, "OK", "OK", "forty", 1]));
  deepEqual(propagated, KEYS.flatMap(writes));
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
  const requests = KEYS.flatMap((k) => [["GET", k], ["INCR", k], ["SET", k, "7"], ["EXISTS", k]]);
  await pipelineOneWrite(c, requests);
  await expectMonitored(monitor, requests);
  const logged = (await slowLogged(c)).filter((argv) => argv[0] !== "SET");
  // SET is timed by sampling (Command.timedBySampling): logged only when sampled.
  deepEqual(logged, requests.filter((argv) => argv[0] !== "SET"));
});

Deno.test("keys from the request's bytes: ACL key patterns, checked and logged", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await admin.cmd("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all");
  await admin.cmd("SET", "app:n", "1");
  await admin.cmd("SET", "other", "1");
  equal(await c.cmd("AUTH", "app", "pw"), "OK");
  const replies = await pipelineOneWrite(c, [["GET", "app:n"], ["INCR", "other"], [
    "EXISTS",
    "other",
  ]]);
  equal(replies[0], "1");
  ok(String((replies[1] as { error: string }).error).startsWith("NOPERM"));
  ok(String((replies[2] as { error: string }).error).startsWith("NOPERM"));
  const log = await admin.cmd("ACL", "LOG") as unknown[][];
  deepEqual(log.map((entry) => entry[entry.indexOf("object") + 1]), ["other"]);
  equal(await admin.cmd("GET", "other"), "1");
});

Deno.test("keys from the request's bytes: WATCH sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  const key = "watched:000000000001";
  await c.cmd("SET", key, "1");
  equal(await watcher.cmd("WATCH", key), "OK");
  deepEqual(await pipelineOneWrite(c, [["INCR", key]]), [2]);
  deepEqual(await pipelineOneWrite(watcher, [["MULTI"], ["GET", key], ["EXEC"]]), [
    "OK",
    "QUEUED",
    null,
  ]);
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
});

Deno.test("keys from the request's bytes: keyspace events name the key", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$" });
  using c = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  const key = "notified:00000000001";
  await sub.send("SUBSCRIBE", "__keyevent@0__:incrby", "__keyevent@0__:set");
  await sub.read();
  await sub.read();
  deepEqual(await pipelineOneWrite(c, [["INCR", key], ["SET", key, "2"]]), [1, "OK"]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:incrby", key]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:set", key]);
});

Deno.test("keys from the request's bytes: a snapshot's copy-on-write sees the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const seen: string[][] = [];
  const watcher = (_ctx: unknown, _command: unknown, argv: readonly string[]) =>
    void seen.push([...argv]);
  srv.server.writeWatchers.add(watcher);
  await pipelineOneWrite(c, [["INCR", "cow:0000000000000001"], ["INCRBY", "cow", "2"]]);
  srv.server.writeWatchers.delete(watcher);
  deepEqual(seen, [["INCR", "cow:0000000000000001"], ["INCRBY", "cow", "2"]]);
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
  // SET clears a TTL, also over a value of its length.
  await c.cmd("SET", "ttl:key2", "1", "EX", "100");
  deepEqual(await pipelineOneWrite(c, [["SET", "ttl:key2", "2"], ["TTL", "ttl:key2"]]), ["OK", -1]);
});

Deno.test("keys from the request's bytes outlive their batch in a MULTI queue and a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  // Queued in one batch, run by EXEC in the next, after the buffer held other requests.
  deepEqual(await pipelineOneWrite(c, [["MULTI"], ["INCR", "queued:1"], ["GET", "queued:1"]]), [
    "OK",
    "QUEUED",
    "QUEUED",
  ]);
  deepEqual(await pipelineOneWrite(c, [["EXISTS", "none:zz"], ["EXEC"], ["GET", "queued:1"]]), [
    "QUEUED",
    [1, "1", 0],
    "1",
  ]);
  // Held by CLIENT PAUSE until after its batch, while the client sends more.
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("INCR", "paused:1");
  await c.send("INCRBY", "paused:2", "7");
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read())], [1, 7]);
  deepEqual(await pipelineOneWrite(c, [["GET", "paused:1"], ["GET", "paused:2"]]), ["1", "7"]);
});
