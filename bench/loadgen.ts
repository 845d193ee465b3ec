/**
 * The C load generator (bench/loadgen/loadgen.c) from TypeScript: compiled
 * with `cc -O2` into a scratch directory at run time (never committed), run
 * pinned to its own core, and its one-line JSON report parsed.
 *
 * It exists because a generator in JavaScript, or redis-benchmark at
 * pipeline 1, spends about as much CPU per request as the server, so it
 * measures itself. This one spends a fraction of that, which the report
 * shows: Redis reaches ~100 % CPU under it.
 */

/** `inline` is RESP's inline form (PING_INLINE); `native` the book's framing. */
export type LoadgenProtocol = "resp" | "inline" | "native";

export interface LoadgenRun {
  port: number;
  protocol: LoadgenProtocol;
  /** The command; each `__rand_int__` becomes a random 12-digit number below `keyspace`. */
  argv: string[];
  connections: number;
  pipeline: number;
  /** 0 for a single key (placeholders stay as they are). */
  keyspace: number;
  /** Time mode: measure this long after `warmupSec`. */
  seconds?: number;
  warmupSec?: number;
  /** Count mode: send exactly this many requests (setup runs). */
  requests?: number;
  /** The server process whose CPU time the generator samples. */
  serverPid?: number;
  /** The server's core, whose busy time the generator samples (others' share = busy − server's). */
  serverCore?: number;
  /** Pin the generator to this core. */
  cpu?: number;
  seed?: number;
}

export interface LoadgenReport {
  requests: number;
  seconds: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  errors: number;
  firstError: string;
  /** Server CPU seconds in the measured window; undefined when /proc could not be read. */
  serverCpuSec: number | undefined;
  clientCpuSec: number;
  /** Busy seconds of the server's core and of the generator's own (when pinned); undefined if unread. */
  serverCoreBusySec: number | undefined;
  clientCoreBusySec: number | undefined;
}

const SOURCE = new URL("./loadgen/loadgen.c", import.meta.url).pathname;

/** Compiles the generator into `dir` and returns the binary's path. */
export async function compileLoadgen(dir: string): Promise<string> {
  const binary = `${dir}/loadgen`;
  const output = await new Deno.Command("cc", {
    args: ["-O2", "-Wall", "-o", binary, SOURCE],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((err) => {
    if (err instanceof Deno.errors.NotFound) throw new Error("cc not found: install gcc");
    throw err;
  });
  if (!output.success) {
    throw new Error(
      `cc failed to build the load generator:\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return binary;
}

/** The generator's command line (without the binary or taskset). */
export function loadgenArgs(run: LoadgenRun): string[] {
  const args = [
    "--port",
    String(run.port),
    "--proto",
    run.protocol,
    "--conns",
    String(run.connections),
    "--pipeline",
    String(run.pipeline),
    "--keyspace",
    String(run.keyspace),
  ];
  if (run.requests !== undefined) args.push("--requests", String(run.requests));
  if (run.seconds !== undefined) args.push("--seconds", String(run.seconds));
  if (run.warmupSec !== undefined) args.push("--warmup", String(run.warmupSec));
  if (run.serverPid !== undefined) args.push("--server-pid", String(run.serverPid));
  if (run.serverCore !== undefined) args.push("--server-core", String(run.serverCore));
  if (run.seed !== undefined) args.push("--seed", String(run.seed));
  return [...args, "--", ...run.argv];
}

/** Parses the generator's JSON line. */
export function parseLoadgenOutput(text: string): LoadgenReport {
  const line = text.trim().split("\n").at(-1) ?? "";
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new Error(`load generator printed no report: ${line.slice(0, 200)}`);
  }
  const num = (name: string) => {
    const value = raw[name];
    if (typeof value !== "number") throw new Error(`load generator report lacks '${name}'`);
    return value;
  };
  const serverCpu = num("server_cpu_sec");
  const busy = (name: string) => {
    const value = raw[name];
    return typeof value === "number" && value >= 0 ? value : undefined;
  };
  return {
    requests: num("requests"),
    seconds: num("seconds"),
    opsPerSec: num("ops_per_sec"),
    p50Us: num("p50_us"),
    p99Us: num("p99_us"),
    p999Us: num("p999_us"),
    errors: num("errors"),
    firstError: typeof raw.first_error === "string" ? raw.first_error : "",
    serverCpuSec: serverCpu < 0 ? undefined : serverCpu,
    clientCpuSec: num("client_cpu_sec"),
    serverCoreBusySec: busy("server_core_busy_sec"),
    clientCoreBusySec: busy("client_core_busy_sec"),
  };
}

/** Runs the generator; throws with its stderr when it fails or outlives `timeoutMs`. */
export async function runLoadgen(
  binary: string,
  run: LoadgenRun,
  timeoutMs: number,
): Promise<LoadgenReport> {
  const argv = run.cpu === undefined
    ? [binary, ...loadgenArgs(run)]
    : ["taskset", "-c", String(run.cpu), binary, ...loadgenArgs(run)];
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim();
    throw new Error(stderr || `load generator exited with ${output.signal ?? output.code}`);
  }
  return parseLoadgenOutput(decoder.decode(output.stdout));
}

/** Server and generator cores when the machine has two and taskset exists, else undefined. */
export async function pinning(): Promise<{ server: number; client: number } | undefined> {
  if (navigator.hardwareConcurrency < 2) return undefined;
  try {
    const probe = await new Deno.Command("taskset", { args: ["-c", "0", "true"] }).output();
    return probe.success ? { server: 0, client: 1 } : undefined;
  } catch {
    return undefined;
  }
}
