/**
 * Sorted-set scale curves: the average cost of ZADD (building the set),
 * ZRANK, ZRANGE of ten members at a random rank, ZQUERY at a random score
 * (redis-home's own command) and ZREM, on sets of growing size. Every figure
 * is wall time over a pipelined run, so the protocol's share is the same at
 * each size and the curve shows how the data structure scales.
 */
import { type EncodedRequests, encodeRequests, runLoad } from "./load.ts";
import type { Step } from "./progress.ts";
import { type Failed, failed, failure, notRun, type ScaleResult } from "./results.ts";
import {
  alternating,
  SERVER_NAMES,
  type ServerKind,
  type ServerProcess,
  withServer,
} from "./servers.ts";

const KEY = "zscale";
const CONNECTIONS = 4;
const PIPELINE = 32;

export interface ScaleOp {
  name: string;
  /** Servers that have the command. */
  servers: ServerKind[];
  requests: EncodedRequests;
}

function member(i: number): string {
  return `m${i}`;
}

/** A uniformly random integer in [0, n). */
function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/** `k` distinct indexes below `n`, in random order (a partial Fisher-Yates shuffle). */
export function distinctRandom(n: number, k: number): Uint32Array {
  const indexes = new Uint32Array(n);
  for (let i = 0; i < n; i++) indexes[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + randomBelow(n - i);
    // i <= j < n: both in range.
    const picked = indexes[j]!;
    indexes[j] = indexes[i]!;
    indexes[i] = picked;
  }
  return indexes.subarray(0, k);
}

/**
 * The requests for one set size, encoded once and replayed on both servers:
 * the build first, then the measured operations in order (ZREM last, as it
 * shrinks the set).
 */
export function scaleOps(size: number, opsPerStep: number): ScaleOp[] {
  const both: ServerKind[] = ["redis", "home"];
  // Integer scores over a range ten times the size: few ties, short requests.
  const scoreRange = size * 10;
  const scores = Uint32Array.from({ length: size }, () => randomBelow(scoreRange));
  const removed = distinctRandom(size, Math.min(opsPerStep, size / 2));
  const resp = (count: number, argv: (i: number) => string[]) =>
    encodeRequests("resp", count, argv);
  return [
    {
      name: "ZADD",
      servers: both,
      requests: resp(size, (i) => ["ZADD", KEY, String(scores[i]), member(i)]),
    },
    {
      name: "ZRANK",
      servers: both,
      requests: resp(opsPerStep, () => ["ZRANK", KEY, member(randomBelow(size))]),
    },
    {
      name: "ZRANGE 10",
      servers: both,
      requests: resp(opsPerStep, () => {
        const rank = randomBelow(size - 9);
        return ["ZRANGE", KEY, String(rank), String(rank + 9)];
      }),
    },
    {
      name: "ZQUERY 10",
      servers: ["home"],
      // limit counts array elements: 20 is ten members with their scores.
      requests: resp(
        opsPerStep,
        () => ["ZQUERY", KEY, String(randomBelow(scoreRange)), "", "0", "20"],
      ),
    },
    {
      name: "ZREM",
      servers: both,
      requests: resp(removed.length, (i) => ["ZREM", KEY, member(removed[i]!)]),
    },
  ];
}

/**
 * Runs the operations in order on a fresh server: microseconds per operation
 * by name, leaving out commands the server does not have.
 */
export async function measureScale(
  server: ServerProcess,
  ops: ScaleOp[],
): Promise<Map<string, number | Failed>> {
  const costs = new Map<string, number | Failed>();
  let buildError: Failed | undefined;
  for (const op of ops) {
    if (!op.servers.includes(server.kind)) continue;
    if (buildError) {
      costs.set(op.name, buildError);
      continue;
    }
    const result = await runLoad({
      port: server.port,
      protocol: "resp",
      requests: op.requests,
      connections: CONNECTIONS,
      pipeline: PIPELINE,
    });
    const cost: number | Failed = result.errors > 0
      ? { error: `${op.name}: ${result.firstError}` }
      : result.seconds * 1e6 / result.ops;
    costs.set(op.name, cost);
    if (op === ops[0] && failed(cost)) buildError = { error: `the build failed: ${cost.error}` };
  }
  return costs;
}

/**
 * One step per size and server, each on a freshly started server. The
 * requests for a size are encoded by its first step and dropped after its last.
 */
export function zsetSteps(
  plan: { sizes: number[]; opsPerStep: number },
  workDir: string,
  results: ScaleResult[],
): Step[] {
  return plan.sizes.flatMap((size, i) => {
    let ops: ScaleOp[] | undefined;
    const costs = new Map<ServerKind, Map<string, number | Failed>>();
    return alternating(i).map((kind) => ({
      label: `sorted set of ${size.toLocaleString("en-US")} on ${SERVER_NAMES[kind]}`,
      estimateSec: 3 + size / 100_000 + plan.opsPerStep / 50_000,
      run: async () => {
        const sizeOps = ops ??= scaleOps(size, plan.opsPerStep);
        const measured = await withServer(kind, workDir, (server) => measureScale(server, sizeOps))
          .catch((err) => new Map(sizeOps.map((op) => [op.name, failure(err)])));
        costs.set(kind, measured);
        if (costs.size < 2) return;
        ops = undefined;
        for (const op of sizeOps) {
          const redis = costs.get("redis")!.get(op.name);
          results.push({
            op: op.name,
            size,
            ...(redis === undefined ? {} : { redis }),
            home: costs.get("home")!.get(op.name) ?? notRun(),
          });
        }
      },
    }));
  });
}
