/**
 * MODULE: no native modules here, so LIST is empty and LOAD/LOADEX/UNLOAD
 * fail; enable-module-command (default no) gates them first. Replies are
 * compared with redis-server's under both settings.
 */
import { sameAsRedis, type Step } from "./redis_compare.ts";

const steps: Step[] = [
  ["MODULE", "HELP"],
  ["MODULE", "LIST"],
  ["MODULE", "LOAD", "/nonexistent/module.so"],
  ["MODULE", "LOAD", "/nonexistent/module.so", "arg1"],
  ["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "name", "value", "ARGS", "a"],
  ["MODULE", "UNLOAD", "nosuch"],
  ["MODULE", "NOSUCH"],
  ["MODULE", "LIST", "extra"],
  ["MODULE"],
];

Deno.test("MODULE: as redis-server with enable-module-command no (the default)", async () => {
  await sameAsRedis(steps);
});

Deno.test("MODULE: as redis-server with enable-module-command yes", async () => {
  await sameAsRedis(steps, { startup: { "enable-module-command": "yes" } });
});
