import { deepEqual, equal } from "node:assert/strict";
import {
  BENCHMARK_TESTS,
  benchmarkError,
  findRow,
  parseBenchmarkCsv,
  splitCsvLine,
} from "./redis_benchmark.ts";

// Verbatim output of redis-benchmark 7.0 `-t lrange_100,mset -P 16 -r 100000 --csv`.
const CSV =
  `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"LPUSH (needed to benchmark LRANGE)","909090.94","0.704","0.280","0.655","1.111","1.319","2.239"
"LRANGE_100 (first 100 elements)","166666.67","3.586","0.472","3.335","5.999","7.135","8.599"
"MSET (10 keys)","176991.16","4.265","0.728","4.183","7.031","8.319","8.783"
`;

const test = (name: string) => BENCHMARK_TESTS.find((t) => t.name === name)!;

Deno.test("parseBenchmarkCsv reads rps and latency percentiles by column name", () => {
  const rows = parseBenchmarkCsv(CSV);
  equal(rows.length, 3);
  deepEqual(rows[2], {
    test: "MSET (10 keys)",
    rps: 176991.16,
    avgMs: 4.265,
    p50Ms: 4.183,
    p99Ms: 8.319,
  });
});

Deno.test("parseBenchmarkCsv returns no rows when the header never came", () => {
  deepEqual(parseBenchmarkCsv(""), []);
  deepEqual(parseBenchmarkCsv("WARNING: Could not fetch server CONFIG\n"), []);
});

Deno.test("findRow picks the test's own row, not the LPUSH that prepares LRANGE", () => {
  const rows = parseBenchmarkCsv(CSV);
  equal(findRow(rows, test("LRANGE_100"))?.rps, 166666.67);
  equal(findRow(rows, test("MSET (10 keys)"))?.p99Ms, 8.319);
});

Deno.test("splitCsvLine handles quoted commas, doubled quotes and bare cells", () => {
  deepEqual(splitCsvLine('"a,b","say ""hi""",3,'), ["a,b", 'say "hi"', "3", ""]);
  deepEqual(splitCsvLine("1,2"), ["1", "2"]);
});

Deno.test("benchmarkError keeps the server's error, without warnings or random keys", () => {
  const stderr = "WARNING: Could not fetch server CONFIG\n" +
    "Error from server: ERR unknown command 'LPUSH', with args beginning with: 'mylist' 'VXK' \n";
  equal(benchmarkError(stderr, 1), "ERR unknown command 'LPUSH'");
  equal(
    benchmarkError("Could not connect to Redis at 127.0.0.1:1\n", 1),
    "Could not connect to Redis at 127.0.0.1:1",
  );
  equal(benchmarkError("", 3), "redis-benchmark exited with code 3");
});
