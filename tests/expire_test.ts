/**
 * Expiry: the EXPIRE family and TTL queries with Redis 7.0's replies, lazy
 * expiry (a read never sees an expired key), active expiry (keys nobody
 * reads are reclaimed), and how expiring writes are recorded in the AOF.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import {
  expectReplies,
  NativeClient,
  pipelineOneWrite,
  RespClient,
  startServer,
} from "./helpers.ts";
import { onBoth } from "./redis_compare.ts";

const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };

/** Polls `condition` every 20 ms for at most `ms`; true once it holds. */
async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

Deno.test("EXPIRE options NX, XX, GT, LT and their conflicts", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "k", "v"], "OK"],
    [["EXPIRE", "k", "100", "XX"], 0],
    [["EXPIRE", "k", "100", "GT"], 0],
    [["EXPIRE", "k", "100", "LT"], 1],
    [["EXPIRE", "k", "100", "NX"], 0],
    [["EXPIRE", "k", "200", "XX"], 1],
    [["EXPIRE", "k", "50", "GT"], 0],
    [["EXPIRE", "k", "500", "GT"], 1],
    [["EXPIRE", "k", "1000", "LT"], 0],
    [["EXPIRE", "k", "10", "LT"], 1],
    [["TTL", "k"], 10],
    [["EXPIRE", "k", "5", "xx", "gt"], 0],
    [["EXPIRE", "k", "10", "NX", "XX"], {
      error: "ERR NX and XX, GT or LT options at the same time are not compatible",
    }],
    [["EXPIRE", "k", "10", "GT", "LT"], {
      error: "ERR GT and LT options at the same time are not compatible",
    }],
    [["EXPIRE", "k", "10", "foo"], { error: "ERR Unsupported option foo" }],
    [["PERSIST", "k"], 1],
    [["PERSIST", "k"], 0],
    [["PERSIST", "nothere"], 0],
    [["TTL", "k"], -1],
    [["EXPIRE", "nothere", "10"], 0],
    [["EXPIRE", "k", "abc"], NOT_INTEGER],
    [["EXPIRE", "k", "10.5"], NOT_INTEGER],
  ]);
});

Deno.test("negative, past, huge and overflowing expire times", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const far = Date.now() + 100 * 365 * 86400 * 1000;
  await expectReplies(c, [
    [["SET", "k", "v"], "OK"],
    [["EXPIRE", "k", "9223372036854775807"], {
      error: "ERR invalid expire time in 'expire' command",
    }],
    [["EXPIRE", "k", "-9223372036854775808"], {
      error: "ERR invalid expire time in 'expire' command",
    }],
    [["PEXPIRE", "k", "9223372036854775807"], {
      error: "ERR invalid expire time in 'pexpire' command",
    }],
    [["EXPIREAT", "k", "9223372036854775807"], {
      error: "ERR invalid expire time in 'expireat' command",
    }],
    [["EXPIREAT", "k", "9007199254740"], 1],
    [["PEXPIRETIME", "k"], 9007199254740000],
    [["EXPIRETIME", "k"], 9007199254740],
    [["PEXPIREAT", "k", "9223372036854775807"], 1],
    [["PEXPIRETIME", "k"], 9223372036854775807n],
    [["PEXPIREAT", "k", String(far)], 1],
    [["PEXPIRETIME", "k"], far],
    [["EXPIRETIME", "k"], Math.floor((far + 500) / 1000)],
    [["PEXPIRE", "k", "-9223372036854775808"], 1],
    [["EXISTS", "k"], 0],
    [["SET", "k", "v"], "OK"],
    [["EXPIRE", "k", "-1"], 1],
    [["EXISTS", "k"], 0],
    [["SET", "k", "v"], "OK"],
    [["EXPIREAT", "k", "1"], 1],
    [["EXISTS", "k"], 0],
    [["SET", "k", "v"], "OK"],
    [["PEXPIRE", "k", "0"], 1],
    [["TTL", "k"], -2],
  ]);
});

Deno.test("TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 persistent, rounded seconds", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["TTL", "nothere"], -2],
    [["PTTL", "nothere"], -2],
    [["EXPIRETIME", "nothere"], -2],
    [["PEXPIRETIME", "nothere"], -2],
    [["SET", "k", "v"], "OK"],
    [["TTL", "k"], -1],
    [["PTTL", "k"], -1],
    [["EXPIRETIME", "k"], -1],
    [["PEXPIRETIME", "k"], -1],
    [["PEXPIRE", "k", "1600"], 1],
    // 1.6 s rounds to 2 s, as Redis's (ttl + 500) / 1000.
    [["TTL", "k"], 2],
    [["PEXPIREAT", "k", "99999999999999"], 1],
    [["PEXPIRETIME", "k"], 99999999999999],
    [["EXPIRETIME", "k"], 100000000000],
  ]);
  const pttl = (await c.cmd("PSETEX", "p", "100000", "v"), await c.cmd("PTTL", "p")) as number;
  ok(pttl > 90000 && pttl <= 100000, `PTTL ${pttl}`);
});

