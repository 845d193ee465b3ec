/**
 * Bitmap commands end to end, with the exact replies of redis-server 7.0
 * (every expectation here was checked against it).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import type { RedisObject } from "../server/types/value.ts";
import { expectReplies, RespClient, startServer } from "./helpers.ts";
import { onBoth, sameAsRedis, type Step } from "./redis_compare.ts";

const SYNTAX = { error: "ERR syntax error" };
const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };
const BIT_OFFSET = { error: "ERR bit offset is not an integer or out of range" };
const BIT_VALUE = { error: "ERR bit is not an integer or out of range" };
const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const FIELD_TYPE = {
  error:
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
};

const aList: RedisObject = {
  type: "list",
  encoding: () => "quicklist",
  clone: () => aList,
  size: () => 1,
};

Deno.test("SETBIT and GETBIT: offsets, values, growth and limits", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SETBIT", "b", "7", "1"], 0],
    [["GET", "b"], "\x01"],
    [["SETBIT", "b", "7", "1"], 1],
    [["SETBIT", "b", "7", "0"], 1],
    [["SETBIT", "b", "100", "1"], 0],
    [["STRLEN", "b"], 13],
    [["GETBIT", "b", "100"], 1],
    [["GETBIT", "b", "101"], 0],
    [["GETBIT", "b", "99999"], 0],
    [["GETBIT", "missing", "5"], 0],
    [["GETBIT", "b", "-1"], BIT_OFFSET],
    [["GETBIT", "b", "abc"], BIT_OFFSET],
    [["SETBIT", "b", "-1", "1"], BIT_OFFSET],
    [["SETBIT", "b", "1", "2"], BIT_VALUE],
    [["SETBIT", "b", "1", "-1"], BIT_VALUE],
    [["SETBIT", "b", "1", "x"], BIT_VALUE],
    [["SETBIT", "b", "4294967296", "1"], BIT_OFFSET],
    [["GETBIT", "b", "4294967296"], BIT_OFFSET],
    [["SETBIT", "alist", "0", "1"], WRONGTYPE],
    [["GETBIT", "alist", "0"], WRONGTYPE],
    [["SET", "s", "v"], "OK"],
    [["SETBIT", "s", "0", "0"], 0],
    [["OBJECT", "ENCODING", "s"], "raw"],
  ]);
});

Deno.test("BITCOUNT over bytes and bits, with negative and empty ranges", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SET", "s", "foobar"], "OK"],
    [["BITCOUNT", "s"], 26],
    [["BITCOUNT", "s", "0", "0"], 4],
    [["BITCOUNT", "s", "1", "1"], 6],
    [["BITCOUNT", "s", "1", "1", "BYTE"], 6],
    [["BITCOUNT", "s", "5", "30", "BIT"], 17],
    [["BITCOUNT", "s", "-1", "-1"], 4],
    [["BITCOUNT", "s", "-1", "-2"], 0],
    [["BITCOUNT", "s", "-1", "-2", "foo"], 0],
    [["BITCOUNT", "s", "0"], SYNTAX],
    [["BITCOUNT", "s", "0", "1", "BIT", "foo"], SYNTAX],
    [["BITCOUNT", "s", "a", "b"], NOT_INTEGER],
    [["BITCOUNT", "s", "0", "1", "bar"], SYNTAX],
    [["BITCOUNT", "missing"], 0],
    [["BITCOUNT", "missing", "0"], 0],
    [["BITCOUNT", "s", "3", "3", "BIT"], 0],
    [["BITCOUNT", "s", "2", "9", "BIT"], 4],
    [["BITCOUNT", "s", "100", "200"], 0],
    [["BITCOUNT", "s", "0", "1000", "BIT"], 26],
    [["BITCOUNT", "alist"], WRONGTYPE],
    [["SET", "e", ""], "OK"],
    [["BITCOUNT", "e"], 0],
  ]);
});

Deno.test("BITPOS: set and clear bits, byte and bit ranges, the zero padding rule", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SET", "p", "\xff\xf0\x00"], "OK"],
    [["BITPOS", "p", "0"], 12],
    [["BITPOS", "p", "1"], 0],
    [["BITPOS", "p", "0", "2"], 16],
    [["BITPOS", "p", "1", "2"], -1],
    [["BITPOS", "p", "1", "0", "-1"], 0],
    [["BITPOS", "p", "0", "0", "1"], 12],
    [["BITPOS", "p", "0", "0", "1", "BIT"], -1],
    [["BITPOS", "p", "0", "7", "15", "BIT"], 12],
    [["BITPOS", "p", "1", "12", "20", "BIT"], -1],
    [["BITPOS", "p", "0", "12", "20", "BIT"], 12],
    [["BITPOS", "p", "2"], { error: "ERR The bit argument must be 1 or 0." }],
    [["BITPOS", "p", "x"], NOT_INTEGER],
    [["BITPOS", "missing", "0"], 0],
    [["BITPOS", "missing", "1"], -1],
    [["SET", "ff", "\xff\xff\xff"], "OK"],
    [["BITPOS", "ff", "0"], 24],
    [["BITPOS", "ff", "0", "0"], 24],
    [["BITPOS", "ff", "0", "0", "-1"], -1],
    [["BITPOS", "ff", "1", "5"], -1],
    [["BITPOS", "ff", "0", "1", "2", "BIT"], -1],
    [["BITPOS", "ff", "1", "-3", "-2", "BIT"], 21],
    [["BITPOS", "ff", "1", "0", "0", "foo"], SYNTAX],
    [["BITPOS", "ff", "1", "a"], NOT_INTEGER],
    [["BITPOS", "ff", "1", "0", "1", "BYTE", "extra"], SYNTAX],
    [["SET", "z", "\x00\x00"], "OK"],
    [["BITPOS", "z", "1"], -1],
    [["BITPOS", "z", "0"], 0],
    [["SET", "e", ""], "OK"],
    [["BITPOS", "e", "0"], -1],
    [["BITPOS", "e", "1"], -1],
    [["BITPOS", "alist", "1"], WRONGTYPE],
  ]);
});

Deno.test("BITOP AND, OR, XOR, NOT over strings of different lengths", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["MSET", "k1", "foobar", "k2", "abcdef", "short", "a"], "OK"],
    [["BITOP", "AND", "dest", "k1", "k2"], 6],
    [["GET", "dest"], "`bc`ab"],
    [["BITOP", "OR", "dest", "k1", "k2"], 6],
    [["GET", "dest"], "goofev"],
    [["BITOP", "XOR", "dest", "k1", "k2"], 6],
    [["GET", "dest"], "\x07\x0d\x0c\x06\x04\x14"],
    [["BITOP", "NOT", "dest", "k1"], 6],
    [["GET", "dest"], "\x99\x90\x90\x9d\x9e\x8d"],
    [["BITOP", "NOT", "dest", "k1", "k2"], {
      error: "ERR BITOP NOT must be called with a single source key.",
    }],
    [["BITOP", "foo", "dest", "k1"], SYNTAX],
    [["BITOP", "OR", "dest", "k1", "short"], 6],
    [["GET", "dest"], "goobar"],
    [["BITOP", "AND", "dest", "k1", "short"], 6],
    [["GET", "dest"], "`\0\0\0\0\0"],
    [["OBJECT", "ENCODING", "dest"], "raw"],
    [["BITOP", "AND", "dest", "missing", "missing2"], 0],
    [["EXISTS", "dest"], 0],
    [["BITOP", "OR", "dest", "k1", "alist"], WRONGTYPE],
  ]);
});

Deno.test("BITOP agrees with a byte-by-byte model over random lengths, bytes and missing keys", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Some values pass 1024 bytes (stored boxed, and growing BITOP's reused buffers), so that
  // bytes left in those buffers by a longer call would show in a shorter one's result.
  const randomValue = () => {
    const length = Math.floor(Math.random() * (Math.random() < 0.15 ? 3000 : 70));
    return String.fromCharCode(...Array.from({ length }, () => Math.floor(Math.random() * 256)));
  };
  const model = (op: string, values: string[]) => {
    const length = Math.max(...values.map((v) => v.length));
    const byte = (v: string, j: number) => (j < v.length ? v.charCodeAt(j) : 0);
    const out: number[] = [];
    for (let j = 0; j < length; j++) {
      let r = byte(values[0]!, j);
      if (op === "NOT") r = ~r & 0xff;
      for (const v of values.slice(1)) {
        if (op === "AND") r &= byte(v, j);
        if (op === "OR") r |= byte(v, j);
        if (op === "XOR") r ^= byte(v, j);
      }
      out.push(r);
    }
    return String.fromCharCode(...out);
  };
  for (let round = 0; round < 120; round++) {
    const op = ["AND", "OR", "XOR", "NOT"][round % 4]!;
    const values = Array.from({ length: op === "NOT" ? 1 : 2 + (round % 3) }, randomValue);
    const keys = values.map((_, i) => `src${i}`);
    await c.call("DEL", ...keys);
    // An empty value stands for a missing key, which reads as zero bytes.
    for (const [i, v] of values.entries()) if (v !== "") await c.call("SET", keys[i]!, v);
    const expected = model(op, values);
    await expectReplies(c, [
      [["BITOP", op, "dest", ...keys], expected.length],
      [["GET", "dest"], expected === "" ? null : expected],
    ]);
  }
});

Deno.test("BITFIELD: GET, SET, INCRBY with WRAP, SAT and FAIL overflow", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["BITFIELD", "bf", "SET", "u8", "0", "255"], [0]],
    [["BITFIELD", "bf", "GET", "u8", "0"], [255]],
    [["BITFIELD", "bf", "INCRBY", "u8", "0", "1"], [0]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "10"], [10]],
    [["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "250"], [null]],
    [["BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "300"], [54]],
    [["BITFIELD", "bf", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"], [
      54,
      -100,
      156,
    ]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "200"], [-100]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "-200"], [127]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "0", "-1"], [128]],
    [["BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1"], [255]],
    [["BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "0", "-1"], [null]],
    [["BITFIELD", "bf", "SET", "i64", "0", "-1", "GET", "i64", "0", "GET", "u63", "0"], [
      -72057594037927936n,
      -1,
      9223372036854775807n,
    ]],
    [["BITFIELD", "bf", "INCRBY", "i64", "0", "9223372036854775807"], [9223372036854775806n]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808"], [-2]],
    [["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808"], [
      -9223372036854775808n,
    ]],
    [["BITFIELD", "bf2", "SET", "u4", "2", "15", "GET", "u16", "0", "INCRBY", "i3", "1", "2"], [
      0,
      15360,
      -3,
    ]],
    [[
      "BITFIELD",
      "bf3",
      "OVERFLOW",
      "WRAP",
      "INCRBY",
      "i5",
      "100",
      "1",
      "INCRBY",
      "i5",
      "100",
      "20",
    ], [
      1,
      -11,
    ]],
    [["BITFIELD", "bf3", "OVERFLOW", "SAT", "INCRBY", "i5", "100", "-40"], [-16]],
    [["BITFIELD", "bf3", "OVERFLOW", "SAT", "INCRBY", "u5", "100", "-40"], [0]],
    [["BITFIELD", "bf3", "OVERFLOW", "WRAP", "INCRBY", "u5", "100", "-40"], [24]],
    // Redis's int64 headroom wraps: saturation to max, not min.
    [["BITFIELD", "sat", "OVERFLOW", "SAT", "SET", "i50", "0", "-9223372036854775808"], [0]],
    [["BITFIELD", "sat", "GET", "i50", "0"], [562949953421311]],
    [["BITFIELD", "bf", "SET", "u8", "#2", "7"], [0]],
    [["GETRANGE", "bf", "2", "2"], "\x07"],
    [["BITFIELD", "newbf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"], [null]],
    [["GET", "newbf"], "\0"],
    [["BITFIELD", "bf"], []],
  ]);
});

Deno.test("BITFIELD and BITFIELD_RO argument errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["BITFIELD", "bf", "SET", "u64", "0", "1"], FIELD_TYPE],
    [["BITFIELD", "bf", "SET", "i65", "0", "1"], FIELD_TYPE],
    [["BITFIELD", "bf", "SET", "x8", "0", "1"], FIELD_TYPE],
    [["BITFIELD", "bf", "SET", "i0", "0", "1"], FIELD_TYPE],
    [["BITFIELD", "bf", "GET", "u8", "-1"], BIT_OFFSET],
    [["BITFIELD", "bf", "SET", "u8", "#-1", "7"], BIT_OFFSET],
    [["BITFIELD", "bf", "GET"], SYNTAX],
    [["BITFIELD", "bf", "foo"], SYNTAX],
    [["BITFIELD", "bf", "OVERFLOW"], SYNTAX],
    [["BITFIELD", "bf", "OVERFLOW", "foo"], { error: "ERR Invalid OVERFLOW type specified" }],
    [["BITFIELD", "bf", "SET", "u8", "0", "abc"], NOT_INTEGER],
    [["BITFIELD", "alist", "GET", "u8", "0"], WRONGTYPE],
    [["BITFIELD", "alist", "SET", "u8", "0", "1"], WRONGTYPE],
    [["BITFIELD_RO", "bf", "SET", "u8", "0", "1"], {
      error: "ERR BITFIELD_RO only supports the GET subcommand",
    }],
    [["SET", "bf", "\xa5"], "OK"],
    [["BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "i4", "4"], [165, 5]],
    [["BITFIELD_RO", "missing", "GET", "u8", "0"], [0]],
  ]);
});

/** A small seeded generator, so that a failing round can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

/** BITFIELD as a bit-by-bit bigint computation over a byte array, for comparison. */
class BitfieldModel {
  bytes: number[] = [];

