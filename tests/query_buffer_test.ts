/**
 * The query buffer as Redis's (unit/querybuf): a client that sent a request
 * holds at least 16 KB, an idle one nothing (past two seconds), and one
 * that sent a large request is trimmed to its recent peak while it keeps
 * sending small ones. The cron's resize is called directly with a clock.
 */
import { equal, ok } from "node:assert/strict";
import { RespClient, startServer, type TestServer } from "./helpers.ts";

/** qbuf + qbuf-free of the client named `name`, as CLIENT LIST shows them. */
async function queryBuffer(observer: RespClient, name: string): Promise<number> {
  const list = String(await observer.cmd("CLIENT", "LIST"));
  const line = list.split("\n").find((l) => l.includes(` name=${name} `))!;
  const field = (f: string) => Number(new RegExp(` ${f}=(\\d+)`).exec(line)![1]);
  return field("qbuf") + field("qbuf-free");
}

/** One cron pass of the buffer resize, `aheadMs` in the future. */
function resize(srv: TestServer, aheadMs = 0): void {
  for (const connection of srv.server.connections) connection.resizeBuffers(Date.now() + aheadMs);
}

Deno.test("query buffer: 16 KB once used, freed when idle, trimmed to the recent peak", async () => {
  await using srv = startServer();
  using observer = await RespClient.connect(srv.port);
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("CLIENT", "SETNAME", "t"), "OK");
  const fresh = await queryBuffer(observer, "t");
  ok(fresh >= 16384 && fresh < 32768, String(fresh));
  resize(srv);
  equal(await queryBuffer(observer, "t"), fresh, "not idle yet: kept");
  resize(srv, 3000);
  equal(await queryBuffer(observer, "t"), 0, "idle: freed");

  equal(await client.cmd("SET", "x", "A".repeat(400_000)), "OK");
  const large = await queryBuffer(observer, "t");
  ok(large > 32768, String(large));
  equal(await client.cmd("SET", "x", "A".repeat(100)), "OK");
  resize(srv); // the peak still counts the large request
  equal(await queryBuffer(observer, "t"), large);
  equal(await client.cmd("SET", "x", "A".repeat(100)), "OK");
  resize(srv);
  const trimmed = await queryBuffer(observer, "t");
  ok(trimmed > 0 && trimmed < large, `${trimmed} of ${large}`);
});

Deno.test("query buffer: an active client that sent one large request of small arguments shrinks back to 16 KB", async () => {
  await using srv = startServer();
  using observer = await RespClient.connect(srv.port);
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("CLIENT", "SETNAME", "t"), "OK");
  const members = Array.from({ length: 20_000 }, (_, i) => String(i));
  equal(await client.cmd("SADD", "s", ...members), 20_000);
  // Never idle: a request between the cron's passes, as Redis's unit/lazyfree polls INFO.
  for (let i = 0; i < 8; i++) {
    equal(await client.cmd("PING"), "PONG");
    resize(srv);
  }
  equal(await client.cmd("PING"), "PONG");
  const size = await queryBuffer(observer, "t");
  ok(size <= 16384, String(size));
});
