/**
 * The bench's many-key prefill (bench/sweep_commands.ts fillKeys) writes the
 * same keys, values and TTLs on redis-server and on redis-home: the sweep's
 * "100k keys" rows compare the two servers over the same data.
 */
import { deepEqual, equal } from "node:assert/strict";
import { fillKeys, SWEEP_COMMANDS } from "../bench/sweep_commands.ts";
import { onBoth } from "./redis_compare.ts";
import type { RespClient } from "./helpers.ts";

/** Every key the fill wrote, sorted, with its type, its length and whether it has a TTL. */
async function written(c: RespClient): Promise<string[]> {
  const keys = (await c.cmd("KEYS", "*") as string[]).sort();
  const rows: string[] = [];
  for (const key of keys) {
    const type = await c.cmd("TYPE", key);
    const ttl = Number(await c.cmd("TTL", key));
    const size = type === "string"
      ? await c.cmd("STRLEN", key)
      : await c.cmd("OBJECT", "ENCODING", key);
    rows.push(`${key} ${type} ${size} ${ttl > 99_000 ? "ttl" : ttl}`);
  }
  return rows;
}

Deno.test("fillKeys writes the same keys, values and TTLs on both servers", async () => {
  const [want, got] = await onBoth(async (c) => {
    await c.cmd(...fillKeys(["SET", "value"], 3, 20));
    const strings = await written(c);
    await c.cmd("FLUSHALL");
    await c.cmd(...fillKeys(["HSET", "f", "v"], 0, 5));
    return [...strings, ...await written(c)];
  });
  deepEqual(got, want);
  equal(want.length, 25);
  equal(want[0], "key:000000000000 string 5 ttl");
  equal(want[20], "key:000000000000 hash listpack -1");
  equal(want.filter((row) => row.endsWith(" ttl")).length, 7);
});

Deno.test("each 100k-keys row of the sweep names keys the fill writes", () => {
  for (const command of SWEEP_COMMANDS.filter((c) => c.family === "100k keys")) {
    equal(command.random, 100_000, command.name);
    equal(command.prefill[0]![0], "EVAL", command.name);
    equal(command.command[1], "key:__rand_int__", command.name);
  }
});
