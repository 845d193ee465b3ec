import { deepEqual, equal, throws } from "node:assert/strict";
import {
  encodeNativeRequest,
  MAX_ARGS,
  MAX_MSG_LEN,
  NativeRequestDecoder,
  NativeResponseDecoder,
  type NativeValue,
} from "./native.ts";
import { ProtocolError } from "./errors.ts";
import { decodeHolding, decodeTaking } from "./deferred_testing.ts";
import { NativeWriter } from "./writer.ts";
import { DEFERRED_ARG, forgetNotedBytes, takesBytes, takesKeyBytes } from "./bytes.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Feeds `bytes` to a decoder in the given chunks, as a connection would. */
function decodeInChunks(bytes: Uint8Array, cuts: number[]): string[][] {
  const decoder = new NativeRequestDecoder();
  const buf = new Uint8Array(bytes.length);
  let end = 0;
  let start = 0;
  const out: string[][] = [];
  for (const cut of [...cuts, bytes.length]) {
    buf.set(bytes.subarray(end, cut), end);
    end = cut;
    for (;;) {
      const argv = decoder.decode(buf, start, end);
      // Callers always advance by `consumed`, complete frame or not.
      start += decoder.consumed;
      if (argv === undefined) break;
      out.push(argv);
    }
  }
  return out;
}

const requests = [
  ["set", "key", "value"],
  ["get", "key"],
  ["set", "bin\x00\xff", "\r\n\x80"],
  ["keys"],
  ["zadd", "z", "1.5", "member"],
  ["zquery", "z", "1.5", "", "0", "10"],
  ["del", "a", "b", "c", "d"],
];

Deno.test("native requests decode identically at every split point", () => {
  const bytes = concat(requests.map(encodeNativeRequest));
  for (let cut = 0; cut <= bytes.length; cut++) {
    deepEqual(decodeInChunks(bytes, [cut]), requests, `split at ${cut}`);
  }
});

Deno.test("native requests decode when fed one byte at a time", () => {
  const bytes = concat(requests.map(encodeNativeRequest));
  const cuts = Array.from({ length: bytes.length }, (_, i) => i);
  deepEqual(decodeInChunks(bytes, cuts), requests);
});

Deno.test("native request: every byte value round-trips", () => {
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  deepEqual(decodeInChunks(encodeNativeRequest(["set", all, all]), []), [["set", all, all]]);
});

Deno.test("native request: every short argument (0-2 bytes, tables and made) is its bytes", () => {
  const shorts = ["", ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))];
  for (const a of [0, 1, 45, 48, 57, 127, 128, 200, 255]) {
    for (let b = 0; b < 256; b++) shorts.push(String.fromCharCode(a, b), String.fromCharCode(b, a));
  }
  for (
    const decoder of [
      new NativeRequestDecoder(),
      Object.assign(new NativeRequestDecoder(), { notesBytes: true }),
    ]
  ) {
    for (let i = 0; i < shorts.length; i += 4) {
      // Keys of 1 and 2 bytes too, with 2 to 6 strings a request.
      const argv = ["zquery", ...shorts.slice(i, i + 1 + (i % 5))];
      const frame = encodeNativeRequest(argv);
      deepEqual(decoder.decode(frame, 0, frame.length), argv);
      forgetNotedBytes();
    }
  }
});

Deno.test("native request: an argument its handler takes as bytes stays in the buffer", () => {
  takesBytes("ntakes", 2, 3);
  const long = (n: number) =>
    Array.from({ length: n }, (_, i) => String.fromCharCode(i & 0xff)).join("");
  const requests = [
    ["ntakes", "k", long(200)],
    ["NTakes", "k", long(63)],
    ["ntakes", "k", long(64), "more"],
    ["get", long(100)],
    ["ntakes", long(70), long(5000)],
    ["ntakes", long(5000), "v"],
  ];
  const deferred = [true, false, false, false, true, false];
  const bytes = concat(requests.map(encodeNativeRequest));
  for (const cuts of [[], Array.from({ length: bytes.length }, (_, i) => i)]) {
    const decoder = new NativeRequestDecoder();
    decoder.notesBytes = true;
    const got: string[][] = [];
    let start = 0;
    let end = 0;
    for (const cut of [...cuts, bytes.length]) {
      // As the connection: settled before the buffer changes.
      forgetNotedBytes();
      end = cut;
      const buf = bytes.slice(0, end);
      start = decodeTaking(decoder, buf, start, end, deferred, got);
    }
    deepEqual(got, requests);
  }
  // Not taken (queued, refused): its string before the buffer changes.
  const decoder = new NativeRequestDecoder();
  decoder.notesBytes = true;
  const wire = encodeNativeRequest(["ntakes", "k", long(100)]);
  const argv = decoder.decode(wire, 0, wire.length)!;
  equal(argv[2], DEFERRED_ARG);
  equal(decoder.consumed, wire.length);
  forgetNotedBytes();
  wire.fill(0);
  equal(argv[2], long(100));
  // A malformed long frame is still a protocol error, and defers nothing.
  const bad = encodeNativeRequest(["ntakes", "k", long(100)]);
  bad[0]! -= 1;
  throws(() => decoder.decode(bad, 0, bad.length - 1), /string overruns message/);
});

