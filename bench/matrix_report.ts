/**
 * The matrix as text: the terminal tables, the issue's targets, and the
 * Markdown tables README's performance section shows (bench/readme_table.ts
 * writes them in). Pure functions of the results.
 */
import type { Target } from "./report.ts";
import {
  type BenchResults,
  type Failed,
  failed,
  type MatrixFigures,
  type MatrixResult,
  type MatrixTarget,
} from "./results.ts";

type Cell = MatrixFigures | Failed | undefined;

/** Generator CPU above this share of its core would make it the bottleneck. */
const GENERATOR_LIMIT = 0.9;

function opsOf(cell: Cell): number | undefined {
  return cell === undefined || failed(cell) ? undefined : cell.opsPerSec;
}

/** `a`'s ops/s over `b`'s, when both were measured. */
export function cellRatio(a: Cell, b: Cell): number | undefined {
  const top = opsOf(a);
  const bottom = opsOf(b);
  return top === undefined || bottom === undefined || bottom === 0 ? undefined : top / bottom;
}

/** CPU per request, `b`'s over `a`'s (above 1: `a` spends less): valid below a full core too. */
export function cpuRatio(a: Cell, b: Cell): number | undefined {
  if (a === undefined || b === undefined || failed(a) || failed(b)) return undefined;
  const mine = a.serverUsPerOp;
  const theirs = b.serverUsPerOp;
  return mine === null || theirs === null || mine <= 0 ? undefined : theirs / mine;
}

/** redis-home's p99 over Redis's (lower is better). */
export function p99Ratio(row: MatrixResult): number | undefined {
  const home = row.cells.home;
  const redis = row.cells.redis;
  if (home === undefined || redis === undefined || failed(home) || failed(redis)) return undefined;
  return redis.p99Ms > 0 ? home.p99Ms / redis.p99Ms : undefined;
}

function rate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k`;
  return perSec.toFixed(0);
}

export function times(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "-" : `${ratio.toFixed(2)}×`;
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** `123.4k 98% 7.9µs 0.31/1.20`: ops/s, server CPU, server µs/op, p50/p99 ms. */
export function cellText(cell: Cell, errors: string[]): string {
  if (cell === undefined) return "-";
  if (failed(cell)) {
    if (!errors.includes(cell.error)) errors.push(cell.error);
    return `error[${errors.indexOf(cell.error) + 1}]`;
  }
  const cpu = cell.serverCpu === null ? "-" : `${Math.round(cell.serverCpu * 100)}%`;
  const us = cell.serverUsPerOp === null ? "-" : `${cell.serverUsPerOp.toFixed(1)}µs`;
  return `${rate(cell.opsPerSec)} ${cpu} ${us} ${ms(cell.p50Ms)}/${ms(cell.p99Ms)}`;
}

function align(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))
      .join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The generator's own CPU while it loaded Redis: well below 100 % means it kept up. */
function generatorCpu(cell: Cell): string {
  return cell === undefined || failed(cell) ? "-" : `${Math.round(cell.clientCpu * 100)}%`;
}

const COLUMNS: Record<MatrixTarget, string> = {
  redis: "Redis",
  home: "redis-home",
  homeResp: "redis-home RESP",
  book: "book (C++)",
};

/** The terminal section: one table for RESP tests, one for the native ones. */
export function matrixSection(results: BenchResults): string {
  const rows = results.matrix ?? [];
  const setup = results.matrixSetup;
  const errors: string[] = [];
  const key = (r: MatrixResult) => [r.test, String(r.pipeline), r.keyspace];
  const resp = rows.filter((r) => r.protocol === "resp").map((r) => [
    ...key(r),
    cellText(r.cells.redis, errors),
    generatorCpu(r.cells.redis),
    cellText(r.cells.home, errors),
    times(cellRatio(r.cells.home, r.cells.redis)),
    times(p99Ratio(r)),
  ]);
  const native = rows.filter((r) => r.protocol === "native").map((r) => [
    ...key(r),
    cellText(r.cells.book, errors),
    cellText(r.cells.home, errors),
    cellText(r.cells.homeResp, errors),
    cellText(r.cells.redis, errors),
    times(cellRatio(r.cells.home, r.cells.book)),
    times(cellRatio(r.cells.home, r.cells.redis)),
  ]);
  const head = ["test", "pipeline", "keys"];
  const parts = [
    `Matrix (C load generator, ${setup?.connections ?? "?"} connections, ${
      setup?.pinned ? "server on core 0, generator on core 1" : "not pinned"
    }; median of ${setup?.rounds ?? "?"} rounds)`,
    "cells: ops/s, server CPU (100% = one core), server CPU µs per request, p50/p99 ms; " +
    "generator: its own CPU while loading Redis",
  ];
  if (resp.length > 0) {
    const columns = [COLUMNS.redis, "generator", COLUMNS.home, "ratio", "p99 ratio"];
    parts.push(align([...head, ...columns], resp));
  }
  if (native.length > 0) {
    parts.push(
      `Native commands; Redis and "redis-home RESP" run the RESP equivalent. ` +
        `Book's server: ${setup?.book ?? "?"}`,
    );
    parts.push(align(
      [
        ...head,
        COLUMNS.book,
        "redis-home native",
        COLUMNS.homeResp,
        COLUMNS.redis,
        "÷ book",
        "÷ Redis",
      ],
      native,
    ));
  }
  if (errors.length > 0) parts.push(errors.map((e, i) => `  [${i + 1}] ${e}`).join("\n"));
  return parts.join("\n");
}

