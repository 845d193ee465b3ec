/**
 * The command sweep (`--only sweep`): the cost of ~130 commands from every
 * family of the command table, on Redis and on redis-home, as server CPU
 * microseconds per request. Each command is sent by redis-benchmark at
 * pipeline 16 after its prefill, long enough for about a second of server CPU;
 * the servers take turns on the same core (pinned, with the generator on the
 * other core, where the machine has two), and the cost is read from
 * /proc/<pid>/stat, which the machine's other load does not inflate the way it
 * does ops/s. That second is measured in rounds, the servers alternating, and
 * the median round counts: this host's speed changes from one minute to the
 * next (Redis's own cost for one row moved from 1.07 to 1.63 us between runs),
 * and a row measured on each server once read that drift as a ratio.
 */
import { pinning } from "./loadgen.ts";
import type { Step } from "./progress.ts";
import { type BenchmarkTest, runBenchmark } from "./redis_benchmark.ts";
import { type Failed, failed, failure, type SweepFigures, type SweepResult } from "./results.ts";
import { formatRatio, table } from "./report.ts";
import { alternating, command, type ServerKind, ServerProcess } from "./servers.ts";
import type { SweepCommand } from "./sweep_commands.ts";

export interface SweepPlan {
  commands: SweepCommand[];
  /** Server CPU seconds each measured run should take. */
  cpuSec: number;
  pin: boolean;
}

export const SWEEP_PIPELINE = 16;
const CLIENTS = 50;
/**
 * First runs that warm the server up, the last sizing the measured one. Both
 * always run: a JIT compiles a command's path over its first tens of
 * thousands of requests (EVALSHA through the Lua VM: ~13 us a request over
 * the first 10,000, ~5 up to 60,000, ~2.5 after), and the measured run is
 * meant to show the steady state, as it does for Redis.
 */
const CALIBRATION_REQUESTS = [10_000, 50_000];
/**
 * Then a run of this share of the measured run's server CPU, which sizes it:
 * V8 kept tiering a command's path past the calibration (BITOP AND of 1 KB,
 * a fresh server: ~1.13 us a request from 60,000 to ~460,000 requests, ~0.98
 * after), and a measured run of 1 s took that tail in.
 */
const WARM_SHARE = 0.5;
/** Measured rounds a server, alternating with the other's, each of 1/ROUNDS of the CPU. */
export const SWEEP_ROUNDS = 3;
const MIN_REQUESTS = 20_000;
const MAX_REQUESTS = 5_000_000;
const TIMEOUT_MS = 120_000;
/** The goal: every command at least this share of Redis's throughput per core. */
export const SWEEP_GOAL = 0.9;

/** Requests for about `cpuSec` of server CPU, from a calibration run's cost. */
export function requestsFor(
  calibrationCpuSec: number,
  calibrationRequests: number,
  cpuSec: number,
) {
  // A run too short to show a clock tick still bounds the cost from above.
  const perRequest = Math.max(calibrationCpuSec, 0.01) / calibrationRequests;
  const wanted = Math.ceil(cpuSec / perRequest / 1000) * 1000;
  return Math.min(MAX_REQUESTS, Math.max(MIN_REQUESTS, wanted));
}

/** Redis's cost over redis-home's: redis-home's throughput per core as a share of Redis's. */
export function sweepRatio(row: SweepResult): number | undefined {
  if (failed(row.home) || failed(row.redis) || row.home.usPerOp === 0) return undefined;
  return row.redis.usPerOp / row.home.usPerOp;
}

/** The rows under the goal, worst first. */
export function belowGoal(rows: SweepResult[], goal = SWEEP_GOAL): SweepResult[] {
  return rows.filter((row) => (sweepRatio(row) ?? Infinity) < goal)
    .sort((a, b) => sweepRatio(a)! - sweepRatio(b)!);
}

function micros(cell: SweepFigures | Failed, errors: string[]): string {
  if (!failed(cell)) return cell.usPerOp < 10 ? cell.usPerOp.toFixed(2) : cell.usPerOp.toFixed(1);
  if (!errors.includes(cell.error)) errors.push(cell.error);
  return `error[${errors.indexOf(cell.error) + 1}]`;
}

function rowsOf(rows: SweepResult[], errors: string[]): string[][] {
  return rows.map((row) => [
    row.command,
    row.family,
    micros(row.home, errors),
    micros(row.redis, errors),
    formatRatio(sweepRatio(row)),
  ]);
}

