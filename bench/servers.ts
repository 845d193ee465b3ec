/**
 * The two servers under test, each a separate process on a free loopback
 * port: redis-home through its launcher (the real product) and the Debian
 * redis-server. Both run under a shell that raises the open-file limit so
 * they can hold 10,000 connections.
 */
import { encodeRespRequest, RespReplyDecoder, type RespValue } from "../protocol/resp.ts";

export type ServerKind = "redis" | "home";

export const SERVER_NAMES: Record<ServerKind, string> = { redis: "Redis", home: "redis-home" };

/** Open files allowed to a server or client process (servers hold 10,000 clients). */
export const FILE_LIMIT = 20000;
const MAX_CLIENTS = 20000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs `argv` under sh with the open-file limit raised (as far as the hard limit allows). */
export function withFileLimit(argv: string[]): [sh: string, flag: string, script: string] {
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const limit = `ulimit -n ${FILE_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;
  return ["sh", "-c", `${limit}; exec ${quoted}`];
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export class ServerProcess {
  #exited = false;

  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    readonly child: Deno.ChildProcess,
    readonly logFile: string,
  ) {
    child.status.then(() => this.#exited = true);
  }

  /** False once the process has ended, e.g. after a crash. */
  get alive(): boolean {
    return !this.#exited;
  }

  /**
   * Starts a server (`extraArgs`: more configuration) and waits until it
   * answers PING; `cpu` pins it to that core with taskset.
   */
  static async start(
    kind: ServerKind,
    workDir: string,
    extraArgs: string[] = [],
    cpu?: number,
  ): Promise<ServerProcess> {
    const port = freePort();
    const logFile = `${workDir}/${kind}-${port}.log`;
    const argv = kind === "home"
      ? [`${ROOT}redis-home`, "serve", "--port", String(port), "--maxclients", String(MAX_CLIENTS)]
      : [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxclients",
        String(MAX_CLIENTS),
        "--dir",
        workDir,
      ];
    argv.push(...extraArgs);
    // taskset execs the server, so the child's pid stays the server's own.
    if (cpu !== undefined) argv.unshift("taskset", "-c", String(cpu));
    const [sh, flag, script] = withFileLimit(argv);
    const child = new Deno.Command(sh, {
      args: [flag, `${script} >'${logFile}' 2>&1`],
      cwd: workDir,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = new ServerProcess(kind, port, child, logFile);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        if ((await command(port, "PING")).type === "simple") return server;
      } catch {
        // Not listening yet.
      }
      if (!server.alive || Date.now() > deadline) {
        const log = await Deno.readTextFile(logFile).catch(() => "");
        await server.stop();
        throw new Error(
          `${SERVER_NAMES[kind]} did not start on port ${port}:\n${
            log.trim().split("\n").slice(-4).join("\n")
          }`,
        );
      }
      await sleep(100);
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  /**
   * Resident memory of the server process, in bytes. Read through `cat`:
   * Deno lets only --allow-all programs read another process's /proc files.
   */
  async rss(): Promise<number> {
    const output = await new Deno.Command("cat", { args: [`/proc/${this.pid}/status`] }).output();
    if (!output.success) throw new Error(`cannot read /proc/${this.pid}/status`);
    return parseVmRss(new TextDecoder().decode(output.stdout));
  }

  /**
   * CPU seconds the server process has used (user + system, from
   * /proc/<pid>/stat): a cost figure that other load on the machine does not
   * inflate the way it does wall time.
   */
  async cpuSeconds(): Promise<number> {
    const output = await new Deno.Command("cat", { args: [`/proc/${this.pid}/stat`] }).output();
    if (!output.success) throw new Error(`cannot read /proc/${this.pid}/stat`);
    return parseCpuSeconds(new TextDecoder().decode(output.stdout));
  }

  /** INFO memory's used_memory, or undefined when the server does not report it. */
  async usedMemory(): Promise<number | undefined> {
    const reply = await command(this.port, "INFO", "memory");
    if (reply.type !== "bulk" && reply.type !== "verbatim") return undefined;
    const value = parseInfo(reply.value).get("used_memory");
    return value === undefined ? undefined : Number(value);
  }

  /** Asks the server to stop (SIGTERM), and kills it if it does not. */
  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // Exited in the meantime.
      }
    }, STOP_TIMEOUT_MS);
    await this.child.status;
    clearTimeout(timer);
  }
}

/** Sends one RESP command on a fresh connection and returns the reply. */
export async function command(port: number, ...argv: string[]): Promise<RespValue> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = encodeRespRequest(argv);
    for (let sent = 0; sent < request.length;) sent += await conn.write(request.subarray(sent));
    const decoder = new RespReplyDecoder();
    let buf = new Uint8Array(16 * 1024);
    let end = 0;
    for (;;) {
      const reply = decoder.decode(buf, 0, end);
      if (reply !== undefined) return reply;
      if (end === buf.length) {
        const grown = new Uint8Array(buf.length * 2);
        grown.set(buf);
        buf = grown;
      }
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("connection closed before the reply");
      end += n;
    }
  } finally {
    conn.close();
  }
}

/** The fields of an INFO reply (`name:value` lines; sections and comments skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (line.startsWith("#") || colon < 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** utime + stime from /proc/<pid>/stat, in seconds (fields 14 and 15, after the command name). */
export function parseCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** VmRSS from /proc/<pid>/status, in bytes. */
export function parseVmRss(status: string): number {
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!match) throw new Error("no VmRSS line in /proc status");
  return Number(match[1]) * 1024;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Which server goes first in the `index`-th step: they take turns. */
export function alternating(index: number): ServerKind[] {
  return index % 2 === 0 ? ["redis", "home"] : ["home", "redis"];
}

/** Runs `body` against a freshly started server of `kind`, stopping it afterwards. */
export async function withServer<T>(
  kind: ServerKind,
  workDir: string,
  body: (server: ServerProcess) => Promise<T>,
  extraArgs: string[] = [],
): Promise<T> {
  const server = await ServerProcess.start(kind, workDir, extraArgs);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
