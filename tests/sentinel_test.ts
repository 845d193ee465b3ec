/**
 * High availability with the real Redis Sentinel: it monitors a redis-home
 * master with two redis-home replicas (found through INFO replication),
 * and when the master dies it promotes one replica and re-points the other
 * (REPLICAOF, CONFIG REWRITE and CLIENT KILL inside MULTI/EXEC, as Sentinel
 * sends them). Writes that WAIT confirmed on both replicas survive.
 */
import { deepEqual, equal, notEqual } from "node:assert/strict";
import { RespClient, startServer, type TestServer } from "./helpers.ts";
import { infoSection, scratchDir, startSentinel, waitFor } from "./replication_helpers.ts";

async function replicaOf(server: TestServer, master: TestServer): Promise<void> {
  using client = await RespClient.connect(server.port);
  equal(await client.cmd("REPLICAOF", "127.0.0.1", master.port), "OK");
}

Deno.test("Sentinel fails a redis-home master over to a redis-home replica", async () => {
  using dir = scratchDir();
  const params = { "repl-diskless-sync-delay": "0", "repl-ping-replica-period": "1" };
  const master = startServer(params);
  await using a = startServer(params);
  await using b = startServer(params);
  let masterClosed = false;
  try {
    using writer = await RespClient.connect(master.port);
    await replicaOf(a, master);
    await replicaOf(b, master);
    await waitFor("both replicas online", async () => {
      const info = await infoSection(writer, "replication");
      return info.connected_slaves === "2" && (info.slave0 ?? "").includes("state=online") &&
          (info.slave1 ?? "").includes("state=online")
        ? true
        : undefined;
    });
    await using sentinel = startSentinel(dir.path, "sentinel", {
      host: "127.0.0.1",
      port: master.port,
    });
    using asker = await sentinel.connect();
    // Sentinel finds the replicas through the master's INFO.
    await waitFor("Sentinel to know both replicas", async () => {
      const replicas = (await asker.cmd("SENTINEL", "REPLICAS", "mymaster")) as unknown[];
      return replicas.length === 2 ? true : undefined;
    }, 20000);

    for (let i = 0; i < 200; i++) await writer.cmd("SET", `acked:${i}`, `v${i}`);
    equal(await writer.cmd("WAIT", 2, 5000), 2);

    await master.close();
    masterClosed = true;
    const promoted = await waitFor("Sentinel to name a new master", async () => {
      const addr = (await asker.cmd("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")) as string[];
      return Number(addr[1]) !== master.port ? Number(addr[1]) : undefined;
    }, 30000);
    notEqual(promoted, master.port);
    // Sentinel's CLIENT KILL TYPE NORMAL closed our connections: a client reconnects.
    const otherPort = promoted === a.port ? b.port : a.port;
    using newMaster = await RespClient.connect(promoted);

    equal((await infoSection(newMaster, "replication")).role, "master");
    // A client asking Sentinel reaches a writable master holding every acknowledged write.
    equal(await newMaster.cmd("SET", "after-failover", "1"), "OK");
    for (let i = 0; i < 200; i += 17) equal(await newMaster.cmd("GET", `acked:${i}`), `v${i}`);
    equal(await newMaster.cmd("DBSIZE"), 201);
    // The other replica follows the new master (Sentinel kills connections there too).
    await waitFor("the other replica to follow the new master", async () => {
      using other = await RespClient.connect(otherPort);
      const info = await infoSection(other, "replication");
      return info.master_port === String(promoted) && info.master_link_status === "up" &&
          (await other.cmd("GET", "after-failover")) === "1"
        ? true
        : undefined;
    }, 30000);
    using other = await RespClient.connect(otherPort);
    deepEqual(await other.cmd("DBSIZE"), 201);
  } finally {
    if (!masterClosed) await master.close();
  }
});
