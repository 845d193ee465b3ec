/** MULTI/EXEC/DISCARD/WATCH end to end, with Redis 7's replies. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import type { Propagator } from "../server/context.ts";
import { RespClient, startServer } from "./helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("MULTI queues, EXEC runs in order, runtime errors stay in place", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "k", "a"), "QUEUED");
  deepEqual(await c.cmd("INCR", "k"), "QUEUED");
  deepEqual(await c.cmd("LPUSH", "k", "x"), "QUEUED");
  deepEqual(await c.cmd("GET", "k"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), [
    "OK",
    { error: "ERR value is not an integer or out of range" },
    { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
    "a",
  ]);
  // An empty transaction is an empty array.
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("EXEC"), []);
  // Writes inside EXEC are seen by everyone afterwards.
  using other = await RespClient.connect(srv.port);
  deepEqual(await other.cmd("GET", "k"), "a");
});

Deno.test("errors while queueing abort EXEC; misuse errors are Redis's", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("EXEC"), { error: "ERR EXEC without MULTI" });
  deepEqual(await c.cmd("DISCARD"), { error: "ERR DISCARD without MULTI" });

  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("MULTI"), { error: "ERR MULTI calls can not be nested" });
  deepEqual(await c.cmd("WATCH", "k"), { error: "ERR WATCH inside MULTI is not allowed" });
  // Neither of those spoils the transaction.
  deepEqual(await c.cmd("SET", "k", "1"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["OK"]);

  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "k", "2"), "QUEUED");
  deepEqual(await c.cmd("NOSUCHCOMMAND", "x"), {
    error: "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ",
  });
  deepEqual(await c.cmd("EXEC"), {
    error: "EXECABORT Transaction discarded because of previous errors.",
  });
  deepEqual(await c.cmd("GET", "k"), "1");

  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("GET"), { error: "ERR wrong number of arguments for 'get' command" });
  deepEqual(await c.cmd("SET", "k", "3"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), {
    error: "EXECABORT Transaction discarded because of previous errors.",
  });
  deepEqual(await c.cmd("EXEC"), { error: "ERR EXEC without MULTI" });
  deepEqual(await c.cmd("GET", "k"), "1");

  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "k", "4"), "QUEUED");
  deepEqual(await c.cmd("DISCARD"), "OK");
  deepEqual(await c.cmd("GET", "k"), "1");
  deepEqual(await c.cmd("WATCH"), { error: "ERR wrong number of arguments for 'watch' command" });
});

Deno.test("WATCH: a key changed by another client makes EXEC return null", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  deepEqual(await a.cmd("SET", "balance", "10"), "OK");

  // Untouched: EXEC runs.
  deepEqual(await a.cmd("WATCH", "balance", "other"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("SET", "balance", "20"), "QUEUED");
  deepEqual(await a.cmd("EXEC"), ["OK"]);

  // Touched between WATCH and EXEC: nothing runs, the reply is a null array.
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await b.cmd("SET", "balance", "99"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("SET", "balance", "30"), "QUEUED");
  equal((await a.call("EXEC")).type, "nullArray");
  deepEqual(await a.cmd("GET", "balance"), "99");

  // Touched while queueing: the same.
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("INCR", "balance"), "QUEUED");
  deepEqual(await b.cmd("DEL", "balance"), 1);
  equal((await a.call("EXEC")).type, "nullArray");

  // A write that changes nothing touches nothing; UNWATCH and DISCARD forget the keys.
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await b.cmd("DEL", "balance"), 0);
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("SET", "balance", "1"), "QUEUED");
  deepEqual(await a.cmd("EXEC"), ["OK"]);
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await a.cmd("UNWATCH"), "OK");
  deepEqual(await b.cmd("SET", "balance", "2"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("GET", "balance"), "QUEUED");
  deepEqual(await a.cmd("EXEC"), ["2"]);
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("DISCARD"), "OK");
  deepEqual(await b.cmd("SET", "balance", "3"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("EXEC"), []);

  // Keys are per database.
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await b.cmd("SELECT", "1"), "OK");
  deepEqual(await b.cmd("SET", "balance", "4"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("EXEC"), []);

  // RESP3's null.
  ok((await a.cmd("HELLO", "3")) instanceof Map);
  deepEqual(await a.cmd("WATCH", "balance"), "OK");
  deepEqual(await b.cmd("SELECT", "0"), "OK");
  deepEqual(await b.cmd("SET", "balance", "5"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  equal((await a.call("EXEC")).type, "null");
});

Deno.test("WATCH: expiry fails EXEC; a key already expired when watched does not", async () => {
  // hz 1: the active expiry cycle rarely runs during the test, so EXEC meets
  // keys whose TTL passed but that are not deleted yet.
  await using srv = startServer({ hz: "1" });
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", "session", "x"), "OK");
  deepEqual(await c.cmd("PEXPIRE", "session", "30"), 1);
  deepEqual(await c.cmd("WATCH", "session"), "OK");
  await sleep(60);
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "other", "1"), "QUEUED");
  equal((await c.call("EXEC")).type, "nullArray");
  deepEqual(await c.cmd("EXISTS", "other"), 0);

  deepEqual(await c.cmd("SET", "stale", "x"), "OK");
  deepEqual(await c.cmd("PEXPIRE", "stale", "10"), 1);
  await sleep(30);
  deepEqual(await c.cmd("WATCH", "stale"), "OK");
  // Its deletion is no change: it was already gone as far as WATCH could see.
  deepEqual(await c.cmd("GET", "stale"), null);
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "other", "2"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["OK"]);
});

Deno.test("WATCH: FLUSHDB and FLUSHALL fail EXEC when the watched key existed", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  deepEqual(await a.cmd("SET", "k", "v"), "OK");
  deepEqual(await a.cmd("WATCH", "k"), "OK");
  deepEqual(await b.cmd("FLUSHDB"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("SET", "k", "new"), "QUEUED");
  equal((await a.call("EXEC")).type, "nullArray");

  deepEqual(await a.cmd("SET", "k", "v"), "OK");
  deepEqual(await a.cmd("WATCH", "k"), "OK");
  deepEqual(await b.cmd("FLUSHALL"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  equal((await a.call("EXEC")).type, "nullArray");

  // Flushing a database without the key leaves the transaction alone.
  deepEqual(await a.cmd("WATCH", "missing"), "OK");
  deepEqual(await b.cmd("FLUSHDB"), "OK");
  deepEqual(await a.cmd("MULTI"), "OK");
  deepEqual(await a.cmd("EXEC"), []);
});

Deno.test("WATCH and SWAPDB: an expired key coming or going is no change (Redis 7.0)", async () => {
  await using srv = startServer({ "enable-debug-command": "yes" });
  using c = await RespClient.connect(srv.port);
  const execAfterWatch = async (setup: () => Promise<void>) => {
    await c.cmd("FLUSHALL");
    equal(await c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
    await setup();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await c.cmd("SELECT", "1");
    await c.cmd("WATCH", "x");
    await c.cmd("SWAPDB", "0", "1");
    await c.cmd("MULTI");
    await c.cmd("PING");
    const reply = await c.call("EXEC");
    await c.cmd("SELECT", "0");
    equal(await c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK");
    return reply.type === "nullArray" ? "aborted" : "ran";
  };
  // A missing key replaced by an expired one; an expired key by another expired one.
  equal(await execAfterWatch(async () => void await c.cmd("SET", "x", "foo", "PX", "1")), "ran");
  equal(
    await execAfterWatch(async () => {
      await c.cmd("SET", "x", "bar", "PX", "1");
      await c.cmd("SELECT", "1");
      await c.cmd("SET", "x", "foo", "PX", "1");
      await c.cmd("SELECT", "0");
    }),
    "ran",
  );
  // A missing key replaced by a live one is a change.
  equal(await execAfterWatch(async () => void await c.cmd("SET", "x", "live")), "aborted");
});

Deno.test("blocking commands inside MULTI reply at once instead of blocking", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("BLPOP", "empty", "0"), "QUEUED");
  deepEqual(await c.cmd("RPUSH", "list", "a"), "QUEUED");
  deepEqual(await c.cmd("BLPOP", "list", "0"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), [null, 1, ["list", "a"]]);
  deepEqual(await c.cmd("PING"), "PONG");
});

Deno.test("EXEC propagates its writes wrapped in MULTI ... EXEC", async () => {
  await using srv = startServer();
  const seen: string[] = [];
  const recorder: Propagator = {
    propagate: (db, argv) => void seen.push(`${db}:${argv.join(" ")}`),
  };
  srv.server.propagators.push(recorder);
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("SET", "a", "1"), "QUEUED");
  deepEqual(await c.cmd("GET", "a"), "QUEUED");
  deepEqual(await c.cmd("DEL", "missing"), "QUEUED");
  deepEqual(await c.cmd("SELECT", "2"), "QUEUED");
  deepEqual(await c.cmd("SET", "b", "2"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["OK", "1", 0, "OK", "OK"]);
  deepEqual(seen, ["0:MULTI", "0:SET a 1", "2:SET b 2", "2:EXEC"]);

  // Nothing written, nothing propagated.
  seen.length = 0;
  deepEqual(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("GET", "b"), "QUEUED");
  deepEqual(await c.cmd("DEL", "missing"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["2", 0]);
  deepEqual(seen, []);
  // Outside a transaction writes go alone.
  deepEqual(await c.cmd("SET", "c", "3"), "OK");
  deepEqual(seen, ["2:SET c 3"]);
});

Deno.test("ioredis: transactions, optimistic locking and pub/sub end to end", async () => {
  await using srv = startServer();
  const options = { host: "127.0.0.1", port: srv.port, lazyConnect: true, maxRetriesPerRequest: 0 };
  const client = new Redis(options);
  const subscriber = new Redis(options);
  const other = new Redis(options);
  try {
    await Promise.all([client.connect(), subscriber.connect(), other.connect()]);
    deepEqual(await client.multi().set("k", "1").incr("k").get("k").exec(), [
      [null, "OK"],
      [null, 2],
      [null, "2"],
    ]);
    await client.watch("k");
    await other.set("k", "changed");
    equal(await client.multi().set("k", "mine").exec(), null);
    equal(await client.get("k"), "changed");

    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      subscriber.on("message", (channel: string, message: string) => {
        received.push(`${channel}:${message}`);
        if (received.length === 3) resolve();
      });
      subscriber.on("pmessage", (pattern: string, channel: string, message: string) => {
        received.push(`${pattern}|${channel}:${message}`);
        if (received.length === 3) resolve();
      });
    });
    equal(await subscriber.subscribe("chat"), 1);
    equal(await subscriber.psubscribe("ev.*"), 2);
    equal(await client.publish("chat", "hello"), 1);
    equal(await client.publish("ev.x", "fired"), 1);
    equal(await client.publish("chat", "bye"), 1);
    await done;
    deepEqual(received, ["chat:hello", "ev.*|ev.x:fired", "chat:bye"]);
  } finally {
    client.disconnect();
    subscriber.disconnect();
    other.disconnect();
  }
});
