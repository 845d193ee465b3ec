/**
 * Helpers for the persistence tests: temporary directories, an in-process
 * server that loads its files on start (as `serve` does), the real
 * redis-server and redis-home as child processes, and a type-aware dump of
 * a whole dataset to compare two servers with.
 */
import { deepEqual } from "node:assert/strict";
import { Config } from "../server/config.ts";
import { createServer } from "../server/compose.ts";
import { plain, RespClient, ROOT, type TestServer } from "./helpers.ts";

/** A temporary directory removed on dispose. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = Deno.makeTempDirSync({ prefix: "redis-home-persistence-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

/** An in-process server that loads the RDB file or AOF first, as `redis-home serve` does. */
export async function startPersistent(params: Record<string, string>): Promise<TestServer> {
  const config = new Config();
  config.set("port", "0", true);
  for (const [name, value] of Object.entries(params)) config.set(name, value, true);
  const server = createServer(config);
  server.quiet = true;
  await server.persistence.loadAtStart();
  const port = server.listen();
  const close = () => server.shutdown();
  return { server, port, close, [Symbol.asyncDispose]: close };
}

/** A port nobody listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Connects, retrying while the server starts (bounded). */
export async function connectWhenReady(port: number, timeoutMs = 10000): Promise<RespClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await RespClient.connect(port);
      if ((await client.cmd("PING")) === "PONG") return client;
      client.close();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server running as a child process (redis-server, or redis-home for crash tests). */
export class ChildServer {
  private constructor(
    readonly process: Deno.ChildProcess,
    readonly port: number,
    readonly pipesStderr: boolean,
  ) {}

  /** The real Redis 7, on `dir`, with no save rules unless given. */
  static redis(dir: string, ...args: string[]): ChildServer {
    const port = freePort();
    const child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args],
      stdout: "null",
      stderr: "null",
    }).spawn();
    return new ChildServer(child, port, false);
  }

  /** redis-home as its own process (so it can be killed), on `dir`. */
  static redisHome(dir: string, ...args: string[]): ChildServer {
    const port = freePort();
    const child = new Deno.Command(`${ROOT}redis-home`, {
      args: ["serve", "--port", String(port), "--dir", dir, ...args],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    return new ChildServer(child, port, true);
  }

  /** Connects once the server is up; fails with its stderr if it exits first. */
  async connect(): Promise<RespClient> {
    let exited = false;
    this.process.status.then(() => exited = true);
    const deadline = Date.now() + 20000;
    for (;;) {
      if (exited) {
        const stderr = this.pipesStderr ? await new Response(this.process.stderr).text() : "";
        throw new Error(`the server exited before accepting connections: ${stderr}`);
      }
      try {
        return await connectWhenReady(this.port, 200);
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
  }

  /** kill -9: no shutdown code runs. */
  async crash(): Promise<void> {
    this.process.kill("SIGKILL");
    await this.#drain();
  }

  /** SHUTDOWN NOSAVE, then waits for the process to end. */
  async stop(): Promise<void> {
    try {
      using client = await RespClient.connect(this.port);
      await client.send("SHUTDOWN", "NOSAVE");
      await client.reader.closedWithin(5000);
    } catch {
      this.process.kill("SIGKILL");
    }
    await this.#drain();
  }

  /** The exit status and stderr of a process that ends on its own (a failed start). */
  async exited(): Promise<{ code: number; stderr: string }> {
    const out = await this.process.output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  }

  async #drain(): Promise<void> {
    if (this.pipesStderr) await this.process.stderr.cancel().catch(() => {});
    await this.process.status;
  }
}

export interface DatasetEntry {
  db: number;
  key: string;
  type: string;
  value: unknown;
  /** PTTL: milliseconds to live, -1 without a TTL. */
  ttl: number;
}

/** Every key of databases 0..dbCount-1 with its type, value and TTL, in a stable order. */
export async function dataset(client: RespClient, dbCount = 16): Promise<DatasetEntry[]> {
  const out: DatasetEntry[] = [];
  for (let db = 0; db < dbCount; db++) {
    await client.cmd("SELECT", db);
    const keys = (await client.cmd("KEYS", "*")) as string[];
    for (const key of keys.sort()) {
      const type = (await client.cmd("TYPE", key)) as string;
      const ttl = (await client.cmd("PTTL", key)) as number;
      out.push({ db, key, type, value: await valueOf(client, key, type), ttl });
    }
  }
  await client.cmd("SELECT", 0);
  return out;
}

/**
 * Asserts two datasets are equal, TTLs within 2 s of each other (two servers
 * are read at different moments, and a restart takes time).
 */
export function assertSameDataset(actual: DatasetEntry[], expected: DatasetEntry[]): void {
  const aligned = actual.map((entry, i) => {
    const want = expected[i];
    const close = want !== undefined && entry.ttl >= 0 && want.ttl >= 0 &&
      Math.abs(entry.ttl - want.ttl) <= 2000;
    return close ? { ...entry, ttl: want.ttl } : entry;
  });
  deepEqual(aligned, expected);
}

async function valueOf(client: RespClient, key: string, type: string): Promise<unknown> {
  switch (type) {
    case "string":
      return await client.cmd("GET", key);
    case "list":
      return await client.cmd("LRANGE", key, 0, -1);
    case "set":
      return ((await client.cmd("SMEMBERS", key)) as string[]).sort();
    case "hash": {
      const flat = (await client.cmd("HGETALL", key)) as string[];
      const pairs: [string, string | undefined][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]]);
      return pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    }
    case "zset": {
      // Scores as numbers: Redis 7.0 prints %.17g digits, redis-home the shortest form.
      const flat = (await client.cmd("ZRANGE", key, 0, -1, "WITHSCORES")) as string[];
      return flat.map((
        item,
        i,
      ) => (i % 2 === 1 ? Number(item.replace(/^(-?)inf$/, "$1Infinity")) : item));
    }
    default:
      return undefined;
  }
}

