/**
 * Client-side caching (CLIENT TRACKING) against the real Redis: the same
 * multi-client scripts run on redis-server and on redis-home, and every frame
 * each client receives (replies and invalidation pushes, in order) must be
 * the same bytes. Each script ends with a PING on every client still
 * connected, so a missing or extra invalidation shows up as a difference.
 */
import { deepEqual, equal } from "node:assert/strict";
import { bytesToBinary } from "../protocol/bytes.ts";
import { encodeRespRequest, RespReplyDecoder } from "../protocol/resp.ts";
import { startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

/** How long a read waits for a frame the script expects before the test fails. */
const READ_TIMEOUT_MS = 5000;

/** A socket that returns each reply frame as its raw bytes (a binary string). */
class RawClient {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  readonly #decoder = new RespReplyDecoder();

  constructor(readonly conn: Deno.Conn) {}

  async send(argv: string[]): Promise<void> {
    const bytes = encodeRespRequest(argv);
    let sent = 0;
    while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
  }

  async frame(): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no frame arrived")), READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.#next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #next(): Promise<string> {
    for (;;) {
      if (this.#decoder.decode(this.#buf, this.#start, this.#end) !== undefined) {
        const end = this.#start + this.#decoder.consumed;
        const raw = bytesToBinary(this.#buf, this.#start, end);
        this.#start = end;
        return raw;
      }
      if (this.#end === this.#buf.length) throw new Error("frame too large for the test");
      const n = await this.conn.read(this.#buf.subarray(this.#end));
      if (n === null) throw new Error("connection closed");
      this.#end += n;
    }
  }
}

/**
 * One step: client `c` sends `send` (with `$X` replaced by client X's id) and
 * reads `read` frames (1 by default when sending, else 0). `skip` leaves the
 * frames out of the transcript (HELLO: server version and ids differ);
 * `ids` writes known client ids as `<X>`; `quit` forgets the client.
 */
interface Action {
  c: string;
  send?: string[];
  read?: number;
  skip?: boolean;
  ids?: boolean;
  quit?: boolean;
}

async function transcript(port: number, actions: Action[]): Promise<string[]> {
  const clients = new Map<string, RawClient>();
  const ids = new Map<string, string>();
  const lines: string[] = [];
  const client = async (name: string) => {
    let c = clients.get(name);
    if (c === undefined) {
      c = new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
      clients.set(name, c);
      await c.send(["CLIENT", "ID"]);
      ids.set(name, (await c.frame()).slice(1, -2));
    }
    return c;
  };
  try {
    for (const action of actions) {
      const c = await client(action.c);
      if (action.send !== undefined) {
        await c.send(action.send.map((a) => a.startsWith("$") ? ids.get(a.slice(1)) ?? a : a));
      }
      const count = action.read ?? (action.send !== undefined ? 1 : 0);
      for (let i = 0; i < count; i++) {
        let frame = await c.frame();
        if (action.ids) {
          for (const [name, id] of ids) frame = frame.replaceAll(`:${id}\r\n`, `:<${name}>\r\n`);
        }
        if (!action.skip) lines.push(`${action.c}: ${JSON.stringify(frame)}`);
      }
      if (action.quit) {
        clients.get(action.c)?.conn.close();
        clients.delete(action.c);
      }
    }
    for (const [name, c] of clients) {
      await c.send(["PING"]);
      lines.push(`${name} (end): ${JSON.stringify(await c.frame())}`);
    }
  } finally {
    for (const c of clients.values()) c.conn.close();
  }
  return lines;
}

/** Runs the script on a fresh redis-server and a fresh redis-home: the same frames, in order. */
async function sameFramesAsRedis(actions: Action[]): Promise<void> {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  await using home = startServer();
  try {
    (await redis.connect()).close();
    const want = await transcript(redis.port, actions);
    const got = await transcript(home.port, actions);
    deepEqual(got, want);
  } finally {
    await redis.stop();
  }
}

const hello3 = (c: string): Action => ({ c, send: ["HELLO", "3"], skip: true });
const cmd = (c: string, ...send: string[]): Action => ({ c, send });
const pushes = (c: string, read = 1): Action => ({ c, read });

Deno.test("tracking: a key read by a RESP3 client is invalidated once, by another client's write", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on"),
    cmd("A", "GET", "k"),
    cmd("B", "SET", "k", "1"),
    pushes("A"),
    cmd("B", "SET", "k", "2"), // not read again since: no second message
    cmd("A", "MGET", "k", "j"),
    cmd("B", "MSET", "j", "x", "k", "y"),
    pushes("A", 2),
    cmd("A", "CLIENT", "TRACKINGINFO"),
    cmd("A", "CLIENT", "GETREDIR"),
    cmd("A", "CLIENT", "TRACKING", "off"),
    cmd("A", "CLIENT", "GETREDIR"),
    cmd("A", "CLIENT", "TRACKINGINFO"),
  ]);
});

