import { deepEqual, equal, match, ok } from "node:assert/strict";
import { cpuSection, statTimes } from "./cpu.ts";

Deno.test("statTimes reads utime, stime, cutime, cstime in ticks of 1/100 s", () => {
  const stat = "7087 (cat) R 7082 7082 32592 0 -1 4194304 99 0 0 0 1234 56 7 890 20 0 1 0 1917919";
  deepEqual(statTimes(stat), [12.34, 0.56, 0.07, 8.9]);
});

Deno.test("statTimes counts fields after the command name, whatever it holds", () => {
  const stat = "12 (a) b (c d) S 1 12 12 0 -1 4194304 0 0 0 0 250 100 0 0 20 0 1 0 1";
  deepEqual(statTimes(stat), [2.5, 1, 0, 0]);
});

Deno.test("statTimes without /proc: zeros", () => {
  deepEqual(statTimes(undefined), [0, 0, 0, 0]);
});

Deno.test("INFO cpu: Redis's six fields, the main thread within the process", () => {
  const fields = new Map(cpuSection());
  deepEqual([...fields.keys()], [
    "used_cpu_sys",
    "used_cpu_user",
    "used_cpu_sys_children",
    "used_cpu_user_children",
    "used_cpu_sys_main_thread",
    "used_cpu_user_main_thread",
  ]);
  for (const value of fields.values()) match(String(value), /^\d+\.\d{6}$/);
  const at = (name: string) => Number(fields.get(name));
  ok(at("used_cpu_user_main_thread") <= at("used_cpu_user"));
  ok(at("used_cpu_sys_main_thread") <= at("used_cpu_sys"));
  // This test process has spent some CPU by now (loading and compiling it): 0.01 s at least.
  ok(at("used_cpu_user") + at("used_cpu_sys") > 0);
  equal(fields.size, 6);
});