/** Waits until `check` returns true, polling every 20 ms, for at most `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The fields of INFO persistence. */
export async function persistenceInfo(client: RespClient): Promise<Record<string, string>> {
  const text = (await client.cmd("INFO", "persistence")) as string;
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/**
 * Values of every type in both of Redis 7.0's encodings (listpack/quicklist,
 * intset/hashtable, listpack/skiplist), with binary keys and members, TTLs
 * and several databases. Uses only Redis's own commands, so it can fill the
 * real redis-server that tests take as the reference.
 */
export async function fillAllTypes(client: RespClient): Promise<void> {
  const many = (n: number, f: (i: number) => string[]) =>
    Array.from({ length: n }, (_, i) => f(i)).flat();
  await client.cmd("RPUSH", "list:small", "a", "1", "-5", "300", "70000", "\x00\xff", "");
  await client.cmd("RPUSH", "list:big", ...many(5000, (i) => [`item-${i}-${"x".repeat(i % 90)}`]));
  await client.cmd("RPUSH", "list:huge-items", "y".repeat(20000), "z".repeat(9000), "small");
  await client.cmd("SADD", "set:intset", "1", "2", "-70000", "9223372036854775807");
  await client.cmd("SADD", "set:strings", "a", "b", "\x00\xff\r\n");
  await client.cmd("SADD", "set:big", ...many(1000, (i) => [`member-${i}`]));
  await client.cmd("SADD", "set:big-ints", ...many(600, (i) => [String(i * 3)]));
  await client.cmd("HSET", "hash:small", "f1", "v1", "n", "42", "\x00bin", "\xff");
  await client.cmd("HSET", "hash:big", ...many(700, (i) => [`field-${i}`, `value-${i}`]));
  await client.cmd("HSET", "hash:long-value", "f", "v".repeat(100));
  await client.cmd("ZADD", "zset:small", "1.5", "a", "-2", "b", "inf", "c", "-inf", "d", "0", "e");
  await client.cmd("ZADD", "zset:big", ...many(300, (i) => [String(i / 7), `m-${i}`]));
  await client.cmd("ZADD", "zset:long-member", "3", "m".repeat(100));
  await client.cmd("PEXPIRE", "list:small", "86400000");
  await client.cmd("PEXPIRE", "zset:big", "3600000");
  await client.cmd("SET", "string", "plain");
  await client.cmd("SET", "string:long", "abc".repeat(500));
  await client.cmd("SET", "string:int", "-12345");
  await client.cmd("SELECT", 9);
  await client.cmd("HSET", "hash:in-9", "k", "v");
  await client.cmd("SADD", "set:in-9", "x");
  await client.cmd("PEXPIRE", "set:in-9", "7200000");
  await client.cmd("SELECT", 0);
}

/** Copies every key of databases 0..dbCount-1 with DUMP / RESTORE (keeping TTLs). */
export async function copyViaDump(from: RespClient, to: RespClient, dbCount = 16): Promise<void> {
  for (let db = 0; db < dbCount; db++) {
    await from.cmd("SELECT", db);
    await to.cmd("SELECT", db);
    for (const key of (await from.cmd("KEYS", "*")) as string[]) {
      const payload = (await from.cmd("DUMP", key)) as string;
      const ttl = (await from.cmd("PTTL", key)) as number;
      const reply = await to.cmd("RESTORE", key, Math.max(ttl, 0), payload, "REPLACE");
      if (reply !== "OK") throw new Error(`RESTORE ${key}: ${JSON.stringify(reply)}`);
    }
  }
  await from.cmd("SELECT", 0);
  await to.cmd("SELECT", 0);
}

/** Runs `fn` against a fresh redis-server (the reference) in a temporary directory. */
export async function withRedis(fn: (redis: RespClient) => Promise<void>): Promise<void> {
  using dir = tempDir();
  const server = ChildServer.redis(dir.path);
  try {
    using redis = await server.connect();
    await fn(redis);
  } finally {
    await server.stop();
  }
}

/** Sends many commands at once and reads their replies in order, as plain values. */
export async function pipeline(redis: RespClient, commands: string[][]): Promise<unknown[]> {
  for (const c of commands) await redis.send(...c);
  const out: unknown[] = [];
  for (let i = 0; i < commands.length; i++) out.push(plain(await redis.read()));
  return out;
}
