/**
 * String commands end to end, with the exact replies of redis-server 7.0
 * (every expectation here was checked against it).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { encodeNativeRequest } from "../protocol/native.ts";
import type { RedisObject } from "../server/types/value.ts";
import { expectReplies, NativeClient, plain, RespClient, startServer } from "./helpers.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const SYNTAX = { error: "ERR syntax error" };

/** A value of another type, as the collection modules store them. */
const aList: RedisObject = {
  type: "list",
  encoding: () => "quicklist",
  clone: () => aList,
  size: () => 1,
};

Deno.test("SET options: NX, XX, GET, KEEPTTL and their conflicts", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SET", "foo", "bar"], "OK"],
    [["GET", "foo"], "bar"],
    [["SET", "foo", "x", "NX"], null],
    [["SET", "nokey", "v", "XX"], null],
    [["SET", "foo", "baz", "XX"], "OK"],
    [["SET", "foo", "qux", "GET"], "baz"],
    [["SET", "newk", "v", "GET"], null],
    [["SET", "foo", "v", "NX", "XX"], SYNTAX],
    [["SET", "foo", "v", "NX", "NX"], null],
    [["SET", "foo", "v", "GET", "GET"], "qux"],
    [["SET", "foo", "v", "EX", "10", "PX", "10"], SYNTAX],
    [["SET", "foo", "v", "KEEPTTL", "EX", "10"], SYNTAX],
    [["SET", "foo", "v", "EX"], SYNTAX],
    [["SET", "foo", "v", "bogus"], SYNTAX],
    [["SET", "alist", "v", "GET"], WRONGTYPE],
    [["TYPE", "alist"], "list"],
    [["SET", "alist", "v", "NX", "GET"], WRONGTYPE],
    [["SET", "alist", "v"], "OK"],
    [["GET", "alist"], "v"],
    [["SET", "t", "v", "EX", "100"], "OK"],
    [["TTL", "t"], 100],
    [["SET", "t", "v2", "KEEPTTL"], "OK"],
    [["TTL", "t"], 100],
    [["SET", "t", "v3"], "OK"],
    [["TTL", "t"], -1],
    [["SET", "e", ""], "OK"],
    [["GET", "e"], ""],
    [["STRLEN", "e"], 0],
  ]);
});

Deno.test("SET expire arguments: zero, negative, junk and overflowing times", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "k", "v", "EX", "0"], { error: "ERR invalid expire time in 'set' command" }],
    [["SET", "k", "v", "PX", "-1"], { error: "ERR invalid expire time in 'set' command" }],
    [["SET", "k", "v", "EX", "abc"], NOT_INTEGER],
    [["SET", "k", "v", "EX", "9223372036854776"], {
      error: "ERR invalid expire time in 'set' command",
    }],
    [["SET", "k", "v", "PX", "9223372036854775807"], {
      error: "ERR invalid expire time in 'set' command",
    }],
    [["EXISTS", "k"], 0],
    // A bad time with GET: no old value replied, nothing changed.
    [["SET", "old", "before"], "OK"],
    [["SET", "old", "after", "GET", "EX", "abc"], NOT_INTEGER],
    [["SET", "old", "after", "GET", "PX", "0"], {
      error: "ERR invalid expire time in 'set' command",
    }],
    [["GET", "old"], "before"],
    [["TTL", "old"], -1],
    [["SET", "k", "v", "EX", "10", "EX", "20"], "OK"],
    [["TTL", "k"], 20],
    [["SET", "k", "v", "PXAT", "1"], "OK"],
    [["EXISTS", "k"], 0],
    [["SETEX", "k", "0", "v"], { error: "ERR invalid expire time in 'setex' command" }],
    [["SETEX", "k", "abc", "v"], NOT_INTEGER],
    [["SETEX", "k", "100", "v"], "OK"],
    [["TTL", "k"], 100],
    [["PSETEX", "k", "-5", "v"], { error: "ERR invalid expire time in 'psetex' command" }],
    [["PSETEX", "k", "100000", "w"], "OK"],
    [["TTL", "k"], 100],
    [["SETNX", "k", "x"], 0],
    [["SETNX", "fresh", "x"], 1],
  ]);
});

