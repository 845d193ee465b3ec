/**
 * Streams through persistence end to end: the AOF (the forms XADD,
 * XREADGROUP, XCLAIM, XAUTOCLAIM propagate), the AOF rewrite as commands,
 * SAVE, and DUMP/RESTORE, each reloaded by redis-home and by redis-server 7
 * to the same entries, groups, consumers and pending entries.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient } from "./helpers.ts";
import {
  ChildServer,
  eventually,
  persistenceInfo,
  startPersistent,
  tempDir,
} from "./persistence_helpers.ts";
import { fillStreams, infoFull, STREAM_KEYS, streamsState } from "./stream_helpers.ts";

async function expectState(server: ChildServer, expected: unknown[], seenTimes: boolean) {
  try {
    using client = await server.connect();
    deepEqual(await streamsState(client, seenTimes), expected);
  } finally {
    await server.stop();
  }
}

Deno.test("the AOF of stream writes replays to the same streams in redis-home and Redis 7", async () => {
  using dir = tempDir();
  const params = { dir: dir.path, appendonly: "yes" };
  let expected;
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    await fillStreams(client);
    await client.cmd("XAUTOCLAIM", "events", "workers", "dave", "0", "0", "COUNT", "2");
    // A blocked XREADGROUP served by a later XADD is logged after that XADD.
    using reader = await RespClient.connect(srv.port);
    await client.cmd("XGROUP", "CREATE", "events", "waiters", "$");
    await reader.send(
      "XREADGROUP",
      "GROUP",
      "waiters",
      "w",
      "BLOCK",
      "0",
      "STREAMS",
      "events",
      ">",
    );
    await client.cmd("PING");
    await client.cmd("XADD", "events", "*", "wake", "1");
    equal((await reader.read()).type, "array");
    expected = await streamsState(client, false);
  }
  // Redis 7.0 propagates a read without NOACK as XCLAIM ... LASTID, which
  // moves the group but not its entries-read: after replay that counter is
  // unknown, and the lag is estimated (as Redis's own replay has it).
  const waiters = groupOf(expected, "waiters");
  equal(waiters["entries-read"], 302);
  waiters["entries-read"] = null;
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    const replayed = await streamsState(client, false);
    waiters.lag = groupOf(replayed, "waiters").lag;
    deepEqual(replayed, expected);
  }
  await expectState(ChildServer.redis(dir.path, "--appendonly", "yes"), expected, false);
});

/** A group of the "events" stream in a streamsState result. */
function groupOf(state: unknown[], name: string): Record<string, unknown> {
  const groups = (state[0] as { groups: Record<string, unknown>[] }).groups;
  return groups.find((g) => g.name === name)!;
}

Deno.test("an AOF rewritten as commands reloads streams equal in redis-home and Redis 7", async () => {
  using dir = tempDir();
  const params = { dir: dir.path, appendonly: "yes", "aof-use-rdb-preamble": "no" };
  let expected;
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    await fillStreams(client);
    equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
    await eventually(async () => {
      const info = await persistenceInfo(client);
      return info.aof_rewrite_in_progress === "0" && info.aof_rewrite_scheduled === "0";
    });
    expected = await streamsState(client, false);
  }
  const base = Deno.readTextFileSync(`${dir.path}/appendonlydir/appendonly.aof.2.base.aof`);
  equal(base.includes("XCLAIM"), true);
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    deepEqual(await streamsState(client, false), expected);
  }
  await expectState(ChildServer.redis(dir.path, "--appendonly", "yes"), expected, false);
});

Deno.test("SAVE writes streams that Redis 7 loads equal, seen times included", async () => {
  using dir = tempDir();
  let expected;
  {
    await using srv = await startPersistent({ dir: dir.path });
    using client = await RespClient.connect(srv.port);
    await fillStreams(client);
    equal(await client.cmd("SAVE"), "OK");
    expected = await streamsState(client);
  }
  {
    await using srv = await startPersistent({ dir: dir.path });
    using client = await RespClient.connect(srv.port);
    deepEqual(await streamsState(client), expected);
  }
  await expectState(ChildServer.redis(dir.path), expected, true);
});

Deno.test("DUMP and RESTORE move streams between redis-home and Redis 7 both ways", async () => {
  using dir = tempDir();
  await using srv = await startPersistent({ dir: dir.path });
  using home = await RespClient.connect(srv.port);
  const redis = ChildServer.redis(dir.path);
  try {
    using real = await redis.connect();
    await fillStreams(home);
    const expected = await streamsState(home);
    for (const key of STREAM_KEYS) {
      const payload = (await home.cmd("DUMP", key)) as string;
      equal(await real.cmd("RESTORE", key, "0", payload), "OK");
    }
    deepEqual(await streamsState(real), expected);
    await home.cmd("FLUSHALL");
    for (const key of STREAM_KEYS) {
      const payload = (await real.cmd("DUMP", key)) as string;
      equal(await home.cmd("RESTORE", key, "0", payload), "OK");
    }
    deepEqual(await streamsState(home), expected);
  } finally {
    await redis.stop();
  }
});

