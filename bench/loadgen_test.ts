import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { compileLoadgen, loadgenArgs, parseLoadgenOutput, runLoadgen } from "./loadgen.ts";

const REPORT = '{"requests":1200,"seconds":1.5,"ops_per_sec":800.0,"p50_us":250,' +
  '"p99_us":900,"p999_us":1500,"errors":2,"first_error":"ERR x","server_cpu_sec":0.750,' +
  '"client_cpu_sec":0.300,"server_core_busy_sec":0.800,"client_core_busy_sec":-1.000}';

Deno.test("parseLoadgenOutput reads the generator's JSON line", () => {
  deepEqual(parseLoadgenOutput(`${REPORT}\n`), {
    requests: 1200,
    seconds: 1.5,
    opsPerSec: 800,
    p50Us: 250,
    p99Us: 900,
    p999Us: 1500,
    errors: 2,
    firstError: "ERR x",
    serverCpuSec: 0.75,
    clientCpuSec: 0.3,
    serverCoreBusySec: 0.8,
    clientCoreBusySec: undefined,
  });
});

Deno.test("parseLoadgenOutput: -1 server CPU means unread, garbage is an error", () => {
  const unread = parseLoadgenOutput(
    REPORT.replace('"server_cpu_sec":0.750', '"server_cpu_sec":-1'),
  );
  equal(unread.serverCpuSec, undefined);
  throws(() => parseLoadgenOutput("loadgen: connect: refused"), /printed no report/);
  throws(() => parseLoadgenOutput('{"requests":1}'), /lacks '/);
});

Deno.test("loadgenArgs passes the command after --, and only the options given", () => {
  deepEqual(
    loadgenArgs({
      port: 7000,
      protocol: "native",
      argv: ["get", "key:__rand_int__"],
      connections: 50,
      pipeline: 16,
      keyspace: 100000,
      seconds: 1.5,
      warmupSec: 0.3,
      serverPid: 42,
      serverCore: 0,
    }),
    [
      "--port",
      "7000",
      "--proto",
      "native",
      "--conns",
      "50",
      "--pipeline",
      "16",
      "--keyspace",
      "100000",
      "--seconds",
      "1.5",
      "--warmup",
      "0.3",
      "--server-pid",
      "42",
      "--server-core",
      "0",
      "--",
      "get",
      "key:__rand_int__",
    ],
  );
});

/**
 * A fake server that answers every request of a fixed size with the next of
 * `replies` in turn, so the generator's reply parsing is checked exactly.
 */
function fakeServer(requestSize: number, replies: Uint8Array[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      connections.push((async () => {
        const buf = new Uint8Array(64 * 1024);
        let pending = 0;
        let next = 0;
        for (;;) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break;
          pending += n;
          const parts: Uint8Array[] = [];
          for (; pending >= requestSize; pending -= requestSize) {
            parts.push(replies[next++ % replies.length]!);
          }
          for (const part of parts) await conn.write(part);
        }
        conn.close();
      })());
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting.catch(() => undefined);
      await Promise.all(connections);
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);

function nativeFrame(body: number[]): Uint8Array {
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, true);
  frame.set(body, 4);
  return frame;
}

Deno.test("the C generator counts nested RESP replies and error replies exactly", async () => {
  const dir = await Deno.makeTempDir();
  // "*1\r\n$4\r\nPING\r\n" is 14 bytes.
  const server = fakeServer(14, [
    text("*2\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n"),
    text("-ERR fake failure\r\n"),
    text("+PONG\r\n"),
  ]);
  try {
    const binary = await compileLoadgen(dir);
    const run = { port: server.port, protocol: "resp" as const, argv: ["PING"], keyspace: 0 };
    const report = await runLoadgen(
      binary,
      { ...run, connections: 2, pipeline: 4, requests: 30, serverCore: 0, cpu: 0 },
      20_000,
    );
    equal(report.requests, 30);
    // Each connection's replies cycle from the first: 15 each, 5 of them errors.
    equal(report.errors, 10);
    equal(report.firstError, "ERR fake failure");
    // Both cores' busy time is read from /proc/stat: the server's named, the generator's pinned.
    equal(typeof report.serverCoreBusySec, "number");
    equal(typeof report.clientCoreBusySec, "number");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the C generator frames native requests and reads native error replies", async () => {
  const dir = await Deno.makeTempDir();
  // get k: u32 len, u32 2, u32 3 "get", u32 1 "k" = 4 + 4 + 7 + 5 bytes.
  const message = [...text("bad")];
  const server = fakeServer(20, [
    nativeFrame([0]),
    nativeFrame([1, 4, 0, 0, 0, 3, 0, 0, 0, ...message]),
  ]);
  try {
    const binary = await compileLoadgen(dir);
    const report = await runLoadgen(binary, {
      port: server.port,
      protocol: "native",
      argv: ["get", "k"],
      keyspace: 0,
      connections: 1,
      pipeline: 3,
      requests: 10,
    }, 20_000);
    equal(report.requests, 10);
    equal(report.errors, 5);
    equal(report.firstError, "bad");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runLoadgen reports a refused connection with the generator's message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const binary = await compileLoadgen(dir);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const run = { port, protocol: "resp" as const, argv: ["PING"], keyspace: 0 };
    await rejects(
      runLoadgen(binary, { ...run, connections: 1, pipeline: 1, requests: 1 }, 20_000),
      /connect/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
