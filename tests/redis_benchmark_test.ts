/** The real redis-benchmark runs its standard tests against our server without an error. */
import { deepEqual, equal } from "node:assert/strict";
import { run, startServer } from "./helpers.ts";

const TESTS = "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset";

/** The names redis-benchmark -q prints, one line per test it ran. */
const EXPECTED = [
  "PING_INLINE",
  "PING_MBULK",
  "SET",
  "GET",
  "INCR",
  "LPUSH",
  "RPUSH",
  "LPOP",
  "RPOP",
  "SADD",
  "HSET",
  "SPOP",
  "ZADD",
  "ZPOPMIN",
  "LPUSH (needed to benchmark LRANGE)",
  "LRANGE_100 (first 100 elements)",
  "LRANGE_300 (first 300 elements)",
  "LRANGE_500 (first 500 elements)",
  "LRANGE_600 (first 600 elements)",
  "MSET (10 keys)",
];

Deno.test("redis-benchmark -q -n 20000 completes every test with no error", async () => {
  await using srv = startServer();
  const result = await run("redis-benchmark", [
    "-p",
    String(srv.port),
    "-q",
    "-n",
    "20000",
    "-t",
    TESTS,
  ]);
  equal(result.stderr, "");
  equal(result.code, 0);
  // -q redraws a progress line with \r; keep each test's final line.
  const lines = result.stdout.split("\n").map((l) => l.split("\r").at(-1)!.trim()).filter((l) =>
    l !== ""
  );
  deepEqual(lines.map((l) => l.slice(0, l.indexOf(": "))), EXPECTED);
  for (const line of lines) equal(/: [\d.]+ requests per second/.test(line), true, line);
});
