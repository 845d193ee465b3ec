/** INFO cpu. */
import process from "node:process";
import type { InfoField } from "./render.ts";

export function cpuSection(): InfoField[] {
  const usage = process.cpuUsage();
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
