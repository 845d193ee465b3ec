/**
 * Runs the same commands on redis-home and on the real redis-server 7 and
 * compares every reply (RESP2 and RESP3), so that tests pin behaviour to
 * the reference implementation rather than to replies typed by hand.
 */
import { deepEqual, equal } from "node:assert/strict";
import { pipelineOneWrite, RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

/** A command, or a command whose reply is only checked to be an error / of a given length. */
export type Step = string[];

/**
 * Runs `steps` on a fresh redis-server and a fresh redis-home (both started
 * with `startup`, both with `config` applied by CONFIG SET) and asserts equal
 * replies, step by step.
 */
export async function sameAsRedis(
  steps: Step[],
  options: {
    config?: Record<string, string>;
    startup?: Record<string, string>;
    protocol?: 2 | 3;
  } = {},
): Promise<void> {
  using dir = tempDir();
  using homeDir = tempDir();
  const startup = Object.entries(options.startup ?? {});
  const redis = ChildServer.redis(dir.path, ...startup.flatMap(([name, v]) => [`--${name}`, v]));
  await using home = startServer({ ...options.startup, dir: homeDir.path });
  try {
    using expected = await redis.connect();
    using actual = await RespClient.connect(home.port);
    for (const client of [expected, actual]) {
      if (options.protocol === 3) await client.cmd("HELLO", "3");
      for (const [name, value] of Object.entries(options.config ?? {})) {
        await client.cmd("CONFIG", "SET", name, value);
      }
    }
    for (const step of steps) {
      const want = await expected.cmd(...step);
      const got = await actual.cmd(...step);
      deepEqual(got, want, `${step.map((a) => JSON.stringify(a)).join(" ")}`);
    }
  } finally {
    await redis.stop();
  }
}

/**
 * Runs `fn` on a fresh redis-server, then on a fresh redis-home: its two results, Redis's
 * first, to compare.
 */
export async function onBoth<T>(fn: (client: RespClient) => Promise<T>): Promise<[T, T]> {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  await using home = startServer();
  try {
    using expected = await redis.connect();
    using actual = await RespClient.connect(home.port);
    return [await fn(expected), await fn(actual)];
  } finally {
    await redis.stop();
  }
}

/**
 * Runs `writes`, then `reads`, each pipelined, on redis-server and on redis-home, and asserts the
 * same replies (each passed through `normalize`: a hashtable's order is its own) and the same
 * keyspace_hits.
 */
export async function sameReadsAsRedis(
  writes: string[][],
  reads: string[][],
  normalize: (reply: unknown, index: number) => unknown = (reply) => reply,
): Promise<void> {
  const [want, got] = await onBoth(async (c) => {
    await pipelineOneWrite(c, writes);
    const replies = (await pipelineOneWrite(c, reads)).map(normalize);
    const stats = String(await c.cmd("INFO", "stats"));
    return { replies, hits: /keyspace_hits:(\d+)/.exec(stats)?.[1] };
  });
  equal(got.replies.length, reads.length);
  deepEqual(got, want);
}
