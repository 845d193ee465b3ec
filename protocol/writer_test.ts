import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { bytesToBinary } from "./bytes.ts";
import { NativeResponseDecoder } from "./native.ts";
import { NativeWriter, releaseSpare, type ReplyWriter, RespWriter, writerFor } from "./writer.ts";

function written(w: ReplyWriter): string {
  return bytesToBinary(w.buf, 0, w.pos);
}

/** The bytes `produce` writes in RESP2 and in RESP3. */
function resp(produce: (w: ReplyWriter) => void): [string, string] {
  const two = new RespWriter(2);
  const three = new RespWriter(3);
  produce(two);
  produce(three);
  return [written(two), written(three)];
}

Deno.test("RESP writer: scalars", () => {
  deepEqual(resp((w) => w.ok()), ["+OK\r\n", "+OK\r\n"]);
  deepEqual(resp((w) => w.simple("PONG")), ["+PONG\r\n", "+PONG\r\n"]);
  deepEqual(resp((w) => w.int(-7)), [":-7\r\n", ":-7\r\n"]);
  deepEqual(resp((w) => w.int(-9223372036854775808n)), [
    ":-9223372036854775808\r\n",
    ":-9223372036854775808\r\n",
  ]);
  deepEqual(resp((w) => w.bulk("")), ["$0\r\n\r\n", "$0\r\n\r\n"]);
  deepEqual(resp((w) => w.bulk("\x00\xff\r\n")), [
    "$4\r\n\x00\xff\r\n\r\n",
    "$4\r\n\x00\xff\r\n\r\n",
  ]);
});

Deno.test("RESP writer: nulls are $-1 / *-1 in RESP2 and _ in RESP3", () => {
  deepEqual(resp((w) => w.nil()), ["$-1\r\n", "_\r\n"]);
  deepEqual(resp((w) => w.nilArray()), ["*-1\r\n", "_\r\n"]);
});

Deno.test("RESP writer: errors never contain a newline", () => {
  deepEqual(resp((w) => w.error("ERR bad")), ["-ERR bad\r\n", "-ERR bad\r\n"]);
  deepEqual(resp((w) => w.error("ERR a\r\nb\nc")), ["-ERR a  b c\r\n", "-ERR a  b c\r\n"]);
});

Deno.test("RESP writer: aggregates", () => {
  deepEqual(resp((w) => w.array(0)), ["*0\r\n", "*0\r\n"]);
  deepEqual(resp((w) => w.map(2)), ["*4\r\n", "%2\r\n"]);
  deepEqual(resp((w) => w.set(3)), ["*3\r\n", "~3\r\n"]);
  deepEqual(resp((w) => w.push(3)), ["*3\r\n", ">3\r\n"]);
  deepEqual(resp((w) => w.bulkArray(["a", "bc"])), [
    "*2\r\n$1\r\na\r\n$2\r\nbc\r\n",
    "*2\r\n$1\r\na\r\n$2\r\nbc\r\n",
  ]);
  deepEqual(resp((w) => w.bulkOrNilArray(["a", undefined])), [
    "*2\r\n$1\r\na\r\n$-1\r\n",
    "*2\r\n$1\r\na\r\n_\r\n",
  ]);
});

Deno.test("RESP writer: doubles, booleans and verbatim strings", () => {
  deepEqual(resp((w) => w.double(1.5)), ["$3\r\n1.5\r\n", ",1.5\r\n"]);
  deepEqual(resp((w) => w.double(-Infinity)), ["$4\r\n-inf\r\n", ",-inf\r\n"]);
  deepEqual(resp((w) => w.double(1e300)), ["$6\r\n1e+300\r\n", ",1e+300\r\n"]);
  deepEqual(resp((w) => w.bool(true)), [":1\r\n", "#t\r\n"]);
  deepEqual(resp((w) => w.bool(false)), [":0\r\n", "#f\r\n"]);
  deepEqual(resp((w) => w.verbatim("a\r\nb")), ["$4\r\na\r\nb\r\n", "=8\r\ntxt:a\r\nb\r\n"]);
  deepEqual(resp((w) => w.verbatim("x", "mkd")), ["$1\r\nx\r\n", "=5\r\nmkd:x\r\n"]);
});

Deno.test("RESP writer: switching RESP3 on keeps earlier replies as written", () => {
  const w = new RespWriter(2);
  w.nil();
  w.resp = 3;
  w.nil();
  equal(written(w), "$-1\r\n_\r\n");
  equal(w.protocol, 3);
});

Deno.test("writer: grows past its initial buffer for a large reply", () => {
  const w = new RespWriter();
  const big = "z".repeat(100_000);
  w.bulk(big);
  w.int(1);
  equal(written(w), `$100000\r\n${big}\r\n:1\r\n`);
});