  read(offset: number, bits: number, signed: boolean): bigint {
    let v = 0n;
    for (let i = offset; i < offset + bits; i++) {
      v = (v << 1n) | BigInt(((this.bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
    }
    return signed ? BigInt.asIntN(bits, v) : v;
  }

  /** Zero-fills up to bit `maxBit`, as BITFIELD does for its farthest write before any op runs. */
  grow(maxBit: number): void {
    while (this.bytes.length <= maxBit >> 3) this.bytes.push(0);
  }

  write(offset: number, bits: number, value: bigint): void {
    for (let i = 0; i < bits; i++) {
      const pos = offset + i;
      const bit = Number((BigInt.asUintN(bits, value) >> BigInt(bits - 1 - i)) & 1n);
      const mask = 1 << (7 - (pos & 7));
      this.bytes[pos >> 3] = bit ? this.bytes[pos >> 3]! | mask : this.bytes[pos >> 3]! & ~mask;
    }
  }

  /** One SET or INCRBY: the reply (null when FAIL refuses). */
  apply(
    kind: string,
    signed: boolean,
    bits: number,
    offset: number,
    arg: bigint,
    overflow: string,
  ): bigint | null {
    const old = this.read(offset, bits, signed);
    const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
    const min = signed ? -max - 1n : 0n;
    let v = kind === "SET" ? (signed ? arg : BigInt.asUintN(64, arg)) : old + arg;
    // Redis's quirk: a signed SET whose headroom max - value passes INT64_MAX overflows upwards.
    const wraps = signed && bits < 64 && kind === "SET" && max - arg > 2n ** 63n - 1n;
    if (v < min || v > max || wraps) {
      if (overflow === "FAIL") return null;
      if (overflow === "SAT") v = v > max || wraps ? max : min;
      else v = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
    }
    this.write(offset, bits, v);
    return kind === "SET" ? old : v;
  }
}

Deno.test("BITFIELD agrees with a bit-by-bit model: all widths, offsets and overflow modes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const random = seeded(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const model = new BitfieldModel();
  const values = [
    0n,
    1n,
    -1n,
    2n ** 31n,
    -(2n ** 31n),
    2n ** 32n + 3n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
  ];
  for (let round = 0; round < 400; round++) {
    const argv = ["BITFIELD", "bf"];
    const ops: (() => bigint | null)[] = [];
    let maxBit = -1;
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const signed = random() < 0.5;
      const bits = 1 + Math.floor(random() * (signed ? 64 : 63));
      // Mostly small offsets, so that fields overlap; some straddle 4 and 5 bytes.
      const offset = Math.floor(random() * 80);
      const type = `${signed ? "i" : "u"}${bits}`;
      const kind = pick(["GET", "SET", "INCRBY"]);
      if (kind === "GET") {
        argv.push("GET", type, String(offset));
        ops.push(() => model.read(offset, bits, signed));
        continue;
      }
      const overflow = pick(["WRAP", "SAT", "FAIL"]);
      const arg = random() < 0.5
        ? BigInt(Math.floor(random() * 2000) - 1000)
        : pick(values) * (random() < 0.5 ? -1n : 1n);
      argv.push("OVERFLOW", overflow, kind, type, String(offset), String(arg));
      maxBit = Math.max(maxBit, offset + bits - 1);
      ops.push(() => model.apply(kind, signed, bits, offset, arg, overflow));
    }
    model.grow(maxBit);
    const expected = ops.map((op) => op()).map((x) => x === null ? null : String(x));
    const reply = await c.cmd(...argv) as unknown[];
    deepEqual(reply.map((x) => x === null ? null : String(x)), expected, argv.join(" "));
    equal(await c.cmd("GET", "bf"), String.fromCharCode(...model.bytes) || null);
  }
});

Deno.test("BITCOUNT agrees with a byte-by-byte count over random values, alignments and ranges", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const random = seeded(5);
  const ones = (s: string, from: number, to: number) => {
    let n = 0;
    for (let bit = from; bit <= to; bit++) n += (s.charCodeAt(bit >> 3) >> (7 - (bit & 7))) & 1;
    return n;
  };
  for (let round = 0; round < 150; round++) {
    // Keys of different lengths put the values at every alignment in their page.
    const key = "k".repeat(1 + (round % 7));
    const length = Math.floor(random() * (random() < 0.2 ? 2500 : 200));
    // Some values all ones: the counts folded per byte field reach their maximum.
    const dense = round % 5 === 0;
    const bytes = Array.from({ length }, () => dense ? 255 : Math.floor(random() * 256));
    const value = String.fromCharCode(...bytes);
    await c.call("SET", key, value);
    equal(await c.cmd("BITCOUNT", key), ones(value, 0, length * 8 - 1));
    const start = Math.floor(random() * (length + 2));
    const end = start + Math.floor(random() * (length + 2));
    const last = Math.min(end, length - 1);
    equal(await c.cmd("BITCOUNT", key, start, end), ones(value, start * 8, last * 8 + 7));
    const bitEnd = Math.min(end * 3, length * 8 - 1);
    equal(await c.cmd("BITCOUNT", key, start * 3, end * 3, "BIT"), ones(value, start * 3, bitEnd));
  }
});

