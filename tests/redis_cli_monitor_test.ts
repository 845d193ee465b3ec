/** The real `redis-cli monitor` against our server prints each command as Redis's MONITOR does. */
import { match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

Deno.test("redis-cli monitor shows the commands other clients run", async () => {
  await using server = startServer();
  const child = new Deno.Command("redis-cli", {
    args: ["-p", String(server.port), "monitor"],
    env: { REDISCLI_HISTFILE: "/dev/null", REDISCLI_RCFILE: "/dev/null" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 200 && server.server.monitors.size === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    using c = await RespClient.connect(server.port);
    await c.cmd("SET", "greeting", "hello world");
    const reader = child.stdout.getReader();
    let text = "";
    for (let i = 0; i < 50 && !text.includes("greeting"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    match(text, /^OK\n\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "greeting" "hello world"\n/);
  } finally {
    child.kill();
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
});
