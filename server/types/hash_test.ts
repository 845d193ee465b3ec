import { deepEqual, equal, ok } from "node:assert/strict";
import { RedisHash } from "./hash.ts";

function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

Deno.test("hash: set reports new fields, get, delete, insertion order while listpack", () => {
  const hash = new RedisHash();
  equal(hash.set("b", "1"), true);
  equal(hash.set("a", "2"), true);
  equal(hash.set("b", "3"), false);
  equal(hash.get("b"), "3");
  equal(hash.get("zz"), undefined);
  equal(hash.has("a"), true);
  equal(hash.valueLength("b"), 1);
  equal(hash.valueLength("zz"), 0);
  deepEqual([...hash.entries()], [["b", "3"], ["a", "2"]]);
  equal(hash.delete("b"), true);
  equal(hash.delete("b"), false);
  equal(hash.size(), 1);
  equal(hash.type, "hash");
  equal(hash.encoding(), "listpack");
});

Deno.test("hash: rewriting a field with its own value or a same-length one, in either encoding", () => {
  for (const fields of [3, 2000]) {
    const hash = new RedisHash();
    for (let i = 0; i < fields; i++) hash.set(`element:${i}`, "xxx");
    equal(hash.set("element:1", "xxx"), false);
    equal(hash.set("element:2", "xxy"), false);
    equal(hash.set("element:0", "xx"), false);
    equal(hash.get("element:1"), "xxx");
    equal(hash.get("element:2"), "xxy");
    equal(hash.get("element:0"), "xx");
    equal(hash.size(), fields);
  }
});

Deno.test("hash: becomes a hashtable past 512 fields or a 64-byte value, and stays one", () => {
  const many = new RedisHash();
  for (let i = 0; i < 512; i++) many.set(`f${i}`, "v");
  equal(many.encoding(), "listpack");
  many.set("one-more", "v");
  equal(many.encoding(), "hashtable");
  for (let i = 0; i < 510; i++) many.delete(`f${i}`);
  equal(many.encoding(), "hashtable");
  equal(many.size(), 3);

  const long = new RedisHash();
  long.set("f", "x".repeat(64));
  equal(long.encoding(), "listpack");
  long.set("g", "x".repeat(65));
  equal(long.encoding(), "hashtable");
  const longField = new RedisHash();
  longField.set("k".repeat(65), "v");
  equal(longField.encoding(), "hashtable");
});

Deno.test("hash: matches a Map through growth, shrinking and large values", () => {
  const next = random(7);
  const hash = new RedisHash();
  const model = new Map<string, string>();
  for (let step = 0; step < 60000; step++) {
    const field = `field:${next(20000)}`;
    const op = next(10);
    if (op < 6) {
      const value = next(50) === 0 ? "L".repeat(600 + next(100)) : `v${next(1000)}`;
      equal(hash.set(field, value), !model.has(field));
      model.set(field, value);
    } else if (op < 9) {
      equal(hash.delete(field), model.delete(field));
    } else {
      equal(hash.get(field), model.get(field));
    }
    equal(hash.size(), model.size);
  }
  deepEqual(new Map(hash.entries()), model);
  // Deleting most fields shrinks the table; everything left stays reachable.
  for (const field of [...model.keys()].slice(0, model.size - 10)) {
    hash.delete(field);
    model.delete(field);
  }
  for (const [field, value] of model) equal(hash.get(field), value);
  deepEqual(new Map(hash.entries()), model);
});

Deno.test("hash: binary-safe fields and values", () => {
  const hash = new RedisHash();
  const field = "\x00\x80\xff\r\n";
  const value = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  hash.set(field, value);
  hash.set("", "");
  equal(hash.get(field), value);
  equal(hash.get(""), "");
  equal(hash.valueLength(field), 256);
});

Deno.test("hash: random picks cover every field, scans see every field across resizes", () => {
  const hash = new RedisHash();
  for (let i = 0; i < 1000; i++) hash.set(`f${i}`, String(i));
  const seen = new Set<string>();
  for (let i = 0; i < 20000 && seen.size < 1000; i++) {
    const [field, value] = hash.random()!;
    equal(hash.get(field), value);
    seen.add(field);
  }
  equal(seen.size, 1000);

  const iterator = hash.scanIterator();
  const scanned = new Set<string>();
  for (let step = 0;; step++) {
    const next = iterator.next();
    if (next.done) break;
    scanned.add(next.value[0]);
    // Writes between steps: the table grows, then shrinks, during the scan.
    if (step < 300) { for (let k = 0; k < 30; k++) hash.set(`new${step}-${k}`, "v"); }
    else if (step < 600) { for (let k = 0; k < 30; k++) hash.delete(`new${step - 300}-${k}`); }
  }
  for (let i = 0; i < 1000; i++) ok(scanned.has(`f${i}`), `f${i} missed`);
});

