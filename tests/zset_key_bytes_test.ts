/**
 * ZADD key score member and ZQUERY (the book's) look their key up from the
 * request's bytes over both protocols (protocol/bytes.ts, keys left as
 * bytes), as key_bytes_collections_test.ts checks for SADD and HSET.
 * Everything else that reads the key must still see it as sent: the AOF and
 * replicas, MONITOR, the slow log, WATCH, tracking, keyspace events, a
 * client blocked on the key, a MULTI queue, and the memory account.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { encodeNativeRequest } from "../protocol/native.ts";
import {
  expectMonitored,
  expectRepliesPropagated,
  expectWatchAborted,
  heldKeyShapes,
  NativeClient,
  nativePlain,
  pipelineOneWrite,
  plain,
  propagatedBy,
  RespClient,
  slowLogged,
  startServer,
  within,
} from "./helpers.ts";

const KEYS = heldKeyShapes("myzset", "zset:00000000000001");
/** A member long enough to be left as bytes too (protocol/bytes.ts, VALUE_DEFER_MIN). */
const LONG = "member:0000000000000024";

/** Each key's requests in every form that holds the key, names in any case, and their RESP replies. */
function requests(key: string): [string[], unknown][] {
  return [
    [["ZADD", key, "1", "a"], 1],
    [["zadd", key, "1", "a"], 0],
    [["ZADD", key, "2.5", "a"], 0],
    [["zadd", key, "-0", "b"], 1],
    [["ZQUERY", key, "0", "", "0", "10"], ["b", "0", "a", "2.5"]],
    [["zquery", key, "1", "", "-1", "3"], ["b", "0", "a", "2.5"]],
    [["ZADD", key, "1", LONG], 1],
    [["zadd", key, "1", LONG], 0],
    [["ZADD", key, "4", LONG], 0],
    [["ZADD", key, "NX", LONG], { error: "ERR syntax error" }],
    [["ZADD", key, "NX", "c"], { error: "ERR syntax error" }],
    [["ZADD", key, "x", "c"], { error: "ERR value is not a valid float" }],
    [["ZADD", key, "nan", "c"], { error: "ERR value is not a valid float" }],
    [["ZRANGE", key, "0", "-1", "WITHSCORES"], ["b", "0", "a", "2.5", LONG, "4"]],
    [["DEL", key], 1],
    [["ZQUERY", key, "0", "", "0", "10"], []],
  ];
}

/** What the AOF and replicas see of requests(key). */
function propagated(key: string): string[][] {
  return [
    ["ZADD", key, "1", "a"],
    ["ZADD", key, "2.5", "a"],
    ["zadd", key, "-0", "b"],
    ["ZADD", key, "1", LONG],
    ["ZADD", key, "4", LONG],
    ["DEL", key],
  ];
}

Deno.test("zset keys from the request's bytes: replies, and writes propagated as sent", async () => {
  await expectRepliesPropagated(KEYS, requests, propagated);
});

Deno.test("zset keys from the request's bytes: native replies and propagation", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  const seen = propagatedBy(srv.server);
  for (const key of KEYS) {
    const sent = [
      ["zadd", key, "1", "a"],
      ["zadd", key, "1", "a"],
      ["zadd", key, "3", "a"],
      ["zadd", key, "2", "b"],
      ["zquery", key, "2", "", "0", "10"],
      ["zquery", key, "0", "", "1", "2"],
      ["zadd", key, "xx", "a"],
      ["zadd", key, "1e400", "a"],
      ["zadd", key, "5", LONG],
      ["zadd", key, "5", LONG],
      ["zadd", key, "6", LONG],
      ["zquery", key, "4", "", "0", "10"],
    ];
    const frames = sent.map(encodeNativeRequest);
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (all.set(f, at), at + f.length), 0);
    await c.writeRaw(all);
    const replies = [];
    for (const _ of sent) replies.push(nativePlain(await c.read()));
    deepEqual(replies, [
      1,
      0,
      0,
      1,
      ["b", 2, "a", 3],
      ["a", 3],
      { code: 4, error: "ERR syntax error" },
      { code: 4, error: "ERR value is not a valid float" },
      1,
      0,
      0,
      [LONG, 6],
    ], JSON.stringify(key));
  }
  deepEqual(
    seen,
    KEYS.flatMap((
      key,
    ) => [
      ["zadd", key, "1", "a"],
      ["zadd", key, "3", "a"],
      ["zadd", key, "2", "b"],
      ["zadd", key, "5", LONG],
      ["zadd", key, "6", LONG],
    ]),
  );
});

Deno.test("zset keys from the request's bytes: WRONGTYPE", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "text", "abc");
  const wrong = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
  deepEqual(
    await pipelineOneWrite(c, [
      ["ZADD", "text", "1", "m"],
      ["ZQUERY", "text", "0", "", "0", "10"],
      ["ZADD", "text", "x", "m"],
      ["GET", "text"],
    ]),
    [wrong, wrong, { error: "ERR value is not a valid float" }, "abc"],
  );
});

