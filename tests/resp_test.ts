/** RESP2/RESP3 over real sockets: framing, pipelining, limits, protocol switching. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { bytesToBinary } from "../protocol/bytes.ts";
import { encodeNativeRequest } from "../protocol/native.ts";
import { encodeRespRequest } from "../protocol/resp.ts";
import { detectProtocol } from "../server/connection.ts";
import { VERSION } from "../protocol/version.ts";
import { RespClient, startServer } from "./helpers.ts";

/** Reads everything the server sends until it closes the connection. */
async function readUntilClosed(client: RespClient): Promise<string> {
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await client.conn.read(buf).catch(() => null);
    if (n === null) return text;
    text += bytesToBinary(buf, 0, n);
  }
}

Deno.test("inline commands with Redis's quoting", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.writeRaw('SET "my key" \'a b\'\r\nGET "my\\x20key"\nECHO "tab\\there"\r\n');
  deepEqual(await c.read(), { type: "simple", value: "OK" });
  deepEqual(await c.read(), { type: "bulk", value: "a b" });
  deepEqual(await c.read(), { type: "bulk", value: "tab\there" });
});

Deno.test("blank lines and empty multibulks are ignored", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.writeRaw("\r\n\n*0\r\n*-1\r\nPING\r\n");
  deepEqual(await c.read(), { type: "simple", value: "PONG" });
});

Deno.test("pipelined requests are answered in order", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const requests: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) requests.push(encodeRespRequest(["SET", `k${i}`, `v${i}`]));
  for (let i = 0; i < 200; i++) requests.push(encodeRespRequest(["GET", `k${i}`]));
  const all = new Uint8Array(requests.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of requests) {
    all.set(r, at);
    at += r.length;
  }
  await c.writeRaw(all);
  for (let i = 0; i < 200; i++) deepEqual(await c.read(), { type: "simple", value: "OK" });
  for (let i = 0; i < 200; i++) deepEqual(await c.read(), { type: "bulk", value: `v${i}` });
});

Deno.test("a request split into single bytes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const bytes = encodeRespRequest(["ECHO", "split\r\nacross"]);
  for (const b of bytes) await c.writeRaw(Uint8Array.of(b));
  deepEqual(await c.read(), { type: "bulk", value: "split\r\nacross" });
});

Deno.test("binary-safe keys and values, and a multi-megabyte bulk", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  let bytes = "";
  for (let b = 0; b < 256; b++) bytes += String.fromCharCode(b);
  deepEqual(await c.cmd("SET", bytes, bytes), "OK");
  deepEqual(await c.cmd("GET", bytes), bytes);
  const big = "x".repeat(3 * 1024 * 1024);
  deepEqual(await c.cmd("SET", "big", big), "OK");
  equal(await c.cmd("GET", "big"), big);
});

Deno.test("unknown commands and wrong arity get Redis's errors; names ignore case", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("nosuch", "a", "b"), {
    error: "ERR unknown command 'nosuch', with args beginning with: 'a' 'b' ",
  });
  deepEqual(await c.cmd("nosuch"), {
    error: "ERR unknown command 'nosuch', with args beginning with: ",
  });
  deepEqual(await c.cmd("GET"), { error: "ERR wrong number of arguments for 'get' command" });
  deepEqual(await c.cmd("CONFIG", "GET"), {
    error: "ERR wrong number of arguments for 'config|get' command",
  });
  deepEqual(await c.cmd("CONFIG", "nosuch"), {
    error: "ERR unknown subcommand 'nosuch'. Try CONFIG HELP.",
  });
  deepEqual(await c.cmd("pInG"), "PONG");
  // The connection survives errors.
  deepEqual(await c.cmd("ECHO", "still here"), "still here");
});

/** Sends `wire` after a PING and expects PONG, then `error`, then a closed socket. */
async function assertProtocolError(wire: string, error: string): Promise<void> {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.writeRaw("PING\r\n" + wire);
  equal(await readUntilClosed(c), `+PONG\r\n-${error}\r\n`);
  // Other clients are unaffected.
  using other = await RespClient.connect(srv.port);
  equal(await other.cmd("PING"), "PONG");
}

Deno.test("protocol errors are answered, then the connection is closed", async () => {
  await assertProtocolError("*abc\r\n", "ERR Protocol error: invalid multibulk length");
  await assertProtocolError(
    "*2\r\n$3\r\nGET\r\n:1\r\n",
    "ERR Protocol error: expected '$', got ':'",
  );
  await assertProtocolError("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length");
  await assertProtocolError('ECHO "open\r\n', "ERR Protocol error: unbalanced quotes in request");
  await assertProtocolError(
    `*${1024 * 1024 + 1}\r\n`,
    "ERR Protocol error: invalid multibulk length",
  );
});

