import { equal } from "node:assert/strict";
import { KeyTable } from "./keytable.ts";
import { hasTtl, markTtl, ttlTimeOf } from "./keytable_access.ts";
import { binary, list, rng } from "./keytable_testing.ts";
import { StringForm } from "./string.ts";
import type { RedisObject } from "./value.ts";
import { valueOf } from "./box_bytes.ts";

Deno.test("a record's expiry time follows its key through rewrites, moves, edits and compaction", () => {
  const random = rng(7);
  const table = new KeyTable();
  const values = new Map<string, string | RedisObject>();
  const times = new Map<string, number>();
  const keys = Array.from(
    { length: 400 },
    (_, i) => `key:${i}` + "k".repeat(i % 9 === 0 ? 1100 : 0),
  );
  const check = (key: string) => {
    const ref = table.refOf(key);
    equal(ref !== 0, values.has(key), key);
    if (ref === 0) return;
    equal(hasTtl(table, ref) ? ttlTimeOf(table, ref) : undefined, times.get(key), key);
    const value = values.get(key);
    if (typeof value === "string") equal(valueOf(table.get(key)), value, key);
  };
  for (let op = 0; op < 40_000; op++) {
    const key = keys[Math.floor(random() * keys.length)]!;
    const r = random();
    const value = values.get(key);
    if (r < 0.2) {
      // SET: a new value of any size, the TTL gone; or KEEPTTL.
      const long = random() < 0.1;
      const text = binary(random, long ? 2000 : Math.floor(random() * 30));
      const how = random();
      if (how < 0.3) {
        // SET EX: the record written with room for the time db's setExpire then gives it.
        const when = 1_750_000_000_000 + op;
        table.set(key, text, StringForm.Encoded, when);
        markTtl(table, key, when);
        times.set(key, when);
      } else if (how < 0.6) {
        table.set(key, text);
        times.delete(key);
      } else if (value !== undefined) table.replace(key, text);
      else continue;
      values.set(key, text);
    } else if (r < 0.35 && value !== undefined) {
      // EXPIRE: a time given, or changed in place.
      const when = 1_700_000_000_000 + Math.floor(random() * 1e9);
      markTtl(table, key, when);
      times.set(key, when);
    } else if (r < 0.4 && value !== undefined) {
      markTtl(table, key, undefined);
      times.delete(key);
    } else if (r < 0.55 && typeof value === "string") {
      // APPEND: grown within its room or moved to a record with more.
      const length = table.editInline(key, -1, "xyz");
      if (length !== undefined) values.set(key, value + "xyz");
    } else if (r < 0.6 && value !== undefined && key.length < 1000) {
      // INCR of a counter: a sum of another length is a new record.
      table.set(key, "99");
      times.delete(key);
      values.set(key, "99");
      if (random() < 0.5) {
        markTtl(table, key, 1_800_000_000_000 + op);
        times.set(key, 1_800_000_000_000 + op);
      }
      equal(table.addToInteger(key, 1), 100);
      values.set(key, "100");
    } else if (r < 0.62 && value === undefined) {
      table.set(key, list());
      values.set(key, valueOf(table.get(key)) as RedisObject);
    } else if (r < 0.8) {
      equal(table.delete(key), values.delete(key));
      times.delete(key);
    }
    check(key);
  }
  // Compaction moved records page to page: every time still reads back.
  for (const key of keys) check(key);
});

Deno.test("a record keeps any int64 expiry time, moved or written in place", () => {
  const table = new KeyTable();
  const times = [
    0,
    1,
    -1,
    2 ** 32 + 1,
    -(2 ** 32),
    1_765_000_000_123,
    Number.MAX_SAFE_INTEGER,
    2 ** 63, // PEXPIREAT of LLONG_MAX, as a double
    -(2 ** 63),
  ];
  times.forEach((when, i) => {
    table.set(`k${i}`, i % 2 === 0 ? `v${i}` : list());
    markTtl(table, `k${i}`, when + 1); // moved to a record with room for a time
    markTtl(table, `k${i}`, when); // written in place
  });
  for (let i = 0; i < 1000; i++) table.set(`filler${i}`, "x".repeat(i % 50));
  times.forEach((when, i) => equal(ttlTimeOf(table, table.refOf(`k${i}`)), when, `k${i}`));
});
