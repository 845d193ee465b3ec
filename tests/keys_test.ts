/**
 * Generic keyspace commands end to end, with the exact replies of
 * redis-server 7.0 (every expectation here was checked against it).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import type { RedisObject } from "../server/types/value.ts";
import { expectReplies, NativeClient, plain, RespClient, startServer } from "./helpers.ts";

const SYNTAX = { error: "ERR syntax error" };
const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };
const SAME_OBJECT = { error: "ERR source and destination objects are the same" };
const DB_RANGE = { error: "ERR DB index is out of range" };

/** A list as the collection modules store one; clone() makes an independent copy. */
function aList(items: string[] = ["x"]): RedisObject & { items: string[] } {
  return {
    type: "list",
    items,
    encoding: () => "quicklist",
    clone() {
      return aList([...this.items]);
    },
    size: () => items.length,
  };
}

/** KEYS's reply in a stable order (Redis's order is its hash table's). */
async function sortedKeys(c: RespClient, pattern: string): Promise<string[]> {
  return ((await c.cmd("KEYS", pattern)) as string[]).sort();
}

Deno.test("DEL, UNLINK, EXISTS and TYPE", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList());
  await expectReplies(c, [
    [["MSET", "a", "1", "b", "2"], "OK"],
    [["DEL", "a", "b", "c"], 2],
    [["DEL", "a"], 0],
    [["SET", "a", "1"], "OK"],
    [["EXISTS", "a", "a", "a", "nope"], 3],
    [["UNLINK", "a", "alist"], 2],
    [["TYPE", "a"], "none"],
    [["SET", "s", "v"], "OK"],
    [["TYPE", "s"], "string"],
  ]);
  srv.server.dbs[0]!.set("alist", aList());
  equal(await c.cmd("TYPE", "alist"), "list");
});

Deno.test("KEYS matches globs exactly as Redis's stringmatchlen", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd(
    "MSET",
    ...["hello", "hallo", "hillo", "hxllo", "heeeello", "h*llo", "hllo", "h]llo", "s"]
      .flatMap((k) => [k, "1"]),
  );
  const cases: [string, string[]][] = [
    ["h?llo", ["h*llo", "h]llo", "hallo", "hello", "hillo", "hxllo"]],
    ["h*llo", ["h*llo", "h]llo", "hallo", "heeeello", "hello", "hillo", "hllo", "hxllo"]],
    ["h[ae]llo", ["hallo", "hello"]],
    ["h[^e]llo", ["h*llo", "h]llo", "hallo", "hillo", "hxllo"]],
    ["h[a-b]llo", ["hallo"]],
    ["h[b-a]llo", ["hallo"]],
    ["h\\*llo", ["h*llo"]],
    ["h\\?llo", []],
    ["h[\\]]llo", ["h]llo"]],
    ["*ll*", ["h*llo", "h]llo", "hallo", "heeeello", "hello", "hillo", "hllo", "hxllo"]],
    ["h[", []],
    ["\\s", ["s"]],
    ["", []],
    ["*", ["h*llo", "h]llo", "hallo", "heeeello", "hello", "hillo", "hllo", "hxllo", "s"]],
  ];
  for (const [pattern, expected] of cases) {
    deepEqual(await sortedKeys(c, pattern), expected, pattern);
  }
});

Deno.test("SCAN: cursor, MATCH, COUNT and TYPE, and its argument errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  for (let i = 0; i < 100; i++) await c.cmd("SET", `key:${i}`, "v");
  srv.server.dbs[0]!.set("alist", aList());
  const seen: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const [next, keys] = (await c.cmd("SCAN", cursor, "MATCH", "key:1*", "COUNT", 7)) as [
      string,
      string[],
    ];
    seen.push(...keys);
    cursor = next;
    calls++;
  } while (cursor !== "0");
  ok(calls > 1, "COUNT 7 takes several calls");
  deepEqual(seen.sort(), ["key:1", ...Array.from({ length: 10 }, (_, i) => `key:1${i}`)].sort());
  deepEqual(await c.cmd("SCAN", "0", "TYPE", "list", "COUNT", 1000), ["0", ["alist"]]);
  await expectReplies(c, [
    [["SCAN", "0", "COUNT", "abc"], NOT_INTEGER],
    [["SCAN", "0", "COUNT", "0"], SYNTAX],
    [["SCAN", "0", "MATCH"], SYNTAX],
    [["SCAN", "0", "FOO", "bar"], SYNTAX],
    [["SCAN", "abc"], { error: "ERR invalid cursor" }],
    [["SCAN", "18446744073709551616"], { error: "ERR invalid cursor" }],
  ]);
});

