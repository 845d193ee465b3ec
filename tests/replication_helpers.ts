/**
 * Helpers for the replication, Sentinel and proxy tests: the real
 * redis-server, redis-sentinel and nutcracker (twemproxy) as child processes
 * on free loopback ports, with bounded waits. Each process is an
 * `AsyncDisposable` that kills it and collects its log, so a failing test
 * leaves nothing running and can print what the program said.
 */
import type { PropagationTarget, Propagator } from "../server/context.ts";
import { freePort } from "./persistence_helpers.ts";
import { RespClient, type TestServer } from "./helpers.ts";

/** A program started for a test; its log file is kept in `dir` until dispose. */
export class ChildProgram implements AsyncDisposable {
  #exited = false;

  private constructor(
    readonly name: string,
    readonly process: Deno.ChildProcess,
    readonly port: number,
    readonly dir: string,
    readonly logPath: string,
  ) {
    process.status.then(() => this.#exited = true);
  }

  /**
   * Spawns `command` with `args`; stdout and stderr go to `<dir>/<name>.log`
   * (through the shell's redirection, so the test holds no pipe).
   */
  static spawn(
    name: string,
    command: string,
    args: string[],
    port: number,
    dir: string,
  ): ChildProgram {
    const logPath = `${dir}/${name}.log`;
    const quoted = [command, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const process = new Deno.Command("sh", {
      args: ["-c", `exec ${quoted} >>'${logPath}' 2>&1`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    return new ChildProgram(name, process, port, dir, logPath);
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** What the program logged so far. */
  log(): string {
    try {
      return Deno.readTextFileSync(this.logPath);
    } catch {
      return "";
    }
  }

  /**
   * Connects once the program answers PING (PONG, or NOAUTH when it has a
   * password); fails with its log if it exits first or does not answer in time.
   */
  async connect(timeoutMs = 20000): Promise<RespClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#exited) throw new Error(`${this.name} exited at start:\n${this.log()}`);
      let client: RespClient | undefined;
      try {
        client = await RespClient.connect(this.port);
        const reply = await client.cmd("PING");
        if (reply === "PONG" || (reply as { error?: string }).error?.startsWith("NOAUTH")) {
          return client;
        }
      } catch {
        // Not listening yet.
      }
      client?.close();
      if (Date.now() > deadline) throw new Error(`${this.name} did not start:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** kill -9 (a crash: no shutdown code runs). */
  async kill(): Promise<void> {
    if (!this.#exited) {
      try {
        this.process.kill("SIGKILL");
      } catch {
        // Exited meanwhile.
      }
    }
    await this.process.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}

/** A temporary directory for one test's programs, removed on dispose. */
export function scratchDir(): { path: string; [Symbol.dispose](): void } {
  const path = Deno.makeTempDirSync({ prefix: "redis-home-replication-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

/** The real redis-server on a free port, persistence off, with extra `--name value` args. */
export function startRedis(dir: string, name: string, ...args: string[]): ChildProgram {
  const port = freePort();
  return ChildProgram.spawn(
    name,
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args],
    port,
    dir,
  );
}

/**
 * redis-sentinel monitoring `master` (as "mymaster", quorum `quorum`), with
 * short timeouts so that a failover happens within seconds. Sentinel
 * rewrites its config file, so each one gets its own.
 */
export function startSentinel(
  dir: string,
  name: string,
  master: { host: string; port: number },
  options: { quorum?: number; downAfterMs?: number; failoverTimeoutMs?: number } = {},
): ChildProgram {
  const port = freePort();
  const config = [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    `sentinel monitor mymaster ${master.host} ${master.port} ${options.quorum ?? 1}`,
    `sentinel down-after-milliseconds mymaster ${options.downAfterMs ?? 1000}`,
    `sentinel failover-timeout mymaster ${options.failoverTimeoutMs ?? 10000}`,
    "sentinel parallel-syncs mymaster 1",
    "",
  ].join("\n");
  const path = `${dir}/${name}.conf`;
  Deno.writeTextFileSync(path, config);
  return ChildProgram.spawn(name, "redis-sentinel", [path], port, dir);
}

/**
 * nutcracker (twemproxy) in front of `servers`, with ketama consistent
 * hashing, as a Redis proxy. `-s` gives its stats port (a second free port).
 */
export function startTwemproxy(dir: string, name: string, servers: number[]): ChildProgram {
  const port = freePort();
  const config = [
    "pool:",
    `  listen: 127.0.0.1:${port}`,
    "  hash: md5",
    "  distribution: ketama",
    "  redis: true",
    "  auto_eject_hosts: false",
    "  timeout: 2000",
    "  servers:",
    ...servers.map((p, i) => `    - 127.0.0.1:${p}:1 server${i}`),
    "",
  ].join("\n");
  const path = `${dir}/${name}.yml`;
  Deno.writeTextFileSync(path, config);
  return ChildProgram.spawn(
    name,
    "nutcracker",
    [
      "-c",
      path,
      "-s",
      String(freePort()),
      "-a",
      "127.0.0.1",
      "-p",
      `${dir}/${name}.pid`,
      "-o",
      `${dir}/${name}.out`,
    ],
    port,
    dir,
  );
}

/** The fields of one INFO section. */
export async function infoSection(
  client: RespClient,
  section: string,
): Promise<Record<string, string>> {
  const text = (await client.cmd("INFO", section)) as string;
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/**
 * Polls `probe` every 50 ms until it returns a value other than undefined,
 * for at most `timeoutMs`; the error names `what` and the last value seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records what reaches a propagator of the given target (`db:argv joined by spaces`). */
export function recorder(srv: TestServer, target: PropagationTarget): string[] {
  const seen: string[] = [];
  const sink: Propagator = {
    target,
    propagate: (db, argv) => void seen.push(`${db}:${argv.join(" ")}`),
  };
  srv.server.propagators.push(sink);
  return seen;
}