Deno.test("writer: a large written buffer is the next large batch's, any client's, until the cron lets it go", () => {
  const first = new RespWriter();
  first.bulk("z".repeat(200_000));
  const large = first.buf;
  first.sent();
  equal(first.length, 0);
  equal(first.buf.length, 0, "the client holds no buffer between batches");
  const small = new RespWriter();
  small.bulk("again");
  assert(small.buf !== large, "a small batch takes a pooled buffer, not the large one");
  equal(written(small), "$5\r\nagain\r\n");
  small.sent();
  const second = new RespWriter();
  second.bulk("y".repeat(150_000));
  equal(second.buf, large, "another client's large batch fills it, not a buffer grown anew");
  equal(written(second), `$150000\r\n${"y".repeat(150_000)}\r\n`);
  second.sent();
  releaseSpare();
  const third = new RespWriter();
  third.bulk("x".repeat(150_000));
  equal(third.buf, large, "kept over a cron tick in which a batch took it");
  third.sent();
  releaseSpare();
  releaseSpare();
  const fourth = new RespWriter();
  fourth.bulk("w".repeat(150_000));
  assert(fourth.buf !== large, "let go after a tick in which no batch took it");
  fourth.sent();
});

Deno.test("writer: a batch a pooled buffer can hold leaves the spare to a larger one", () => {
  const first = new RespWriter();
  first.bulk("z".repeat(200_000));
  const large = first.buf;
  first.sent();
  // Writers that hold every pooled buffer (at most 256), so the next one grows from a fresh 4 KB.
  const holders = Array.from({ length: 300 }, () => new RespWriter());
  for (const holder of holders) holder.ok();
  const small = new RespWriter();
  for (let i = 0; i < 20; i++) small.bulk("s".repeat(1000));
  assert(small.buf !== large, "grown within 64 KB without the spare");
  const second = new RespWriter();
  second.bulk("y".repeat(150_000));
  equal(second.buf, large, "the spare is still there for a batch past 64 KB");
  for (const writer of [...holders, small, second]) writer.sent();
});

Deno.test("writer: truncate undoes a half-written reply", () => {
  const w = new RespWriter();
  w.ok();
  const mark = w.pos;
  w.array(2);
  w.bulk("half");
  w.truncate(mark);
  w.error("ERR x");
  equal(written(w), "+OK\r\n-ERR x\r\n");
});

Deno.test("writer: take hands over the bytes and continues in a fresh buffer", () => {
  const w = new RespWriter();
  w.simple("one");
  const first = w.take();
  equal(bytesToBinary(first), "+one\r\n");
  equal(w.length, 0);
  w.simple("two");
  // The bytes handed out are not touched by later replies.
  equal(bytesToBinary(first), "+one\r\n");
  w.recycle(first);
  const second = w.take();
  equal(bytesToBinary(second), "+two\r\n");
  w.simple("three");
  equal(written(w), "+three\r\n");
});

Deno.test("native writer: replies framed with their length, as the RESP3 types map", () => {
  const w = writerFor("native");
  equal(w.protocol, "native");
  const produce = [
    () => w.ok(),
    () => w.nil(),
    () => w.int(5),
    () => w.double(2.5),
    () => w.bool(true),
    () => w.error("WRONGTYPE Operation against a key holding the wrong kind of value"),
    () => w.error("ERR unknown command 'x', with args beginning with: "),
    () => w.error("ERR syntax error"),
    () => {
      w.map(1);
      w.bulk("k");
      w.verbatim("v");
    },
  ];
  for (const p of produce) {
    w.beginReply();
    p();
    w.endReply();
  }
  const decoder = new NativeResponseDecoder();
  const values = [];
  let start = 0;
  while (start < w.pos) {
    values.push(decoder.decode(w.buf, start, w.pos));
    start += decoder.consumed;
  }
  deepEqual(values, [
    { type: "str", value: "OK" },
    { type: "nil" },
    { type: "int", value: 5n },
    { type: "dbl", value: 2.5 },
    { type: "int", value: 1n },
    {
      type: "err",
      code: 3,
      message: "WRONGTYPE Operation against a key holding the wrong kind of value",
    },
    { type: "err", code: 1, message: "ERR unknown command 'x', with args beginning with: " },
    { type: "err", code: 4, message: "ERR syntax error" },
    { type: "arr", values: [{ type: "str", value: "k" }, { type: "str", value: "v" }] },
  ]);
  equal(new NativeWriter().protocol, "native");
});

Deno.test("native writer: doubles read back exactly from a buffer past the kept view's size", () => {
  const doubles = [0, -0, 1.5, -2.25, Math.PI, 1e300, -5e-324, Infinity, -Infinity, 2 ** 53 + 2];
  for (const size of [100, 70_000, 300_000]) {
    const w = new NativeWriter();
    w.beginReply();
    w.array(1 + doubles.length * 3);
    w.bulk("x".repeat(size));
    for (const d of doubles) {
      w.double(d);
      w.bulkAndDouble("m", d);
    }
    w.endReply();
    const reply = new NativeResponseDecoder().decode(w.buf, 0, w.pos);
    const values = reply?.type === "arr" ? reply.values.slice(1) : [];
    deepEqual(
      values.filter((v) => v.type === "dbl").map((v) => v.type === "dbl" && v.value),
      doubles.flatMap((d) => [d, d]),
      `a reply of ${size} bytes`,
    );
  }
});