function worst(
  values: { label: string; value: number | undefined }[],
  lowerIsBetter: boolean,
): { label: string; value: number } | undefined {
  const measured = values.filter((v): v is { label: string; value: number } =>
    v.value !== undefined
  );
  if (measured.length === 0) return undefined;
  return measured.reduce((a, b) => (lowerIsBetter ? b.value > a.value : b.value < a.value) ? b : a);
}

function label(r: MatrixResult): string {
  return `${r.test} P${r.pipeline} ${r.keyspace}`;
}

/** The issue's goals over the whole matrix, each as its worst cell. */
export function matrixTargets(results: BenchResults): Target[] {
  const rows = results.matrix ?? [];
  if (rows.length === 0) return [];
  const goals: {
    name: string;
    goal: string;
    limit: number;
    lowerIsBetter: boolean;
    values: { label: string; value: number | undefined }[];
  }[] = [
    {
      name: "matrix throughput, worst cell",
      goal: "≥ 0.9× Redis ops/s",
      limit: 0.9,
      lowerIsBetter: false,
      values: rows.map((r) => ({ label: label(r), value: cellRatio(r.cells.home, r.cells.redis) })),
    },
    {
      name: "matrix p99 at pipeline 1, worst cell",
      goal: "≤ 1.2× Redis p99",
      limit: 1.2,
      lowerIsBetter: true,
      values: rows.filter((r) => r.pipeline === 1).map((r) => ({
        label: label(r),
        value: p99Ratio(r),
      })),
    },
    {
      name: "native protocol against the book's server, worst cell",
      goal: "≥ 1.0× its ops/s",
      limit: 1.0,
      lowerIsBetter: false,
      values: rows.filter((r) => r.protocol === "native").map((r) => ({
        label: label(r),
        value: cellRatio(r.cells.home, r.cells.book),
      })),
    },
  ];
  const targets: Target[] = goals.map((g) => {
    const w = worst(g.values, g.lowerIsBetter);
    return {
      name: g.name,
      goal: g.goal,
      value: w === undefined ? "-" : `${times(w.value)} (${w.label})`,
      met: w === undefined ? undefined : g.lowerIsBetter ? w.value <= g.limit : w.value >= g.limit,
    };
  });
  return [...targets, generatorTarget(rows), othersTarget(rows)];
}

/** Other processes on either core disturb every figure; above this share, rerun on a quiet machine. */
const OTHERS_LIMIT = 0.05;

/** The run with the largest share of the server's or generator's core taken by other processes. */
function othersTarget(rows: MatrixResult[]): Target {
  const busiest = worst(
    rows.flatMap((r) =>
      Object.values(r.cells).map((cell) => ({
        label: label(r),
        value: cell === undefined || failed(cell)
          ? undefined
          : Math.max(cell.serverCoreOthers ?? -1, cell.clientCoreOthers ?? -1),
      }))
    ).filter((v) => v.value !== undefined && v.value >= 0),
    true,
  );
  return {
    name: "other processes on the server's or generator's core, busiest cell",
    goal: `< ${OTHERS_LIMIT * 100}% of a core`,
    value: busiest === undefined ? "-" : `${Math.round(busiest.value * 100)}% (${busiest.label})`,
    met: busiest === undefined ? undefined : busiest.value < OTHERS_LIMIT,
  };
}

