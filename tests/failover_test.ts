/**
 * FAILOVER end to end: redis-home handing over to a redis-home replica, to
 * a real redis-server replica, and a real redis-server master handing over
 * to a redis-home replica (the PSYNC ... FAILOVER handshake both ways);
 * the waiting state that holds writes, its abort, timeout and FORCE paths;
 * the error texts beside redis-server's.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer, type TestServer } from "./helpers.ts";
import { sameAsRedis } from "./redis_compare.ts";
import {
  type ChildProgram,
  infoSection,
  scratchDir,
  startRedis,
  waitFor,
} from "./replication_helpers.ts";

async function info(client: RespClient, field: string): Promise<string | undefined> {
  return (await infoSection(client, field.startsWith("sync_") ? "stats" : "replication"))[field];
}

/** Waits until `replica`'s link is up and it acknowledged everything `master` produced. */
async function synced(master: RespClient, replica: RespClient): Promise<void> {
  await waitFor("the replica to catch up", async () => {
    const target = await info(master, "master_repl_offset");
    const link = await infoSection(replica, "replication");
    return link.master_link_status === "up" && link.slave_repl_offset === target ? true : undefined;
  });
}

async function failoverEnded(client: RespClient): Promise<void> {
  await waitFor(
    "the failover to end",
    async () => await info(client, "master_failover_state") === "no-failover" ? true : undefined,
  );
}

async function waitForBlocked(server: TestServer, n: number): Promise<void> {
  await waitFor(
    `${n} held client(s)`,
    () => Promise.resolve(server.server.blocking.blockedClients === n ? true : undefined),
  );
}

async function roleOf(client: RespClient): Promise<string> {
  return (await client.cmd("ROLE") as unknown[])[0] as string;
}

async function counters(client: RespClient): Promise<[number, number]> {
  const stats = await infoSection(client, "stats");
  return [Number(stats.sync_partial_ok), Number(stats.sync_full)];
}

Deno.test("FAILOVER's syntax and precondition errors, COMMAND INFO, as redis-server's", async () => {
  await sameAsRedis([
    ["FAILOVER"],
    ["FAILOVER", "ABORT"],
    ["FAILOVER", "TIMEOUT", "0"],
    ["FAILOVER", "TIMEOUT", "-5"],
    ["FAILOVER", "TIMEOUT", "soon"],
    ["FAILOVER", "TIMEOUT", "10", "TIMEOUT", "20"],
    ["FAILOVER", "TIMEOUT"],
    ["FAILOVER", "TO", "127.0.0.1"],
    ["FAILOVER", "TO", "127.0.0.1", "port"],
    ["FAILOVER", "to", "127.0.0.1", "1", "force", "timeout", "5"],
    ["FAILOVER", "FORCE", "FORCE"],
    ["FAILOVER", "ABORT", "TIMEOUT", "5"],
    ["FAILOVER", "FORCE", "TIMEOUT", "100"],
    ["PSYNC", "?", "-1", "FAILOVER"],
    ["INFO", "nosuchsection"],
    ["COMMAND", "INFO", "failover"],
    ["COMMAND", "DOCS", "failover"],
  ]);
});

Deno.test("redis-home hands over to a redis-home replica: roles swap with partial resyncs", async () => {
  await using m = startServer({ "repl-diskless-sync-delay": "0" });
  await using r = startServer({ "repl-diskless-sync-delay": "0" });
  using master = await RespClient.connect(m.port);
  using replica = await RespClient.connect(r.port);
  for (let i = 0; i < 100; i++) await master.cmd("SET", `k${i}`, `v${i}`);
  equal(await replica.cmd("REPLICAOF", "127.0.0.1", m.port), "OK");
  await synced(master, replica);
  deepEqual(await master.cmd("FAILOVER", "TO", "127.0.0.1", "1"), {
    error: "ERR FAILOVER target HOST and PORT is not a replica.",
  });
  await notOnline(m, master);
  deepEqual(await replica.cmd("FAILOVER"), {
    error: "ERR FAILOVER is not valid when server is a replica.",
  });
  deepEqual(await replica.cmd("PSYNC", "0".repeat(40), "1", "FAILOVER"), {
    error: "ERR PSYNC FAILOVER replid must match my replid.",
  });
  const [partialBefore, fullBefore] = await counters(replica);
  equal(await master.cmd("FAILOVER", "TO", "127.0.0.1", r.port), "OK");
  await failoverEnded(master);
  equal(await roleOf(replica), "master");
  deepEqual((await master.cmd("ROLE") as unknown[]).slice(0, 3), ["slave", "127.0.0.1", r.port]);
  await synced(replica, master);
  deepEqual(await counters(replica), [partialBefore + 1, fullBefore]);
  equal(await replica.cmd("SET", "after", "1"), "OK");
  await synced(replica, master);
  equal(await master.cmd("GET", "after"), "1");
  equal(await master.cmd("GET", "k99"), "v99");
  deepEqual(await master.cmd("SET", "x", "1"), {
    error: "READONLY You can't write against a read only replica.",
  });
});

/** A replica still waiting for its full sync cannot be the target. */
async function notOnline(m: TestServer, master: RespClient): Promise<void> {
  equal(await master.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "60"), "OK");
  await using late = startServer();
  using client = await RespClient.connect(late.port);
  equal(await client.cmd("REPLICAOF", "127.0.0.1", m.port), "OK");
  await waitFor(
    "the late replica to wait for its sync",
    async () => /state=wait_bgsave/.test(await info(master, "slave1") ?? "") ? true : undefined,
  );
  deepEqual(await master.cmd("FAILOVER", "TO", "127.0.0.1", late.port), {
    error: "ERR FAILOVER target replica is not online.",
  });
  equal(await master.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "0"), "OK");
}

