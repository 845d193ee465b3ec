import { deepEqual, equal } from "node:assert/strict";
import { MemberIndex } from "./zset_index.ts";

Deno.test("member index: gets, sets, deletes and shrinks as a Map does", () => {
  const index = new MemberIndex();
  const expected = new Map<string, number>();
  let seed = 7;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 4) % n;
  };
  // Grows past 4,096 members, then deletes down to a few (compaction), twice.
  const phases: [rounds: number, keep: number][] = [[20_000, 6_000], [30_000, 40], [5_000, 3_000]];
  for (const [rounds, keep] of phases) {
    for (let i = 0; i < rounds; i++) {
      const member = i % 3 === 0 ? `m${random(keep)}` : "x".repeat(random(40)) + random(keep);
      if (random(4) === 0) equal(index.delete(member), expected.delete(member));
      else {
        const score = random(3) === 0 ? -0 : random(1000) / 7;
        index.set(member, score);
        expected.set(member, score);
      }
    }
    for (const member of [...expected.keys()]) {
      if (random(10) !== 0) equal(index.delete(member), expected.delete(member));
    }
    equal(index.size, expected.size);
    for (const [member, score] of expected) equal(Object.is(index.get(member), score), true);
    equal(index.get("absent"), undefined);
    deepEqual(new Map(index.entries()), expected);
    deepEqual(new Map(index.clone().entries()), expected);
  }
});

Deno.test("member index: a live iterator returns every member present throughout", () => {
  const index = MemberIndex.from(Array.from({ length: 3000 }, (_, i) => [`m${i}`, i]));
  const iterator = index.entries();
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const step = iterator.next();
    if (!step.done) seen.add(step.value[0]);
    // Deletes of three in four (the table shrinks and its ids are compacted) and adds.
    if (i % 4 !== 0) index.delete(`m${i}`);
    if (i % 20 === 0) index.set(`n${i}`, i);
  }
  for (let step = iterator.next(); !step.done; step = iterator.next()) seen.add(step.value[0]);
  for (let i = 0; i < 3000; i += 4) equal(seen.has(`m${i}`), true);
  equal(index.size, 750 + 150);
});
