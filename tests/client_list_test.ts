/**
 * CLIENT LIST / CLIENT INFO: Redis 7.0's fields in its order, holding the
 * client's real state (query buffer, arguments, MULTI queue, flags), and
 * the TYPE / ID filters.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

/** Redis 7.0's CLIENT LIST fields, in order (redis-home adds lib-name, lib-ver at the end). */
const FIELDS = [
  "id",
  "addr",
  "laddr",
  "fd",
  "name",
  "age",
  "idle",
  "flags",
  "db",
  "sub",
  "psub",
  "ssub",
  "multi",
  "qbuf",
  "qbuf-free",
  "argv-mem",
  "multi-mem",
  "rbs",
  "rbp",
  "obl",
  "oll",
  "omem",
  "tot-mem",
  "events",
  "cmd",
  "user",
  "redir",
  "resp",
];

function fields(line: string): Map<string, string> {
  return new Map(
    line.trim().split(" ").map((pair) => {
      const eq = pair.indexOf("=");
      return [pair.slice(0, eq), pair.slice(eq + 1)] as [string, string];
    }),
  );
}

Deno.test("CLIENT INFO: every Redis 7.0 field, in order, with the caller's own request", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  const info = fields(await c.cmd("CLIENT", "INFO") as string);
  deepEqual([...info.keys()].slice(0, FIELDS.length), FIELDS);
  // "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n" is 26 bytes, its arguments 10.
  equal(info.get("qbuf"), "26");
  equal(info.get("argv-mem"), "10");
  equal(info.get("multi"), "-1");
  equal(info.get("multi-mem"), "0");
  equal(info.get("flags"), "N");
  equal(info.get("cmd"), "client|info");
  equal(info.get("events"), "r");
  equal(info.get("resp"), "2");
  match(info.get("addr") ?? "", /^127\.0\.0\.1:\d+$/);
  equal(info.get("laddr"), `127.0.0.1:${server.port}`);
});

Deno.test("CLIENT LIST: a subscriber between requests", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  using sub = await RespClient.connect(server.port);
  await sub.cmd("SUBSCRIBE", "a");
  await sub.send("SUBSCRIBE", "b");
  await sub.read();
  const [subscriber] = (await c.cmd("CLIENT", "LIST", "TYPE", "pubsub") as string).trim().split(
    "\n",
  );
  const p = fields(subscriber ?? "");
  equal(p.get("flags"), "P");
  equal(p.get("sub"), "2");
  equal(p.get("qbuf"), "0");
  equal(p.get("argv-mem"), "0");
  equal(p.get("cmd"), "subscribe");
});

Deno.test("CLIENT LIST: queued MULTI commands count in multi and multi-mem", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  using observer = await RespClient.connect(server.port);
  const id = String(await c.cmd("CLIENT", "ID"));
  await c.cmd("SELECT", "3");
  await c.cmd("MULTI");
  await c.cmd("SET", "key", "value");
  const line = fields(await observer.cmd("CLIENT", "LIST", "ID", id) as string);
  equal(line.get("flags"), "x");
  equal(line.get("multi"), "1");
  // Redis counts each queued argument's bytes plus a pointer: 11 + 3 * 8.
  equal(line.get("multi-mem"), "35");
  equal(line.get("db"), "3");
  equal(line.get("cmd"), "set");
  await c.cmd("DISCARD");
  await c.cmd("HELLO", "3");
  equal(fields(await observer.cmd("CLIENT", "LIST", "ID", id) as string).get("resp"), "3");
});

Deno.test("CLIENT LIST: of a bulk being received, qbuf counts the data so far, as Redis", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  using observer = await RespClient.connect(server.port);
  const id = String(await c.cmd("CLIENT", "ID"));
  // redis-server 7.0 shows qbuf=110100 here: it has parsed the `$220200` line.
  await c.writeRaw(`*1\r\n$220200\r\n${"v".repeat(110_100)}`);
  let line = new Map<string, string>();
  for (let i = 0; i < 100 && line.get("qbuf") !== "110100"; i++) {
    await new Promise((r) => setTimeout(r, 10));
    line = fields(await observer.cmd("CLIENT", "LIST", "ID", id) as string);
  }
  equal(line.get("qbuf"), "110100");
  // The bulk's whole size is taken at once, as Redis's querybuf for a big argument.
  ok(Number(line.get("qbuf-free")) >= 110_100, line.get("qbuf-free"));
});

Deno.test("CLIENT LIST ID / TYPE: filters and their errors as Redis 7.0", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  equal(await c.cmd("CLIENT", "LIST", "ID", "0"), "");
  deepEqual(await c.cmd("CLIENT", "LIST", "ID", "x"), { error: "ERR Invalid client ID" });
  deepEqual(await c.cmd("CLIENT", "LIST", "TYPE", "normal", "x"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("CLIENT", "LIST", "TYPE", "foo"), {
    error: "ERR Unknown client type 'foo'",
  });
  equal(await c.cmd("CLIENT", "LIST", "TYPE", "replica") as string, "");
  match(await c.cmd("CLIENT", "LIST", "TYPE", "NORMAL") as string, /^id=\d+ .* cmd=client\|list /);
});

Deno.test("CLIENT LIST: output past the first 16 KB shows in omem, as Redis's reply list", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using subscriber = await RespClient.connect(srv.port);
  await subscriber.cmd("CLIENT", "SETNAME", "slow");
  await subscriber.send("SUBSCRIBE", "ch");
  const message = "m".repeat(64 * 1024);
  let line = "";
  // The subscriber never reads: once the kernel's buffers are full, output waits in the server.
  for (let i = 0; i < 400; i++) {
    await c.cmd("PUBLISH", "ch", message);
    const list = await c.cmd("CLIENT", "LIST") as string;
    line = list.split("\n").find((l) => l.includes("name=slow")) ?? "";
    if (Number(line.match(/ omem=(\d+)/)?.[1]) > 1_000_000) break;
  }
  ok(Number(line.match(/ omem=(\d+)/)![1]) > 1_000_000, line);
  ok(Number(line.match(/ obl=(\d+)/)![1]) <= 16 * 1024, line);
});
