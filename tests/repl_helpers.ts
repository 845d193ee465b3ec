/**
 * Running `redis-home repl` and `redis-cli` side by side: one-shot runs
 * compared byte for byte, and live processes read as they go (for the modes
 * that run until Ctrl-C).
 */
import { bytesToBinary } from "../protocol/bytes.ts";
import { ROOT } from "./helpers.ts";

export const REPL = `${ROOT}redis-home`;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; output as binary strings (one char per byte). */
export async function runBinary(
  cmd: string,
  args: string[],
  options: { stdin?: string | Uint8Array; env?: Record<string, string> } = {},
): Promise<Ran> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await w.write(data);
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: bytesToBinary(out.stdout), stderr: bytesToBinary(out.stderr) };
}

/** `redis-home repl` with `args`. */
export function repl(args: string[], options: Parameters<typeof runBinary>[2] = {}) {
  return runBinary(REPL, ["repl", ...args], options);
}

/** `redis-cli` with `args`. */
export function redisCli(args: string[], options: Parameters<typeof runBinary>[2] = {}) {
  return runBinary("redis-cli", args, options);
}

/** A process whose output is read as it arrives, killed when disposed. */
export class LiveProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #stdout: ReadableStreamDefaultReader<Uint8Array>;
  output = "";

  constructor(cmd: string, args: string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(cmd, {
      args,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdout = this.child.stdout.getReader();
  }

  /** Reads until `done(output)` holds; bounded, so a wrong expectation fails instead of hanging. */
  async waitUntil(done: (output: string) => boolean): Promise<string> {
    const deadline = Date.now() + 15_000;
    while (!done(this.output)) {
      if (Date.now() > deadline) throw new Error(`gave up waiting: ${JSON.stringify(this.output)}`);
      const { value, done: ended } = await this.#stdout.read();
      if (ended) throw new Error(`ended early: ${JSON.stringify(this.output)}`);
      this.output += bytesToBinary(value);
    }
    return this.output;
  }

  /** Sends a signal and returns the exit code and all output once the process ends. */
  async stop(signal: Deno.Signal = "SIGINT"): Promise<{ code: number; signal: string | null }> {
    this.child.kill(signal);
    for (;;) {
      const { value, done } = await this.#stdout.read();
      if (done) break;
      this.output += bytesToBinary(value);
    }
    const status = await this.child.status;
    return { code: status.code, signal: status.signal };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.child.status;
    this.#stdout.releaseLock();
    await this.child.stdout.cancel().catch(() => {});
  }
}
