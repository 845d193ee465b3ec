/**
 * SLOWLOG and LATENCY end to end: entry shape, trimming and redaction as
 * Redis 7.0, the thresholds, blocked commands logged once served, and the
 * replies that do not depend on timing compared with redis-server.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { sameAsRedis } from "./redis_compare.ts";
import { waitFor } from "./replication_helpers.ts";

type Entry = [number, number, number, string[], string, string];

async function entries(c: RespClient, count = "-1"): Promise<Entry[]> {
  return await c.cmd("SLOWLOG", "GET", count) as Entry[];
}

Deno.test("SLOWLOG: errors, HELP and empty replies as redis-server", async () => {
  await sameAsRedis([
    ["SLOWLOG", "RESET"],
    ["SLOWLOG", "LEN"],
    ["SLOWLOG", "HELP"],
    ["SLOWLOG", "GET", "-2"],
    ["SLOWLOG", "GET", "x"],
    ["SLOWLOG", "GET", "1", "2"],
    ["SLOWLOG", "LEN", "x"],
    ["SLOWLOG", "NOPE"],
    ["SLOWLOG"],
    ["LATENCY", "HELP"],
    ["LATENCY", "HELP", "x"],
    ["LATENCY", "LATEST"],
    ["LATENCY", "HISTORY", "command"],
    ["LATENCY", "RESET", "nope"],
    ["LATENCY", "RESET"],
    ["LATENCY", "GRAPH", "command"],
    ["LATENCY", "DOCTOR"],
    ["LATENCY", "NOPE"],
  ], { config: { "slowlog-log-slower-than": "-1" } });
});

Deno.test("SLOWLOG: entries hold id, time, duration, trimmed arguments, address, name", async () => {
  await using server = startServer({ "slowlog-log-slower-than": "0" });
  using c = await RespClient.connect(server.port);
  await c.cmd("CLIENT", "SETNAME", "probe");
  await c.cmd("SLOWLOG", "RESET");
  const many = Array.from({ length: 31 }, (_, i) => String(i + 3));
  await c.cmd("SADD", "set", ...many);
  await c.cmd("SADD", "set", "foo", "A".repeat(129));
  const [long, wide, reset] = await entries(c);
  ok(long && wide && reset);
  deepEqual(reset[3], ["SLOWLOG", "RESET"]);
  deepEqual(wide[3], ["SADD", "set", ...many.slice(0, 29), "... (2 more arguments)"]);
  deepEqual(long[3], ["SADD", "set", "foo", "A".repeat(128) + "... (1 more bytes)"]);
  equal(long[0], wide[0] + 1);
  ok(Math.abs(long[1] - Date.now() / 1000) < 5);
  ok(long[2] >= 0);
  match(long[4], /^127\.0\.0\.1:\d+$/);
  equal(long[5], "probe");
  equal((await entries(c, "1")).length, 1);
  equal((await entries(c, "0")).length, 0);
});

Deno.test("SLOWLOG: secrets are redacted, EXEC is not logged but its commands are", async () => {
  await using server = startServer({ "slowlog-log-slower-than": "0" });
  using c = await RespClient.connect(server.port);
  await c.cmd("CONFIG", "SET", "masterauth", "secret", "maxmemory-samples", "5");
  await c.cmd("AUTH", "user", "pass");
  await c.cmd("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n");
  await c.cmd("MULTI");
  await c.cmd("SET", "k", "v");
  await c.cmd("EXEC");
  const logged = (await entries(c)).map((e) => e[3].join(" "));
  deepEqual(logged.slice(0, 5), [
    "SET k v",
    "MULTI",
    "HELLO 2 AUTH (redacted) (redacted) SETNAME n",
    "AUTH (redacted) (redacted)",
    "CONFIG SET masterauth (redacted) maxmemory-samples 5",
  ]);
});

Deno.test("SLOWLOG: thresholds, max length, and a blocked command logged once served", async () => {
  await using server = startServer({ "slowlog-log-slower-than": "100000" });
  using c = await RespClient.connect(server.port);
  using waiter = await RespClient.connect(server.port);
  await c.cmd("PING");
  equal(await c.cmd("SLOWLOG", "LEN"), 0);
  await c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
  for (let i = 0; i < 10; i++) await c.cmd("PING");
  equal(await c.cmd("SLOWLOG", "LEN"), 3);
  await c.cmd("CONFIG", "SET", "slowlog-max-len", "1");
  equal(await c.cmd("SLOWLOG", "LEN"), 1);
  await c.cmd("CONFIG", "SET", "slowlog-max-len", "10");
  await waiter.send("BLPOP", "l", "0");
  while (server.server.blocking.blockedClients === 0) await new Promise((r) => setTimeout(r, 5));
  await c.cmd("SLOWLOG", "RESET");
  await c.cmd("LPUSH", "l", "x");
  deepEqual(await waiter.cmd(), ["l", "x"]);
  const logged = (await entries(c)).map((e) => e[3].join(" "));
  deepEqual(logged, ["BLPOP l 0", "LPUSH l x", "SLOWLOG RESET"]);
  await c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1");
  await c.cmd("SLOWLOG", "RESET");
  await c.cmd("PING");
  equal(await c.cmd("SLOWLOG", "LEN"), 0);
});

Deno.test("LATENCY: DEBUG SLEEP past the threshold is a command event", async () => {
  await using server = startServer({
    "latency-monitor-threshold": "50",
    "enable-debug-command": "yes",
  });
  using c = await RespClient.connect(server.port);
  await c.cmd("DEBUG", "SLEEP", "0.06");
  const latest = await c.cmd("LATENCY", "LATEST") as [string, number, number, number][];
  equal(latest.length, 1);
  const [name, time, latency, max] = latest[0] ?? [];
  equal(name, "command");
  ok(latency !== undefined && latency >= 60 && max === latency);
  deepEqual(await c.cmd("LATENCY", "HISTORY", "command"), [[time, latency]]);
  match(String(await c.cmd("LATENCY", "DOCTOR")), /1\. command: 1 latency spikes/);
  match(String(await c.cmd("LATENCY", "GRAPH", "command")), /^command - high \d+ ms/);
  equal(await c.cmd("LATENCY", "RESET"), 1);
  deepEqual(await c.cmd("LATENCY", "LATEST"), []);
});

Deno.test("LATENCY HISTOGRAM: calls per command, subcommands under their container", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("CONFIG", "RESETSTAT");
  await c.cmd("SET", "a", "b");
  await c.cmd("SET", "c", "d");
  await c.cmd("CLIENT", "ID");
  const all = await c.cmd("LATENCY", "HISTOGRAM", "set", "client", "nope") as unknown[];
  equal(all.length, 4);
  equal(all[0], "set");
  const set = all[1] as unknown[];
  deepEqual(set.slice(0, 3), ["calls", 2, "histogram_usec"]);
  equal(all[2], "client|id");
});

Deno.test("INFO latencystats: the configured percentiles per timed command", async () => {
  await using server = startServer({ "slowlog-log-slower-than": "0" });
  using c = await RespClient.connect(server.port);
  await c.cmd("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.9");
  await c.cmd("SET", "a", "b");
  const info = String(await c.cmd("INFO", "latencystats"));
  match(info, /^# Latencystats\r\n/);
  match(info, /\r\nlatency_percentiles_usec_set:p50=\d+\.000,p99\.9=\d+\.000\r\n/);
  await c.cmd("CONFIG", "SET", "latency-tracking", "no");
  equal(String(await c.cmd("INFO", "latencystats")).trim(), "# Latencystats");
});

Deno.test("SLOWLOG: at the default threshold a slow command is logged with its duration, quick ones not", async () => {
  await using server = startServer({ "enable-debug-command": "yes" });
  using c = await RespClient.connect(server.port);
  for (let i = 0; i < 40; i++) await c.cmd("SET", `k${i}`, "v");
  // A quick command is logged only if it really took 10 ms (a loaded machine may make one so).
  for (const logged of await entries(c)) ok(logged[2] >= 10000, `logged after ${logged[2]} µs`);
  equal(await c.cmd("SLOWLOG", "RESET"), "OK");
  await c.cmd("DEBUG", "SLEEP", "0.02");
  const [entry] = await entries(c);
  deepEqual(entry?.[3], ["DEBUG", "SLEEP", "0.02"]);
  // Timed on the millisecond clock unless sampled: within a millisecond of the sleep.
  ok(entry !== undefined && entry[2] >= 19000 && entry[2] < 1000000, `duration ${entry?.[2]}`);
  equal(await c.cmd("SLOWLOG", "LEN"), 1);
});

Deno.test("LATENCY: a background save's and an AOF rewrite's slices are events", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using server = startServer({
      dir,
      "latency-monitor-threshold": "1",
    });
    using c = await RespClient.connect(server.port);
    // Enough data for several slices: a slice that does not finish runs its whole 2 ms.
    for (let batch = 0; batch < 100; batch++) {
      const pairs = Array.from({ length: 1000 }, (_, i) => [`key:${batch}:${i}`, "value"]);
      await c.cmd("MSET", ...pairs.flat());
    }
    const events = async () =>
      (await c.cmd("LATENCY", "LATEST") as [string, ...number[]][]).map(([name]) => name);
    const idle = (field: string) => async () => {
      const info = String(await c.cmd("INFO", "persistence"));
      return info.includes(`${field}:0`) || undefined;
    };
    equal(await c.cmd("BGSAVE"), "Background saving started");
    await waitFor("the save", idle("rdb_bgsave_in_progress"));
    ok((await events()).includes("rdb-save-slice"));
    ok(!(await events()).includes("aof-rewrite-slice"));
    equal(await c.cmd("CONFIG", "SET", "appendonly", "yes"), "OK");
    await waitFor("the rewrite", idle("aof_rewrite_in_progress"));
    ok((await events()).includes("aof-rewrite-slice"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("INFO latencystats: one call fills a histogram, none while latency-tracking is off", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  const percentiles = async (name: string) =>
    String(await c.cmd("INFO", "latencystats")).includes(`latency_percentiles_usec_${name}:`);
  // As redis-server 7: a call while tracking is off is not in the histogram.
  await c.cmd("CONFIG", "RESETSTAT");
  await c.cmd("CONFIG", "SET", "latency-tracking", "no");
  await c.cmd("SET", "a", "b");
  await c.cmd("CONFIG", "SET", "latency-tracking", "yes");
  await c.cmd("GET", "a");
  equal(await percentiles("set"), false);
  equal(await percentiles("get"), true);
  await c.cmd("SET", "a", "b");
  equal(await percentiles("set"), true);
  await c.cmd("CONFIG", "RESETSTAT");
  equal(await percentiles("set"), false);
  await c.cmd("SET", "a", "b");
  equal(await percentiles("set"), true);
  const histogram = await c.cmd("LATENCY", "HISTOGRAM", "set") as unknown[];
  deepEqual((histogram[1] as unknown[]).slice(0, 2), ["calls", 1]);
});
