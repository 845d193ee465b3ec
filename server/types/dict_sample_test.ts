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