Deno.test("GETSET, GETDEL, GETEX", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SET", "foo", "bar", "EX", "100"], "OK"],
    [["GETSET", "foo", "new"], "bar"],
    [["TTL", "foo"], -1],
    [["GETSET", "nothere", "v"], null],
    [["GETSET", "alist", "v"], WRONGTYPE],
    [["GETDEL", "foo"], "new"],
    [["GETDEL", "foo"], null],
    [["GETDEL", "alist"], WRONGTYPE],
    [["SET", "g", "v"], "OK"],
    [["GETEX", "g"], "v"],
    [["GETEX", "g", "EX", "100"], "v"],
    [["TTL", "g"], 100],
    [["GETEX", "g", "PERSIST"], "v"],
    [["TTL", "g"], -1],
    [["GETEX", "g", "EX", "10", "PERSIST"], SYNTAX],
    [["GETEX", "g", "PERSIST", "EX", "10"], SYNTAX],
    [["GETEX", "g", "EX", "0"], { error: "ERR invalid expire time in 'getex' command" }],
    [["GETEX", "missing", "EX", "0"], null],
    [["GETEX", "g", "foo"], SYNTAX],
    [["GETEX", "alist"], WRONGTYPE],
    [["GETEX", "g", "EXAT", "1"], "v"],
    [["EXISTS", "g"], 0],
  ]);
});

Deno.test("MGET, MSET, MSETNX", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["MSET", "a", "1", "b", "2", "c", "3"], "OK"],
    [["MGET", "a", "b", "c", "missing", "alist"], ["1", "2", "3", null, null]],
    [["MSET", "a", "1", "b"], { error: "ERR wrong number of arguments for 'mset' command" }],
    [["MSETNX", "a", "1", "z", "2"], 0],
    [["EXISTS", "z"], 0],
    [["MSETNX", "y", "1", "z", "2"], 1],
    [["MGET", "y", "z"], ["1", "2"]],
    [["MSETNX", "y"], { error: "ERR wrong number of arguments for 'msetnx' command" }],
  ]);
});

Deno.test("APPEND, STRLEN, GETRANGE and SUBSTR with negative and out-of-range indexes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["APPEND", "ap", "hello"], 5],
    [["APPEND", "ap", " world"], 11],
    [["GET", "ap"], "hello world"],
    [["STRLEN", "ap"], 11],
    [["STRLEN", "missing"], 0],
    [["STRLEN", "alist"], WRONGTYPE],
    [["APPEND", "alist", "x"], WRONGTYPE],
    [["SET", "r", "0123456789"], "OK"],
    [["GETRANGE", "r", "0", "3"], "0123"],
    [["GETRANGE", "r", "-3", "-1"], "789"],
    [["GETRANGE", "r", "-1", "-3"], ""],
    [["GETRANGE", "r", "5", "100"], "56789"],
    [["GETRANGE", "r", "100", "200"], ""],
    [["GETRANGE", "r", "-100", "2"], "012"],
    [["GETRANGE", "r", "0", "-1"], "0123456789"],
    [["GETRANGE", "missing", "0", "-1"], ""],
    [["GETRANGE", "r", "a", "b"], NOT_INTEGER],
    [["GETRANGE", "alist", "0", "1"], WRONGTYPE],
    [["SUBSTR", "r", "1", "2"], "12"],
  ]);
});

