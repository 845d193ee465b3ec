import { deepEqual, equal, ok } from "node:assert/strict";
import { compareIntegers, isIntsetMember, RedisSet } from "./set.ts";

Deno.test("set: intset while every member is a canonical int64, kept sorted", () => {
  const set = new RedisSet();
  for (const m of ["10", "-5", "100", "7", "0", "-20"]) equal(set.add(m), true);
  equal(set.add("7"), false);
  deepEqual([...set.members()], ["-20", "-5", "0", "7", "10", "100"]);
  equal(set.encoding(), "intset");
  equal(set.has("100"), true);
  equal(set.has("1"), false);
  set.add("007");
  equal(set.encoding(), "hashtable");
  equal(set.has("007"), true);
  equal(set.has("7"), true);
  equal(set.type, "set");
});

Deno.test("set: intset membership and order rules", () => {
  for (const s of ["0", "-1", "9223372036854775807", "-9223372036854775808"]) ok(isIntsetMember(s));
  for (const s of ["", "-0", "+1", "01", " 1", "1.0", "9223372036854775808", "a"]) {
    ok(!isIntsetMember(s), s);
  }
  const sorted = ["-100", "-99", "-1", "0", "2", "10", "100"];
  deepEqual(sorted.slice().reverse().sort(compareIntegers), sorted);
});

Deno.test("set: more than 512 integers make a hashtable", () => {
  const set = new RedisSet();
  for (let i = 0; i < 512; i++) set.add(String(i));
  equal(set.encoding(), "intset");
  set.add("512");
  equal(set.encoding(), "hashtable");
  for (let i = 0; i <= 512; i++) ok(set.has(String(i)));
  equal(set.size(), 513);
});

Deno.test("set: random members are members, and every one turns up", () => {
  const set = new RedisSet();
  for (let i = 0; i < 300; i++) set.add(`m${i}`);
  const seen = new Set<string>();
  for (let i = 0; i < 10000 && seen.size < 300; i++) seen.add(set.random()![0]);
  equal(seen.size, 300);
  equal(new RedisSet().random(), undefined);
});

Deno.test("set: a clone is independent", () => {
  const set = new RedisSet();
  set.add("1");
  const copy = set.clone();
  set.add("2");
  copy.delete("1");
  deepEqual([...set.members()], ["1", "2"]);
  equal(copy.size(), 0);
  equal(copy.encoding(), "intset");
});

Deno.test("set: a small hashtable set stays one string until it outgrows a bucket", () => {
  const set = new RedisSet();
  const empty = set.memoryUsage();
  for (const m of ["alpha", "beta", "gamma"]) set.add(m);
  equal(set.encoding(), "hashtable");
  // Three entries of tag, length and member (19 bytes), rounded up to 8.
  equal(set.memoryUsage() - empty, 24);
  for (let i = 0; i < 40; i++) set.add(`member${i}`);
  equal(set.encoding(), "hashtable");
  equal(set.size(), 43);
  ok(set.has("beta") && set.has("member39") && !set.has("member40"));
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(set.random()![0]);
  equal(seen.size, 43);
  for (let i = 0; i < 40; i++) ok(set.delete(`member${i}`));
  deepEqual([...set.members()].sort(), ["alpha", "beta", "gamma"]);
});

Deno.test("RedisSet.fromDistinct builds what add() would: encoding, members, lookups, later writes", () => {
  for (const n of [0, 1, 5, 8, 9, 40, 300, 600, 5000]) {
    for (const ints of [true, false]) {
      const members = Array.from({ length: n }, (_, i) => ints ? String(n - i) : `m${i}`);
      const built = RedisSet.fromDistinct(members.slice(), 512);
      const added = new RedisSet();
      for (const m of members) added.add(m, 512);
      equal(built.size(), n);
      equal(built.encoding(), added.encoding(), `n=${n} ints=${ints}`);
      if (built.compact) deepEqual([...built.members()], [...added.members()]);
      else deepEqual([...built.members()].sort(), [...added.members()].sort());
      for (const m of members) ok(built.has(m));
      ok(!built.has("absent"));
      // Writes after the bulk build keep working: growth, deletes, random picks.
      for (let i = 0; i < 100; i++) built.add(`extra${i}`, 512);
      equal(built.size(), n + 100);
      ok(built.delete(members[0] ?? "extra0"));
      ok(built.has(built.random()![0]));
    }
  }
});

Deno.test("set: the last-found memo answers only for the same chars, fresh strings or not", () => {
  // Fresh strings (not interned) of equal chars, as a request decoder makes them.
  const fresh = (s: string) => [...s].map((c) => c).join("");
  const a = new RedisSet();
  const b = new RedisSet();
  for (const m of ["element:1", "element:2", "element:3"]) a.add(m);
  // Same bucket contents in two sets: the memo's bucket compares equal across them.
  for (const m of ["element:1", "element:2", "element:3"]) b.add(m);
  equal(a.add(fresh("element:1")), false);
  equal(b.has(fresh("element:1")), true);
  equal(b.has(fresh("element:4")), false);
  equal(a.has(fresh("element:1")), true);
  equal(b.delete(fresh("element:1")), true);
  equal(b.has(fresh("element:1")), false);
  equal(a.has(fresh("element:1")), true);
  equal(a.add(fresh("element:9")), true);
  equal(a.add(fresh("element:9")), false);
  equal(b.has(fresh("element:9")), false);
  deepEqual([...b.members()].sort(), ["element:2", "element:3"]);
});
