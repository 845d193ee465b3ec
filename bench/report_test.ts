import { deepEqual, equal, ok } from "node:assert/strict";
import {
  evaluateTargets,
  formatBytes,
  formatRate,
  formatRatio,
  renderReport,
  table,
} from "./report.ts";
import { sampleResults } from "./testdata.ts";

Deno.test("evaluateTargets checks each issue target against the measured figure", () => {
  const targets = evaluateTargets(sampleResults());
  deepEqual(
    targets.map((t) => [t.name, t.value, t.met]),
    [
      ["GET pipeline 1, random keys", "1.10×", true],
      ["SET pipeline 16, random keys", "0.50×", false],
      ["memory, 1.00M string keys", "1.82×", false],
      ["10.0k idle connections", "80.0 MB", true],
    ],
  );
});

Deno.test("evaluateTargets leaves a target unmeasured when a server failed", () => {
  const results = sampleResults();
  results.throughput[0]!.home = { error: "timed out after 60 s" };
  results.connections[0]!.home = { error: "did not start" };
  const targets = evaluateTargets(results);
  equal(targets[0]!.met, undefined);
  equal(targets[0]!.value, "-");
  equal(targets.at(-1)!.met, undefined);
});

Deno.test("an idle-connections target is not met when some connections were refused", () => {
  const results = sampleResults();
  const home = results.connections[0]!.home;
  if ("error" in home) throw new Error("fixture");
  home.opened = 9000;
  const target = evaluateTargets(results).at(-1)!;
  equal(target.met, undefined);
  equal(target.value, "80.0 MB (not all opened)");
});

Deno.test("renderReport shows ratios, error cells with their messages, and the targets", () => {
  const text = renderReport(sampleResults(), evaluateTargets(sampleResults()));
  const lines = text.split("\n");
  const get = lines.find((l) => l.startsWith("GET "))!;
  ok(get.includes("80.0k") && get.includes("88.0k") && get.endsWith("1.10×"), get);
  const hset = lines.find((l) => l.startsWith("HSET"))!;
  ok(hset.includes("error[1]") && hset.endsWith("-"), hset);
  ok(lines.includes("  [1] ERR unknown command 'HSET'"));
  ok(lines.some((l) => l.startsWith("strings") && l.includes("104.9") && l.endsWith("1.82×")));
  ok(lines.some((l) => l.startsWith("ZQUERY 10") && l.includes("n/a")));
  ok(lines.some((l) => l.startsWith("SET pipeline 16, random keys") && l.endsWith("NOT met")));
});

Deno.test("table aligns columns: first left, the rest right", () => {
  equal(
    table(["name", "n"], [["a", "100"], ["bbbb", "2"]]),
    "name    n\n----  ---\na     100\nbbbb    2",
  );
});

Deno.test("formatters", () => {
  deepEqual([formatRate(950), formatRate(81_234), formatRate(1_500_000)], [
    "950",
    "81.2k",
    "1.50M",
  ]);
  deepEqual([formatBytes(2048), formatBytes(3 * 1024 * 1024)], ["2 kB", "3.0 MB"]);
  deepEqual([formatRatio(0.8), formatRatio(undefined), formatRatio(Infinity)], ["0.80×", "-", "-"]);
});

Deno.test("the report shows the replication figures, and a failed side's error", () => {
  const report = renderReport(sampleResults(), []);
  ok(report.includes("Replication (a master and one replica of the same kind)"));
  const redisRow = report.split("\n").find((line) =>
    line.startsWith("Redis ") && line.includes("400")
  );
  ok(redisRow !== undefined, report);
  ok(report.includes("the replica never caught up"));
});
