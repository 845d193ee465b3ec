/** Hash commands end to end, with Redis 7.0's exact replies. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

Deno.test("HSET/HGET/HMGET/HDEL/HLEN/HSTRLEN/HEXISTS; HMSET and HSETNX", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("HSET", "h", "a", "1", "b", "22"), 2);
  equal(await c.cmd("HSET", "h", "a", "111", "c", "3"), 1);
  deepEqual(await c.cmd("HSET", "h", "a"), {
    error: "ERR wrong number of arguments for 'hset' command",
  });
  deepEqual(await c.cmd("HMSET", "h", "d"), {
    error: "ERR wrong number of arguments for 'hmset' command",
  });
  equal(await c.cmd("HMSET", "h", "d", "4"), "OK");
  equal(await c.cmd("HSETNX", "h", "a", "x"), 0);
  equal(await c.cmd("HSETNX", "h", "e", "5"), 1);
  equal(await c.cmd("HGET", "h", "a"), "111");
  equal(await c.cmd("HGET", "h", "zz"), null);
  equal(await c.cmd("HGET", "missing", "a"), null);
  deepEqual(await c.cmd("HMGET", "h", "a", "zz", "b"), ["111", null, "22"]);
  deepEqual(await c.cmd("HMGET", "missing", "a"), [null]);
  equal(await c.cmd("HLEN", "h"), 5);
  equal(await c.cmd("HSTRLEN", "h", "a"), 3);
  equal(await c.cmd("HSTRLEN", "h", "zz"), 0);
  equal(await c.cmd("HEXISTS", "h", "b"), 1);
  equal(await c.cmd("HEXISTS", "h", "zz"), 0);
  equal(await c.cmd("HDEL", "h", "a", "zz", "b"), 2);
  equal(await c.cmd("HDEL", "h", "c", "d", "e"), 3);
  equal(await c.cmd("EXISTS", "h"), 0);
  equal(await c.cmd("HDEL", "h", "a"), 0);
});

Deno.test("HGETALL is a map in RESP3 and a flat array in RESP2; HKEYS and HVALS keep the order", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HSET", "h", "z", "1", "a", "2", "m", "3");
  deepEqual(await c.cmd("HGETALL", "h"), ["z", "1", "a", "2", "m", "3"]);
  deepEqual(await c.cmd("HKEYS", "h"), ["z", "a", "m"]);
  deepEqual(await c.cmd("HVALS", "h"), ["1", "2", "3"]);
  deepEqual(await c.cmd("HGETALL", "missing"), []);
  await c.cmd("HELLO", "3");
  deepEqual(await c.cmd("HGETALL", "h"), new Map([["z", "1"], ["a", "2"], ["m", "3"]]));
  deepEqual(await c.call("HGETALL", "missing"), { type: "map", entries: [] });
});

Deno.test("HINCRBY steps in place and across lengths as Redis 7.0 replies; in-place writes stay accounted", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HSET", "h", "a", "9", "b", "-9", "c", "0", "d", "-0", "e", "007");
  // Redis 7.0.15's replies: a carry into a new digit, a sign change, non-canonical integers.
  const steps: [string, string, number | { error: string }][] = [
    ["a", "1", 10],
    ["a", "-1", 9],
    ["a", "-10", -1],
    ["b", "10", 1],
    ["c", "5", 5],
    ["d", "1", { error: "ERR hash value is not an integer" }],
    ["e", "1", { error: "ERR hash value is not an integer" }],
    ["n", "123456789012345", 123456789012345],
    ["n", "1", 123456789012346],
  ];
  for (const [field, increment, reply] of steps) {
    deepEqual(await c.cmd("HINCRBY", "h", field, increment), reply, `${field} ${increment}`);
  }
  deepEqual(await c.cmd("HGETALL", "h"), [
    "a",
    "-1",
    "b",
    "1",
    "c",
    "5",
    "d",
    "-0",
    "e",
    "007",
    "n",
    "123456789012346",
  ]);
  equal(await c.cmd("OBJECT", "ENCODING", "h"), "listpack");
  // Counted in place, a hash takes what the same content written by HSET takes.
  await c.cmd("HSET", "k", "f", "10", "g", "x");
  for (let i = 0; i < 5; i++) await c.cmd("HINCRBY", "k", "f", "1");
  await c.cmd("HSET", "j", "f", "15", "g", "x");
  equal(await c.cmd("MEMORY", "USAGE", "k"), await c.cmd("MEMORY", "USAGE", "j"));
  // So does HSET of a value of the same length, and a longer one is accounted.
  await c.cmd("HSET", "j", "f", "16");
  await c.cmd("HSET", "k", "f", "16");
  equal(await c.cmd("MEMORY", "USAGE", "k"), await c.cmd("MEMORY", "USAGE", "j"));
  const before = await c.cmd("MEMORY", "USAGE", "k") as number;
  await c.cmd("HSET", "k", "f", "1".repeat(40));
  ok((await c.cmd("MEMORY", "USAGE", "k") as number) > before);
  await c.cmd("HSET", "k", "f", "15");
  // A limit lowered since the value was written converts the hash, as Redis's hashTypeSet does.
  await c.cmd("CONFIG", "SET", "hash-max-listpack-value", "1");
  equal(await c.cmd("HINCRBY", "k", "f", "1"), 16);
  equal(await c.cmd("OBJECT", "ENCODING", "k"), "hashtable");
  equal(await c.cmd("HINCRBY", "k", "f", "1"), 17);
  deepEqual(await c.cmd("HMGET", "k", "f", "g"), ["17", "x"]);
});

Deno.test("HINCRBY and HINCRBYFLOAT: formatting, overflow and bad values", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("HINCRBY", "h", "n", "5"), 5);
  equal(await c.cmd("HINCRBY", "h", "n", "-105"), -100);
  deepEqual(await c.cmd("HINCRBY", "h", "n", "1.5"), {
    error: "ERR value is not an integer or out of range",
  });
  await c.cmd("HSET", "h", "s", "hello", "max", "9223372036854775807", "sp", " 1");
  deepEqual(await c.cmd("HINCRBY", "h", "s", "1"), { error: "ERR hash value is not an integer" });
  deepEqual(await c.cmd("HINCRBY", "h", "sp", "1"), { error: "ERR hash value is not an integer" });
  deepEqual(await c.cmd("HINCRBY", "h", "max", "1"), {
    error: "ERR increment or decrement would overflow",
  });
  equal(await c.cmd("HINCRBYFLOAT", "h", "f", "10.5"), "10.5");
  equal(await c.cmd("HINCRBYFLOAT", "h", "f", "0.1"), "10.6");
  equal(await c.cmd("HINCRBYFLOAT", "h", "g", "0.1"), "0.1");
  equal(await c.cmd("HINCRBYFLOAT", "h", "g", "0.2"), "0.3");
  // Redis adds in long double: its rounding shows in 17 decimals.
  equal(await c.cmd("HINCRBYFLOAT", "h", "g", "5.0e3"), "5000.29999999999999982");
  equal(await c.cmd("HINCRBYFLOAT", "h", "g", "-5000.3"), "0");
  equal(await c.cmd("HINCRBYFLOAT", "h", "n", "0.5"), "-99.5");
  equal(await c.cmd("HINCRBYFLOAT", "h", "x", "1.23456789012345678"), "1.23456789012345678");
  deepEqual(await c.cmd("HINCRBYFLOAT", "h", "g", "abc"), {
    error: "ERR value is not a valid float",
  });
  deepEqual(await c.cmd("HINCRBYFLOAT", "h", "g", "inf"), {
    error: "ERR value is NaN or Infinity",
  });
  deepEqual(await c.cmd("HINCRBYFLOAT", "h", "s", "1"), { error: "ERR hash value is not a float" });
  await c.cmd("HSET", "h", "i", "inf");
  deepEqual(await c.cmd("HINCRBYFLOAT", "h", "i", "1"), {
    error: "ERR increment would produce NaN or Infinity",
  });
});

Deno.test("HRANDFIELD: counts, negative counts, WITHVALUES in both protocols, errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HSET", "h", "a", "1", "b", "2");
  ok(["a", "b"].includes(await c.cmd("HRANDFIELD", "h") as string));
  equal(await c.cmd("HRANDFIELD", "missing"), null);
  deepEqual(await c.cmd("HRANDFIELD", "missing", "3"), []);
  deepEqual(((await c.cmd("HRANDFIELD", "h", "5")) as string[]).sort(), ["a", "b"]);
  deepEqual(await c.cmd("HRANDFIELD", "h", "0"), []);
  const repeated = await c.cmd("HRANDFIELD", "h", "-5") as string[];
  equal(repeated.length, 5);
  ok(repeated.every((f) => f === "a" || f === "b"));
  const flat = await c.cmd("HRANDFIELD", "h", "-3", "WITHVALUES") as string[];
  equal(flat.length, 6);
  for (let i = 0; i < 6; i += 2) equal(flat[i + 1], flat[i] === "a" ? "1" : "2");
  deepEqual(await c.cmd("HRANDFIELD", "h", "1", "VALUES"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("HRANDFIELD", "h", "x"), {
    error: "ERR value is not an integer or out of range",
  });
  deepEqual(await c.cmd("HRANDFIELD", "h", "-9223372036854775808"), {
    error:
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  });
  deepEqual(await c.cmd("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"), {
    error: "ERR value is out of range",
  });
  // A huge negative count is refused (as ZRANDMEMBER's) instead of building an unbounded reply.
  for (
    const args of [["-9223372036854775807"], ["-16777217"], ["-4611686018427387903", "WITHVALUES"]]
  ) {
    deepEqual(await c.cmd("HRANDFIELD", "h", ...args), { error: "ERR value is out of range" });
  }
  deepEqual(await c.cmd("HRANDFIELD", "missing", "-9223372036854775807"), []);
  deepEqual(((await c.cmd("HRANDFIELD", "h", "9223372036854775807")) as string[]).sort(), [
    "a",
    "b",
  ]);
  await c.cmd("HELLO", "3");
  const nested = await c.cmd("HRANDFIELD", "h", "2", "WITHVALUES") as string[][];
  deepEqual(nested.sort(), [["a", "1"], ["b", "2"]]);
});

Deno.test("HSCAN: a listpack hash in one call, a hashtable by cursor; MATCH and COUNT", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HSET", "small", "f1", "v1", "f2", "v2", "g", "v3");
  deepEqual(await c.cmd("HSCAN", "small", "0", "COUNT", "1"), [
    "0",
    ["f1", "v1", "f2", "v2", "g", "v3"],
  ]);
  deepEqual(await c.cmd("HSCAN", "small", "0", "MATCH", "f*"), ["0", ["f1", "v1", "f2", "v2"]]);
  deepEqual(await c.cmd("HSCAN", "missing", "0"), ["0", []]);
  deepEqual(await c.cmd("HSCAN", "small", "0", "NOVALUES"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("HSCAN", "small", "x"), { error: "ERR invalid cursor" });
  const fields = Array.from({ length: 1000 }, (_, i) => [`field:${i}`, String(i)]).flat();
  await c.cmd("HSET", "big", ...fields);
  equal(await c.cmd("OBJECT", "ENCODING", "big"), "hashtable");
  const seen = new Map<string, string>();
  let cursor = "0";
  let calls = 0;
  do {
    const [next, items] = await c.cmd("HSCAN", "big", cursor, "COUNT", "100") as [string, string[]];
    for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
    cursor = next;
    calls++;
  } while (cursor !== "0" && calls < 1000);
  equal(seen.size, 1000);
  equal(seen.get("field:999"), "999");
  ok(calls > 1);
});

Deno.test("hash encodings follow Redis 7.0: listpack up to hash-max-listpack-entries/value", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const fields = Array.from({ length: 512 }, (_, i) => [`f${i}`, "v"]).flat();
  await c.cmd("HSET", "h", ...fields);
  equal(await c.cmd("OBJECT", "ENCODING", "h"), "listpack");
  await c.cmd("HSET", "h", "one-more", "v");
  equal(await c.cmd("OBJECT", "ENCODING", "h"), "hashtable");
  await c.cmd("HSET", "long", "f", "x".repeat(64));
  equal(await c.cmd("OBJECT", "ENCODING", "long"), "listpack");
  await c.cmd("HSET", "long", "f", "x".repeat(65));
  equal(await c.cmd("OBJECT", "ENCODING", "long"), "hashtable");
  await c.cmd("CONFIG", "SET", "hash-max-listpack-entries", "2", "hash-max-listpack-value", "4");
  await c.cmd("HSET", "two", "a", "1", "b", "2");
  equal(await c.cmd("OBJECT", "ENCODING", "two"), "listpack");
  await c.cmd("HSET", "two", "c", "3");
  equal(await c.cmd("OBJECT", "ENCODING", "two"), "hashtable");
  await c.cmd("HINCRBYFLOAT", "float", "f", "0.5");
  equal(await c.cmd("OBJECT", "ENCODING", "float"), "listpack");
  await c.cmd("HINCRBYFLOAT", "float", "f", "0.125");
  equal(await c.cmd("OBJECT", "ENCODING", "float"), "hashtable");
  equal(await c.cmd("COPY", "long", "copy"), 1);
  equal(await c.cmd("OBJECT", "ENCODING", "copy"), "hashtable");
  equal(await c.cmd("TYPE", "copy"), "hash");
  // The old name sets the same limit, read live by the next write.
  await c.cmd("CONFIG", "SET", "hash-max-ziplist-entries", "3");
  await c.cmd("HSET", "three", "a", "1", "b", "2", "c", "3");
  equal(await c.cmd("OBJECT", "ENCODING", "three"), "listpack");
  await c.cmd("HINCRBY", "three", "d", "1");
  equal(await c.cmd("OBJECT", "ENCODING", "three"), "hashtable");
});

Deno.test("every hash command refuses another type with WRONGTYPE", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("RPUSH", "l", "a");
  for (
    const argv of [
      ["HSET", "l", "f", "v"],
      ["HSETNX", "l", "f", "v"],
      ["HMSET", "l", "f", "v"],
      ["HGET", "l", "f"],
      ["HMGET", "l", "f"],
      ["HDEL", "l", "f"],
      ["HLEN", "l"],
      ["HSTRLEN", "l", "f"],
      ["HEXISTS", "l", "f"],
      ["HKEYS", "l"],
      ["HVALS", "l"],
      ["HGETALL", "l"],
      ["HINCRBY", "l", "f", "1"],
      ["HINCRBYFLOAT", "l", "f", "1"],
      ["HRANDFIELD", "l"],
      ["HRANDFIELD", "l", "2"],
      ["HSCAN", "l", "0"],
    ]
  ) {
    deepEqual(await c.cmd(...argv), WRONGTYPE, argv.join(" "));
  }
});

Deno.test("hash writes publish Redis's events; HINCRBYFLOAT reaches the AOF as HSET", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  const log: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => log.push([...argv]) });
  using c = await RespClient.connect(srv.port);
  using events = await RespClient.connect(srv.port);
  await events.cmd("PSUBSCRIBE", "__keyevent@0__:*");
  await c.cmd("HSET", "h", "a", "1");
  await c.cmd("HSET", "h", "a", "1");
  await c.cmd("HSETNX", "h", "a", "2");
  await c.cmd("HINCRBY", "h", "n", "1");
  await c.cmd("HINCRBYFLOAT", "h", "f", "0.1");
  await c.cmd("HDEL", "h", "zz");
  await c.cmd("HDEL", "h", "a", "n", "f");
  const expected = ["hset h", "hset h", "hincrby h", "hincrbyfloat h", "hdel h", "del h"];
  const seen: string[] = [];
  while (seen.length < expected.length) {
    const message = await events.read();
    if (message.type !== "array") continue;
    const [, , channel = "", key] = message.values.map((v) => v.type === "bulk" ? v.value : "");
    seen.push(`${channel.replace("__keyevent@0__:", "")} ${key}`);
  }
  deepEqual(seen, expected);
  deepEqual(log, [
    ["HSET", "h", "a", "1"],
    ["HSET", "h", "a", "1"],
    ["HINCRBY", "h", "n", "1"],
    ["HSET", "h", "f", "0.1"],
    ["HDEL", "h", "a", "n", "f"],
  ]);
});
