import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { bytesToBinary } from "./bytes.ts";
import { errorBytes } from "./error_bytes.ts";
import { NativeResponseDecoder } from "./native.ts";
import { NativeWriter, RespWriter } from "./writer.ts";

const text = (bytes: Uint8Array | undefined) => bytes && bytesToBinary(bytes, 0, bytes.length);

Deno.test("error bytes: one byte a char, kept for the same message", () => {
  const message = "ERR value is not an integer or out of range \xff\x80";
  const bytes = errorBytes(message);
  equal(text(bytes), message);
  assert(errorBytes(message) === bytes);
});

Deno.test("error bytes: none for line breaks or long messages", () => {
  equal(errorBytes("ERR a\r\nb"), undefined);
  equal(errorBytes("ERR a\nb"), undefined);
  equal(errorBytes("ERR " + "x".repeat(300)), undefined);
});

Deno.test("error bytes: varied messages start the table again, each still right", () => {
  const first = errorBytes("ERR the first");
  for (let i = 0; i < 1000; i++) {
    equal(text(errorBytes(`ERR unknown command 'c${i}'`)), `ERR unknown command 'c${i}'`);
  }
  const again = errorBytes("ERR the first");
  assert(again !== first, "the table was started again");
  equal(text(again), "ERR the first");
});

Deno.test("error replies: kept bytes and written ones alike, in RESP and native", () => {
  const messages = ["ERR kept", "ERR a\r\nb", "ERR " + "y".repeat(250)];
  for (const message of messages) {
    const resp = new RespWriter(2);
    resp.error(message);
    resp.error(message);
    const line = `-${message.replace(/[\r\n]/g, " ")}\r\n`;
    equal(bytesToBinary(resp.buf, 0, resp.pos), line + line);

    const native = new NativeWriter();
    for (let i = 0; i < 2; i++) {
      native.beginReply();
      native.error(message);
      native.endReply();
    }
    const decoder = new NativeResponseDecoder();
    const first = decoder.decode(native.buf, 0, native.pos);
    const second = decoder.decode(native.buf, decoder.consumed, native.pos);
    deepEqual([first, second].map((e) => e?.type === "err" && e.message), [message, message]);
  }
});
