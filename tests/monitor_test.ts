/**
 * MONITOR end to end: Redis's line format and quoting, the database and
 * client address, commands run by EXEC and by scripts, secrets redacted,
 * admin commands hidden, RESET leaving monitor mode.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { plain, RespClient, startServer } from "./helpers.ts";
import { monitorLine, quoteRepr } from "../server/monitor.ts";

/** A line without its timestamp: "[db addr] args". */
function body(line: unknown): string {
  const text = String(line);
  match(text, /^\d+\.\d{6} \[/);
  return text.slice(text.indexOf(" ") + 1);
}

Deno.test("MONITOR: quoting as Redis's sdscatrepr", () => {
  equal(quoteRepr('a b"c\\'), '"a b\\"c\\\\"');
  equal(quoteRepr("\r\n\t\x07\b\x00\xff"), '"\\r\\n\\t\\a\\b\\x00\\xff"');
});

Deno.test("MONITOR: executed commands with database and address, EXEC and scripts", async () => {
  await using server = startServer();
  using monitor = await RespClient.connect(server.port);
  using c = await RespClient.connect(server.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const addr = /addr=(\S+)/.exec(String(await c.cmd("CLIENT", "INFO")))?.[1];
  await c.cmd("SELECT", "2");
  await c.cmd("SET", "k", "a b");
  await c.cmd("MULTI");
  await c.cmd("INCR", "n");
  await c.cmd("EXEC");
  await c.cmd("EVAL", "return redis.call('get', KEYS[1])", "1", "k");
  await c.cmd("AUTH", "user", "secret");
  await c.cmd("CONFIG", "GET", "maxmemory");
  await c.cmd("PING");
  const lines = [];
  for (let i = 0; i < 10; i++) lines.push(body(plain(await monitor.read())));
  deepEqual(lines, [
    `[0 ${addr}] "CLIENT" "INFO"`,
    `[2 ${addr}] "SELECT" "2"`,
    `[2 ${addr}] "SET" "k" "a b"`,
    `[2 ${addr}] "MULTI"`,
    `[2 ${addr}] "INCR" "n"`,
    `[2 ${addr}] "EXEC"`,
    `[2 ${addr}] "EVAL" "return redis.call('get', KEYS[1])" "1" "k"`,
    `[2 lua] "get" "k"`,
    `[2 ${addr}] "AUTH" "(redacted)" "(redacted)"`,
    `[2 ${addr}] "PING"`,
  ]);
  equal(await monitor.cmd("RESET"), "RESET");
  await c.cmd("PING");
  equal(await monitor.cmd("ECHO", "x"), "x");
  equal(server.server.monitors.size, 0);
});

Deno.test("MONITOR: not allowed inside MULTI; a line's time is now", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("MULTI");
  await c.cmd("MONITOR");
  deepEqual(await c.cmd("EXEC"), [{ error: "ERR MONITOR isn't allowed for DENY BLOCKING client" }]);
  const client = server.server.createInternalClient();
  const line = monitorLine(client, 0, ["get", "k"], Date.now());
  const seconds = Number(line.slice(0, line.indexOf(" ")));
  equal(Math.abs(seconds - Date.now() / 1000) < 5, true);
});
