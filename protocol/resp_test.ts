import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  binaryToBytes,
  bytesToBinary,
  DEFERRED_ARG,
  forgetNotedBytes,
  takesBytes,
  takesKeyBytes,
} from "./bytes.ts";
import { ProtocolError } from "./errors.ts";
import { decodeHolding, decodeTaking } from "./deferred_testing.ts";
import {
  encodeRespRequest,
  INLINE_MAX,
  MULTIBULK_MAX,
  RespReplyDecoder,
  RespRequestDecoder,
  type RespValue,
} from "./resp.ts";

/**
 * Feeds `chunks` the way the connection does: bytes accumulate in one buffer,
 * each decode call starts where the consumed bytes end, and decoding stops at
 * the first incomplete request until the next chunk arrives.
 */
function decodeChunks(chunks: Uint8Array[], decoder = new RespRequestDecoder()): string[][] {
  const requests: string[][] = [];
  equal(feedChunks(chunks, decoder, requests), 0, "every byte consumed");
  return requests;
}

/** decodeChunks' loop: the requests go to `requests`; returns the bytes left undecoded. */
function feedChunks(
  chunks: Uint8Array[],
  decoder: RespRequestDecoder,
  requests: string[][],
): number {
  let buf = new Uint8Array(0);
  let start = 0;
  for (const chunk of chunks) {
    const grown = new Uint8Array(buf.length - start + chunk.length);
    grown.set(buf.subarray(start));
    grown.set(chunk, buf.length - start);
    buf = grown;
    start = 0;
    while (start < buf.length) {
      const argv = decoder.decode(buf, start, buf.length);
      start += decoder.consumed;
      if (argv === undefined) break;
      if (argv.length > 0) requests.push(argv);
    }
  }
  return buf.length - start;
}

function decodeAll(wire: string, decoder?: RespRequestDecoder): string[][] {
  return decodeChunks([binaryToBytes(wire)], decoder);
}

/** Decodes `wire` split in two at every position, and one byte at a time. */
function assertEverySplit(wire: string, expected: string[][]): void {
  const bytes = binaryToBytes(wire);
  for (let at = 0; at <= bytes.length; at++) {
    deepEqual(decodeChunks([bytes.subarray(0, at), bytes.subarray(at)]), expected, `split ${at}`);
  }
  const single = [...bytes].map((b) => Uint8Array.of(b));
  deepEqual(decodeChunks(single), expected, "byte by byte");
}

function protocolError(wire: string, decoder?: RespRequestDecoder): string | undefined {
  try {
    decodeAll(wire, decoder);
  } catch (err) {
    if (err instanceof ProtocolError) return err.reply;
    throw err;
  }
  return undefined;
}

Deno.test("request: multibulk, pipelined, at every split point", () => {
  const wire = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n" +
    "*1\r\n$4\r\nPING\r\n" +
    "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n";
  assertEverySplit(wire, [["SET", "key", "value"], ["PING"], ["ECHO", ""]]);
});

Deno.test("request: inline commands with quoting, at every split point", () => {
  const wire = "SET k \"a b\"\r\nPING\n  \r\nECHO 'x'\r\n";
  assertEverySplit(wire, [["SET", "k", "a b"], ["PING"], ["ECHO", "x"]]);
});

Deno.test("request: inline and multibulk mixed in one stream", () => {
  assertEverySplit("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nDBSIZE\n", [
    ["PING"],
    ["ECHO", "hi"],
    ["DBSIZE"],
  ]);
});

Deno.test("request: empty multibulks and blank lines are skipped", () => {
  deepEqual(decodeAll("*0\r\n*-1\r\n\r\n\n*1\r\n$4\r\nPING\r\n"), [["PING"]]);
});

Deno.test("request: bulk strings are binary safe", () => {
  let all = "";
  for (let b = 0; b < 256; b++) all += String.fromCharCode(b);
  const wire = String.fromCharCode(...encodeRespRequest(["ECHO", all, "\r\n"]));
  assertEverySplit(wire, [["ECHO", all, "\r\n"]]);
});

Deno.test("request: a bulk's CRLF is not checked, as in Redis", () => {
  deepEqual(decodeAll("*1\r\n$4\r\nPINGxx"), [["PING"]]);
});

Deno.test("request: a large bulk says how many bytes it needs", () => {
  const decoder = new RespRequestDecoder();
  const head = binaryToBytes("*2\r\n$3\r\nSET\r\n$100000\r\n");
  const buf = new Uint8Array(head.length + 10);
  buf.set(head);
  equal(decoder.decode(buf, 0, buf.length), undefined);
  // SET was kept; the bulk header is re-read from where consumption stopped.
  equal(decoder.consumed, 13);
  equal(decoder.needed, "$100000\r\n".length + 100000 + 2);
});

