/**
 * Runs redis-benchmark (Redis 7) one test at a time and reads its `--csv`
 * output. One test per run means a command the server rejects costs one
 * error cell: redis-benchmark exits at the first error reply.
 */
import { withoutArguments } from "./replies.ts";

/** A throughput test: redis-benchmark's `-t` name and its CSV row name. */
export interface BenchmarkTest {
  /** The name in our report. */
  name: string;
  /** redis-benchmark's `-t` argument. */
  flag: string;
  /** The first word of the CSV row this test prints. */
  row: string;
  /** Cost relative to GET, to size the request count for a similar duration. */
  weight: number;
  /** A command of our own instead of a built-in test (`flag` is then unused). */
  command?: readonly string[];
  /** Sent once before the test (SCRIPT LOAD for EVALSHA). */
  setup?: readonly string[];
}

/** The EVALSHA workload: a cached script that increments its key. */
const INCR_SCRIPT = "return redis.call('incr', KEYS[1])";
const INCR_SCRIPT_SHA = "2bab3b661081db58bd2341920e0ba7cf5dc77b25";

/** The matrix, in redis-benchmark's own order (LPOP pops what LPUSH pushed). */
export const BENCHMARK_TESTS: BenchmarkTest[] = [
  { name: "PING", flag: "ping_mbulk", row: "PING_MBULK", weight: 1 },
  { name: "SET", flag: "set", row: "SET", weight: 1 },
  { name: "GET", flag: "get", row: "GET", weight: 1 },
  { name: "INCR", flag: "incr", row: "INCR", weight: 1 },
  { name: "LPUSH", flag: "lpush", row: "LPUSH", weight: 1 },
  { name: "LPOP", flag: "lpop", row: "LPOP", weight: 1 },
  { name: "SADD", flag: "sadd", row: "SADD", weight: 1 },
  { name: "HSET", flag: "hset", row: "HSET", weight: 1 },
  { name: "ZADD", flag: "zadd", row: "ZADD", weight: 1.5 },
  { name: "ZPOPMIN", flag: "zpopmin", row: "ZPOPMIN", weight: 1 },
  // LRANGE_100 first pushes its list (a row of its own), then reads 100 elements per request.
  { name: "LRANGE_100", flag: "lrange_100", row: "LRANGE_100", weight: 6 },
  { name: "MSET (10 keys)", flag: "mset", row: "MSET", weight: 5 },
  {
    name: "EVALSHA (INCR script)",
    flag: "",
    row: "evalsha",
    weight: 2,
    command: ["evalsha", INCR_SCRIPT_SHA, "1", "key:__rand_int__"],
    setup: ["script", "load", INCR_SCRIPT],
  },
];

/** One CSV row: requests per second and latency percentiles in milliseconds. */
export interface BenchmarkRow {
  test: string;
  rps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Parses redis-benchmark 7's `--csv` output:
 * `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`
 * then one quoted row per test.
 */
export function parseBenchmarkCsv(text: string): BenchmarkRow[] {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  const headerAt = lines.findIndex((line) => line.startsWith('"test"'));
  const headerLine = lines[headerAt];
  if (headerLine === undefined) return [];
  const header = splitCsvLine(headerLine);
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`redis-benchmark CSV has no '${name}' column`);
    return index;
  };
  const columns = {
    rps: column("rps"),
    avg: column("avg_latency_ms"),
    p50: column("p50_latency_ms"),
    p99: column("p99_latency_ms"),
  };
  return lines.slice(headerAt + 1).map((line) => {
    const cells = splitCsvLine(line);
    return {
      test: cells[0] ?? "",
      rps: Number(cells[columns.rps]),
      avgMs: Number(cells[columns.avg]),
      p50Ms: Number(cells[columns.p50]),
      p99Ms: Number(cells[columns.p99]),
    };
  });
}

/** Splits one line of double-quoted CSV cells (quotes inside doubled, as RFC 4180). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = "";
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) throw new Error(`unterminated quote in CSV line: ${line}`);
        cell += line.slice(i, quote);
        i = quote + 1;
        if (line[i] !== '"') break;
        cell += '"';
        i++;
      }
      cells.push(cell);
      i++; // the comma
    } else {
      const comma = line.indexOf(",", i);
      const stop = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return cells;
}

/** The row a test printed, found by the first word of its name. */
export function findRow(rows: BenchmarkRow[], test: BenchmarkTest): BenchmarkRow | undefined {
  return rows.find((row) => row.test.split(" ")[0] === test.row);
}

/** The reason redis-benchmark gave for failing, from its stderr. */
export function benchmarkError(stderr: string, code: number): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter((line) =>
    line.length > 0 && !line.startsWith("WARNING")
  );
  const error = lines.find((line) => line.startsWith("Error")) ?? lines.at(-1);
  if (error === undefined) return `redis-benchmark exited with code ${code}`;
  return withoutArguments(error.replace(/^Error from server: /, ""));
}

export interface BenchmarkRun {
  port: number;
  test: BenchmarkTest;
  clients: number;
  requests: number;
  pipeline: number;
  /** Random keys over this many (`-r`); undefined for a single key. */
  keyspace?: number;
  timeoutMs: number;
  /** Pins redis-benchmark to this core (taskset). */
  cpu?: number;
}

/** A measured row, or the error that stopped the test. */
export type BenchmarkOutcome = BenchmarkRow | { error: string };

/** Runs one redis-benchmark test; never throws for a failing server. */
export async function runBenchmark(run: BenchmarkRun): Promise<BenchmarkOutcome> {
  const target = ["-h", "127.0.0.1", "-p", String(run.port)];
  if (run.test.setup !== undefined) {
    const setup = new Deno.Command("redis-benchmark", {
      args: [...target, "-c", "1", "-n", "1", "-q", ...run.test.setup],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    });
    await setup.output();
  }
  const args = [
    ...target,
    "-c",
    String(run.clients),
    "-n",
    String(run.requests),
    "-P",
    String(run.pipeline),
    "--csv",
  ];
  if (run.keyspace !== undefined) args.push("-r", String(run.keyspace));
  if (run.test.command !== undefined) args.push(...run.test.command);
  else args.push("-t", run.test.flag);
  const pin = run.cpu === undefined ? [] : ["taskset", "-c", String(run.cpu)];
  const child = new Deno.Command(pin[0] ?? "redis-benchmark", {
    args: pin.length === 0 ? args : [...pin.slice(1), "redis-benchmark", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, run.timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  if (timedOut) return { error: `timed out after ${Math.round(run.timeoutMs / 1000)} s` };
  const decoder = new TextDecoder();
  const row = findRow(parseBenchmarkCsv(decoder.decode(output.stdout)), run.test);
  if (output.code !== 0 || row === undefined) {
    return { error: benchmarkError(decoder.decode(output.stderr), output.code) };
  }
  return row;
}
