import { deepEqual, equal, match, notEqual, ok as assert } from "node:assert/strict";
import { BLOCK_OVERHEAD } from "./backlog.ts";
import { bytesToBinary } from "../../protocol/bytes.ts";
import { Database } from "../db.ts";
import { readRdb } from "../persistence/rdb_reader.ts";
import type { KeyspaceSnapshot } from "../persistence/snapshot.ts";
import { rdbEncoder } from "../persistence/snapshot_file.ts";
import { type MasterHost, ReplicationMaster } from "./master.ts";
import { RdbPayloadReceiver } from "./rdb_transfer.ts";
import { type PeerConnection, ReplicaPeer } from "./replica_peer.ts";

class FakeConn implements PeerConnection {
  out: Uint8Array[] = [];
  pendingBytes = 0;
  closed = false;
  remoteHost = "127.0.0.1";
  write(bytes: Uint8Array): void {
    this.out.push(bytes.slice());
  }
  close(): void {
    this.closed = true;
  }
  /** Everything written since the last call, as text. */
  take(): string {
    const text = this.out.map((b) => bytesToBinary(b)).join("");
    this.out = [];
    return text;
  }
}

function makeMaster(settings: Record<string, string> = {}): {
  master: ReplicationMaster;
  dbs: Database[];
  /** The configuration, for a CONFIG SET. */
  values: Record<string, string>;
  /** Sets a key as a write command would: the running snapshot copies it first. */
  write: (db: number, key: string, value: string) => void;
} {
  const values: Record<string, string> = {
    "repl-backlog-size": String(1 << 20),
    "repl-diskless-sync": "yes",
    "repl-diskless-sync-delay": "0",
    "repl-diskless-sync-max-replicas": "0",
    "repl-ping-replica-period": "10",
    "repl-timeout": "60",
    "repl-backlog-ttl": "3600",
    "min-replicas-to-write": "0",
    "min-replicas-max-lag": "10",
    "client-output-buffer-limit": "normal 0 0 0 slave 1000 500 60 pubsub 0 0 0",
    save: "",
    dir: ".",
    ...settings,
  };
  const dbs = Array.from({ length: 4 }, (_, i) => new Database(i, { expired() {} }));
  const watching = new Set<KeyspaceSnapshot>();
  const write = (db: number, key: string, value: string) => {
    for (const snapshot of watching) snapshot.beforeWrite(db, key);
    dbs[db]!.set(key, value);
  };
  const host: MasterHost = {
    dbs,
    config: {
      get: (name) => values[name]!,
      getNumber: (name) => Number(values[name]),
      getBool: (name) => values[name] === "yes",
      live: (name) => ({
        get value() {
          return Number(values[name]);
        },
      }),
    },
    rdbEncoder: (aux, write) => rdbEncoder({ compression: false, checksum: true }, aux, write),
    watchWrites: (snapshot) => {
      watching.add(snapshot);
      return () => watching.delete(snapshot);
    },
    log() {},
  };
  return { master: new ReplicationMaster(host), dbs, values, write };
}

function peer(conn: FakeConn, port = 6380): ReplicaPeer {
  const p = new ReplicaPeer(conn);
  p.listeningPort = port;
  p.capaEof = true;
  p.capaPsync2 = true;
  return p;
}

/** Waits (bounded) until the transfer wrote the end of its payload. */
async function payloadOf(conn: FakeConn): Promise<{ head: string; rdb: Uint8Array; rest: string }> {
  const receiver = new RdbPayloadReceiver();
  let head = "";
  for (let i = 0; i < 200 && !receiver.done; i++) {
    await new Promise((r) => setTimeout(r, 5));
    for (const chunk of conn.out.splice(0)) {
      if (receiver.done) {
        receiver.rest = new Uint8Array([...receiver.rest, ...chunk]);
        continue;
      }
      let bytes = chunk;
      if (head === "") {
        const text = bytesToBinary(chunk);
        head = text.slice(0, text.indexOf("\n") + 1);
        bytes = chunk.subarray(head.length);
      }
      receiver.feed(bytes);
    }
  }
  equal(receiver.done, true, "the payload did not complete");
  return { head, rdb: receiver.rdb(), rest: bytesToBinary(receiver.rest) };
}

