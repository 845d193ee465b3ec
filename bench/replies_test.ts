import { deepEqual, equal } from "node:assert/strict";
import { encodeRespRequest } from "../protocol/resp.ts";
import { ReplyCounter, skipNativeReply, skipRespReply, withoutArguments } from "./replies.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** A native reply frame: u32 length, then the value's bytes. */
function nativeFrame(value: number[]): Uint8Array {
  const frame = new Uint8Array(4 + value.length);
  new DataView(frame.buffer).setUint32(0, value.length, true);
  frame.set(value, 4);
  return frame;
}

function nativeError(message: string): Uint8Array {
  const text = bytes(message);
  const value = new Uint8Array(9 + text.length);
  const dv = new DataView(value.buffer);
  value[0] = 1;
  dv.setUint32(1, 4, true);
  dv.setUint32(5, text.length, true);
  value.set(text, 9);
  return nativeFrame([...value]);
}

Deno.test("skipRespReply finds the end of each RESP2 and RESP3 reply type", () => {
  const replies = [
    "+OK\r\n",
    "-ERR no\r\n",
    ":42\r\n",
    "$5\r\nhe\r\no\r\n",
    "$-1\r\n",
    "*-1\r\n",
    "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
    "%1\r\n+k\r\n,1.5\r\n",
    "|1\r\n+ttl\r\n:3\r\n+OK\r\n",
    "!9\r\nERR oops!\r\n",
    "_\r\n",
  ];
  for (const reply of replies) {
    const buf = bytes(reply + "+NEXT\r\n");
    equal(skipRespReply(buf, 0, buf.length), reply.length, JSON.stringify(reply));
  }
});

Deno.test("skipRespReply reports an incomplete reply at every cut point", () => {
  const reply = bytes("*3\r\n$3\r\nfoo\r\n:7\r\n*1\r\n+x\r\n");
  for (let cut = 0; cut < reply.length; cut++) {
    equal(skipRespReply(reply, 0, cut), -1, `cut at ${cut}`);
  }
  equal(skipRespReply(reply, 0, reply.length), reply.length);
});

Deno.test("skipNativeReply needs the whole frame", () => {
  const frame = nativeFrame([2, 3, 0, 0, 0, 97, 98, 99]);
  for (let cut = 0; cut < frame.length; cut++) equal(skipNativeReply(frame, 0, cut), -1);
  equal(skipNativeReply(frame, 0, frame.length), frame.length);
});

Deno.test("ReplyCounter counts replies and errors across split reads", () => {
  const stream = bytes(
    "+OK\r\n-ERR unknown command 'X', with args beginning with: 'k1' \r\n$2\r\nhi\r\n",
  );
  const counter = new ReplyCounter("resp");
  let start = 0;
  for (let end = 1; end <= stream.length; end++) start = counter.scan(stream, start, end);
  equal(start, stream.length);
  equal(counter.replies, 3);
  equal(counter.errors, 1);
  equal(counter.firstError, "ERR unknown command 'X'");
});

Deno.test("ReplyCounter reads native error frames and RESP3 blob errors", () => {
  const native = new ReplyCounter("native");
  const frames = [nativeFrame([0]), nativeError("WRONGTYPE Operation against a key")];
  const stream = new Uint8Array(frames[0]!.length + frames[1]!.length);
  stream.set(frames[0]!);
  stream.set(frames[1]!, frames[0]!.length);
  equal(native.scan(stream, 0, stream.length), stream.length);
  deepEqual([native.replies, native.errors, native.firstError], [
    2,
    1,
    "WRONGTYPE Operation against a key",
  ]);

  const resp3 = new ReplyCounter("resp");
  const blob = bytes("!9\r\nERR oops!\r\n");
  resp3.scan(blob, 0, blob.length);
  equal(resp3.firstError, "ERR oops!");
});

Deno.test("ReplyCounter counts the replies to pipelined requests encoded by our encoder", () => {
  // A server echoing requests back as arrays of bulks is a fair stand-in for nested replies.
  const request = encodeRespRequest(["ZRANGE", "key", "0", "9"]);
  const stream = new Uint8Array(request.length * 3);
  for (let i = 0; i < 3; i++) stream.set(request, i * request.length);
  const counter = new ReplyCounter("resp");
  equal(counter.scan(stream, 0, stream.length - 1), request.length * 2);
  equal(counter.replies, 2);
});

Deno.test("withoutArguments drops the quoted arguments of unknown-command errors", () => {
  equal(
    withoutArguments("ERR unknown command 'HSET', with args beginning with: 'myhash' 'f' "),
    "ERR unknown command 'HSET'",
  );
  equal(withoutArguments("WRONGTYPE Operation"), "WRONGTYPE Operation");
});