Deno.test("zset keys from the request's bytes: accounted as the same writes by string", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Past the listpack limit (128), and back below none: both encodings.
  // Every other member long enough to be left as bytes.
  const members = Array.from({ length: 300 }, (_, i) => `member:${i}`.padEnd(i & 1 ? 24 : 0, "x"));
  await pipelineOneWrite(c, members.map((m, i) => ["ZADD", "held:zset:000000001", String(i), m]));
  await c.cmd("ZADD", "full:zset:000000001", ...members.flatMap((m, i) => [String(i), m]));
  const usage = await pipelineOneWrite(c, [
    ["MEMORY", "USAGE", "held:zset:000000001"],
    ["MEMORY", "USAGE", "full:zset:000000001"],
  ]);
  ok(typeof usage[0] === "number" && usage[0] > 3000, String(usage[0]));
  equal(usage[0], usage[1]);
  // Score changes in place are accounted again too.
  await pipelineOneWrite(c, members.map((m) => ["ZADD", "held:zset:000000001", "1.5", m]));
  await c.cmd("ZADD", "full:zset:000000001", ...members.flatMap((m) => ["1.5", m]));
  const changed = await pipelineOneWrite(c, [
    ["MEMORY", "USAGE", "held:zset:000000001"],
    ["MEMORY", "USAGE", "full:zset:000000001"],
  ]);
  equal(changed[0], changed[1]);
});

Deno.test("zset keys from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const sent = KEYS.flatMap((k) => requests(k).map(([argv]) => argv));
  await pipelineOneWrite(c, sent);
  await expectMonitored(monitor, sent);
  const logged = await slowLogged(c);
  const names = new Set(logged.map((argv) => argv[0]!));
  deepEqual(logged, sent.filter((argv) => names.has(argv[0]!)));
  ok(names.has("ZQUERY") || names.has("zquery"), [...names].join());
});

Deno.test("zset keys from the request's bytes: WATCH, tracking and keyspace events see the key", async () => {
  await using srv = startServer({ "notify-keyspace-events": "Ez" });
  using c = await RespClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  using tracker = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  const key = "watched:000000000001";
  await c.cmd("ZADD", key, "1", "a");
  equal(await watcher.cmd("WATCH", key), "OK");
  await tracker.cmd("HELLO", "3");
  equal(await tracker.cmd("CLIENT", "TRACKING", "on"), "OK");
  deepEqual(await pipelineOneWrite(tracker, [["ZQUERY", key, "0", "", "0", "2"]]), [["a", "1"]]);
  await sub.send("SUBSCRIBE", "__keyevent@0__:zadd");
  await sub.read();
  // An unchanged score changes nothing: no event, no invalidation.
  deepEqual(await pipelineOneWrite(c, [["ZADD", key, "1", "a"], ["ZADD", key, "2", "a"]]), [0, 0]);
  deepEqual(plain(await within(tracker.read())), ["invalidate", [key]]);
  deepEqual(plain(await within(sub.read())), ["message", "__keyevent@0__:zadd", key]);
  await expectWatchAborted(watcher);
});

Deno.test("zset keys from the request's bytes: a ZADD wakes a client blocked on the key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using blocked = await RespClient.connect(srv.port);
  const key = "queue:00000000000001";
  await blocked.send("BZPOPMIN", key, "5");
  while (srv.server.blocking.blockedClients === 0) await new Promise((r) => setTimeout(r, 5));
  deepEqual(await pipelineOneWrite(c, [["ZADD", key, "7", "job"]]), [1]);
  deepEqual(plain(await within(blocked.read())), [key, "job", "7"]);
  equal(await c.cmd("EXISTS", key), 0);
});

Deno.test("zset keys from the request's bytes: a TTL kept, a key past it gone, a MULTI queue", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("ZADD", "ttl:zset", "1", "a");
  await c.cmd("EXPIRE", "ttl:zset", "100");
  await c.cmd("ZADD", "gone:zset", "1", "a");
  await c.cmd("PEXPIRE", "gone:zset", "1");
  await new Promise((r) => setTimeout(r, 10));
  deepEqual(
    await pipelineOneWrite(c, [
      ["ZADD", "ttl:zset", "2", "b"],
      ["ZQUERY", "gone:zset", "0", "", "0", "10"],
      ["ZADD", "gone:zset", "3", "c"],
      ["ZQUERY", "gone:zset", "0", "", "0", "10"],
      ["TTL", "gone:zset"],
    ]),
    [1, [], 1, ["c", "3"], -1],
  );
  const ttl = await c.cmd("TTL", "ttl:zset") as number;
  ok(ttl > 90 && ttl <= 100, String(ttl));
  deepEqual(
    await pipelineOneWrite(c, [["MULTI"], ["ZADD", "queued:1", "1", "a"], [
      "ZQUERY",
      "queued:1",
      "0",
      "",
      "0",
      "2",
    ]]),
    ["OK", "QUEUED", "QUEUED"],
  );
  deepEqual(await pipelineOneWrite(c, [["ZCARD", "none:zz"], ["EXEC"]]), [
    "QUEUED",
    [1, ["a", "1"], 0],
  ]);
});
