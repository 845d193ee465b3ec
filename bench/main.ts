/**
 * `deno task bench`: redis-home against the real redis-server in one run.
 *
 *   deno task bench [--quick]
 *                   [--only matrix,memory,connections,zset,replication,cache,throughput,protocols,sweep]
 *                   [--datasets strings,hash,...]
 *   deno task bench --matrix [--tests set,get] [--pipeline 1,16] [--keys single,random]
 *                   [--rounds N] [--seconds S] [--book-src DIR|GIT]
 *   deno task bench --only sweep [--commands GET,lists,...]
 *
 * Starts the servers as separate processes on free loopback ports, runs the
 * same workloads on each (the throughput matrix with our C load generator,
 * including the book's server for the native protocol; memory, idle
 * connections, sorted-set scale curves, a master with one replica, a cache
 * workload under maxmemory; on request the older redis-benchmark matrix and
 * the JavaScript generator's protocol comparison, the command sweep's server
 * CPU per request of ~130 commands), prints a table and writes
 * bench/results/<date>.json, .svg and .md (the matrix's README tables and the
 * sweep's table).
 */
import { parseArgs } from "node:util";
import { type CachePlan, cacheSteps } from "./cache.ts";
import { sweepMarkdown, type SweepPlan, sweepSection, sweepSteps } from "./command_sweep.ts";
import { connectionSteps } from "./connections.ts";
import { type MatrixPlan, matrixSteps } from "./matrix.ts";
import { matrixMarkdown, matrixTargets } from "./matrix_report.ts";
import { selectTests } from "./matrix_tests.ts";
import { DATASETS, memorySteps } from "./memory.ts";
import { ProgressRunner, type Step } from "./progress.ts";
import { type ProtocolPlan, protocolSteps } from "./protocols.ts";
import { BENCHMARK_TESTS } from "./redis_benchmark.ts";
import { type ReplicationPlan, replicationSteps } from "./replication.ts";
import { evaluateTargets, renderReport } from "./report.ts";
import type { BenchResults, Keyspace } from "./results.ts";
import { type ServerKind, ServerProcess } from "./servers.ts";
import { renderSvg } from "./svg.ts";
import { selectSweep, splitSweepNames, SWEEP_COMMANDS } from "./sweep_commands.ts";
import { type ThroughputPlan, throughputSteps } from "./throughput.ts";
import { zsetSteps } from "./zset_scale.ts";

const SECTIONS = [
  "matrix",
  "throughput",
  "protocols",
  "memory",
  "connections",
  "zset",
  "replication",
  "cache",
  "sweep",
] as const;
type Section = typeof SECTIONS[number];
/**
 * The matrix measures what redis-benchmark and the JS generator did, without their ceilings;
 * the command sweep (several minutes) runs on request.
 */
const DEFAULT_SECTIONS: Section[] = SECTIONS.filter((s) =>
  s !== "throughput" && s !== "protocols" && s !== "sweep"
);

interface Plan {
  mode: "quick" | "full";
  matrix: MatrixPlan;
  throughput: ThroughputPlan;
  protocols: ProtocolPlan;
  memory: { count: number; datasets: string[] };
  connections: number;
  zset: { sizes: number[]; opsPerStep: number };
  replication: ReplicationPlan;
  cache: CachePlan;
  sweep: SweepPlan;
}

/**
 * 1 KB values: Redis holds ~90k of them in 100 MB, so a million keys is ten
 * times what fits.
 */
const CACHE: CachePlan = {
  maxmemoryMb: 100,
  keys: 1_000_000,
  valueBytes: 1000,
  fillKeys: 200_000,
  requests: 500_000,
  getShare: 0.9,
  zipf: 0.99,
};