Deno.test("request: malformed lengths get Redis's protocol errors", () => {
  const invalidMultibulk = "ERR Protocol error: invalid multibulk length";
  const invalidBulk = "ERR Protocol error: invalid bulk length";
  equal(protocolError("*abc\r\n"), invalidMultibulk);
  equal(protocolError("*\r\n"), invalidMultibulk);
  equal(protocolError("*01\r\n"), invalidMultibulk);
  equal(protocolError("*-0\r\n"), invalidMultibulk);
  equal(protocolError("*+1\r\n"), invalidMultibulk);
  equal(protocolError(`*${MULTIBULK_MAX + 1}\r\n`), invalidMultibulk);
  equal(protocolError("*1\r\n$-1\r\n"), invalidBulk);
  equal(protocolError("*1\r\n$04\r\nPING\r\n"), invalidBulk);
  equal(protocolError("*1\r\n$x\r\n"), invalidBulk);
  equal(protocolError("*1\r\nx4\r\nPING\r\n"), "ERR Protocol error: expected '$', got 'x'");
  // Digits then something else: the one-pass read gives way to the strict one.
  equal(protocolError("*2x\r\n"), invalidMultibulk);
  equal(protocolError("*1\r\n$3x\r\nabc\r\n"), invalidBulk);
  equal(protocolError("*1\r\n$1234567890\r\n"), invalidBulk);
  equal(protocolError('PING "a"b\r\n'), "ERR Protocol error: unbalanced quotes in request");
});

Deno.test("request: nine-digit lengths are read whole, as are ten-digit ones", () => {
  for (
    const [digits, maxBulkLen] of [["123456789", 512 * 1024 * 1024], ["1234567890", 4e9]] as const
  ) {
    const decoder = new RespRequestDecoder();
    decoder.maxBulkLen = maxBulkLen;
    const wire = binaryToBytes(`*1\r\n$${digits}\r\n`);
    equal(decoder.decode(wire, 0, wire.length), undefined);
    equal(decoder.needed, `$${digits}\r\n`.length + Number(digits) + 2);
  }
});

Deno.test("request: the multibulk element limit itself is accepted", () => {
  const decoder = new RespRequestDecoder();
  const wire = binaryToBytes(`*${MULTIBULK_MAX}\r\n`);
  equal(decoder.decode(wire, 0, wire.length), undefined);
  equal(decoder.consumed, wire.length);
});

Deno.test("request: proto-max-bulk-len bounds a bulk", () => {
  const decoder = new RespRequestDecoder();
  decoder.maxBulkLen = 10;
  deepEqual(decodeAll("*1\r\n$10\r\n0123456789\r\n", decoder), [["0123456789"]]);
  equal(
    protocolError("*1\r\n$11\r\n", decoder),
    "ERR Protocol error: invalid bulk length",
  );
});

Deno.test("request: lines longer than 64 KiB without a newline", () => {
  const long = "x".repeat(INLINE_MAX + 1);
  equal(protocolError(long), "ERR Protocol error: too big inline request");
  equal(
    protocolError("*" + "1".repeat(INLINE_MAX)),
    "ERR Protocol error: too big mbulk count string",
  );
  equal(
    protocolError("*1\r\n$" + "1".repeat(INLINE_MAX)),
    "ERR Protocol error: too big bulk count string",
  );
  // At the limit the line may still complete.
  const atLimit = "ECHO " + "y".repeat(INLINE_MAX - 5);
  deepEqual(decodeChunks([binaryToBytes(atLimit), binaryToBytes("\r\n")]), [[
    "ECHO",
    "y".repeat(INLINE_MAX - 5),
  ]]);
});

Deno.test("encodeRespRequest writes a multibulk", () => {
  deepEqual(
    String.fromCharCode(...encodeRespRequest(["SET", "k", "\xff\x00"])),
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\xff\x00\r\n",
  );
});

// ---- replies (the client side) -------------------------------------------

/** Decodes every reply in `wire`, split in two at every position. */
function assertReplies(wire: string, expected: RespValue[]): void {
  const bytes = binaryToBytes(wire);
  for (let at = 0; at <= bytes.length; at++) {
    const decoder = new RespReplyDecoder();
    const got: RespValue[] = [];
    let start = 0;
    let end = at;
    for (;;) {
      const value = decoder.decode(bytes, start, end);
      if (value === undefined) {
        if (end === bytes.length) break;
        end = bytes.length;
        continue;
      }
      got.push(value);
      start += decoder.consumed;
    }
    equal(start, bytes.length, `split ${at}: every byte consumed`);
    deepEqual(got, expected, `split ${at}`);
  }
}