Deno.test("native request: a key its handler takes as bytes stays in the buffer, made when not taken", () => {
  takesKeyBytes("nkey", 2);
  takesKeyBytes("nkeyval", 3);
  takesBytes("nkeyval", 2, 3);
  const long = "v".repeat(100);
  const requests = [
    ["nkey", "kkkk"],
    ["NKey", "counter:000000000000"],
    ["nkey", "kkkk", "more"],
    ["nkey", "x".repeat(33)],
    ["nkey", "k"],
    ["nkeyval", "k2k2", long],
    ["nkey", ""],
    ["nkeyval", "x".repeat(32), "short"],
  ];
  // Keys of 1-3 bytes are made (cheaper), as are those of a form not registered.
  const held = [true, true, false, false, false, true, false, true];
  const wire = concat(requests.map(encodeNativeRequest));
  const decoder = new NativeRequestDecoder();
  decoder.notesBytes = true;
  const argvs = decodeHolding(decoder, wire, requests, held);
  equal(argvs[5]![2], DEFERRED_ARG);
  // Not taken (queued, refused): its string before the buffer changes, the value's too.
  forgetNotedBytes();
  wire.fill(0);
  deepEqual(argvs, requests);
  // Without notesBytes (an owner that does not settle), every key is a string.
  const plain = new NativeRequestDecoder();
  const one = encodeNativeRequest(["nkey", "kkkk"]);
  deepEqual(plain.decode(one, 0, one.length), ["nkey", "kkkk"]);
});

function header(msgLen: number, nstr: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, msgLen, true);
  dv.setUint32(4, nstr, true);
  return b;
}

Deno.test("native request: no strings decodes as an empty command name", () => {
  const d = new NativeRequestDecoder();
  deepEqual(d.decode(header(4, 0), 0, 8), [""]);
  equal(d.consumed, 8);
});

Deno.test("native request limits are protocol errors", () => {
  const d = new NativeRequestDecoder();
  // msglen over 32 MiB is rejected from the header alone.
  throws(() => d.decode(header(MAX_MSG_LEN + 1, 1), 0, 8), ProtocolError);
  // Exactly 32 MiB is allowed: it is merely incomplete here.
  equal(d.decode(header(MAX_MSG_LEN, 1), 0, 8), undefined);
  // nstr over 200,000.
  throws(() => d.decode(header(4, MAX_ARGS + 1), 0, 8), ProtocolError);
  // More strings than the message has room for (4 bytes each at least).
  const crowded = concat([header(12, 3), new Uint8Array(8)]);
  throws(() => d.decode(crowded, 0, crowded.length), /string header overruns message/);
  // A string whose length overruns msglen.
  const overrun = concat([header(12, 1), new Uint8Array([100, 0, 0, 0]), new Uint8Array(4)]);
  throws(() => d.decode(overrun, 0, overrun.length), ProtocolError);
  // Strings that do not fill msglen exactly.
  const short = concat([header(10, 1), new Uint8Array([1, 0, 0, 0, 65, 66])]);
  throws(() => d.decode(short, 0, short.length), ProtocolError);
});

/** Encodes replies with the server's writer and decodes them with the client's decoder. */
function roundTrip(write: (w: NativeWriter) => void): NativeValue {
  const w = new NativeWriter();
  w.beginReply();
  write(w);
  w.endReply();
  const d = new NativeResponseDecoder();
  const bytes = w.buf.subarray(0, w.pos);
  const v = d.decode(bytes, 0, bytes.length)!;
  equal(d.consumed, bytes.length);
  // Incomplete frames are incomplete at every shorter length.
  for (let i = 0; i < bytes.length; i++) equal(d.decode(bytes, 0, i), undefined);
  return v;
}

