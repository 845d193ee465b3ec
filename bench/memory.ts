/**
 * Memory: a fresh server's RSS and used_memory, then again after loading one
 * dataset. Loading is pipelined RESP over a few connections (the load
 * generator in send-once mode); containers are filled with variadic commands
 * of a thousand elements each.
 */
import { encodeRequests, runLoad } from "./load.ts";
import type { MemoryFigures, MemorySample } from "./results.ts";
import { type ServerProcess, sleep } from "./servers.ts";

export interface Dataset {
  name: string;
  /** Builds the i-th of the load's commands for `count` keys or elements. */
  commands(count: number): { total: number; argv: (i: number) => string[] };
}

/** Elements per variadic command when filling one big container. */
const CHUNK = 1000;
/** Time for the server to settle (lazy frees, a GC) before its memory is read. */
const SETTLE_MS = 1000;

/** `prefix` and `i` as a 10-byte string, so every key and value has the same size. */
export function padded(prefix: string, i: number): string {
  return prefix + String(i).padStart(10 - prefix.length, "0");
}

/** One variadic command per CHUNK elements: `name key` then `perElement(i)` for each. */
function variadic(name: string, key: string, perElement: (i: number) => string[]) {
  return (count: number) => ({
    total: Math.ceil(count / CHUNK),
    argv: (chunk: number) => {
      const argv = [name, key];
      const end = Math.min(count, (chunk + 1) * CHUNK);
      for (let i = chunk * CHUNK; i < end; i++) argv.push(...perElement(i));
      return argv;
    },
  });
}

/** The datasets of the issue: string keys with 10-byte values, and one big key per type. */
export const DATASETS: Dataset[] = [
  {
    name: "strings",
    commands: (count) => ({ total: count, argv: (i) => ["SET", padded("k", i), padded("v", i)] }),
  },
  { name: "hash", commands: variadic("HSET", "hash", (i) => [padded("f", i), padded("v", i)]) },
  { name: "list", commands: variadic("RPUSH", "list", (i) => [padded("v", i)]) },
  { name: "set", commands: variadic("SADD", "set", (i) => [padded("m", i)]) },
  { name: "zset", commands: variadic("ZADD", "zset", (i) => [String(i), padded("m", i)]) },
];

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
  const { total, argv } = dataset.commands(count);
  const requests = encodeRequests("resp", total, argv);
  const pipeline = dataset.name === "strings" ? 1000 : 4;
  const result = await runLoad({
    port: server.port,
    protocol: "resp",
    requests,
    connections: 4,
    pipeline,
  });
  if (result.errors > 0) throw new Error(result.firstError ?? "error replies while loading");
  await sleep(SETTLE_MS);
  return { empty, loaded: await sample(server) };
}