Deno.test("tracking: a client's own invalidations follow its reply (HDEL, EXEC, FLUSHDB in MULTI); NOLOOP drops them", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on"),
    cmd("A", "HSET", "h", "f", "1"),
    cmd("A", "HGET", "h", "f"),
    { c: "A", send: ["HDEL", "h", "f"], read: 2 },
    cmd("A", "MSET", "a", "1", "b", "2"),
    cmd("A", "GET", "a"),
    cmd("A", "MULTI"),
    cmd("A", "INCR", "a"),
    cmd("A", "GET", "b"),
    { c: "A", send: ["EXEC"], read: 2 },
    cmd("A", "MULTI"),
    cmd("A", "FLUSHDB"),
    { c: "A", send: ["EXEC"], read: 2 },
    cmd("A", "CLIENT", "TRACKING", "on", "NOLOOP"),
    cmd("A", "GET", "a"),
    cmd("A", "SET", "a", "2"),
    cmd("B", "SET", "a", "3"),
    cmd("A", "GET", "a"),
    cmd("B", "DEL", "a"),
    pushes("A"),
  ]);
});

Deno.test("tracking: redirect to a RESP2 subscriber, null after FLUSHALL, tracking-redir-broken once it leaves", async () => {
  await sameFramesAsRedis([
    cmd("R", "SUBSCRIBE", "__redis__:invalidate"),
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$R"),
    cmd("A", "GET", "a"),
    cmd("B", "SET", "a", "1"),
    pushes("R"),
    cmd("A", "GET", "a"),
    cmd("B", "FLUSHALL"),
    pushes("R"),
    { c: "A", send: ["CLIENT", "GETREDIR"], ids: true },
    cmd("C", "CLIENT", "TRACKING", "on"), // RESP2 without redirect: never told
    cmd("C", "GET", "c"),
    cmd("B", "SET", "c", "1"),
    cmd("A", "GET", "a"),
    { c: "R", send: ["QUIT"], quit: true },
    cmd("B", "SET", "a", "2"),
    { c: "A", read: 1, ids: true },
    { c: "A", send: ["CLIENT", "TRACKINGINFO"], ids: true },
  ]);
});

Deno.test("tracking: redirect to a RESP3 client gets pushes; RESP2 redirect not subscribed gets nothing", async () => {
  await sameFramesAsRedis([
    hello3("R"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$R"),
    cmd("A", "GET", "a"),
    cmd("B", "SET", "a", "1"),
    pushes("R"),
    cmd("P", "PING"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$P"),
    cmd("A", "GET", "a"),
    cmd("B", "SET", "a", "2"),
  ]);
});

Deno.test("tracking: BCAST sends each prefix's changed keys in one message, in byte order; NOLOOP leaves out its own", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b:", "PREFIX", "a:"),
    cmd("B", "MULTI"),
    cmd("B", "INCR", "a:2"),
    cmd("B", "INCR", "b:1"),
    cmd("B", "INCR", "a:1"),
    cmd("B", "INCR", "c:1"),
    cmd("B", "EXEC"),
    pushes("A", 2),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c:"),
    cmd("A", "CLIENT", "TRACKINGINFO"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "d:1", "PREFIX", "d:"),
    cmd("A", "SET", "c:9", "x"),
    pushes("A"),
    cmd("A", "CLIENT", "TRACKING", "off"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"),
    cmd("A", "SET", "mine", "1"),
    cmd("B", "SET", "theirs", "1"),
    pushes("A"),
  ]);
});

