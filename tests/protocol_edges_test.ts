/**
 * The edges of both wire protocols: an empty native request is answered, and
 * every request read before malformed bytes gets its reply before the close.
 */
import { deepEqual, ok } from "node:assert/strict";
import { encodeNativeRequest, MAX_MSG_LEN } from "../protocol/native.ts";
import { NativeClient, plain, RespClient, startServer } from "./helpers.ts";

const EMPTY_NAME = {
  type: "err",
  code: 1,
  message: "ERR unknown command '', with args beginning with: ",
};

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** A native frame header: message length, then the string count. */
function header(msgLen: number, nstr: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, msgLen, true);
  dv.setUint32(4, nstr, true);
  return b;
}

Deno.test("native: a request with no strings gets the unknown-command error", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  await c.writeRaw(concat([header(4, 0), encodeNativeRequest(["ping"])]));
  deepEqual(await c.read(), EMPTY_NAME);
  deepEqual(await c.read(), { type: "str", value: "PONG" });
  // Between two pipelined requests it is answered in order.
  await c.writeRaw(
    concat([
      encodeNativeRequest(["set", "k", "v"]),
      header(4, 0),
      encodeNativeRequest(["get", "k"]),
    ]),
  );
  deepEqual(await c.read(), { type: "nil" });
  deepEqual(await c.read(), EMPTY_NAME);
  deepEqual(await c.read(), { type: "str", value: "v" });
});

Deno.test("native: requests before a bad header get their replies, then the close", async () => {
  await using srv = startServer();
  const bad = [
    header(MAX_MSG_LEN + 1, 1), // too long
    header(2, 0).subarray(0, 4), // too short for nstr
    concat([header(10, 1), new Uint8Array([1, 0, 0, 0, 65, 66])]), // trailing bytes
  ];
  for (const garbage of bad) {
    using c = await NativeClient.connect(srv.port);
    await c.writeRaw(
      concat([encodeNativeRequest(["set", "k", "v"]), encodeNativeRequest(["get", "k"]), garbage]),
    );
    deepEqual(await c.read(), { type: "nil" });
    deepEqual(await c.read(), { type: "str", value: "v" });
    ok(await c.reader.closedWithin(2000), "closed after the replies");
  }
  using bystander = await NativeClient.connect(srv.port);
  deepEqual(await bystander.call("get", "k"), { type: "str", value: "v" });
});

Deno.test("native: replies bigger than one batch all go out before the close", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  const value = "x".repeat(100_000);
  deepEqual(await c.call("set", "big", value), { type: "nil" });
  const gets = Array.from({ length: 5 }, () => encodeNativeRequest(["get", "big"]));
  await c.writeRaw(concat([...gets, header(MAX_MSG_LEN + 1, 1)]));
  for (let i = 0; i < gets.length; i++) deepEqual(await c.read(), { type: "str", value });
  ok(await c.reader.closedWithin(2000), "closed after the replies");
});

Deno.test("RESP: requests before a protocol error get their replies, then the error", async () => {
  await using srv = startServer();
  const value = "y".repeat(100_000);
  using c = await RespClient.connect(srv.port);
  await c.writeRaw(
    `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n${value}\r\n` +
      "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(6) + "PING\r\n*1\r\n$-5\r\n",
  );
  deepEqual(plain(await c.read()), "OK");
  for (let i = 0; i < 6; i++) deepEqual(plain(await c.read()), value);
  deepEqual(plain(await c.read()), "PONG");
  deepEqual(plain(await c.read()), { error: "ERR Protocol error: invalid bulk length" });
  ok(await c.reader.closedWithin(2000), "closed after the error");
});

Deno.test("native: a string longer than proto-max-bulk-len is refused as RESP's bulk is", async () => {
  await using srv = startServer({ "proto-max-bulk-len": "1mb" });
  const limit = 1024 * 1024;
  using c = await NativeClient.connect(srv.port);
  deepEqual(await c.call("set", "k", "x".repeat(limit)), { type: "nil" });
  await c.writeRaw(
    concat([
      encodeNativeRequest(["strlen", "k"]),
      encodeNativeRequest(["set", "k", "x".repeat(limit + 1)]),
    ]),
  );
  deepEqual(await c.read(), { type: "int", value: BigInt(limit) });
  ok(await c.reader.closedWithin(2000), "closed after the reply");
  using bystander = await NativeClient.connect(srv.port);
  deepEqual(await bystander.call("strlen", "k"), { type: "int", value: BigInt(limit) });
});
