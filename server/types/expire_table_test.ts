import { deepEqual, equal, ok } from "node:assert/strict";
import { ExpireTable } from "./expire_table.ts";
import { xorshift } from "../../tests/xorshift.ts";

Deno.test("ExpireTable agrees with a Map over random sets, gets and deletes, growing and shrinking", () => {
  const random = xorshift(7);
  const table = new ExpireTable(new Map());
  const model = new Map<string, number>();
  for (let round = 0; round < 200_000; round++) {
    // A key pool that grows then shrinks, so the table rehashes both ways.
    const pool = round < 100_000 ? 5000 : 300;
    const key = `k${random() % pool}`;
    const r = random() % 10;
    if (r < 5) {
      const when = 1.7e12 + (random() % 1e6);
      table.set(key, when);
      model.set(key, when);
    } else if (r < 8) equal(table.delete(key), model.delete(key));
    else {
      equal(table.get(key), model.get(key));
      equal(table.has(key), model.has(key));
    }
    equal(table.size, model.size);
  }
  deepEqual(new Map(table.entries()), model);
  deepEqual([...table.keys()].sort(), [...model.keys()].sort());
  deepEqual([...table.values()].sort(), [...model.values()].sort());
  table.clear();
  equal(table.size, 0);
  equal(table.get("k1"), undefined);
});

Deno.test("ExpireTable: an iteration that deletes what it visits (no rehash) visits every entry once", () => {
  const table = new ExpireTable(new Map());
  for (let i = 0; i < 1000; i++) table.set(`key:${i}`, i);
  const seen = new Set<string>();
  // As the active expiry cycle: delete (some of) what the cursor yields, step by step.
  for (const [key, when] of table.entries()) {
    ok(!seen.has(key), key);
    seen.add(key);
    equal(when, Number(key.slice(4)));
    if (when % 3 !== 0) table.delete(key);
  }
  equal(seen.size, 1000);
  equal(table.size, 334);
  for (let i = 0; i < 1000; i++) equal(table.get(`key:${i}`), i % 3 === 0 ? i : undefined);
});

Deno.test("ExpireTable keys are binary strings compared whole", () => {
  const table = new ExpireTable(new Map());
  table.set("", 1).set("\x00", 2).set("a\x00b", 3).set("\xff".repeat(300), 4);
  equal(table.get(""), 1);
  equal(table.get("\x00"), 2);
  equal(table.get("a\x00b"), 3);
  equal(table.get("a\x00"), undefined);
  equal(table.get("\xff".repeat(300)), 4);
  equal(table.get("\xff".repeat(299)), undefined);
});
