/**
 * Memory: a fresh server's RSS and used_memory, then again after loading one
 * dataset, and how long the load took. Loading is pipelined RESP over a few
 * connections (the load generator in send-once mode); one big container is
 * filled with variadic commands of a thousand elements each, small keys with
 * one command each.
 */
import { encodeRequests, runLoad } from "./load.ts";
import type { Step } from "./progress.ts";
import {
  failure,
  type MemoryFigures,
  type MemoryResult,
  type MemorySample,
  notRun,
} from "./results.ts";
import { alternating, SERVER_NAMES, type ServerProcess, sleep, withServer } from "./servers.ts";

export interface Dataset {
  name: string;
  command: string;
  /** The one key a container dataset fills; string keys have none. */
  key?: string;
  /** The arguments the i-th key or element adds to a command. */
  element(i: number): string[];
  /** Commands per key of a key-less dataset whose command adds one element (XADD): element(i) is the i-th command's. */
  perKey?: number;
  /** At most this many keys, whatever the run's count (Redis 7.0 gives each stream a 4 KB node). */
  maxCount?: number;
}

/** Elements per variadic command when filling one big container. */
const CHUNK = 1000;
/** Elements per pipelined batch: two container commands, or that many SETs. */
const BATCH_ELEMENTS = 2 * CHUNK;
/** Time for the server to settle (lazy frees, a GC) before its memory is read. */
const SETTLE_MS = 1000;

/** `prefix` and `i` as a 10-byte string, so every key and value has the same size. */
export function padded(prefix: string, i: number): string {
  return prefix + String(i).padStart(10 - prefix.length, "0");
}

/** Elements in each key of the many-small-keys datasets. */
export const SMALL_KEY_ELEMENTS = 3;

/** The arguments a small key adds: its name, then `part(i * 3 + j)` for each element. */
function smallKey(prefix: string, i: number, part: (n: number) => string[]): string[] {
  const args = [padded(prefix, i)];
  for (let j = 0; j < SMALL_KEY_ELEMENTS; j++) args.push(...part(i * SMALL_KEY_ELEMENTS + j));
  return args;
}

/**
 * The datasets of the issues: string keys with 10-byte values, one big key
 * per type (the stream: one XADD per entry), and many small keys per type
 * (three elements each).
 */
export const DATASETS: Dataset[] = [
  { name: "strings", command: "SET", element: (i) => [padded("k", i), padded("v", i)] },
  { name: "hash", command: "HSET", key: "hash", element: (i) => [padded("f", i), padded("v", i)] },
  { name: "list", command: "RPUSH", key: "list", element: (i) => [padded("v", i)] },
  { name: "set", command: "SADD", key: "set", element: (i) => [padded("m", i)] },
  { name: "zset", command: "ZADD", key: "zset", element: (i) => [String(i), padded("m", i)] },
  // XADD takes one entry per command: the key goes with each element (`XADD s * f v`).
  { name: "stream", command: "XADD", element: () => ["stream", "*", "f", "v"] },
  {
    name: "hashes",
    command: "HSET",
    element: (i) => smallKey("h", i, (n) => [`f${n % SMALL_KEY_ELEMENTS}`, padded("v", n)]),
  },
  { name: "lists", command: "RPUSH", element: (i) => smallKey("l", i, (n) => [padded("v", n)]) },
  { name: "sets", command: "SADD", element: (i) => smallKey("s", i, (n) => [padded("m", n)]) },
  {
    name: "zsets",
    command: "ZADD",
    element: (i) => smallKey("z", i, (n) => [String(n % SMALL_KEY_ELEMENTS), padded("m", n)]),
  },
  // XADD adds one entry: three commands a key (`XADD x0000000001 * f v0000000003`).
  {
    name: "streams",
    command: "XADD",
    perKey: SMALL_KEY_ELEMENTS,
    maxCount: 100_000,
    element: (n) => [padded("x", Math.floor(n / SMALL_KEY_ELEMENTS)), "*", "f", padded("v", n)],
  },
];

/** The commands that load `count` keys or elements: one SET each, or CHUNK per container command. */
export function loadCommands(dataset: Dataset, count: number): string[][] {
  const { command, key } = dataset;
  if (key === undefined) {
    const length = count * (dataset.perKey ?? 1);
    return Array.from({ length }, (_, i) => [command, ...dataset.element(i)]);
  }
  const commands: string[][] = [];
  for (let first = 0; first < count; first += CHUNK) {
    const argv = [command, key];
    for (let i = first; i < Math.min(count, first + CHUNK); i++) argv.push(...dataset.element(i));
    commands.push(argv);
  }
  return commands;
}

async function sample(server: ServerProcess): Promise<MemorySample> {
  const usedMemory = await server.usedMemory().catch(() => undefined);
  return { rss: await server.rss(), usedMemory: usedMemory ?? null };
}

/** Loads `count` keys or elements of `dataset` into a fresh server; throws on any error reply. */
export async function measureMemory(
  server: ServerProcess,
  dataset: Dataset,
  count: number,
): Promise<MemoryFigures> {
  await sleep(SETTLE_MS);
  const empty = await sample(server);
  const commands = loadCommands(dataset, count);
  const cpuBefore = await server.cpuSeconds();
  const result = await runLoad({
    port: server.port,
    protocol: "resp",
    requests: encodeRequests("resp", commands.length, (i) => commands[i]!),
    connections: 4,
    pipeline: dataset.key === undefined ? BATCH_ELEMENTS : BATCH_ELEMENTS / CHUNK,
  });
  if (result.errors > 0) throw new Error(result.firstError ?? "error replies while loading");
  const loadCpuSeconds = await server.cpuSeconds() - cpuBefore;
  await sleep(SETTLE_MS);
  return { empty, loaded: await sample(server), loadSeconds: result.seconds, loadCpuSeconds };
}

/** One step per dataset and server, each on a freshly started server. */
export function memorySteps(
  plan: { count: number; datasets: string[] },
  workDir: string,
  results: MemoryResult[],
): Step[] {
  const { count } = plan;
  const datasets = DATASETS.filter((d) => plan.datasets.includes(d.name));
  return datasets.flatMap((dataset, i) => {
    const keys = Math.min(count, dataset.maxCount ?? count);
    const entry: MemoryResult = {
      dataset: dataset.name,
      count: keys,
      redis: notRun(),
      home: notRun(),
    };
    results.push(entry);
    const what = dataset.key === undefined ? `${dataset.name} keys` : `${dataset.name} elements`;
    return alternating(i).map((kind) => ({
      label: `memory: ${keys.toLocaleString("en-US")} ${what} into ${SERVER_NAMES[kind]}`,
      estimateSec: 5 + keys / 250_000,
      run: async () => {
        entry[kind] = await withServer(
          kind,
          workDir,
          (server) => measureMemory(server, dataset, keys),
        ).catch(failure);
      },
    }));
  });
}
