/**
 * The picture of a run, drawn as plain SVG text: bars of redis-home / Redis
 * ratios (throughput, memory) with the targets marked, and the sorted-set
 * scale curves. No dependencies; a pure function of the results.
 */
import { cellRatio } from "./matrix_report.ts";
import { bytesPerElement, ratio, rps } from "./report.ts";
import { type BenchResults, failed, type MemoryFigures, type ScaleResult } from "./results.ts";

interface Bar {
  label: string;
  /** Undefined when either side failed. */
  value: number | undefined;
  /** Where the issue's target lies, if this figure has one. */
  target?: number;
}

interface BarGroup {
  title: string;
  /** Memory ratios meet their target from below, throughput ratios from above. */
  lowerIsBetter: boolean;
  bars: Bar[];
}

const WIDTH = 960;
const MARGIN = 20;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 60;
const ROW = 18;
const BAR = 12;
const TITLE_GAP = 28;
const FONT = 'font-family="system-ui, sans-serif"';
const OP_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

/** A round step for about `count` axis ticks up to `max`. */
export function niceStep(max: number, count: number): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * magnitude >= raw) ?? 10;
  return step * magnitude;
}

function throughputGroup(results: BenchResults): BarGroup {
  return {
    title: "Throughput: redis-home ops/s ÷ Redis ops/s (redis-benchmark, 50 clients)",
    lowerIsBetter: false,
    bars: results.throughput.map((r) => {
      const target = r.test === "GET" || r.test === "SET"
        ? r.pipeline === 1 ? 1.0 : r.pipeline === 16 ? 0.8 : undefined
        : undefined;
      return {
        label: `${r.test} · pipeline ${r.pipeline} · ${r.keyspace}`,
        value: ratio(rps(r.home), rps(r.redis)),
        ...(target === undefined ? {} : { target }),
      };
    }),
  };
}

/** The matrix: redis-home over Redis per cell, and the native commands over the book's server. */
function matrixGroups(results: BenchResults): BarGroup[] {
  const rows = results.matrix ?? [];
  const label = (r: { test: string; pipeline: number; keyspace: string }) =>
    `${r.test} · pipeline ${r.pipeline} · ${r.keyspace}`;
  return [
    {
      title: "Matrix: redis-home ops/s ÷ Redis ops/s (C load generator, 50 connections)",
      lowerIsBetter: false,
      bars: rows.filter((r) => r.protocol === "resp").map((r) => ({
        label: label(r),
        value: cellRatio(r.cells.home, r.cells.redis),
        target: 0.9,
      })),
    },
    {
      title: "Native protocol: redis-home ops/s ÷ the book's C++ server's",
      lowerIsBetter: false,
      bars: rows.filter((r) => r.protocol === "native").map((r) => ({
        label: label(r),
        value: cellRatio(r.cells.home, r.cells.book),
        target: 1.0,
      })),
    },
  ];
}

function memoryGroup(results: BenchResults): BarGroup {
  const loaded = (m: MemoryFigures) => m.loaded.rss;
  const bars: Bar[] = [];
  for (const r of results.memory) {
    bars.push({
      label: `RSS, ${r.dataset} (${r.count.toLocaleString("en-US")})`,
      value: ratio(
        failed(r.home) ? r.home : loaded(r.home),
        failed(r.redis) ? r.redis : loaded(r.redis),
      ),
      ...(r.dataset === "strings" ? { target: 1.5 } : {}),
    });
    bars.push({
      label: `bytes per ${r.dataset === "strings" ? "key" : "element"}, ${r.dataset}`,
      value: ratio(bytesPerElement(r, r.home), bytesPerElement(r, r.redis)),
    });
  }
  for (const r of results.connections) {
    const added = (c: typeof r.home) => failed(c) ? c : c.rss - c.emptyRss;
    bars.push({
      label: `RSS added by ${r.count.toLocaleString("en-US")} idle connections`,
      value: ratio(added(r.home), added(r.redis)),
    });
  }
  return { title: "Memory: redis-home ÷ Redis (lower is smaller)", lowerIsBetter: true, bars };
}

