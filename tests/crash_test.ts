/**
 * Crash tests: redis-home as its own process, written to through real
 * sockets, killed with SIGKILL (no shutdown code runs), then restarted on the
 * same directory.
 *
 * - With the AOF on, every acknowledged write survives: the AOF is written
 *   (and with appendfsync always, fsynced) before any reply leaves, so a
 *   process crash loses nothing acknowledged under any fsync policy (an OS
 *   crash could lose up to a second with everysec, which a test cannot cause).
 * - A snapshot being written when the process dies leaves the previous
 *   dump.rdb intact.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import type { RespValue } from "../protocol/resp.ts";
import { RespClient, run } from "./helpers.ts";
import { ChildServer, persistenceInfo, tempDir } from "./persistence_helpers.ts";

/**
 * Writes keys w:0, w:1, ... with a few requests always in flight, and kills
 * the server once `acknowledged` replies arrived. Returns the keys whose
 * write was acknowledged.
 */
async function writeUntilKilled(
  server: ChildServer,
  acknowledged: number,
  beforeKill?: (client: RespClient) => Promise<void>,
): Promise<string[]> {
  const client = await server.connect();
  const acked: string[] = [];
  const inFlight = 8;
  let sent = 0;
  try {
    for (; sent < inFlight; sent++) await client.send("SET", `w:${sent}`, `value-${sent}`);
    while (acked.length < acknowledged) {
      const reply: RespValue = await client.read();
      equal(reply.type, "simple");
      acked.push(`w:${acked.length}`);
      await client.send("SET", `w:${sent}`, `value-${sent}`);
      sent++;
    }
    if (beforeKill !== undefined) {
      using probe = await server.connect();
      await beforeKill(probe);
    }
    await server.crash();
  } finally {
    client.close();
  }
  return acked;
}

async function checkSurvivors(dir: string, args: string[], acked: string[]): Promise<void> {
  const server = ChildServer.redisHome(dir, ...args);
  try {
    using client = await server.connect();
    for (const key of acked) {
      equal(await client.cmd("GET", key), `value-${key.slice(2)}`, `${key} was acknowledged`);
    }
  } finally {
    await server.stop();
  }
}

for (const fsync of ["always", "everysec", "no"]) {
  Deno.test(`appendfsync ${fsync}: every acknowledged write survives kill -9`, async () => {
    using dir = tempDir();
    const args = ["--appendonly", "yes", "--appendfsync", fsync];
    const acked = await writeUntilKilled(ChildServer.redisHome(dir.path, ...args), 2000);
    await checkSurvivors(dir.path, args, acked);
  });
}

Deno.test("kill -9 during BGREWRITEAOF loses no acknowledged write", async () => {
  using dir = tempDir();
  const args = ["--appendonly", "yes"];
  const server = ChildServer.redisHome(dir.path, ...args);
  {
    using client = await server.connect();
    const value = "x".repeat(200);
    for (let batch = 0; batch < 30; batch++) {
      const pairs: string[] = [];
      for (let i = 0; i < 5000; i++) pairs.push(`bulk:${batch}:${i}`, value);
      await client.cmd("MSET", ...pairs);
    }
    // 20 µs a key: the rewrite of 150k keys lasts 3 s, well past the writes below.
    equal(await client.cmd("CONFIG", "SET", "rdb-key-save-delay", "20"), "OK");
    equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
  }
  const acked = await writeUntilKilled(server, 500, async (client) => {
    equal((await persistenceInfo(client)).aof_rewrite_in_progress, "1", "killed mid-rewrite");
  });
  await checkSurvivors(dir.path, args, acked);
  const restarted = ChildServer.redisHome(dir.path, ...args);
  try {
    using client = await restarted.connect();
    equal(await client.cmd("EXISTS", "bulk:29:4999"), 1);
  } finally {
    await restarted.stop();
  }
});

Deno.test("a snapshot being written when the process dies leaves the previous dump.rdb intact", async () => {
  using dir = tempDir();
  const dump = `${dir.path}/dump.rdb`;
  const server = ChildServer.redisHome(dir.path);
  let previous: Uint8Array;
  try {
    using client = await server.connect();
    await client.cmd("SET", "generation", "1");
    equal(await client.cmd("SAVE"), "OK");
    previous = Deno.readFileSync(dump);
    // Enough data that the background save is still running when it is killed.
    const value = "x".repeat(200);
    for (let batch = 0; batch < 40; batch++) {
      const args: string[] = [];
      for (let i = 0; i < 5000; i++) args.push(`bulk:${batch}:${i}`, `${value}${i}`);
      await client.cmd("MSET", ...args);
    }
    await client.cmd("SET", "generation", "2");
    // 20 µs a key: the save of 200k keys lasts 4 s, so it is still being written below.
    equal(await client.cmd("CONFIG", "SET", "rdb-key-save-delay", "20"), "OK");
    equal(await client.cmd("BGSAVE"), "Background saving started");
    const info = await persistenceInfo(client);
    equal(info.rdb_bgsave_in_progress, "1", "the save is still being written");
    ok(Number(info.current_save_keys_processed) < Number(info.current_save_keys_total));
    await server.crash();
  } catch (err) {
    await server.crash();
    throw err;
  }
  deepEqual(Deno.readFileSync(dump), previous);
  equal((await run("redis-check-rdb", [dump])).code, 0);
  const restarted = ChildServer.redisHome(dir.path);
  try {
    using client = await restarted.connect();
    equal(await client.cmd("GET", "generation"), "1");
    equal(await client.cmd("DBSIZE"), 1);
  } finally {
    await restarted.stop();
  }
});

Deno.test("SIGTERM saves a final snapshot when save rules exist, and not otherwise", async () => {
  for (const [args, saved] of [[["--save", "3600 1"], true], [[], false]] as const) {
    using dir = tempDir();
    const server = ChildServer.redisHome(dir.path, ...args);
    {
      using client = await server.connect();
      await client.cmd("SET", "k", "v");
    }
    server.process.kill("SIGTERM");
    equal((await server.exited()).code, 0);
    let exists = true;
    try {
      Deno.statSync(`${dir.path}/dump.rdb`);
    } catch {
      exists = false;
    }
    equal(exists, saved, `save rules ${JSON.stringify(args)}`);
  }
});
