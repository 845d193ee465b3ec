/**
 * INFO and CONFIG GET * name the same fields as Redis 7.0, in the same
 * order, so that exporters and dashboards built for Redis read redis-home.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { onBoth } from "./redis_compare.ts";

/** Redis 7.2's counters redis-home also reports (at the end of INFO stats). */
const LATER_FIELDS = [
  "client_query_buffer_limit_disconnections",
  "client_output_buffer_limit_disconnections",
];

/** Field names of an INFO reply, in order; per-command and per-database lines left out. */
function fieldNames(info: unknown): string[] {
  return String(info).split("\r\n")
    .filter((line) =>
      line !== "" && !/^(cmdstat_|latency_percentiles_usec_|errorstat_|db\d)/.test(line)
    )
    .map((line) => line.split(":")[0]!)
    .filter((name) => !LATER_FIELDS.includes(name));
}

Deno.test("INFO everything: Redis 7.0's sections and fields, in its order", async () => {
  const [want, got] = await onBoth((c) => c.cmd("INFO", "everything"));
  deepEqual(fieldNames(got), fieldNames(want));
});

Deno.test("INFO and INFO default leave out commandstats (no rejected_calls)", async () => {
  await using home = startServer();
  using c = await RespClient.connect(home.port);
  for (const args of [["INFO"], ["INFO", "default"]]) {
    equal(String(await c.cmd(...args)).includes("rejected_calls"), false, args.join(" "));
  }
  equal(String(await c.cmd("INFO", "all")).includes("rejected_calls"), true);
});

Deno.test("CONFIG GET * names every parameter Redis 7.0 has (no more, no fewer)", async () => {
  const [want, got] = await onBoth((c) => c.cmd("CONFIG", "GET", "*"));
  const names = (reply: unknown) => (reply as string[]).filter((_, i) => i % 2 === 0).sort();
  deepEqual(names(got), names(want));
});

Deno.test("COMMAND GETKEYSANDFLAGS: Redis's key flags; SET's and BITFIELD's follow their arguments", async () => {
  const calls = [
    ["LMOVE", "a", "b", "LEFT", "RIGHT"],
    ["RENAME", "a", "b"],
    ["RENAMENX", "a", "b"],
    ["SMOVE", "a", "b", "m"],
    ["DEL", "a", "b"],
    ["MSET", "a", "1", "b", "2"],
    ["SINTERSTORE", "d", "a", "b"],
    ["INCR", "a"],
    ["LPUSH", "a", "x"],
    ["ZPOPMIN", "a"],
    ["HDEL", "a", "f"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["SET", "k", "v"],
    ["SET", "k", "v", "GET"],
    ["BITFIELD", "k"],
    ["BITFIELD", "k", "GET", "u8", "0", "OVERFLOW", "WRAP"],
    ["BITFIELD", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"],
    ["BITFIELD", "k", "nosuch"],
  ];
  const [want, got] = await onBoth(async (c) => {
    const replies = [];
    for (const call of calls) replies.push(await c.cmd("COMMAND", "GETKEYSANDFLAGS", ...call));
    return replies;
  });
  deepEqual(got, want);
});
