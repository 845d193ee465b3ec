/**
 * Sharding behind a proxy: twemproxy (nutcracker, ketama consistent hashing)
 * in front of three redis-home servers, driven by our RESP client,
 * redis-benchmark and ioredis through the proxy. Twemproxy supports the
 * single-key commands and multi-key MGET/MSET/DEL/EXISTS (split per shard);
 * it closes the connection on commands it does not proxy (INFO, SELECT...).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import {
  BENCHMARK_NAMES,
  BENCHMARK_TESTS,
  benchmarkLines,
  benchmarkTestName,
  run,
  startServer,
  type TestServer,
} from "./helpers.ts";
import { scratchDir, startTwemproxy } from "./replication_helpers.ts";

const KEYS = 3000;

function threeServers(): TestServer[] {
  return [startServer(), startServer(), startServer()];
}

Deno.test("twemproxy spreads keys over three redis-home servers and reads them back", async () => {
  const shards = threeServers();
  using dir = scratchDir();
  try {
    await using proxy = startTwemproxy(dir.path, "proxy", shards.map((s) => s.port));
    using client = await proxy.connect();
    // Pipelined through the proxy, as a client library would.
    let batch = "";
    for (let i = 0; i < KEYS; i++) {
      batch += `*3\r\n$3\r\nSET\r\n$${`key:${i}`.length}\r\nkey:${i}\r\n$${
        `v${i}`.length
      }\r\nv${i}\r\n`;
    }
    await client.writeRaw(batch);
    for (let i = 0; i < KEYS; i++) equal((await client.read()).type, "simple");
    const counts = shards.map((s) => s.server.keyCount());
    equal(counts.reduce((a, b) => a + b, 0), KEYS);
    // Consistent hashing with equal weights: every shard gets a fair share.
    for (const n of counts) ok(n > KEYS / 6, `uneven spread ${counts}`);
    // Each key lives on exactly one shard.
    for (let i = 0; i < KEYS; i += 97) {
      const holders = shards.filter((s) => s.server.dbs[0]!.peek(`key:${i}`) !== undefined);
      equal(holders.length, 1);
    }
    equal(await client.cmd("GET", "key:42"), "v42");
    deepEqual(await client.cmd("MGET", "key:1", "key:2", "key:3", "nokey"), [
      "v1",
      "v2",
      "v3",
      null,
    ]);
    equal(await client.cmd("EXISTS", "key:1", "key:2", "nokey"), 2);
    equal(await client.cmd("DEL", "key:1", "key:2", "key:3", "nokey"), 3);
    equal(await client.cmd("INCRBY", "counter", 5), 5);
    equal(await client.cmd("HSET", "h", "f", "v"), 1);
    deepEqual(await client.cmd("ZRANGE", "z", 0, -1), []);
  } finally {
    for (const s of shards) await s.close();
  }
});

Deno.test("redis-benchmark through twemproxy completes the commands the proxy supports", async () => {
  const shards = threeServers();
  using dir = scratchDir();
  try {
    await using proxy = startTwemproxy(dir.path, "proxy", shards.map((s) => s.port));
    using _ = await proxy.connect();
    const result = await run("redis-benchmark", [
      "-p",
      String(proxy.port),
      "-q",
      "-n",
      "2000",
      "-r",
      "1000",
      "-t",
      BENCHMARK_TESTS,
    ]);
    equal(result.code, 0, result.stderr);
    const names = benchmarkLines(result.stdout).filter((l) => l.includes("requests per second"))
      .map(benchmarkTestName);
    deepEqual(names, BENCHMARK_NAMES);
    // With -r the keys are spread: every shard served some of them.
    for (const s of shards) ok(s.server.keyCount() > 0);
  } finally {
    for (const s of shards) await s.close();
  }
});

Deno.test("ioredis through twemproxy: commands, pipelines and multi-key reads", async () => {
  const shards = threeServers();
  using dir = scratchDir();
  try {
    await using proxy = startTwemproxy(dir.path, "proxy", shards.map((s) => s.port));
    using _ = await proxy.connect();
    // The proxy has no INFO and no CLIENT: no ready check, no CLIENT SETINFO.
    const redis = new Redis({
      host: "127.0.0.1",
      port: proxy.port,
      enableReadyCheck: false,
      disableClientInfo: true,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    try {
      await redis.connect();
      const pipeline = redis.pipeline();
      for (let i = 0; i < 300; i++) pipeline.set(`user:${i}`, String(i));
      const results = await pipeline.exec();
      equal(results!.length, 300);
      deepEqual(await redis.mget("user:0", "user:150", "user:299"), ["0", "150", "299"]);
      equal(await redis.hset("profile", { name: "ada", lang: "en" }), 2);
      deepEqual(await redis.hgetall("profile"), { name: "ada", lang: "en" });
      equal(await redis.zadd("board", 3, "c", 1, "a"), 2);
      deepEqual(await redis.zrange("board", 0, -1), ["a", "c"]);
      equal(await redis.expire("user:0", 100), 1);
      ok((await redis.ttl("user:0")) > 90);
      const holders = shards.map((s) => s.server.keyCount());
      equal(holders.reduce((a, b) => a + b, 0), 302);
    } finally {
      redis.disconnect();
    }
  } finally {
    for (const s of shards) await s.close();
  }
});
