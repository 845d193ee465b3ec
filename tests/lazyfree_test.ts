/**
 * INFO's lazyfreed_objects counts what Redis 7.0 would free in the
 * background: UNLINK of a value past LAZYFREE_THRESHOLD allocations
 * (server/lazyfree.ts), and FLUSHDB/FLUSHALL ASYNC (or lazyfree-lazy-user-flush)
 * by their keys. The same steps run against redis-server 7.0.15 and
 * redis-home, and the counter is compared after each.
 */
import { deepEqual } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

type Step = (c: RespClient) => Promise<unknown>;

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));

const steps: [string, Step][] = [
  ["a set of 100 members", async (c) => {
    await c.cmd("SADD", "big", ...range(100).map((i) => `m${i}`));
    return c.cmd("UNLINK", "big");
  }],
  ["a set of 10 members", async (c) => {
    await c.cmd("SADD", "small", ...range(10).map((i) => `m${i}`));
    return c.cmd("UNLINK", "small");
  }],
  ["an intset", async (c) => {
    await c.cmd("SADD", "ints", ...range(100));
    return c.cmd("UNLINK", "ints");
  }],
  ["DEL of a big hash", async (c) => {
    await c.cmd("HSET", "h", ...range(200).flatMap((i) => [`f${i}`, i]));
    return c.cmd("DEL", "h");
  }],
  ["a big hash", async (c) => {
    await c.cmd("HSET", "h", ...range(200).flatMap((i) => [`f${i}`, i]));
    return c.cmd("UNLINK", "h");
  }],
  ["a sorted set past its listpack", async (c) => {
    await c.cmd("ZADD", "z", ...range(200).flatMap((i) => [i, `m${i}`]));
    return c.cmd("UNLINK", "z", "nokey");
  }],
  // A list's count is estimated from its bytes (lazyfree.ts): clear cases either side of 64 nodes.
  ["a list of 1 MB", async (c) => {
    for (let i = 0; i < 10; i++) {
      await c.cmd(
        "RPUSH",
        "l",
        ...range(1000).map((n) => n.padStart(100, "x")),
      );
    }
    return c.cmd("UNLINK", "l");
  }],
  ["a short list", async (c) => {
    await c.cmd("RPUSH", "l", ...range(100));
    return c.cmd("UNLINK", "l");
  }],
  ["a stream with groups and a PEL", async (c) => {
    await c.cmd("CONFIG", "SET", "stream-node-max-entries", "5");
    for (let i = 0; i < 500; i++) await c.cmd("XADD", "s", "*", i % 10 ? "foo" : "bar", i);
    await c.cmd("XGROUP", "CREATE", "s", "g", "0");
    await c.cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">");
    return c.cmd("UNLINK", "s");
  }],
  ["a small stream", async (c) => {
    await c.cmd("XADD", "s", "*", "a", "b");
    return c.cmd("UNLINK", "s");
  }],
  ["FLUSHDB ASYNC of 3 keys", async (c) => {
    await c.cmd("MSET", "a", "1", "b", "2", "c", "3");
    return c.cmd("FLUSHDB", "ASYNC");
  }],
  ["FLUSHALL SYNC", async (c) => {
    await c.cmd("MSET", "a", "1", "b", "2");
    return c.cmd("FLUSHALL", "SYNC");
  }],
  ["FLUSHALL with lazyfree-lazy-user-flush", async (c) => {
    await c.cmd("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes");
    await c.cmd("MSET", "a", "1", "b", "2");
    return c.cmd("FLUSHALL");
  }],
];

/** lazyfreed_objects once nothing is pending (Redis's lazyfree thread counts as it finishes). */
async function freed(c: RespClient): Promise<string | undefined> {
  for (let tries = 0; tries < 100; tries++) {
    const info = String(await c.cmd("INFO", "memory"));
    if (info.includes("lazyfree_pending_objects:0\r\n")) {
      // The thread adds to lazyfreed_objects right after it takes from the pending count.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return /lazyfreed_objects:(\d+)/.exec(String(await c.cmd("INFO", "memory")))?.[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

async function counts(c: RespClient): Promise<string[]> {
  const found: string[] = [];
  for (const [name, step] of steps) {
    await step(c);
    found.push(`${name}: ${await freed(c)}`);
  }
  return found;
}

Deno.test("lazyfreed_objects counts what Redis 7.0 frees in the background", async () => {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  let expected;
  try {
    using reference = await redis.connect();
    expected = await counts(reference);
  } finally {
    await redis.stop();
  }
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  deepEqual(await counts(client), expected);
});
