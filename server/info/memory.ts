/** INFO memory. */
import type { ServerContext } from "../context.ts";
import { scriptingMemoryInfo } from "../scripting/runner.ts";
import { bytesToHuman, type InfoField, tryOr } from "./render.ts";

/** Used memory (the V8 heap plus values packed off it), RSS and the peak so far. */
export function memoryFigures(server: ServerContext): { used: number; rss: number; peak: number } {
  const usage = Deno.memoryUsage();
  const used = usage.heapUsed + usage.external;
  const peak = server.stats.peakMemory = Math.max(server.stats.peakMemory, used);
  return { used, rss: usage.rss, peak };
}

export function memorySection(server: ServerContext): InfoField[] {
  const { used, rss, peak } = memoryFigures(server);
  const total = tryOr(() => Deno.systemMemoryInfo().total, 0);
  const maxmemory = server.config.getNumber("maxmemory");
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", rss],
    ["used_memory_rss_human", bytesToHuman(rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", bytesToHuman(peak)],
    ["used_memory_peak_perc", `${(used / peak * 100).toFixed(2)}%`],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ...scriptingMemoryInfo(server),
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["mem_fragmentation_ratio", (rss / used).toFixed(2)],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_allocator", "v8"],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}