Deno.test("SCAN returns every key present for the whole iteration while the table grows and shrinks", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const stable = Array.from({ length: 100 }, (_, i) => `stable:${i}`);
  await c.cmd("MSET", ...stable.flatMap((k) => [k, "v"]));
  const churn = (step: number) => Array.from({ length: 20 }, (_, i) => `churn:${step}:${i}`);
  const capacities = new Set<number>();
  for (const phase of ["grow", "shrink"]) {
    const seen = new Set<string>();
    let cursor = "0";
    let step = 0;
    do {
      const [next, keys] = (await c.cmd("SCAN", cursor, "COUNT", 5)) as [string, string[]];
      for (const key of keys) seen.add(key);
      cursor = next;
      // 800 keys added, then deleted, 20 or 40 at a time: the index resizes
      // from 256 slots to 2048 and back down while the scan runs.
      if (phase === "grow" && step < 40) {
        await c.cmd("MSET", ...churn(step).flatMap((k) => [k, "x"]));
      } else if (phase === "shrink" && step < 20) {
        await c.cmd("DEL", ...churn(2 * step), ...churn(2 * step + 1));
      }
      capacities.add(srv.server.dbs[0]!.dict.allocatedBytes);
      step++;
    } while (cursor !== "0");
    for (const key of stable) ok(seen.has(key), `${phase}: SCAN missed ${key}`);
  }
  equal(srv.server.dbs[0]!.size, 100);
  ok(capacities.size >= 4, "the index was resized during the scans");
});

Deno.test("RANDOMKEY returns a live key, or nil for an empty database", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("RANDOMKEY"), null);
  await c.cmd("MSET", "a", "1", "b", "2");
  await c.cmd("SET", "gone", "v", "PXAT", "1");
  for (let i = 0; i < 20; i++) ok(["a", "b"].includes((await c.cmd("RANDOMKEY")) as string));
  // Keys that expire while no active cycle runs are dropped when drawn.
  await c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0");
  for (let i = 0; i < 20; i++) await c.cmd("SET", `t${i}`, "v", "PX", "1");
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < 20; i++) ok(["a", "b"].includes((await c.cmd("RANDOMKEY")) as string));
});

Deno.test("RENAME and RENAMENX: onto itself, missing keys, overwrites, TTLs", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "hello", "1"], "OK"],
    [["RENAME", "hello", "hello2"], "OK"],
    [["GET", "hello2"], "1"],
    [["EXISTS", "hello"], 0],
    [["RENAME", "nothere", "x"], { error: "ERR no such key" }],
    [["RENAME", "hello2", "hello2"], "OK"],
    [["RENAMENX", "hello2", "hello2"], 0],
    [["RENAME", "nothere", "nothere"], { error: "ERR no such key" }],
    [["RENAMENX", "nothere", "x"], { error: "ERR no such key" }],
    [["SET", "taken", "t"], "OK"],
    [["RENAMENX", "hello2", "taken"], 0],
    [["RENAMENX", "hello2", "fresh"], 1],
    [["GET", "fresh"], "1"],
    [["SET", "tt", "v", "EX", "100"], "OK"],
    [["RENAME", "tt", "tt2"], "OK"],
    [["TTL", "tt2"], 100],
    [["TTL", "tt"], -2],
    [["SET", "dst", "old"], "OK"],
    [["EXPIRE", "dst", "200"], 1],
    [["RENAME", "tt2", "dst"], "OK"],
    [["TTL", "dst"], 100],
    [["SET", "plain", "p"], "OK"],
    [["RENAME", "plain", "dst"], "OK"],
    [["TTL", "dst"], -1],
    [["SET", "n", "12"], "OK"],
    [["APPEND", "n", "3"], 3],
    [["RENAME", "n", "m"], "OK"],
    [["OBJECT", "ENCODING", "m"], "raw"],
    [["SET", "i", "5"], "OK"],
    [["RENAME", "m", "i"], "OK"],
    [["OBJECT", "ENCODING", "i"], "raw"],
    [["SET", "j", "6"], "OK"],
    [["RENAME", "j", "i"], "OK"],
    [["OBJECT", "ENCODING", "i"], "int"],
  ]);
});

