/**
 * Stream commands end to end: replies and errors equal to redis-server 7's
 * for the same script, blocking reads (wake-ups, FIFO, timeouts, MULTI,
 * CLIENT UNBLOCK, deleted keys and groups), keyspace notifications, and
 * TYPE / OBJECT ENCODING / SCAN TYPE.
 */
import { deepEqual, equal } from "node:assert/strict";
import { NativeClient, plain, RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

/** Commands whose replies do not depend on the clock. */
const SCRIPT: string[][] = [
  ["XADD", "s"],
  ["XADD", "s", "1-1", "f"],
  ["XADD", "s", "0-0", "f", "v"],
  ["XADD", "s", "NOMKSTREAM", "1-1", "f", "v"],
  ["EXISTS", "s"],
  ["XADD", "s", "1-1", "a", "1", "b", "2"],
  ["XADD", "s", "1-*", "a", "3"],
  ["XADD", "s", "1-1", "a", "1"],
  ["XADD", "s", "0-*", "a", "1"],
  ["XADD", "s", "2-x", "a", "1"],
  ["XADD", "s", "MAXLEN", "-1", "3-0", "a", "1"],
  ["XADD", "s", "MAXLEN", "1", "MINID", "1", "3-0", "a", "1"],
  ["XADD", "s", "LIMIT", "10", "3-0", "a", "1"],
  ["XADD", "s", "MAXLEN", "5", "LIMIT", "10", "3-0", "a", "1"],
  ["XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "3-0", "a", "1"],
  ["XADD", "s", "3", "other", "x", "y", "z"],
  ["XADD", "s", "5-18446744073709551615", "a", "max-seq"],
  ["XADD", "s", "5-*", "a", "1"],
  ["XRANGE", "s", "-", "+"],
  ["XRANGE", "s", "(1-1", "+", "COUNT", "2"],
  ["XRANGE", "s", "-", "(1-1"],
  ["XRANGE", "s", "(-", "+"],
  ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
  ["XRANGE", "s", "-", "(0-0"],
  ["XRANGE", "s", "-", "+", "COUNT", "0"],
  ["XRANGE", "s", "-", "+", "COUNT", "-3"],
  ["XRANGE", "s", "-", "+", "LIMIT", "1"],
  ["XRANGE", "s", "1", "3"],
  ["XRANGE", "missing", "-", "+"],
  ["XREVRANGE", "s", "+", "-", "COUNT", "2"],
  ["XREVRANGE", "s", "3", "1"],
  ["XLEN", "s"],
  ["XLEN", "missing"],
  ["XDEL", "s", "1-2", "9-9", "1-2"],
  ["XDEL", "s", "bad"],
  ["XDEL", "missing", "1-1"],
  ["XTRIM", "s"],
  ["XTRIM", "s", "LIMIT", "1"],
  ["XTRIM", "s", "MAXLEN", "=", "10", "LIMIT", "1"],
  ["XTRIM", "s", "MAXLEN", "3"],
  ["XTRIM", "s", "MINID", "4"],
  ["XTRIM", "missing", "MAXLEN", "0"],
  ["XRANGE", "s", "-", "+"],
  ["XSETID", "s", "1-0"],
  ["XSETID", "s", "9-0", "ENTRIESADDED", "1"],
  ["XSETID", "s", "9-0", "MAXDELETEDID", "10-0"],
  ["XSETID", "s", "9-0", "ENTRIESADDED", "-1"],
  ["XSETID", "missing", "9-0"],
  ["XSETID", "s", "9-0", "ENTRIESADDED", "20", "MAXDELETEDID", "1-5"],
  ["XADD", "s", "9-0", "a", "1"],
  ["XADD", "s", "9-1", "a", "1"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XGROUP", "CREATE", "nokey", "g", "0"],
  ["XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM", "ENTRIESREAD", "-2"],
  ["XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"],
  ["XGROUP", "CREATE", "s", "g2", "0", "BOGUS"],
  ["XGROUP", "SETID", "s", "nogroup", "0"],
  ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
  ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
  ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
  ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
  ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"],
  ["XREADGROUP", "GROUP", "nogroup", "alice", "STREAMS", "s", ">"],
  ["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
  ["XREAD", "STREAMS", "s", ">"],
  ["XREAD", "GROUP", "g", "a", "STREAMS", "s", "0"],
  ["XREAD", "STREAMS", "s"],
  ["XREAD", "COUNT", "2", "STREAMS", "s", "nokey", "0", "0"],
  ["XREAD", "STREAMS", "s", "$"],
  ["XPENDING", "s", "g"],
  ["XPENDING", "s", "g", "-", "+", "10", "alice"],
  ["XPENDING", "s", "g", "(3-0", "+", "10"],
  ["XPENDING", "s", "nogroup"],
  ["XPENDING", "s", "g", "-", "+"],
  ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
  ["XACK", "s", "g", "3-0", "3-0", "bad"],
  ["XACK", "s", "g", "3-0", "3-0"],
  ["XACK", "s", "nogroup", "1-1"],
  ["XCLAIM", "s", "g", "carol", "0", "5-0", "JUSTID"],
  ["XCLAIM", "s", "g", "carol", "x", "5-0"],
  ["XCLAIM", "s", "g", "carol", "0", "5-0", "BOGUS"],
  ["XCLAIM", "s", "nogroup", "carol", "0", "5-0"],
  ["XCLAIM", "s", "g", "carol", "0", "9-0", "FORCE", "RETRYCOUNT", "7", "JUSTID"],
  ["XDEL", "s", "9-1"],
  ["XCLAIM", "s", "g", "carol", "0", "9-1", "FORCE"],
  ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "1"],
  ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "0"],
  ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "JUSTID"],
  ["XAUTOCLAIM", "s", "nogroup", "dave", "0", "0"],
  ["XINFO", "GROUPS", "s"],
  ["XGROUP", "DELCONSUMER", "s", "g", "dave"],
  ["XGROUP", "DELCONSUMER", "s", "g", "nobody"],
  ["XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "3"],
  ["XINFO", "GROUPS", "s"],
  ["XGROUP", "DESTROY", "s", "g"],
  ["XGROUP", "DESTROY", "s", "g"],
  ["XINFO", "STREAM", "s", "FULL", "COUNT", "2"],
  ["XINFO", "STREAM", "missing"],
  ["XINFO", "STREAM", "missing", "FULL", "COUNT"],
  ["XINFO", "STREAM", "s", "FULL", "COUNT"],
  ["XINFO", "CONSUMERS", "s", "nogroup"],
  ["XINFO", "BOGUS", "s"],
  ["XGROUP", "HELP"],
  ["XINFO", "HELP"],
  ["SET", "str", "x"],
  ["XADD", "str", "*", "a", "1"],
  ["XRANGE", "str", "-", "+"],
  ["XREAD", "STREAMS", "str", "0"],
  ["TYPE", "s"],
  ["OBJECT", "ENCODING", "s"],
  ["SCAN", "0", "TYPE", "stream"],
];

async function runScript(client: RespClient): Promise<unknown[]> {
  const replies: unknown[] = [];
  for (const argv of SCRIPT) {
    const reply = await client.cmd(...argv);
    // SCAN's order is the hash table's: compare the keys as a set.
    if (argv[0] === "SCAN") (reply as [string, string[]])[1].sort();
    // Idle times depend on the clock: keep only that they are numbers.
    if (argv[0] === "XPENDING" && argv.length > 3 && Array.isArray(reply)) {
      for (const row of reply as unknown[][]) row[2] = typeof row[2];
    }
    replies.push([argv.join(" "), reply]);
  }
  return replies;
}

Deno.test("stream commands reply and fail as Redis 7 does", async () => {
  using dir = tempDir();
  await using srv = startServer();
  using home = await RespClient.connect(srv.port);
  const redis = ChildServer.redis(dir.path);
  try {
    using real = await redis.connect();
    const expected = await runScript(real);
    const actual = await runScript(home);
    for (let i = 0; i < expected.length; i++) deepEqual(actual[i], expected[i]);
  } finally {
    await redis.stop();
  }
});

/** RESP3: XREAD's map of streams, XINFO's maps, nulls. */
const RESP3_SCRIPT: string[][] = [
  ["HELLO", "3"],
  ["XADD", "r", "1-1", "a", "1"],
  ["XADD", "r", "2-1", "b", "2", "c", "3"],
  ["XADD", "q", "5-0", "z", "9"],
  ["XREAD", "STREAMS", "r", "q", "0", "0"],
  ["XREAD", "COUNT", "1", "STREAMS", "r", "1-1"],
  ["XREAD", "STREAMS", "r", "$"],
  ["XRANGE", "r", "-", "+", "COUNT", "0"],
  ["XINFO", "STREAM", "r"],
  ["XINFO", "STREAM", "r", "FULL"],
  ["XGROUP", "CREATE", "r", "g", "0"],
  ["XINFO", "GROUPS", "r"],
  ["XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "r", ">"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "r", ">"],
  ["XPENDING", "r", "g"],
  ["XAUTOCLAIM", "r", "g", "d", "0", "0"],
];

Deno.test("stream replies in RESP3 are Redis 7's", async () => {
  using dir = tempDir();
  await using srv = startServer();
  using home = await RespClient.connect(srv.port);
  const redis = ChildServer.redis(dir.path);
  try {
    using real = await redis.connect();
    for (const argv of RESP3_SCRIPT) {
      const expected = await real.cmd(...argv);
      const actual = await home.cmd(...argv);
      if (argv[0] !== "HELLO") deepEqual([argv.join(" "), actual], [argv.join(" "), expected]);
    }
  } finally {
    await redis.stop();
  }
});

Deno.test("blocked XREAD and XREADGROUP are woken by XADD, first come first served", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  using writer = await RespClient.connect(srv.port);
  await writer.cmd("XADD", "s", "1-0", "f", "old");
  await writer.cmd("XGROUP", "CREATE", "s", "g", "$");
  await a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
  await b.send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
  await c.send("XREADGROUP", "GROUP", "g", "carol", "BLOCK", "0", "STREAMS", "s", ">");
  // A round trip on a fourth connection: the three reads have all been received.
  await writer.cmd("PING");
  equal(await writer.cmd("XADD", "s", "2-0", "f", "new"), "2-0");
  deepEqual(plain(await a.read()), [["s", [["2-0", ["f", "new"]]]]]);
  deepEqual(plain(await b.read()), [["s", [["2-0", ["f", "new"]]]]]);
  equal(await writer.cmd("XADD", "s", "3-0", "f", "newer"), "3-0");
  deepEqual(plain(await c.read()), [["s", [["3-0", ["f", "newer"]]]]]);
  deepEqual(await writer.cmd("XPENDING", "s", "g"), [2, "2-0", "3-0", [["bob", "1"], [
    "carol",
    "1",
  ]]]);
  equal(await a.cmd("XREAD", "BLOCK", "20", "STREAMS", "s", "$"), null);
});

Deno.test("blocking stream reads: MULTI, CLIENT UNBLOCK, deleted keys and groups, disconnects", async () => {
  await using srv = startServer();
  using reader = await RespClient.connect(srv.port);
  using admin = await RespClient.connect(srv.port);
  await admin.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
  await reader.cmd("MULTI");
  await reader.cmd("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
  deepEqual(await reader.cmd("EXEC"), [null]);
  const id = await reader.cmd("CLIENT", "ID");
  const block = ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"];
  await reader.send(...block);
  await admin.cmd("PING");
  equal(await admin.cmd("CLIENT", "UNBLOCK", String(id)), 1);
  equal(plain(await reader.read()), null);
  await reader.send(...block);
  await admin.cmd("PING");
  await admin.cmd("DEL", "s");
  deepEqual(plain(await reader.read()), { error: "UNBLOCKED the stream key no longer exists" });
  await admin.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
  await reader.send(...block);
  await admin.cmd("PING");
  await admin.cmd("XGROUP", "DESTROY", "s", "g");
  deepEqual(plain(await reader.read()), {
    error: "NOGROUP the consumer group this client was blocked on no longer exists",
  });
  {
    using gone = await RespClient.connect(srv.port);
    await gone.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    await admin.cmd("PING");
  }
  await admin.cmd("XADD", "s", "*", "f", "v");
  const clients = (await admin.cmd("INFO", "clients")) as string;
  equal(/blocked_clients:(\d+)/.exec(clients)?.[1], "0");
});

Deno.test("stream writes publish Redis's keyspace events", async () => {
  await using srv = startServer();
  using sub = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await c.cmd("CONFIG", "SET", "notify-keyspace-events", "Et");
  await sub.cmd("PSUBSCRIBE", "__keyevent@0__:*");
  const writes = [
    ["XADD", "s", "MAXLEN", "1", "1-0", "f", "v"],
    ["XADD", "s", "MAXLEN", "1", "2-0", "f", "v"],
    ["XDEL", "s", "2-0"],
    ["XDEL", "s", "2-0"],
    ["XADD", "s", "3-0", "f", "v"],
    ["XTRIM", "s", "MAXLEN", "0"],
    ["XSETID", "s", "9-0"],
    ["XGROUP", "CREATE", "s", "g", "$"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "c1"],
    // Nothing to read: no consumer is created.
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
    ["XGROUP", "DELCONSUMER", "s", "g", "c1"],
    ["XGROUP", "SETID", "s", "g", "0"],
    ["XGROUP", "DESTROY", "s", "g"],
  ];
  for (const argv of writes) await c.cmd(...argv);
  const events: string[] = [];
  for (let i = 0; i < 12; i++) {
    const message = plain(await sub.read()) as string[];
    events.push(message[2]!.slice("__keyevent@0__:".length));
  }
  deepEqual(events, [
    "xadd",
    "xadd",
    "xtrim",
    "xdel",
    "xadd",
    "xtrim",
    "xsetid",
    "xgroup-create",
    "xgroup-createconsumer",
    "xgroup-delconsumer",
    "xgroup-setid",
    "xgroup-destroy",
  ]);
});

Deno.test("XADD to a new key: stored once its entry is in, accounted and announced as Redis's", async () => {
  await using srv = startServer();
  using sub = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await c.cmd("CONFIG", "SET", "notify-keyspace-events", "Etn");
  await sub.cmd("PSUBSCRIBE", "__keyevent@0__:*");
  equal(await c.cmd("XADD", "fresh", "MAXLEN", "0", "1-1", "f", "v"), "1-1");
  equal(await c.cmd("XADD", "new:000000000001", "5-0", "field", "abc", "n", "12"), "5-0");
  // Its account at creation is the one the same stream RESTOREd gets.
  const dump = await c.cmd("DUMP", "new:000000000001") as string;
  equal(await c.cmd("RESTORE", "copy:00000000001", "0", dump), "OK");
  equal(
    await c.cmd("MEMORY", "USAGE", "new:000000000001"),
    await c.cmd("MEMORY", "USAGE", "copy:00000000001"),
  );
  deepEqual(await c.cmd("XLEN", "fresh"), 0);
  const events: string[] = [];
  for (let i = 0; i < 6; i++) {
    const message = plain(await sub.read()) as string[];
    events.push(`${message[2]!.slice("__keyevent@0__:".length)} ${message[3]}`);
  }
  deepEqual(events, [
    "new fresh",
    "xadd fresh",
    "xtrim fresh",
    "new new:000000000001",
    "xadd new:000000000001",
    "new copy:00000000001",
  ]);
});

Deno.test("SWAPDB and FLUSHALL end a blocked XREADGROUP whose stream went away", async () => {
  await using srv = startServer();
  using reader = await RespClient.connect(srv.port);
  using admin = await RespClient.connect(srv.port);
  const gone = { error: "UNBLOCKED the stream key no longer exists" };
  // Redis's "swapped DB, key doesn't exist" and "key is not a stream" cases, then a flush.
  for (const other of [[], ["LPUSH", "s", "e1"]]) {
    await admin.cmd("SELECT", 4);
    await admin.cmd("FLUSHDB");
    if (other.length > 0) await admin.cmd(...other);
    await admin.cmd("SELECT", 9);
    await admin.cmd("DEL", "s");
    await admin.cmd("XADD", "s", "666", "f", "v");
    await admin.cmd("XGROUP", "CREATE", "s", "g", "$");
    await reader.cmd("SELECT", 9);
    await reader.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
    await admin.cmd("PING");
    equal(await admin.cmd("SWAPDB", 4, 9), "OK");
    deepEqual(plain(await reader.read()), gone);
  }
  // The list swapped into db 9 makes way for a stream again.
  equal(await admin.cmd("DEL", "s"), 1);
  equal(await admin.cmd("XADD", "s", "1-1", "f", "v"), "1-1");
  equal(await admin.cmd("XGROUP", "CREATE", "s", "g", "$"), "OK");
  await reader.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
  await admin.cmd("PING");
  equal(await admin.cmd("FLUSHALL"), "OK");
  deepEqual(plain(await reader.read()), gone);
});

Deno.test("XREAD over the native protocol answers as RESP3's map: key, entries", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  deepEqual(await native.call("XADD", "s", "1-1", "f", "v"), { type: "str", value: "1-1" });
  const str = (value: string) => ({ type: "str", value });
  deepEqual(await native.call("XREAD", "STREAMS", "s", "0"), {
    type: "arr",
    values: [str("s"), {
      type: "arr",
      values: [{
        type: "arr",
        values: [str("1-1"), { type: "arr", values: [str("f"), str("v")] }],
      }],
    }],
  });
});
