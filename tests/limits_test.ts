/**
 * The network edge's limits, as Redis 7.0: maxclients, protected mode,
 * client-output-buffer-limit for normal clients, client-query-buffer-limit,
 * and their INFO counters.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import net from "node:net";
import { PROTECTED_MODE_DENIED } from "../server/errors.ts";
import { isLocalAddress } from "../server/admission.ts";
import { RespClient, startServer } from "./helpers.ts";
import { waitFor } from "./replication_helpers.ts";

/** Everything a raw socket receives until the server closes it. */
async function readUntilClosed(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    chunks.push(buf.slice(0, n));
  }
}

/** Connects from `localAddress` (another loopback address), sends `data`, reads until close. */
function exchangeFrom(localAddress: string, port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = net.connect({ host: "127.0.0.1", port, localAddress }, () => socket.write(data));
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => text += chunk);
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
    // A connection that is accepted stays open: end our side after the reply.
    socket.on("data", () => {
      if (text.endsWith("\r\n")) socket.end();
    });
  });
}

async function infoField(c: RespClient, name: string): Promise<string> {
  const info = await c.cmd("INFO", "stats") as string;
  const line = info.split("\r\n").find((l) => l.startsWith(name + ":"));
  ok(line !== undefined, name);
  return line.slice(name.length + 1);
}

Deno.test("isLocalAddress: exactly 127.0.0.1 and ::1, as Redis's islocalClient", () => {
  ok(isLocalAddress("127.0.0.1"));
  ok(isLocalAddress("::1"));
  ok(!isLocalAddress("127.0.0.2"));
  ok(!isLocalAddress("10.0.0.1"));
  ok(!isLocalAddress(""));
});

Deno.test("protected mode: a non-loopback client gets DENIED and is closed", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await exchangeFrom("127.0.0.2", srv.port, "PING\r\n"), `-${PROTECTED_MODE_DENIED}\r\n`);
  equal(await infoField(c, "rejected_connections"), "1");
  // Loopback is always welcome.
  equal(await c.cmd("PING"), "PONG");
  // A password for the default user lifts it...
  equal(await c.cmd("CONFIG", "SET", "requirepass", "secret"), "OK");
  equal(
    await exchangeFrom("127.0.0.2", srv.port, "PING\r\n"),
    "-NOAUTH Authentication required.\r\n",
  );
  equal(await c.cmd("AUTH", "secret"), "OK");
  equal(await c.cmd("CONFIG", "SET", "requirepass", ""), "OK");
  // ...and so does protected-mode no.
  equal(await c.cmd("CONFIG", "SET", "protected-mode", "no"), "OK");
  equal(await exchangeFrom("127.0.0.2", srv.port, "PING\r\n"), "+PONG\r\n");
  equal(await infoField(c, "rejected_connections"), "1");
});

Deno.test("maxclients: connections that sent nothing yet count; the next one is refused", async () => {
  await using srv = startServer({ maxclients: "3" });
  using c = await RespClient.connect(srv.port);
  using silent = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
  using second = await RespClient.connect(srv.port);
  equal(await second.cmd("PING"), "PONG");
  const refused = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
  equal(await readUntilClosed(refused), "-ERR max number of clients reached\r\n");
  refused.close();
  equal(await infoField(c, "rejected_connections"), "1");
  silent.close();
  // Once one goes, a new client is accepted.
  for (let i = 0; i < 100 && srv.server.connections.size > 2; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  using third = await RespClient.connect(srv.port);
  equal(await third.cmd("PING"), "PONG");
});

Deno.test("client-output-buffer-limit normal: past the hard limit the client is closed", async () => {
  await using srv = startServer({ "client-output-buffer-limit": "normal 1mb 0 0" });
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SET", "big", "x".repeat(2 * 1024 * 1024)), "OK");
  equal(await c.cmd("SET", "small", "x".repeat(512 * 1024)), "OK");
  equal((await c.cmd("GET", "small") as string).length, 512 * 1024);
  using greedy = await RespClient.connect(srv.port);
  await greedy.send("GET", "big");
  equal(await readUntilClosed(greedy.conn), "");
  equal(await infoField(c, "client_output_buffer_limit_disconnections"), "1");
  // The soft limit needs its seconds: a reply over it alone does not close the client.
  equal(await c.cmd("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1kb 3600"), "OK");
  equal((await c.cmd("GET", "big") as string).length, 2 * 1024 * 1024);
  deepEqual(await c.cmd("CONFIG", "GET", "client-output-buffer-limit"), [
    "client-output-buffer-limit",
    "normal 0 1024 3600 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  ]);
});

Deno.test("client-query-buffer-limit: a request that would outgrow it closes the client", async () => {
  await using srv = startServer({ "client-query-buffer-limit": "1mb" });
  using c = await RespClient.connect(srv.port);
  using big = await RespClient.connect(srv.port);
  await big.writeRaw(`*2\r\n$4\r\nECHO\r\n$${2 * 1024 * 1024}\r\n` + "x".repeat(64 * 1024));
  equal(await readUntilClosed(big.conn), "");
  equal(await infoField(c, "client_query_buffer_limit_disconnections"), "1");
  // Under the limit, a large request is fine.
  equal((await c.cmd("ECHO", "y".repeat(900 * 1024)) as string).length, 900 * 1024);
});

Deno.test("client-output-buffer-limit normal does not apply to replicas (their class is replica)", async () => {
  await using master = startServer({ "client-output-buffer-limit": "normal 4kb 0 0" });
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  using r = await RespClient.connect(replica.port);
  // Random bytes: the snapshot does not compress them below the normal limit.
  const random = () =>
    [...crypto.getRandomValues(new Uint8Array(512))].map((b) => b.toString(16).padStart(2, "0"))
      .join(""); // deno-fmt-ignore
  for (let i = 0; i < 64; i++) equal(await m.cmd("SET", `k${i}`, random()), "OK");
  const value = random();
  equal(await r.cmd("REPLICAOF", "127.0.0.1", String(master.port)), "OK");
  await waitFor("the full sync", async () => await r.cmd("DBSIZE") === 64 || undefined);
  equal(await m.cmd("SET", "after", value), "OK");
  await waitFor("the stream", async () => await r.cmd("GET", "after") === value || undefined);
  equal(await infoField(m, "client_output_buffer_limit_disconnections"), "0");
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});
