/** The socket side of the server: framing, pipelining, limits, timeouts, shutdown. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import { encodeNativeRequest } from "../protocol/native.ts";
import { NativeClient, RespClient, ROOT, run, startServer } from "./helpers.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

Deno.test("book commands over the native protocol reply as the book says", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  deepEqual(await c.call("get", "k"), { type: "nil" });
  deepEqual(await c.call("set", "k", "v"), { type: "nil" });
  deepEqual(await c.call("GET", "k"), { type: "str", value: "v" });
  deepEqual(await c.call("keys"), { type: "arr", values: [{ type: "str", value: "k" }] });
  deepEqual(await c.call("pttl", "k"), { type: "int", value: -1n });
  deepEqual(await c.call("pttl", "missing"), { type: "int", value: -2n });
  deepEqual(await c.call("pexpire", "missing", "100"), { type: "int", value: 0n });
  deepEqual(await c.call("pexpire", "k", "100000"), { type: "int", value: 1n });
  const ttl = await c.call("pttl", "k");
  ok(ttl.type === "int" && ttl.value > 99_000n && ttl.value <= 100_000n);
  deepEqual(await c.call("del", "k"), { type: "int", value: 1n });
  deepEqual(await c.call("del", "k"), { type: "int", value: 0n });
  // pexpire with a time <= 0 deletes the key.
  await c.call("set", "gone", "x");
  deepEqual(await c.call("pexpire", "gone", "0"), { type: "int", value: 1n });
  deepEqual(await c.call("get", "gone"), { type: "nil" });
});

Deno.test("expired keys are never returned", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  await c.call("set", "short", "x");
  await c.call("pexpire", "short", "20");
  await new Promise((r) => setTimeout(r, 40));
  deepEqual(await c.call("get", "short"), { type: "nil" });
  deepEqual(await c.call("keys"), { type: "arr", values: [] });
  deepEqual(await c.call("pttl", "short"), { type: "int", value: -2n });
});

Deno.test("native errors carry the protocol's codes and the connection survives", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  deepEqual(await c.call("nosuch", "a"), {
    type: "err",
    code: 1,
    message: "ERR unknown command 'nosuch', with args beginning with: 'a' ",
  });
  deepEqual(await c.call("get"), {
    type: "err",
    code: 4,
    message: "ERR wrong number of arguments for 'get' command",
  });
  deepEqual(await c.call("pexpire", "k", "soon"), {
    type: "err",
    code: 4,
    message: "ERR value is not an integer or out of range",
  });
  deepEqual(await c.call("set", "k", "v"), { type: "nil" });
});

Deno.test("10,000 pipelined requests in one write get 10,000 replies in order", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  const n = 10_000;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) frames.push(encodeNativeRequest(["set", `k${i}`, `v${i}`]));
  for (let i = 0; i < n; i++) frames.push(encodeNativeRequest(["get", `k${i}`]));
  await native.writeRaw(concat(frames));
  for (let i = 0; i < n; i++) deepEqual(await native.read(), { type: "nil" });
  for (let i = 0; i < n; i++) deepEqual(await native.read(), { type: "str", value: `v${i}` });

  using resp = await RespClient.connect(srv.port);
  let batch = "";
  for (let i = 0; i < n; i++) batch += `*2\r\n$3\r\nGET\r\n$${`k${i}`.length}\r\nk${i}\r\n`;
  await resp.writeRaw(batch);
  for (let i = 0; i < n; i++) deepEqual(await resp.read(), { type: "bulk", value: `v${i}` });
});

Deno.test("a request written one byte at a time is served", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  const bytes = concat([
    encodeNativeRequest(["set", "slow", "drip"]),
    encodeNativeRequest(["get", "slow"]),
  ]);
  for (let i = 0; i < bytes.length; i++) await native.writeRaw(bytes.subarray(i, i + 1));
  deepEqual(await native.read(), { type: "nil" });
  deepEqual(await native.read(), { type: "str", value: "drip" });

  using resp = await RespClient.connect(srv.port);
  const text = binaryToBytes("*2\r\n$3\r\nGET\r\n$4\r\nslow\r\n");
  for (let i = 0; i < text.length; i++) await resp.writeRaw(text.subarray(i, i + 1));
  deepEqual(await resp.read(), { type: "bulk", value: "drip" });
});

Deno.test("an oversized request closes only that client", async () => {
  await using srv = startServer();
  using bystander = await NativeClient.connect(srv.port);
  await bystander.call("set", "safe", "kept");

  using offender = await NativeClient.connect(srv.port);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, 32 * 1024 * 1024 + 1, true);
  await offender.writeRaw(header);
  ok(await offender.reader.closedWithin(2000), "oversized native request closes the socket");

  using resp = await RespClient.connect(srv.port);
  await resp.writeRaw("*1\r\n$999999999999\r\n");
  deepEqual(await resp.read(), { type: "error", value: "ERR Protocol error: invalid bulk length" });
  ok(await resp.reader.closedWithin(2000));

  deepEqual(await bystander.call("get", "safe"), { type: "str", value: "kept" });
});

Deno.test("idle clients are closed after --timeout seconds", async () => {
  await using srv = startServer({ timeout: "1" });
  using idle = await NativeClient.connect(srv.port);
  using active = await NativeClient.connect(srv.port);
  deepEqual(await idle.call("set", "a", "1"), { type: "nil" });
  // The active client keeps talking; the idle one goes quiet.
  const deadline = Date.now() + 2600;
  while (Date.now() < deadline) {
    deepEqual(await active.call("get", "a"), { type: "str", value: "1" });
    await new Promise((r) => setTimeout(r, 200));
  }
  ok(await idle.reader.closedWithin(1500), "idle client closed");
  deepEqual(await active.call("get", "a"), { type: "str", value: "1" });
});

Deno.test("100 concurrent clients with interleaved requests each see their own replies", async () => {
  await using srv = startServer();
  const clients = await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) => i % 2 ? RespClient.connect(srv.port) : NativeClient.connect(srv.port),
    ),
  );
  try {
    await Promise.all(clients.map(async (c, i) => {
      for (let round = 0; round < 20; round++) {
        const key = `c${i}:${round}`;
        await c.send("set", key, `${i}-${round}`);
        await c.read();
        const got = await c.call("get", key);
        const value = "value" in got ? got.value : undefined;
        equal(value, `${i}-${round}`);
      }
    }));
  } finally {
    for (const c of clients) c.close();
  }
});

Deno.test("shutdown finishes replies in flight and closes every client", async () => {
  const srv = startServer();
  using a = await NativeClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  await a.send("set", "k", "v");
  deepEqual(await a.read(), { type: "nil" });
  await b.send("GET", "k");
  deepEqual(await b.read(), { type: "bulk", value: "v" });
  await srv.close();
  ok(await a.reader.closedWithin(1000));
  ok(await b.reader.closedWithin(1000));
});

Deno.test("./redis-home serve exits 0 on SIGTERM and rejects bad flags with code 2", async () => {
  const bad = await run(`${ROOT}/redis-home`, ["serve", "--no-such-flag"]);
  equal(bad.code, 2);
  equal(bad.stderr.trim().split("\n").length, 1);
  const badPort = await run(`${ROOT}/redis-home`, ["serve", "--port", "nope"]);
  equal(badPort.code, 2);

  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(`${ROOT}/redis-home`, {
    args: ["serve", "--port", String(port)],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let client: NativeClient | undefined;
  for (let i = 0; i < 100 && client === undefined; i++) {
    client = await NativeClient.connect(port).catch(() => undefined);
    if (client === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  ok(client, "server came up");
  deepEqual(await client.call("set", "k", "v"), { type: "nil" });
  child.kill("SIGTERM");
  const status = await child.status;
  await child.stderr.cancel();
  equal(status.code, 0);
  ok(await client.reader.closedWithin(1000));
  client.close();
});

Deno.test("a client that never reads its replies cannot grow server memory", async () => {
  await using srv = startServer();
  using writer = await RespClient.connect(srv.port);
  const big = "x".repeat(1024 * 1024);
  deepEqual(await writer.cmd("SET", "big", big), "OK");
  // 2,000 pipelined GETs would be 2 GB of replies; this client reads none of them.
  using hog = await RespClient.connect(srv.port);
  await hog.writeRaw("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(2000));
  await new Promise((r) => setTimeout(r, 500));
  const pending = [...srv.server.clients.values()].reduce(
    (n, c) => n + c.transport.outputBytes,
    0,
  );
  // OUTPUT_BACKPRESSURE (16 MB) and one batch: not the 2 GB asked for.
  ok(pending < 20 * 1024 * 1024, `pending output ${pending} bytes`);
  // Everyone else is served meanwhile.
  deepEqual(await writer.cmd("SET", "small", "1"), "OK");
});
