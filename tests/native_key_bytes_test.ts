/**
 * The native protocol's keys from the request's bytes, as RESP's
 * (tests/key_bytes_test.ts): `get`, `set`, `del`, `exists` and the `incr`
 * family take a key of 4-32 bytes as bytes, other commands' keys are hashed
 * and compared from them. Whatever else reads the key must still see it as
 * sent: propagation, MONITOR, the slow log, WATCH, a paused client that runs
 * the request after its batch. DEL of one key takes it as bytes over RESP too.
 */
import { deepEqual, equal } from "node:assert/strict";
import { encodeNativeRequest } from "../protocol/native.ts";
import {
  expectMonitored,
  expectWatchAborted,
  heldKeyShapes,
  NativeClient,
  nativePlain,
  propagatedBy,
  RespClient,
  slowLogged,
  startServer,
} from "./helpers.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** Sends native requests in one write (one batch for the server); returns their replies. */
async function pipeline(c: NativeClient, requests: string[][]): Promise<unknown[]> {
  await c.writeRaw(concat(requests.map(encodeNativeRequest)));
  const replies = [];
  for (let i = 0; i < requests.length; i++) replies.push(nativePlain(await c.read()));
  return replies;
}

const KEYS = heldKeyShapes("key:0000000000000001");

/** Each key's writes, in every form a key is left as bytes in (`set` over a value of its length, then not). */
function writes(key: string): string[][] {
  return [["incr", key], ["incrby", key, "41"], ["decr", key], ["set", key, "40"], [
    "set",
    key,
    "forty",
  ]];
}

Deno.test("native keys from the request's bytes: replies, and writes propagated as sent", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  const propagated = propagatedBy(srv.server);
  const requests = KEYS.flatMap((k) => [
    ["get", k],
    ["exists", k],
    ...writes(k),
    ["get", k],
    // Present, then missing (not propagated).
    ["del", k],
    ["del", k],
    ["zadd", k, "1", "m"],
    ["zscore", k, "m"],
    ["get", k],
  ]);
  const wrongType = {
    code: 3,
    error: "WRONGTYPE Operation against a key holding the wrong kind of value",
  };
  deepEqual(
    await pipeline(c, requests),
    KEYS.flatMap(() => [null, 0, 1, 42, 41, null, null, "forty", 1, 0, 1, 1, wrongType]),
  );
  deepEqual(propagated, KEYS.flatMap((k) => [...writes(k), ["del", k], ["zadd", k, "1", "m"]]));
  // Written again by another client, read back under the same keys.
  using other = await RespClient.connect(srv.port);
  for (const [i, k] of KEYS.entries()) equal(await other.cmd("SET", k, `v${i}`), "OK");
  deepEqual(await pipeline(c, KEYS.map((k) => ["get", k])), KEYS.map((_, i) => `v${i}`));
  deepEqual(await pipeline(c, KEYS.map((k) => ["unlink", k])), KEYS.map(() => 1));
  equal(await other.cmd("DBSIZE"), 0);
});

Deno.test("native keys from the request's bytes: a key with a TTL, one past it", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  using r = await RespClient.connect(srv.port);
  await r.cmd("SET", "ttl:key1", "1", "EX", "100");
  await r.cmd("SET", "gone:key", "1", "PX", "1");
  await new Promise((done) => setTimeout(done, 10));
  deepEqual(await pipeline(c, [["del", "gone:key"], ["incr", "ttl:key1"], ["del", "ttl:key1"]]), [
    0,
    2,
    1,
  ]);
  equal(await r.cmd("DBSIZE"), 0);
});

Deno.test("native keys from the request's bytes: monitored and slow-logged as sent", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using monitor = await RespClient.connect(srv.port);
  using c = await NativeClient.connect(srv.port);
  equal(await monitor.cmd("MONITOR"), "OK");
  const requests = KEYS.flatMap((k) => [
    ["get", k],
    ["incr", k],
    ["set", k, "7"],
    ["exists", k],
    ["zadd", `z${k}`, "1", "m"],
    ["del", k],
  ]);
  await pipeline(c, requests);
  await expectMonitored(monitor, requests);
  using r = await RespClient.connect(srv.port);
  const logged = (await slowLogged(r)).filter((argv) => argv[0] !== "set");
  // set is timed by sampling (Command.timedBySampling): logged only when sampled.
  deepEqual(logged, requests.filter((argv) => argv[0] !== "set"));
});

Deno.test("native keys from the request's bytes: WATCH from a RESP client sees a native write", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  using watcher = await RespClient.connect(srv.port);
  for (const write of [["incr"], ["set", "2"], ["del"], ["zadd", "1", "m"]]) {
    const key = `watched:${write[0]}:00000001`;
    // zadd creates its key.
    if (write[0] !== "zadd") await watcher.cmd("SET", key, "1");
    equal(await watcher.cmd("WATCH", key), "OK");
    await pipeline(c, [[write[0]!, key, ...write.slice(1)]]);
    await expectWatchAborted(watcher, ["GET", key]);
  }
});

Deno.test("native keys from the request's bytes outlive their batch in a paused client", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  await other.cmd("SET", "paused:3", "x");
  // Held by CLIENT PAUSE until after its batch, while the client sends more.
  equal(await other.cmd("CLIENT", "PAUSE", "10000", "WRITE"), "OK");
  await c.send("incr", "paused:1");
  await c.send("set", "paused:2", "seven");
  await c.send("del", "paused:3");
  await c.send("zadd", "paused:4", "1", "m");
  await new Promise((r) => setTimeout(r, 50));
  equal(await other.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual([nativePlain(await c.read()), nativePlain(await c.read())], [1, null]);
  deepEqual([nativePlain(await c.read()), nativePlain(await c.read())], [1, 1]);
  deepEqual(
    await pipeline(c, [["get", "paused:1"], ["get", "paused:2"], ["get", "paused:3"], [
      "zscore",
      "paused:4",
      "m",
    ]]),
    ["1", "seven", null, 1],
  );
});