/** Horizontal bars with a line at 1× (parity with Redis); returns the SVG and its height. */
function barChart(groups: BarGroup[], top: number): [string, number] {
  const shown = groups.filter((g) => g.bars.length > 0);
  const values = shown.flatMap((g) => g.bars.flatMap((b) => [b.value ?? 0, b.target ?? 0]));
  const max = Math.max(1.5, Math.ceil(Math.max(...values, 0) * 2) / 2);
  const x0 = MARGIN + LABEL_WIDTH;
  const span = WIDTH - x0 - MARGIN - VALUE_WIDTH;
  const scale = (v: number) => x0 + (v / max) * span;
  const parts: string[] = [];
  let y = top;
  for (const group of shown) {
    y += TITLE_GAP;
    parts.push(text(MARGIN, y - 8, group.title, `${FONT} font-size="14" font-weight="600"`));
    const groupTop = y;
    for (const bar of group.bars) {
      const mid = y + ROW / 2;
      parts.push(text(x0 - 8, mid + 4, bar.label, `${FONT} font-size="11" text-anchor="end"`));
      if (bar.value === undefined) {
        parts.push(text(x0 + 4, mid + 4, "error", `${FONT} font-size="11" fill="#999"`));
      } else {
        const meets = bar.target === undefined
          ? undefined
          : group.lowerIsBetter
          ? bar.value <= bar.target
          : bar.value >= bar.target;
        const fill = meets === undefined ? "#4c78a8" : meets ? "#54a24b" : "#e45756";
        const width = Math.max(1, scale(bar.value) - x0);
        parts.push(
          `<rect class="bar" x="${x0}" y="${(mid - BAR / 2).toFixed(1)}" width="${
            width.toFixed(1)
          }" height="${BAR}" fill="${fill}"/>`,
        );
        // The figure goes right of the bar, and of the target tick when that is close by.
        const barEnd = scale(bar.value);
        const tick = bar.target === undefined ? -Infinity : scale(bar.target);
        const after = tick > barEnd - 2 && tick < barEnd + 40 ? tick : barEnd;
        parts.push(
          text(
            after + 5,
            mid + 4,
            `${bar.value.toFixed(2)}×`,
            `${FONT} font-size="11"`,
          ),
        );
      }
      if (bar.target !== undefined) {
        const tx = scale(bar.target).toFixed(1);
        parts.push(
          `<line class="target" x1="${tx}" x2="${tx}" y1="${y + 1}" y2="${
            y + ROW - 1
          }" stroke="#000" stroke-width="2"/>`,
        );
      }
      y += ROW;
    }
    const one = scale(1).toFixed(1);
    parts.push(
      `<line x1="${one}" x2="${one}" y1="${groupTop}" y2="${y}" stroke="#666" stroke-dasharray="3 3"/>`,
      `<line x1="${x0}" x2="${scale(max)}" y1="${y}" y2="${y}" stroke="#999"/>`,
    );
    for (let tick = 0; tick <= max; tick += 0.5) {
      const attrs = `${FONT} font-size="10" fill="#555" text-anchor="middle"`;
      parts.push(text(scale(tick), y + 12, `${tick}×`, attrs));
    }
    y += 14;
  }
  if (shown.length > 0) {
    y += 16;
    parts.push(
      text(
        MARGIN,
        y,
        "Dashed line: parity with Redis (1×). Black tick: the target; green bar meets it, red does not.",
        `${FONT} font-size="11" fill="#555"`,
      ),
    );
  }
  return [parts.join("\n"), y];
}

/** Scale curves: µs per operation against set size (log axis); returns the SVG and its height. */
function scaleChart(scale: ScaleResult[], top: number): [string, number] {
  if (scale.length === 0) return ["", top];
  const height = 280;
  const legendWidth = 190;
  const left = MARGIN + 60;
  const right = WIDTH - MARGIN - legendWidth;
  const plotTop = top + TITLE_GAP + 20;
  const bottom = plotTop + height;
  const sizes = [...new Set(scale.map((r) => r.size))].sort((a, b) => a - b);
  const ops = [...new Set(scale.map((r) => r.op))];
  const costs = scale.flatMap((r) =>
    [r.redis, r.home].filter((c): c is number => typeof c === "number")
  );
  const step = niceStep(Math.max(...costs, 1), 5);
  const yMax = Math.ceil(Math.max(...costs, 1) / step) * step;
  // scale is not empty, so neither is sizes.
  const logMin = Math.log10(sizes[0]!);
  const logSpan = Math.log10(sizes[sizes.length - 1]!) - logMin || 1;
  const px = (size: number) =>
    sizes.length === 1
      ? (left + right) / 2
      : left + (Math.log10(size) - logMin) / logSpan * (right - left);
  const py = (us: number) => bottom - (us / yMax) * height;
  const parts = [
    text(
      MARGIN,
      top + TITLE_GAP - 8,
      "Sorted set: µs per operation by set size (pipelined; solid redis-home, dashed Redis)",
      `${FONT} font-size="14" font-weight="600"`,
    ),
    `<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
  ];
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const y = py(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      text(left - 6, py(v) + 4, formatTick(v), `${FONT} font-size="11" text-anchor="end"`),
    );
  }
  for (const size of sizes) {
    parts.push(
      text(
        px(size),
        bottom + 16,
        size.toLocaleString("en-US"),
        `${FONT} font-size="11" text-anchor="middle"`,
      ),
    );
  }
  parts.push(
    text(left - 50, plotTop - 14, "µs/op", `${FONT} font-size="11" fill="#555"`),
    text(
      (left + right) / 2,
      bottom + 32,
      "members",
      `${FONT} font-size="11" text-anchor="middle" fill="#555"`,
    ),
  );
  ops.forEach((op, i) => {
    const color = OP_COLORS[i % OP_COLORS.length];
    for (const server of ["home", "redis"] as const) {
      const points = sizes.flatMap((size): [number, number][] => {
        const cost = scale.find((r) => r.op === op && r.size === size)?.[server];
        return typeof cost === "number" ? [[px(size), py(cost)]] : [];
      });
      if (points.length === 0) continue;
      const dash = server === "redis" ? ` stroke-dasharray="6 4"` : "";
      parts.push(
        `<polyline class="curve" fill="none" stroke="${color}" stroke-width="2"${dash} points="${
          points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")
        }"/>`,
      );
      for (const [x, y] of points) {
        parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
      }
    }
    const ly = plotTop + 10 + i * 20;
    const lx = right + 24;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      text(lx + 30, ly + 4, op, `${FONT} font-size="12"`),
    );
  });
  return [parts.join("\n"), bottom + 40];
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The whole picture for one run. */
export function renderSvg(results: BenchResults): string {
  const title =
    `redis-home vs Redis ${results.machine.redis}: ${results.date} (${results.mode} run, ${results.machine.cpus} CPUs)`;
  const [bars, barsBottom] = barChart(
    [...matrixGroups(results), throughputGroup(results), memoryGroup(results)],
    MARGIN + 16,
  );
  const [curves, bottom] = scaleChart(results.zsetScale, barsBottom + 10);
  const height = Math.ceil(bottom + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(MARGIN, MARGIN + 6, title, `${FONT} font-size="16" font-weight="700"`),
    bars,
    curves,
    "</svg>",
    "",
  ].join("\n");
}
