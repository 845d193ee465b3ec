/**
 * Replication against the real Redis 7, both directions: a redis-server
 * replica of redis-home, and a redis-home replica of redis-server. Each
 * attaches while a write load runs (so the full sync's snapshot and the
 * held stream both matter), converges to the same data, then survives a cut
 * link with a partial resynchronisation.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { dataset, type DatasetEntry, fillAllTypes } from "./persistence_helpers.ts";
import { infoSection, scratchDir, startRedis, waitFor } from "./replication_helpers.ts";

/** One pipelined burst of mixed writes: every type, several databases, MULTI/EXEC and scripts. */
async function writeBurst(client: RespClient, round: number, size = 400): Promise<void> {
  const commands: string[][] = [];
  for (let i = 0; i < size; i++) {
    const n = round * size + i;
    switch (i % 13) {
      case 0:
        commands.push(["SET", `s:${n % 500}`, `value-${n}`]);
        break;
      case 1:
        commands.push(["INCRBY", `counter:${n % 7}`, String(n)]);
        break;
      case 2:
        commands.push(["LPUSH", `list:${n % 5}`, `a${n}`, `b${n}`]);
        break;
      case 3:
        commands.push(["RPOP", `list:${(n + 1) % 5}`]);
        break;
      case 4:
        commands.push(["SADD", `set:${n % 4}`, `m${n % 300}`]);
        break;
      case 5:
        commands.push(["SPOP", `set:${(n + 2) % 4}`]);
        break;
      case 6:
        commands.push(["HSET", `hash:${n % 3}`, `f${n % 200}`, `v${n}`]);
        break;
      case 7:
        commands.push(["ZINCRBY", `zset:${n % 3}`, "1.5", `m${n % 100}`]);
        break;
      case 8:
        commands.push(["EXPIRE", `s:${n % 500}`, "3600"]);
        break;
      case 9:
        commands.push(["DEL", `s:${(n * 7) % 500}`]);
        break;
      case 10:
        commands.push(["SELECT", "3"], ["SET", `db3:${n % 50}`, `${n}`], ["SELECT", "0"]);
        break;
      case 11:
        commands.push(["MULTI"], ["INCR", "tx"], ["LPUSH", "tx:list", `${n}`], ["EXEC"]);
        break;
      default:
        // A script propagates as its effects (SPOP's random pick as SREM).
        commands.push([
          "EVAL",
          "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('SPOP', KEYS[2])",
          "2",
          `script:${n % 9}`,
          `set:${n % 4}`,
          `${n}`,
        ]);
    }
  }
  let raw = "";
  for (const argv of commands) {
    raw += `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
  }
  await client.writeRaw(raw);
  for (let i = 0; i < commands.length; i++) await client.read();
}

/** Fills a dataset big enough that a full sync's snapshot spans many slices. */
async function fillLarge(client: RespClient): Promise<void> {
  await fillAllTypes(client);
  for (let batch = 0; batch < 5; batch++) {
    const args: string[] = [];
    for (let i = 0; i < 2000; i++) args.push(`bulk:${batch}:${i}`, "x".repeat(i % 64));
    await client.cmd("MSET", ...args);
  }
}

async function offsetOf(client: RespClient, field: string): Promise<number> {
  return Number((await infoSection(client, "replication"))[field]);
}

/** Waits until the replica's link is up and it processed everything the master produced. */
async function converged(master: RespClient, replica: RespClient): Promise<void> {
  await waitFor("the replica to reach the master's offset", async () => {
    const info = await infoSection(replica, "replication");
    const target = await offsetOf(master, "master_repl_offset");
    return info.master_link_status === "up" && Number(info.slave_repl_offset) === target
      ? true
      : undefined;
  }, 30000);
}

for (const diskless of ["yes", "no"]) {
  Deno.test(`redis-server replicates redis-home under load (repl-diskless-sync ${diskless}), and resumes with PSYNC`, async () => {
    await using master = startServer({
      "repl-diskless-sync": diskless,
      "repl-diskless-sync-delay": "0",
    });
    using dir = scratchDir();
    using client = await RespClient.connect(master.port);
    await fillLarge(client);
    await writeBurst(client, 0);
    await using redis = startRedis(
      dir.path,
      "replica",
      "--replicaof",
      "127.0.0.1",
      String(master.port),
    );
    using replica = await redis.connect();
    // Writes keep coming while the replica attaches and loads.
    for (let round = 1; round <= 8; round++) await writeBurst(client, round);
    await converged(client, replica);
    await assertSameData(replica, client);
    const info = await infoSection(client, "replication");
    equal(info.connected_slaves, "1");
    match(
      info.slave0 ?? "",
      new RegExp(`^ip=127\\.0\\.0\\.1,port=${redis.port},state=online,offset=\\d+,lag=\\d+$`),
    );
    equal(await client.cmd("WAIT", 1, 5000), 1);
    equal((await infoSection(client, "stats")).sync_full, "1");

    // The link held since the full sync (the ACK that starts the stream once dropped it).
    equal((await infoSection(client, "stats")).sync_partial_ok, "0");
    equal(redis.log().includes("Connection with master lost"), false);

    // The replica drops its link; writes made meanwhile arrive by partial resync.
    await replica.cmd("CLIENT", "KILL", "TYPE", "master");
    for (let round = 9; round <= 12; round++) await writeBurst(client, round);
    await converged(client, replica);
    await assertSameData(replica, client);
    const stats = await infoSection(client, "stats");
    equal(stats.sync_full, "1");
    equal(stats.sync_partial_ok, "1");
  });
}

Deno.test("redis-home replicates redis-server under load, is read-only, resumes, and is promoted", async () => {
  using dir = scratchDir();
  await using redis = startRedis(dir.path, "master", "--repl-diskless-sync-delay", "0");
  using master = await redis.connect();
  await fillLarge(master);
  await writeBurst(master, 0);
  await using home = startServer();
  using replica = await RespClient.connect(home.port);
  equal(await replica.cmd("REPLICAOF", "127.0.0.1", redis.port), "OK");
  equal(
    await replica.cmd("REPLICAOF", "127.0.0.1", redis.port),
    "OK Already connected to specified master",
  );
  for (let round = 1; round <= 8; round++) await writeBurst(master, round);
  await converged(master, replica);
  await assertSameData(replica, master);
  equal(await master.cmd("WAIT", 1, 5000), 1);
  const role = (await replica.cmd("ROLE")) as unknown[];
  equal(role[0], "slave");
  equal(role[3], "connected");
  equal(role[4], await offsetOf(master, "master_repl_offset"));
  deepEqualError(
    await replica.cmd("SET", "k", "v"),
    "READONLY You can't write against a read only replica.",
  );

  // The master drops the replica; it comes back with a partial resync.
  await master.cmd("CLIENT", "KILL", "TYPE", "replica");
  for (let round = 9; round <= 12; round++) await writeBurst(master, round);
  await converged(master, replica);
  await assertSameData(replica, master);
  const stats = await infoSection(master, "stats");
  equal(stats.sync_full, "1");
  equal(stats.sync_partial_ok, "1");

  // Promoted: writable, with the old history kept as replid2.
  const before = await infoSection(replica, "replication");
  equal(await replica.cmd("REPLICAOF", "NO", "ONE"), "OK");
  const after = await infoSection(replica, "replication");
  equal(after.role, "master");
  equal(after.master_replid2, before.master_replid);
  equal(Number(after.second_repl_offset), Number(before.master_repl_offset) + 1);
  equal(await replica.cmd("SET", "k", "v"), "OK");
});

Deno.test("on a redis-home replica keys expire when the master says so", async () => {
  using dir = scratchDir();
  await using redis = startRedis(
    dir.path,
    "master",
    "--enable-debug-command",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
  );
  using master = await redis.connect();
  // The master deletes expired keys only when asked for them.
  equal(await master.cmd("DEBUG", "SET-ACTIVE-EXPIRE", 0), "OK");
  await using home = startServer();
  using replica = await RespClient.connect(home.port);
  equal(await replica.cmd("REPLICAOF", "127.0.0.1", redis.port), "OK");
  equal(await master.cmd("SET", "short", "lived", "PX", 200), "OK");
  equal(await master.cmd("SET", "plain", "v"), "OK");
  await converged(master, replica);
  await waitFor(
    "the TTL to pass",
    async () => (await replica.cmd("GET", "short")) === null || undefined,
  );
  // Hidden from reads, but kept: the master has not deleted it yet.
  equal(await replica.cmd("EXISTS", "short"), 0);
  equal(await replica.cmd("DBSIZE"), 2);
  equal(home.server.dbs[0]!.dict.has("short"), true);
  // The master's lazy expiry sends DEL; now the replica drops it too.
  equal(await master.cmd("GET", "short"), null);
  await converged(master, replica);
  equal(await replica.cmd("DBSIZE"), 1);
});

/**
 * Asserts the same keys, types, values and TTLs on both, naming the first
 * differing keys. Reading a whole dataset takes seconds, so TTLs need only
 * agree within 30 s (and both have one or neither).
 */
async function assertSameData(replica: RespClient, master: RespClient): Promise<void> {
  const index = (entries: DatasetEntry[]) => new Map(entries.map((e) => [`${e.db}/${e.key}`, e]));
  const got = index(await dataset(replica));
  const want = index(await dataset(master));
  const same = (a: DatasetEntry | undefined, b: DatasetEntry | undefined) =>
    a !== undefined && b !== undefined && a.type === b.type &&
    JSON.stringify(a.value) === JSON.stringify(b.value) && (a.ttl < 0) === (b.ttl < 0) &&
    Math.abs(a.ttl - b.ttl) <= 30000;
  const show = (e: DatasetEntry | undefined) => JSON.stringify(e)?.slice(0, 200);
  const differing = [...new Set([...want.keys(), ...got.keys()])]
    .filter((k) => !same(want.get(k), got.get(k)))
    .slice(0, 5)
    .map((k) => `${k}: master ${show(want.get(k))} replica ${show(got.get(k))}`);
  equal(differing.join("\n"), "");
  equal(got.size, want.size);
}

function deepEqualError(reply: unknown, message: string): void {
  equal((reply as { error?: string }).error, message);
}

Deno.test("masterauth: replication to and from password-protected masters", async () => {
  using dir = scratchDir();
  // redis-home replica of a redis-server with requirepass.
  await using redis = startRedis(
    dir.path,
    "master",
    "--requirepass",
    "secret",
    "--repl-diskless-sync-delay",
    "0",
  );
  using master = await redis.connect();
  equal(await master.cmd("AUTH", "secret"), "OK");
  equal(await master.cmd("SET", "from-redis", "1"), "OK");
  await using home = startServer({ masterauth: "secret" });
  using replica = await RespClient.connect(home.port);
  equal(await replica.cmd("REPLICAOF", "127.0.0.1", redis.port), "OK");
  await converged(master, replica);
  equal(await replica.cmd("GET", "from-redis"), "1");

  // redis-server replica of a redis-home with requirepass.
  await using homeMaster = startServer({ requirepass: "pw", "repl-diskless-sync-delay": "0" });
  using client = await RespClient.connect(homeMaster.port);
  equal(await client.cmd("AUTH", "pw"), "OK");
  equal(await client.cmd("SET", "from-home", "2"), "OK");
  await using follower = startRedis(
    dir.path,
    "replica",
    "--replicaof",
    "127.0.0.1",
    String(homeMaster.port),
    "--masterauth",
    "pw",
  );
  using followerClient = await follower.connect();
  await converged(client, followerClient);
  equal(await followerClient.cmd("GET", "from-home"), "2");
});

Deno.test("a chain: redis-server replicates a redis-home replica of redis-home", async () => {
  using dir = scratchDir();
  await using top = startServer({ "repl-diskless-sync-delay": "0" });
  await using middle = startServer({ "repl-diskless-sync-delay": "0" });
  using master = await RespClient.connect(top.port);
  using relay = await RespClient.connect(middle.port);
  await fillAllTypes(master);
  equal(await relay.cmd("REPLICAOF", "127.0.0.1", top.port), "OK");
  await converged(master, relay);
  await using redis = startRedis(dir.path, "end", "--replicaof", "127.0.0.1", String(middle.port));
  using end = await redis.connect();
  for (let round = 0; round < 2; round++) await writeBurst(master, round);
  // The relay's link to its master is killed by type and by address; it resumes each time.
  equal(await relay.cmd("CLIENT", "KILL", "TYPE", "master"), 1);
  await converged(master, relay);
  const masterAddr = `127.0.0.1:${top.port}`;
  equal(await relay.cmd("CLIENT", "KILL", masterAddr), "OK");
  for (let round = 2; round < 4; round++) await writeBurst(master, round);
  await converged(master, relay);
  equal((await infoSection(master, "stats")).sync_partial_ok, "2");
  // The relay forwards its master's stream unchanged: the offsets agree all along the chain.
  await converged(relay, end);
  await assertSameData(end, master);
  equal(
    (await infoSection(end, "replication")).master_replid,
    (await infoSection(master, "replication")).master_replid,
  );
});

Deno.test("approximate stream trims reach a redis-home replica as Redis rewrites them (= n LIMIT m)", async () => {
  using dir = scratchDir();
  await using redis = startRedis(dir.path, "master", "--repl-diskless-sync-delay", "0");
  using master = await redis.connect();
  // Small nodes, so that `~` trims whole nodes and LIMIT caps how many entries go.
  equal(await master.cmd("CONFIG", "SET", "stream-node-max-entries", "4"), "OK");
  await using home = startServer();
  using replica = await RespClient.connect(home.port);
  equal(await replica.cmd("REPLICAOF", "127.0.0.1", redis.port), "OK");
  await converged(master, replica);
  for (let i = 0; i < 300; i++) {
    await master.cmd("XADD", "s", "MAXLEN", "~", "40", "LIMIT", "8", "*", "f", `${i}`);
    if (i % 50 === 49) {
      const entries = await master.cmd("XRANGE", "s", "-", "+", "COUNT", 12) as [string][];
      await master.cmd("XTRIM", "s", "MINID", "~", entries.at(-1)![0], "LIMIT", "4");
    }
  }
  await master.cmd("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "4");
  await converged(master, replica);
  deepEqual(await replica.cmd("XRANGE", "s", "-", "+"), await master.cmd("XRANGE", "s", "-", "+"));
  const info = async (c: RespClient) => {
    const fields = await c.cmd("XINFO", "STREAM", "s") as unknown[];
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < fields.length; i += 2) map.set(fields[i], fields[i + 1]);
    return ["length", "last-generated-id", "max-deleted-entry-id", "entries-added"].map((k) =>
      map.get(k)
    );
  };
  deepEqual(await info(replica), await info(master));
  equal(await replica.cmd("REPLICAOF", "NO", "ONE"), "OK");
});