Deno.test("COPY: DB and REPLACE options, TTLs, and deep copies of collections", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const list = aList(["a", "b"]);
  srv.server.dbs[0]!.set("alist", list);
  await expectReplies(c, [
    [["SET", "src", "v", "EX", "100"], "OK"],
    [["COPY", "src", "cp"], 1],
    [["TTL", "cp"], 100],
    [["GET", "cp"], "v"],
    [["COPY", "src", "cp"], 0],
    [["SET", "src", "w"], "OK"],
    [["COPY", "src", "cp", "REPLACE"], 1],
    [["GET", "cp"], "w"],
    [["TTL", "cp"], -1],
    [["COPY", "src", "src"], SAME_OBJECT],
    [["COPY", "src", "src", "DB", "0"], SAME_OBJECT],
    [["COPY", "src", "src", "DB", "1"], 1],
    [["COPY", "nothere", "x"], 0],
    [["COPY", "src", "x", "DB", "16"], DB_RANGE],
    [["COPY", "src", "x", "DB", "-1"], DB_RANGE],
    [["COPY", "src", "x", "DB", "abc"], NOT_INTEGER],
    [["COPY", "src", "x", "DB"], SYNTAX],
    [["COPY", "src", "x", "foo"], SYNTAX],
    // The copy takes the source's encoding, not the one the key it replaces had.
    [["SET", "digits", "12"], "OK"],
    [["APPEND", "digits", "3"], 3],
    [["SET", "int", "7"], "OK"],
    [["COPY", "digits", "int", "REPLACE"], 1],
    [["OBJECT", "ENCODING", "int"], "raw"],
    [["SET", "int", "7"], "OK"],
    [["COPY", "int", "digits", "REPLACE"], 1],
    [["OBJECT", "ENCODING", "digits"], "int"],
    [["COPY", "alist", "list2"], 1],
    [["TYPE", "list2"], "list"],
    [["SELECT", "1"], "OK"],
    [["GET", "src"], "w"],
  ]);
  const copied = srv.server.dbs[0]!.get("list2") as ReturnType<typeof aList>;
  ok(copied !== list, "COPY makes a new object");
  list.items.push("c");
  deepEqual(copied.items, ["a", "b"]);
});

Deno.test("MOVE: to another database, with its TTL; refused when taken or same db", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["SET", "m", "v", "EX", "100"], "OK"],
    [["MOVE", "m", "0"], SAME_OBJECT],
    [["MOVE", "m", "16"], DB_RANGE],
    [["MOVE", "m", "-1"], DB_RANGE],
    [["MOVE", "m", "abc"], NOT_INTEGER],
    [["MOVE", "m", "4294967296"], {
      error: "ERR value is out of range, value must between -2147483648 and 2147483647",
    }],
    [["MOVE", "m", "99999999999999999999"], NOT_INTEGER],
    [["MOVE", "nothere", "1"], 0],
    [["MOVE", "m", "1"], 1],
    [["EXISTS", "m"], 0],
    [["SET", "m", "again"], "OK"],
    [["MOVE", "m", "1"], 0],
    [["SELECT", "1"], "OK"],
    [["GET", "m"], "v"],
    [["TTL", "m"], 100],
  ]);
});

Deno.test("TOUCH counts existing keys; OBJECT IDLETIME, FREQ and HELP", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await expectReplies(c, [
    [["MSET", "a", "1", "b", "2"], "OK"],
    [["TOUCH", "a", "b", "nothere", "a"], 3],
  ]);
  // The access clock has Redis's one-second resolution: a tick may fall in between.
  const idle = await c.cmd("OBJECT", "IDLETIME", "a");
  ok(idle === 0 || idle === 1, `OBJECT IDLETIME a: ${idle}`);
  await expectReplies(c, [
    [["OBJECT", "IDLETIME", "nothere"], null],
    [["OBJECT", "FREQ", "a"], {
      error:
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    }],
    [["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], "OK"],
    [["SET", "f", "v"], "OK"],
    [["OBJECT", "FREQ", "f"], 5],
    [["GET", "f"], "v"],
    [["OBJECT", "FREQ", "f"], 6],
    [["OBJECT", "IDLETIME", "f"], {
      error:
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    }],
    [["OBJECT", "foo"], { error: "ERR unknown subcommand 'foo'. Try OBJECT HELP." }],
    [["OBJECT", "ENCODING"], {
      error: "ERR wrong number of arguments for 'object|encoding' command",
    }],
    [["OBJECT", "ENCODING", "a", "b"], {
      error: "ERR wrong number of arguments for 'object|encoding' command",
    }],
  ]);
  const help = (await c.cmd("OBJECT", "HELP")) as string[];
  equal(help.length, 15);
  equal(help[0], "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  equal(help[14], "    Prints this help.");
});

Deno.test("OBJECT ENCODING of other types comes from the value", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  srv.server.dbs[0]!.set("alist", aList());
  equal(await c.cmd("OBJECT", "ENCODING", "alist"), "quicklist");
  equal(await c.cmd("OBJECT", "REFCOUNT", "alist"), 1);
});

Deno.test("the book's native replies: del is INT, keys without a pattern lists every key", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  await native.call("set", "a", "1");
  await native.call("set", "b*", "2");
  deepEqual(await native.call("del", "a"), { type: "int", value: 1n });
  deepEqual(await native.call("del", "a"), { type: "int", value: 0n });
  await native.call("set", "a", "1");
  const all = (await native.call("keys")) as { type: "arr"; values: { value: string }[] };
  deepEqual(all.values.map((v) => v.value).sort(), ["a", "b*"]);
  deepEqual(await native.call("keys", "b\\*"), {
    type: "arr",
    values: [{ type: "str", value: "b*" }],
  });
});