Deno.test("limits: inline line, count strings, proto-max-bulk-len", async () => {
  await assertProtocolError("A".repeat(70 * 1024), "ERR Protocol error: too big inline request");
  await assertProtocolError(
    "*" + "1".repeat(70 * 1024),
    "ERR Protocol error: too big mbulk count string",
  );
  await using srv = startServer({ "proto-max-bulk-len": "1mb" });
  using c = await RespClient.connect(srv.port);
  await c.writeRaw(`*2\r\n$4\r\nECHO\r\n$${1024 * 1024 + 1}\r\n`);
  equal(await readUntilClosed(c), "-ERR Protocol error: invalid bulk length\r\n");
});

Deno.test("HELLO 3 switches to RESP3: maps, sets, nulls, verbatim; RESET goes back", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const id = await c.cmd("CLIENT", "ID");
  await c.writeRaw(
    "CLIENT GETNAME\r\nHELLO 3\r\nCLIENT GETNAME\r\nCONFIG GET maxclients\r\n" +
      "CLIENT NO-EVICT on\r\nRESET\r\nCLIENT GETNAME\r\nCONFIG GET maxclients\r\nQUIT\r\n",
  );
  const hello =
    `%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$${VERSION.length}\r\n${VERSION}\r\n` +
    `$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n` +
    "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  equal(
    await readUntilClosed(c),
    "$-1\r\n" + hello + "_\r\n%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n+OK\r\n" +
      "+RESET\r\n$-1\r\n*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n+OK\r\n",
  );
});

Deno.test("RESP3 sets and verbatim strings", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.call("HELLO", "3");
  const info = await c.call("COMMAND", "INFO", "get");
  ok(info.type === "array" && info.values[0]!.type === "array");
  deepEqual(info.values[0].values[2], {
    type: "set",
    values: [{ type: "simple", value: "readonly" }, { type: "simple", value: "fast" }],
  });
  // No subcommands is an empty set; a container's subcommands are an array.
  deepEqual(info.values[0].values[9], { type: "set", values: [] });
  const config = await c.call("COMMAND", "INFO", "config");
  ok(config.type === "array" && config.values[0]!.type === "array");
  equal(config.values[0]!.values[9]!.type, "array");
  const text = await c.call("INFO", "server");
  ok(text.type === "verbatim" && text.format === "txt" && text.value.startsWith("# Server\r\n"));
});

Deno.test("HELLO 2 answers a flat array; other versions are NOPROTO", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const reply = await c.cmd("HELLO", "2");
  ok(Array.isArray(reply));
  deepEqual(reply.filter((_, i) => i % 2 === 0), [
    "server",
    "version",
    "proto",
    "id",
    "mode",
    "role",
    "modules",
  ]);
  deepEqual(reply.slice(4, 6), ["proto", 2]);
  deepEqual(await c.cmd("HELLO", "4"), { error: "NOPROTO unsupported protocol version" });
  deepEqual(await c.cmd("HELLO", "x"), {
    error: "ERR Protocol version is not an integer or out of range",
  });
  deepEqual(await c.cmd("HELLO", "3", "BOGUS"), {
    error: "ERR Syntax error in HELLO option 'BOGUS'",
  });
});

Deno.test("detectProtocol: text is RESP, a small little-endian length is native", () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const detect = (b: Uint8Array) => detectProtocol(b, b.length);
  equal(detect(bytes("")), undefined);
  equal(detect(bytes("PI")), undefined);
  equal(detect(bytes("GET")), undefined);
  equal(detect(bytes("\n")), "resp");
  equal(detect(bytes("A\r\n")), "resp");
  equal(detect(bytes("*1\r\n")), "resp");
  equal(detect(bytes("PING")), "resp");
  equal(detect(encodeNativeRequest(["get", "k"])), "native");
  // The largest native frame, 32 MiB, still has 0x02 as its fourth byte.
  equal(detect(Uint8Array.of(0, 0, 0, 2)), "native");
  equal(detect(Uint8Array.of(0, 0, 0, 3)), "resp");
});

Deno.test("RESP3 push frames for pub/sub messages", async () => {
  await using srv = startServer();
  using subscriber = await RespClient.connect(srv.port);
  using publisher = await RespClient.connect(srv.port);
  await subscriber.cmd("HELLO", "3");
  await subscriber.writeRaw("SUBSCRIBE news\r\n");
  const push = (...values: (string | number)[]) => ({
    type: "push",
    values: values.map((v) =>
      typeof v === "number" ? { type: "int", value: BigInt(v) } : { type: "bulk", value: v }
    ),
  });
  deepEqual(await subscriber.read(), push("subscribe", "news", 1));
  equal(await publisher.cmd("PUBLISH", "news", "hello"), 1);
  deepEqual(await subscriber.read(), push("message", "news", "hello"));
  // In RESP3 a subscribed client may still run any command.
  equal(await subscriber.cmd("ECHO", "free"), "free");
});
