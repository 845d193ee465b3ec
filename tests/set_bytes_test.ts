/**
 * SET key value copies a long value from the request's bytes, without its
 * string (protocol/bytes.ts, deferred arguments). Everything else that reads
 * the value must still see it: MONITOR, the slow log, the AOF and replicas,
 * a MULTI queue or a paused client that runs it after its batch.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { quoteRepr } from "../server/monitor.ts";
import { pipelineOneWrite, plain, RespClient, startServer } from "./helpers.ts";

/** `n` bytes of every value, from `seed`: a conversion that is not one char per byte shows. */
function bytes(n: number, seed: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode((i * 7 + seed) & 0xff);
  return s;
}

/** Lengths on both sides of the shortest value taken as bytes (64), in any case of SET. */
const VALUES = [bytes(1000, 1), bytes(64, 2), bytes(63, 3), bytes(16 * 1024, 4), "v"];
const REQUESTS = VALUES.map((v, i) => [["SET", "set", "sEt", "SET", "SET"][i]!, `k${i}`, v]);

Deno.test("SET's value from the request's bytes: stored and propagated as sent", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const propagated: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => propagated.push([...argv]) });
  deepEqual(await pipelineOneWrite(c, REQUESTS), VALUES.map(() => "OK"));
  deepEqual(await pipelineOneWrite(c, VALUES.map((_, i) => ["GET", `k${i}`])), VALUES);
  deepEqual(propagated, REQUESTS);
});

Deno.test("SET's value from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  deepEqual(await pipelineOneWrite(c, REQUESTS), VALUES.map(() => "OK"));
  for (const [name, key, value] of REQUESTS) {
    const line = String(plain(await monitor.read()));
    ok(line.endsWith(`"${name}" "${key}" ${quoteRepr(value!)}`), line.slice(0, 80));
  }
  const logged = (await c.cmd("SLOWLOG", "GET", "-1") as unknown[][])
    .map((entry) => entry[3] as string[]).filter((argv) => argv[0]!.toUpperCase() === "SET");
  ok(logged.length > 0);
  for (const [, key, value] of logged) {
    const sent = VALUES[Number(key!.slice(1))]!;
    equal(
      value,
      sent.length > 128 ? `${sent.slice(0, 128)}... (${sent.length - 128} more bytes)` : sent,
    );
  }
});

Deno.test("SET's value from the request's bytes outlives its batch in a MULTI queue and a paused client", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  const [a, b, d] = [bytes(2000, 5), bytes(500, 6), bytes(3000, 7)];
  // Queued in one batch, run by EXEC in the next, after the buffer held other requests.
  deepEqual(await pipelineOneWrite(c, [["MULTI"], ["SET", "q", a]]), ["OK", "QUEUED"]);
  deepEqual(await pipelineOneWrite(c, [["SET", "x", b], ["EXEC"], ["GET", "q"], ["GET", "x"]]), [
    "QUEUED",
    ["OK", "OK"],
    a,
    b,
  ]);
  // Queued and run in the same batch.
  deepEqual(await pipelineOneWrite(c, [["MULTI"], ["SET", "q", b], ["EXEC"], ["GET", "q"]]), [
    "OK",
    "QUEUED",
    ["OK"],
    b,
  ]);
  // Held by CLIENT PAUSE until after its batch, while the client sends more.
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("SET", "p", d);
  await c.send("SET", "p2", a);
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([plain(await c.read()), plain(await c.read())], ["OK", "OK"]);
  deepEqual(await pipelineOneWrite(c, [["GET", "p"], ["GET", "p2"]]), [d, a]);
});

Deno.test("a SET refused before it runs leaves the next requests their own values", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await admin.cmd("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+get", "+auth");
  equal(await c.cmd("AUTH", "reader", "pw"), "OK");
  const [a, b] = [bytes(700, 8), bytes(900, 9)];
  const replies = await pipelineOneWrite(c, [["SET", "k", a], ["GET", "k"], ["SET", "k", b]]);
  ok(String((replies[0] as { error: string }).error).startsWith("NOPERM"));
  equal(replies[1], null);
  await admin.cmd("SET", "k", b);
  equal(await c.cmd("GET", "k"), b);
});