Deno.test("request: every short argument (0-2 bytes, tables and made) is its bytes", () => {
  const shorts = ["", ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))];
  for (const a of [0, 1, 45, 48, 57, 127, 128, 200, 255]) {
    for (let b = 0; b < 256; b++) shorts.push(String.fromCharCode(a, b), String.fromCharCode(b, a));
  }
  const requests: string[][] = [];
  for (let i = 0; i < shorts.length; i += 4) requests.push(["set", ...shorts.slice(i, i + 4)]);
  deepEqual(decodeChunks(requests.map(encodeRespRequest)), requests);
});

Deno.test("reply: RESP2 types", () => {
  assertReplies("+OK\r\n-ERR no\r\n:-42\r\n$3\r\na\r\n\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n$0\r\n\r\n", [
    { type: "simple", value: "OK" },
    { type: "error", value: "ERR no" },
    { type: "int", value: -42n },
    { type: "bulk", value: "a\r\n" },
    { type: "null" },
    { type: "nullArray" },
    { type: "array", values: [{ type: "int", value: 1n }, { type: "bulk", value: "" }] },
  ]);
});

Deno.test("reply: RESP3 types", () => {
  assertReplies(
    "_\r\n#t\r\n#f\r\n,1.5\r\n,inf\r\n,-inf\r\n(12345678901234567890\r\n" +
      "=7\r\ntxt:abc\r\n!5\r\nERR x\r\n%1\r\n+k\r\n:1\r\n~1\r\n+m\r\n>2\r\n+a\r\n+b\r\n" +
      "|1\r\n+ttl\r\n:3\r\n+after-attribute\r\n",
    [
      { type: "null" },
      { type: "bool", value: true },
      { type: "bool", value: false },
      { type: "double", value: 1.5, raw: "1.5" },
      { type: "double", value: Infinity, raw: "inf" },
      { type: "double", value: -Infinity, raw: "-inf" },
      { type: "bignum", value: "12345678901234567890" },
      { type: "verbatim", format: "txt", value: "abc" },
      { type: "error", value: "ERR x" },
      { type: "map", entries: [[{ type: "simple", value: "k" }, { type: "int", value: 1n }]] },
      { type: "set", values: [{ type: "simple", value: "m" }] },
      { type: "push", values: [{ type: "simple", value: "a" }, { type: "simple", value: "b" }] },
      { type: "simple", value: "after-attribute" },
    ],
  );
});

Deno.test("reply: NaN doubles and an unknown type byte", () => {
  const decoder = new RespReplyDecoder();
  const nan = decoder.decode(binaryToBytes(",nan\r\n"), 0, 6);
  ok(nan?.type === "double" && Number.isNaN(nan.value));
  throws(() => decoder.decode(binaryToBytes("?x\r\n"), 0, 4), ProtocolError);
});

Deno.test("request: the arguments of a partly received request are counted until it completes", () => {
  const decoder = new RespRequestDecoder();
  const head = new TextEncoder().encode("*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nwor");
  equal(decoder.decode(head, 0, head.length), undefined);
  equal(decoder.pendingBytes, 3 + 16 + 5 + 16);
  const rest = new TextEncoder().encode("$5\r\nworld\r\n");
  deepEqual(decoder.decode(rest, 0, rest.length), ["SET", "hello", "world"]);
  equal(decoder.pendingBytes, 0);
});

/** The requests a stream decodes to, then the protocol error that ended it, if any. */
function decodeOutcome(
  chunks: Uint8Array[],
  unauthenticated: boolean,
): [string[][], string | undefined] {
  const requests: string[][] = [];
  const decoder = new RespRequestDecoder();
  decoder.auth = { authRequired: unauthenticated };
  try {
    feedChunks(chunks, decoder, requests);
  } catch (err) {
    if (err instanceof ProtocolError) return [requests, err.reply];
    throw err;
  }
  return [requests, undefined];
}

/** A request with lengths around the decoder's limits, now and then with a header gone wrong. */
function randomRequest(random: () => number): string {
  const count = random() < 0.1 ? Math.floor(random() * 80) : 1 + Math.floor(random() * 5);
  const header = random() < 0.05
    ? ["*0", "*-1", "*01", "*x", "*1234567890"][Math.floor(random() * 5)]
    : `*${count}`;
  let wire = `${header}\r\n`;
  for (let i = 0; i < count; i++) {
    const roll = random();
    // Short, two-digit around DEFER_MIN, three-digit, or around the unauthenticated bulk limit.
    const size = roll < 0.05
      ? 16380 + Math.floor(random() * 10)
      : roll < 0.2
      ? 40 + Math.floor(random() * 80)
      : Math.floor(random() * 40);
    const value = String.fromCharCode(
      ...Array.from({ length: Math.min(size, 50) }, () => Math.floor(random() * 256)),
    )
      .padEnd(size, "v");
    const len = random() < 0.03
      ? ["$-1", "$00", "$x", `:${size}`, `$0${size}`, `$${size}x`, `$${size}\n`, "$"][
        Math.floor(random() * 8)
      ]
      : `$${size}`;
    wire += `${len}\r\n${value}\r\n`;
  }
  return wire;
}

