import { deepEqual, equal, ok } from "node:assert/strict";
import { RedisHash } from "./hash.ts";

Deno.test("resizes move every entry once, whole or split, while reads, writes and scans go on", () => {
  const hash = new RedisHash();
  const expected = new Map<string, string>();
  const value = (i: number) => i % 97 === 0 ? "v".repeat(200 + i % 300) : `v${i}`;
  // A scan started before the growth: every field present throughout must come back.
  for (let i = 0; i < 600; i++) {
    hash.set(`f${i}`, value(i));
    expected.set(`f${i}`, value(i));
  }
  const scan = hash.scanIterator();
  const seen = new Set<string>();
  for (let i = 600; i < 20_000; i++) {
    hash.set(`f${i}`, value(i));
    expected.set(`f${i}`, value(i));
    if (i % 3 === 0) {
      hash.delete(`f${i - 1}`);
      expected.delete(`f${i - 1}`);
    }
    if (i % 5 === 0) equal(hash.get(`f${i - 4}`), expected.get(`f${i - 4}`));
    const step = scan.next();
    if (!step.done) seen.add(step.value[0]);
  }
  for (let step = scan.next(); !step.done; step = scan.next()) seen.add(step.value[0]);
  for (let i = 0; i < 600; i++) if (expected.has(`f${i}`)) ok(seen.has(`f${i}`), `f${i}`);
  equal(hash.count, expected.size);
  deepEqual(new Map(hash.entries()), expected);
  // The accounted bytes are the buckets' own (no slice of an old bucket is counted as its own).
  const accounted = hash.memoryUsage();
  deepEqual(new Map(hash.clone().entries()), expected);
  equal(hash.memoryUsage(), accounted);
  // Shrinking back moves buckets together.
  for (const field of [...expected.keys()].slice(10)) hash.delete(field);
  deepEqual(new Map(hash.entries()), new Map([...expected].slice(0, 10)));
});