/**
 * Redis's unit/type/stream "can propagate correctly" cases (needs:debug there:
 * DEBUG LOADAOF): approximate and over-long trims are logged in exact form,
 * so a restart with other node sizes, and Redis itself, load the same stream.
 */
Deno.test("trimming XADD and XTRIM are logged so replay trims the same", async () => {
  const cases: { setup: (c: RespClient) => Promise<void>; length: number }[] = [
    {
      setup: (c) => c.cmd("XADD", "s", "MAXLEN", "200", "*", "x", "v").then(() => {}),
      length: 101,
    },
    { setup: (c) => c.cmd("XADD", "s", "MINID", "1", "*", "x", "v").then(() => {}), length: 101 },
    {
      setup: (c) => c.cmd("XADD", "s", "MAXLEN", "~", "100", "*", "x", "v").then(() => {}),
      length: 101,
    },
    {
      setup: (c) =>
        c.cmd("XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "x", "v").then(() => {}),
      length: 71,
    },
    {
      setup: (c) => c.cmd("XADD", "s", "MINID", "~", "100", "*", "x", "v").then(() => {}),
      length: 11,
    },
    {
      setup: (c) =>
        c.cmd("XADD", "s", "MINID", "~", "55", "LIMIT", "30", "*", "x", "v").then(() => {}),
      length: 71,
    },
    { setup: (c) => c.cmd("XTRIM", "s", "MAXLEN", "~", "85").then(() => {}), length: 90 },
  ];
  for (const { setup, length } of cases) {
    using dir = tempDir();
    const params = { dir: dir.path, appendonly: "yes", "stream-node-max-entries": "10" };
    let expected;
    {
      await using srv = await startPersistent(params);
      using c = await RespClient.connect(srv.port);
      for (let j = 1; j <= 100; j++) await c.cmd("XADD", "s", String(j), "x", "v");
      await setup(c);
      equal(await c.cmd("XLEN", "s"), length);
      expected = await c.cmd("XRANGE", "s", "-", "+");
    }
    {
      await using srv = await startPersistent({ ...params, "stream-node-max-entries": "1" });
      using c = await RespClient.connect(srv.port);
      deepEqual(await c.cmd("XRANGE", "s", "-", "+"), expected);
    }
    const redis = ChildServer.redis(
      dir.path,
      "--appendonly",
      "yes",
      "--stream-node-max-entries",
      "1",
    );
    try {
      using c = await redis.connect();
      deepEqual(await c.cmd("XRANGE", "s", "-", "+"), expected);
    } finally {
      await redis.stop();
    }
  }
});

Deno.test("an empty stream, and consumers without pending entries, survive an AOF rewrite", async () => {
  using dir = tempDir();
  const params = { dir: dir.path, appendonly: "yes", "aof-use-rdb-preamble": "no" };
  let expected;
  {
    await using srv = await startPersistent(params);
    using c = await RespClient.connect(srv.port);
    await c.cmd("XADD", "fresh", "MAXLEN", "0", "*", "a", "b");
    await c.cmd("XGROUP", "CREATE", "fresh", "g", "$");
    await c.cmd("XGROUP", "CREATECONSUMER", "fresh", "g", "lazy");
    await c.cmd("XADD", "fresh", "5-1", "a", "b");
    await c.cmd("XREADGROUP", "GROUP", "g", "noack", "NOACK", "STREAMS", "fresh", ">");
    await c.cmd("XDEL", "fresh", "5-1");
    equal(await c.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
    await eventually(async () => {
      const info = await persistenceInfo(c);
      return info.aof_rewrite_in_progress === "0" && info.aof_rewrite_scheduled === "0";
    });
    expected = await infoFull(c, "fresh", false);
  }
  {
    await using srv = await startPersistent(params);
    using c = await RespClient.connect(srv.port);
    deepEqual(await infoFull(c, "fresh", false), expected);
  }
  const redis = ChildServer.redis(dir.path, "--appendonly", "yes");
  try {
    using c = await redis.connect();
    deepEqual(await infoFull(c, "fresh", false), expected);
  } finally {
    await redis.stop();
  }
});

Deno.test("Redis's AOF of approximate trims with LIMIT (`= n LIMIT m`) replays to the same entries", async () => {
  using dir = tempDir();
  const redis = ChildServer.redis(
    dir.path,
    "--appendonly",
    "yes",
    "--stream-node-max-entries",
    "10",
  );
  let expected;
  try {
    using c = await redis.connect();
    for (let j = 1; j <= 100; j++) await c.cmd("XADD", "s", String(j), "x", "v");
    await c.cmd("XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "x", "v");
    await c.cmd("XTRIM", "s", "MINID", "~", "60", "LIMIT", "10");
    expected = await c.cmd("XRANGE", "s", "-", "+");
    equal((expected as unknown[]).length, 61);
  } finally {
    await redis.stop();
  }
  const aof = Deno.readTextFileSync(`${dir.path}/appendonlydir/appendonly.aof.1.incr.aof`);
  equal(aof.includes("LIMIT"), true, "Redis logs the LIMIT with `=`");
  await using srv = await startPersistent({ dir: dir.path, appendonly: "yes" });
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("XRANGE", "s", "-", "+"), expected);
});
