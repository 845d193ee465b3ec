/**
 * Scripts and functions between a master and its replicas: redis.set_repl
 * choosing between the AOF and replicas (the AOF side checked against
 * redis-server 7.0.15's appendonly file), function libraries in a full
 * sync, DEBUG RELOAD NOFLUSH meeting a library that exists, and a replica
 * that leaves counted out of min-replicas-to-write at once.
 */
import { deepEqual, equal } from "node:assert/strict";
import { isReplicaClient } from "../server/replication/client_peer.ts";
import { RespClient, startServer, type TestServer } from "./helpers.ts";
import { tempDir } from "./persistence_helpers.ts";
import { infoSection, recorder, waitFor } from "./replication_helpers.ts";

const SELECTIVE = "redis.call('set','a','1'); redis.set_repl(redis.REPL_NONE); " +
  "redis.call('set','b','2'); redis.set_repl(redis.REPL_AOF); redis.call('set','c','3'); " +
  "redis.set_repl(redis.REPL_ALL); redis.call('set','d','4')";

Deno.test("redis.set_repl: each write goes to the targets chosen when it ran", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  const replicas = recorder(srv, "replicas");
  using c = await RespClient.connect(srv.port);
  await c.cmd("EVAL", SELECTIVE, 0);
  deepEqual(aof, ["0:MULTI", "0:set a 1", "0:set c 3", "0:set d 4", "0:EXEC"]);
  deepEqual(replicas, ["0:MULTI", "0:set a 1", "0:set d 4", "0:EXEC"]);
  aof.length = 0;
  replicas.length = 0;
  await c.cmd("EVAL", "redis.set_repl(redis.REPL_REPLICA) redis.call('set','e','5')", 0);
  deepEqual(aof, []);
  deepEqual(replicas, ["0:set e 5"]);
});

Deno.test("redis.set_repl inside MULTI/EXEC: the transaction carries the chosen writes", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  const replicas = recorder(srv, "replicas");
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  await c.cmd("EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set','q','1')", 0);
  await c.cmd("EVAL", "redis.set_repl(redis.REPL_AOF) redis.call('set','r','1')", 0);
  await c.cmd("SET", "w", "1");
  deepEqual(await c.cmd("EXEC"), [null, null, "OK"]);
  deepEqual(aof, ["0:MULTI", "0:set r 1", "0:SET w 1", "0:EXEC"]);
  deepEqual(replicas, ["0:MULTI", "0:SET w 1", "0:EXEC"]);
});

/** A redis-home replica of a redis-home master, the link up. */
async function linkedPair(master: TestServer, replica: TestServer): Promise<RespClient> {
  using m = await RespClient.connect(master.port);
  await m.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "0");
  const r = await RespClient.connect(replica.port);
  equal(await r.cmd("REPLICAOF", "127.0.0.1", master.port), "OK");
  await waitFor("the link", async () => {
    const info = await infoSection(r, "replication");
    return info.master_link_status === "up" ? true : undefined;
  });
  return r;
}

/** A library of one no-writes function (callable on a read-only replica). */
function noWritesLibrary(library: string, name: string, body: string): string {
  return `#!lua name=${library}\nredis.register_function{function_name='${name}', ` +
    `callback=function() ${body} end, flags={'no-writes'}}`;
}

Deno.test("a full sync carries the master's function libraries and drops the replica's", async () => {
  await using master = startServer();
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  await m.cmd("FUNCTION", "LOAD", noWritesLibrary("lib", "hi", "return 'hello'"));
  using before = await RespClient.connect(replica.port);
  await before.cmd(
    "FUNCTION",
    "LOAD",
    "#!lua name=own\nredis.register_function('mine', function() end)",
  );
  using r = await linkedPair(master, replica);
  equal(await r.cmd("FCALL", "hi", 0), "hello");
  deepEqual(await r.cmd("FCALL", "mine", 0), { error: "ERR Function not found" });
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});

Deno.test("min-replicas-to-write: a replica whose connection ends stops counting at once", async () => {
  await using master = startServer();
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  using r = await linkedPair(master, replica);
  await m.cmd("CONFIG", "SET", "min-replicas-to-write", "1");
  equal(await m.cmd("SET", "x", "1"), "OK");
  // As when its socket closes; the once-a-second cron must not be what notices.
  const peer = [...master.server.clients.values()].find(isReplicaClient);
  master.server.unregisterClient(peer!);
  deepEqual(await m.cmd("EVAL", "#!lua\nreturn 1", 0), {
    error: "NOREPLICAS Not enough good replicas to write.",
  });
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});

Deno.test("DEBUG RELOAD NOFLUSH: a library already loaded fails the load unless MERGE", async () => {
  using dir = tempDir();
  await using srv = startServer({ dir: dir.path, "enable-debug-command": "yes" });
  using c = await RespClient.connect(srv.port);
  await c.cmd("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() end)");
  const failed = await c.cmd("DEBUG", "RELOAD", "NOFLUSH");
  equal((failed as { error: string }).error.startsWith("ERR Error trying to load the RDB"), true);
  equal(await c.cmd("DEBUG", "RELOAD", "NOFLUSH", "MERGE"), "OK");
  equal(await c.cmd("DEBUG", "RELOAD"), "OK");
  deepEqual(await c.cmd("FUNCTION", "LIST"), [[
    "library_name",
    "lib",
    "engine",
    "LUA",
    "functions",
    [["name", "f", "description", null, "flags", []]],
  ]]);
});

Deno.test("a replica that never ran a script loads the Lua VM for its master's functions", async () => {
  await using master = startServer();
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  await m.cmd("FUNCTION", "LOAD", noWritesLibrary("one", "f1", "return 1"));
  equal(replica.server.scripting.loaded, false);
  using r = await linkedPair(master, replica);
  equal(await r.cmd("FCALL", "f1", 0), 1);
  // And one the stream carries after the sync.
  await m.cmd("FUNCTION", "LOAD", noWritesLibrary("two", "f2", "return 2"));
  await waitFor("the second library", async () => {
    const libraries = await r.cmd("FUNCTION", "LIST") as unknown[];
    return libraries.length === 2 ? true : undefined;
  });
  equal(await r.cmd("FCALL", "f2", 0), 2);
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});

Deno.test("an idle replica's output is the backlog's: nothing in mem_clients_slaves, nothing left out of eviction", async () => {
  await using master = startServer();
  await using replica = startServer();
  using m = await RespClient.connect(master.port);
  using r = await linkedPair(master, replica);
  equal(await m.cmd("SET", "k", "v"), "OK");
  // As redis-server 7.0.15 with a caught-up replica: the buffer is the backlog's, in used_memory.
  await waitFor("the replica's output to drain", async () => {
    const memory = await infoSection(m, "memory");
    return memory.mem_clients_slaves === "0" ? memory : undefined;
  });
  const memory = await infoSection(m, "memory");
  equal(memory.mem_not_counted_for_evict, "0");
  equal(memory.mem_replication_backlog, memory.mem_total_replication_buffers);
  equal(Number(memory.mem_total_replication_buffers) > 0, true);
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});
