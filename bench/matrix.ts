/**
 * The throughput matrix with the C load generator: every test × pipeline ×
 * keyspace, on Redis and redis-home (and, for the native commands, on the
 * book's C++ server and on redis-home over RESP). Servers run on core 0 and
 * the generator on core 1 where the machine has two; each run samples the
 * server's CPU time, so the report can show Redis at its ceiling (≈100 % of
 * a core), which proves the generator is not what limits the figures.
 * Rounds alternate which server goes first; the report keeps medians.
 */
import { BookServer, buildBookServer } from "./book.ts";
import { compileLoadgen, type LoadgenReport, pinning, runLoadgen } from "./loadgen.ts";
import { commandFor, type MatrixTest } from "./matrix_tests.ts";
import type { Step } from "./progress.ts";
import {
  type BenchResults,
  type Failed,
  failure,
  type Keyspace,
  type MatrixFigures,
  type MatrixTarget,
} from "./results.ts";
import { command, ServerProcess } from "./servers.ts";

export interface MatrixPlan {
  tests: MatrixTest[];
  pipelines: number[];
  keyspaces: Keyspace[];
  /** Runs per server and cell; the report keeps the median. */
  rounds: number;
  /** Measured seconds per run, after `warmupSec`. */
  runSec: number;
  warmupSec: number;
  /** The book's source (directory, git path or URL); undefined leaves it out. */
  bookSource: string | undefined;
  /** Pin servers and generator to separate cores where the machine has two. */
  pin: boolean;
}

export const CONNECTIONS = 50;
export const RANDOM_KEYSPACE = 100_000;
const PRELOAD_TIMEOUT_MS = 60_000;
const BOOK_HINT = "set BOOK_REDIS_SRC or --book-src to the book's chapter-14 source " +
  "(a directory with 14_server.cpp, or a git repository)";

/** Who runs a test: RESP tests on both servers, native tests on four targets. */
export function targetsFor(test: MatrixTest): MatrixTarget[] {
  return test.protocol === "resp" ? ["redis", "home"] : ["book", "home", "homeResp", "redis"];
}

/** The `round`-th order of `targets` in cell `cell`: each target leads in turn. */
export function rotation<T>(targets: T[], cell: number, round: number): T[] {
  const shift = (cell + round) % targets.length;
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}

/** One run's figures, or its error replies as a failure. */
export function runFigures(report: LoadgenReport): MatrixFigures | Failed {
  if (report.errors > 0) return { error: report.firstError || `${report.errors} error replies` };
  const cpu = report.serverCpuSec;
  if (report.requests === 0) {
    const busy = cpu === undefined
      ? ""
      : ` (server CPU ${Math.round(cpu / report.seconds * 100)}%)`;
    return { error: `no reply in the ${report.seconds.toFixed(1)} s measured${busy}` };
  }
  return {
    opsPerSec: report.opsPerSec,
    p50Ms: report.p50Us / 1000,
    p99Ms: report.p99Us / 1000,
    serverCpu: cpu === undefined || report.seconds <= 0 ? null : cpu / report.seconds,
    serverUsPerOp: cpu === undefined || report.requests === 0 ? null : cpu * 1e6 / report.requests,
    clientCpu: report.seconds > 0 ? report.clientCpuSec / report.seconds : 0,
    serverCoreOthers: othersShare(report.serverCoreBusySec, cpu, report.seconds),
    clientCoreOthers: othersShare(report.clientCoreBusySec, report.clientCpuSec, report.seconds),
    samples: [report.opsPerSec],
  };
}

/** The share of a core that processes other than `own`'s took: its busy time minus `own`'s. */
function othersShare(busySec: number | undefined, ownSec: number | undefined, seconds: number) {
  if (busySec === undefined || ownSec === undefined || seconds <= 0) return null;
  return Math.max(0, busySec - ownSec) / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : median(values as number[]);
}

/** The median of each figure over the rounds, or the first failure. */
export function medianFigures(runs: (MatrixFigures | Failed)[]): MatrixFigures | Failed {
  const failure = runs.find((run): run is Failed => "error" in run);
  if (failure !== undefined || runs.length === 0) return failure ?? { error: "not run" };
  const ok = runs as MatrixFigures[];
  return {
    opsPerSec: median(ok.map((r) => r.opsPerSec)),
    p50Ms: median(ok.map((r) => r.p50Ms)),
    p99Ms: median(ok.map((r) => r.p99Ms)),
    serverCpu: medianOrNull(ok.map((r) => r.serverCpu)),
    serverUsPerOp: medianOrNull(ok.map((r) => r.serverUsPerOp)),
    clientCpu: median(ok.map((r) => r.clientCpu)),
    serverCoreOthers: medianOrNull(ok.map((r) => r.serverCoreOthers ?? null)),
    clientCoreOthers: medianOrNull(ok.map((r) => r.clientCoreOthers ?? null)),
    samples: ok.map((r) => r.opsPerSec),
  };
}

interface Running {
  readonly port: number;
  readonly pid: number;
  readonly alive: boolean;
  stop(): Promise<void>;
}

/** The generator binary and the servers, restarted when one has died. */
class Bench {
  loadgen = "";
  cores: { server: number; client: number } | undefined;
  bookBinary: string | undefined;
  bookStatus = `unavailable: ${BOOK_HINT}`;
  readonly #running: Partial<Record<"redis" | "home" | "book", Running>> = {};

  constructor(readonly workDir: string) {}

