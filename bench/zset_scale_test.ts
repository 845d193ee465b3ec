import { equal, ok } from "node:assert/strict";
import { distinctRandom, scaleOps } from "./zset_scale.ts";

Deno.test("distinctRandom picks k different indexes below n", () => {
  const picked = distinctRandom(1000, 600);
  equal(picked.length, 600);
  equal(new Set(picked).size, 600);
  ok(picked.every((i) => i < 1000));
});

Deno.test("scaleOps builds the set first and removes at most half of it last", () => {
  const ops = scaleOps(100, 500);
  equal(ops[0]!.name, "ZADD");
  equal(ops[0]!.requests.count, 100);
  equal(ops.at(-1)!.name, "ZREM");
  equal(ops.at(-1)!.requests.count, 50);
  equal(ops.find((op) => op.name === "ZQUERY 10")!.servers.join(), "home");
  ok(ops.slice(1, -1).every((op) => op.requests.count === 500));
});
