/**
 * What INFO replication and ROLE report, in Redis 7.0's order and words
 * (genRedisInfoString's "# Replication", roleCommand). Plain values: the
 * INFO provider and the ROLE handler only render them.
 */
import type { Replication } from "./replication.ts";

/** INFO replication's fields, in order. */
export function replicationInfo(r: Replication, now = Date.now()): [string, string | number][] {
  const config = r.host.config;
  const fields: [string, string | number][] = [["role", r.isReplica ? "slave" : "master"]];
  if (r.isReplica) fields.push(...replicaFields(r, now));
  const master = r.master;
  fields.push(["connected_slaves", master.replicas.size]);
  if (
    config.getNumber("min-replicas-to-write") > 0 && config.getNumber("min-replicas-max-lag") > 0
  ) {
    fields.push(["min_slaves_good_slaves", master.goodReplicas(now)]);
  }
  let n = 0;
  for (const peer of master.replicas) fields.push([`slave${n++}`, peer.infoLine(now)]);
  const stream = r.stream;
  const backlog = stream.backlog;
  fields.push(
    ["master_failover_state", r.failover.state],
    ["master_replid", stream.ids.replid],
    ["master_replid2", stream.ids.replid2],
    ["master_repl_offset", stream.offset],
    ["second_repl_offset", stream.ids.secondOffset],
    ["repl_backlog_active", backlog === undefined ? 0 : 1],
    ["repl_backlog_size", config.getNumber("repl-backlog-size")],
    ["repl_backlog_first_byte_offset", backlog?.firstByteOffset ?? 0],
    ["repl_backlog_histlen", backlog?.histlen ?? 0],
  );
  return fields;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function replicaFields(r: Replication, now: number): [string, string | number][] {
  const link = r.link!;
  const config = r.host.config;
  // Before the first sync Redis reports its own offset (the master it caches is itself).
  const offset = link.offset >= 0 ? link.offset : r.stream.offset;
  const fields: [string, string | number][] = [
    ["master_host", r.masterHost!],
    ["master_port", r.masterPort],
    ["master_link_status", link.up ? "up" : "down"],
    ["master_last_io_seconds_ago", link.up ? seconds(now - link.lastIo) : -1],
    ["master_sync_in_progress", link.state === "sync" ? 1 : 0],
    ["slave_read_repl_offset", offset],
    ["slave_repl_offset", offset],
  ];
  const transfer = link.transfer;
  if (link.state === "sync" && transfer !== undefined) {
    const total = transfer.totalBytes;
    const read = transfer.readBytes;
    fields.push(
      ["master_sync_total_bytes", total],
      ["master_sync_read_bytes", read],
      ["master_sync_left_bytes", total - read],
      ["master_sync_perc", (total > 0 ? (read / total) * 100 : 0).toFixed(2)],
      ["master_sync_last_io_seconds_ago", seconds(now - link.lastIo)],
    );
  }
  if (!link.up) {
    fields.push([
      "master_link_down_since_seconds",
      link.downSince > 0 ? seconds(now - link.downSince) : -1,
    ]);
  }
  fields.push(
    ["slave_priority", config.getNumber("replica-priority")],
    ["slave_read_only", config.getBool("replica-read-only") ? 1 : 0],
    ["replica_announced", config.getBool("replica-announced") ? 1 : 0],
  );
  return fields;
}

/** ROLE's reply: bulk strings and integers, nested as Redis sends them. */
export type RoleReply =
  | ["master", number, [string, string, string][]]
  | ["slave", string, number, string, number];

export function roleReply(r: Replication): RoleReply {
  if (!r.isReplica) return ["master", r.stream.offset, r.master.roleReplicas()];
  const link = r.link!;
  return ["slave", r.masterHost!, r.masterPort, link.state, link.up ? link.offset : -1];
}