Deno.test("SETRANGE pads with zero bytes and is capped at proto-max-bulk-len", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["SETRANGE", "sr", "5", "hello"], 10],
    [["GET", "sr"], "\0\0\0\0\0hello"],
    [["SETRANGE", "sr", "0", "XY"], 10],
    [["GET", "sr"], "XY\0\0\0hello"],
    [["SETRANGE", "sr", "20", ""], 10],
    [["SETRANGE", "newsr", "3", ""], 0],
    [["EXISTS", "newsr"], 0],
    [["SETRANGE", "sr", "-1", "x"], { error: "ERR offset is out of range" }],
    [["SETRANGE", "sr", "536870912", "x"], {
      error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
    }],
    [["SETRANGE", "sr", "536870911", ""], 10],
    [["SETRANGE", "alist", "0", "x"], WRONGTYPE],
    [["CONFIG", "SET", "proto-max-bulk-len", "1048576"], "OK"],
    [["SETRANGE", "sr", "1048576", "x"], {
      error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
    }],
    [["APPEND", "big", "x".repeat(1048576)], 1048576],
    [["APPEND", "big", "x"], {
      error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
    }],
  ]);
});

/** A string length past what a key-table record holds inline. */
const BIG = 17_000;

Deno.test("SETRANGE edits the stored bytes in place and keeps the TTL", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const db = srv.server.dbs[0]!;
  await expectReplies(c, [
    [["SET", "n", "12345"], "OK"],
    [["SETRANGE", "n", "1", "x"], 5],
    [["GET", "n"], "1x345"],
    [["OBJECT", "ENCODING", "n"], "raw"],
    // Longer than a record holds inline (16 KB): a boxed string's bytes.
    [["SET", "big", "a".repeat(BIG - 3), "EX", "100"], "OK"],
    [["SETRANGE", "big", String(BIG - 5), "bcd"], BIG - 2],
  ]);
  const stored = db.getBytes("big");
  for (let i = 0; i < 50; i++) await c.cmd("SETRANGE", "big", String(i * 20), "Z");
  equal(db.getBytes("big"), stored, "the same bytes object, edited, not a copy");
  const expected = Array.from("a".repeat(BIG - 5) + "bcd");
  for (let i = 0; i < 50; i++) expected[i * 20] = "Z";
  await expectReplies(c, [
    [["GET", "big"], expected.join("")],
    [["STRLEN", "big"], BIG - 2],
    [["GETRANGE", "big", String(BIG - 8), "-1"], "aaabcd"],
    [["SETRANGE", "big", String(BIG), "e"], BIG + 1],
    [["GETRANGE", "big", String(BIG - 4), "-1"], "cd\0\0e"],
    [["APPEND", "big", "f"], BIG + 2],
    [["GETRANGE", "big", "-3", "-1"], "\0ef"],
  ]);
  ok(await c.cmd("TTL", "big") as number > 0);
});

Deno.test("values around the 16 KB kept in a record read back byte for byte through every edit", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Every byte value, so a conversion that is not one char per byte shows.
  const bytes = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) => String.fromCharCode((i * 7 + seed) & 0xff)).join("");
  for (const length of [16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1]) {
    const value = bytes(length, length);
    await expectReplies(c, [
      [["SET", "v", value], "OK"],
      [["GET", "v"], value],
      [["STRLEN", "v"], length],
      [["GETRANGE", "v", "-5", "-1"], value.slice(-5)],
      // The same length again is written over the old bytes.
      [["SET", "v", bytes(length, 3)], "OK"],
      [["GET", "v"], bytes(length, 3)],
      [["APPEND", "v", "\xff\x00"], length + 2],
      [["GET", "v"], bytes(length, 3) + "\xff\x00"],
      [["SETRANGE", "v", "1", "\x80"], length + 2],
      [["GETRANGE", "v", "0", "2"], bytes(length, 3)[0] + "\x80" + bytes(length, 3)[2]],
      [["OBJECT", "ENCODING", "v"], "raw"],
    ]);
  }
  // Appends that grow a string past 16 KB, and a MSET of one under it beside.
  await c.cmd("DEL", "v");
  let expected = "";
  for (let i = 0; i < 40; i++) {
    const piece = bytes(500, i);
    expected += piece;
    equal(await c.cmd("APPEND", "v", piece), expected.length);
  }
  await expectReplies(c, [
    [["MSET", "w", bytes(9000, 1), "x", "1"], "OK"],
    [["GET", "v"], expected],
    [["MGET", "w", "x"], [bytes(9000, 1), "1"]],
  ]);
});

