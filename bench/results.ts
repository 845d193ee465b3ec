/**
 * The benchmark's results as one JSON-friendly value: what bench/main.ts
 * writes to bench/results/<date>.json and what the table and the SVG are drawn
 * from. A measurement that failed keeps its error message in place of figures.
 */
import type { WireProtocol } from "./replies.ts";

export interface Failed {
  error: string;
}

/** A failure as one line of plain text, for the table and the JSON. */
export function failure(err: unknown): Failed {
  const message = err instanceof Error ? err.message : String(err);
  // deno-lint-ignore no-control-regex
  const plain = message.replace(/\x1b\[[0-9;]*m/g, "");
  return { error: plain.split("\n").map((line) => line.trim()).filter(Boolean).join(" | ") };
}

/** The placeholder of a measurement whose step has not run (yet). */
export function notRun(): Failed {
  return { error: "not run" };
}

export function failed(cell: unknown): cell is Failed {
  return typeof cell === "object" && cell !== null && "error" in cell;
}

/** redis-benchmark figures: the median of the interleaved rounds, and every round's rps. */
export interface Throughput {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  samples: number[];
}

export type Keyspace = "single" | "random";

export interface ThroughputResult {
  test: string;
  pipeline: number;
  keyspace: Keyspace;
  redis: Throughput | Failed;
  home: Throughput | Failed;
}

/** The in-repo load generator against redis-home over one protocol. */
export interface ProtocolResult {
  op: string;
  pipeline: number;
  protocol: WireProtocol;
  result: { opsPerSec: number; p50Ms: number; p99Ms: number } | Failed;
}

export interface MemorySample {
  rss: number;
  /** INFO memory's used_memory; null when the server does not report it. */
  usedMemory: number | null;
}

export interface MemoryFigures {
  empty: MemorySample;
  loaded: MemorySample;
  /** Seconds the load took (absent in results from before it was measured). */
  loadSeconds?: number;
  /** CPU seconds the server spent on the load (the same). */
  loadCpuSeconds?: number;
}

export interface MemoryResult {
  /**
   * "strings" (that many keys), a type holding that many elements in one key
   * ("hash"), or that many keys of a type with three elements each ("hashes").
   */
  dataset: string;
  count: number;
  redis: MemoryFigures | Failed;
  home: MemoryFigures | Failed;
}

/** One server under the cache workload (bench/cache.ts). */
export interface CacheFigures {
  rss: number;
  usedMemory: number | null;
  /** GET hits over GETs, from INFO keyspace_hits and keyspace_misses. */
  hitRatio: number;
  opsPerSec: number;
  /**
   * Server CPU (user + system) per request of the mix, in µs: a cost figure
   * the shared machine's other load disturbs less than ops/s.
   */
  cpuMicrosPerOp: number;
  evictedKeys: number;
  /** Keys held at the end. */
  keys: number;
}

export interface CacheResult {
  maxmemoryMb: number;
  keys: number;
  valueBytes: number;
  fillKeys: number;
  requests: number;
  getShare: number;
  zipf: number;
  redis: CacheFigures | Failed;
  home: CacheFigures | Failed;
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export interface ConnectionFigures {
  /** Connections the opener held (it counts the ones the server refused apart). */
  opened: number;
  emptyRss: number;
  rss: number;
  pingEmpty: Latency;
  pingWithConnections: Latency;
}

export interface ConnectionsResult {
  count: number;
  redis: ConnectionFigures | Failed;
  home: ConnectionFigures | Failed;
}

/** Average cost of one operation on a sorted set of `size` members, in microseconds. */
export interface ScaleResult {
  op: string;
  size: number;
  /** Absent where the server has no such command (ZQUERY is redis-home's own). */
  redis?: number | Failed;
  home: number | Failed;
}

/** A master with one replica of the same kind (bench/replication.ts). */
export interface ReplicationFigures {
  /** Keys in the dataset the full sync copied. */
  keys: number;
  /** REPLICAOF until the replica had every byte. */
  fullSyncMs: number;
  /** SET (pipeline 16, 50 clients) on the master while the replica follows. */
  setRps: number;
  /** The largest master-minus-replica offset sampled during that load. */
  maxLagBytes: number;
  /** From the end of the load until the replica had every byte. */
  catchUpMs: number;
}

export interface ReplicationResult {
  redis: ReplicationFigures | Failed;
  home: ReplicationFigures | Failed;
}

/**
 * Who a matrix cell measured: Redis and redis-home over RESP; for the native
 * tests also redis-home over the native protocol ("home"), over RESP with the
 * equivalent command ("homeResp"), and the book's C++ server ("book").
 */
export type MatrixTarget = "redis" | "home" | "homeResp" | "book";

/** The C load generator's figures for one server: medians of the rounds. */
export interface MatrixFigures {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time over wall time in the measured window (1 = one full core); null if unread. */
  serverCpu: number | null;
  /** Server CPU microseconds per request; null if unread. */
  serverUsPerOp: number | null;
  /** The generator's own CPU time over wall time. */
  clientCpu: number;
  /**
   * Shares of the server's core and of the generator's core that other processes took in the
   * window (absent in older results, null if unread): above a few percent, the run was disturbed.
   */
  serverCoreOthers?: number | null;
  clientCoreOthers?: number | null;
  /** Every round's ops/s. */
  samples: number[];
}

export interface MatrixResult {
  test: string;
  protocol: "resp" | "native";
  pipeline: number;
  keyspace: Keyspace;
  cells: Partial<Record<MatrixTarget, MatrixFigures | Failed>>;
}

/** How the matrix was measured. */
export interface MatrixSetup {
  connections: number;
  /** Server on core 0 and generator on core 1 (taskset), or not pinned. */
  pinned: boolean;
  rounds: number;
  runSec: number;
  /** Where the book's server came from, or why it is unavailable. */
  book: string;
}

/** One server's cost for one command of the sweep (bench/command_sweep.ts). */
export interface SweepFigures {
  /** Server CPU (user + system) microseconds per request. */
  usPerOp: number;
  requests: number;
  cpuSec: number;
  /** Each measured round's µs per request (usPerOp is their median); absent before session 31. */
  rounds?: number[];
}

export interface SweepResult {
  command: string;
  family: string;
  /** The command line redis-benchmark sent. */
  line: string;
  redis: SweepFigures | Failed;
  home: SweepFigures | Failed;
}

export interface BenchResults {
  date: string;
  mode: "quick" | "full";
  /** Wall-clock seconds for the whole run. */
  seconds: number;
  machine: { cpus: number; os: string; deno: string; redis: string };
  throughput: ThroughputResult[];
  protocols: ProtocolResult[];
  memory: MemoryResult[];
  connections: ConnectionsResult[];
  zsetScale: ScaleResult[];
  replication: ReplicationResult[];
  /** Absent in results from before the cache workload existed. */
  cache?: CacheResult[];
  /** The C load generator's matrix; absent in results from before it existed. */
  matrix?: MatrixResult[];
  matrixSetup?: MatrixSetup;
  /** The command sweep; absent in results from before it existed. */
  sweep?: SweepResult[];
  sweepSetup?: { pinned: boolean; cpuSec: number; pipeline: number };
}
