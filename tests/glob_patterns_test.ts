/**
 * Every command that matches a client's glob pattern answers a pathological
 * pattern (CVE-2022-36021's shape) and the server keeps serving others.
 * Expected replies were checked against redis-server 7.0.15.
 */
import { deepEqual } from "node:assert/strict";
import { plain, RespClient, startServer } from "./helpers.ts";

const SUBJECT = "a".repeat(40);
const HOSTILE = "a*".repeat(20) + "b";

Deno.test("pathological patterns: KEYS, SCAN, *SCAN, CONFIG GET, COMMAND LIST answer", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", SUBJECT, "1"), "OK");
  deepEqual(await c.cmd("HSET", "h", SUBJECT, "1"), 1);
  deepEqual(await c.cmd("SADD", "s", SUBJECT), 1);
  deepEqual(await c.cmd("ZADD", "z", "1", SUBJECT), 1);
  deepEqual(await c.cmd("KEYS", HOSTILE), []);
  deepEqual(await other.cmd("PING"), "PONG");
  deepEqual(await c.cmd("SCAN", "0", "MATCH", HOSTILE, "COUNT", "100"), ["0", []]);
  deepEqual(await c.cmd("HSCAN", "h", "0", "MATCH", HOSTILE), ["0", []]);
  deepEqual(await c.cmd("SSCAN", "s", "0", "MATCH", HOSTILE), ["0", []]);
  deepEqual(await c.cmd("ZSCAN", "z", "0", "MATCH", HOSTILE), ["0", []]);
  deepEqual(await c.cmd("CONFIG", "GET", "*a".repeat(30) + "*z"), []);
  deepEqual(await c.cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "*e".repeat(30) + "*q"), []);
  deepEqual(await c.cmd("KEYS", "a*".repeat(20)), [SUBJECT]);
  deepEqual(await other.cmd("PING"), "PONG");
});

Deno.test("pathological patterns: PUBLISH checks PSUBSCRIBE patterns and still delivers", async () => {
  await using srv = startServer();
  using sub = await RespClient.connect(srv.port);
  using pub = await RespClient.connect(srv.port);
  deepEqual(await sub.cmd("PSUBSCRIBE", HOSTILE), ["psubscribe", HOSTILE, 1]);
  deepEqual(await pub.cmd("PUBLISH", SUBJECT, "hi"), 0);
  deepEqual(await pub.cmd("PUBSUB", "CHANNELS", HOSTILE), []);
  deepEqual(await sub.cmd("PSUBSCRIBE", "a*".repeat(20)), ["psubscribe", "a*".repeat(20), 2]);
  deepEqual(await pub.cmd("PUBLISH", SUBJECT, "hi"), 1);
  deepEqual(plain(await sub.read()), ["pmessage", "a*".repeat(20), SUBJECT, "hi"]);
});