Deno.test("a read never sees an expired key", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // PXAT in the past: expired at once, still stored until something looks.
  for (const key of ["a", "b", "c", "d", "e", "f", "g", "h"]) {
    await c.cmd("SET", key, "v", "PXAT", "1");
  }
  await c.cmd("SET", "live", "v");
  await expectReplies(c, [
    [["GET", "a"], null],
    [["EXISTS", "b"], 0],
    [["TTL", "c"], -2],
    [["TYPE", "d"], "none"],
    [["STRLEN", "e"], 0],
    [["APPEND", "f", "x"], 1],
    [["TTL", "f"], -1],
    [["RENAME", "g", "x"], { error: "ERR no such key" }],
    [["GETRANGE", "h", "0", "-1"], ""],
  ]);
  deepEqual(((await c.cmd("KEYS", "*")) as string[]).sort(), ["f", "live"]);
  deepEqual(((await c.cmd("SCAN", "0", "COUNT", 100)) as [string, string[]])[1].sort(), [
    "f",
    "live",
  ]);
});

Deno.test("active expiry reclaims 100,000 keys nobody reads, and their memory", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const db = srv.server.dbs[0]!;
  // One pipelined write of 100,000 SETs with a one second TTL, encoded up
  // front so that its own buffer does not count in the figures below.
  let batch = "";
  for (let i = 0; i < 100_000; i++) {
    const key = `volatile:${i}`;
    batch +=
      `*5\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$5\r\nvalue\r\n$2\r\nPX\r\n$4\r\n1000\r\n`;
  }
  const request = binaryToBytes(batch);
  // The key table's own pages and index: the process-wide figures also move
  // with garbage other tests in this process left behind.
  const before = db.dict.allocatedBytes;
  await c.writeRaw(request);
  for (let i = 0; i < 100_000; i++) await c.read();
  const loaded = db.dict.allocatedBytes;
  ok(loaded - before > 2_000_000, `100,000 keys take room (${loaded - before} bytes)`);
  ok(await eventually(() => db.size === 0, 10_000), `${db.size} keys left`);
  equal(await c.cmd("DBSIZE"), 0);
  equal(db.expires.size, 0);
  // Every key was stored, then removed by expiry (nothing read them).
  equal(srv.server.stats.expiredKeys, 100_000);
  const after = db.dict.allocatedBytes;
  ok(
    after - before < (loaded - before) / 2,
    `memory back: ${after - before} of ${loaded - before}`,
  );
});

Deno.test("a key whose TTL passed is gone for every read, whichever write gave the TTL", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Lazy expiry only; keys with and without TTLs side by side.
  await c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0");
  await c.cmd("SET", "plain", "v");
  await c.cmd("HSET", "h", "f", "v");
  const soon = String(Date.now() + 30);
  for (
    const write of [
      ["PEXPIRE", "h", "30"],
      ["RPUSH", "l", "a"],
      ["PEXPIREAT", "l", soon],
      ["SET", "s", "v", "PX", "30"],
      ["SET", "g", "v"],
      ["GETEX", "g", "PX", "30"],
      ["PSETEX", "p", "30", "v"],
      ["ZADD", "z", "1", "a"],
      ["PEXPIRE", "z", "30"],
      ["SET", "r", "v", "PXAT", soon],
      ["RENAME", "r", "r2"],
      ["SETEX", "cp", "1", "v"],
      ["PEXPIRE", "cp", "30"],
      ["COPY", "cp", "cp2"],
      ["SETBIT", "b", "3", "1"],
      ["PEXPIRE", "b", "30"],
    ]
  ) await c.cmd(...write);
  await new Promise((resolve) => setTimeout(resolve, 80));
  await expectReplies(c, [
    [["HLEN", "h"], 0],
    [["LLEN", "l"], 0],
    [["STRLEN", "s"], 0],
    [["TYPE", "g"], "none"],
    [["GETRANGE", "p", "0", "-1"], ""],
    [["ZCARD", "z"], 0],
    [["OBJECT", "ENCODING", "r2"], null],
    [["TTL", "cp"], -2],
    [["STRLEN", "cp2"], 0],
    [["BITCOUNT", "b"], 0],
    [["STRLEN", "plain"], 1],
  ]);
  equal(await c.cmd("DBSIZE"), 1);
});