Deno.test("SETBIT, BITFIELD and SETRANGE grow short strings in their records as redis-server", async () => {
  // Offsets rising a few bits at a time move a short string to records with room, again and
  // again; each GET checks the bytes, TTL and ENCODING that the TTL and raw form stayed.
  const steps: Step[] = [["SET", "s", "ab"], ["EXPIRE", "s", "1000"], ["OBJECT", "ENCODING", "s"]];
  for (let bit = 3; bit < 1200; bit += 37) {
    steps.push(["SETBIT", "s", String(bit), "1"], ["SETBIT", "new" + (bit % 5), String(bit), "1"]);
    if (bit % 5 === 0) steps.push(["GET", "s"], ["BITCOUNT", "s"], ["STRLEN", "s"]);
  }
  steps.push(["BITFIELD", "s", "SET", "u8", "2000", "255", "GET", "i16", "8"], ["GET", "s"]);
  steps.push(["BITFIELD", "bf", "INCRBY", "u4", "100", "3"], ["GET", "bf"]);
  steps.push(["SETRANGE", "sr", "5", "xy"], ["SETRANGE", "sr", "300", "z"], ["GET", "sr"]);
  steps.push(["APPEND", "s", "tail"], ["GET", "s"], ["TTL", "s"], ["OBJECT", "ENCODING", "s"]);
  for (let i = 0; i < 5; i++) steps.push(["GET", `new${i}`], ["OBJECT", "ENCODING", `new${i}`]);
  await sameAsRedis(steps);
});

Deno.test("small bitmaps made by SETBIT take at most 1.5x redis-server's memory", async () => {
  const [theirs, ours] = await onBoth(async (client) => {
    let total = 0;
    for (let k = 0; k < 50; k++) {
      for (let i = 0; i <= k % 4; i++) {
        await client.cmd("SETBIT", `b${k}`, String(k * 3 + i * 40), "1");
      }
      total += await client.cmd("MEMORY", "USAGE", `b${k}`) as number;
    }
    return total;
  });
  ok(ours <= 1.5 * theirs, `redis-home ${ours} bytes, redis-server ${theirs}`);
});