Deno.test("hash: a clone is independent and keeps the encoding", () => {
  const hash = new RedisHash();
  for (let i = 0; i < 600; i++) hash.set(`f${i}`, "v");
  const copy = hash.clone();
  hash.set("f1", "changed");
  hash.delete("f2");
  equal(copy.get("f1"), "v");
  equal(copy.get("f2"), "v");
  equal(copy.size(), 600);
  equal(copy.encoding(), "hashtable");
  equal(new RedisHash().clone().encoding(), "listpack");
});

Deno.test("hash: with hash-max-listpack-value above 512, large values stay inline until expanded", () => {
  const hash = new RedisHash();
  const big = "v".repeat(600);
  hash.set("a", big, 512, 1000);
  hash.set("b".repeat(700), "1", 512, 1000);
  equal(hash.encoding(), "listpack");
  equal(hash.get("a"), big);
  equal(hash.valueLength("b".repeat(700)), 1);
  hash.expand();
  equal(hash.encoding(), "hashtable");
  equal(hash.get("a"), big);
  equal(hash.get("b".repeat(700)), "1");
  hash.set("a", "small");
  deepEqual([...hash.entries()].map(([f, v]) => [f.length, v]).sort(), [[1, "small"], [700, "1"]]);
  ok(hash.delete("a") && hash.delete("b".repeat(700)));
  equal(hash.size(), 0);
});

Deno.test("hash: memoryUsage is its string bytes plus structure, before and after expanding", () => {
  const hash = new RedisHash();
  const empty = hash.memoryUsage();
  hash.set("f", "0123456789");
  // One entry: tag, length, field, length, value (14 bytes), rounded up to 8.
  equal(hash.memoryUsage() - empty, 16);
  for (let i = 0; i < 1000; i++) hash.set(`field${i}`, "0123456789");
  const chars = 1000 * (3 + 9 + 10);
  const used = hash.memoryUsage();
  ok(used > chars && used < chars * 2.5, `${used} for ${chars} chars`);
  for (let i = 0; i < 1000; i++) hash.delete(`field${i}`);
  ok(hash.memoryUsage() < 2000, `${hash.memoryUsage()} with one entry left`);
});

Deno.test("a field read then written in two hashes of equal content stays each hash's own", () => {
  const one = new RedisHash();
  const two = new RedisHash();
  for (const hash of [one, two]) {
    hash.set("a", "1");
    hash.set("b", "2");
  }
  equal(one.get("a"), "1");
  two.set("a", "10");
  equal(one.get("a"), "1");
  equal(two.get("a"), "10");
  one.set("a", "100");
  equal(two.get("a"), "10");
  equal(one.get("a"), "100");
  equal(one.get("b"), "2");
});

