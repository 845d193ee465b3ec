/**
 * redis.conf's rename-command as redis-server 7.0.15 applies it: requests
 * (and scripts) reach the command by its new name only, or not at all when
 * the new name is empty; it keeps its own name in COMMAND INFO; a removed one
 * leaves COMMAND COUNT; CONFIG REWRITE keeps the line (Redis's
 * unit/introspection "CONFIG REWRITE handles rename-command properly").
 * Replies checked against redis-server.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { startFailure } from "./serve_helpers.ts";
import { parseServeArgs } from "../main.ts";
import { createServer } from "../server/compose.ts";
import { buildConfig } from "../server/start.ts";
import { RespClient, startServer } from "./helpers.ts";
import { tempDir } from "./persistence_helpers.ts";

function serveWith(options: { configFile?: string; overrides: string[][] }) {
  const server = createServer(buildConfig(options));
  server.quiet = true;
  const port = server.listen();
  return { server, port, [Symbol.asyncDispose]: () => server.shutdown() };
}

Deno.test("rename-command: the new name runs the command, the old one is unknown, '' removes it", async () => {
  await using plain = startServer();
  using p = await RespClient.connect(plain.port);
  const count = await p.cmd("COMMAND", "COUNT") as number;
  await using srv = serveWith(
    parseServeArgs([
      "--port",
      "0",
      "--rename-command",
      "flushdb",
      "badger",
      "--rename-command",
      "debug",
      "",
    ]),
  );
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("FLUSHDB"), {
    error: "ERR unknown command 'FLUSHDB', with args beginning with: ",
  });
  equal(await c.cmd("BADGER"), "OK");
  equal(await c.cmd("BaDgEr"), "OK");
  deepEqual(await c.cmd("DEBUG", "HELP"), {
    error: "ERR unknown command 'DEBUG', with args beginning with: 'HELP' ",
  });
  equal(((await c.cmd("COMMAND", "INFO", "badger")) as unknown[][])[0]![0], "flushdb");
  deepEqual(await c.cmd("COMMAND", "INFO", "flushdb"), [null]);
  equal(await c.cmd("COMMAND", "COUNT"), count - 1);
  match(
    String((await c.cmd("EVAL", "return redis.call('flushdb')", "0") as { error: string }).error),
    /^ERR Unknown Redis command called from script/,
  );
  equal(await c.cmd("EVAL", "return redis.call('badger')", "0"), "OK");
});

Deno.test("rename-command: a line that does not apply stops the start, as redis-server", () => {
  match(startFailure("--rename-command", "nosuch", "x"), /No such command in rename-command/);
  match(startFailure("--rename-command", "get", "set"), /Target command name already exists/);
  match(startFailure("--rename-command", "get"), /Bad directive or wrong number of arguments/);
});

Deno.test("rename-command: CONFIG REWRITE keeps the line", async () => {
  using dir = tempDir();
  const file = `${dir.path}/redis.conf`;
  Deno.writeTextFileSync(file, "rename-command flushdb badger\n");
  await using srv = serveWith({ configFile: file, overrides: [["port", "0"]] });
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CONFIG", "SET", "maxmemory-samples", "7"), "OK");
  equal(await c.cmd("CONFIG", "REWRITE"), "OK");
  const lines = Deno.readTextFileSync(file).split("\n");
  equal(lines[0], "rename-command flushdb badger");
  equal(buildConfig({ configFile: file, overrides: [] }).renamedCommands.length, 1);
});

Deno.test("rename-command: a renamed command's old name quotes arguments its decoders leave as bytes", async () => {
  await using srv = serveWith(
    parseServeArgs([
      "--port",
      "0",
      "--rename-command",
      "zadd",
      "myzadd",
      "--rename-command",
      "set",
      "",
    ]),
  );
  using c = await RespClient.connect(srv.port);
  // ZADD's key and 20-byte member, SET's key and value: taken as bytes by the old names' handlers.
  const member = "member:0000000000000024";
  deepEqual(await c.cmd("ZADD", "zset:0001", "1", member), {
    error: `ERR unknown command 'ZADD', with args beginning with: 'zset:0001' '1' '${member}' `,
  });
  deepEqual(await c.cmd("SET", "string:0001", "v".repeat(30)), {
    error: `ERR unknown command 'SET', with args beginning with: 'string:0001' '${
      "v".repeat(30)
    }' `,
  });
  equal(await c.cmd("MYZADD", "zset:0001", "1", member), 1);
  equal(await c.cmd("MYZADD", "zset:0001", "1", member), 0);
  deepEqual(await c.cmd("ZRANGE", "zset:0001", "0", "-1"), [member]);
});