function keysIn(rdb: Uint8Array): string[] {
  const keys: string[] = [];
  readRdb(rdb, { selectDb() {}, entry: (key) => keys.push(key) });
  return keys.sort();
}

Deno.test("a full resync sends a point-in-time RDB, then the stream from its offset on ACK", async () => {
  const { master, write } = makeMaster();
  write(0, "before", "1");
  master.stream.createBacklog(1 << 20);
  master.stream.propagate(0, ["SET", "before", "1"]);
  const offset = master.stream.offset;
  const conn = new FakeConn();
  const replica = peer(conn);
  equal(master.psync(replica, "?", -1), "full");
  // Writes after the snapshot began are held, not in the RDB.
  write(0, "after", "2");
  master.stream.propagate(0, ["SET", "after", "2"]);
  const { head, rdb, rest } = await payloadOf(conn);
  equal(head, `+FULLRESYNC ${master.stream.ids.replid} ${offset}\r\n`);
  equal(rest, "");
  equal(replica.state, "online");
  // The snapshot is taken when the transfer starts; "after" was written later.
  deepEqual(keysIn(rdb), ["before"]);
  master.ack(replica, offset);
  // Not while the ACK's command runs (a replica's command must not reply): right after it.
  equal(conn.take(), "");
  await Promise.resolve();
  equal(
    conn.take(),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n",
  );
  master.stream.propagate(0, ["DEL", "after"]);
  equal(conn.take(), "*2\r\n$3\r\nDEL\r\n$5\r\nafter\r\n");
  equal(master.syncFull, 1);
  deepEqual(master.roleReplicas(), [["127.0.0.1", "6380", String(offset)]]);
});

Deno.test("PSYNC from a known offset continues from the backlog", () => {
  const { master } = makeMaster();
  master.stream.createBacklog(1 << 20);
  master.stream.propagate(0, ["SET", "a", "1"]);
  const mid = master.stream.offset;
  master.stream.propagate(0, ["SET", "b", "2"]);
  const conn = new FakeConn();
  const replica = peer(conn);
  equal(master.psync(replica, master.stream.ids.replid, mid + 1), "continue");
  equal(
    conn.take(),
    `+CONTINUE ${master.stream.ids.replid}\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n`,
  );
  master.stream.propagate(0, ["SET", "c", "3"]);
  equal(conn.take(), "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n");
  equal(master.syncPartialOk, 1);
  const old = new FakeConn();
  const oldReplica = peer(old);
  oldReplica.capaPsync2 = false;
  master.psync(oldReplica, master.stream.ids.replid, master.stream.offset + 1);
  equal(old.take(), "+CONTINUE\r\n");
});

Deno.test("WAIT counts acknowledged offsets; min-replicas counts fresh ACKs", () => {
  const { master } = makeMaster({ "min-replicas-to-write": "2" });
  master.stream.createBacklog(1 << 20);
  const a = peer(new FakeConn(), 1);
  const b = peer(new FakeConn(), 2);
  master.psync(a, master.stream.ids.replid, 1);
  master.psync(b, master.stream.ids.replid, 1);
  master.stream.propagate(0, ["SET", "k", "v"]);
  const target = master.stream.offset;
  master.requestAcks();
  equal(
    (a.conn as FakeConn).take().endsWith("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"),
    true,
  );
  equal(master.acknowledged(target), 0);
  master.ack(a, target);
  equal(master.acknowledged(target), 1);
  equal(master.tooFewReplicas(), false);
  equal(master.goodReplicas(Date.now() + 11000), 0);
});

Deno.test("the cron pings, keeps waiting replicas alive and drops silent ones", () => {
  const { master } = makeMaster({
    "repl-ping-replica-period": "2",
    "repl-diskless-sync-delay": "5",
  });
  master.stream.createBacklog(1 << 20);
  const online = peer(new FakeConn());
  master.psync(online, master.stream.ids.replid, 1);
  const waiting = peer(new FakeConn());
  master.psync(waiting, "?", -1);
  master.cron();
  equal((waiting.conn as FakeConn).take(), "\n");
  equal((online.conn as FakeConn).take(), "+CONTINUE " + master.stream.ids.replid + "\r\n");
  master.cron();
  equal((online.conn as FakeConn).take(), "*1\r\n$4\r\nPING\r\n");
  master.cron(Date.now() + 61000);
  equal(online.conn.closed, true);
  equal(master.replicas.has(online), false);
  master.detach(waiting);
  equal(master.replicas.size, 0);
});

