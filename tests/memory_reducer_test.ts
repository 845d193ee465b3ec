/** The idle memory reducer in a served process (unit tests: server/memory_reducer_test.ts). */
import { equal, ok } from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { connectWhenReady, freePort } from "./persistence_helpers.ts";

Deno.test("memory reducer: the launcher exposes the GC, so MEMORY PURGE runs one in `serve`", async () => {
  const port = freePort();
  const dir = await Deno.makeTempDir();
  const log = `${dir}/server.log`;
  const child = new Deno.Command(`${ROOT}redis-home`, {
    args: ["serve", "--port", String(port), "--save", "", "--dir", dir, "--logfile", log],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    using c = await connectWhenReady(port, 60000);
    equal(await c.cmd("MEMORY", "PURGE"), "OK");
    const text = await Deno.readTextFile(log);
    ok(/Memory reducer: V8 heap [\d.]+ MB -> [\d.]+ MB/.test(text), text);
    await c.cmd("SHUTDOWN", "NOSAVE").catch(() => {});
    equal((await child.status).code, 0);
  } finally {
    try {
      child.kill();
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
