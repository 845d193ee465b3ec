/** Set commands end to end, with Redis 7.0's exact replies. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

function sorted(reply: unknown): string[] {
  return (reply as string[]).slice().sort();
}

Deno.test("SADD/SREM/SISMEMBER/SMISMEMBER/SCARD; an intset answers SMEMBERS sorted", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SADD", "s", "10", "-5", "3", "3"), 3);
  equal(await c.cmd("SADD", "s", "3", "7"), 1);
  deepEqual(await c.cmd("SMEMBERS", "s"), ["-5", "3", "7", "10"]);
  equal(await c.cmd("OBJECT", "ENCODING", "s"), "intset");
  equal(await c.cmd("SISMEMBER", "s", "7"), 1);
  equal(await c.cmd("SISMEMBER", "s", "8"), 0);
  equal(await c.cmd("SISMEMBER", "missing", "8"), 0);
  deepEqual(await c.cmd("SMISMEMBER", "s", "7", "8", "-5"), [1, 0, 1]);
  deepEqual(await c.cmd("SMISMEMBER", "missing", "7"), [0]);
  equal(await c.cmd("SCARD", "s"), 4);
  equal(await c.cmd("SCARD", "missing"), 0);
  equal(await c.cmd("SADD", "s", "007"), 1);
  equal(await c.cmd("OBJECT", "ENCODING", "s"), "hashtable");
  await c.cmd("CONFIG", "SET", "set-max-intset-entries", "2");
  await c.cmd("SADD", "small", "1", "2");
  equal(await c.cmd("OBJECT", "ENCODING", "small"), "intset");
  await c.cmd("SADD", "small", "3");
  equal(await c.cmd("OBJECT", "ENCODING", "small"), "hashtable");
  equal(await c.cmd("SREM", "s", "007", "nope", "10"), 2);
  equal(await c.cmd("SREM", "s", "-5", "3", "7"), 3);
  equal(await c.cmd("EXISTS", "s"), 0);
  equal(await c.cmd("SREM", "s", "1"), 0);
  deepEqual(await c.cmd("SMEMBERS", "missing"), []);
});

Deno.test("SINTER/SUNION/SDIFF and SINTERCARD; RESP3 answers sets", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "a", "1", "2", "3", "4");
  await c.cmd("SADD", "b", "3", "4", "5");
  await c.cmd("SADD", "c", "x", "4", "5");
  deepEqual(sorted(await c.cmd("SINTER", "a", "b")), ["3", "4"]);
  deepEqual(await c.cmd("SINTER", "a", "b", "c"), ["4"]);
  deepEqual(await c.cmd("SINTER", "a", "missing"), []);
  deepEqual(sorted(await c.cmd("SUNION", "a", "b", "missing")), ["1", "2", "3", "4", "5"]);
  deepEqual(await c.cmd("SUNION", "a", "b"), ["1", "2", "3", "4", "5"]);
  deepEqual(await c.cmd("SDIFF", "a", "b"), ["1", "2"]);
  deepEqual(await c.cmd("SDIFF", "a", "b", "c"), ["1", "2"]);
  deepEqual(await c.cmd("SDIFF", "a", "a"), []);
  deepEqual(await c.cmd("SDIFF", "missing", "a"), []);
  equal(await c.cmd("SINTERCARD", "2", "a", "b"), 2);
  equal(await c.cmd("SINTERCARD", "2", "a", "b", "LIMIT", "1"), 1);
  equal(await c.cmd("SINTERCARD", "2", "a", "b", "LIMIT", "0"), 2);
  equal(await c.cmd("SINTERCARD", "2", "a", "missing"), 0);
  deepEqual(await c.cmd("SINTERCARD", "0", "a"), {
    error: "ERR numkeys should be greater than 0",
  });
  deepEqual(await c.cmd("SINTERCARD", "3", "a", "b"), {
    error: "ERR Number of keys can't be greater than number of args",
  });
  deepEqual(await c.cmd("SINTERCARD", "1", "a", "LIMIT", "-1"), {
    error: "ERR LIMIT can't be negative",
  });
  deepEqual(await c.cmd("SINTERCARD", "1", "a", "LIMITS", "1"), { error: "ERR syntax error" });
  await c.cmd("HELLO", "3");
  deepEqual(await c.call("SINTER", "a", "b", "c"), {
    type: "set",
    values: [{ type: "bulk", value: "4" }],
  });
  deepEqual(await c.call("SMEMBERS", "missing"), { type: "set", values: [] });
  equal((await c.call("SRANDMEMBER", "a", "2")).type, "array");
});

Deno.test("the STORE variants overwrite a key of any type and delete it on an empty result", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "a", "1", "2", "3");
  await c.cmd("SADD", "b", "2", "3", "x");
  await c.cmd("SET", "dst", "a string");
  await c.cmd("EXPIRE", "dst", "100");
  equal(await c.cmd("SINTERSTORE", "dst", "a", "b"), 2);
  equal(await c.cmd("TYPE", "dst"), "set");
  equal(await c.cmd("TTL", "dst"), -1);
  deepEqual(await c.cmd("SMEMBERS", "dst"), ["2", "3"]);
  equal(await c.cmd("OBJECT", "ENCODING", "dst"), "intset");
  await c.cmd("RPUSH", "list", "v");
  equal(await c.cmd("SUNIONSTORE", "list", "a", "b"), 4);
  equal(await c.cmd("TYPE", "list"), "set");
  equal(await c.cmd("OBJECT", "ENCODING", "list"), "hashtable");
  await c.cmd("HSET", "hash", "f", "v");
  equal(await c.cmd("SDIFFSTORE", "hash", "a", "b"), 1);
  deepEqual(await c.cmd("SMEMBERS", "hash"), ["1"]);
  equal(await c.cmd("SINTERSTORE", "hash", "a", "missing"), 0);
  equal(await c.cmd("EXISTS", "hash"), 0);
  equal(await c.cmd("SDIFFSTORE", "dst", "a", "a"), 0);
  equal(await c.cmd("EXISTS", "dst"), 0);
  await c.cmd("SET", "str", "v");
  deepEqual(await c.cmd("SINTERSTORE", "out", "missing", "str"), WRONGTYPE);
  deepEqual(await c.cmd("SUNIONSTORE", "out", "str"), WRONGTYPE);
});

Deno.test("SMOVE between sets, to a new key, within one set, and across types", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "a", "1", "2");
  await c.cmd("SADD", "b", "2");
  await c.cmd("SET", "str", "v");
  equal(await c.cmd("SMOVE", "a", "b", "1"), 1);
  equal(await c.cmd("SMOVE", "a", "b", "2"), 1);
  equal(await c.cmd("EXISTS", "a"), 0);
  deepEqual(await c.cmd("SMEMBERS", "b"), ["1", "2"]);
  equal(await c.cmd("SMOVE", "b", "b", "1"), 1);
  equal(await c.cmd("SMOVE", "b", "b", "9"), 0);
  equal(await c.cmd("SMOVE", "b", "new", "9"), 0);
  equal(await c.cmd("SMOVE", "b", "new", "1"), 1);
  deepEqual(await c.cmd("SMEMBERS", "new"), ["1"]);
  equal(await c.cmd("SMOVE", "missing", "str", "1"), 0);
  deepEqual(await c.cmd("SMOVE", "b", "str", "2"), WRONGTYPE);
  deepEqual(await c.cmd("SMOVE", "str", "b", "2"), WRONGTYPE);
  deepEqual(await c.cmd("SMEMBERS", "b"), ["2"]);
});

Deno.test("SPOP and SRANDMEMBER: counts, negative counts (SRANDMEMBER -5 of two), empty sets", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "two", "a", "b");
  const five = await c.cmd("SRANDMEMBER", "two", "-5") as string[];
  equal(five.length, 5);
  ok(five.every((m) => m === "a" || m === "b"));
  deepEqual(sorted(await c.cmd("SRANDMEMBER", "two", "5")), ["a", "b"]);
  equal((await c.cmd("SRANDMEMBER", "two", "1") as string[]).length, 1);
  deepEqual(await c.cmd("SRANDMEMBER", "two", "0"), []);
  ok(["a", "b"].includes(await c.cmd("SRANDMEMBER", "two") as string));
  equal(await c.cmd("SRANDMEMBER", "missing"), null);
  deepEqual(await c.cmd("SRANDMEMBER", "missing", "-3"), []);
  deepEqual(await c.cmd("SRANDMEMBER", "two", "1", "2"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("SRANDMEMBER", "two", "-9223372036854775808"), {
    error:
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  });
  // A huge negative count is refused (as ZRANDMEMBER's) instead of building an unbounded reply.
  for (const count of ["-9223372036854775807", "-16777217"]) {
    deepEqual(await c.cmd("SRANDMEMBER", "two", count), { error: "ERR value is out of range" });
  }
  deepEqual(await c.cmd("SRANDMEMBER", "missing", "-9223372036854775807"), []);
  deepEqual(sorted(await c.cmd("SRANDMEMBER", "two", "9223372036854775807")), ["a", "b"]);

  const members = Array.from({ length: 100 }, (_, i) => `m${i}`);
  await c.cmd("SADD", "s", ...members);
  const distinct = await c.cmd("SRANDMEMBER", "s", "40") as string[];
  equal(new Set(distinct).size, 40);
  const popped = await c.cmd("SPOP", "s", "30") as string[];
  equal(new Set(popped).size, 30);
  equal(await c.cmd("SCARD", "s"), 70);
  for (const m of popped) equal(await c.cmd("SISMEMBER", "s", m), 0);
  equal((await c.cmd("SPOP", "s", "1000") as string[]).length, 70);
  equal(await c.cmd("EXISTS", "s"), 0);
  deepEqual(await c.cmd("SPOP", "s", "2"), []);
  equal(await c.cmd("SPOP", "s"), null);
  deepEqual(await c.cmd("SPOP", "two", "-1"), {
    error: "ERR value is out of range, must be positive",
  });
  deepEqual(await c.cmd("SPOP", "two", "0"), []);
  ok(["a", "b"].includes(await c.cmd("SPOP", "two") as string));
  equal(await c.cmd("SCARD", "two"), 1);
  await c.cmd("HELLO", "3");
  equal((await c.call("SPOP", "two", "3")).type, "set");
  equal(await c.cmd("EXISTS", "two"), 0);
});

Deno.test("SPOP reaches the AOF as SREM (or DEL); set writes publish Redis's events", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  const log: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => log.push([...argv]) });
  using c = await RespClient.connect(srv.port);
  using events = await RespClient.connect(srv.port);
  await events.cmd("PSUBSCRIBE", "__keyevent@0__:*");
  await c.cmd("SADD", "s", "1", "2", "3");
  await c.cmd("SADD", "s", "1");
  const one = await c.cmd("SPOP", "s") as string;
  const two = await c.cmd("SPOP", "s", "1") as string[];
  await c.cmd("SMOVE", "s", "t", (await c.cmd("SMEMBERS", "s") as string[])[0]!);
  await c.cmd("SINTERSTORE", "u", "t", "t");
  await c.cmd("SUNIONSTORE", "u", "t");
  await c.cmd("SDIFFSTORE", "u", "t");
  await c.cmd("SPOP", "t", "5");
  deepEqual(log.slice(0, 3), [["SADD", "s", "1", "2", "3"], ["SREM", "s", one], [
    "SREM",
    "s",
    two[0],
  ]]);
  deepEqual(log.at(-1), ["DEL", "t"]);
  const expected = [
    "sadd s",
    "spop s",
    "spop s",
    "srem s",
    "del s",
    "sadd t",
    "sinterstore u",
    "sunionstore u",
    "sdiffstore u",
    "spop t",
    "del t",
  ];
  const seen: string[] = [];
  while (seen.length < expected.length) {
    const message = await events.read();
    if (message.type !== "array") continue;
    const [, , channel = "", key] = message.values.map((v) => v.type === "bulk" ? v.value : "");
    seen.push(`${channel.replace("__keyevent@0__:", "")} ${key}`);
  }
  deepEqual(seen, expected);
});

Deno.test("SSCAN: an intset in one call, a hashtable by cursor, every member once", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "ints", "3", "1", "2");
  deepEqual(await c.cmd("SSCAN", "ints", "0", "COUNT", "1"), ["0", ["1", "2", "3"]]);
  deepEqual(await c.cmd("SSCAN", "ints", "0", "MATCH", "2"), ["0", ["2"]]);
  deepEqual(await c.cmd("SSCAN", "missing", "0"), ["0", []]);
  const members = Array.from({ length: 2000 }, (_, i) => `member:${i}`);
  await c.cmd("SADD", "big", ...members);
  const seen: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const [next, items] = await c.cmd("SSCAN", "big", cursor, "COUNT", "50") as [
      string,
      string[],
    ];
    seen.push(...items);
    cursor = next;
    calls++;
  } while (cursor !== "0" && calls < 1000);
  equal(seen.length, 2000);
  equal(new Set(seen).size, 2000);
});

Deno.test("every set command refuses another type with WRONGTYPE", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HSET", "h", "f", "v");
  await c.cmd("SADD", "s", "m");
  for (
    const argv of [
      ["SADD", "h", "m"],
      ["SREM", "h", "m"],
      ["SISMEMBER", "h", "m"],
      ["SMISMEMBER", "h", "m"],
      ["SMEMBERS", "h"],
      ["SCARD", "h"],
      ["SPOP", "h"],
      ["SPOP", "h", "2"],
      ["SRANDMEMBER", "h"],
      ["SRANDMEMBER", "h", "2"],
      ["SINTER", "missing", "h"],
      ["SINTERCARD", "2", "missing", "h"],
      ["SUNION", "s", "h"],
      ["SDIFF", "s", "h"],
      ["SSCAN", "h", "0"],
    ]
  ) {
    deepEqual(await c.cmd(...argv), WRONGTYPE, argv.join(" "));
  }
});

Deno.test("SINTERSTORE of integer members held in hash tables: an intset when small, else a hash table", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // 600 integers and a word each: hash tables, whose common members are all integers.
  const numbers = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => String(from + i));
  await c.cmd("SADD", "a", "word", ...numbers(0, 600));
  await c.cmd("SADD", "b", "other", ...numbers(400, 600));
  equal(await c.cmd("SINTERSTORE", "small", "a", "b"), 200);
  equal(await c.cmd("OBJECT", "ENCODING", "small"), "intset");
  deepEqual(await c.cmd("SMEMBERS", "small"), numbers(400, 200));
  await c.cmd("SADD", "c", "word", ...numbers(0, 1000));
  equal(await c.cmd("SINTERSTORE", "large", "c", "c"), 1001);
  equal(await c.cmd("OBJECT", "ENCODING", "large"), "hashtable");
  equal(await c.cmd("SISMEMBER", "large", "999"), 1);
  equal(await c.cmd("SISMEMBER", "large", "word"), 1);
  await c.cmd("SADD", "d", "x", ...numbers(0, 1000));
  await c.cmd("SADD", "e", "y", ...numbers(0, 1000));
  equal(await c.cmd("SINTERSTORE", "ints", "d", "e"), 1000);
  equal(await c.cmd("OBJECT", "ENCODING", "ints"), "hashtable");
  equal(await c.cmd("SCARD", "ints"), 1000);
  equal(await c.cmd("SISMEMBER", "ints", "0"), 1);
});