Deno.test("generic writes publish Redis's keyspace events", async () => {
  await using srv = startServer({ "notify-keyspace-events": "Eg" });
  using sub = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await sub.cmd("PSUBSCRIBE", "__keyevent@*__:*"), [
    "psubscribe",
    "__keyevent@*__:*",
    1,
  ]);
  for (
    const command of [
      ["SET", "a", "1"],
      ["RENAME", "a", "b"],
      ["COPY", "b", "c"],
      ["MOVE", "c", "1"],
      ["EXPIRE", "b", "100"],
      ["PERSIST", "b"],
      ["EXPIRE", "b", "-1"],
      ["SET", "d", "1"],
      ["UNLINK", "d"],
    ]
  ) await c.cmd(...command);
  const events: string[] = [];
  while (events.length < 9) {
    const [, , channel = "", key] = plain(await sub.read()) as string[];
    events.push(`${channel.slice("__keyevent@".length)} ${key}`);
  }
  deepEqual(events, [
    "0__:rename_from a",
    "0__:rename_to b",
    "0__:copy_to c",
    "0__:move_from c",
    "1__:move_to c",
    "0__:expire b",
    "0__:persist b",
    "0__:del b",
    "0__:del d",
  ]);
});

Deno.test("reads count keyspace hits and misses as Redis does", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("MSET", "a", "1", "b", "2");
  const stats = async () => {
    const info = (await c.cmd("INFO", "stats")) as string;
    const field = (name: string) => Number(info.match(new RegExp(`${name}:(\\d+)`))![1]);
    return [field("keyspace_hits"), field("keyspace_misses")];
  };
  // [command, hits, misses] from redis-server 7.0's INFO after each one.
  const cases: [string[], number, number][] = [
    [["GET", "a"], 1, 0],
    [["GET", "nope"], 0, 1],
    [["MGET", "a", "b", "nope"], 2, 1],
    [["EXISTS", "a", "nope"], 1, 1],
    [["TYPE", "nope"], 0, 1],
    [["TTL", "a"], 1, 0],
    [["PTTL", "nope"], 0, 1],
    [["SET", "a", "5", "GET"], 1, 0],
    [["SET", "a", "5"], 0, 0],
    [["INCR", "a"], 0, 0],
    [["TOUCH", "a", "nope"], 1, 1],
    [["OBJECT", "ENCODING", "a"], 1, 0],
    [["BITPOS", "nope", "1"], 0, 1],
    [["LCS", "a", "b"], 2, 0],
    [["SCAN", "0", "TYPE", "string"], 2, 0],
    [["RENAME", "b", "c"], 0, 0],
  ];
  for (const [command, hits, misses] of cases) {
    await c.cmd("CONFIG", "RESETSTAT");
    await c.cmd(...command);
    deepEqual(await stats(), [hits, misses], command.join(" "));
  }
});

Deno.test("COPY with REPLACE over a key announces it as new, as Redis's dbAdd after dbDelete", async () => {
  await using srv = startServer({ "notify-keyspace-events": "Egn" });
  using sub = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await sub.cmd("PSUBSCRIBE", "__keyevent@*__:*");
  for (
    const command of [
      ["SET", "a", "1"],
      ["SET", "b", "22", "EX", "100"],
      ["COPY", "a", "b", "REPLACE"],
      ["RPUSH", "l", "x"],
      ["COPY", "l", "b", "REPLACE"],
      ["COPY", "a", "b"],
    ]
  ) await c.cmd(...command);
  const events: string[] = [];
  while (events.length < 8) {
    const [, , channel = "", key] = plain(await sub.read()) as string[];
    events.push(`${channel.slice("__keyevent@0__:".length)} ${key}`);
  }
  // As redis-server 7.0 publishes them for the same commands.
  const replaced = ["new b", "copy_to b"];
  deepEqual(events, ["new a", "new b", "expire b", ...replaced, "new l", ...replaced]);
  await expectReplies(c, [
    [["TTL", "b"], -1],
    [["LRANGE", "b", "0", "-1"], ["x"]],
  ]);
});
