/**
 * The terminal report: one table per workload, then the targets and
 * whether each is met. Pure functions of the results, so they are tested
 * without running anything.
 */
import { matrixSection } from "./matrix_report.ts";
import {
  type BenchResults,
  type CacheResult,
  type Failed,
  failed,
  type MemoryFigures,
  type MemoryResult,
  type Throughput,
} from "./results.ts";

export interface Target {
  name: string;
  goal: string;
  /** The measured figure, as text. */
  value: string;
  /** Undefined when the figure could not be measured. */
  met: boolean | undefined;
}

const MB = 1024 * 1024;

export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k`;
  return perSec.toFixed(0);
}

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1024 * MB) return `${(bytes / 1024 / MB).toFixed(2)} GB`;
  if (Math.abs(bytes) >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(0)} kB`;
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "-" : `${ratio.toFixed(2)}×`;
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

/** redis-home's figure over Redis's, when both were measured. */
export function ratio(home: number | Failed | undefined, redis: number | Failed | undefined) {
  if (typeof home !== "number" || typeof redis !== "number" || redis === 0) return undefined;
  return home / redis;
}

/** Memory a loaded dataset added above the empty server, per key or element. */
export function bytesPerElement(result: MemoryResult, figures: MemoryFigures | Failed) {
  if (failed(figures)) return figures;
  return (figures.loaded.rss - figures.empty.rss) / result.count;
}

export function rps(cell: Throughput | Failed): number | Failed {
  return failed(cell) ? cell : cell.rps;
}

/** Lays out rows as aligned columns; the first column left-aligned, the rest right. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((row) => row[c]?.length ?? 0))
  );
  const line = (cells: string[]) =>
    cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))
      .join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** A cell's text, or `error` (the message is listed under the table). */
function cellText<T>(cell: T | Failed, errors: string[], show: (value: T) => string): string {
  if (!failed(cell)) return show(cell);
  if (!errors.includes(cell.error)) errors.push(cell.error);
  return `error[${errors.indexOf(cell.error) + 1}]`;
}

function errorNotes(errors: string[]): string {
  return errors.map((error, i) => `  [${i + 1}] ${error}`).join("\n");
}

function section(title: string, body: string, errors: string[]): string {
  const notes = errors.length > 0 ? `\n${errorNotes(errors)}` : "";
  return `${title}\n${body}${notes}`;
}

function throughputSection(results: BenchResults): string {
  const errors: string[] = [];
  const latency = (t: Throughput) => `${formatMs(t.p50Ms)}/${formatMs(t.p99Ms)}`;
  const rows = results.throughput.map((r) => [
    r.test,
    String(r.pipeline),
    r.keyspace,
    cellText(r.redis, errors, (t) => formatRate(t.rps)),
    cellText(r.redis, errors, latency),
    cellText(r.home, errors, (t) => formatRate(t.rps)),
    cellText(r.home, errors, latency),
    formatRatio(ratio(rps(r.home), rps(r.redis))),
  ]);
  const header = [
    "test",
    "pipeline",
    "keys",
    "Redis ops/s",
    "p50/p99 ms",
    "redis-home ops/s",
    "p50/p99 ms",
    "ratio",
  ];
  return section(
    "Throughput (redis-benchmark, 50 clients; ratio = redis-home / Redis)",
    table(header, rows),
    errors,
  );
}

function protocolSection(results: BenchResults): string {
  const errors: string[] = [];
  const rows = results.protocols.map((r) => [
    r.op,
    String(r.pipeline),
    r.protocol,
    cellText(r.result, errors, (v) => formatRate(v.opsPerSec)),
    cellText(r.result, errors, (v) => `${formatMs(v.p50Ms)}/${formatMs(v.p99Ms)}`),
  ]);
  return section(
    "Protocols on redis-home (bench/load.ts, 50 connections)",
    table(["op", "pipeline", "protocol", "ops/s", "p50/p99 ms"], rows),
    errors,
  );
}

function memorySection(results: BenchResults): string {
  const errors: string[] = [];
  const used = (sample: { usedMemory: number | null }) =>
    sample.usedMemory === null ? "-" : formatBytes(sample.usedMemory);
  const rows: string[][] = [];
  const first = results.memory[0];
  if (first) {
    rows.push([
      "empty server",
      "",
      cellText(first.redis, errors, (m) => formatBytes(m.empty.rss)),
      cellText(first.redis, errors, (m) => used(m.empty)),
      "",
      "",
      cellText(first.home, errors, (m) => formatBytes(m.empty.rss)),
      cellText(first.home, errors, (m) => used(m.empty)),
      "",
      "",
      formatRatio(ratio(emptyRss(first.home), emptyRss(first.redis))),
    ]);
  }
  for (const r of results.memory) {
    rows.push([
      r.dataset,
      formatRate(r.count),
      cellText(r.redis, errors, (m) => formatBytes(m.loaded.rss)),
      cellText(r.redis, errors, (m) => used(m.loaded)),
      cellText(r.redis, errors, () => (bytesPerElement(r, r.redis) as number).toFixed(1)),
      cellText(r.redis, errors, loadTime),
      cellText(r.home, errors, (m) => formatBytes(m.loaded.rss)),
      cellText(r.home, errors, (m) => used(m.loaded)),
      cellText(r.home, errors, () => (bytesPerElement(r, r.home) as number).toFixed(1)),
      cellText(r.home, errors, loadTime),
      formatRatio(ratio(loadedRss(r.home), loadedRss(r.redis))),
    ]);
  }
  const header = [
    "dataset",
    "count",
    "Redis RSS",
    "used_memory",
    "B/elem",
    "load CPU",
    "redis-home RSS",
    "used_memory",
    "B/elem",
    "load CPU",
    "RSS ratio",
  ];
  return section(
    "Memory (RSS from /proc; B/elem = RSS above the empty server / count; load CPU = server CPU seconds to load)",
    table(header, rows),
    errors,
  );
}

