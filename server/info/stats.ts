/** INFO stats. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function statsSection(server: ServerContext): InfoField[] {
  const stats = server.stats;
  const kbps = (series: "input" | "output") => (stats.rate(series) / 1024).toFixed(2);
  return [
    ["total_connections_received", stats.connectionsReceived],
    ["total_commands_processed", stats.commandsProcessed],
    ["instantaneous_ops_per_sec", Math.round(stats.rate("commands"))],
    ["total_net_input_bytes", stats.netInputBytes],
    ["total_net_output_bytes", stats.netOutputBytes],
    ["instantaneous_input_kbps", kbps("input")],
    ["instantaneous_output_kbps", kbps("output")],
    ["rejected_connections", stats.rejectedConnections],
    ["sync_full", server.replication.master.syncFull],
    ["sync_partial_ok", server.replication.master.syncPartialOk],
    ["sync_partial_err", server.replication.master.syncPartialErr],
    ["expired_keys", stats.expiredKeys],
    ["evicted_keys", stats.evictedKeys],
    ["evicted_clients", stats.evictedClients],
    ["keyspace_hits", stats.keyspaceHits],
    ["keyspace_misses", stats.keyspaceMisses],
    ["pubsub_channels", server.pubsub.channels.size],
    ["pubsub_patterns", server.pubsub.patterns.size],
    ["pubsubshard_channels", shardChannelCount(server)],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["tracking_total_keys", server.tracking.totalKeys],
    ["tracking_total_items", server.tracking.totalItems],
    ["tracking_total_prefixes", server.tracking.totalPrefixes],
    ["unexpected_error_replies", 0],
    ["total_error_replies", stats.errorReplies],
    ["total_rejected_calls", stats.rejectedCalls],
    ["client_query_buffer_limit_disconnections", stats.queryBufferLimitDisconnections],
    ["client_output_buffer_limit_disconnections", stats.outputBufferLimitDisconnections],
  ];
}

function shardChannelCount(server: ServerContext): number {
  const names = new Set<string>();
  for (const client of server.clients.values()) {
    for (const name of client.shardChannels ?? []) names.add(name);
  }
  return names.size;
}