Deno.test("hash: random picks are uniform, in a listpack, a table, mid-resize, with large entries", () => {
  const check = (hash: RedisHash, fields: number) => {
    const counts = new Map<string, number>();
    const draws = fields * 400;
    for (let i = 0; i < draws; i++) {
      const field = i % 2 === 0 ? hash.randomField()! : hash.random()![0];
      counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    equal(counts.size, fields);
    // 400 expected draws each: 5 standard deviations is ~100.
    for (const [field, n] of counts) ok(n > 280 && n < 520, `${field} drawn ${n} times`);
  };
  const listpack = new RedisHash();
  for (let i = 0; i < 10; i++) listpack.set(`f${i}`, String(i));
  check(listpack, 10);
  const table = new RedisHash();
  for (let i = 0; i < 60; i++) table.set(`f${i}`, "v".repeat(i));
  table.set("large", "x".repeat(600));
  equal(table.encoding(), "hashtable");
  check(table, 61);
  // One more field doubles the table: the picks then span both tables.
  const resizing = new RedisHash();
  resizing.expand();
  for (let i = 0; i < 65; i++) resizing.set(`g${i}`, String(i));
  check(resizing, 65);
  equal(new RedisHash().randomField(), undefined);
});

Deno.test("hash: updates read back right after each write (the found-entry memo), against a Map", () => {
  // Values cross 128 bytes (a two-byte length) and fields share buckets, in a listpack and a table.
  for (const expanded of [false, true]) {
    const next = random(expanded ? 7 : 3);
    const hash = new RedisHash();
    if (expanded) hash.expand();
    const model = new Map<string, string>();
    for (let i = 0; i < 4000; i++) {
      const field = `f${next(12)}`;
      const op = next(10);
      if (op === 0) {
        equal(hash.delete(field), model.delete(field));
      } else if (op < 7) {
        const value = "v".repeat([0, 1, 2, 127, 128, 200][next(6)]!) + next(1000);
        equal(hash.set(field, value), !model.has(field));
        model.set(field, value);
      }
      equal(hash.get(field), model.get(field));
      equal(hash.valueLength(field), model.get(field)?.length ?? 0);
      const other = `f${next(12)}`;
      equal(hash.get(other), model.get(other));
    }
    deepEqual(new Map(hash.entries()), model);
  }
});

Deno.test("hash: random picks read entries with two-byte lengths right, in a listpack and a table", () => {
  for (const fields of [5, 60]) {
    const hash = new RedisHash();
    if (fields > 5) hash.expand();
    // Fields and values of 1 to 300 bytes: one- and two-byte lengths side by side.
    const next = random(fields);
    for (let i = 0; i < fields; i++) {
      hash.set(`f${i}${"k".repeat(next(200))}`, "v".repeat(next(300)) + i, 512, 512);
    }
    equal(hash.encoding(), fields === 5 ? "listpack" : "hashtable");
    const seen = new Set<string>();
    for (let i = 0; i < fields * 100; i++) {
      const [field, value] = hash.random()!;
      equal(hash.get(field), value);
      const only = hash.randomField()!;
      ok(hash.has(only), `${only.length} bytes picked`);
      seen.add(field);
    }
    equal(seen.size, fields);
  }
});

Deno.test("hash: HINCRBY's step in place matches a get, add and set, in a listpack and a table", () => {
  const limits = [512, 64] as const;
  for (const expanded of [false, true]) {
    const next = random(expanded ? 17 : 13);
    const hash = new RedisHash();
    if (expanded) {
      for (let i = 0; i < 40; i++) hash.set(`x${i}`, "v");
      hash.expand();
    }
    const model = new Map<string, string>(hash.entries());
    for (let i = 0; i < 20000; i++) {
      const field = `f${next(20)}`;
      const op = next(20);
      if (op === 0) {
        // A value that is no canonical integer, or one past 15 characters: the step declines.
        const value = ["07", "-0", "x", "", "1234567890123456", "-12"][next(6)]!;
        hash.set(field, value);
        model.set(field, value);
        continue;
      }
      const increment = [1, -1, 9, 10, 99, -100, 12345][next(7)]!;
      const current = model.get(field);
      const parsed = current === undefined ? NaN : current.length < 16 ? parseStrict(current) : NaN;
      const stepped = hash.addWithin(field, increment, limits);
      if (Number.isNaN(stepped)) {
        const expected = Number.isNaN(parsed) ? undefined : String(parsed + increment);
        // Declined: the length or sign changes, or the value is missing or not an integer.
        equal(
          expected === undefined || current === undefined || expected.length !== current.length ||
            (parsed < 0) !== (parsed + increment < 0),
          true,
          `${current} + ${increment}`,
        );
        if (expected !== undefined) {
          hash.set(field, expected);
          model.set(field, expected);
        } else if (current === undefined) {
          hash.set(field, String(increment));
          model.set(field, String(increment));
        }
      } else {
        equal(stepped, parsed + increment);
        model.set(field, String(stepped));
      }
      equal(hash.get(field), model.get(field));
      const other = `f${next(20)}`;
      equal(hash.get(other), model.get(other));
    }
    // A listpack keeps its order through the steps.
    if (expanded) deepEqual(new Map(hash.entries()), model);
    else deepEqual([...hash.entries()], [...model]);
    equal(hash.encoding(), expanded ? "hashtable" : "listpack");
  }
});

Deno.test("hash: a value past a lowered hash-max-listpack-value is not stepped in place (set converts)", () => {
  const hash = new RedisHash();
  hash.set("f", "10");
  hash.set("long-field", "10");
  equal(hash.addWithin("f", 1, [512, 64]), 11);
  equal(Number.isNaN(hash.addWithin("f", 1, [512, 1])), true);
  equal(Number.isNaN(hash.addWithin("long-field", 1, [512, 5])), true);
  equal(hash.encoding(), "listpack");
  equal(hash.get("f"), "11");
});

/** parseInteger's canonical integers, NaN otherwise. */
function parseStrict(text: string): number {
  return /^(0|-?[1-9][0-9]*)$/.test(text) ? Number(text) : NaN;
}