/** "1.00M string keys", "1.00M-element hash", "1.00M hashes of 3". */
function memoryLabel(r: MemoryResult): string {
  const n = formatRate(r.count);
  if (r.dataset === "strings") return `${n} string keys`;
  return r.dataset.endsWith("s") ? `${n} ${r.dataset} of 3` : `${n}-element ${r.dataset}`;
}

function loadTime(figures: MemoryFigures): string {
  return figures.loadCpuSeconds === undefined ? "-" : figures.loadCpuSeconds.toFixed(2);
}

function emptyRss(cell: MemoryFigures | Failed): number | Failed {
  return failed(cell) ? cell : cell.empty.rss;
}

function loadedRss(cell: MemoryFigures | Failed): number | Failed {
  return failed(cell) ? cell : cell.loaded.rss;
}

function connectionsSection(results: BenchResults): string {
  const errors: string[] = [];
  const rows = results.connections.flatMap((r) =>
    ([["Redis", r.redis], ["redis-home", r.home]] as const).map(([name, cell]) => [
      name,
      cellText(cell, errors, (c) => String(c.opened)),
      cellText(cell, errors, (c) => formatBytes(c.emptyRss)),
      cellText(cell, errors, (c) => formatBytes(c.rss)),
      cellText(cell, errors, (c) => formatBytes(c.rss - c.emptyRss)),
      cellText(cell, errors, (c) => `${((c.rss - c.emptyRss) / c.opened / 1024).toFixed(1)} kB`),
      cellText(
        cell,
        errors,
        (c) => `${formatMs(c.pingEmpty.p50Ms)}/${formatMs(c.pingEmpty.p99Ms)}`,
      ),
      cellText(
        cell,
        errors,
        (c) => `${formatMs(c.pingWithConnections.p50Ms)}/${formatMs(c.pingWithConnections.p99Ms)}`,
      ),
    ])
  );
  const header = [
    "server",
    "idle conns",
    "empty RSS",
    "RSS with them",
    "added",
    "per conn",
    "PING ms before",
    "PING ms with",
  ];
  return section("Idle connections", table(header, rows), errors);
}

function scaleSection(results: BenchResults): string {
  const errors: string[] = [];
  const micros = (us: number) => us.toFixed(2);
  const rows = results.zsetScale.map((r) => [
    r.op,
    formatRate(r.size),
    r.redis === undefined ? "n/a" : cellText(r.redis, errors, micros),
    cellText(r.home, errors, micros),
    formatRatio(ratio(r.redis, r.home)),
  ]);
  return section(
    "Sorted-set scale (µs per operation, pipelined; ratio = Redis / redis-home time)",
    table(["op", "members", "Redis µs", "redis-home µs", "speed ratio"], rows),
    errors,
  );
}

function replicationSection(results: BenchResults): string {
  const errors: string[] = [];
  const rows = results.replication.flatMap((r) =>
    ([["Redis", r.redis], ["redis-home", r.home]] as const).map(([name, cell]) => [
      name,
      cellText(cell, errors, (c) => formatRate(c.keys)),
      cellText(cell, errors, (c) => formatMs(c.fullSyncMs)),
      cellText(cell, errors, (c) => formatRate(c.setRps)),
      cellText(cell, errors, (c) => formatBytes(c.maxLagBytes)),
      cellText(cell, errors, (c) => formatMs(c.catchUpMs)),
    ])
  );
  const header = ["server", "keys", "full sync ms", "SET/s (P16)", "max lag", "catch-up ms"];
  return section(
    "Replication (a master and one replica of the same kind)",
    table(header, rows),
    errors,
  );
}