/** Replies of the same probes on a master with one replica, and on that replica. */
async function probe(master: RespClient, replica: RespClient): Promise<unknown[]> {
  return [
    await master.cmd("FAILOVER", "TO", "127.0.0.1", "1"),
    await master.cmd("FAILOVER", "FORCE", "TIMEOUT", "100"),
    await master.cmd("FAILOVER", "TO", "127.0.0.1", "1", "FORCE"),
    await master.cmd("FAILOVER", "ABORT"),
    await replica.cmd("FAILOVER"),
    await replica.cmd("FAILOVER", "ABORT"),
    await replica.cmd("PSYNC", "0".repeat(40), "1", "FAILOVER"),
  ];
}

Deno.test("FAILOVER between redis-home and redis-server, both ways", async () => {
  using dir = scratchDir();
  await using m = startServer({ "repl-diskless-sync-delay": "0" });
  using home = await RespClient.connect(m.port);
  for (let i = 0; i < 100; i++) await home.cmd("RPUSH", "list", `e${i}`);
  await using redis = startRedis(dir.path, "redis", "--replicaof", "127.0.0.1", String(m.port));
  using real = await redis.connect();
  await synced(home, real);
  const asMaster = await probe(home, real);

  // redis-home hands over to the real Redis replica it picks.
  const [partialAtRedis] = await counters(real);
  equal(await home.cmd("FAILOVER"), "OK");
  await failoverEnded(home);
  equal(await roleOf(real), "master");
  equal(await roleOf(home), "slave");
  equal((await counters(real))[0], partialAtRedis + 1);
  equal(await real.cmd("RPUSH", "list", "from-redis"), 101);
  await synced(real, home);
  equal(await home.cmd("LINDEX", "list", "-1"), "from-redis");
  const asRedisMaster = await probe(real, home);
  deepEqual(asMaster, asRedisMaster);

  // The real Redis master hands back to its redis-home replica.
  const [partialAtHome, fullAtHome] = await counters(home);
  equal(await real.cmd("FAILOVER", "TO", "127.0.0.1", m.port), "OK");
  await failoverEnded(real);
  equal(await roleOf(home), "master");
  equal(await roleOf(real), "slave");
  deepEqual(await counters(home), [partialAtHome + 1, fullAtHome]);
  equal(await home.cmd("RPUSH", "list", "from-home"), 102);
  await synced(home, real);
  deepEqual(await real.cmd("LRANGE", "list", "-2", "-1"), ["from-redis", "from-home"]);
});

function signal(program: ChildProgram, name: "SIGSTOP" | "SIGCONT"): void {
  program.process.kill(name);
}

Deno.test("while a replica lags, FAILOVER holds writes until ABORT, a timeout, or FORCE", async () => {
  using dir = scratchDir();
  await using m = startServer({ "repl-diskless-sync-delay": "0" });
  using master = await RespClient.connect(m.port);
  using writer = await RespClient.connect(m.port);
  await using redis = startRedis(dir.path, "redis", "--replicaof", "127.0.0.1", String(m.port));
  using real = await redis.connect();
  await synced(master, real);
  signal(redis, "SIGSTOP");
  try {
    // The stopped replica never acknowledges this.
    equal(await master.cmd("SET", "case", "1"), "OK");
    equal(await master.cmd("FAILOVER", "TO", "127.0.0.1", redis.port, "TIMEOUT", "60000"), "OK");
    equal(await info(master, "master_failover_state"), "waiting-for-sync");
    deepEqual(await master.cmd("FAILOVER"), { error: "ERR FAILOVER already in progress." });
    deepEqual(await master.cmd("REPLICAOF", "NO", "ONE"), {
      error: "ERR REPLICAOF not allowed while failing over.",
    });
    deepEqual(await writer.cmd("PSYNC", "?", "-1"), {
      error: "NOMASTERLINK Can't SYNC while failing over",
    });
    await writer.send("SET", "held", "1");
    await waitForBlocked(m, 1);
    equal(await master.cmd("GET", "case"), "1");
    // CLIENT UNPAUSE ends CLIENT PAUSE's pause only.
    equal(await master.cmd("CLIENT", "UNPAUSE"), "OK");
    equal(m.server.blocking.blockedClients, 1);
    equal(await master.cmd("GET", "held"), null);
    equal(await master.cmd("FAILOVER", "ABORT"), "OK");
    equal(await writer.cmd(), "OK");
    equal(await info(master, "master_failover_state"), "no-failover");
    deepEqual(await master.cmd("FAILOVER", "ABORT"), { error: "ERR No failover in progress." });

    equal(await master.cmd("FAILOVER", "TO", "127.0.0.1", redis.port, "TIMEOUT", "50"), "OK");
    await failoverEnded(master);
    equal(await roleOf(master), "master");

    equal(
      await master.cmd("FAILOVER", "TO", "127.0.0.1", redis.port, "TIMEOUT", "50", "FORCE"),
      "OK",
    );
    await waitFor(
      "the forced hand-over",
      async () =>
        await info(master, "master_failover_state") === "failover-in-progress" ? true : undefined,
    );
    equal(await roleOf(master), "slave");
  } finally {
    signal(redis, "SIGCONT");
  }
  await failoverEnded(master);
  equal(await roleOf(real), "master");
  await synced(real, master);
  equal(await master.cmd("GET", "held"), await real.cmd("GET", "held"));
});
