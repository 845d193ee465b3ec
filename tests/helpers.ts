/**
 * Shared test utilities: an in-process server on a free port, and small
 * RESP and native clients over real sockets.
 */
import { deepEqual, ok } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import {
  encodeNativeRequest,
  NativeResponseDecoder,
  type NativeValue,
} from "../protocol/native.ts";
import { encodeRespRequest, RespReplyDecoder, type RespValue } from "../protocol/resp.ts";
import { Config } from "../server/config.ts";
import { createServer } from "../server/compose.ts";
import { quoteRepr } from "../server/monitor.ts";
import type { RedisServer } from "../server/server.ts";

export interface TestServer {
  server: RedisServer;
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
  close(): Promise<void>;
}

export type Step = [args: (string | number)[], reply: unknown];

/** Runs commands in order, comparing each reply with Redis's (given as RespClient values). */
export async function expectReplies(c: RespClient, steps: Step[]): Promise<void> {
  for (const [args, reply] of steps) deepEqual(await c.cmd(...args), reply, args.join(" "));
}

/** Starts a quiet server on 127.0.0.1 and a free port, with optional config. */
export function startServer(params: Record<string, string> = {}): TestServer {
  const config = new Config();
  config.set("port", "0", true);
  for (const [name, value] of Object.entries(params)) config.set(name, value, true);
  const server = createServer(config);
  server.quiet = true;
  const port = server.listen();
  const close = () => server.shutdown();
  return { server, port, close, [Symbol.asyncDispose]: close };
}

/** Reads decoded frames from a socket, keeping leftovers between calls. */
class FrameReader<T> {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  constructor(
    readonly conn: Deno.Conn,
    readonly decoder: {
      consumed: number;
      decode(b: Uint8Array, s: number, e: number): T | undefined;
    },
  ) {}

