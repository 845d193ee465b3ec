import { deepEqual, equal, ok } from "node:assert/strict";
import {
  cellRatio,
  cellText,
  matrixMarkdown,
  matrixSection,
  matrixTargets,
  p99Ratio,
  redisCeiling,
} from "./matrix_report.ts";
import type { BenchResults, MatrixFigures, MatrixResult } from "./results.ts";

const fig = (opsPerSec: number, p99Ms = 1, serverCpu: number | null = 0.98): MatrixFigures => ({
  opsPerSec,
  p50Ms: p99Ms / 2,
  p99Ms,
  serverCpu,
  serverUsPerOp: serverCpu === null ? null : serverCpu * 1e6 / opsPerSec,
  clientCpu: 0.5,
  serverCoreOthers: 0.01,
  clientCoreOthers: 0.02,
  samples: [opsPerSec],
});

const ROWS: MatrixResult[] = [
  {
    test: "SET",
    protocol: "resp",
    pipeline: 1,
    keyspace: "random",
    cells: { redis: fig(100_000, 1), home: fig(95_000, 1.5) },
  },
  {
    test: "SET",
    protocol: "resp",
    pipeline: 16,
    keyspace: "random",
    cells: { redis: fig(600_000, 4, 1), home: { ...fig(300_000, 4), serverCoreOthers: 0.3 } },
  },
  {
    test: "XADD",
    protocol: "resp",
    pipeline: 1,
    keyspace: "single",
    cells: { redis: fig(90_000), home: { error: "ERR unknown command 'XADD'" } },
  },
  {
    test: "get",
    protocol: "native",
    pipeline: 1,
    keyspace: "random",
    cells: {
      book: fig(110_000),
      home: fig(88_000),
      homeResp: fig(80_000),
      redis: fig(100_000, 1, 0.9),
    },
  },
];

const results = (): BenchResults => ({
  date: "2026-12-04",
  mode: "full",
  seconds: 1,
  machine: { cpus: 2, os: "linux", deno: "2.9.6", redis: "7.0.15" },
  throughput: [],
  protocols: [],
  memory: [],
  connections: [],
  zsetScale: [],
  replication: [],
  matrix: ROWS,
  matrixSetup: { connections: 50, pinned: true, rounds: 3, runSec: 1.5, book: "/src/book" },
});

Deno.test("cellRatio and p99Ratio compare measured cells only", () => {
  equal(cellRatio(ROWS[0]!.cells.home, ROWS[0]!.cells.redis), 0.95);
  equal(cellRatio(ROWS[2]!.cells.home, ROWS[2]!.cells.redis), undefined);
  equal(cellRatio(undefined, ROWS[0]!.cells.redis), undefined);
  equal(p99Ratio(ROWS[0]!), 1.5);
  equal(p99Ratio(ROWS[2]!), undefined);
});

Deno.test("cellText shows ops/s, server CPU, µs per request and latency; errors by number", () => {
  const errors: string[] = [];
  equal(cellText(fig(100_000, 1.5, 0.98), errors), "100.0k 98% 9.8µs 0.75/1.50");
  equal(cellText(fig(2_500_000, 12, null), errors), "2.50M - - 6.00/12.0");
  equal(cellText({ error: "boom" }, errors), "error[1]");
  equal(cellText({ error: "boom" }, errors), "error[1]");
  deepEqual(errors, ["boom"]);
});

Deno.test("matrixTargets reports each goal's worst cell", () => {
  deepEqual(matrixTargets(results()), [
    {
      name: "matrix throughput, worst cell",
      goal: "≥ 0.9× Redis ops/s",
      value: "0.50× (SET P16 random)",
      met: false,
    },
    {
      name: "matrix p99 at pipeline 1, worst cell",
      goal: "≤ 1.2× Redis p99",
      value: "1.50× (SET P1 random)",
      met: false,
    },
    {
      name: "native protocol against the book's server, worst cell",
      goal: "≥ 1.0× its ops/s",
      value: "0.80× (get P1 random)",
      met: false,
    },
    {
      name: "load generator's own CPU while loading Redis, busiest cell",
      goal: "< 90% of its core",
      value: "50% (SET P1 random)",
      met: true,
    },
    {
      name: "other processes on the server's or generator's core, busiest cell",
      goal: "< 5% of a core",
      value: "30% (SET P16 random)",
      met: false,
    },
  ]);
  deepEqual(matrixTargets({ ...results(), matrix: [] }), []);
});

Deno.test("redisCeiling is Redis's median server CPU", () => {
  equal(redisCeiling(ROWS), 0.98);
  equal(redisCeiling([]), undefined);
});

Deno.test("matrixMarkdown lays ratios out by pipeline and keyspace", () => {
  const md = matrixMarkdown(results(), "bench/results/2026-12-04.json");
  ok(md.includes("[`bench/results/2026-12-04.json`](bench/results/2026-12-04.json)"));
  ok(md.includes(
    "Redis's median server CPU in these runs: 98% of a core; " +
      "the generator's own CPU: 50% (SET P1 random); other processes on either core: " +
      "30% (SET P16 random).",
  ));
  ok(md.includes("| SET |  | 0.95× | 0.51× |"), "server CPU per request, Redis ÷ ours");
  ok(md.includes("| test | P1, 1 key | P1, 100k keys | P16, 100k keys |"));
  ok(md.includes("| SET |  | 0.95× | 0.50× |"));
  ok(md.includes("| XADD | - |  |  |"));
  ok(md.includes("| get | 0.80× |"), "native ÷ book");
  ok(md.includes("| get | 1.10× |"), "native ÷ RESP on redis-home");
});

Deno.test("matrixSection prints both tables and lists errors under them", () => {
  const text = matrixSection(results());
  ok(text.includes("server on core 0, generator on core 1; median of 3 rounds"));
  ok(text.includes("Book's server: /src/book"));
  ok(text.includes("  [1] ERR unknown command 'XADD'"));
  ok(/SET\s+16\s+random\s+600\.0k 100% 1\.7µs 2\.00\/4\.00\s+50%\s+300\.0k/.test(text));
});