Deno.test("a disk-based transfer sends a length-prefixed RDB, then the held stream", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { master, dbs } = makeMaster({ "repl-diskless-sync": "no", dir });
    for (let i = 0; i < 100; i++) dbs[1]!.set(`k${i}`, "v");
    const conn = new FakeConn();
    const replica = peer(conn);
    master.psync(replica, "?", -1);
    master.stream.propagate(1, ["SET", "late", "x"]);
    const { head, rdb, rest } = await payloadOf(conn);
    match(head, /^\+FULLRESYNC [0-9a-f]{40} 0\r\n$/);
    equal(keysIn(rdb).length, 100);
    equal(rest, "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$4\r\nlate\r\n$1\r\nx\r\n");
    // The transfer's file is gone once sent.
    await new Promise((r) => setTimeout(r, 10));
    deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a replica over its output buffer limit is dropped", () => {
  // Limits of 50000 (hard) and 20000 (soft) bytes, over a 16 KB backlog.
  const { master } = makeMaster({
    "repl-backlog-size": "16384",
    "client-output-buffer-limit": "normal 0 0 0 slave 50000 20000 60 pubsub 0 0 0",
  });
  master.stream.createBacklog(16384);
  const slow = new FakeConn();
  const replica = peer(slow);
  master.psync(replica, master.stream.ids.replid, 1);
  deepEqual(replica.limits, { hard: 50000, soft: 20000, seconds: 60 });
  // Its output is what it still needs of the shared buffer: here two blocks (16 KB, as jemalloc
  // gives them: 20440 bytes) it has not sent.
  master.stream.propagate(0, ["SET", "k", "v".repeat(21000)]);
  slow.pendingBytes = 21000;
  equal(replica.outputBytes, 2 * (20440 + BLOCK_OVERHEAD));
  // Over the soft limit: tolerated for 60 seconds.
  master.cron();
  equal(slow.closed, false);
  master.cron(Date.now() + 61000);
  equal(slow.closed, true);
  equal(master.replicas.size, 0);
  // Past the hard limit, the write that adds a block drops it at once.
  const stuck = new FakeConn();
  master.psync(peer(stuck), master.stream.ids.replid, master.stream.offset + 1);
  stuck.pendingBytes = 50000;
  master.stream.propagate(0, ["SET", "k", "v".repeat(50000)]);
  equal(stuck.closed, true);
});

Deno.test("a hard limit under repl-backlog-size is raised to it", () => {
  const { master } = makeMaster({
    "repl-backlog-size": String(1 << 20),
    "client-output-buffer-limit": "normal 0 0 0 slave 1000 0 0 pubsub 0 0 0",
  });
  master.stream.createBacklog(1 << 20);
  const conn = new FakeConn();
  master.psync(peer(conn), master.stream.ids.replid, 1);
  conn.pendingBytes = 100_000;
  master.stream.propagate(0, ["SET", "k", "v".repeat(100_000)]);
  master.cron();
  equal(conn.closed, false);
});

Deno.test("CONFIG SET client-output-buffer-limit applies to replicas already attached", () => {
  const { master, values } = makeMaster({ "repl-backlog-size": "16384" });
  master.stream.createBacklog(16384);
  const conn = new FakeConn();
  const replica = peer(conn);
  master.psync(replica, master.stream.ids.replid, 1);
  deepEqual(replica.limits, { hard: 1000, soft: 500, seconds: 60 });
  values["client-output-buffer-limit"] = "normal 0 0 0 slave 131072 0 0 pubsub 0 0 0";
  deepEqual(replica.limits, { hard: 131072, soft: 0, seconds: 0 });
  conn.pendingBytes = 200_000;
  master.stream.propagate(0, ["SET", "k", "v".repeat(200_000)]);
  equal(conn.closed, true);
});