  async next(): Promise<T> {
    for (;;) {
      if (this.#end > this.#start) {
        const v = this.decoder.decode(this.#buf, this.#start, this.#end);
        if (v !== undefined) {
          this.#start += this.decoder.consumed;
          return v;
        }
      }
      this.#makeRoom();
      const n = await this.conn.read(this.#buf.subarray(this.#end));
      if (n === null) throw new Error("connection closed by server");
      this.#end += n;
    }
  }

  #makeRoom(): void {
    if (this.#end < this.#buf.length) return;
    const grown = new Uint8Array(this.#buf.length * 2);
    grown.set(this.#buf.subarray(this.#start, this.#end));
    this.#end -= this.#start;
    this.#start = 0;
    this.#buf = grown;
  }

  /** Whether the peer has closed (reads EOF), waiting up to `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms));
    for (;;) {
      // A full buffer would read 0 bytes forever.
      this.#makeRoom();
      const read = this.conn.read(this.#buf.subarray(this.#end)).catch(() => null);
      const n = await Promise.race([read, timer]);
      if (n === "timeout") return false;
      if (n === null) return true;
      this.#end += n;
    }
  }
}

/** A RESP client: `call` sends a command and returns the decoded reply. */
export class RespClient {
  readonly reader: FrameReader<RespValue>;

  private constructor(readonly conn: Deno.Conn) {
    this.reader = new FrameReader(conn, new RespReplyDecoder());
  }

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RespClient> {
    return new RespClient(await Deno.connect({ hostname, port }));
  }

  /** Over a Unix socket: a child redis-server then needs no TCP port. */
  static async connectUnix(path: string): Promise<RespClient> {
    return new RespClient(await Deno.connect({ transport: "unix", path }));
  }

  async send(...argv: string[]): Promise<void> {
    await this.writeRaw(encodeRespRequest(argv));
  }

  async writeRaw(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? binaryToBytes(data) : data;
    let sent = 0;
    while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
  }

  read(): Promise<RespValue> {
    return this.reader.next();
  }

  async call(...argv: string[]): Promise<RespValue> {
    await this.send(...argv);
    return this.read();
  }

  /** Sends a command and returns the reply in plain JS form (see `plain`). */
  async cmd(...argv: (string | number)[]): Promise<unknown> {
    return plain(await this.call(...argv.map(String)));
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** An INFO reply's fields by name (section titles left out). */
export function infoFields(text: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of String(text).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * A reply as plain JS: strings, numbers (integers as number when safe),
 * null, arrays, Map for maps, and `{ error }` for errors.
 */
export function plain(v: RespValue): unknown {
  switch (v.type) {
    case "simple":
    case "bulk":
    case "verbatim":
    case "bignum":
      return v.value;
    case "error":
      return { error: v.value };
    case "int":
      return Number.isSafeInteger(Number(v.value)) ? Number(v.value) : v.value;
    case "null":
    case "nullArray":
      return null;
    case "double":
      return v.value;
    case "bool":
      return v.value;
    case "array":
    case "set":
    case "push":
      return v.values.map(plain);
    case "map":
      return new Map(v.entries.map(([k, val]) => [plain(k), plain(val)]));
  }
}

/** A native-protocol client. */
export class NativeClient {
  readonly reader: FrameReader<NativeValue>;

  private constructor(readonly conn: Deno.TcpConn) {
    this.reader = new FrameReader(conn, new NativeResponseDecoder());
  }

  static async connect(port: number): Promise<NativeClient> {
    return new NativeClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async send(...argv: string[]): Promise<void> {
    await this.writeRaw(encodeNativeRequest(argv));
  }

  async writeRaw(bytes: Uint8Array): Promise<void> {
    let sent = 0;
    while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
  }

  read(): Promise<NativeValue> {
    return this.reader.next();
  }

  async call(...argv: string[]): Promise<NativeValue> {
    await this.send(...argv);
    return this.read();
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Runs a program to completion and returns its exit code and output. */
export async function run(
  cmd: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; clearEnv?: boolean; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
    clearEnv: options.clearEnv,
    cwd: options.cwd,
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The repository root, for tests that run ./redis-home or other files. */
export const ROOT = new URL("..", import.meta.url).pathname;

/**
 * redis-benchmark's standard tests as the suite runs them (PING aside, which
 * twemproxy does not proxy): the `-t` list, and the names `-q` prints for
 * them, one line per test (LRANGE first pushes its list, a test of its own).
 */
export const BENCHMARK_TESTS =
  "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset";
export const BENCHMARK_NAMES = [
  "SET",
  "GET",
  "INCR",
  "LPUSH",
  "RPUSH",
  "LPOP",
  "RPOP",
  "SADD",
  "HSET",
  "SPOP",
  "ZADD",
  "ZPOPMIN",
  "LPUSH (needed to benchmark LRANGE)",
  "LRANGE_100 (first 100 elements)",
  "LRANGE_300 (first 300 elements)",
  "LRANGE_500 (first 500 elements)",
  "LRANGE_600 (first 600 elements)",
  "MSET (10 keys)",
];

/** redis-benchmark -q's last line per test: it redraws a progress line with \r. */
export function benchmarkLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.split("\r").at(-1)!.trim()).filter((l) => l !== "");
}

/** The test a -q line reports: "SET: 1234.5 requests per second, ..." → "SET". */
export function benchmarkTestName(line: string): string {
  return line.slice(0, line.indexOf(": "));
}

/** The requests' encodings end to end: one write, so one batch for the server. */
export function oneWrite(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** Sends requests in one write (one batch for the server); returns their replies as plain values. */
export async function pipelineOneWrite(c: RespClient, requests: string[][]): Promise<unknown[]> {
  await c.writeRaw(oneWrite(requests.map(encodeRespRequest)));
  const replies = [];
  for (let i = 0; i < requests.length; i++) replies.push(plain(await c.read()));
  return replies;
}

/** `promise`, or a failure after `ms`: an expected message that never comes fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Checks that `monitor`, a client in MONITOR, saw each of `requests` as sent, in order. */
export async function expectMonitored(monitor: RespClient, requests: string[][]): Promise<void> {
  for (const argv of requests) {
    const line = String(plain(await monitor.read()));
    ok(line.endsWith(argv.map(quoteRepr).join(" ")), line);
  }
}

/** The requests the slow log holds, oldest first, but SLOWLOG's and MONITOR's own. */
export async function slowLogged(c: RespClient): Promise<string[][]> {
  const entries = await c.cmd("SLOWLOG", "GET", "-1") as unknown[][];
  return entries.map((entry) => entry[3] as string[])
    .filter((argv) => !["SLOWLOG", "MONITOR"].includes(argv[0]!.toUpperCase())).reverse();
}

/** A native reply as plain data: nil → null, str → its string, int → a number, err → {code, error}. */
export function nativePlain(v: NativeValue): unknown {
  switch (v.type) {
    case "nil":
      return null;
    case "str":
      return v.value;
    case "int":
      return Number(v.value);
    case "dbl":
      return v.value;
    case "err":
      return { code: v.code, error: v.message };
    case "arr":
      return v.values.map(nativePlain);
  }
}

/**
 * Keys either side of the lengths a decoder leaves as bytes (4 to 32), a
 * binary one and the empty one, with a command's `usual` keys among them.
 */
export function heldKeyShapes(...usual: string[]): string[] {
  return ["k", "kkk", "kkkk", ...usual, "x".repeat(32), "y".repeat(33), "\x00\xff\x80\r\n key", ""];
}

/**
 * Sends `requests` in one write and checks that a background save's copy-on-write
 * watcher (server.writeWatchers) saw each of them, argv as sent, before it ran.
 */
export async function expectSnapshotSees(
  server: RedisServer,
  c: RespClient,
  requests: string[][],
): Promise<void> {
  const seen: string[][] = [];
  const watcher = (_ctx: unknown, _command: unknown, argv: readonly string[]) =>
    void seen.push([...argv]);
  server.writeWatchers.add(watcher);
  try {
    await pipelineOneWrite(c, requests);
  } finally {
    server.writeWatchers.delete(watcher);
  }
  deepEqual(seen, requests);
}

/** The writes `server` propagates from now on (AOF and replicas' view), each argv copied. */
export function propagatedBy(server: RedisServer): string[][] {
  const seen: string[][] = [];
  server.propagators.push({ propagate: (_db, argv) => seen.push([...argv]) });
  return seen;
}

/**
 * Sends every key's `requests` (request and expected reply) in one write and
 * checks the replies, then that the writes propagated are the keys' `propagated`.
 */
export async function expectRepliesPropagated(
  keys: string[],
  requests: (key: string) => [string[], unknown][],
  propagated: (key: string) => string[][],
): Promise<void> {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const seen = propagatedBy(srv.server);
  const steps = keys.flatMap(requests);
  deepEqual(
    await pipelineOneWrite(c, steps.map(([argv]) => argv)),
    steps.map(([, reply]) => reply),
  );
  deepEqual(seen, keys.flatMap(propagated));
}

/** Runs MULTI, `queued`, EXEC on `watcher` and checks that its WATCH aborted the EXEC (nil). */
export async function expectWatchAborted(
  watcher: RespClient,
  queued: string[] = ["PING"],
): Promise<void> {
  deepEqual(await pipelineOneWrite(watcher, [["MULTI"], queued, ["EXEC"]]), [
    "OK",
    "QUEUED",
    null,
  ]);
}
