/** The real redis-benchmark runs its standard tests against our server without an error. */
import { deepEqual, equal } from "node:assert/strict";
import {
  BENCHMARK_NAMES,
  BENCHMARK_TESTS,
  benchmarkLines,
  benchmarkTestName,
  run,
  startServer,
} from "./helpers.ts";

/** The names redis-benchmark -q prints, one line per test it ran. */
const EXPECTED = ["PING_INLINE", "PING_MBULK", ...BENCHMARK_NAMES];

Deno.test("redis-benchmark -q -n 20000 completes every test with no error", async () => {
  await using srv = startServer();
  const result = await run("redis-benchmark", [
    "-p",
    String(srv.port),
    "-q",
    "-n",
    "20000",
    "-t",
    `ping,${BENCHMARK_TESTS}`,
  ]);
  equal(result.stderr, "");
  equal(result.code, 0);
  const lines = benchmarkLines(result.stdout);
  deepEqual(lines.map(benchmarkTestName), EXPECTED);
  for (const line of lines) equal(/: [\d.]+ requests per second/.test(line), true, line);
});
