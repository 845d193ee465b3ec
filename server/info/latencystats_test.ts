import { equal } from "node:assert/strict";
import { valueAtPercentile } from "./latencystats.ts";

Deno.test("valueAtPercentile: the bucket where the percentile's call falls", () => {
  const buckets: [number, number][] = [[1, 50], [4, 99], [1024, 100]];
  equal(valueAtPercentile(buckets, 50), 1);
  equal(valueAtPercentile(buckets, 99), 4);
  equal(valueAtPercentile(buckets, 99.9), 1024);
  equal(valueAtPercentile([], 50), 0);
});