Deno.test("replicas waiting for their payload share the stream held since the snapshot", async () => {
  const { master } = makeMaster({
    "repl-backlog-size": "16384",
    "client-output-buffer-limit": "normal 0 0 0 slave 0 0 0 pubsub 0 0 0",
  });
  const conns = [new FakeConn(), new FakeConn()];
  const peers = conns.map((conn, i) => peer(conn, 6380 + i));
  for (const p of peers) master.psync(p, "?", -1);
  for (const conn of conns) await payloadOf(conn);
  for (const p of peers) equal(p.state, "online");
  for (let i = 0; i < 20; i++) master.stream.propagate(0, ["SET", `k${i}`, "v".repeat(10_000)]);
  // Before their ACKs nothing is sent: the backlog keeps it all for them, once.
  const backlog = master.stream.backlog!;
  assert(backlog.histlen > 200_000);
  const held = backlog.memory;
  equal(peers[0]!.outputBytes, held);
  conns[0]!.close();
  master.detach(peers[0]!);
  equal(backlog.memory, held);
  // The last one streams, and the backlog goes back to its size.
  equal(conns[1]!.closed, false);
  master.ack(peers[1]!, 0);
  await Promise.resolve();
  assert(conns[1]!.take().includes("k19"));
  master.cron();
  assert(backlog.histlen < 2 * 16384);
});

Deno.test("a replica that stops reading a diskless payload is dropped after repl-timeout", async () => {
  const { master, write } = makeMaster({
    "repl-diskless-sync-max-replicas": "2",
    "repl-diskless-sync-delay": "5",
  });
  // A payload of several MB: the transfer waits for its slowest replica between chunks.
  for (let i = 0; i < 2000; i++) write(0, `key:${i}`, "v".repeat(4096));
  const fast = new FakeConn();
  const stuck = new FakeConn();
  master.psync(peer(fast, 6380), "?", -1);
  master.psync(peer(stuck, 6381), "?", -1);
  // It reads nothing: the shared transfer waits for it.
  stuck.pendingBytes = 64 * 1024 * 1024;
  await new Promise((r) => setTimeout(r, 20));
  const now = Date.now();
  master.cron(now);
  master.cron(now + 30_000);
  equal(stuck.closed, false);
  master.cron(now + 61_000);
  equal(stuck.closed, true);
  equal(master.replicas.size, 1);
  // The other one gets its payload.
  const { head } = await payloadOf(fast);
  match(head, /^\+FULLRESYNC /);
});

Deno.test("a killed replica holds no backlog, even before it is detached", () => {
  const { master } = makeMaster({ "repl-backlog-size": "16384" });
  master.stream.createBacklog(16384);
  const conn = new FakeConn();
  master.psync(peer(conn), master.stream.ids.replid, 1);
  conn.pendingBytes = 1 << 20;
  conn.close();
  for (let i = 0; i < 10; i++) master.stream.propagate(0, ["SET", `k${i}`, "A".repeat(16384)]);
  // Its offset is gone: its reconnection needs a full resync, as with Redis.
  equal(master.stream.backlog!.canServe(1), false);
});

Deno.test("a disk-based snapshot no replica waits for any more stops, unless save rules want it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const save of ["", "900 1"]) {
      const { master, write } = makeMaster({
        "repl-diskless-sync": "no",
        "rdb-key-save-delay": "100000",
        dir,
        save,
      });
      // 0.3 s of snapshot (three keys, 100 ms each).
      for (let i = 0; i < 3; i++) write(0, `k${i}`, "v");
      const conn = new FakeConn();
      const replica = peer(conn);
      master.psync(replica, "?", -1);
      await new Promise((r) => setTimeout(r, 20));
      notEqual(master.savingSnapshot, undefined);
      conn.close();
      master.detach(replica);
      await new Promise((r) => setTimeout(r, 50));
      equal(master.savingSnapshot === undefined, save === "", `save "${save}"`);
      for (let i = 0; i < 100 && master.savingSnapshot !== undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
