import { deepEqual, equal } from "node:assert/strict";
import { BENCHMARK_TESTS } from "./redis_benchmark.ts";
import { requestCount, summarize } from "./throughput.ts";

const row = (rps: number) => ({ test: "GET", rps, avgMs: 1, p50Ms: rps / 1e5, p99Ms: rps / 1e4 });

Deno.test("summarize keeps the median of the rounds and every sample", () => {
  deepEqual(summarize([row(100_000), row(300_000), row(200_000)]), {
    rps: 200_000,
    p50Ms: 2,
    p99Ms: 20,
    samples: [100_000, 300_000, 200_000],
  });
  equal((summarize([row(100_000), row(200_000)]) as { rps: number }).rps, 150_000);
});

Deno.test("summarize reports a failure in any round", () => {
  deepEqual(summarize([row(1), { error: "ERR unknown command 'GET'" }]), {
    error: "ERR unknown command 'GET'",
  });
});

Deno.test("requestCount sizes runs by pipeline and by the test's cost", () => {
  const get = BENCHMARK_TESTS.find((t) => t.name === "GET")!;
  const lrange = BENCHMARK_TESTS.find((t) => t.name === "LRANGE_100")!;
  equal(requestCount(get, 1, 1), 70_000);
  equal(requestCount(get, 16, 1), 500_000);
  equal(requestCount(lrange, 16, 1), 83_000);
  equal(requestCount(lrange, 1, 0.01), 1000);
});
