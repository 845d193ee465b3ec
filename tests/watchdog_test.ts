/**
 * watchdog-period: a Worker watching the heartbeat logs, through the server
 * log, the command and client that hold the event loop past the period.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

async function logLines(path: string, needle: string): Promise<string[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((line) => line.includes(needle));
}

Deno.test("watchdog: DEBUG SLEEP past watchdog-period is logged with the command and client", async () => {
  using dir = tempDir();
  const logfile = `${dir.path}/server.log`;
  const server = ChildServer.redisHome(
    dir.path,
    "--save",
    "",
    "--enable-debug-command",
    "yes",
    "--logfile",
    logfile,
  );
  try {
    using c = await server.connect();
    // Off by default, and hidden from CONFIG GET patterns as in Redis.
    deepEqual(await c.cmd("CONFIG", "GET", "watchdog-period"), ["watchdog-period", "0"]);
    deepEqual(await c.cmd("CONFIG", "GET", "watchdog*"), []);
    equal(await c.cmd("DEBUG", "SLEEP", "0.3"), "OK");
    deepEqual(await logLines(logfile, "WATCHDOG"), []);
    equal(await c.cmd("CONFIG", "SET", "watchdog-period", "100"), "OK");
    const id = await c.cmd("CLIENT", "ID");
    // Fast commands never trip it.
    for (let i = 0; i < 100; i++) await c.cmd("PING");
    equal(await c.cmd("DEBUG", "SLEEP", "0.6"), "OK");
    const lines = await logLines(logfile, "WATCHDOG TIMER EXPIRED");
    equal(lines.length, 1, lines.join("\n"));
    ok(lines[0]!.includes(`command 'debug' from client id=${id} addr=127.0.0.1:`), lines[0]);
    equal(await c.cmd("CONFIG", "SET", "watchdog-period", "0"), "OK");
    equal(await c.cmd("DEBUG", "SLEEP", "0.3"), "OK");
    equal((await logLines(logfile, "WATCHDOG")).length, 1);
  } finally {
    await server.stop();
  }
});
