/** INFO memory. */
import type { ServerContext } from "../context.ts";
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
  const { startup, dataset, clients } = server.maxmemory.figures();
  const overhead = used - dataset;
  const total = tryOr(() => Deno.systemMemoryInfo().total, 0);
  const maxmemory = server.config.getNumber("maxmemory");
  const datasetShare = used > startup ? dataset / (used - startup) * 100 : 0;
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
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ["used_memory_lua", 0],
    ["used_memory_scripts", 0],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["mem_fragmentation_ratio", (rss / used).toFixed(2)],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_not_counted_for_evict", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", clients],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "v8"],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}
