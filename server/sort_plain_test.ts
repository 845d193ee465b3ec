import { deepEqual, equal } from "node:assert/strict";
import { compareCStrings, limitWindow, sortElements, type SortSpec, sortSpec } from "./sort.ts";

/** The straightforward SORT without BY: a full stable sort, then the window. */
function reference(elements: string[], s: SortSpec): string[] | undefined {
  const compareBytes = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;
  let compare: (a: string, b: string) => number;
  if (s.alpha) compare = s.store ? compareBytes : compareCStrings;
  else {
    if (elements.some((e) => Number.isNaN(Number(e)) || e.trim() !== e || e === "")) return;
    compare = (a, b) => Number(a) - Number(b) || compareBytes(a, b);
  }
  const sorted = [...elements].sort((a, b) => (s.desc ? -1 : 1) * compare(a, b));
  const [start, end] = limitWindow(elements.length, s.limitStart, s.limitCount);
  return sorted.slice(start, end + 1);
}

/** A small pseudo-random generator, seeded, so a failure repeats. */
function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

Deno.test("SORT without BY, selected or sorted, equals a full stable sort", () => {
  const next = random(7);
  const pick = (n: number) => Math.floor(next() * n);
  // Few letters, so equal strings and ties up to a NUL are common.
  const word = () => Array.from({ length: 1 + pick(3) }, () => "ab\0"[pick(3)]).join("");
  const number = () => String(pick(20) - 10);
  for (let round = 0; round < 3000; round++) {
    const alpha = next() < 0.5;
    const n = pick(60);
    const elements = Array.from({ length: n }, alpha ? word : number);
    // Input in order and in reverse order: a list kept sorted.
    if (round % 4 === 1) elements.sort();
    if (round % 4 === 2) elements.sort().reverse();
    const s = sortSpec({
      alpha,
      desc: next() < 0.5,
      store: next() < 0.3,
      limitStart: pick(8) - 1,
      limitCount: pick(20) - 1,
    });
    const result = sortElements(elements, "list", s, () => undefined);
    const rows = "error" in result ? undefined : result.rows;
    deepEqual(rows, reference(elements, s), JSON.stringify({ elements, s }));
  }
});

Deno.test("SORT without BY: a non-number is an error even outside the window", () => {
  const result = sortElements(
    ["1", "2", "x"],
    "list",
    sortSpec({ limitCount: 1 }),
    () => undefined,
  );
  equal("error" in result, true);
  deepEqual(sortElements(["3", "1"], "list", sortSpec({ limitCount: 0 }), () => undefined), {
    elements: [],
    rows: [],
  });
});
