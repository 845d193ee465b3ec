/**
 * dispatch.ts stamps a client found ordinary with server/ordinary.ts's epoch
 * and skips its checks while the stamp holds: a change made by another
 * client, or outside any command, must apply to the very next request of a
 * client stamped before it. Requests go through processCommand, as from a
 * connection; no sockets.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespReplyDecoder } from "../protocol/resp.ts";
import type { Client } from "../server/client.ts";
import { createServer } from "../server/compose.ts";
import { Config } from "../server/config.ts";
import { processCommand, startBatch } from "../server/dispatch.ts";
import type { RedisServer } from "../server/server.ts";
import { plain } from "./helpers.ts";

const decoder = new RespReplyDecoder();

/** Runs one request of `client` as its own batch; its reply (undefined: none yet). */
function send(client: Client, ...argv: string[]): unknown {
  client.out.pos = 0;
  startBatch();
  processCommand(client, argv);
  if (client.out.pos === 0) return undefined;
  const reply = decoder.decode(client.out.buf, 0, client.out.pos);
  client.out.pos = 0;
  return reply === undefined ? undefined : plain(reply);
}

function setup(params: Record<string, string> = {}): { server: RedisServer; a: Client; b: Client } {
  const config = new Config();
  for (const [name, value] of Object.entries(params)) config.set(name, value, true);
  const server = createServer(config);
  server.quiet = true;
  const a = server.createInternalClient();
  const b = server.createInternalClient();
  equal(send(b, "SET", "k", "v"), "OK");
  equal(send(b, "GET", "k"), "v");
  return { server, a, b };
}

const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };

Deno.test("another client's CONFIG SET maxmemory applies to the next request", () => {
  const { a, b } = setup();
  equal(send(a, "CONFIG", "SET", "maxmemory", "1"), "OK");
  deepEqual(send(b, "SET", "k", "w"), OOM);
  equal(send(a, "CONFIG", "SET", "maxmemory", "0"), "OK");
  equal(send(b, "SET", "k", "w"), "OK");
});

Deno.test("another client's ACL SETUSER applies to the next request", () => {
  const { a, b } = setup();
  equal(send(a, "ACL", "SETUSER", "default", "-get"), "OK");
  deepEqual(send(b, "GET", "k"), {
    error: "NOPERM this user has no permissions to run the 'get' command",
  });
  equal(send(a, "ACL", "SETUSER", "default", "+get"), "OK");
  equal(send(b, "GET", "k"), "v");
});

Deno.test("CLIENT PAUSE, by a client or not, holds the next write", () => {
  const { server, a, b } = setup();
  equal(send(a, "CLIENT", "PAUSE", "100000", "WRITE"), "OK");
  equal(send(b, "SET", "k", "w"), undefined);
  ok(b.blocked !== undefined);
  equal(send(a, "CLIENT", "UNPAUSE"), "OK");
  // The held SET is a connection's to run again: this socketless client only reads.
  equal(send(b, "GET", "k"), "v");
  server.pause.pause(Date.now() + 100000, "all");
  equal(send(b, "GET", "k"), undefined);
  server.pause.unpause();
});

Deno.test("MULTI and RESP2 SUBSCRIBE apply to the client's own next request", () => {
  const { a, b } = setup();
  equal(send(b, "MULTI"), "OK");
  equal(send(b, "GET", "k"), "QUEUED");
  deepEqual(send(b, "EXEC"), ["v"]);
  equal(send(a, "GET", "k"), "v");
  deepEqual(send(b, "SUBSCRIBE", "ch"), ["subscribe", "ch", 1]);
  deepEqual(send(b, "GET", "k"), {
    error:
      "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  });
});

Deno.test("loading begun outside a command applies to the next request", () => {
  const { server, b } = setup();
  server.persistence.loading.start(100);
  deepEqual(send(b, "GET", "k"), { error: "LOADING Redis is loading the dataset in memory" });
  server.persistence.loading.end();
  equal(send(b, "GET", "k"), "v");
});

Deno.test("becoming a replica applies to the next write", async () => {
  const { server, b } = setup();
  server.replication.replicaOf("127.0.0.1", 1);
  deepEqual(send(b, "SET", "k", "w"), {
    error: "READONLY You can't write against a read only replica.",
  });
  await server.replication.promote();
  equal(send(b, "SET", "k", "w"), "OK");
});

Deno.test("a script gone busy applies to the next request of another client", async () => {
  const { server, a, b } = setup({ "busy-reply-threshold": "10" });
  await server.scripting.load();
  equal(send(a, "EVAL", "while true do end", "0"), undefined);
  ok(server.busyScriptError !== undefined);
  deepEqual(send(b, "GET", "k"), {
    error: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
  });
  equal(send(b, "SCRIPT", "KILL"), "OK");
  for (let i = 0; i < 200 && server.busyScriptError !== undefined; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  equal(send(b, "GET", "k"), "v");
});
