/**
 * `deno task fuzz`: hostile frames of both protocols (fuzz/frames.ts) on many
 * connections against a redis-home process, bounded in frames and time,
 * while a watcher checks that a well-behaved client keeps getting correct
 * answers within a deadline and that the server's memory stays bounded.
 * Reports frames sent, crashes, stalls, the watcher's slowest answer and the
 * command costliest per call. Both crashes and stalls must be zero. The
 * watcher shares this process with the fuzzing connections, so its times
 * include this process's own delays as well as the server's.
 *
 *   deno task fuzz [--frames N] [--seconds S] [--connections C] [--seed X]
 */
import { parseArgs } from "node:util";
import type { RespValue } from "../protocol/resp.ts";
import { command, parseInfo, ServerProcess, sleep } from "../bench/servers.ts";
import { EXCLUDED_COMMANDS, type FuzzProtocol, Random, randomFrame, splitFrame } from "./frames.ts";

export interface FuzzOptions {
  /** Frames to send per protocol. */
  frames: number;
  /** Wall-clock bound of the whole run. */
  seconds: number;
  /** Fuzzing connections per protocol. */
  connections: number;
  seed: number;
  /** A watcher request answered later than this is a stall. */
  deadlineMs: number;
  /** Resident memory of the server above this is a failure. */
  maxRssBytes: number;
}

export interface FuzzReport {
  frames: Record<FuzzProtocol, number>;
  crashes: number;
  stalls: number;
  wrongAnswers: number;
  watcherChecks: number;
  slowestWatcherMs: number;
  peakRssBytes: number;
  memoryExceeded: boolean;
  slowest?: { micros: number; name: string };
  seconds: number;
}

/** Limits the server under test runs with, so hostile requests cannot ask for gigabytes. */
const SERVER_ARGS = [
  "--save",
  "",
  "--proto-max-bulk-len",
  "16mb",
  "--maxmemory",
  "128mb",
  "--maxmemory-policy",
  "allkeys-random",
];
const MAX_BULK = 16 * 1024 * 1024;
/** A connection is replaced after this many frames (or after a malformed one). */
const FRAMES_PER_CONNECTION = 50;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const workDir = await Deno.makeTempDir({ prefix: "redis-home-fuzz-" });
  const server = await ServerProcess.start("home", workDir, SERVER_ARGS);
  const report: FuzzReport = {
    frames: { resp: 0, native: 0 },
    crashes: 0,
    stalls: 0,
    wrongAnswers: 0,
    watcherChecks: 0,
    slowestWatcherMs: 0,
    peakRssBytes: 0,
    memoryExceeded: false,
    seconds: 0,
  };
  const started = performance.now();
  try {
    const names = await commandNames(server.port);
    const endAt = Date.now() + options.seconds * 1000;
    let done = false;
    const finished = () => done || Date.now() > endAt || !server.alive;
    const workers: Promise<void>[] = [];
    for (const protocol of ["resp", "native"] as const) {
      for (let i = 0; i < options.connections; i++) {
        const r = new Random(options.seed * 1000 + workers.length);
        workers.push(fuzzConnection(server.port, protocol, r, names, report, options, finished));
      }
    }
    const watcher = watch(server, report, options, finished);
    await Promise.all(workers);
    done = true;
    await watcher;
    if (server.alive) report.slowest = await slowestCommand(server.port);
    else report.crashes = 1;
  } finally {
    await server.stop();
    await Deno.remove(workDir, { recursive: true });
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

async function commandNames(port: number): Promise<string[]> {
  const reply = await command(port, "COMMAND", "LIST");
  if (reply.type !== "array") throw new Error("COMMAND LIST did not answer an array");
  return reply.values.flatMap((v) =>
    v.type === "bulk" && !EXCLUDED_COMMANDS.has(v.value) ? [v.value] : []
  );
}

/** One fuzzing connection at a time: sends frames, drains replies, reconnects after bad frames. */
async function fuzzConnection(
  port: number,
  protocol: FuzzProtocol,
  r: Random,
  names: string[],
  report: FuzzReport,
  options: FuzzOptions,
  finished: () => boolean,
): Promise<void> {
  const frameOptions = { names, maxBulk: MAX_BULK };
  while (!finished() && report.frames[protocol] < options.frames) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
    if (conn === undefined) return;
    const draining = drain(conn);
    try {
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
        if (finished() || report.frames[protocol] >= options.frames) break;
        const { bytes, bad } = randomFrame(r, protocol, frameOptions);
        for (const piece of splitFrame(r, bytes)) await writeAll(conn, piece);
        report.frames[protocol]++;
        if (bad) break;
      }
    } catch {
      // The server closed the connection after a malformed frame: take a new one.
    } finally {
      conn.close();
      await draining;
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}

/** Reads and drops replies until the connection ends. */
async function drain(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    while (await conn.read(buf) !== null);
  } catch {
    // Closed by us or reset by the server.
  }
}

