/**
 * maxmemory-clients (Redis 7's client eviction) without a maxmemory: what a
 * client's memory counts (query buffer, MULTI queue, WATCHed keys, pushed
 * output), that it is evicted as its memory changes rather than at the next
 * cron, and CLIENT LIST's tot-mem as the figure counted. The cron is paused
 * in these tests, so only the real-time accounting can evict.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { encodeRespRequest } from "../protocol/resp.ts";
import { RespClient, startServer } from "./helpers.ts";

async function infoField(c: RespClient, section: string, name: string): Promise<string> {
  const info = await c.cmd("INFO", section) as string;
  return info.match(new RegExp(`^${name}:(.*?)\\r?$`, "m"))![1]!;
}

/** A CLIENT LIST field of the client named `name`, undefined when it is gone. */
async function clientField(
  c: RespClient,
  name: string,
  field: string,
): Promise<string | undefined> {
  const list = await c.cmd("CLIENT", "LIST") as string;
  const line = list.split("\n").find((l) => l.includes(` name=${name} `));
  return line?.match(new RegExp(`(?:^| )${field}=(\\S*)`))?.[1];
}

/** A server with the cron paused, and a control client exempt from eviction. */
async function evictingServer(limit: string) {
  const srv = startServer();
  srv.server.cronPaused = true;
  const control = await RespClient.connect(srv.port);
  equal(await control.cmd("CLIENT", "NO-EVICT", "on"), "OK");
  equal(await control.cmd("CONFIG", "SET", "maxmemory-clients", limit), "OK");
  return { srv, control };
}

Deno.test("a query buffer past maxmemory-clients is evicted without a maxmemory or the cron", async () => {
  const { srv, control } = await evictingServer("200000");
  await using _ = srv;
  using __ = control;
  using other = await RespClient.connect(srv.port);
  equal(await other.cmd("CLIENT", "SETNAME", "big"), "OK");
  await other.writeRaw(`*2\r\n$4\r\nECHO\r\n$300000\r\n${"x".repeat(250_000)}`);
  ok(await other.reader.closedWithin(2000), "the client was evicted");
  equal(await clientField(control, "big", "id"), undefined);
  equal(await infoField(control, "stats", "evicted_clients"), "1");
});

Deno.test("a large bulk's header sizes the query buffer: tot-mem shows the request at once", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  equal(await other.cmd("CLIENT", "SETNAME", "partial"), "OK");
  // As Redis's querybuf for a big argument: the whole bulk is reserved when its header is read.
  await other.writeRaw(`*2\r\n$4\r\nECHO\r\n$300000\r\nxx`);
  let totMem = 0;
  for (let i = 0; i < 50 && totMem < 300_000; i++) {
    await new Promise((r) => setTimeout(r, 10));
    totMem = Number(await clientField(c, "partial", "tot-mem"));
  }
  ok(totMem >= 300_000 && totMem < 400_000, `tot-mem=${totMem}`);
  ok(Number(await clientField(c, "partial", "qbuf-free")) >= 290_000);
});

Deno.test("a MULTI queue counts toward maxmemory-clients (multi-mem)", async () => {
  const { srv, control } = await evictingServer("400000");
  await using _ = srv;
  using __ = control;
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CLIENT", "SETNAME", "queuing"), "OK");
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("SET", "k", "v".repeat(40_000)), "QUEUED");
  // Redis's multi-mem: the arguments' bytes and a pointer each.
  equal(await clientField(control, "queuing", "multi-mem"), String(3 + 1 + 40_000 + 3 * 8));
  let queued = 1;
  try {
    for (; queued < 15; queued++) await c.cmd("SET", "k", "v".repeat(40_000));
  } catch {
    // Evicted: the server closed the connection.
  }
  // The query buffer (up to 128 kB for these requests) alone never gets there; 12 queued do.
  ok(queued >= 3 && queued <= 12, `evicted after ${queued} queued commands`);
  equal(await infoField(control, "stats", "evicted_clients"), "1");
});

/** WATCH of `n` keys, sent without waiting for the reply (the client may be gone by then). */
function watchMany(c: RespClient, n: number): Promise<void> {
  const keys = Array.from({ length: n }, (_, i) => `key:${i}`);
  return c.writeRaw(encodeRespRequest(["WATCH", ...keys]));
}

Deno.test("WATCHed keys count toward maxmemory-clients", async () => {
  const { srv, control } = await evictingServer("200000");
  await using _ = srv;
  using __ = control;
  using c = await RespClient.connect(srv.port);
  await watchMany(c, 8000);
  ok(await c.reader.closedWithin(2000), "the client was evicted for its watched keys");
});

Deno.test("CLIENT NO-EVICT clients count but stay; turning it off evicts", async () => {
  const { srv, control } = await evictingServer("150000");
  await using _ = srv;
  using __ = control;
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CLIENT", "SETNAME", "exempt"), "OK");
  equal(await c.cmd("CLIENT", "NO-EVICT", "on"), "OK");
  await watchMany(c, 8000);
  deepEqual(await c.reader.next(), { type: "simple", value: "OK" });
  ok(Number(await clientField(control, "exempt", "tot-mem")) > 150_000);
  equal(await infoField(control, "stats", "evicted_clients"), "0");
  await c.writeRaw(encodeRespRequest(["CLIENT", "NO-EVICT", "off"]));
  ok(await c.reader.closedWithin(2000), "the client was evicted");
  equal(await infoField(control, "stats", "evicted_clients"), "1");
});

Deno.test("the biggest clients go first, only until the rest fit", async () => {
  const { srv, control } = await evictingServer("0");
  await using _ = srv;
  using __ = control;
  const sizes = [150_000, 60_000, 60_000];
  const clients = await Promise.all(sizes.map(() => RespClient.connect(srv.port)));
  try {
    for (const [i, size] of sizes.entries()) {
      equal(await clients[i]!.cmd("CLIENT", "SETNAME", `c${i}`), "OK");
      await clients[i]!.writeRaw(`*2\r\n$4\r\nECHO\r\n$${size}\r\nxx`);
    }
    let total = 0;
    for (let i = 0; i < 50 && total < 270_000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      total = 0;
      for (const i of sizes.keys()) total += Number(await clientField(control, `c${i}`, "tot-mem"));
    }
    // Room for the two small ones and the control client, not for the big one too.
    equal(await control.cmd("CONFIG", "SET", "maxmemory-clients", String(total - 100_000)), "OK");
    ok(await clients[0]!.reader.closedWithin(2000), "the biggest client was evicted");
    deepEqual(
      [await clientField(control, "c1", "id"), await clientField(control, "c2", "id")].map(Boolean),
      [true, true],
    );
    equal(await infoField(control, "stats", "evicted_clients"), "1");
  } finally {
    for (const c of clients) c.close();
  }
});
