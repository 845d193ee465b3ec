import { deepEqual, ok } from "node:assert/strict";
import { cpuUsage } from "node:process";
import { cpuSection } from "./cpu.ts";

Deno.test("INFO cpu: Redis's six fields; the process's times, as node:process reports them", () => {
  const before = cpuUsage();
  const fields = new Map(cpuSection());
  const after = cpuUsage();
  deepEqual([...fields.keys()], [
    "used_cpu_sys",
    "used_cpu_user",
    "used_cpu_sys_children",
    "used_cpu_user_children",
    "used_cpu_sys_main_thread",
    "used_cpu_user_main_thread",
  ]);
  for (const value of fields.values()) ok(/^\d+\.\d{6}$/.test(String(value)), String(value));
  const micros = (name: string) => Math.round(Number(fields.get(name)) * 1e6);
  // This process has spent CPU by now (loading and compiling the test): not zeros.
  ok(micros("used_cpu_user") > 0);
  ok(before.user <= micros("used_cpu_user") && micros("used_cpu_user") <= after.user);
  ok(before.system <= micros("used_cpu_sys") && micros("used_cpu_sys") <= after.system);
});