Deno.test("tracking: OPTIN, OPTOUT and CLIENT CACHING (for the next command only)", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "CACHING", "yes"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTIN"),
    cmd("A", "CLIENT", "CACHING", "no"),
    cmd("A", "CLIENT", "CACHING", "maybe"),
    cmd("A", "GET", "x"),
    cmd("B", "SET", "x", "1"),
    cmd("A", "CLIENT", "CACHING", "yes"),
    cmd("A", "CLIENT", "TRACKINGINFO"),
    cmd("A", "GET", "y"),
    cmd("A", "CLIENT", "TRACKINGINFO"),
    cmd("A", "GET", "z"),
    cmd("B", "MSET", "x", "2", "y", "2", "z", "2"),
    pushes("A"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTOUT"),
    cmd("A", "CLIENT", "TRACKING", "off"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTOUT"),
    cmd("A", "CLIENT", "CACHING", "no"),
    cmd("A", "GET", "x"),
    cmd("A", "GET", "y"),
    cmd("B", "MSET", "x", "3", "y", "3"),
    pushes("A"),
  ]);
});

Deno.test("tracking: a script that reads tracks the keys it declares; EVAL_RO itself does not", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on"),
    cmd("A", "EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2"),
    cmd("B", "MSET", "k1", "1", "k2", "1"),
    cmd("A", "EVAL", "redis.call('get', 'k3')", "2", "k1", "k2"),
    cmd("B", "MSET", "k2", "2", "k1", "2"),
    pushes("A", 2),
    cmd("A", "EVAL_RO", "redis.call('ping')", "1", "k1"),
    cmd("B", "SET", "k1", "3"),
    cmd("A", "EVAL_RO", "return redis.call('get', 'k1')", "1", "k1"),
    cmd("B", "SET", "k1", "4"),
    pushes("A"),
  ]);
});

Deno.test("tracking: CLIENT TRACKING's errors", async () => {
  await sameFramesAsRedis([
    cmd("B", "PING"),
    cmd("A", "CLIENT", "TRACKING", "maybe"),
    cmd("A", "CLIENT", "TRACKING", "on", "FOO"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "x"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "99999999"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$B", "REDIRECT", "$B"),
    cmd("A", "CLIENT", "TRACKING", "on", "PREFIX", "x"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
    cmd("A", "CLIENT", "TRACKING", "off", "BCAST"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTIN"),
    cmd("A", "CLIENT", "TRACKING", "on", "BCAST"),
    cmd("A", "CLIENT", "TRACKING", "on", "OPTOUT"),
    cmd("A", "CLIENT", "TRACKING"),
    cmd("A", "CLIENT", "CACHING"),
    cmd("A", "CLIENT", "GETREDIR", "x"),
  ]);
});

Deno.test("tracking: expiry and eviction invalidate; eviction's message comes before the reply", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on"),
    cmd("B", "SET", "short", "v", "PX", "500"),
    cmd("A", "GET", "short"),
    pushes("A"),
    cmd("B", "CONFIG", "SET", "maxmemory-policy", "volatile-random"),
    cmd("B", "SETEX", "volatile", "10000", "x"),
    cmd("A", "GET", "volatile"),
    cmd("B", "CONFIG", "SET", "maxmemory", "1"),
    { c: "A", send: ["GET", "other"], read: 2 },
    cmd("B", "CONFIG", "SET", "maxmemory", "0"),
  ]);
});

Deno.test("tracking: RESET and CLIENT TRACKING OFF stop the messages", async () => {
  await sameFramesAsRedis([
    hello3("A"),
    cmd("A", "CLIENT", "TRACKING", "on"),
    cmd("A", "GET", "k"),
    { c: "A", send: ["RESET"] },
    hello3("A"),
    cmd("B", "SET", "k", "1"),
    cmd("A", "CLIENT", "TRACKINGINFO"),
  ]);
});