Deno.test("INCR family: int64 limits, overflow and strict integer syntax", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["INCR", "i"], 1],
    [["INCR", "i"], 2],
    [["INCRBY", "i", "10"], 12],
    [["DECR", "i"], 11],
    [["DECRBY", "i", "5"], 6],
    [["INCRBY", "i", "abc"], NOT_INTEGER],
    [["INCRBY", "i", "1.5"], NOT_INTEGER],
    [["INCRBY", "i", "+1"], NOT_INTEGER],
    [["DECRBY", "i", "12345678901234567890"], NOT_INTEGER],
    [["INCRBY", "i", "1234567890123456789a"], NOT_INTEGER],
    [["SET", "big", "9223372036854775807"], "OK"],
    [["INCR", "big"], { error: "ERR increment or decrement would overflow" }],
    [["INCRBY", "big", "-9223372036854775807"], 0],
    [["SET", "small", "-9223372036854775808"], "OK"],
    [["DECR", "small"], { error: "ERR increment or decrement would overflow" }],
    [["DECRBY", "i", "-9223372036854775808"], { error: "ERR decrement would overflow" }],
    [["INCRBY", "i", "9223372036854775801"], 9223372036854775807n],
    [["GET", "i"], "9223372036854775807"],
    [["INCRBY", "i", "1"], { error: "ERR increment or decrement would overflow" }],
    [["SET", "sp", " 1"], "OK"],
    [["INCR", "sp"], NOT_INTEGER],
    [["SET", "float", "1.5"], "OK"],
    [["INCR", "float"], NOT_INTEGER],
    [["SET", "nz", "-0"], "OK"],
    [["INCR", "nz"], NOT_INTEGER],
    [["SET", "lead", "01"], "OK"],
    [["INCR", "lead"], NOT_INTEGER],
    [["INCR", "alist"], WRONGTYPE],
    [["SET", "t", "5", "EX", "100"], "OK"],
    [["INCR", "t"], 6],
    [["TTL", "t"], 100],
  ]);
});

Deno.test("INCR edits short integers in place across length changes, TTLs and encodings", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "n", "9"], "OK"],
    [["INCR", "n"], 10],
    [["DECR", "n"], 9],
    [["SET", "n", "-1"], "OK"],
    [["INCR", "n"], 0],
    [["DECR", "n"], -1],
    [["DECRBY", "n", "9"], -10],
    [["INCRBY", "n", "1"], -9],
    [["GET", "n"], "-9"],
    [["SET", "n", "999999999999999"], "OK"],
    [["INCR", "n"], 1000000000000000],
    [["DECR", "n"], 999999999999999],
    [["INCRBY", "n", "-999999999999999"], 0],
    [["OBJECT", "ENCODING", "n"], "int"],
    [["SET", "r", "12"], "OK"],
    [["APPEND", "r", "3"], 3],
    [["OBJECT", "ENCODING", "r"], "raw"],
    [["INCR", "r"], 124],
    [["OBJECT", "ENCODING", "r"], "int"],
    [["SET", "t", "15", "PX", "100000"], "OK"],
    [["INCRBY", "t", "5"], 20],
    [["INCRBY", "t", "80"], 100],
    [["GET", "t"], "100"],
    [["PEXPIRE", "t", "1"], 1],
  ]);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await expectReplies(c, [[["INCR", "t"], 1], [["TTL", "t"], -1]]);
});

