/**
 * MSET and MSETNX store their keys and values from the request's bytes, without
 * their strings (protocol/bytes.ts, HeldArguments). Everything else that reads
 * them must still see them as sent: the AOF and replicas, MONITOR, the slow
 * log, ACL key checks, WATCH, client tracking, keyspace events, a snapshot's
 * copy-on-write, TTLs, a MULTI queue run in a later batch.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  expectMonitored,
  expectSnapshotSees,
  expectWatchAborted,
  pipelineOneWrite,
  plain,
  propagatedBy,
  RespClient,
  slowLogged,
  startServer,
  within,
} from "./helpers.ts";

/** Keys of every shape after a first one of 4 to 32 bytes (which decides whether bytes are held). */
const KEYS = [
  "mset:000000000001",
  "k",
  "",
  "x".repeat(33),
  "\x00\xff\x80\r\n key",
  "y".repeat(1100),
];
/** Values of every shape: empty, binary, an integer, long ones. */
const VALUES = ["", "\x00\xff\r\n", "12345", "v".repeat(100), "w".repeat(5000), "1"];

const pairs = (values: string[]) => KEYS.flatMap((k, i) => [k, values[i]!]);

function writes(): string[][] {
  return [
    ["MSET", ...pairs(VALUES)],
    // Over values of the same lengths (written in place), then of others.
    ["mset", ...pairs(VALUES.map((v) => v.replace(/./g, "z")))],
    ["MSET", ...pairs(VALUES.map((v) => v + "!"))],
    // A key repeated: the last value wins.
    ["MSET", KEYS[0]!, "first", KEYS[1]!, "b", KEYS[0]!, "last"],
    // MSETNX: nothing set when one key exists, all when none does.
    ["MSETNX", "new:key:000000001", "a", KEYS[1]!, "b"],
    ["msetnx", "new:key:000000001", "a", "new:key:2", "b", "new:key:000000001", "c"],
  ];
}

Deno.test("MSET from the request's bytes: replies, values, and writes propagated as sent", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("RPUSH", KEYS[1]!, "a list");
  const propagated = propagatedBy(srv.server);
  const requests = writes();
  deepEqual(await pipelineOneWrite(c, requests), ["OK", "OK", "OK", "OK", 0, 1]);
  deepEqual(propagated.splice(0), requests.filter((_, i) => i !== 4));
  deepEqual(
    await c.cmd("MGET", ...KEYS, "new:key:000000001", "new:key:2"),
    ["last", "b", ...VALUES.slice(2).map((v) => v + "!"), "c", "b"],
  );
  equal(await c.cmd("OBJECT", "ENCODING", KEYS[0]!), "embstr");
  await c.cmd("MSET", KEYS[0]!, "1234");
  equal(await c.cmd("OBJECT", "ENCODING", KEYS[0]!), "int");
  equal(await c.cmd("DBSIZE"), KEYS.length + 2);
});

Deno.test("MSET from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const requests = writes();
  await pipelineOneWrite(c, requests);
  await expectMonitored(monitor, requests);
  const logged = (await slowLogged(c)).filter((argv) => argv[0]!.toUpperCase().startsWith("MSET"));
  // The slow log cuts an entry to 32 arguments and each to 128 bytes.
  const cut = (argv: string[]) =>
    argv.map((a) => a.length > 128 ? a.slice(0, 128) + `... (${a.length - 128} more bytes)` : a);
  deepEqual(logged, requests.map(cut));
});

Deno.test("MSET from the request's bytes: ACL key patterns, checked and logged", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await admin.cmd("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all");
  equal(await c.cmd("AUTH", "app", "pw"), "OK");
  const replies = await pipelineOneWrite(c, [
    ["MSET", "app:0000000001", "1", "other:000000001", "2"],
    ["MSETNX", "app:0000000002", "1", "app:3"],
    ["MSET", "app:0000000002", "1", "app:3", "2"],
  ]);
  ok(String((replies[0] as { error: string }).error).startsWith("NOPERM"));
  ok(String((replies[1] as { error: string }).error).startsWith("ERR wrong number"));
  equal(replies[2], "OK");
  const log = await admin.cmd("ACL", "LOG") as unknown[][];
  deepEqual(log.map((entry) => entry[entry.indexOf("object") + 1]), ["other:000000001"]);
  deepEqual(await admin.cmd("MGET", "app:0000000001", "app:0000000002", "app:3"), [null, "1", "2"]);
});

Deno.test("MSET from the request's bytes: WATCH, tracking and keyspace events see each key", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$" });
  using c = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  using tracker = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  const [a, b] = ["watched:00000001", "watched:00000002"];
  await c.cmd("MSET", a, "1", b, "1");
  equal(await watcher.cmd("WATCH", b), "OK");
  await tracker.cmd("HELLO", "3");
  equal(await tracker.cmd("CLIENT", "TRACKING", "on"), "OK");
  deepEqual(await pipelineOneWrite(tracker, [["GET", b]]), ["1"]);
  await sub.send("SUBSCRIBE", "__keyevent@0__:set");
  await sub.read();
  deepEqual(await pipelineOneWrite(c, [["MSET", a, "2", b, "2", a, "3"]]), ["OK"]);
  await expectWatchAborted(watcher, ["GET", b]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [b]]);
  for (const key of [a, b, a]) {
    deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:set", key]);
  }
  deepEqual(await c.cmd("MGET", a, b), ["3", "2"]);
});

Deno.test("MSET from the request's bytes: a snapshot's copy-on-write, TTLs, a MULTI queue", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectSnapshotSees(srv.server, c, [["MSET", "cow:000000000001", "1", "cow:2", "22"]]);
  // MSET clears a TTL, over a value of its length too; MSETNX sees a key past its TTL as gone.
  await c.cmd("SET", "ttl:000000000001", "1", "EX", "100");
  await c.cmd("SET", "gone:00000000001", "1", "PX", "1");
  await new Promise((r) => setTimeout(r, 10));
  deepEqual(
    await pipelineOneWrite(c, [
      ["MSET", "ttl:000000000001", "2"],
      ["TTL", "ttl:000000000001"],
      ["MSETNX", "gone:00000000001", "2", "fresh:0000000001", "3"],
      ["MGET", "ttl:000000000001", "gone:00000000001", "fresh:0000000001"],
    ]),
    ["OK", -1, 1, ["2", "2", "3"]],
  );
  // Queued in one batch, run by EXEC in the next, after the buffer held other requests.
  deepEqual(
    await pipelineOneWrite(c, [["MULTI"], ["MSETNX", "queued:000000001", "a", "queued:2", "b"]]),
    ["OK", "QUEUED"],
  );
  deepEqual(
    await pipelineOneWrite(c, [["MSET", "other:0000000001", "zz"], ["EXEC"], [
      "MGET",
      "queued:000000001",
      "queued:2",
    ]]),
    ["QUEUED", [1, "OK"], ["a", "b"]],
  );
});

Deno.test("MSET from the request's bytes outlives its batch in a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("MSET", "paused:000000001", "a", "paused:2", "bb");
  await c.send("MSETNX", "paused:000000003", "c", "paused:000000001", "d");
  await c.send("MSET", "paused:000000004", "e", "paused:000000004", "ff");
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read()), plain(await c.read())], ["OK", 0, "OK"]);
  deepEqual(
    await other.cmd("MGET", "paused:000000001", "paused:2", "paused:000000003", "paused:000000004"),
    ["a", "bb", null, "ff"],
  );
});
