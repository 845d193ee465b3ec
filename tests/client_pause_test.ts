/**
 * CLIENT PAUSE / UNPAUSE end to end: WRITE holds writes and may-replicate
 * commands (PUBLISH, EXEC with a write) but not reads, ALL holds everything,
 * held requests run in order once unpaused, errors as Redis 7.0.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

async function waitForBlocked(
  server: { server: { blocking: { blockedClients: number } } },
  n: number,
) {
  for (let i = 0; i < 200 && server.server.blocking.blockedClients !== n; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  equal(server.server.blocking.blockedClients, n);
}

Deno.test("CLIENT PAUSE WRITE: reads run, writes and PUBLISH wait until UNPAUSE", async () => {
  await using server = startServer();
  using admin = await RespClient.connect(server.port);
  using writer = await RespClient.connect(server.port);
  using publisher = await RespClient.connect(server.port);
  await admin.cmd("SET", "k", "old");
  equal(await admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK");
  equal(await writer.cmd("GET", "k"), "old");
  await writer.send("SET", "k", "new");
  await writer.send("GET", "k");
  await publisher.send("PUBLISH", "ch", "m");
  await waitForBlocked(server, 2);
  equal(await admin.cmd("GET", "k"), "old");
  equal(await admin.cmd("CLIENT", "UNPAUSE"), "OK");
  equal(await writer.cmd(), "OK");
  equal(await writer.cmd(), "new");
  equal(await publisher.cmd(), 0);
  equal(server.server.blocking.blockedClients, 0);
});

Deno.test("CLIENT PAUSE: a held write with a large value runs whole on UNPAUSE", async () => {
  await using server = startServer();
  using admin = await RespClient.connect(server.port);
  using writer = await RespClient.connect(server.port);
  equal(await admin.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK");
  // Big enough that the decoder gathers the bulk outside the query buffer.
  const value = "v".repeat(100_000);
  await writer.send("SET", "big", value);
  await writer.send("STRLEN", "big");
  await waitForBlocked(server, 1);
  equal(await admin.cmd("CLIENT", "UNPAUSE"), "OK");
  equal(await writer.cmd(), "OK");
  equal(await writer.cmd(), 100_000);
});

Deno.test("CLIENT PAUSE ALL holds every command; the pause ends by itself", async () => {
  await using server = startServer();
  using admin = await RespClient.connect(server.port);
  using c = await RespClient.connect(server.port);
  equal(await admin.cmd("CLIENT", "PAUSE", "50"), "OK");
  await c.send("PING");
  await waitForBlocked(server, 1);
  equal(await c.cmd(), "PONG");
  equal(server.server.pause.active, false);
});

Deno.test("CLIENT PAUSE: a queued write holds EXEC; errors as Redis 7.0", async () => {
  await using server = startServer();
  using admin = await RespClient.connect(server.port);
  using c = await RespClient.connect(server.port);
  await c.cmd("MULTI");
  await c.cmd("SET", "a", "1");
  await admin.cmd("CLIENT", "PAUSE", "100000", "WRITE");
  await c.send("EXEC");
  await waitForBlocked(server, 1);
  await admin.cmd("CLIENT", "UNPAUSE");
  deepEqual(await c.cmd(), ["OK"]);
  deepEqual(await admin.cmd("CLIENT", "PAUSE", "10", "foo"), {
    error: "ERR CLIENT PAUSE mode must be WRITE or ALL",
  });
  deepEqual(await admin.cmd("CLIENT", "PAUSE", "x"), {
    error: "ERR timeout is not an integer or out of range",
  });
  deepEqual(await admin.cmd("CLIENT", "PAUSE", "-1"), { error: "ERR timeout is negative" });
  deepEqual(await admin.cmd("CLIENT", "PAUSE", "1", "ALL", "x"), {
    error: "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.",
  });
});

Deno.test("CLIENT PAUSE: expired keys are hidden but not deleted until the pause ends", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("SET", "k", "v", "PX", "20");
  await c.cmd("CLIENT", "PAUSE", "100000", "WRITE");
  await new Promise((r) => setTimeout(r, 60));
  equal(await c.cmd("GET", "k"), null);
  equal(server.server.stats.expiredKeys, 0);
  equal(await c.cmd("DBSIZE"), 1);
  await c.cmd("CLIENT", "UNPAUSE");
  equal(await c.cmd("GET", "k"), null);
  equal(server.server.stats.expiredKeys, 1);
});