Deno.test("INCRBYFLOAT formats as Redis's %.17Lf and rejects what strtold would", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["INCRBYFLOAT", "f", "10.5"], "10.5"],
    [["INCRBYFLOAT", "f", "0.1"], "10.6"],
    [["INCRBYFLOAT", "f", "-5"], "5.6"],
    // 5.6 has no exact binary form; the 64-bit mantissa shows at the 17th decimal.
    [["INCRBYFLOAT", "f", "3.0e3"], "3005.60000000000000009"],
    [["INCRBYFLOAT", "g", "3.0e3"], "3000"],
    [["OBJECT", "ENCODING", "g"], "embstr"],
    [["INCRBYFLOAT", "h", "0.1"], "0.1"],
    [["INCRBYFLOAT", "h", "0.2"], "0.3"],
    [["INCRBYFLOAT", "f", "abc"], NOT_FLOAT],
    [["INCRBYFLOAT", "f", "inf"], { error: "ERR increment would produce NaN or Infinity" }],
    [["INCRBYFLOAT", "alist", "1"], WRONGTYPE],
    [["SET", "fs", "1 "], "OK"],
    [["INCRBYFLOAT", "fs", "1"], NOT_FLOAT],
    [["INCRBYFLOAT", "x", "0x1p-3"], "0.125"],
    [["INCRBYFLOAT", "big", "1.5e308"], BIG_FLOAT],
  ]);
});

/** 1.5e308 as a long double printed by %.17Lf (redis-server 7.0's reply). */
const BIG_FLOAT =
  "149999999999999999999901476489468468031016840965060944967133685421180106066691046036756664728216022031902928370522024964340854582506645209487860806577896175175227643677561112877760303256738896516844124921428435196017215141331511736789270744288327321353040504243421434090049846615188904452633296864511849922560";

Deno.test("LCS: the string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList);
  await expectReplies(c, [
    [["MSET", "a", "ohmytext", "b", "mynewtext"], "OK"],
    [["LCS", "a", "b"], "mytext"],
    [["LCS", "a", "b", "LEN"], 6],
    [["LCS", "a", "b", "IDX"], ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]],
    [["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"], ["matches", [[[4, 7], [5, 8]]], "len", 6]],
    [["LCS", "a", "b", "IDX", "WITHMATCHLEN"], [
      "matches",
      [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]],
      "len",
      6,
    ]],
    [["LCS", "a", "b", "LEN", "IDX"], {
      error: "ERR If you want both the length and indexes, please just use IDX.",
    }],
    [["LCS", "a", "alist"], { error: "ERR The specified keys must contain string values" }],
    [["LCS", "a", "missing"], ""],
    [["LCS", "a", "b", "foo"], SYNTAX],
    [["LCS", "a", "b", "MINMATCHLEN"], SYNTAX],
    [["LCS", "a", "b", "MINMATCHLEN", "x"], NOT_INTEGER],
    [["MSET", "x", "abcabc", "y", "abc"], "OK"],
    [["LCS", "x", "y", "IDX"], ["matches", [[[3, 5], [0, 2]]], "len", 3]],
    [["LCS", "y", "x", "IDX", "WITHMATCHLEN"], ["matches", [[[0, 2], [3, 5], 3]], "len", 3]],
    // The table is reused: a smaller one after a larger must not read its numbers.
    [["MSET", "p", "aaaaaaaaaa", "q", "aaaaaaaaaa", "s", "ab", "t", "ba"], "OK"],
    [["LCS", "p", "q"], "aaaaaaaaaa"],
    [["LCS", "s", "t"], "b"],
    [["LCS", "s", "t", "LEN"], 1],
  ]);
});