Deno.test("RespWriter: integers and counts of every size as their decimal digits", () => {
  for (
    const n of [0, 1, 9, 10, 99, 100, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 31)]
  ) {
    const w = new RespWriter(3);
    w.int(n);
    if (n >= 0) {
      w.array(n);
      w.map(n);
    }
    const expected = n >= 0 ? `:${n}\r\n*${n}\r\n%${n}\r\n` : `:${n}\r\n`;
    deepEqual(new TextDecoder().decode(w.take()), expected);
  }
});

Deno.test("NativeWriter: integers across the 32-bit halves as two's complement i64", () => {
  for (
    const n of [
      0,
      1,
      -1,
      2 ** 32,
      -(2 ** 32),
      2 ** 32 + 5,
      -(2 ** 32) - 5,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
    ]
  ) {
    const w = new NativeWriter();
    w.beginReply();
    w.int(n);
    w.endReply();
    const bytes = w.take();
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    equal(dv.getUint32(0, true), 9);
    equal(dv.getBigInt64(5, true), BigInt(n));
  }
});

Deno.test("writer: bulkId writes ms-seq as bulk strings for every digit count up to 2^53", () => {
  const numbers = [0, 9, 10, 99, 2 ** 31 - 1, 2 ** 31, 99999999, 100000000, 1733400000000];
  numbers.push(1733400000000 + 99999999, 10 ** 15, 10 ** 15 - 1, Number.MAX_SAFE_INTEGER);
  for (const ms of numbers) {
    for (const seq of [0, 7, 12345, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const text = `${ms}-${seq}`;
      deepEqual(resp((w) => w.bulkId(ms, seq)), resp((w) => w.bulk(text)));
      const native = new NativeWriter();
      const expected = new NativeWriter();
      native.bulkId(ms, seq);
      expected.bulk(text);
      equal(written(native), written(expected));
    }
  }
  // Large integers through int(): the same two-halves path.
  deepEqual(resp((w) => w.int(1733400000123)), [":1733400000123\r\n", ":1733400000123\r\n"]);
  deepEqual(resp((w) => w.int(2 ** 53 + 2)), [":9007199254740994\r\n", ":9007199254740994\r\n"]);
});

Deno.test("NativeWriter: bulkAndDouble writes bulk then double, for members of every short length", () => {
  // Lengths around the four-byte steps and the short-copy limit, bytes of every range.
  for (let length = 0; length <= 70; length++) {
    let member = "";
    for (let i = 0; i < length; i++) member += String.fromCharCode((i * 37 + length) & 0xff);
    const pair = new NativeWriter();
    const apart = new NativeWriter();
    // Twice: the first write into a buffer and a later one.
    for (let n = 0; n < 2; n++) {
      pair.bulkAndDouble(member, -1.5 * length);
      apart.bulk(member);
      apart.double(-1.5 * length);
    }
    equal(written(pair), written(apart));
  }
});

Deno.test("bulkSpanAndDouble writes what bulkAndDouble writes of the same chars, in each protocol", () => {
  // Lengths on both sides of the char copy's limit (64), from an offset into a binary string.
  for (const length of [0, 1, 5, 20, 64, 65, 300]) {
    let s = "";
    for (let i = 0; i < length + 7; i++) s += String.fromCharCode((i * 37 + length) & 0xff);
    for (const protocol of [2, 3, "native"] as const) {
      const fromSpan = writerFor(protocol);
      const fromString = writerFor(protocol);
      for (let n = 0; n < 2; n++) {
        fromSpan.bulkSpanAndDouble(s, 3, length, -2.25 * length);
        fromString.bulkAndDouble(s.substring(3, 3 + length), -2.25 * length);
      }
      equal(written(fromSpan), written(fromString), `${protocol} ${length}`);
    }
  }
});

Deno.test("bulkBytesAndDouble writes what bulkAndDouble writes of the same bytes, in each protocol", () => {
  // Lengths across the word copy's steps and limit, bytes of every range, at an offset in their buffer.
  for (const length of [0, 1, 3, 4, 5, 7, 8, 20, 63, 64, 65, 300]) {
    const bytes = new Uint8Array(length + 7);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + length) & 0xff;
    const member = bytesToBinary(bytes, 3, 3 + length);
    for (const protocol of [2, 3, "native"] as const) {
      const fromBytes = writerFor(protocol);
      const fromString = writerFor(protocol);
      for (let n = 0; n < 2; n++) {
        fromBytes.bulkBytesAndDouble(bytes, view, 3, length, -2.25 * length);
        fromString.bulkAndDouble(member, -2.25 * length);
      }
      equal(written(fromBytes), written(fromString), `${protocol} ${length}`);
    }
  }
});
