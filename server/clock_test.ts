import { ok as assert } from "node:assert/strict";
import { monotonicMs, unixMicros } from "./clock.ts";

Deno.test("monotonicMs never goes back and measures elapsed time as performance.now does", async () => {
  let last = monotonicMs();
  for (let i = 0; i < 10_000; i++) {
    const now = monotonicMs();
    assert(now >= last, `went back: ${last} then ${now}`);
    last = now;
  }
  const a = monotonicMs(), p = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const elapsed = monotonicMs() - a, reference = performance.now() - p;
  // Both read the same kind of clock: a wrong unit or field would be off by 1000x or worse.
  assert(
    Math.abs(elapsed - reference) < 5,
    `elapsed ${elapsed} ms, performance.now ${reference} ms`,
  );
});

Deno.test("unixMicros is the wall clock in whole microseconds", () => {
  const before = Date.now();
  const micros = unixMicros();
  const after = Date.now();
  assert(Number.isSafeInteger(micros), `${micros}`);
  assert(
    micros >= before * 1000 - 1000 && micros <= after * 1000 + 1000,
    `${before} ${micros} ${after}`,
  );
});