const FULL: Plan = {
  mode: "full",
  matrix: {
    tests: selectTests(undefined),
    pipelines: [1, 16],
    keyspaces: ["single", "random"],
    // This host runs at two speeds, every server alike (pipeline-1 cells sample near 135k or
    // 170k requests a second): with three rounds a cell's median was whichever two fell
    // together (native zadd P1: 1.40x, then 0.83x of the book's server; with five, 1.10x).
    rounds: 5,
    runSec: 1.5,
    warmupSec: 0.3,
    bookSource: undefined,
    pin: true,
  },
  throughput: {
    tests: BENCHMARK_TESTS,
    pipelines: [1, 16],
    keyspaces: ["single", "random"],
    rounds: 2,
    runSec: 1.2,
  },
  protocols: { pipelines: [1, 16], runSec: 2 },
  memory: { count: 1_000_000, datasets: DATASETS.map((d) => d.name) },
  connections: 10_000,
  zset: { sizes: [10_000, 100_000, 1_000_000], opsPerStep: 50_000 },
  replication: { keys: 1_000_000, requests: 1_000_000 },
  cache: CACHE,
  sweep: { commands: SWEEP_COMMANDS, cpuSec: 1, pin: true },
};

const QUICK: Plan = {
  mode: "quick",
  matrix: {
    tests: selectTests(undefined),
    pipelines: [1, 16],
    keyspaces: ["random"],
    rounds: 1,
    runSec: 0.5,
    warmupSec: 0.2,
    bookSource: undefined,
    pin: true,
  },
  throughput: {
    tests: BENCHMARK_TESTS,
    pipelines: [1, 16],
    keyspaces: ["random"],
    rounds: 1,
    runSec: 0.5,
  },
  protocols: { pipelines: [1, 16], runSec: 0.5 },
  memory: { count: 1_000_000, datasets: ["strings"] },
  connections: 10_000,
  zset: { sizes: [10_000, 100_000], opsPerStep: 10_000 },
  replication: { keys: 200_000, requests: 300_000 },
  cache: { ...CACHE, fillKeys: 150_000, requests: 200_000 },
  sweep: { commands: SWEEP_COMMANDS, cpuSec: 0.3, pin: true },
};

const RESULTS_DIR = new URL("./results/", import.meta.url).pathname;
const INSTALL_HINT = "install them with: sudo apt-get install redis-server redis-tools";

/** Fails with how to install Redis when redis-server or redis-benchmark is missing. */
async function redisVersion(): Promise<string> {
  const missing: string[] = [];
  let version = "";
  for (const tool of ["redis-server", "redis-benchmark"]) {
    try {
      const output = await new Deno.Command(tool, { args: ["--version"], stderr: "null" }).output();
      const text = new TextDecoder().decode(output.stdout);
      if (tool === "redis-server") version = text.match(/v=(\S+)/)?.[1] ?? text.trim();
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      missing.push(tool);
    }
  }
  if (missing.length > 0) {
    throw new Error(`${missing.join(" and ")} not found on PATH; ${INSTALL_HINT}`);
  }
  return version;
}

