/**
 * repl-diskless-load: a replica that loads its master's RDB as it arrives is
 * loading meanwhile, as Redis's readSyncBulkPayload: from another history it
 * answers -LOADING (INFO loading:1); from the same history with swapdb it
 * keeps serving its old dataset (async_loading:1) and refuses only REPLICAOF,
 * SAVE... and DENY_LOADING parameters. A transfer that fails leaves the old
 * dataset in place. (Checked against redis-server 7.0.15's
 * integration/replication tests of the same names.)
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { waitFor } from "./replication_helpers.ts";

function field(info: unknown, name: string): string | undefined {
  return String(info).match(new RegExp(`^${name}:(.*)\\r$`, "m"))?.[1];
}

const LOADING = { error: "LOADING Redis is loading the dataset in memory" };

/** A master whose RDB transfer takes ~2 s (200 keys, 10 ms each) and a swapdb replica with keys of its own. */
async function slowPair() {
  const master = startServer({ "repl-diskless-sync-delay": "0", "enable-debug-command": "yes" });
  const replica = startServer({ "repl-diskless-load": "swapdb", "enable-debug-command": "yes" });
  const m = await RespClient.connect(master.port);
  const r = await RespClient.connect(replica.port);
  equal(await m.cmd("DEBUG", "POPULATE", "200", "master", "100"), "OK");
  equal(await r.cmd("DEBUG", "POPULATE", "20", "replica", "10"), "OK");
  equal(await r.cmd("SET", "mykey", "myvalue"), "OK");
  return {
    master,
    m,
    r,
    async [Symbol.asyncDispose]() {
      m[Symbol.dispose]();
      r[Symbol.dispose]();
      await replica.close();
      await master.close();
    },
  };
}

const replicaInfo = async (r: RespClient, name: string) => field(await r.cmd("INFO"), name);

Deno.test("a swapdb load from another history is loading, and a failed one keeps the old data", async () => {
  await using pair = await slowPair();
  const { m, r } = pair;
  equal(await m.cmd("CONFIG", "SET", "rdb-key-save-delay", "10000"), "OK");
  equal(await r.cmd("REPLICAOF", "127.0.0.1", pair.master.port), "OK");
  await waitFor("loading", async () => await replicaInfo(r, "loading") === "1" || undefined);
  equal(await replicaInfo(r, "async_loading"), "0");
  deepEqual(await r.cmd("GET", "mykey"), LOADING);
  // The transfer fails: the replica's own dataset is still there.
  equal(await m.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "5"), "OK");
  equal(await m.cmd("CLIENT", "KILL", "TYPE", "replica"), 1);
  await waitFor(
    "the load to stop",
    async () => await replicaInfo(r, "loading") === "0" || undefined,
  );
  equal(await r.cmd("GET", "mykey"), "myvalue");
  equal(await r.cmd("DBSIZE"), 21);
  equal(await m.cmd("CONFIG", "SET", "rdb-key-save-delay", "0"), "OK");
});

Deno.test("a swapdb load from the same history keeps serving the old data (async_loading)", async () => {
  await using pair = await slowPair();
  const { m, r } = pair;
  equal(await r.cmd("CONFIG", "SET", "replica-read-only", "no"), "OK");
  equal(await r.cmd("REPLICAOF", "127.0.0.1", pair.master.port), "OK");
  await waitFor(
    "the link",
    async () => await replicaInfo(r, "master_link_status") === "up" || undefined,
  );
  equal(await r.cmd("SET", "mykey", "myvalue"), "OK");
  // The next sync must be full, from the same replication ID: the backlog lost the bytes missed.
  equal(await m.cmd("CONFIG", "SET", "rdb-key-save-delay", "10000"), "OK");
  equal(await m.cmd("MULTI"), "OK");
  await m.cmd("CLIENT", "KILL", "TYPE", "replica");
  await m.cmd("CONFIG", "SET", "repl-backlog-size", "16384");
  for (let i = 0; i < 10; i++) await m.cmd("SET", `k${i}`, "A".repeat(16384));
  equal((await m.cmd("EXEC") as unknown[]).length, 12);
  await waitFor(
    "async loading",
    async () => await replicaInfo(r, "async_loading") === "1" || undefined,
  );
  equal(await replicaInfo(r, "loading"), "0");
  equal(await r.cmd("GET", "mykey"), "myvalue");
  deepEqual(await r.cmd("CONFIG", "SET", "appendonly", "no"), LOADING);
  deepEqual(await r.cmd("REPLICAOF", "NO", "ONE"), LOADING);
  equal(await m.cmd("CONFIG", "SET", "rdb-key-save-delay", "0"), "OK");
  equal(await m.cmd("CLIENT", "KILL", "TYPE", "replica"), 1);
  await waitFor(
    "the load to stop",
    async () => await replicaInfo(r, "async_loading") === "0" || undefined,
  );
  equal(await r.cmd("GET", "mykey"), "myvalue");
});
