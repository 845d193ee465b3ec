import { deepEqual, equal } from "node:assert/strict";
import { prng } from "./prng_testing.ts";
import { RedisSet } from "./set.ts";
import { visitCommon } from "./set_algebra.ts";

// Seeded: the first test counts the draws that qualify, which Math.random left under its bound
// in ~7% of runs.
const random = prng(2022);

/** A random set drawn from a small universe: integers (intsets), words, now and then a long member. */
function randomSet(size: number, integers: boolean): RedisSet {
  const set = new RedisSet();
  for (let i = 0; i < size; i++) {
    const n = Math.floor(random() * 400);
    if (integers) set.add(String(n));
    else if (random() < 0.002) set.add("long:" + "x".repeat(600) + n);
    else set.add(`m${n}${"é".repeat(n % 3)}`);
  }
  return set;
}

function walked(first: RedisSet, others: RedisSet[]): string[] | undefined {
  const found: string[] = [];
  const applied = visitCommon(first, others, (bucket, start, length) => {
    found.push(bucket.substring(start, start + length));
    return true;
  });
  return applied ? found : undefined;
}

Deno.test("the bucket walk finds exactly the members every set holds, in the first set's order", () => {
  let applied = 0;
  for (let round = 0; round < 400; round++) {
    const integers = random() < 0.3;
    const sets = Array.from(
      { length: 2 + Math.floor(random() * 2) },
      () => randomSet(Math.floor(random() * 300), integers),
    );
    sets.sort((a, b) => (b.plainBuckets?.length ?? 0) - (a.plainBuckets?.length ?? 0));
    const [first, ...others] = sets;
    const found = walked(first!, others);
    if (found === undefined) continue;
    applied++;
    const expected = [...first!.members()].filter((m) => others.every((o) => o.has(m)));
    deepEqual(found, expected);
  }
  // Most draws qualify (no resize under way, no long member): the walk is what is tested.
  equal(applied > 200, true);
});

Deno.test("the walk declines a set with more buckets than the first, and stops when told", () => {
  const small = randomSet(20, false);
  const big = randomSet(300, false);
  equal(walked(small, [big]), undefined);
  const same = new RedisSet();
  for (let i = 0; i < 200; i++) same.add(`m${i}`);
  let visits = 0;
  equal(visitCommon(same, [same], () => ++visits !== 5), true);
  equal(visits, 5);
});

Deno.test("the walk finds members whose bucket holds others of the same tag", () => {
  // Thousands of members to a table of buckets of 4-8: many buckets hold two
  // entries of one tag (of 256), whose lookups take the bucket walk.
  const first = new RedisSet();
  const second = new RedisSet();
  const third = new RedisSet();
  for (let i = 0; i < 6000; i++) first.add(`member:${i}`);
  for (let i = 2000; i < 9000; i++) second.add(`member:${i}`);
  for (let i = 0; i < 9000; i += 3) third.add(`member:${i}`);
  const found = walked(first, [second, third]);
  const expected = [...first.members()].filter((m) => second.has(m) && third.has(m));
  equal(expected.length, 1333);
  deepEqual(found, expected);
});

Deno.test("a set built from the walk's entries is the set built from its members", () => {
  let built = 0;
  for (let round = 0; round < 300; round++) {
    const first = new RedisSet();
    const second = new RedisSet();
    const size = Math.floor(random() * 600);
    for (let i = 0; i < size; i++) first.add(`m${Math.floor(random() * 700)}`);
    for (let i = 0; i < size; i++) second.add(`m${Math.floor(random() * 700)}`);
    const [small, big] = first.size() <= second.size() ? [first, second] : [second, first];
    const entries: string[] = [];
    const at: number[] = [];
    const members: string[] = [];
    const walkedAll = visitCommon(small, [big], (bucket, start, length, entry, index) => {
      entries.push(bucket.substring(entry, start + length));
      at.push(index);
      members.push(bucket.substring(start, start + length));
      return true;
    });
    // (The command builds from entries only when some member is not an integer.)
    if (!walkedAll || members.length === 0) continue;
    const fromEntries = RedisSet.fromEntries(entries, at, small.plainBuckets!.length);
    if (fromEntries === undefined) continue;
    built++;
    const fromMembers = RedisSet.fromDistinct(members);
    deepEqual([...fromEntries.members()], [...fromMembers.members()]);
    equal(fromEntries.encoding(), fromMembers.encoding());
    equal(fromEntries.memoryUsage(), fromMembers.memoryUsage());
    equal(fromEntries.packedKind(), fromMembers.packedKind());
    deepEqual(fromEntries.plainBuckets, fromMembers.plainBuckets);
  }
  equal(built > 150, true);
});
