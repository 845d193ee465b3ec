/**
 * Client sockets served by the epoll poller (server/poller.ts) in a served
 * process, as `redis-home serve` runs: the paths only it has (writes the
 * socket takes in part, reading paused behind unsent replies, the end of a
 * stream, replies made outside the client's own batch), and Deno's sockets
 * still serving when REDIS_HOME_IO=deno says so. In-process test servers use
 * Deno's sockets: the test task grants no FFI, because a client sharing the
 * server's thread would pay the poller's thread-pool wakeup on every request.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import { encodeRespRequest, RespReplyDecoder, type RespValue } from "../protocol/resp.ts";
import { oneWrite, RespClient, ROOT, within } from "./helpers.ts";
import { connectWhenReady, freePort } from "./persistence_helpers.ts";
import { waitFor } from "./replication_helpers.ts";

/** The two ways replies go out: batched through io_uring (the default), or a write() each. */
const IO_MODES: [string, Record<string, string>][] = [
  ["io_uring", {}],
  ["write()", { REDIS_HOME_IO: "epoll" }],
];

/** Whether process `pid` holds an io_uring instance (`ls`: reading /proc here needs --allow-all). */
async function holdsIoUring(pid: number): Promise<boolean> {
  const { stdout } = await new Deno.Command("ls", { args: ["-l", `/proc/${pid}/fd`] }).output();
  return new TextDecoder().decode(stdout).includes("anon_inode:[io_uring]");
}

async function infoField(c: RespClient, field: string): Promise<string> {
  const info = String(await c.cmd("INFO", "server"));
  return info.match(new RegExp(`^${field}:(.*)\\r$`, "m"))?.[1] ?? "";
}

/**
 * Reads replies until `count` have arrived or the server closes; returns them.
 * A server that stops sending fails the test within 20 s instead of hanging it.
 */
async function readAll(conn: Deno.Conn, count: number): Promise<RespValue[]> {
  const timer = setTimeout(() => conn.close(), 20_000);
  try {
    return await readReplies(conn, count);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

async function readReplies(conn: Deno.Conn, count: number): Promise<RespValue[]> {
  const decoder = new RespReplyDecoder();
  const replies: RespValue[] = [];
  let buf = new Uint8Array(1 << 20);
  let start = 0;
  let end = 0;
  while (replies.length < count) {
    if (end === buf.length) {
      const grown = new Uint8Array(Math.max(buf.length, (end - start) * 2));
      grown.set(buf.subarray(start, end));
      end -= start;
      start = 0;
      buf = grown;
    }
    const n = await conn.read(buf.subarray(end));
    if (n === null) break;
    end += n;
    for (;;) {
      const reply = decoder.decode(buf, start, end);
      if (reply === undefined) break;
      start += decoder.consumed;
      replies.push(reply);
    }
  }
  return replies;
}

/**
 * `redis-home serve` on a free port, with `env` and more `args`; disposing
 * shuts it down (killed outright if SIGTERM does not end it: a server stuck
 * in a loop never sees the signal).
 */
async function serve(env: Record<string, string> = {}, args: string[] = []) {
  const port = freePort();
  const child = new Deno.Command(`${ROOT}redis-home`, {
    args: ["serve", "--port", String(port), "--save", "", ...args],
    env,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    (await connectWhenReady(port, 60000)).close();
  } catch (err) {
    child.kill();
    await child.status;
    throw err;
  }
  return {
    port,
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      try {
        child.kill();
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone meanwhile */ }
      }, 5000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: 24 MB of replies to a client that reads late all arrive, in order (${io})`, async () => {
    await using s = await serve(ioEnv);
    using c = await RespClient.connect(s.port);
    const value = "v".repeat(100_000);
    equal(await c.cmd("SET", "big", value), "OK");
    // More than the 16 MB of unsent replies that pause reading, sent before reading any.
    const count = 240;
    const requests: string[] = [];
    for (let i = 0; i < count; i++) requests.push(`*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n`);
    requests.push("*2\r\n$4\r\nECHO\r\n$4\r\nlast\r\n");
    await c.writeRaw(requests.join(""));
    await new Promise((r) => setTimeout(r, 200));
    const replies = await readAll(c.conn, count + 1);
    equal(replies.length, count + 1);
    ok(replies.slice(0, count).every((r) => r.type === "bulk" && r.value === value));
    deepEqual(replies[count], { type: "bulk", value: "last" });
    equal(await c.cmd("PING"), "PONG");
  });
}

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: a batch of 64 KB or more behind replies the socket has not taken stalls no one (${io})`, async () => {
    // Such a batch is written at once (connection.ts, EAGER_WRITE), unless
    // earlier bytes still wait for the socket: then nothing can go, and trying
    // again spun the server forever (Redis's integration/failover, whose write
    // load never reads its replies).
    await using s = await serve(ioEnv);
    using late = await RespClient.connect(s.port);
    using other = await RespClient.connect(s.port);
    const value = "v".repeat(100_000);
    equal(await late.cmd("SET", "big", value), "OK");
    const get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
    // 10 MB: more than the socket holds, less than the 16 MB that pause reading.
    const count = 100;
    await late.writeRaw(get.repeat(count));
    equal(await within(other.cmd("PING")), "PONG");
    await late.writeRaw(get);
    equal(await within(other.cmd("PING")), "PONG", "the server still answers");
    const replies = await readAll(late.conn, count + 1);
    equal(replies.length, count + 1);
    ok(replies.every((r) => r.type === "bulk" && r.value === value));
  });
}

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: a batch of 64 KB or more while replies wait for an fsync stalls no one (${io})`, async () => {
    // Under appendfsync always replies go by the write loop (#flush), which a
    // polled write leaves alone: the eager write must too.
    const dir = await Deno.makeTempDir();
    try {
      await using s = await serve(ioEnv, [
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
      ]);
      using c = await RespClient.connect(s.port);
      using other = await RespClient.connect(s.port);
      const value = "v".repeat(100_000);
      equal(await c.cmd("SET", "big", value), "OK");
      // The first three GETs fill a batch (256 KB); the fourth is a batch of its own.
      const requests = [["SET", "k", "1"], ...Array.from({ length: 4 }, () => ["GET", "big"])];
      await c.writeRaw(oneWrite(requests.map(encodeRespRequest)));
      equal(await within(other.cmd("PING")), "PONG", "the server still answers");
      const replies = await readAll(c.conn, 5);
      deepEqual(replies[0], { type: "simple", value: "OK" });
      equal(replies.length, 5);
      ok(replies.slice(1).every((r) => r.type === "bulk" && r.value === value));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: a client that stops sending still gets the replies to what it sent (${io})`, async () => {
    await using s = await serve(ioEnv);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    try {
      const bytes = new Uint8Array([
        ...encodeRespRequest(["SET", "k", "1"]),
        ...encodeRespRequest(["INCR", "k"]),
      ]);
      await conn.write(bytes);
      await conn.closeWrite();
      const replies = await readAll(conn, 3);
      deepEqual(replies, [{ type: "simple", value: "OK" }, { type: "int", value: 2n }]);
    } finally {
      conn.close();
    }
    using c = await RespClient.connect(s.port);
    equal(await c.cmd("GET", "k"), "2");
  });
}

