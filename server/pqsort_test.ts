import { deepEqual } from "node:assert/strict";
import { pqsort } from "./pqsort.ts";
import { xorshift } from "../tests/xorshift.ts";

Deno.test("pqsort puts into the window exactly what a full sort puts there", () => {
  const next = xorshift(42);
  for (let round = 0; round < 300; round++) {
    const n = next() % 200;
    const values = Array.from({ length: n }, () => next() % (round % 2 === 0 ? 10 : 1000));
    const sorted = [...values].sort((a, b) => a - b);
    const lo = n === 0 ? 0 : next() % n;
    const hi = n === 0 ? -1 : lo + (next() % (n - lo));
    const partial = [...values];
    pqsort(partial, (a, b) => a - b, lo, hi);
    deepEqual(partial.slice(lo, hi + 1), sorted.slice(lo, hi + 1), `n=${n} [${lo}, ${hi}]`);
    const full = [...values];
    pqsort(full, (a, b) => a - b, 0, n - 1);
    deepEqual(full, sorted);
  }
});