Deno.test("request: an argument its handler takes as bytes stays in the buffer, whole or in pieces", () => {
  takesBytes("xtakes", 2, 3);
  const long = (n: number) =>
    Array.from({ length: n }, (_, i) => String.fromCharCode(i & 0xff)).join("");
  const requests = [
    ["XTAKES", "k", long(200)],
    ["xTakes", "k", long(19)],
    ["XTAKES", "k", long(64), "more"],
    ["GET", "k"],
    ["XTAKES", "k", long(5000)],
    ["XTAKES", "k", long(20)],
    ["XTAKES", "k", long(63)],
    ["XTAKES", "k", long(99)],
  ];
  // From VALUE_DEFER_MIN bytes, whole or in pieces.
  const deferred = [true, false, false, false, true, true, true, true];
  const bytes = binaryToBytes(requests.map((r) => bytesToBinary(encodeRespRequest(r))).join(""));
  for (const chunks of [[bytes], [...bytes].map((b) => Uint8Array.of(b))]) {
    const decoder = new RespRequestDecoder();
    decoder.notesBytes = true;
    const got: string[][] = [];
    let buf = new Uint8Array(0);
    let start = 0;
    for (const chunk of chunks) {
      // As the connection: settled before the buffer changes.
      forgetNotedBytes();
      const grown = new Uint8Array(buf.length - start + chunk.length);
      grown.set(buf.subarray(start));
      grown.set(chunk, buf.length - start);
      buf = grown;
      start = 0;
      start = decodeTaking(decoder, buf, start, buf.length, deferred, got);
    }
    deepEqual(got, requests);
  }
  // Not taken (queued, refused): its string before the buffer changes.
  const decoder = new RespRequestDecoder();
  decoder.notesBytes = true;
  const wire = encodeRespRequest(["XTAKES", "k", long(100)]);
  const argv = decoder.decode(wire, 0, wire.length)!;
  equal(argv[2], DEFERRED_ARG);
  forgetNotedBytes();
  wire.fill(0);
  equal(argv[2], long(100));
});

Deno.test("request: a key its handler takes as bytes stays in the buffer, made when not taken", () => {
  takesKeyBytes("xkey", 2);
  takesKeyBytes("xkeyval", 3);
  takesBytes("xkeyval", 2, 3);
  const long = "v".repeat(100);
  const requests = [
    ["XKEY", "kkkk"],
    ["xKey", "counter:000000000000"],
    ["XKEY", "kkkk", "more"],
    ["XKEY", "x".repeat(33)],
    ["XKEY", "k"],
    ["XKEYVAL", "k2k2", long],
    ["XKEY", ""],
  ];
  // Keys of 1-3 bytes are made (cheaper); an empty key takes the general path (a 0 length is
  // not a quick header), made as it is read.
  const held = [true, true, false, false, false, true, false];
  const wire = binaryToBytes(requests.map((r) => bytesToBinary(encodeRespRequest(r))).join(""));
  const decoder = new RespRequestDecoder();
  decoder.notesBytes = true;
  const argvs = decodeHolding(decoder, wire, requests, held);
  // Not taken (queued, refused): its string before the buffer changes, the value's too.
  forgetNotedBytes();
  wire.fill(0);
  deepEqual(argvs, requests);
});

Deno.test("request: random streams decode alike whole, byte by byte and in random pieces", () => {
  let seed = 42;
  // mulberry32: exact in 32-bit integer arithmetic.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let round = 0; round < 300; round++) {
    let wire = "";
    for (let n = 1 + Math.floor(random() * 8); n > 0; n--) wire += randomRequest(random);
    const bytes = binaryToBytes(wire);
    // Half the streams come from a client that must still authenticate (smaller limits).
    const unauthenticated = round % 2 === 1;
    const whole = decodeOutcome([bytes], unauthenticated);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 40);
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    deepEqual(decodeOutcome(pieces, unauthenticated), whole, `round ${round}: random pieces`);
    if (bytes.length < 2000) {
      const single = [...bytes].map((b) => Uint8Array.of(b));
      deepEqual(decodeOutcome(single, unauthenticated), whole, `round ${round}: bytes`);
    }
  }
});
