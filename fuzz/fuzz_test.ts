/** A short bounded fuzz run: no crash, no stall, correct watcher answers, bounded memory. */
import { equal, ok } from "node:assert/strict";
import { clean, formatReport, runFuzz } from "./fuzz.ts";

Deno.test("a short fuzz run of both protocols finds nothing wrong", async () => {
  const report = await runFuzz({
    frames: 1500,
    seconds: 8,
    connections: 2,
    seed: 42,
    deadlineMs: 10_000,
    maxRssBytes: 1024 * 1048576,
  });
  ok(clean(report), formatReport(report));
  equal(report.crashes, 0);
  ok(report.frames.resp > 100 && report.frames.native > 100, formatReport(report));
  ok(report.watcherChecks > 0);
});
