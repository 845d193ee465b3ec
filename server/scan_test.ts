import { deepEqual } from "node:assert/strict";
import { scanStep } from "./scan.ts";

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
