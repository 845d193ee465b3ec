/** INFO memory. */
import type { ServerContext } from "../context.ts";
import { scriptingMemoryInfo } from "../scripting/runner.ts";
import { bytesToHuman, type InfoField, tryOr } from "./render.ts";

/** used_memory as accounted (see maxmemory.ts), RSS, and the peak so far. */
export function memoryFigures(server: ServerContext): { used: number; rss: number; peak: number } {
  const used = server.maxmemory.figures().used;
  const rss = Deno.memoryUsage().rss;
  const peak = server.stats.peakMemory = Math.max(server.stats.peakMemory, used);
  return { used, rss, peak };
}

export function memorySection(server: ServerContext): InfoField[] {
  const { used, rss, peak } = memoryFigures(server);
  const { startup, dataset, clients, replicas, backlog, replicationBuffers, notCountedForEvict } =
    server.maxmemory.figures();
  const overhead = used - dataset;
  const total = tryOr(() => Deno.systemMemoryInfo().total, 0);
  const maxmemory = server.config.getNumber("maxmemory");
  const datasetShare = used > startup ? dataset / (used - startup) * 100 : 0;
  // The allocator is V8's: its heap in use and reserved, plus off-heap buffers.
  const v8 = Deno.memoryUsage();
  const heap = { allocated: v8.heapUsed + v8.external, active: v8.heapTotal + v8.external };
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", rss],
    ["used_memory_rss_human", bytesToHuman(rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", bytesToHuman(peak)],
    ["used_memory_peak_perc", `${(used / peak * 100).toFixed(2)}%`],
    ["used_memory_overhead", overhead],
    ["used_memory_startup", startup],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", `${datasetShare.toFixed(2)}%`],
    ["allocator_allocated", heap.allocated],
    ["allocator_active", heap.active],
    ["allocator_resident", rss],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ...scriptingMemoryInfo(server),
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["allocator_frag_ratio", (heap.active / heap.allocated).toFixed(2)],
    ["allocator_frag_bytes", heap.active - heap.allocated],
    ["allocator_rss_ratio", (rss / heap.active).toFixed(2)],
    ["allocator_rss_bytes", rss - heap.active],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", (rss / used).toFixed(2)],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_not_counted_for_evict", notCountedForEvict],
    ["mem_replication_backlog", backlog],
    ["mem_total_replication_buffers", replicationBuffers],
    ["mem_clients_slaves", replicas],
    ["mem_clients_normal", clients],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "v8"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", server.stats.lazyfreedObjects],
  ];
}
