/**
 * INFO cpu, read from Linux's /proc rather than node:process's cpuUsage, so
 * that start-up loads none of Deno's Node-compatibility layer. Redis reads
 * getrusage for the process, its waited-for children and the main thread;
 * /proc/self/stat, its children fields and /proc/thread-self/stat (INFO runs
 * on the one JavaScript thread, the main thread) hold the same times, in
 * clock ticks. Elsewhere (no /proc) the figures are 0.
 */
import type { InfoField } from "./render.ts";

/**
 * Clock ticks per second in /proc's stat files: USER_HZ, which Linux fixes
 * at 100 for user space on every architecture (`getconf CLK_TCK`).
 */
const USER_HZ = 100;

/** utime, stime, cutime, cstime (fields 14-17 of proc_pid_stat(5)) in seconds; 0s without /proc. */
export function statTimes(text: string | undefined): [number, number, number, number] {
  // The command name (field 2) is in parentheses and may hold spaces or ")": fields
  // are counted after its last ")", where field 3 is the first.
  const fields = text?.slice(text.lastIndexOf(")") + 2).split(" ") ?? [];
  const seconds = (field: number) => Number(fields[field - 3] ?? 0) / USER_HZ || 0;
  return [seconds(14), seconds(15), seconds(16), seconds(17)];
}

function readStat(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

export function cpuSection(): InfoField[] {
  // The thread first: the process's times, read after, include all of it.
  const [threadUser, threadSys] = statTimes(readStat("/proc/thread-self/stat"));
  const [user, sys, childrenUser, childrenSys] = statTimes(readStat("/proc/self/stat"));
  const seconds = (s: number) => s.toFixed(6);
  return [
    ["used_cpu_sys", seconds(sys)],
    ["used_cpu_user", seconds(user)],
    ["used_cpu_sys_children", seconds(childrenSys)],
    ["used_cpu_user_children", seconds(childrenUser)],
    ["used_cpu_sys_main_thread", seconds(threadSys)],
    ["used_cpu_user_main_thread", seconds(threadUser)],
  ];
}
