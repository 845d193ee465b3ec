/**
 * INFO cpu. The process's times come from Deno.cpuUsage (getrusage, what
 * node:process's cpuUsage returns), not from node:process, whose import
 * loads Deno's Node-compatibility layer at start-up; nor from /proc/self/stat,
 * which Deno lets only --allow-all read. Deno has no figures for the main
 * thread alone nor for children (redis-home forks none).
 */
import type { InfoField } from "./render.ts";

/** User and system CPU time in microseconds. */
interface CpuUsage {
  user: number;
  system: number;
}

/**
 * Deno.cpuUsage (Deno 2.2+), left out of Deno's type declarations: a
 * runtime without it reports zeros rather than failing INFO.
 */
function cpuUsage(): CpuUsage {
  const deno = Deno as unknown as { cpuUsage?: () => CpuUsage };
  return deno.cpuUsage?.() ?? { user: 0, system: 0 };
}

export function cpuSection(): InfoField[] {
  const usage = cpuUsage();
  const seconds = (micros: number) => (micros / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", seconds(usage.system)],
    ["used_cpu_user", seconds(usage.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    // One JavaScript thread runs every command: the process's figures.
    ["used_cpu_sys_main_thread", seconds(usage.system)],
    ["used_cpu_user_main_thread", seconds(usage.user)],
  ];
}