Deno.test("OBJECT ENCODING and REFCOUNT of strings follow Redis's encodings", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "z", "v"], "OK"],
    [["OBJECT", "ENCODING", "z"], "embstr"],
    [["SET", "n", "123"], "OK"],
    [["OBJECT", "ENCODING", "n"], "int"],
    [["OBJECT", "REFCOUNT", "n"], 2147483647],
    [["SET", "n4", "10000"], "OK"],
    [["OBJECT", "REFCOUNT", "n4"], 1],
    [["SET", "n2", "12345678901234567890"], "OK"],
    [["OBJECT", "ENCODING", "n2"], "embstr"],
    [["SET", "long", "x".repeat(45)], "OK"],
    [["OBJECT", "ENCODING", "long"], "raw"],
    [["SET", "long2", "x".repeat(44)], "OK"],
    [["OBJECT", "ENCODING", "long2"], "embstr"],
    [["APPEND", "z", "x"], 2],
    [["OBJECT", "ENCODING", "z"], "raw"],
    [["SETRANGE", "n", "0", "9"], 3],
    [["OBJECT", "ENCODING", "n"], "raw"],
    [["INCR", "n"], 924],
    [["OBJECT", "ENCODING", "n"], "int"],
    [["APPEND", "newap", "123"], 3],
    [["OBJECT", "ENCODING", "newap"], "int"],
    [["OBJECT", "ENCODING", "nothere"], null],
  ]);
});

Deno.test("keys and values are binary safe over RESP and the native protocol", async () => {
  await using srv = startServer();
  using resp = await RespClient.connect(srv.port);
  using native = await NativeClient.connect(srv.port);
  let all = "";
  for (let b = 0; b < 256; b++) all += String.fromCharCode(b);
  // Every byte in a key and a value, short (inline) and long (boxed) forms.
  for (const value of [all, all.repeat(8), "\0", "\r\n", "\xff\x80"]) {
    equal(await resp.cmd("SET", all, value), "OK");
    equal(await resp.cmd("GET", all), value);
    deepEqual(await native.call("get", all), { type: "str", value });
    deepEqual(await native.call("set", value, all), { type: "nil" });
    equal(await resp.cmd("GET", value), all);
  }
  for (let b = 0; b < 256; b++) {
    const key = String.fromCharCode(b);
    deepEqual(await native.call("set", key, key + key), { type: "nil" });
  }
  for (let b = 0; b < 256; b++) {
    const key = String.fromCharCode(b);
    equal(await resp.cmd("GET", key), key + key);
  }
  const reply = (await native.call("keys")) as { type: "arr"; values: { value: string }[] };
  const expected = new Set([all, all.repeat(8), "\r\n", "\xff\x80"]);
  for (let b = 0; b < 256; b++) expected.add(String.fromCharCode(b));
  deepEqual(new Set(reply.values.map((v) => v.value)), expected);
});

Deno.test("native SET of long values, pipelined and queued in MULTI, stores every byte", async () => {
  await using srv = startServer();
  using resp = await RespClient.connect(srv.port);
  using native = await NativeClient.connect(srv.port);
  const value = (n: number, seed: number) =>
    String.fromCharCode(...Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
  const values = [value(64, 1), value(1000, 2), value(63, 3), value(20_000, 4)];
  // One write: each request's value lies in the query buffer beside the next request.
  const pipeline = values.flatMap((v, i) => [["set", `k${i}`, v], ["get", `k${i}`]]);
  await native.writeRaw(
    new Uint8Array(pipeline.flatMap((argv) => [...encodeNativeRequest(argv)])),
  );
  for (const v of values) {
    deepEqual(await native.read(), { type: "nil" });
    deepEqual(await native.read(), { type: "str", value: v });
  }
  // Queued: the value outlives the batch that brought it.
  deepEqual(await native.call("multi"), { type: "str", value: "OK" });
  deepEqual(await native.call("set", "q", values[1]!), { type: "str", value: "QUEUED" });
  deepEqual(await native.call("set", "q2", values[3]!), { type: "str", value: "QUEUED" });
  deepEqual(await native.call("exec"), { type: "arr", values: [{ type: "nil" }, { type: "nil" }] });
  equal(await resp.cmd("GET", "q"), values[1]);
  equal(await resp.cmd("GET", "q2"), values[3]);
});

Deno.test("the book's native replies: set is NIL, get is STR or NIL", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  deepEqual(await native.call("get", "k"), { type: "nil" });
  deepEqual(await native.call("set", "k", "v"), { type: "nil" });
  deepEqual(await native.call("get", "k"), { type: "str", value: "v" });
  deepEqual(await native.call("set", "k", "w", "GET"), { type: "str", value: "v" });
  deepEqual(await native.call("set", "k", "x", "XX"), { type: "str", value: "OK" });
  deepEqual(await native.call("incr", "n"), { type: "int", value: 1n });
  deepEqual(await native.call("get", "k", "extra"), {
    type: "err",
    code: 4,
    message: "ERR wrong number of arguments for 'get' command",
  });
});

