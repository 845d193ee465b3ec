import { deepEqual, equal, ok } from "node:assert/strict";
import { ExpireTable } from "./expire_table.ts";
import { hashBytes } from "./key_hash.ts";
import { xorshift } from "../../tests/xorshift.ts";

Deno.test("ExpireTable agrees with a Map over random sets, gets and deletes, growing and shrinking", () => {
  const random = xorshift(7);
  const table = new ExpireTable();
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
      // With the hash the key table's probe makes from the request's bytes.
      const bytes = new TextEncoder().encode(key);
      equal(table.getHashed(key, hashBytes(bytes, 0, bytes.length)), model.get(key));
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
  const table = new ExpireTable();
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
  const table = new ExpireTable();
  table.set("", 1).set("\x00", 2).set("a\x00b", 3).set("\xff".repeat(300), 4);
  equal(table.get(""), 1);
  equal(table.get("\x00"), 2);
  equal(table.get("a\x00b"), 3);
  equal(table.get("a\x00"), undefined);
  equal(table.get("\xff".repeat(300)), 4);
  equal(table.get("\xff".repeat(299)), undefined);
  const hashed = (key: string) => {
    const bytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
    return table.getHashed(key, hashBytes(bytes, 0, bytes.length));
  };
  equal(hashed("a\x00b"), 3);
  equal(hashed("a\x00c"), undefined);
  equal(hashed("\xff".repeat(300)), 4);
  equal(hashed(""), 1);
  // Same hash, another key (as a collision would be): not found.
  equal(table.getHashed("a\x00c", hashBytes(Uint8Array.of(0x61, 0, 0x62), 0, 3)), undefined);
});

Deno.test("ExpireTable keeps any int64 time, each beside its hash", () => {
  const table = new ExpireTable();
  const times = [
    0,
    1,
    -1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    -(2 ** 32),
    1_765_000_000_123,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 62,
    2 ** 63, // PEXPIREAT of LLONG_MAX, as a double
    -(2 ** 63),
  ];
  times.forEach((when, i) => table.set(`k${i}`, when));
  // Grown through rehashes, and overwritten: each time still reads back as set.
  for (let i = 0; i < 1000; i++) table.set(`filler${i}`, i * 7919);
  times.forEach((when, i) => equal(table.get(`k${i}`), when, `k${i}`));
  table.set("k1", 2 ** 40 + 5);
  equal(table.get("k1"), 2 ** 40 + 5);
  for (let i = 0; i < 1000; i++) equal(table.get(`filler${i}`), i * 7919);
});
