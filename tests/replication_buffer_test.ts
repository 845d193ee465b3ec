/**
 * The shared replication buffer's figures, as redis-server 7.0.15 reports
 * them for the same stream: its blocks (16 KB requests, which jemalloc makes
 * 20480-byte allocations), the backlog trimmed to repl-backlog-size in whole
 * blocks, and a caught-up replica holding the last block (CLIENT LIST omem).
 */
import { equal, ok } from "node:assert/strict";
import { pipelineOneWrite, RespClient, ROOT, startServer } from "./helpers.ts";
import { freePort } from "./persistence_helpers.ts";
import {
  ChildProgram,
  infoSection,
  scratchDir,
  startRedis,
  waitFor,
} from "./replication_helpers.ts";

function field(info: unknown, name: string): string | undefined {
  return String(info).match(new RegExp(`^${name}:(.*)\\r$`, "m"))?.[1];
}

Deno.test("INFO's replication buffer figures and a replica's omem are Redis's", async () => {
  await using master = startServer({
    "repl-diskless-sync-delay": "0",
    "repl-backlog-size": "16384",
  });
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  using r = await RespClient.connect(replica.port);
  equal(await r.cmd("REPLICAOF", "127.0.0.1", master.port), "OK");
  await waitFor(
    "the link",
    async () => field(await r.cmd("INFO"), "master_link_status") === "up" || undefined,
  );
  const value = "a".repeat(1000);
  for (let i = 1; i <= 100; i++) equal(await m.cmd("SET", `k${i}`, value), "OK");
  const offset = field(await m.cmd("INFO", "replication"), "master_repl_offset");
  await waitFor(
    "the replica's offset",
    async () =>
      field(await r.cmd("INFO", "replication"), "slave_repl_offset") === offset || undefined,
  );
  // redis-server 7.0.15, the same writes: 103152 bytes of stream (a PING more), two blocks held.
  const memory = await m.cmd("INFO", "memory");
  equal(field(memory, "mem_total_replication_buffers"), "41008");
  equal(field(memory, "mem_replication_backlog"), "16384");
  equal(field(memory, "mem_clients_slaves"), "24624");
  const replication = await m.cmd("INFO", "replication");
  equal(field(replication, "repl_backlog_first_byte_offset"), "81761");
  equal(
    String(await m.cmd("CLIENT", "LIST", "TYPE", "replica")).match(/ omem=(\d+)/)?.[1],
    "20504",
  );
  // With the replica gone, the backlog has it all.
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
  await waitFor(
    "the replica to go",
    async () => field(await m.cmd("INFO", "replication"), "connected_slaves") === "0" || undefined,
  );
  const after = await m.cmd("INFO", "memory");
  equal(field(after, "mem_replication_backlog"), "41008");
  equal(field(after, "mem_clients_slaves"), "0");
});

Deno.test("a replica that stops reading: what its output takes, buffer room included, is left out of eviction's count", async () => {
  // unit/maxmemory's "slave buffer are counted correctly", with a replica that never reads.
  await using master = startServer({
    "repl-diskless-sync-delay": "0",
    "repl-backlog-size": "10240",
    "client-output-buffer-limit": "replica 100000000 100000000 300",
    "slowlog-log-slower-than": "-1",
    "latency-tracking": "no",
  });
  using m = await RespClient.connect(master.port);
  for (let j = 0; j < 100; j++) equal(await m.cmd("SETRANGE", `key:${j}`, 100000, "asdf"), 100004);
  using replica = await RespClient.connect(master.port);
  equal(await replica.cmd("REPLCONF", "listening-port", "1"), "OK");
  await replica.send("PSYNC", "?", "-1");
  await waitFor(
    "the replica",
    async () => field(await m.cmd("INFO", "replication"), "connected_slaves") === "1" || undefined,
  );
  const counted = async () => {
    const memory = await m.cmd("INFO", "memory");
    const figure = (name: string) => Number(field(memory, name));
    return {
      used: figure("used_memory") - figure("mem_not_counted_for_evict") -
        figure("mem_clients_normal"),
      replicas: figure("mem_clients_slaves"),
    };
  };
  const before = await counted();
  const request = ["SETRANGE", "key:0", "0", "A".repeat(10)];
  const commands = 200_000;
  for (let sent = 0; sent < commands; sent += 10_000) {
    const replies = await pipelineOneWrite(m, Array(10_000).fill(request));
    equal(replies[replies.length - 1], 100004);
  }
  const after = await counted();
  // The stream piled up for the replica (some of it in the kernel's socket buffers)...
  ok(after.replicas > 2 * 1024 * 1024, `mem_clients_slaves ${after.replicas}`);
  // ...and all of it is left out: eviction counts what it did before, as Redis's test allows.
  const delta = after.used - before.used;
  ok(Math.abs(delta) < commands / 2, `used memory as eviction counts it moved ${delta} bytes`);
});

Deno.test("a replica stopped after it caught up makes no key go as its output fills the socket", async () => {
  // unit/maxmemory's "replica buffer don't induce eviction": eviction's count 32 KB under
  // maxmemory, then a stream to a stopped redis-server replica. Its output moved into the socket
  // buffers after the cron had counted its client with it: the difference counted, and 3 to 23
  // of the 100 keys went.
  // The master served as `redis-home serve` runs it: client sockets through the poller, whose
  // output waits for the round's end (an in-process server writes through Deno's sockets).
  using dir = scratchDir();
  const port = freePort();
  await using master = ChildProgram.spawn(
    "master",
    `${ROOT}redis-home`,
    [
      "serve",
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir.path, "--save", ""],
      ...["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "10240"],
      ...["--client-output-buffer-limit", "replica 100000000 100000000 300"],
      ...["--maxmemory-policy", "allkeys-random", "--slowlog-log-slower-than", "-1"],
      ...["--latency-tracking", "no"],
    ],
    port,
    dir.path,
  );
  using m = await master.connect(60000);
  for (let j = 0; j < 100; j++) equal(await m.cmd("SETRANGE", `key:${j}`, 100000, "asdf"), 100004);
  await using redis = startRedis(
    dir.path,
    "redis",
    "--replicaof",
    "127.0.0.1",
    String(master.port),
  );
  using replica = await redis.connect();
  await waitFor(
    "the link",
    async () =>
      (await infoSection(replica, "replication")).master_link_status === "up" || undefined,
  );
  const memory = await infoSection(m, "memory");
  const used = Number(memory.used_memory) - Number(memory.mem_not_counted_for_evict);
  equal(await m.cmd("CONFIG", "SET", "maxmemory", String(used + 32 * 1024)), "OK");
  redis.process.kill("SIGSTOP");
  try {
    // One at a time, as the Tcl test writes: a pipeline's replies would count, as in Redis.
    const value = "A".repeat(100);
    for (let sent = 0; sent < 80_000; sent++) {
      equal(await m.cmd("SETRANGE", "key:0", "0", value), 100004);
    }
    equal((await infoSection(m, "stats")).evicted_keys, "0");
    equal(await m.cmd("DBSIZE"), 100);
  } finally {
    redis.process.kill("SIGCONT");
  }
});