const HEADER = ["command", "family", "redis-home µs", "Redis µs", "ratio"];

function errorLines(errors: string[]): string[] {
  return errors.map((error, i) => `error[${i + 1}]: ${error}`);
}

/** The sweep as a terminal table, then the commands under the goal. */
export function sweepSection(rows: SweepResult[]): string {
  const errors: string[] = [];
  const lines = [
    `Command sweep: server CPU µs per request at pipeline ${SWEEP_PIPELINE} ` +
    `(ratio: Redis µs ÷ redis-home µs, redis-home's throughput per core as a share of Redis's)`,
    table(HEADER, rowsOf(rows, errors)),
  ];
  const below = belowGoal(rows);
  lines.push(
    `${below.length} of ${rows.length} under ${SWEEP_GOAL}×: ` +
      (below.map((row) => `${row.command} ${formatRatio(sweepRatio(row))}`).join(", ") || "none"),
  );
  return [...lines, ...errorLines(errors)].join("\n");
}

function markdownTable(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const rule = `| ${HEADER.map((_, i) => i < 2 ? "---" : "--:").join(" | ")} |`;
  return [line(HEADER), rule, ...rows.map(line)].join("\n");
}

/** The sweep's Markdown: how it was measured, the table, the commands under the goal. */
export function sweepMarkdown(
  rows: SweepResult[],
  setup: { pinned: boolean; cpuSec: number },
  file: string,
): string {
  const errors: string[] = [];
  const parts = [
    `Command sweep from [\`${file}\`](${file}): server CPU µs per request (user + system, ` +
    `/proc/<pid>/stat), redis-benchmark with ${CLIENTS} clients at pipeline ${SWEEP_PIPELINE}, ` +
    `about ${setup.cpuSec} s of server CPU per command and server, in ${SWEEP_ROUNDS} rounds ` +
    `taking turns with the other server (the median round's µs), after ` +
    `${CALIBRATION_REQUESTS.reduce((a, b) => a + b).toLocaleString("en")} requests and ` +
    `about ${setup.cpuSec * WARM_SHARE} s of server CPU of warm-up, ` +
    `${setup.pinned ? "servers on core 0 and redis-benchmark on core 1" : "not pinned"}. ` +
    `Ratio: Redis µs ÷ redis-home µs (redis-home's throughput per core as a share of Redis's).`,
    markdownTable(rowsOf(rows, errors)),
  ];
  const below = belowGoal(rows);
  parts.push(
    `Under ${SWEEP_GOAL}×, worst first: ` +
      (below.map((row) => `${row.command} ${formatRatio(sweepRatio(row))}`).join(", ") ||
        "none") +
      ".",
  );
  if (errors.length > 0) parts.push(errorLines(errors).join("\n\n"));
  return parts.join("\n\n") + "\n";
}

/** Runs redis-benchmark once and returns the server CPU seconds it cost, or its failure. */
async function cpuOfRun(
  server: ServerProcess,
  sweep: SweepCommand,
  requests: number,
  clientCpu: number | undefined,
): Promise<number | Failed> {
  const test: BenchmarkTest = {
    name: sweep.name,
    flag: "",
    row: sweep.command[0]!,
    weight: 1,
    command: sweep.command,
  };
  const before = await server.cpuSeconds();
  const outcome = await runBenchmark({
    port: server.port,
    test,
    clients: CLIENTS,
    requests,
    pipeline: SWEEP_PIPELINE,
    ...(sweep.random === undefined ? {} : { keyspace: sweep.random }),
    timeoutMs: TIMEOUT_MS,
    ...(clientCpu === undefined ? {} : { cpu: clientCpu }),
  });
  if (failed(outcome)) return outcome;
  return await server.cpuSeconds() - before;
}

/**
 * One command on one server made ready: emptied, prefilled, calibrated and warmed up. Returns the
 * requests a measured round takes (about `cpuSec` of server CPU), or the failure.
 */
