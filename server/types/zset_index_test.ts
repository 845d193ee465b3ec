import { deepEqual, equal } from "node:assert/strict";
import { MemberIndex } from "./zset_index.ts";

/** Deletes `member`, compacting ids when the index asks (as the tree does). */
function remove(index: MemberIndex, member: string): boolean {
  const found = index.delete(member);
  if (index.sparse) index.compact();
  return found;
}

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
      // Binary members, some past 255 bytes (a record's long length form).
      const member = i % 3 === 0
        ? `m${random(keep)}`
        : "\xff\x00x".repeat(random(120)) + random(keep);
      if (random(4) === 0) equal(remove(index, member), expected.delete(member));
      else {
        const score = random(3) === 0 ? -0 : random(1000) / 7;
        index.set(member, score);
        expected.set(member, score);
      }
    }
    for (const member of [...expected.keys()]) {
      if (random(10) !== 0) equal(remove(index, member), expected.delete(member));
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
    if (i % 4 !== 0) remove(index, `m${i}`);
    if (i % 20 === 0) index.set(`n${i}`, i);
  }
  for (let step = iterator.next(); !step.done; step = iterator.next()) seen.add(step.value[0]);
  for (let i = 0; i < 3000; i += 4) equal(seen.has(`m${i}`), true);
  equal(index.size, 750 + 150);
});

Deno.test("member index: reserve keeps entries, scores and a live iterator's place", () => {
  const index = MemberIndex.from(Array.from({ length: 100 }, (_, i) => [`m${i}`, i / 2]));
  const iterator = index.entries();
  const seen: string[] = [];
  for (let i = 0; i < 50; i++) seen.push(iterator.next().value![0]);
  index.reserve(5000);
  for (let i = 100; i < 5000; i++) index.set(`m${i}`, i / 2);
  for (let step = iterator.next(); !step.done; step = iterator.next()) seen.push(step.value[0]);
  // Every member once, in id order: nothing started over.
  deepEqual(seen, Array.from({ length: 5000 }, (_, i) => `m${i}`));
  for (let i = 0; i < 5000; i++) equal(index.get(`m${i}`), i / 2);
});

Deno.test("member index: compare orders members as memcmp does, any probe before", () => {
  // Bytes either side of 0x80 (compared unsigned), differences at every
  // position of a four-byte step and its tail, prefixes, long records.
  const alphabet = ["\x00", "\x01", "\x7f", "\x80", "\xfe", "\xff", "a"];
  const members = new Set<string>([""]);
  for (const length of [1, 3, 4, 5, 7, 8, 9, 300]) {
    for (let at = 0; at < Math.min(length, 10); at++) {
      for (const c of alphabet) {
        members.add("b".repeat(at) + c + "b".repeat(length - at - 1));
      }
    }
  }
  const list = [...members];
  const index = MemberIndex.from(list.map((m, i) => [m, i]));
  const sign = (n: number) => n < 0 ? -1 : n > 0 ? 1 : 0;
  for (const held of list) {
    const id = index.idOf(held);
    equal(index.get(held), list.indexOf(held));
    for (const given of list) {
      const expected = held < given ? -1 : held === given ? 0 : 1;
      equal(
        sign(index.compare(id, given)),
        expected,
        `${JSON.stringify(held)} vs ${JSON.stringify(given)}`,
      );
    }
  }
});