/** Named fields of an INFO reply. */
function infoFields(info: string, names: string[]): string[] {
  return names.map((name) => new RegExp(`\r\n${name}:([^\r]*)`).exec(info)?.[1] ?? "missing");
}

Deno.test("tracking: INFO's tracking_clients and tracking_total_keys/items/prefixes, CLIENT LIST's flags and redir", async () => {
  const setup: Action[] = [
    cmd("R", "PING"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$R"),
    cmd("A", "MGET", "k1", "k2", "k3"),
    cmd("B", "CLIENT", "TRACKING", "on"),
    cmd("B", "GET", "k1"),
    cmd("C", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:"),
    cmd("D", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:"),
  ];
  const fields = [
    "tracking_clients",
    "tracking_total_keys",
    "tracking_total_items",
    "tracking_total_prefixes",
  ];
  const clientFlags = (list: string) =>
    [...list.matchAll(/ flags=(\S+) .* redir=(-?\d+)/g)].map((m) => `${m[1]} ${m[2] === "-1"}`)
      .sort();
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  await using home = startServer();
  try {
    (await redis.connect()).close();
    const results = [];
    for (const port of [redis.port, home.port]) {
      const lines = await transcript(port, [
        ...setup,
        cmd("R", "CLIENT", "LIST"),
        cmd("R", "INFO"),
      ]);
      const [list, info] = lines.filter((l) => l.startsWith("R:")).slice(-2).map((l) =>
        JSON.parse(l.slice(3))
      );
      results.push({ info: infoFields(info, fields), flags: clientFlags(list) });
    }
    deepEqual(results[1], results[0]);
    deepEqual(results[1]!.info, ["4", "3", "4", "2"]);
    deepEqual(results[1]!.flags, ["N true", "t false", "t false", "tB false", "tB false"]);
  } finally {
    await redis.stop();
  }
});

Deno.test("tracking: past tracking-table-max-keys, keys are invalidated until the table fits", async () => {
  await using home = startServer();
  const lines = await transcript(home.port, [
    cmd("R", "SUBSCRIBE", "__redis__:invalidate"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$R"),
    cmd("A", "MGET", ...Array.from({ length: 250 }, (_, i) => `key${i}`)),
    cmd("A", "CONFIG", "SET", "tracking-table-max-keys", "1"),
    cmd("A", "PING"), // the limit is applied before each command
    pushes("R", 100),
    cmd("A", "PING"), // a second round tries twice as hard
    pushes("R", 149),
  ]);
  const invalidated = lines.filter((l) => l.includes("__redis__:invalidate\\r\\n*1"));
  equal(invalidated.length, 249);
  equal(home.server.tracking.totalKeys, 1);
  // Not one more: R's next frame answers its PING.
  equal(
    lines.find((l) => l.startsWith("R (end)")),
    `R (end): ${JSON.stringify("*2\r\n$4\r\npong\r\n$0\r\n\r\n")}`,
  );
});

Deno.test("tracking: the keys dropped past tracking-table-max-keys are picked at random", async () => {
  await using home = startServer();
  // Always the last slot: the newest key goes first, the oldest stays.
  home.server.tracking.random = () => 0.999;
  const lines = await transcript(home.port, [
    cmd("R", "SUBSCRIBE", "__redis__:invalidate"),
    cmd("A", "CLIENT", "TRACKING", "on", "REDIRECT", "$R"),
    cmd("A", "MGET", "key0", "key1", "key2", "key3", "key4"),
    cmd("A", "CONFIG", "SET", "tracking-table-max-keys", "2"),
    cmd("A", "PING"),
    pushes("R", 3),
  ]);
  const invalidated = lines.filter((l) => l.includes("__redis__:invalidate\\r\\n*1"))
    .map((l) => /\$4\\r\\n(key\d)/.exec(l)?.[1]);
  deepEqual(invalidated, ["key4", "key3", "key2"]);
  equal(home.server.tracking.totalKeys, 2);
});