/**
 * The well-behaved client: ECHO of a fresh payload, checked, within the
 * deadline; and the server's resident memory, within its bound.
 */
async function watch(
  server: ServerProcess,
  report: FuzzReport,
  options: FuzzOptions,
  finished: () => boolean,
): Promise<void> {
  let n = 0;
  while (!finished()) {
    const payload = `watch-${n++}`;
    const started = performance.now();
    const reply: RespValue | undefined = await command(server.port, "ECHO", payload).catch(() =>
      undefined
    );
    const ms = performance.now() - started;
    if (!server.alive) return;
    report.watcherChecks++;
    report.slowestWatcherMs = Math.max(report.slowestWatcherMs, ms);
    if (ms > options.deadlineMs) report.stalls++;
    if (reply?.type !== "bulk" || reply.value !== payload) report.wrongAnswers++;
    const rss = await server.rss().catch(() => 0);
    report.peakRssBytes = Math.max(report.peakRssBytes, rss);
    if (rss > options.maxRssBytes) report.memoryExceeded = true;
    await sleep(100);
  }
}

/**
 * The command with the highest mean time per call in INFO commandstats
 * (redis-home samples its timings, so this is an estimate; it has no SLOWLOG).
 */
async function slowestCommand(port: number): Promise<FuzzReport["slowest"]> {
  const reply = await command(port, "INFO", "commandstats");
  if (reply.type !== "bulk" && reply.type !== "verbatim") return undefined;
  let slowest: FuzzReport["slowest"];
  for (const [field, value] of parseInfo(reply.value)) {
    const micros = Number(/usec_per_call=([\d.]+)/.exec(value)?.[1] ?? 0);
    if (slowest !== undefined && slowest.micros >= micros) continue;
    slowest = { micros, name: field.replace(/^cmdstat_/, "") };
  }
  return slowest;
}

/** The report as text, one figure a line. */
export function formatReport(report: FuzzReport): string {
  const slowest = report.slowest === undefined
    ? "none"
    : `${report.slowest.name}, ${report.slowest.micros.toFixed(1)} µs per call`;
  return [
    `frames sent: resp ${report.frames.resp}, native ${report.frames.native}`,
    `crashes: ${report.crashes}`,
    `stalls (watcher over the deadline): ${report.stalls} of ${report.watcherChecks} checks`,
    `wrong answers to the watcher: ${report.wrongAnswers}`,
    `slowest watcher answer: ${report.slowestWatcherMs.toFixed(1)} ms`,
    `peak server RSS: ${(report.peakRssBytes / 1048576).toFixed(1)} MB` +
    (report.memoryExceeded ? " (OVER THE BOUND)" : ""),
    `costliest command per call (INFO commandstats): ${slowest}`,
    `time: ${report.seconds.toFixed(1)} s`,
  ].join("\n");
}

/** Whether a run found nothing wrong. */
export function clean(report: FuzzReport): boolean {
  return report.crashes === 0 && report.stalls === 0 && report.wrongAnswers === 0 &&
    !report.memoryExceeded;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      frames: { type: "string", default: "100000" },
      seconds: { type: "string", default: "60" },
      connections: { type: "string", default: "8" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      "deadline-ms": { type: "string", default: "5000" },
      "max-rss-mb": { type: "string", default: "1024" },
    },
  });
  console.log(`seed ${values.seed}`);
  const report = await runFuzz({
    frames: Number(values.frames),
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    seed: Number(values.seed),
    deadlineMs: Number(values["deadline-ms"]),
    maxRssBytes: Number(values["max-rss-mb"]) * 1048576,
  });
  console.log(formatReport(report));
  if (!clean(report)) Deno.exit(1);
}
