import { equal, ok } from "node:assert/strict";
import { sampleByWalk } from "./dict_sample.ts";
import { RedisSet } from "./set.ts";

Deno.test("sampleByWalk: distinct members, each as likely, in an intset and a table", () => {
  for (const integers of [true, false]) {
    const set = new RedisSet();
    for (let i = 0; i < 100; i++) set.add(integers ? String(i * 7) : `m${i}`);
    equal(set.encoding(), integers ? "intset" : "hashtable");
    const counts = new Map<string, number>();
    for (let round = 0; round < 4000; round++) {
      const picked = new Set<string>();
      ok(sampleByWalk(set, 10, (m) => picked.add(m)));
      equal(picked.size, 10);
      for (const m of picked) {
        ok(set.has(m));
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
    }
    // 400 expected each, ~19 standard deviation: within 5.
    equal(counts.size, 100);
    for (const [m, n] of counts) ok(n > 300 && n < 500, `${m} picked ${n} times`);
  }
  const big = new RedisSet();
  for (let i = 0; i < 1000; i++) big.add(`m${i}`);
  equal(sampleByWalk(big, 10, () => {}), false);
  equal(sampleByWalk(big, 1001, () => {}), false);
});

Deno.test("sampleByWalk: a sample comes in random order, not an intset's sorted one", () => {
  const set = new RedisSet();
  for (let i = 0; i < 100; i++) set.add(String(i));
  let sortedSamples = 0;
  for (let round = 0; round < 50; round++) {
    const sample: number[] = [];
    ok(sampleByWalk(set, 10, (m) => sample.push(Number(m))));
    if (sample.every((v, i) => i === 0 || sample[i - 1]! < v)) sortedSamples++;
  }
  // A random order of 10 is sorted once in 3.6 million draws.
  ok(sortedSamples < 5, `${sortedSamples} of 50 samples came sorted`);
});
