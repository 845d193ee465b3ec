/**
 * The replica side's link, against the real redis-server as master: full
 * resync in both payload forms, the command stream with exact offsets,
 * REPLCONF GETACK (WAIT), and a partial resync after the link is cut. The
 * "server" here is a map of strings, so only the link is under test.
 */
import { deepEqual, equal } from "node:assert/strict";
import { readRdb } from "../server/persistence/rdb_reader.ts";
import { MasterLink, type ReplicaHost } from "../server/replication/master_link.ts";
import type { RespClient } from "./helpers.ts";
import { infoSection, scratchDir, startRedis, waitFor } from "./replication_helpers.ts";

/** A keyspace of strings that follows the stream (SELECT, SET, DEL). */
class MapReplica implements ReplicaHost {
  dbs = Array.from({ length: 16 }, () => new Map<string, string>());
  db = 0;
  fullSyncs = 0;
  continues = 0;
  streamedBytes = 0;
  unexpected: string[] = [];
  prepare(): Promise<void> {
    return Promise.resolve();
  }
  history(): undefined {
    return undefined;
  }
  transferStarted(): void {}
  transferProgress(): void {}
  transferEnded(): void {}
  loadRdb(rdb: Uint8Array): void {
    this.fullSyncs++;
    this.dbs = this.dbs.map(() => new Map());
    let db = 0;
    readRdb(rdb, {
      selectDb: (index) => db = index,
      entry: (key, value) => this.dbs[db]!.set(key, value as string),
    });
  }
  continued(): void {
    this.continues++;
  }
  apply(argv: string[]): void {
    const [name = "", ...args] = argv;
    switch (name.toUpperCase()) {
      case "SELECT":
        this.db = Number(args[0]);
        return;
      case "SET":
        this.dbs[this.db]!.set(args[0]!, args[1]!);
        return;
      case "DEL":
        for (const key of args) this.dbs[this.db]!.delete(key);
        return;
      case "PING":
      case "MULTI":
      case "EXEC":
        return;
      default:
        this.unexpected.push(argv.join(" "));
    }
  }
  streamed(bytes: Uint8Array): void {
    this.streamedBytes += bytes.length;
  }
  failingOver(): boolean {
    return false;
  }
  failoverAnswered(): void {}
  log(): void {}
}

async function masterData(client: RespClient, dbs: number[]): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const db of dbs) {
    await client.cmd("SELECT", db);
    const keys = (await client.cmd("KEYS", "*")) as string[];
    const values = keys.length === 0 ? [] : (await client.cmd("MGET", ...keys)) as string[];
    out.push(Object.fromEntries(keys.map((k, i) => [k, values[i]!])));
  }
  await client.cmd("SELECT", 0);
  return out;
}

function replicaData(replica: MapReplica, dbs: number[]): Record<string, string>[] {
  return dbs.map((db) => Object.fromEntries(replica.dbs[db]!));
}

async function masterOffset(client: RespClient): Promise<number> {
  return Number((await infoSection(client, "replication")).master_repl_offset);
}

async function writeLoad(client: RespClient, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await client.cmd("SELECT", i % 2 === 0 ? 0 : 3);
    await client.cmd("SET", `k${i}`, `v${i}`.repeat(i % 5 + 1));
    if (i % 7 === 0) await client.cmd("DEL", `k${i - 3}`);
  }
  await client.cmd("SELECT", 0);
}

async function caughtUp(link: MasterLink, client: RespClient): Promise<void> {
  await waitFor("the replica to reach the master's offset", async () => {
    const offset = await masterOffset(client);
    return link.up && link.offset === offset ? true : undefined;
  });
}

for (const diskless of ["yes", "no"]) {
  Deno.test(`a link follows redis-server (repl-diskless-sync ${diskless}), and resumes with PSYNC`, async () => {
    using dir = scratchDir();
    await using redis = startRedis(
      dir.path,
      "master",
      "--repl-diskless-sync",
      diskless,
      "--repl-diskless-sync-delay",
      "0",
    );
    using client = await redis.connect();
    await writeLoad(client, 0, 300);
    const replica = new MapReplica();
    const link = new MasterLink("127.0.0.1", redis.port, replica, {
      listeningPort: 1,
      timeoutSeconds: 60,
    });
    try {
      await waitFor("the link to come up", () => Promise.resolve(link.up || undefined));
      await writeLoad(client, 300, 300);
      await caughtUp(link, client);
      deepEqual(replicaData(replica, [0, 3]), await masterData(client, [0, 3]));
      equal(replica.fullSyncs, 1);
      const info = await infoSection(client, "replication");
      equal(info.connected_slaves, "1");
      equal(info.slave0?.split(",")[1], "port=1");

      // WAIT sends REPLCONF GETACK; the link's ACK makes it count.
      await client.cmd("SET", "acked", "1");
      equal(await client.cmd("WAIT", 1, 5000), 1);

      // Cut the link; writes made meanwhile arrive by partial resync.
      await client.cmd("CLIENT", "KILL", "TYPE", "replica");
      await writeLoad(client, 600, 100);
      await caughtUp(link, client);
      equal(replica.fullSyncs, 1);
      equal(replica.continues, 1);
      deepEqual(replicaData(replica, [0, 3]), await masterData(client, [0, 3]));
      deepEqual(replica.unexpected, []);
      equal(Number((await infoSection(client, "stats")).sync_partial_ok), 1);
    } finally {
      await link.stop();
    }
  });
}

Deno.test("bind-source-addr: the link connects from that address, as redis-server sees it", async () => {
  using dir = scratchDir();
  // Protected mode would refuse a peer other than 127.0.0.1 (Redis's own test turns it off too).
  await using redis = startRedis(
    dir.path,
    "master",
    "--protected-mode",
    "no",
    "--repl-diskless-sync-delay",
    "0",
  );
  using client = await redis.connect();
  await client.cmd("SET", "k", "v");
  const replica = new MapReplica();
  // Any 127.x address is loopback on Linux: the master sees the link come from 127.0.0.2.
  const link = new MasterLink("127.0.0.1", redis.port, replica, {
    listeningPort: 1,
    timeoutSeconds: 60,
    sourceAddress: "127.0.0.2",
  });
  try {
    await waitFor("the link to come up", () => Promise.resolve(link.up || undefined));
    const info = await infoSection(client, "replication");
    equal(info.slave0?.split(",")[0], "ip=127.0.0.2");
    await client.cmd("SET", "k2", "v2");
    await caughtUp(link, client);
    deepEqual(replicaData(replica, [0]), await masterData(client, [0]));
    equal(link.remoteAddr, `127.0.0.1:${redis.port}`);
  } finally {
    await link.stop();
  }
});
