import { deepEqual, equal, notEqual } from "node:assert/strict";
import { Database } from "../db.ts";
import { LoadingState } from "../persistence/loading.ts";
import { rdbEncoder } from "../persistence/snapshot_file.ts";
import { replicationInfo, roleReply } from "./info.ts";
import { Replication, type ReplicationHost } from "./replication.ts";

function makeReplication(): Replication {
  const values: Record<string, string> = {
    "repl-backlog-size": String(1 << 20),
    "repl-timeout": "60",
    "repl-backlog-ttl": "3600",
    "repl-ping-replica-period": "10",
    "min-replicas-to-write": "0",
    "min-replicas-max-lag": "10",
    save: "",
    "replica-priority": "100",
    "replica-read-only": "yes",
    "replica-announced": "yes",
    "replica-announce-ip": "",
    "replica-announce-port": "0",
    masteruser: "",
    masterauth: "",
  };
  const host: ReplicationHost = {
    dbs: [new Database(0, { expired() {} })],
    config: {
      get: (name) => values[name]!,
      getNumber: (name) => Number(values[name]),
      getBool: (name) => values[name] === "yes",
      live: (name) => ({ value: Number(values[name]) }),
    },
    rdbEncoder: (aux, write) => rdbEncoder({ compression: false, checksum: true }, aux, write),
    watchWrites: () => () => {},
    log() {},
    listeningPort: () => 6379,
    prepareForMaster: () => Promise.resolve(),
    loadRdb() {},
    loading: new LoadingState(),
    applyFromMaster() {},
    masterStreamDb: () => 0,
    resumeMasterStream() {},
    failBlockedClients() {},
    pauseWrites() {},
    recordMaster() {},
  };
  return new Replication(host);
}

/** A port with nothing listening: the link keeps retrying, and stays down. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a master reports its role and an empty replication section as Redis 7.0", () => {
  const r = makeReplication();
  deepEqual(roleReply(r), ["master", 0, []]);
  const info = Object.fromEntries(replicationInfo(r));
  deepEqual(Object.keys(info), [
    "role",
    "connected_slaves",
    "master_failover_state",
    "master_replid",
    "master_replid2",
    "master_repl_offset",
    "second_repl_offset",
    "repl_backlog_active",
    "repl_backlog_size",
    "repl_backlog_first_byte_offset",
    "repl_backlog_histlen",
  ]);
  equal(info.role, "master");
  equal(info.master_replid2, "0".repeat(40));
  equal(info.second_repl_offset, -1);
  equal(info.repl_backlog_active, 0);
  equal(info.repl_backlog_size, 1 << 20);
});

Deno.test("REPLICAOF makes a replica whose link is down; NO ONE shifts the history", async () => {
  const r = makeReplication();
  const port = closedPort();
  r.stream.createBacklog(1 << 20);
  r.stream.propagate(0, ["SET", "k", "v"]);
  const before = r.stream.ids.replid;
  const offset = r.stream.offset;
  equal(r.replicaOf("127.0.0.1", port), true);
  equal(r.replicaOf("127.0.0.1", port), false);
  try {
    equal(r.isReplica, true);
    const info = Object.fromEntries(replicationInfo(r));
    equal(info.role, "slave");
    equal(info.master_link_status, "down");
    equal(info.master_link_down_since_seconds, -1);
    equal(info.master_last_io_seconds_ago, -1);
    equal(info.slave_repl_offset, offset);
    equal(info.slave_read_only, 1);
    deepEqual(roleReply(r).slice(0, 3), ["slave", "127.0.0.1", port]);
    equal(roleReply(r)[4], -1);
    // Local writes on a replica are not streamed.
    r.stream.propagate(0, ["SET", "local", "x"]);
    equal(r.stream.offset, offset);
  } finally {
    await r.promote();
  }
  equal(r.isReplica, false);
  equal(r.link, undefined);
  notEqual(r.stream.ids.replid, before);
  equal(r.stream.ids.replid2, before);
  equal(r.stream.ids.secondOffset, offset + 1);
  r.stream.propagate(0, ["SET", "k", "w"]);
  equal(r.stream.offset > offset, true);
});