/** The targets, each with the measured figure and whether it is met. */
export function evaluateTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  for (const [pipeline, goal] of [[1, 1.0], [16, 0.8]] as const) {
    for (const test of ["GET", "SET"]) {
      for (const r of results.throughput) {
        if (r.test !== test || r.pipeline !== pipeline) continue;
        const value = ratio(rps(r.home), rps(r.redis));
        targets.push({
          name: `${test} pipeline ${pipeline}, ${r.keyspace} key${
            r.keyspace === "single" ? "" : "s"
          }`,
          goal: `≥ ${goal.toFixed(1)}× Redis ops/s`,
          value: formatRatio(value),
          met: value === undefined ? undefined : value >= goal,
        });
      }
    }
  }
  for (const r of results.memory) {
    const value = ratio(loadedRss(r.home), loadedRss(r.redis));
    targets.push({
      name: `memory, ${memoryLabel(r)}`,
      goal: "≤ 1.5× Redis RSS",
      value: formatRatio(value),
      met: value === undefined ? undefined : value <= 1.5,
    });
  }
  targets.push(...cacheTargets(results.cache ?? []));
  for (const r of results.connections) {
    const home = r.home;
    const added = failed(home) ? undefined : home.rss - home.emptyRss;
    const allOpen = !failed(home) && home.opened === r.count;
    targets.push({
      name: `${formatRate(r.count)} idle connections`,
      goal: "≤ 100 MB RSS above the empty server",
      value: added === undefined
        ? "-"
        : `${formatBytes(added)}${allOpen ? "" : " (not all opened)"}`,
      met: added === undefined || !allOpen ? undefined : added <= 100 * MB,
    });
  }
  return targets;
}

/**
 * What redis-home may hold above maxmemory: the empty process (~55 MB of
 * runtime and code, where Redis's is ~12 MB) and V8's young generation.
 */
export const CACHE_RSS_OVERHEAD_MB = 80;

function cacheTargets(results: CacheResult[]): Target[] {
  return results.flatMap((r) => {
    const home = r.home;
    const redis = r.redis;
    const limit = (r.maxmemoryMb + CACHE_RSS_OVERHEAD_MB) * MB;
    const points = failed(home) || failed(redis)
      ? undefined
      : Math.abs(home.hitRatio - redis.hitRatio) * 100;
    return [{
      name: `cache, maxmemory ${r.maxmemoryMb} MB: RSS`,
      goal: `≤ maxmemory + ${CACHE_RSS_OVERHEAD_MB} MB`,
      value: failed(home) ? "-" : formatBytes(home.rss),
      met: failed(home) ? undefined : home.rss <= limit,
    }, {
      name: `cache, maxmemory ${r.maxmemoryMb} MB: hit ratio`,
      goal: "within 5 points of Redis",
      value: points === undefined ? "-" : `${points.toFixed(1)} points`,
      met: points === undefined ? undefined : points <= 5,
    }];
  });
}

function cacheSection(results: CacheResult[]): string {
  const errors: string[] = [];
  const rows = results.flatMap((r) =>
    ([["Redis", r.redis], ["redis-home", r.home]] as const).map(([name, cell]) => [
      name,
      `${r.maxmemoryMb} MB`,
      cellText(cell, errors, (c) => formatBytes(c.rss)),
      cellText(cell, errors, (c) => c.usedMemory === null ? "-" : formatBytes(c.usedMemory)),
      cellText(cell, errors, (c) => formatRate(c.keys)),
      cellText(cell, errors, (c) => formatRate(c.evictedKeys)),
      cellText(cell, errors, (c) => `${(c.hitRatio * 100).toFixed(1)}%`),
      cellText(cell, errors, (c) => formatRate(c.opsPerSec)),
    ])
  );
  const first = results[0];
  const title = first === undefined
    ? ""
    : `Cache workload (allkeys-lru, ${
      formatRate(first.keys)
    } keys of ${first.valueBytes} B, Zipf ${first.zipf}, ${
      Math.round(first.getShare * 100)
    }% GET, ${formatRate(first.requests)} requests)`;
  const header = ["server", "maxmemory", "RSS", "used_memory", "keys", "evicted", "hits", "ops/s"];
  return section(title, table(header, rows), errors);
}

function targetsSection(targets: Target[]): string {
  const rows = targets.map((t) => [
    t.name,
    t.goal,
    t.value,
    t.met === undefined ? "not measured" : t.met ? "met" : "NOT met",
  ]);
  return `Targets (redis-home)\n${table(["target", "goal", "measured", ""], rows)}`;
}

/** The whole terminal report. */
export function renderReport(results: BenchResults, targets: Target[]): string {
  const sections = [
    `redis-home benchmark, ${results.date} (${results.mode}), ${results.machine.cpus} CPUs, ` +
    `Redis ${results.machine.redis}, Deno ${results.machine.deno}, took ${
      Math.round(results.seconds)
    } s`,
  ];
  if ((results.matrix ?? []).length > 0) sections.push(matrixSection(results));
  if (results.throughput.length > 0) sections.push(throughputSection(results));
  if (results.protocols.length > 0) sections.push(protocolSection(results));
  if (results.memory.length > 0) sections.push(memorySection(results));
  if (results.connections.length > 0) sections.push(connectionsSection(results));
  if ((results.cache ?? []).length > 0) sections.push(cacheSection(results.cache!));
  if (results.zsetScale.length > 0) sections.push(scaleSection(results));
  if (results.replication.length > 0) sections.push(replicationSection(results));
  if (targets.length > 0) sections.push(targetsSection(targets));
  return sections.join("\n\n");
}
