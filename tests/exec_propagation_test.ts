/**
 * What a transaction sends to the AOF and replicas, as Redis 7.0 does: one
 * write goes out bare, two or more inside MULTI ... EXEC; PUBLISH reaches
 * replicas (their subscribers hear it) and never the AOF. Checked against
 * redis-server 7.0.15's replication stream (Tcl unit/multi's propagation
 * tests).
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { recorder } from "./replication_helpers.ts";

Deno.test("EXEC with one write propagates it alone, without MULTI/EXEC", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  await c.cmd("SET", "foo", "bar");
  await c.cmd("GET", "foo");
  deepEqual(await c.cmd("EXEC"), ["OK", "bar"]);
  await c.cmd("SET", "foo2", "bar");
  deepEqual(aof, ["0:SET foo bar", "0:SET foo2 bar"]);
});

Deno.test("EXEC with two writes wraps them, MULTI in the first write's database", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  await c.cmd("SET", "a", "1");
  await c.cmd("SELECT", "2");
  await c.cmd("SET", "b", "2");
  await c.cmd("EXEC");
  deepEqual(aof, ["0:MULTI", "0:SET a 1", "2:SET b 2", "2:EXEC"]);
});

Deno.test("EXEC: a script's one write and SCRIPT LOAD/FLUSH beside a write go out bare", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  await c.cmd("EVAL", "redis.call('set', KEYS[1], 'bar')", 1, "bar");
  await c.cmd("EXEC");
  await c.cmd("MULTI");
  await c.cmd("SCRIPT", "LOAD", "return 1");
  await c.cmd("SCRIPT", "FLUSH");
  await c.cmd("SET", "foo", "bar");
  await c.cmd("EXEC");
  deepEqual(aof, ["0:set bar bar", "0:SET foo bar"]);
});

Deno.test("PUBLISH goes to replicas, not the AOF; alone in EXEC it is bare", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  const replicas = recorder(srv, "replicas");
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("PUBLISH", "ch", "hello"), 0);
  await c.cmd("MULTI");
  await c.cmd("PUBLISH", "bla", "bla");
  await c.cmd("EXEC");
  await c.cmd("MULTI");
  await c.cmd("PUBLISH", "x", "1");
  await c.cmd("SET", "k", "v");
  await c.cmd("EXEC");
  await c.cmd("EVAL", "redis.call('publish', 'y', '2') redis.call('set', 'k2', 'v')", 0);
  deepEqual(replicas, [
    "0:PUBLISH ch hello",
    "0:PUBLISH bla bla",
    "0:MULTI",
    "0:PUBLISH x 1",
    "0:SET k v",
    "0:EXEC",
    "0:MULTI",
    "0:publish y 2",
    "0:set k2 v",
    "0:EXEC",
  ]);
  // The AOF sees MULTI/EXEC around the one write it keeps, as Redis 7.0's appendonly file does.
  deepEqual(aof, ["0:MULTI", "0:SET k v", "0:EXEC", "0:MULTI", "0:set k2 v", "0:EXEC"]);
});

Deno.test("with no replica PUBLISH is not counted: EXEC's one other write goes out bare", async () => {
  await using srv = startServer();
  const aof = recorder(srv, "aof");
  // A replication stream with neither backlog nor replica records nothing (its `active`).
  srv.server.propagators.push({ target: "replicas", active: false, propagate: () => {} });
  using c = await RespClient.connect(srv.port);
  await c.cmd("MULTI");
  await c.cmd("PUBLISH", "x", "1");
  await c.cmd("SET", "k", "v");
  await c.cmd("EXEC");
  await c.cmd("EVAL", "redis.call('publish', 'y', '2') redis.call('set', 'k2', 'v')", 0);
  // redis-server 7.0.15 with appendonly and no replica: SET k v, set k2 v, both bare.
  deepEqual(aof, ["0:SET k v", "0:set k2 v"]);
});
