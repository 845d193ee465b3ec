/**
 * The Lua VM loads on the first command that needs it (server/scripting/vm.ts):
 * a server that never runs a script never loads it, and requests that wait
 * for it run as if it had always been there, in order.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

Deno.test("the Lua VM loads on the first script command, not before", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SET", "k", "v"), "OK");
  const memory = String(await c.cmd("INFO", "memory"));
  equal(memory.includes("used_memory_lua:31744\r\n"), true);
  equal(memory.includes("number_of_cached_scripts:0\r\n"), true);
  // A script's flags are judged without the VM: a shebang script in MULTI queues.
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("EVAL", "#!lua flags=no-writes\nreturn 1", 0), "QUEUED");
  equal(await c.cmd("DISCARD"), "OK");
  equal(srv.server.scripting.loaded, false);
  equal(await c.cmd("EVAL", "return redis.call('get', KEYS[1])", 1, "k"), "v");
  equal(srv.server.scripting.loaded, true);
});

Deno.test("requests pipelined behind the first EVAL wait for it and keep their order", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  const incr = "return redis.call('incr', KEYS[1])";
  await c.send("SET", "n", "1");
  await c.send("EVAL", incr, "1", "n");
  await c.send("GET", "n");
  await c.send("EVAL", incr, "1", "n");
  await other.send("EVAL", incr, "1", "n");
  const replies = [];
  for (let i = 0; i < 4; i++) replies.push(await c.read());
  const [set, first, get, second] = replies.map((reply) => "value" in reply ? reply.value : null);
  const theirs = await other.read();
  // One connection's requests run in order; the other's may come between them.
  equal(set, "OK");
  equal(get, String(first));
  equal(Number(second) > Number(first), true);
  deepEqual(
    [Number(first), Number(second), Number("value" in theirs ? theirs.value : 0)].sort(),
    [2, 3, 4],
  );
});

Deno.test("EXEC of a transaction that queued a script waits for the VM", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("SET", "a", "1"), "QUEUED");
  equal(await c.cmd("EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", 1, "a", 5), "QUEUED");
  equal(await c.cmd("GET", "a"), "QUEUED");
  equal(srv.server.scripting.loaded, false);
  deepEqual(await c.cmd("EXEC"), ["OK", 6, "6"]);
});

Deno.test("a client that leaves while its request waits for the VM harms no one", async () => {
  await using srv = startServer();
  const gone = await RespClient.connect(srv.port);
  await gone.send("EVAL", "return redis.call('set', 'x', 'gone')", "0");
  gone.close();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("EVAL", "return redis.call('set', 'y', 'here')", 0), "OK");
  equal(await c.cmd("GET", "y"), "here");
});

Deno.test("a large script held for the VM runs whole, and what follows it too", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Big enough that the decoder gathers the bulk outside the query buffer (BullMQ's scripts are).
  const body = `-- ${"x".repeat(40_000)}\nreturn redis.call('set', KEYS[1], ARGV[1])`;
  await c.send("EVAL", body, "1", "big", "v");
  await c.send("GET", "big");
  deepEqual(await c.read(), { type: "simple", value: "OK" });
  deepEqual(await c.read(), { type: "bulk", value: "v" });
});