Deno.test("string writes publish Redis's keyspace events", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$g" });
  using sub = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await sub.cmd("PSUBSCRIBE", "__keyevent@0__:*"), [
    "psubscribe",
    "__keyevent@0__:*",
    1,
  ]);
  const commands: string[][] = [
    ["SET", "k", "1", "EX", "100"],
    ["INCRBY", "k", "2"],
    ["INCRBYFLOAT", "k", "1.5"],
    ["APPEND", "k", "0"],
    ["SETRANGE", "k", "0", "9"],
    ["GETDEL", "k"],
    ["MSET", "a", "1"],
    ["GETEX", "a", "PX", "100000"],
    ["GETEX", "a", "PERSIST"],
  ];
  for (const command of commands) await c.cmd(...command);
  // A final marker: every event before it has been published by now.
  await c.cmd("DEL", "a");
  const events: string[] = [];
  for (;;) {
    const [, , channel = "", key] = plain(await sub.read()) as string[];
    events.push(`${channel.split(":")[1]} ${key}`);
    if (channel.endsWith(":del") && key === "a") break;
  }
  deepEqual(events, [
    "set k",
    "expire k",
    "incrby k",
    "incrbyfloat k",
    "append k",
    "setrange k",
    "del k",
    "set a",
    "expire a",
    "persist a",
    "del a",
  ]);
});

Deno.test("GET returns every byte of values short and long, ASCII and binary, on both protocols", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using n = await NativeClient.connect(srv.port);
  const binary = (length: number) =>
    String.fromCharCode(...Array.from({ length }, (_, i) => (i * 37 + 200) & 0xff));
  const values = [
    "",
    "v",
    "x".repeat(63),
    "x".repeat(64),
    "y".repeat(1000),
    "z".repeat(1024),
    "w".repeat(1025),
    binary(64),
    binary(700),
    binary(5000),
    "\r\n$3\r\n" + "a".repeat(100),
  ];
  for (const [i, value] of values.entries()) {
    const key = `v${i}`;
    equal(await c.cmd("SET", key, value), "OK");
    equal(await c.cmd("GET", key), value);
    deepEqual(await n.call("get", key), { type: "str", value });
    // Overwritten in place (same length) and then longer: still what was written last.
    const same = value.split("").reverse().join("");
    await c.cmd("SET", key, same);
    equal(await c.cmd("GET", key), same);
    await c.cmd("APPEND", key, "!");
    equal(await c.cmd("GET", key), same + "!");
  }
  await c.cmd("LPUSH", "list", "a");
  deepEqual(await c.cmd("GET", "list"), {
    error: "WRONGTYPE Operation against a key holding the wrong kind of value",
  });
  // MGET copies each value out before its next lookup, which may delete an expired key.
  await c.cmd("SET", "gone", "x", "PX", "1");
  await new Promise((resolve) => setTimeout(resolve, 5));
  const keys = values.flatMap((_, i) => [`v${i}`, "list", "gone", "missing"]);
  const expected = values.flatMap((value) => [
    value.split("").reverse().join("") + "!",
    null,
    null,
    null,
  ]);
  deepEqual(await c.cmd("MGET", ...keys), expected);
  deepEqual(
    await n.call("mget", ...keys),
    {
      type: "arr",
      values: expected.map((value) => value === null ? { type: "nil" } : { type: "str", value }),
    },
  );
});