Deno.test("poller: requests many reads long, sent at once, are all read and answered", async () => {
  // Sockets are edge-triggered: a read that filled its room is not reported
  // again by epoll, so the bytes behind it must be asked for (rearm).
  await using s = await serve();
  using c = await RespClient.connect(s.port);
  const count = 20_000;
  await c.writeRaw("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n".repeat(count));
  const replies = await readAll(c.conn, count);
  equal(replies.length, count);
  deepEqual(replies[count - 1], { type: "int", value: BigInt(count) });
  equal(await c.cmd("PING"), "PONG");
});

Deno.test("poller: QUIT and a protocol error reply, then close", async () => {
  await using s = await serve();
  for (
    const [request, reply] of [
      ["*1\r\n$4\r\nQUIT\r\n", { type: "simple", value: "OK" }],
      ["*1\r\n$x\r\n", { type: "error", value: "ERR Protocol error: invalid bulk length" }],
    ] as const
  ) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    try {
      await conn.write(binaryToBytes(request));
      deepEqual(await readAll(conn, 2), [reply]);
    } finally {
      conn.close();
    }
  }
});

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: replies made in another client's batch (pub/sub, unblocked BLPOP) go out (${io})`, async () => {
    await using s = await serve(ioEnv);
    using sub = await RespClient.connect(s.port);
    using waiter = await RespClient.connect(s.port);
    using writer = await RespClient.connect(s.port);
    deepEqual(await sub.cmd("SUBSCRIBE", "ch"), ["subscribe", "ch", 1]);
    await waiter.send("BLPOP", "list", "0");
    // The BLPOP is blocked once the server counts it.
    for (let i = 0; i < 100 && !/blocked_clients:1/.test(String(await writer.cmd("INFO"))); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    equal(await writer.cmd("PUBLISH", "ch", "hello"), 1);
    equal(await writer.cmd("RPUSH", "list", "x"), 1);
    deepEqual(plainOf(await sub.read()), ["message", "ch", "hello"]);
    deepEqual(plainOf(await waiter.read()), ["list", "x"]);
  });
}