Deno.test("native doubles are little-endian IEEE 754, as the book's server writes them", () => {
  const w = new NativeWriter();
  w.beginReply();
  w.double(1.5);
  w.double(-0.1);
  w.endReply();
  // After the 4-byte frame length: tag 4 and the eight bytes of each double.
  deepEqual([...w.buf.subarray(4, 13)], [4, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
  deepEqual([...w.buf.subarray(13, 22)], [4, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0xbf]);
});

Deno.test("native responses round-trip every type", () => {
  deepEqual(roundTrip((w) => w.nil()), { type: "nil" });
  deepEqual(roundTrip((w) => w.bulk("bar\x00")), { type: "str", value: "bar\x00" });
  deepEqual(roundTrip((w) => w.simple("OK")), { type: "str", value: "OK" });
  deepEqual(roundTrip((w) => w.int(-42)), { type: "int", value: -42n });
  deepEqual(roundTrip((w) => w.int(2n ** 63n - 1n)), { type: "int", value: 2n ** 63n - 1n });
  deepEqual(roundTrip((w) => w.double(1.5)), { type: "dbl", value: 1.5 });
  deepEqual(roundTrip((w) => w.double(-Infinity)), { type: "dbl", value: -Infinity });
  deepEqual(roundTrip((w) => w.bool(true)), { type: "int", value: 1n });
  deepEqual(
    roundTrip((w) => w.error("WRONGTYPE Operation against a key holding the wrong kind of value")),
    {
      type: "err",
      code: 3,
      message: "WRONGTYPE Operation against a key holding the wrong kind of value",
    },
  );
  deepEqual(roundTrip((w) => w.error("ERR unknown command 'x', with args beginning with: ")), {
    type: "err",
    code: 1,
    message: "ERR unknown command 'x', with args beginning with: ",
  });
  deepEqual(roundTrip((w) => w.error("ERR syntax error")), {
    type: "err",
    code: 4,
    message: "ERR syntax error",
  });
  deepEqual(
    roundTrip((w) => {
      w.map(1);
      w.bulk("k");
      w.array(2);
      w.int(1);
      w.nil();
    }),
    {
      type: "arr",
      values: [{ type: "str", value: "k" }, {
        type: "arr",
        values: [{ type: "int", value: 1n }, { type: "nil" }],
      }],
    },
  );
});

Deno.test("a native reply over 32 MiB becomes ERR code 2", () => {
  const w = new NativeWriter();
  w.beginReply();
  w.bulk("x".repeat(MAX_MSG_LEN));
  w.endReply();
  const d = new NativeResponseDecoder();
  const v = d.decode(w.buf, 0, w.pos);
  deepEqual(v, { type: "err", code: 2, message: "ERR response is too big" });
});

Deno.test("native decoder: each buffer is read through its own view, a large one's until releaseView", () => {
  const decoder = new NativeRequestDecoder();
  const a = encodeNativeRequest(["get", "a"]);
  const b = encodeNativeRequest(["get", "bb"]);
  const large = new Uint8Array(128 * 1024);
  const first = encodeNativeRequest(["set", "k", "v"]);
  large.set(first, 100);
  large.set(encodeNativeRequest(["incr", "n"]), 100 + first.length);
  deepEqual(decoder.decode(a, 0, a.length), ["get", "a"]);
  deepEqual(decoder.decode(b, 0, b.length), ["get", "bb"]);
  deepEqual(decoder.decode(large, 100, large.length), ["set", "k", "v"]);
  deepEqual(decoder.decode(large, 100 + first.length, large.length), ["incr", "n"]);
  decoder.releaseView();
  deepEqual(decoder.decode(a, 0, a.length), ["get", "a"]);
  decoder.releaseView();
  // The same buffer rewritten in place (a connection's query buffer) reads its new bytes.
  a.set(encodeNativeRequest(["del", "z"]));
  deepEqual(decoder.decode(a, 0, a.length), ["del", "z"]);
});

Deno.test("native writer: integers either side of 32 bits keep their two's complement", () => {
  const values = [
    0,
    -0,
    1,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53 - 1,
    -(2 ** 53) + 1,
  ];
  for (const n of values) {
    const w = new NativeWriter();
    w.beginReply();
    w.int(n);
    w.endReply();
    const got = new NativeResponseDecoder().decode(w.buf, 0, w.pos);
    deepEqual(got, { type: "int", value: BigInt(n) }, String(n));
  }
});
