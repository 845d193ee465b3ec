/**
 * Running `redis-home repl` and `redis-cli` side by side: one-shot runs
 * compared byte for byte, and live processes read as they go (for the modes
 * that run until Ctrl-C).
 */
import { bytesToBinary } from "../protocol/bytes.ts";
import { equal } from "node:assert/strict";
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

// ---------------------------------------------------------------------------
// The REPL on a pseudo-terminal (`script` allocates it), typed at key by key.

/** A REPL running on a terminal of 80 columns, fed keystrokes. */
export class TerminalSession implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #keys: WritableStreamDefaultWriter<Uint8Array>;
  readonly #screen: ReadableStreamDefaultReader<Uint8Array>;
  /** Everything written to the terminal; `#seen` is how far expectations have matched. */
  output = "";
  #seen = 0;

  constructor(args: string[], home: string) {
    const command = `stty cols 80 rows 24; exec '${ROOT}redis-home' repl ${args.join(" ")}`;
    this.child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      env: { HOME: home, TERM: "xterm" },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#keys = this.child.stdin.getWriter();
    this.#screen = this.child.stdout.getReader();
  }

  /** Sends keystrokes one at a time, as typed. */
  async type(keys: string): Promise<void> {
    const encoder = new TextEncoder();
    for (let i = 0; i < keys.length;) {
      let end = i + 1;
      // Escape sequences go whole, as a terminal sends them.
      if (keys[i] === "\x1b" && keys[i + 1] === "[") {
        end = i + 2;
        while (end < keys.length && !/[A-Za-z~]/.test(keys[end]!)) end++;
        end++;
      }
      await this.#keys.write(encoder.encode(keys.slice(i, end)));
      i = end;
    }
  }

  /**
   * Waits until `text` appears after what earlier expectations matched, and
   * returns what the terminal showed up to its end. Bounded, so a wrong
   * expectation fails instead of hanging.
   */
  async expect(text: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const at = this.output.indexOf(text, this.#seen);
      if (at >= 0) {
        const shown = this.output.slice(this.#seen, at + text.length);
        this.#seen = at + text.length;
        return shown;
      }
      const read = await this.#readBy(deadline);
      if (read === undefined) {
        throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(this.output)}`);
      }
      const { value, done } = read;
      if (done) {
        throw new Error(`exited before ${JSON.stringify(text)}: ${JSON.stringify(this.output)}`);
      }
      this.output += bytesToBinary(value);
    }
  }

  /** The next read, or undefined if nothing arrives before `deadline` (the read stays pending). */
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  async #readBy(deadline: number): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
    this.#pending ??= this.#screen.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    const result = await Promise.race([this.#pending, late]);
    clearTimeout(timer);
    if (result !== undefined) this.#pending = undefined;
    return result;
  }

  /** Waits for the REPL to exit; returns its exit code and what it printed after the last expectation. */
  async exit(): Promise<{ code: number; rest: string }> {
    for (;;) {
      const { value, done } = await (this.#pending ?? this.#screen.read());
      this.#pending = undefined;
      if (done) break;
      this.output += bytesToBinary(value);
    }
    const { code } = await this.child.status;
    return { code, rest: this.output.slice(this.#seen) };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill();
    } catch {
      // Already exited.
    }
    await this.child.status;
    this.#pending?.catch(() => {});
    this.#screen.releaseLock();
    await this.child.stdout.cancel().catch(() => {});
    await this.#keys.close().catch(() => {});
  }
}

export async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** The last redraw of an entered line (without its hint), then the newline. */
export const entered = (prompt: string, line: string) =>
  `\r\x1b[0K${prompt}${line}\r\x1b[${prompt.length + line.length}C\r\n`;

/** Types `line` and Enter; checks the terminal then shows `reply` and `next` prompt. */
export async function command(
  term: TerminalSession,
  prompt: string,
  line: string,
  reply: string,
  next = prompt,
): Promise<void> {
  await term.type(line + "\r");
  const expected = entered(prompt, line) + reply + next;
  const shown = await term.expect(expected);
  equal(shown.slice(-expected.length), expected);
}