function buildSteps(
  plan: Plan,
  sections: Set<Section>,
  results: BenchResults,
  workDir: string,
  running: Partial<Record<ServerKind, ServerProcess>>,
  cleanups: (() => Promise<void>)[],
): Step[] {
  const steps: Step[] = [];
  if (sections.has("matrix")) {
    const matrix = matrixSteps(plan.matrix, workDir, results);
    steps.push(...matrix.steps);
    cleanups.push(matrix.stop);
  }
  // A server that crashed on one test is started again for the next, so one bad command costs one cell.
  const both = async () => {
    for (const kind of ["redis", "home"] as const) {
      if (running[kind]?.alive === false) running[kind] = await ServerProcess.start(kind, workDir);
    }
    return running as Record<ServerKind, ServerProcess>;
  };
  if (sections.has("throughput") || sections.has("protocols")) {
    steps.push({
      label: "starting redis-server and redis-home",
      estimateSec: 3,
      run: async () => {
        running.redis = await ServerProcess.start("redis", workDir);
        running.home = await ServerProcess.start("home", workDir);
      },
    });
    if (sections.has("throughput")) {
      steps.push(...throughputSteps(plan.throughput, both, results.throughput));
    }
    if (sections.has("protocols")) {
      steps.push(
        ...protocolSteps(plan.protocols, async () => (await both()).home, results.protocols),
      );
    }
    steps.push({
      label: "stopping both servers",
      estimateSec: 1,
      run: async () => {
        await Promise.all(Object.values(running).map((server) => server.stop()));
        delete running.redis;
        delete running.home;
      },
    });
  }
  if (sections.has("memory")) steps.push(...memorySteps(plan.memory, workDir, results.memory));
  if (sections.has("connections")) {
    steps.push(...connectionSteps(plan.connections, workDir, results.connections));
  }
  if (sections.has("zset")) steps.push(...zsetSteps(plan.zset, workDir, results.zsetScale));
  if (sections.has("replication")) {
    steps.push(...replicationSteps(plan.replication, workDir, results.replication));
  }
  if (sections.has("cache")) steps.push(...cacheSteps(plan.cache, workDir, results.cache!));
  if (sections.has("sweep")) {
    results.sweep = [];
    const sweep = sweepSteps(plan.sweep, workDir, results.sweep, (pinned) => {
      results.sweepSetup = { pinned, cpuSec: plan.sweep.cpuSec, pipeline: 16 };
    });
    steps.push(...sweep.steps);
    cleanups.push(sweep.stop);
  }
  return steps;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const MATRIX_OPTIONS = {
  matrix: { type: "boolean", default: false },
  tests: { type: "string" },
  pipeline: { type: "string" },
  keys: { type: "string" },
  rounds: { type: "string" },
  seconds: { type: "string" },
  "book-src": { type: "string" },
  "no-pin": { type: "boolean", default: false },
} as const;

const USAGE = `Usage: deno task bench [--quick] [--only ${SECTIONS.join(",")}]
                       [--datasets NAMES] [matrix options]

  --quick     a reduced run (the matrix with random keys only, one round)
  --only      run only these sections (comma-separated; default: all but throughput,protocols)
  --datasets  memory datasets to load (comma-separated; ${DATASETS.map((d) => d.name).join(",")})
  --commands  the sweep's commands or families (comma-separated, e.g. GET,EXPIRE,lists;
              default: all, bench/sweep_commands.ts)

Matrix (the C load generator, bench/loadgen/loadgen.c):
  --matrix    run only the matrix (same as --only matrix)
  --tests     its tests, e.g. set,get,lrange_100,mset,native-zquery (default: all)
  --pipeline  pipeline depths (default 1,16)
  --keys      single,random (default both; --quick: random)
  --rounds    rounds per cell, alternating which server goes first (default 5)
  --seconds   measured seconds per run (default 1.5)
  --book-src  the book's chapter-14 source: a directory or git repository
              (default: $BOOK_REDIS_SRC; without it the book's server is reported unavailable)
  --no-pin    leave servers and generator unpinned (default: servers on core 0, generator
              on core 1 when there are two cores and taskset)`;

export type MatrixValues = { [K in keyof typeof MATRIX_OPTIONS]?: string | boolean };

function numbers(text: string, what: string): number[] {
  const values = text.split(",").map(Number);
  if (values.some((v) => !(v > 0))) throw new Error(`--${what} takes positive numbers`);
  return values;
}

/** The matrix plan after its command-line options; throws on a bad value. */
export function matrixPlan(base: MatrixPlan, values: MatrixValues): MatrixPlan {
  const plan = { ...base, bookSource: Deno.env.get("BOOK_REDIS_SRC") || undefined };
  if (typeof values.tests === "string") plan.tests = selectTests(values.tests.split(","));
  if (typeof values.pipeline === "string") plan.pipelines = numbers(values.pipeline, "pipeline");
  if (typeof values.rounds === "string") plan.rounds = numbers(values.rounds, "rounds")[0]!;
  if (typeof values.seconds === "string") plan.runSec = numbers(values.seconds, "seconds")[0]!;
  if (typeof values["book-src"] === "string") plan.bookSource = values["book-src"];
  if (values["no-pin"] === true) plan.pin = false;
  if (typeof values.keys === "string") {
    const keys = values.keys.split(",");
    if (keys.some((k) => k !== "single" && k !== "random")) {
      throw new Error("--keys takes single and/or random");
    }
    plan.keyspaces = keys as Keyspace[];
  }
  return plan;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      datasets: { type: "string" },
      commands: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      ...MATRIX_OPTIONS,
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sections = new Set<Section>(values.matrix ? ["matrix"] : DEFAULT_SECTIONS);
  if (values.only !== undefined) {
    sections.clear();
    for (const name of values.only.split(",")) {
      if (!(SECTIONS as readonly string[]).includes(name)) {
        console.error(`bench: unknown section '${name}' (known: ${SECTIONS.join(", ")})`);
        return 2;
      }
      sections.add(name as Section);
    }
  }
  const plan = values.quick ? QUICK : FULL;
  try {
    plan.matrix = matrixPlan(plan.matrix, values);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  const noPin = values["no-pin"] === true;
  try {
    const commands = selectSweep(
      values.commands === undefined ? undefined : splitSweepNames(values.commands),
    );
    plan.sweep = { ...plan.sweep, commands, pin: plan.sweep.pin && !noPin };
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  if (values.datasets !== undefined) {
    const names = values.datasets.split(",");
    const unknown = names.find((name) => !DATASETS.some((d) => d.name === name));
    if (unknown !== undefined) {
      console.error(`bench: unknown dataset '${unknown}'`);
      return 2;
    }
    plan.memory = { ...plan.memory, datasets: names };
  }
  let redis: string;
  try {
    redis = await redisVersion();
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 1;
  }
  const results: BenchResults = {
    date: today(),
    mode: plan.mode,
    seconds: 0,
    machine: {
      cpus: navigator.hardwareConcurrency,
      os: `${Deno.build.os} ${Deno.osRelease()}`,
      deno: Deno.version.deno,
      redis,
    },
    throughput: [],
    protocols: [],
    memory: [],
    connections: [],
    zsetScale: [],
    replication: [],
    cache: [],
  };
  const workDir = await Deno.makeTempDir({ prefix: "redis-home-bench-" });
  const running: Partial<Record<ServerKind, ServerProcess>> = {};
  const cleanups: (() => Promise<void>)[] = [];
  const started = performance.now();
  try {
    await new ProgressRunner().run(
      buildSteps(plan, sections, results, workDir, running, cleanups),
    );
  } finally {
    await Promise.all(Object.values(running).map((server) => server.stop()));
    for (const cleanup of cleanups) await cleanup();
    await Deno.remove(workDir, { recursive: true });
  }
  results.seconds = (performance.now() - started) / 1000;
  const targets = [...evaluateTargets(results), ...matrixTargets(results)];
  console.log(renderReport(results, targets));
  if (results.sweep !== undefined) console.log(`\n${sweepSection(results.sweep)}`);
  const partial = values.only !== undefined || values.datasets !== undefined ||
    values.commands !== undefined || values.matrix ||
    Object.keys(MATRIX_OPTIONS).some((name) =>
      name !== "matrix" && name !== "no-pin" && name in values
    );
  // A run of the sweep alone gets a name of its own, beside the day's matrix results.
  const sweepOnly = sections.size === 1 && sections.has("sweep");
  const suffix = (plan.mode === "quick" ? "-quick" : "") + (sweepOnly ? "-sweep" : "") +
    (partial && !(sweepOnly && values.commands === undefined) ? "-partial" : "");
  const base = `${RESULTS_DIR}${results.date}${suffix}`;
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  await Deno.writeTextFile(`${base}.json`, JSON.stringify({ ...results, targets }, null, 2) + "\n");
  const written = [`${base}.json`];
  // The chart draws the other sections; the sweep alone has nothing in it.
  if (!sweepOnly) {
    await Deno.writeTextFile(`${base}.svg`, renderSvg(results));
    written.push(`${base}.svg`);
  }
  const json = `bench/results/${base.slice(RESULTS_DIR.length)}.json`;
  const markdown: string[] = [];
  if ((results.matrix ?? []).length > 0) markdown.push(matrixMarkdown(results, json));
  if (results.sweep !== undefined && results.sweepSetup !== undefined) {
    markdown.push(sweepMarkdown(results.sweep, results.sweepSetup, json));
  }
  if (markdown.length > 0) {
    await Deno.writeTextFile(`${base}.md`, markdown.join("\n"));
    written.push(`${base}.md`);
  }
  console.log(`\nwrote ${written.join(", ")}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