  async setUp(plan: MatrixPlan): Promise<void> {
    this.cores = plan.pin ? await pinning() : undefined;
    this.loadgen = await compileLoadgen(this.workDir);
    if (plan.bookSource !== undefined && plan.tests.some((t) => t.protocol === "native")) {
      try {
        this.bookBinary = await buildBookServer(plan.bookSource, this.workDir);
        this.bookStatus = plan.bookSource;
      } catch (err) {
        this.bookStatus = `unavailable: ${failure(err).error}`;
      }
    }
  }

  /** The server behind a target, started if it is not running. */
  async server(target: MatrixTarget): Promise<Running> {
    const kind = target === "homeResp" ? "home" : target;
    const current = this.#running[kind];
    if (current?.alive) return current;
    const cpu = this.cores?.server;
    let started: Running;
    if (kind === "book") {
      if (this.bookBinary === undefined) throw new Error(this.bookStatus);
      started = await BookServer.start(this.bookBinary, cpu);
    } else {
      started = await ServerProcess.start(kind, this.workDir, [], cpu);
    }
    this.#running[kind] = started;
    return started;
  }

  /** Empties Redis and redis-home (FLUSHALL) and restarts the book's server, which has none. */
  async reset(): Promise<void> {
    for (const kind of ["redis", "home"] as const) {
      const server = this.#running[kind];
      if (server?.alive) await command(server.port, "FLUSHALL").catch(() => undefined);
    }
    await this.#running.book?.stop();
    delete this.#running.book;
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.#running).map((server) => server.stop()));
  }
}

/** Runs the test's preload and prepare commands on a target's server. */
async function prepare(bench: Bench, target: MatrixTarget, test: MatrixTest): Promise<void> {
  const server = await bench.server(target);
  const native = test.protocol === "native" && (target === "home" || target === "book");
  if (!native) {
    for (const argv of test.prepare ?? []) await command(server.port, ...argv);
  }
  if (test.preload === undefined) return;
  const argv = native ? test.preload.argv : test.preload.respArgv ?? test.preload.argv;
  await runLoadgen(bench.loadgen, {
    port: server.port,
    protocol: native ? "native" : "resp",
    argv,
    connections: 1,
    pipeline: 100,
    keyspace: RANDOM_KEYSPACE,
    requests: test.preload.requests,
  }, PRELOAD_TIMEOUT_MS);
}

async function measure(
  bench: Bench,
  plan: MatrixPlan,
  target: MatrixTarget,
  cell: { test: MatrixTest; pipeline: number; random: boolean; seed: number },
): Promise<MatrixFigures | Failed> {
  try {
    const server = await bench.server(target);
    const native = cell.test.protocol === "native" && (target === "home" || target === "book");
    const { protocol, argv } = commandFor(cell.test, native, cell.random);
    const report = await runLoadgen(bench.loadgen, {
      port: server.port,
      protocol,
      argv,
      connections: CONNECTIONS,
      pipeline: cell.pipeline,
      keyspace: cell.random ? RANDOM_KEYSPACE : 0,
      seconds: plan.runSec,
      warmupSec: plan.warmupSec,
      serverPid: server.pid,
      seed: cell.seed,
      ...(bench.cores === undefined
        ? {}
        : { cpu: bench.cores.client, serverCore: bench.cores.server }),
    }, (plan.runSec + plan.warmupSec) * 20_000 + 30_000);
    return runFigures(report);
  } catch (err) {
    return failure(err);
  }
}

/** Steps for the matrix; `stop` ends every server it started (call it in a finally). */
export function matrixSteps(
  plan: MatrixPlan,
  workDir: string,
  results: BenchResults,
): { steps: Step[]; stop: () => Promise<void> } {
  const bench = new Bench(workDir);
  const matrix = results.matrix ??= [];
  const steps: Step[] = [{
    label: "compiling the load generator, building the book's server",
    estimateSec: 5,
    run: async () => {
      await bench.setUp(plan);
      results.matrixSetup = {
        connections: CONNECTIONS,
        pinned: bench.cores !== undefined,
        rounds: plan.rounds,
        runSec: plan.runSec,
        book: bench.bookStatus,
      };
    },
  }];
  let cellIndex = 0;
  for (const keyspace of plan.keyspaces) {
    for (const pipeline of plan.pipelines) {
      let group: string | undefined;
      for (const test of plan.tests) {
        // A keyless test with random keys would repeat its single-key run.
        if (test.keyless && keyspace === "random" && plan.keyspaces.includes("single")) continue;
        const fresh = group !== test.protocol;
        group = test.protocol;
        const cell = cellIndex++;
        const targets = targetsFor(test);
        steps.push({
          label: `${test.name} (${test.protocol}), pipeline ${pipeline}, ${keyspace} key`,
          estimateSec: plan.rounds * targets.length * (plan.runSec + plan.warmupSec + 0.3),
          run: async () => {
            if (fresh) await bench.reset();
            const runs = new Map<MatrixTarget, (MatrixFigures | Failed)[]>();
            for (const target of targets) {
              runs.set(target, []);
              await prepare(bench, target, test).catch((err) =>
                runs.get(target)!.push(failure(err))
              );
            }
            for (let round = 0; round < plan.rounds; round++) {
              for (const target of rotation(targets, cell, round)) {
                const spec = {
                  test,
                  pipeline,
                  random: keyspace === "random",
                  seed: cell * 97 + round + 1,
                };
                runs.get(target)!.push(await measure(bench, plan, target, spec));
              }
            }
            matrix.push({
              test: test.name,
              protocol: test.protocol,
              pipeline,
              keyspace,
              cells: Object.fromEntries([...runs].map(([t, r]) => [t, medianFigures(r)])),
            });
          },
        });
      }
    }
  }
  steps.push({ label: "stopping the matrix's servers", estimateSec: 1, run: () => bench.stop() });
  return { steps, stop: () => bench.stop() };
}
