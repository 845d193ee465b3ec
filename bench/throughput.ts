/**
 * The redis-benchmark matrix against both servers. Each test runs on Redis
 * and on redis-home back to back, alternating which goes first, so slow
 * drifts in the shared machine's load hit both about equally.
 */
import {
  type BenchmarkOutcome,
  type BenchmarkRow,
  type BenchmarkTest,
  runBenchmark,
} from "./redis_benchmark.ts";
import type { Step } from "./progress.ts";
import {
  type Failed,
  failed,
  type Keyspace,
  type Throughput,
  type ThroughputResult,
} from "./results.ts";
import { command, type ServerKind, type ServerProcess } from "./servers.ts";

export interface ThroughputPlan {
  tests: BenchmarkTest[];
  pipelines: number[];
  keyspaces: Keyspace[];
  /** Runs per server and test; the report keeps the median. */
  rounds: number;
  /** Seconds one run should take on Redis. */
  runSec: number;
}

const CLIENTS = 50;
const RANDOM_KEYSPACE = 100_000;
/** Redis's rate on a small machine, to size runs; a slower redis-home only runs longer. */
const PIPELINED_RPS = 500_000;
const EXPECTED_RPS: Record<number, number> = { 1: 70_000, 16: PIPELINED_RPS };
/** Process start, connections and the report, on top of the requests themselves. */
const RUN_OVERHEAD_SEC = 0.3;

/** Requests for one run: about `runSec` seconds of work on Redis. */
export function requestCount(test: BenchmarkTest, pipeline: number, runSec: number): number {
  const expected = EXPECTED_RPS[pipeline] ?? PIPELINED_RPS;
  return Math.max(1000, Math.round(expected * runSec / test.weight / 1000) * 1000);
}

/** The median of the rounds, or the first failure. */
export function summarize(outcomes: BenchmarkOutcome[]): Throughput | Failed {
  const failure = outcomes.find(failed);
  if (failure) return failure;
  const rows = outcomes as BenchmarkRow[];
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const upper = sorted[mid] ?? NaN;
    return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? NaN) + upper) / 2;
  };
  return {
    rps: median(rows.map((r) => r.rps)),
    p50Ms: median(rows.map((r) => r.p50Ms)),
    p99Ms: median(rows.map((r) => r.p99Ms)),
    samples: rows.map((r) => r.rps),
  };
}

/** Steps for the matrix; `servers` must be running when the first step starts. */
export function throughputSteps(
  plan: ThroughputPlan,
  servers: () => Promise<Record<ServerKind, ServerProcess>>,
  results: ThroughputResult[],
): Step[] {
  const steps: Step[] = [];
  let order = 0;
  for (const keyspace of plan.keyspaces) {
    for (const pipeline of plan.pipelines) {
      let firstOfConfig = true;
      for (const test of plan.tests) {
        // PING has no key: with random keys it would repeat the single-key run.
        const repeat = keyspace === "random" && plan.keyspaces.includes("single");
        if (repeat && test.flag.startsWith("ping")) continue;
        const requests = requestCount(test, pipeline, plan.runSec);
        const flush = firstOfConfig;
        firstOfConfig = false;
        const startsWithHome = order++ % 2 === 1;
        steps.push({
          label: `redis-benchmark ${test.name}, pipeline ${pipeline}, ${keyspace} key`,
          estimateSec: plan.rounds * 2 * (plan.runSec + RUN_OVERHEAD_SEC),
          run: async () => {
            if (flush) {
              // Each configuration starts from empty servers, as far as FLUSHALL works.
              const running = await servers();
              await Promise.allSettled(
                Object.values(running).map((s) => command(s.port, "FLUSHALL")),
              );
            }
            const outcomes: Record<ServerKind, BenchmarkOutcome[]> = { redis: [], home: [] };
            for (let round = 0; round < plan.rounds; round++) {
              const first: ServerKind = (round % 2 === 1) !== startsWithHome ? "home" : "redis";
              const kinds: ServerKind[] = first === "home" ? ["home", "redis"] : ["redis", "home"];
              for (const kind of kinds) {
                const outcome = await runBenchmark({
                  port: (await servers())[kind].port,
                  test,
                  clients: CLIENTS,
                  requests,
                  pipeline,
                  ...(keyspace === "random" ? { keyspace: RANDOM_KEYSPACE } : {}),
                  timeoutMs: Math.max(60_000, plan.runSec * 40_000),
                });
                outcomes[kind].push(outcome);
              }
            }
            results.push({
              test: test.name,
              pipeline,
              keyspace,
              redis: summarize(outcomes.redis),
              home: summarize(outcomes.home),
            });
          },
        });
      }
    }
  }
  return steps;
}