/** The generator's busiest run on Redis: below a full core, it was not what limited Redis. */
function generatorTarget(rows: MatrixResult[]): Target {
  const busiest = worst(
    rows.map((r) => {
      const cell = r.cells.redis;
      return { label: label(r), value: cell && !failed(cell) ? cell.clientCpu : undefined };
    }),
    true,
  );
  return {
    name: "load generator's own CPU while loading Redis, busiest cell",
    goal: "< 90% of its core",
    value: busiest === undefined ? "-" : `${Math.round(busiest.value * 100)}% (${busiest.label})`,
    met: busiest === undefined ? undefined : busiest.value < GENERATOR_LIMIT,
  };
}

/** One ratio per (pipeline, keyspace) column, as Markdown. */
function markdownGrid(
  rows: MatrixResult[],
  value: (r: MatrixResult) => number | undefined,
): string {
  const columns: [number, string][] = [];
  for (const r of rows) {
    if (!columns.some(([p, k]) => p === r.pipeline && k === r.keyspace)) {
      columns.push([r.pipeline, r.keyspace]);
    }
  }
  columns.sort((a, b) => a[0] - b[0] || (a[1] === "single" ? -1 : 1));
  const tests = [...new Set(rows.map((r) => r.test))];
  const header = [
    "test",
    ...columns.map(([p, k]) => `P${p}, ${k === "single" ? "1 key" : "100k keys"}`),
  ];
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => i === 0 ? "---" : "---:").join("|")}|`,
  ];
  for (const test of tests) {
    const cells = columns.map(([p, k]) => {
      const row = rows.find((r) => r.test === test && r.pipeline === p && r.keyspace === k);
      return row === undefined ? "" : times(value(row));
    });
    lines.push(`| ${test} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Redis's median server CPU over the RESP cells: the evidence that the generator kept up. */
export function redisCeiling(rows: MatrixResult[]): number | undefined {
  const cpus = rows.flatMap((r) => {
    const cell = r.cells.redis;
    return cell === undefined || failed(cell) || cell.serverCpu === null ? [] : [cell.serverCpu];
  }).sort((a, b) => a - b);
  return cpus.length === 0 ? undefined : cpus[Math.floor(cpus.length / 2)];
}

/** README's performance tables for a run. */
export function matrixMarkdown(results: BenchResults, file: string): string {
  const rows = results.matrix ?? [];
  const setup = results.matrixSetup;
  const ceiling = redisCeiling(rows);
  const resp = rows.filter((r) => r.protocol === "resp");
  const native = rows.filter((r) => r.protocol === "native");
  const parts = [
    `Matrix from [\`${file}\`](${file}) (${results.date}, ${results.mode} run, ` +
    `${results.machine.cpus} CPUs, Redis ${results.machine.redis}, Deno ${results.machine.deno}; ` +
    `C load generator, ${setup?.connections ?? "?"} connections, ` +
    `${setup?.pinned ? "server pinned to core 0 and generator to core 1" : "not pinned"}, ` +
    `median of ${setup?.rounds ?? "?"} alternating rounds of ${setup?.runSec ?? "?"} s). ` +
    `Redis's median server CPU in these runs: ${
      ceiling === undefined ? "not measured" : `${Math.round(ceiling * 100)}% of a core`
    }; the generator's own CPU: ${generatorTarget(rows).value}; other processes on either ` +
    `core: ${othersTarget(rows).value}.`,
  ];
  if (resp.length > 0) {
    parts.push("redis-home ops/s ÷ Redis ops/s:");
    parts.push(markdownGrid(resp, (r) => cellRatio(r.cells.home, r.cells.redis)));
    parts.push("redis-home p99 ÷ Redis p99 (lower is better):");
    parts.push(markdownGrid(resp, p99Ratio));
    parts.push(
      "Server CPU per request, Redis's ÷ redis-home's (higher is better; it holds where a " +
        "server did not reach its core):",
    );
    parts.push(markdownGrid(resp, (r) => cpuRatio(r.cells.home, r.cells.redis)));
  }
  if (native.length > 0) {
    parts.push(`Native protocol, redis-home ÷ the book's C++ server (${setup?.book ?? "?"}):`);
    parts.push(markdownGrid(native, (r) => cellRatio(r.cells.home, r.cells.book)));
    parts.push("Native protocol, server CPU per request, the book's ÷ redis-home's:");
    parts.push(markdownGrid(native, (r) => cpuRatio(r.cells.home, r.cells.book)));
    parts.push("Native protocol, redis-home native ÷ redis-home RESP:");
    parts.push(markdownGrid(native, (r) => cellRatio(r.cells.home, r.cells.homeResp)));
  }
  return parts.join("\n\n") + "\n";
}
