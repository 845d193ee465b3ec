import { equal, notEqual, ok } from "node:assert/strict";
import { QUERY_SLICE_SIZE, releaseQueryBuffer, takeQuerySlice } from "./query_slices.ts";

Deno.test("query slices: 16 KB each, never overlapping, reused once released", () => {
  const taken = Array.from({ length: 70 }, () => takeQuerySlice()); // more than one slab holds
  for (const slice of taken) equal(slice.length, QUERY_SLICE_SIZE);
  const spans = taken.map((s) => [s.buffer, s.byteOffset] as const);
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      ok(spans[i]![0] !== spans[j]![0] || spans[i]![1] !== spans[j]![1], `${i} and ${j} overlap`);
    }
  }
  releaseQueryBuffer(taken[5]!);
  equal(takeQuerySlice(), taken[5]);
  // A buffer that is not a slice is never handed out again.
  const own = new Uint8Array(QUERY_SLICE_SIZE);
  releaseQueryBuffer(own);
  notEqual(takeQuerySlice(), own);
});
