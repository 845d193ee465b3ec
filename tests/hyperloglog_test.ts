/**
 * HyperLogLog commands end to end, every reply compared with redis-server's
 * (tests/redis_compare.ts); the module's bytes are pinned in
 * tests/hyperloglog_bytes_test.ts.
 */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { plain, RespClient, startServer } from "./helpers.ts";
import { onBoth, sameAsRedis, type Step } from "./redis_compare.ts";

const elements = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

Deno.test("PFADD, PFCOUNT, GET: same replies and bytes as redis-server, sparse to dense", async () => {
  const steps: Step[] = [["PFADD", "h"], ["PFCOUNT", "h"], ["GET", "h"], [
    "PFADD",
    "h",
    "a",
    "b",
    "c",
  ]];
  steps.push(["PFADD", "h", "a", "b", "c"], ["PFADD", "h", ""], ["PFCOUNT", "h"], ["GET", "h"]);
  for (const n of [10, 100, 1000, 5000]) {
    steps.push(["PFADD", "h", ...elements(`e${n}-`, n)], ["PFCOUNT", "h"], ["GET", "h"]);
    steps.push(["PFDEBUG", "ENCODING", "h"], ["OBJECT", "ENCODING", "h"], ["STRLEN", "h"]);
  }
  steps.push(["PFCOUNT", "nosuchkey"], ["TYPE", "h"]);
  await sameAsRedis(steps);
});

Deno.test("PFMERGE and multi-key PFCOUNT equal redis-server's", async () => {
  await sameAsRedis([
    ["PFADD", "a", ...elements("x", 50)],
    ["PFADD", "b", ...elements("y", 500)],
    ["PFADD", "c", ...elements("z", 4000)],
    ["PFCOUNT", "a", "b"],
    ["PFCOUNT", "a", "b", "c", "missing"],
    ["PFMERGE", "m1", "a", "b"],
    ["GET", "m1"],
    ["PFMERGE", "m2", "a", "c"],
    ["GET", "m2"],
    ["PFMERGE", "a", "b"],
    ["GET", "a"],
    ["PFMERGE", "empty"],
    ["GET", "empty"],
    ["PFCOUNT", "m1", "m2"],
  ]);
});

Deno.test("PFDEBUG subcommands and errors equal redis-server's", async () => {
  await sameAsRedis([
    ["PFDEBUG", "ENCODING", "h"],
    ["PFADD", "h", "a", "b", "c"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["PFDEBUG", "NOPE", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "GETREG", "h"],
    ["GET", "h"],
    ["PFDEBUG", "ENCODING", "h", "extra"],
  ]);
});

Deno.test("HyperLogLog type errors and corruption: WRONGTYPE and INVALIDOBJ as redis-server", async () => {
  await sameAsRedis([
    ["SET", "s", "bar"],
    ["PFADD", "s", "1"],
    ["PFCOUNT", "s"],
    ["PFMERGE", "d", "s"],
    ["PFMERGE", "s", "d"],
    ["LPUSH", "l", "x"],
    ["PFADD", "l", "1"],
    ["PFCOUNT", "l", "h"],
    ["PFADD", "h", "a", "b", "c"],
    ["APPEND", "h", "hello"],
    ["PFCOUNT", "h"],
    ["PFCOUNT", "h", "h"],
    ["PFMERGE", "d", "h"],
    ["PFADD", "h", "x", "y", "z"],
    ["GET", "h"],
    ["SETRANGE", "h", "4", "\x00"],
    ["PFCOUNT", "h"],
    ["SETRANGE", "h", "0", "0123"],
    ["PFADD", "h", "a"],
  ]);
});

Deno.test("PFADD keeps the key's TTL and notifies pfadd; PFCOUNT caches silently", async () => {
  await using server = startServer({ "notify-keyspace-events": "KEA" });
  using c = await RespClient.connect(server.port);
  using sub = await RespClient.connect(server.port);
  await sub.cmd("PSUBSCRIBE", "__keyevent@0__:*");
  await c.cmd("PFADD", "h", "a");
  await c.cmd("EXPIRE", "h", "100");
  await c.cmd("PFADD", "h", "b");
  equal(await c.cmd("TTL", "h"), 100);
  equal(await c.cmd("PFCOUNT", "h"), 2);
  await c.cmd("PFMERGE", "h", "h");
  const events: unknown[] = [];
  for (let i = 0; i < 4; i++) events.push((plain(await sub.read()) as string[])[2]);
  deepEqual(events, [
    "__keyevent@0__:pfadd",
    "__keyevent@0__:expire",
    "__keyevent@0__:pfadd",
    "__keyevent@0__:pfadd",
  ]);
});

Deno.test("PFADD edits its key's bytes in place: a COPY and a value read before stay as they were", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  // Enough elements to go dense (12 KB), where PFADD no longer copies the value.
  const elements = Array.from({ length: 3000 }, (_, i) => `e${i}`);
  await c.cmd("PFADD", "a", ...elements);
  await c.cmd("COPY", "a", "b");
  const before = await c.cmd("GET", "a");
  equal(await c.cmd("PFADD", "a", "new1", "new2", "new3"), 1);
  equal(await c.cmd("GET", "b"), before);
  notEqual(await c.cmd("GET", "a"), before);
  equal(await c.cmd("GETRANGE", "a", "0", "3"), "HYLL");
});