Deno.test("poller: requests split at every point between two clients' reads keep their bytes", async () => {
  // Whole requests are read through a buffer every client shares (connection.ts,
  // READ_THROUGH); what a read leaves unfinished must move to the client's own.
  await using s = await serve();
  using a = await RespClient.connect(s.port);
  using b = await RespClient.connect(s.port);
  const value = (i: number) => `v${i}-` + "x".repeat(i % 50) + String.fromCharCode(200 + (i % 50));
  const request = (i: number) =>
    `*2\r\n$4\r\nECHO\r\n$${binaryToBytes(value(i)).length}\r\n${value(i)}\r\n` +
    `*1\r\n$4\r\nPING\r\n`;
  for (let i = 0; i < 60; i++) {
    const bytes = binaryToBytes(request(i));
    const cut = 1 + (i * 7) % (bytes.length - 1);
    await a.conn.write(bytes.subarray(0, cut));
    // b's whole request is read (and its bytes land) between a's two halves.
    equal(await b.cmd("ECHO", `b${i}`), `b${i}`);
    await a.conn.write(bytes.subarray(cut));
    deepEqual(await readAll(a.conn, 2), [{ type: "bulk", value: value(i) }, {
      type: "simple",
      value: "PONG",
    }]);
  }
  const info = String(await a.cmd("CLIENT", "INFO"));
  equal(info.match(/ qbuf=(\d+)/)?.[1], "26", info);
  equal(info.match(/ qbuf-free=(\d+)/)?.[1], String(16 * 1024 - 26), info);
});

function plainOf(v: RespValue): unknown {
  return v.type === "array" ? v.values.map((x) => (x as { value: unknown }).value) : v;
}

async function servedApi(env: Record<string, string>): Promise<string> {
  await using s = await serve(env);
  using c = await RespClient.connect(s.port);
  equal(await c.cmd("SET", "k", "v"), "OK");
  equal(await c.cmd("GET", "k"), "v");
  return await infoField(c, "multiplexing_api");
}

for (const [io, ioEnv] of IO_MODES) {
  Deno.test(`poller: a subscriber that never reads fills its socket, then is dropped at its limit; others are answered (${io})`, async () => {
    // Replies sent through io_uring to a full socket: io_uring waits for room
    // even on a non-blocking socket, and waiting for that send stopped the
    // whole server (unit/obuf-limits' hard limit test hung).
    await using s = await serve(ioEnv);
    using publisher = await RespClient.connect(s.port);
    using subscriber = await RespClient.connect(s.port);
    equal(
      await publisher.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 100kb 0 0"),
      "OK",
    );
    await subscriber.writeRaw("*2\r\n$9\r\nSUBSCRIBE\r\n$3\r\nfoo\r\n");
    // Two connections: the publisher's request may be read before the subscriber's.
    await waitFor(
      "the subscription",
      async () => String(await publisher.cmd("PUBSUB", "NUMSUB", "foo")) === "foo,1" || undefined,
      5000,
    );
    // Short messages, as unit/obuf-limits sends: a send that fills the socket's buffer is taken
    // whole, so the next finds no room at all (a longer one is mostly taken in part, and the rest
    // is written later by write()). The loopback socket's buffers hold a few MB, then 100 KB more.
    let published = 0;
    while (published < 200_000 && await within(publisher.cmd("PUBLISH", "foo", "bar")) === 1) {
      published++;
    }
    ok(published > 2500 && published < 200_000, `dropped after ${published} messages`);
    const clients = String(await within(publisher.cmd("CLIENT", "LIST"))).trim().split("\n");
    equal(clients.length, 1, "the subscriber was dropped at its output limit");
    equal(await within(publisher.cmd("PING")), "PONG");
  });
}

Deno.test("poller: replies go out through io_uring; REDIS_HOME_IO=epoll writes each", async () => {
  for (const [io, env] of IO_MODES) {
    await using s = await serve(env);
    using c = await RespClient.connect(s.port);
    // The poller (and its ring) starts with the first client.
    equal(await c.cmd("PING"), "PONG");
    equal(await holdsIoUring(s.pid), io === "io_uring", io);
  }
});

Deno.test("poller: `serve` uses it; REDIS_HOME_IO=deno keeps Deno's sockets", async () => {
  equal(await servedApi({}), "epoll");
  equal(await servedApi({ REDIS_HOME_IO: "deno" }), "deno");
});

Deno.test("poller: once SHUTDOWN closes a client's connection, connecting is refused (as once Redis exits)", async () => {
  // A listener's socket closes when its pending accept is cancelled, a turn of Deno's loop
  // after close(); the poller closes client sockets at once.
  for (let round = 0; round < 4; round++) {
    await using s = await serve();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    try {
      await conn.write(binaryToBytes("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n"));
      equal(await conn.read(new Uint8Array(16)), null, "the connection closes, nothing sent");
      await rejects(
        Deno.connect({ hostname: "127.0.0.1", port: s.port }),
        Deno.errors.ConnectionRefused,
      );
    } finally {
      conn.close();
    }
  }
});
