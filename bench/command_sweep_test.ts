import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  belowGoal,
  requestsFor,
  roundFigures,
  sweepMarkdown,
  sweepRatio,
  sweepSection,
} from "./command_sweep.ts";
import type { SweepResult } from "./results.ts";
import { pairs, selectSweep, splitSweepNames, SWEEP_COMMANDS, words } from "./sweep_commands.ts";

function row(command: string, home: number, redis: number): SweepResult {
  const figures = (usPerOp: number) => ({ usPerOp, requests: 1000, cpuSec: usPerOp / 1000 });
  return { command, family: "strings", line: command, home: figures(home), redis: figures(redis) };
}

Deno.test("requestsFor sizes a run to the CPU wanted, within bounds", () => {
  // 0.1 s for 10,000 requests: 10 µs each, so 1 s is 100,000 requests.
  equal(requestsFor(0.1, 10_000, 1), 100_000);
  // No clock tick seen: the cost is taken as at most one tick over the run.
  equal(requestsFor(0, 50_000, 1), 5_000_000);
  equal(requestsFor(0.01, 50_000, 0.3), 1_500_000);
  equal(requestsFor(10, 10_000, 1), 20_000);
});

Deno.test("sweepRatio is Redis's cost over redis-home's; failures have none", () => {
  equal(sweepRatio(row("GET", 1, 0.5)), 0.5);
  equal(sweepRatio({ ...row("GET", 1, 1), home: { error: "boom" } }), undefined);
});

Deno.test("belowGoal lists the commands under 0.9x, worst first", () => {
  const rows = [row("A", 1, 0.8), row("B", 1, 0.95), row("C", 4, 1), row("D", 1, 0.89)];
  deepEqual(belowGoal(rows).map((r) => r.command), ["C", "A", "D"]);
});

Deno.test("sweepMarkdown has one table row per command and names errors", () => {
  const rows = [row("GET", 0.8, 0.6), { ...row("PFADD", 1, 1), home: { error: "ERR x" } }];
  const text = sweepMarkdown(rows, { pinned: true, cpuSec: 1 }, "bench/results/x.json");
  ok(text.includes("| GET | strings | 0.80 | 0.60 | 0.75× |"));
  ok(text.includes("| PFADD | strings | error[1] | 1.00 | - |"));
  ok(text.includes("error[1]: ERR x"));
  ok(text.includes("Under 0.9×, worst first: GET 0.75×."));
  ok(sweepSection(rows).includes("1 of 2 under 0.9×: GET 0.75×"));
});

Deno.test("the sweep covers every family with unique names and random keys where asked", () => {
  equal(new Set(SWEEP_COMMANDS.map((c) => c.name)).size, SWEEP_COMMANDS.length);
  ok(SWEEP_COMMANDS.length >= 100);
  const families = new Set(SWEEP_COMMANDS.map((c) => c.family));
  for (const family of ["strings", "bitmaps", "hyperloglog", "geo", "streams", "scan", "sort"]) {
    ok(families.has(family), family);
  }
  for (const command of SWEEP_COMMANDS) {
    equal(command.random !== undefined, command.command.some((a) => a.includes("__rand_int__")));
  }
});

Deno.test("selectSweep picks by name or family and rejects unknown names", () => {
  deepEqual(selectSweep(["get", "sort"]).map((c) => c.name), [
    "GET",
    "SORT (100)",
    "SORT LIMIT 10",
    "SORT ALPHA",
  ]);
  throws(() => selectSweep(["nosuch"]), /unknown sweep command 'nosuch'/);
});

Deno.test("words and pairs build prefill arguments", () => {
  deepEqual(words("m", 3), ["m0", "m1", "m2"]);
  deepEqual(pairs(2, (i) => `f${i}`, String), ["f0", "0", "f1", "1"]);
});

Deno.test("splitSweepNames keeps a comma inside parentheses in its name", () => {
  deepEqual(splitSweepNames("GET, DEL (random, mostly missing),lists"), [
    "GET",
    "DEL (random, mostly missing)",
    "lists",
  ]);
  deepEqual(selectSweep(splitSweepNames("DEL (random, mostly missing)")).map((c) => c.name), [
    "DEL (random, mostly missing)",
  ]);
});

Deno.test("roundFigures gives the median round's µs a request, and the rounds' totals", () => {
  // 3 rounds of 100,000 requests: 0.12 s, 0.08 s (the host at its fast speed), 0.10 s of CPU.
  const figures = roundFigures([0.12, 0.08, 0.1], 100_000);
  equal(figures.usPerOp, 1);
  equal(figures.requests, 300_000);
  ok(Math.abs(figures.cpuSec - 0.3) < 1e-12);
  deepEqual(figures.rounds!.map((us) => Math.round(us * 100) / 100), [1.2, 0.8, 1]);
  equal(roundFigures([0.05], 50_000).usPerOp, 1);
});
