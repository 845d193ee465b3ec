/**
 * A cache workload: each server runs with `maxmemory` and allkeys-lru, and
 * takes a Zipf-distributed mix of GET and SET over a key space ten times
 * larger than fits. It is filled first (SETs of random keys, well past
 * maxmemory), its statistics are reset, then the measured mix runs once
 * through, the same requests on both servers. Reported: RSS against maxmemory, the GET hit ratio (INFO
 * keyspace_hits / misses), throughput and evicted keys.
 */
import { encodeRequests, runLoad } from "./load.ts";
import type { Step } from "./progress.ts";
import { type CacheFigures, type CacheResult, failure, notRun } from "./results.ts";
import {
  alternating,
  command,
  parseInfo,
  SERVER_NAMES,
  type ServerProcess,
  sleep,
  withServer,
} from "./servers.ts";

export interface CachePlan {
  maxmemoryMb: number;
  /** Keys in the key space (ten times what fits). */
  keys: number;
  valueBytes: number;
  /** SETs of distinct random keys before measuring: enough to start evicting. */
  fillKeys: number;
  /** Requests in the measured mix, and the share of GETs in it. */
  requests: number;
  getShare: number;
  /** Zipf exponent (YCSB's default is 0.99). */
  zipf: number;
}

const CONNECTIONS = 8;
const PIPELINE = 16;
/** Requests encoded per load call (bounds the load generator's buffer). */
const CHUNK = 50_000;
const SETTLE_MS = 1000;

/** Samples ranks 0..n-1 with P(rank r) proportional to 1 / (r + 1)^s. */
export class Zipf {
  #cdf: Float64Array;

  constructor(n: number, s: number, private random = Math.random) {
    this.#cdf = new Float64Array(n);
    let total = 0;
    for (let r = 0; r < n; r++) this.#cdf[r] = total += 1 / Math.pow(r + 1, s);
    for (let r = 0; r < n; r++) this.#cdf[r]! /= total;
  }

  next(): number {
    const u = this.random();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function cacheKey(i: number): string {
  return `cache:${i}`;
}

/** The measured mix: GET or SET of Zipf-ranked keys (rank r is key r). */
export function mixCommands(plan: CachePlan, random = Math.random): string[][] {
  const zipf = new Zipf(plan.keys, plan.zipf, random);
  const value = "v".repeat(plan.valueBytes);
  return Array.from({ length: plan.requests }, () => {
    const key = cacheKey(zipf.next());
    return random() < plan.getShare ? ["GET", key] : ["SET", key, value];
  });
}

/** Sends `commands` in chunks, pipelined; returns the seconds it took. */
async function send(server: ServerProcess, commands: string[][]): Promise<number> {
  let seconds = 0;
  for (let first = 0; first < commands.length; first += CHUNK) {
    const chunk = commands.slice(first, first + CHUNK);
    const result = await runLoad({
      port: server.port,
      protocol: "resp",
      requests: encodeRequests("resp", chunk.length, (i) => chunk[i]!),
      connections: CONNECTIONS,
      pipeline: PIPELINE,
    });
    if (result.errors > 0) throw new Error(result.firstError ?? "error replies");
    seconds += result.seconds;
  }
  return seconds;
}

async function info(server: ServerProcess): Promise<Map<string, string>> {
  const reply = await command(server.port, "INFO", "all");
  if (reply.type !== "bulk" && reply.type !== "verbatim") throw new Error("INFO failed");
  return parseInfo(reply.value);
}

/** Fills a server past maxmemory, then runs the measured mix. */
export async function measureCache(
  server: ServerProcess,
  plan: CachePlan,
  mix: string[][],
): Promise<CacheFigures> {
  const value = "v".repeat(plan.valueBytes);
  const fill = Array.from(
    { length: plan.fillKeys },
    () => ["SET", cacheKey(Math.floor(Math.random() * plan.keys)), value],
  );
  await send(server, fill);
  await command(server.port, "CONFIG", "RESETSTAT");
  const cpuBefore = await server.cpuSeconds();
  const seconds = await send(server, mix);
  const cpuSeconds = await server.cpuSeconds() - cpuBefore;
  await sleep(SETTLE_MS);
  const stats = await info(server);
  const hits = Number(stats.get("keyspace_hits") ?? 0);
  const misses = Number(stats.get("keyspace_misses") ?? 0);
  const used = stats.get("used_memory");
  return {
    rss: await server.rss(),
    usedMemory: used === undefined ? null : Number(used),
    hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
    opsPerSec: mix.length / seconds,
    cpuMicrosPerOp: cpuSeconds / mix.length * 1e6,
    evictedKeys: Number(stats.get("evicted_keys") ?? 0),
    keys: Number((stats.get("db0") ?? "keys=0").match(/keys=(\d+)/)?.[1] ?? 0),
  };
}

/** One step per server, each on a fresh server started with maxmemory and allkeys-lru. */
export function cacheSteps(plan: CachePlan, workDir: string, results: CacheResult[]): Step[] {
  const entry: CacheResult = { ...plan, redis: notRun(), home: notRun() };
  results.push(entry);
  let mix: string[][] | undefined;
  const args = ["--maxmemory", `${plan.maxmemoryMb}mb`, "--maxmemory-policy", "allkeys-lru"];
  return alternating(0).map((kind) => ({
    label: `cache: ${plan.maxmemoryMb} MB allkeys-lru, Zipf GET/SET on ${SERVER_NAMES[kind]}`,
    estimateSec: 10 + (plan.fillKeys + plan.requests) / 40_000,
    run: async () => {
      // The same mix for both servers.
      mix ??= mixCommands(plan);
      entry[kind] = await withServer(
        kind,
        workDir,
        (server) => measureCache(server, plan, mix!),
        args,
      )
        .catch(failure);
    },
  }));
}