Deno.test("TTLs move with RENAME, COPY and MOVE; SET clears them, in-place writes keep them", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "a", "1", "EX", "100"], "OK"],
    [["RENAME", "a", "b"], "OK"],
    [["TTL", "b"], 100],
    [["COPY", "b", "c"], 1],
    [["TTL", "c"], 100],
    [["MOVE", "c", "1"], 1],
    [["INCR", "b"], 2],
    [["APPEND", "b", "0"], 2],
    [["SETRANGE", "b", "0", "3"], 2],
    [["SETBIT", "b", "0", "1"], 0],
    [["TTL", "b"], 100],
    [["GETSET", "b", "x"], "\xb30"],
    [["TTL", "b"], -1],
    [["SELECT", "1"], "OK"],
    [["TTL", "c"], 100],
    [["SET", "c", "new"], "OK"],
    [["TTL", "c"], -1],
  ]);
});

Deno.test("expiring writes reach the AOF as absolute times", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const recorded: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => recorded.push([...argv]) });
  // Absolute times (13 digits) must be 100 to 200 s ahead; shown as <when>.
  const normalized = (args: string[]) =>
    args.map((arg) => {
      if (!/^\d{13}$/.test(arg)) return arg;
      const ahead = Number(arg) - Date.now();
      ok(ahead > 90_000 && ahead <= 200_000, `${args}`);
      return "<when>";
    });
  await c.cmd("SET", "k", "v", "EX", "100");
  await c.cmd("SETEX", "k2", "100", "v");
  await c.cmd("EXPIRE", "k", "200", "GT");
  await c.cmd("PEXPIRE", "k", "100000");
  await c.cmd("GETEX", "k", "EX", "100");
  await c.cmd("GETEX", "k", "PERSIST");
  await c.cmd("EXPIRE", "k", "-1");
  await c.cmd("SET", "k", "v", "GET", "NX");
  await c.cmd("GETDEL", "k");
  await c.cmd("INCRBYFLOAT", "f", "1.5");
  await c.cmd("EXPIRE", "missing", "100");
  deepEqual(recorded.map(normalized), [
    ["SET", "k", "v", "PXAT", "<when>"],
    ["SET", "k2", "v", "PXAT", "<when>"],
    ["PEXPIREAT", "k", "<when>", "GT"],
    ["PEXPIREAT", "k", "<when>"],
    ["PEXPIREAT", "k", "<when>"],
    ["PERSIST", "k"],
    ["DEL", "k"],
    ["SET", "k", "v", "NX"],
    ["DEL", "k"],
    ["SET", "f", "1.5", "KEEPTTL"],
  ]);
});

Deno.test("the book's native pexpire and pttl", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  deepEqual(await native.call("pexpire", "k", "1000"), { type: "int", value: 0n });
  deepEqual(await native.call("pttl", "k"), { type: "int", value: -2n });
  await native.call("set", "k", "v");
  deepEqual(await native.call("pttl", "k"), { type: "int", value: -1n });
  deepEqual(await native.call("pexpire", "k", "100000"), { type: "int", value: 1n });
  const pttl = (await native.call("pttl", "k")) as { type: "int"; value: bigint };
  ok(pttl.value > 90_000n && pttl.value <= 100_000n);
  deepEqual(await native.call("pexpire", "k", "0"), { type: "int", value: 1n });
  deepEqual(await native.call("get", "k"), { type: "nil" });
  await native.call("set", "k", "v");
  deepEqual(await native.call("pexpire", "k", "-5"), { type: "int", value: 1n });
  deepEqual(await native.call("pttl", "k"), { type: "int", value: -2n });
});

Deno.test("the TTL family answers and counts hits, misses and expiries as Redis does", async () => {
  const keys = ["t:1", "t:2", "t:3", "t:4", "t:none"];
  const [want, got] = await onBoth(async (c) => {
    await pipelineOneWrite(c, [
      ["SET", "t:1", "v", "EXAT", "4000000000"],
      ["SET", "t:2", "v"],
      ["SET", "t:3", "v", "PX", "1"],
      ["HSET", "t:4", "f", "v"],
      ["PEXPIREAT", "t:4", "4000000000123"],
      ["CONFIG", "RESETSTAT"],
    ]);
    await new Promise((r) => setTimeout(r, 20));
    const replies = await pipelineOneWrite(
      c,
      keys.flatMap((k) => [["EXPIRETIME", k], ["PEXPIRETIME", k], ["TTL", k], ["PTTL", k]]),
    );
    const stats = String(await c.cmd("INFO", "stats"));
    const counter = (name: string) => new RegExp(`${name}:(\\d+)`).exec(stats)?.[1];
    return {
      // A TTL counted from now differs between the two runs: its sign is compared.
      replies: replies.map((r, i) => i % 4 >= 2 && (r as number) > 0 ? "counting" : r),
      counts: ["keyspace_hits", "keyspace_misses", "expired_keys"].map(counter),
    };
  });
  deepEqual(got, want);
  deepEqual(want.counts, ["12", "8", "1"]);
});