Deno.test("PFADD one element at a time, seen or new, grows and shrinks a sparse value as redis-server", async () => {
  // Each new element edits the sparse opcodes (a split grows them, a merge shrinks them); the
  // value stays in its key's record, so every GET checks the bytes written back over it.
  const steps: Step[] = [["PFADD", "s", "a"], ["EXPIRE", "s", "1000"]];
  for (let i = 0; i < 240; i++) {
    steps.push(["PFADD", "s", `e${i % 3 === 2 ? i - 2 : i}`]);
    if (i % 8 === 0) steps.push(["GET", "s"], ["PFCOUNT", "s"], ["PFADD", "s", "a", `e${i}`]);
  }
  steps.push(["GET", "s"], ["TTL", "s"], ["OBJECT", "ENCODING", "s"], ["PFDEBUG", "ENCODING", "s"]);
  await sameAsRedis(steps);
});

Deno.test("PFADD of elements seen before counts no keyspace hit or miss and no change", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("PFADD", "h", "a", "b");
  await c.cmd("CONFIG", "RESETSTAT");
  const dirty = async () =>
    Number(
      /rdb_changes_since_last_save:(\d+)/.exec(await c.cmd("INFO", "persistence") as string)![1],
    );
  const before = await dirty();
  equal(await c.cmd("PFADD", "h", "b", "a"), 0);
  equal(await c.cmd("PFADD", "h"), 0);
  equal(await dirty(), before);
  const stats = await c.cmd("INFO", "stats") as string;
  deepEqual(/keyspace_hits:(\d+)/.exec(stats)![1], "0");
  deepEqual(/keyspace_misses:(\d+)/.exec(stats)![1], "0");
  equal(await c.cmd("PFADD", "h", "c"), 1);
  equal(await dirty(), before + 1);
});

Deno.test("sparse HyperLogLogs edited by PFADD and PFCOUNT take at most 1.5x redis-server's memory", async () => {
  const [theirs, ours] = await onBoth(async (client) => {
    let total = 0;
    for (let k = 0; k < 50; k++) {
      for (let i = 0; i <= k % 4; i++) await client.cmd("PFADD", `h${k}`, `x${k}-${i}`);
      await client.cmd("PFCOUNT", `h${k}`);
      total += await client.cmd("MEMORY", "USAGE", `h${k}`) as number;
    }
    return total;
  });
  ok(ours <= 1.5 * theirs, `redis-home ${ours} bytes, redis-server ${theirs}`);
});