export async function prepareCommand(
  server: ServerProcess,
  sweep: SweepCommand,
  cpuSec: number,
  clientCpu: number | undefined,
): Promise<number | Failed> {
  await command(server.port, "FLUSHALL");
  for (const argv of sweep.prefill) {
    const reply = await command(server.port, ...argv);
    if (reply.type === "error") return { error: `prefill ${argv[0]}: ${reply.value}` };
  }
  let calibration: number | Failed = 0;
  let calibrated = 0;
  for (const requests of CALIBRATION_REQUESTS) {
    calibration = await cpuOfRun(server, sweep, requests, clientCpu);
    calibrated = requests;
    if (failed(calibration)) return calibration;
  }
  const warming = requestsFor(calibration, calibrated, cpuSec * WARM_SHARE * SWEEP_ROUNDS);
  const warm = await cpuOfRun(server, sweep, warming, clientCpu);
  if (failed(warm)) return warm;
  return requestsFor(warm, warming, cpuSec);
}

/** The figures of a server's measured rounds (server CPU seconds each, of `requests` requests). */
export function roundFigures(rounds: readonly number[], requests: number): SweepFigures {
  const us = rounds.map((cpu) => cpu * 1e6 / requests);
  const sorted = us.toSorted((a, b) => a - b);
  const cpuSec = rounds.reduce((sum, cpu) => sum + cpu, 0);
  return {
    usPerOp: sorted[(sorted.length - 1) >> 1]!,
    requests: requests * rounds.length,
    cpuSec,
    rounds: us,
  };
}

/** Both servers made ready, then SWEEP_ROUNDS measured rounds each, taking turns. */
async function measureRow(
  servers: (kind: ServerKind) => Promise<ServerProcess>,
  sweep: SweepCommand,
  order: ServerKind[],
  cpuSec: number,
  clientCpu: number | undefined,
): Promise<Record<ServerKind, SweepFigures | Failed>> {
  const requests: Partial<Record<ServerKind, number | Failed>> = {};
  for (const kind of order) {
    requests[kind] = await prepareCommand(
      await servers(kind),
      sweep,
      cpuSec / SWEEP_ROUNDS,
      clientCpu,
    )
      .catch(failure);
  }
  const rounds: Record<ServerKind, number[]> = { redis: [], home: [] };
  const cells: Partial<Record<ServerKind, SweepFigures | Failed>> = {};
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    for (const kind of order) {
      const sized = requests[kind]!;
      if (failed(sized) || cells[kind] !== undefined) continue;
      const used = await cpuOfRun(await servers(kind), sweep, sized, clientCpu).catch(failure);
      if (failed(used)) cells[kind] = used;
      else rounds[kind].push(used);
    }
  }
  const cell = (kind: ServerKind) => {
    const sized = requests[kind]!;
    return failed(sized) ? sized : cells[kind] ?? roundFigures(rounds[kind], sized);
  };
  return { redis: cell("redis"), home: cell("home") };
}

/** One step per command, both servers in turns on the same core; servers restarted after a crash. */
export function sweepSteps(
  plan: SweepPlan,
  workDir: string,
  results: SweepResult[],
  setup: (pinned: boolean) => void,
): { steps: Step[]; stop: () => Promise<void> } {
  const running: Partial<Record<ServerKind, ServerProcess>> = {};
  let cores: { server: number; client: number } | undefined;
  const server = async (kind: ServerKind) => {
    const current = running[kind];
    if (current?.alive) return current;
    return running[kind] = await ServerProcess.start(kind, workDir, [], cores?.server);
  };
  const steps: Step[] = [{
    label: "starting the sweep's servers",
    estimateSec: 3,
    run: async () => {
      cores = plan.pin ? await pinning() : undefined;
      setup(cores !== undefined);
      await server("redis");
      await server("home");
    },
  }];
  plan.commands.forEach((sweep, i) => {
    steps.push({
      label: `sweep ${sweep.name}`,
      estimateSec: plan.cpuSec * (2 + 2 * WARM_SHARE) + 1,
      run: async () => {
        const cells = await measureRow(server, sweep, alternating(i), plan.cpuSec, cores?.client);
        results.push({
          command: sweep.name,
          family: sweep.family,
          line: sweep.command.join(" "),
          redis: cells.redis,
          home: cells.home,
        });
      },
    });
  });
  const stop = async () => {
    await Promise.all(Object.values(running).map((s) => s.stop()));
    delete running.redis;
    delete running.home;
  };
  steps.push({ label: "stopping the sweep's servers", estimateSec: 1, run: stop });
  return { steps, stop };
}
