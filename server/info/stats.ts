/**
 * INFO stats: Redis 7.0's fields in its order; those of features redis-home
 * does not have (active defrag, I/O threads, replication byte counts) are 0.
 */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";
import { migrateCachedSockets } from "../commands/migrate_sockets.ts";

export function statsSection(server: ServerContext): InfoField[] {
  const stats = server.stats;
  const kbps = (series: "input" | "output") => (stats.rate(series) / 1024).toFixed(2);
  return [
    ["total_connections_received", stats.connectionsReceived],
    ["total_commands_processed", stats.commandsProcessed],
    ["instantaneous_ops_per_sec", Math.round(stats.rate("commands"))],
    ["total_net_input_bytes", stats.netInputBytes],
    ["total_net_output_bytes", stats.netOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", kbps("input")],
    ["instantaneous_output_kbps", kbps("output")],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", stats.rejectedConnections],
    ["sync_full", server.replication.master.syncFull],
    ["sync_partial_ok", server.replication.master.syncPartialOk],
    ["sync_partial_err", server.replication.master.syncPartialErr],
    ["expired_keys", stats.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", 0],
    ["evicted_keys", stats.evictedKeys],
    ["evicted_clients", stats.evictedClients],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", stats.keyspaceHits],
    ["keyspace_misses", stats.keyspaceMisses],
    ["pubsub_channels", server.pubsub.channels.size],
    ["pubsub_patterns", server.pubsub.patterns.size],
    ["pubsubshard_channels", shardChannelCount(server)],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", migrateCachedSockets(server)],
    ["slave_expires_tracked_keys", server.replication.ownExpiresTracked],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", server.tracking.totalKeys],
    ["tracking_total_items", server.tracking.totalItems],
    ["tracking_total_prefixes", server.tracking.totalPrefixes],
    ["unexpected_error_replies", stats.unexpectedErrorReplies],
    ["total_error_replies", stats.errorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", stats.readsProcessed],
    ["total_writes_processed", stats.writesProcessed],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0],
    // Redis 7.2's: the limits closing clients are worth counting.
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
