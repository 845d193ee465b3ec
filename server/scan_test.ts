import { deepEqual, equal, ok } from "node:assert/strict";
import { parseCursor, parseCursor32, scanDict, scanStep } from "./scan.ts";
import { RedisSet } from "./types/set.ts";

/** One step of `count` over `items` from `cursor`: the next cursor and what it emitted. */
function step(items: string[], cursor: bigint, count: number): [bigint, string[]] {
  const seen: string[] = [];
  const next = scanStep(items, () => items[Symbol.iterator](), cursor, count, (m) => seen.push(m));
  return [next, seen];
}

Deno.test("scanStep resumes a recent cursor and starts a long-dropped one over", () => {
  const items = ["a", "b", "c"];
  const [oldest] = step(items, 0n, 1);
  // Enough other scans to push the first cursor out of the bounded table.
  const others = ["x", "y"];
  for (let i = 0; i < 11_000; i++) step(others, 0n, 1);
  deepEqual(step(items, oldest, 1)[1], ["a"]);
  const [recent] = step(items, 0n, 1);
  deepEqual(step(items, recent, 2)[1], ["b", "c"]);
});

Deno.test("scanDict: every member present throughout is returned, across growth, deletes and large entries", () => {
  for (const withLarge of [false, true]) {
    const set = new RedisSet();
    for (let i = 0; i < 3000; i++) set.add(`m${i}`);
    // Members the scan must return: never deleted while it runs.
    const stable = new Set<string>();
    set.forEachMember((m) => {
      if (Number(m.slice(1)) % 3 !== 0) stable.add(m);
    });
    const seen = new Set<string>();
    let cursor = 0n;
    let calls = 0;
    do {
      cursor = scanDict(set, cursor, 10, (m) => seen.add(m));
      // Meanwhile the set grows (resizing its table) and loses members outside `stable`.
      for (let j = 0; j < 20; j++) set.add(`new${calls}-${j}`);
      set.delete(`m${calls * 3}`);
      if (withLarge && calls === 50) set.add("L".repeat(600));
      calls++;
    } while (cursor !== 0n && calls < 10_000);
    equal(cursor, 0n);
    for (const m of stable) ok(seen.has(m), `${m} missed`);
  }
});

Deno.test("scanDict: a bucket cursor needs no state: the same cursor gives the same step", () => {
  const set = new RedisSet();
  for (let i = 0; i < 500; i++) set.add(`m${i}`);
  const step = (cursor: bigint) => {
    const got: string[] = [];
    return [scanDict(set, cursor, 10, (m) => got.push(m)), got] as const;
  };
  const [next, first] = step(0n);
  ok(next > 0n && next < 1n << 32n);
  deepEqual(step(0n), [next, first]);
  deepEqual(step(next), step(next));
});

Deno.test("parseCursor32 equals parseCursor reduced to 32 bits, short decimals included", () => {
  const cases = ["0", "007", "4294967295", "4294967296", "999999999999999", "1000000000000000"];
  cases.push("18446744073709551615", "-1", "-4294967297", "+5", "", " 1", "1x", "1.5");
  for (let i = 0; i < 2000; i++) {
    const digits = 1 + (i % 20);
    cases.push(Array.from({ length: digits }, (_, j) => String((i * 7 + j * 13) % 10)).join(""));
  }
  for (const arg of cases) {
    let expected: number | string;
    try {
      expected = Number(BigInt.asUintN(32, parseCursor(arg)));
    } catch (e) {
      expected = (e as Error).message;
    }
    let actual: number | string;
    try {
      actual = parseCursor32(arg);
    } catch (e) {
      actual = (e as Error).message;
    }
    equal(actual, expected, arg);
  }
});
