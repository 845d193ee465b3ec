/** MEMORY end to end: USAGE's estimate is of Redis's order; the other subcommands answer as Redis. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { sameAsRedis } from "./redis_compare.ts";

Deno.test("MEMORY: errors, HELP, nil for a missing key, as redis-server", async () => {
  await sameAsRedis([
    ["MEMORY", "USAGE", "nokey"],
    ["SET", "k", "v"],
    ["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
    ["MEMORY", "USAGE", "k", "SAMPLES", "x"],
    ["MEMORY", "USAGE", "k", "FOO"],
    ["MEMORY", "HELP"],
    ["MEMORY", "NOPE"],
    ["MEMORY", "PURGE"],
    ["MEMORY", "USAGE"],
  ]);
});

Deno.test("MEMORY USAGE grows with the value and stays within a few times Redis's figure", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("SET", "small", "x");
  await c.cmd("SET", "big", "x".repeat(10000));
  const small = await c.cmd("MEMORY", "USAGE", "small") as number;
  const big = await c.cmd("MEMORY", "USAGE", "big") as number;
  equal(small > 0 && small < 200, true, `${small}`);
  equal(big > 10000 && big < 10400, true, `${big}`);
  await c.cmd("RPUSH", "list", ...Array.from({ length: 1000 }, (_, i) => `element:${i}`));
  const list = await c.cmd("MEMORY", "USAGE", "list", "SAMPLES", "0") as number;
  // redis-server 7.0 says 13480 for this list.
  equal(list > 13480 / 3 && list < 13480 * 3, true, `${list}`);
});

Deno.test("a key SETRANGE or SETBIT creates holds its length, not twice it", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  // redis-server 7.0 says 114736 (sdsnewlen of 100001 bytes, in jemalloc's 112 kB class).
  equal(await c.cmd("SETRANGE", "ranged", "100000", "x"), 100_001);
  const ranged = await c.cmd("MEMORY", "USAGE", "ranged") as number;
  ok(ranged > 100_001 && ranged < 110_000, `${ranged}`);
  equal(await c.cmd("SETBIT", "bits", String(8 * 100_000), "1"), 0);
  const bits = await c.cmd("MEMORY", "USAGE", "bits") as number;
  ok(bits > 100_001 && bits < 110_000, `${bits}`);
});

Deno.test("MEMORY STATS has Redis's fields; DOCTOR and MALLOC-STATS reply", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("SET", "k", "v");
  const stats = await c.cmd("MEMORY", "STATS") as unknown[];
  const names = stats.filter((_, i) => i % 2 === 0);
  equal(names.length, 28);
  deepEqual(names.slice(0, 3), ["peak.allocated", "total.allocated", "startup.allocated"]);
  equal(names.includes("db.0"), true);
  equal(names.at(-1), "fragmentation.bytes");
  equal(String(await c.cmd("MEMORY", "DOCTOR")).startsWith("Hi Sam"), true);
  equal(await c.cmd("MEMORY", "MALLOC-STATS"), "Stats not supported for the current allocator");
});
