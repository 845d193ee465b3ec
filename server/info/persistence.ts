/** INFO persistence, in Redis 7.0's order, from the persistence manager's state. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function persistenceSection(server: ServerContext): InfoField[] {
  const persistence = server.persistence;
  const job = persistence.job;
  // A full sync's snapshot is Redis's RDB child too (rdbSaveToSlavesSockets / rdbSaveBackground).
  const transfer = server.replication.master.savingSnapshot;
  const saving = job?.snapshot ?? transfer;
  const now = Date.now();
  const running = (kind: "rdb" | "aof") =>
    job?.kind === kind ? Math.round((now - job.startedAt) / 1000) : -1;
  const fields: InfoField[] = [
    ["loading", persistence.loading.active && !persistence.loading.async ? 1 : 0],
    ["async_loading", persistence.loading.async ? 1 : 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", saving?.keysWritten ?? 0],
    ["current_save_keys_total", saving?.keysTotal ?? 0],
    ["rdb_changes_since_last_save", server.dirty],
    ["rdb_bgsave_in_progress", job?.kind === "rdb" || transfer !== undefined ? 1 : 0],
    ["rdb_last_save_time", persistence.lastSave],
    ["rdb_last_bgsave_status", persistence.lastBgsaveOk ? "ok" : "err"],
    ["rdb_last_bgsave_time_sec", persistence.lastBgsaveSeconds],
    ["rdb_current_bgsave_time_sec", running("rdb")],
    ["rdb_saves", persistence.saves],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", persistence.expiredOnLoad],
    ["rdb_last_load_keys_loaded", persistence.loadedKeys],
    ["aof_enabled", persistence.aofState === "off" ? 0 : 1],
    ["aof_rewrite_in_progress", job?.kind === "aof" ? 1 : 0],
    ["aof_rewrite_scheduled", persistence.rewriteScheduled ? 1 : 0],
    ["aof_last_rewrite_time_sec", persistence.lastRewriteSeconds],
    ["aof_current_rewrite_time_sec", running("aof")],
    ["aof_last_bgrewrite_status", persistence.lastRewriteOk ? "ok" : "err"],
    ["aof_rewrites", persistence.rewrites],
    ["aof_rewrites_consecutive_failures", persistence.rewriteFailuresInARow],
    ["aof_last_write_status", persistence.aof.lastWriteOk ? "ok" : "err"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
  if (persistence.aofState !== "off") {
    fields.push(
      ["aof_current_size", persistence.aofCurrentSize],
      ["aof_base_size", persistence.aofBaseSize],
      ["aof_pending_rewrite", persistence.rewriteScheduled ? 1 : 0],
      ["aof_buffer_length", persistence.aof.bufferedBytes],
      ["aof_pending_bio_fsync", 0],
      ["aof_delayed_fsync", 0],
    );
  }
  fields.push(...persistence.loading.infoFields(now));
  return fields;
}
