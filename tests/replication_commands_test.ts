/**
 * The replication commands' replies and refusals, as Redis 7.0 gives them
 * (checked against redis-server 7.0.15): ROLE, REPLCONF and REPLICAOF
 * errors, WAIT without replicas, min-replicas-to-write, and a replica's
 * READONLY and MASTERDOWN refusals.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient, startServer, within } from "./helpers.ts";
import { freePort, startPersistent, tempDir } from "./persistence_helpers.ts";
import { waitFor } from "./replication_helpers.ts";

/** A master (DEBUG allowed, no diskless delay) and a replica whose link is up, a client on each. */
async function linkedPair() {
  const master = startServer({ "enable-debug-command": "yes", "repl-diskless-sync-delay": "0" });
  const replica = startServer();
  const m = await RespClient.connect(master.port);
  const r = await RespClient.connect(replica.port);
  equal(await r.cmd("REPLICAOF", "127.0.0.1", master.port), "OK");
  await waitFor(
    "the link",
    async () => String(await r.cmd("INFO")).includes("link_status:up") || undefined,
  );
  return {
    m,
    r,
    async [Symbol.asyncDispose]() {
      m[Symbol.dispose]();
      r[Symbol.dispose]();
      await replica.close();
      await master.close();
    },
  };
}

Deno.test("ROLE, REPLCONF, REPLICAOF and WAIT on a master without replicas", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("ROLE"), ["master", 0, []]);
  deepEqual(await c.cmd("REPLCONF", "foo", "bar"), {
    error: "ERR Unrecognized REPLCONF option: foo",
  });
  deepEqual(await c.cmd("REPLCONF", "x"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("REPLCONF", "listening-port", "abc"), {
    error: "ERR value is not an integer or out of range",
  });
  equal(await c.cmd("REPLCONF", "listening-port", "7000", "capa", "eof"), "OK");
  deepEqual(await c.cmd("REPLICAOF", "localhost", "x"), { error: "ERR Invalid master port" });
  deepEqual(await c.cmd("REPLICAOF", "localhost", "70000"), { error: "ERR Invalid master port" });
  equal(await c.cmd("WAIT", 0, 0), 0);
  equal(await c.cmd("WAIT", 1, 50), 0);
  deepEqual(await c.cmd("WAIT", "x", 0), { error: "ERR value is not an integer or out of range" });
  deepEqual(await c.cmd("WAIT", 1, -1), { error: "ERR timeout is negative" });
  deepEqual(await c.cmd("WAIT", 1, "x"), {
    error: "ERR timeout is not an integer or out of range",
  });
  equal(await c.cmd("REPLICAOF", "NO", "ONE"), "OK");
});

Deno.test("min-replicas-to-write refuses writes without enough good replicas", async () => {
  await using srv = startServer({ "min-replicas-to-write": "1" });
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", "a", "b"), {
    error: "NOREPLICAS Not enough good replicas to write.",
  });
  equal(await c.cmd("GET", "a"), null);
  equal(await c.cmd("CONFIG", "SET", "min-replicas-to-write", "0"), "OK");
  equal(await c.cmd("SET", "a", "b"), "OK");
});

Deno.test("a replica refuses writes, and everything but stale commands while its link is down", async () => {
  await using srv = startServer({ "replica-serve-stale-data": "no" });
  using c = await RespClient.connect(srv.port);
  const port = freePort();
  equal(await c.cmd("REPLICAOF", "127.0.0.1", port), "OK");
  const masterDown =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  deepEqual(await c.cmd("GET", "a"), { error: masterDown });
  deepEqual(await c.cmd("PING"), { error: masterDown });
  deepEqual(await c.cmd("SET", "a", "b"), {
    error: "READONLY You can't write against a read only replica.",
  });
  equal(typeof await c.cmd("INFO", "replication"), "string");
  equal(await c.cmd("CONFIG", "SET", "replica-serve-stale-data", "yes"), "OK");
  equal(await c.cmd("GET", "a"), null);
  deepEqual(await c.cmd("WAIT", 1, 0), {
    error:
      "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
  });
  const role = (await c.cmd("ROLE")) as unknown[];
  deepEqual(role.slice(0, 3), ["slave", "127.0.0.1", port]);
  deepEqual(await c.cmd("CONFIG", "GET", "replicaof"), ["replicaof", `127.0.0.1 ${port}`]);
  equal(await c.cmd("REPLICAOF", "NO", "ONE"), "OK");
  equal(await c.cmd("SET", "a", "b"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "replicaof"), ["replicaof", ""]);
});

Deno.test("masterauth set after REPLICAOF is used by the next attempt, as in Redis", async () => {
  await using master = startServer({ requirepass: "abc\x00def" });
  await using replica = startServer();
  using r = await RespClient.connect(replica.port);
  equal(await r.cmd("REPLICAOF", "127.0.0.1", String(master.port)), "OK");
  equal(await r.cmd("CONFIG", "SET", "masterauth", "abc\x00def"), "OK");
  await waitFor("the link to come up", async () => {
    const info = await r.cmd("INFO", "replication") as string;
    return info.includes("master_link_status:up") || undefined;
  });
  equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
});

Deno.test("becoming a replica ends blocked clients' waits with UNBLOCKED and closes them", async () => {
  await using master = startServer({ "repl-diskless-sync-delay": "0" });
  await using replica = startServer();
  using blocked = await RespClient.connect(replica.port);
  using admin = await RespClient.connect(replica.port);
  await blocked.send("BLPOP", "foo", "0");
  await waitFor("the client to block", async () => {
    const info = String(await admin.cmd("INFO", "clients"));
    return info.includes("blocked_clients:1") || undefined;
  });
  equal(await admin.cmd("REPLICAOF", "127.0.0.1", master.port), "OK");
  // Redis's text (disconnectAllBlockedClients), then the connection closes.
  deepEqual(await within(blocked.read()), {
    type: "error",
    value: "UNBLOCKED force unblock from blocking operation, instance state changed " +
      "(master -> replica?)",
  });
  equal(await blocked.reader.closedWithin(2000), true);
  // Had it stayed blocked, it would pop the replica's copy of what the master pushes.
  using m = await RespClient.connect(master.port);
  equal(await m.cmd("RPUSH", "foo", "a", "b", "c"), 3);
  await waitFor("the list on the replica", async () => {
    const items = await admin.cmd("LRANGE", "foo", "0", "-1");
    return JSON.stringify(items) === '["a","b","c"]' || undefined;
  });
});

Deno.test("a writable replica expires the keys its own clients gave a TTL, not its master's", async () => {
  await using pair = await linkedPair();
  const { m, r } = pair;
  equal(await r.cmd("CONFIG", "SET", "replica-read-only", "no"), "OK");
  // The master's key with a passed TTL stays until the master's DEL (its expiry is off).
  equal(await m.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
  equal(await m.cmd("SET", "from-master", "v", "PX", "1"), "OK");
  await waitFor("the master's key", async () => await r.cmd("DBSIZE") === 1 || undefined);
  equal(await r.cmd("SELECT", "5"), "OK");
  for (const key of ["key1", "key2", "key3"]) {
    equal(await r.cmd("SET", key, "1", "PX", "300"), "OK");
  }
  const tracked = /slave_expires_tracked_keys:(\d+)/.exec(String(await r.cmd("INFO", "stats")));
  equal(tracked?.[1], "3");
  await waitFor(
    "the replica's own keys to expire",
    async () => await r.cmd("DBSIZE") === 0 || undefined,
  );
  const stats = String(await r.cmd("INFO", "stats"));
  equal(/expired_keys:(\d+)/.exec(stats)?.[1], "3");
  equal(await r.cmd("SELECT", "0"), "OK");
  equal(await r.cmd("DBSIZE"), 1);
  equal(await r.cmd("EXISTS", "from-master"), 0);
});

Deno.test("CONFIG RESETSTAT zeroes sync_full, sync_partial_ok and sync_partial_err", async () => {
  await using pair = await linkedPair();
  const { m } = pair;
  const syncs = async () =>
    [...String(await m.cmd("INFO", "stats")).matchAll(/^(sync_\w+):(\d+)/gm)]
      .map(([, name, count]) => `${name}=${count}`);
  // The replica's first PSYNC asks for an ID the master never had: a full sync and an error.
  deepEqual(await syncs(), ["sync_full=1", "sync_partial_ok=0", "sync_partial_err=1"]);
  equal(await m.cmd("CONFIG", "RESETSTAT"), "OK");
  deepEqual(await syncs(), ["sync_full=0", "sync_partial_ok=0", "sync_partial_err=0"]);
});

Deno.test("a replica restarted from its own RDB continues with a partial resync, in the stream's database", async () => {
  using dir = tempDir();
  await using master = startServer({ "repl-diskless-sync-delay": "0" });
  using m = await RespClient.connect(master.port);
  const field = (info: unknown, name: string) =>
    new RegExp(`${name}:(\\S+)`).exec(String(info))?.[1];
  const masterStat = async (name: string) => field(await m.cmd("INFO", "stats"), name);
  const params = { dir: dir.path, replicaof: `127.0.0.1 ${master.port}` };
  const first = await startPersistent(params);
  const port = first.port;
  {
    using r = await RespClient.connect(port);
    await waitFor(
      "the link",
      async () => field(await r.cmd("INFO"), "master_link_status") === "up" || undefined,
    );
    equal(await m.cmd("SELECT", "3"), "OK");
    equal(await m.cmd("SET", "x", "1"), "OK");
    const offset = field(await m.cmd("INFO", "replication"), "master_repl_offset");
    await waitFor("the replica's offset", async () => {
      return field(await r.cmd("INFO", "replication"), "master_repl_offset") === offset ||
        undefined;
    });
    equal(await r.cmd("SAVE"), "OK");
  }
  await first.close();
  // Written while the replica is down: the stream stays in database 3, with no SELECT.
  equal(await m.cmd("SET", "y", "2"), "OK");
  await using again = await startPersistent({ ...params, port: String(port) });
  await waitFor("the replica to continue", async () => {
    return await masterStat("sync_partial_ok") === "1" || undefined;
  });
  equal(await masterStat("sync_full"), "1");
  equal(await m.cmd("SET", "z", "3"), "OK");
  using r = await RespClient.connect(again.port);
  equal(await r.cmd("SELECT", "3"), "OK");
  await waitFor("z on the replica", async () => await r.cmd("EXISTS", "z") === 1 || undefined);
  deepEqual((await r.cmd("KEYS", "*") as string[]).sort(), ["x", "y", "z"]);
  equal(await r.cmd("SELECT", "0"), "OK");
  equal(await r.cmd("DBSIZE"), 0);
});

Deno.test("a replica counts the errors it answers its master's stream with; DEBUG REPLICATE feeds it", async () => {
  await using pair = await linkedPair();
  const { m, r } = pair;
  const errors = async () =>
    [...String(await r.cmd("INFO", "stats")).matchAll(/^(\w+_error_replies):(\d+)/gm)]
      .map(([, name, count]) => `${name}=${count}`);
  const caughtUp = async () => {
    equal(await m.cmd("WAIT", 1, 2000), 1);
  };
  // Redis 7.0.15 in the same steps: unexpected_error_replies 2, total_error_replies 2.
  equal(await m.cmd("DEBUG", "REPLICATE", "fake-command-1"), "OK");
  equal(await m.cmd("SET", "foo", "bar2"), "OK");
  await caughtUp();
  equal(await r.cmd("GET", "foo"), "bar2");
  deepEqual(await errors(), ["unexpected_error_replies=1", "total_error_replies=1"]);
  equal(await r.cmd("CONFIG", "SET", "replica-read-only", "no"), "OK");
  equal(await r.cmd("SET", "number2", "foo"), "OK");
  equal(await m.cmd("INCRBY", "number2", "1"), 1);
  await caughtUp();
  equal(await r.cmd("GET", "number2"), "foo");
  deepEqual(await errors(), ["unexpected_error_replies=2", "total_error_replies=2"]);
});

Deno.test("a master restarted from its own RDB resumes its history: its replica continues", async () => {
  using dir = tempDir();
  const params = { dir: dir.path, "repl-diskless-sync-delay": "0" };
  await using replica = startServer();
  using r = await RespClient.connect(replica.port);
  const field = (info: unknown, name: string) =>
    new RegExp(`${name}:(\\S+)`).exec(String(info))?.[1];
  const linkUp = async () => field(await r.cmd("INFO"), "master_link_status") === "up" || undefined;
  const first = await startPersistent(params);
  const port = first.port;
  let replid: string | undefined, offset: number;
  {
    using m = await RespClient.connect(port);
    equal(await r.cmd("REPLICAOF", "127.0.0.1", port), "OK");
    await waitFor("the link", linkUp);
    equal(await m.cmd("SET", "k", "v"), "OK");
    equal(await m.cmd("SET", "gone", "v", "PX", "200"), "OK");
    const info = await m.cmd("INFO", "replication");
    replid = field(info, "master_replid");
    offset = Number(field(info, "master_repl_offset"));
    await waitFor("the replica's offset", async () => {
      const replicaOffset = Number(field(await r.cmd("INFO", "replication"), "master_repl_offset"));
      return replicaOffset === offset || undefined;
    });
    equal(await m.cmd("SAVE"), "OK");
  }
  await first.close();
  // "gone" expires while the master is down: the restart drops it and tells the replica.
  await new Promise((resolve) => setTimeout(resolve, 250));
  await using again = await startPersistent({ ...params, port: String(port) });
  using m = await RespClient.connect(again.port);
  const info = await m.cmd("INFO", "replication");
  equal(field(info, "master_replid2"), replid);
  equal(field(info, "second_repl_offset"), String(offset + 1));
  ok(Number(field(info, "master_repl_offset")) > offset);
  await waitFor("the replica to continue", async () => {
    const stats = await m.cmd("INFO", "stats");
    return field(stats, "sync_partial_ok") === "1" || undefined;
  });
  equal(field(await m.cmd("INFO", "stats"), "sync_full"), "0");
  await waitFor("the DEL on the replica", async () => await r.cmd("DBSIZE") === 1 || undefined);
  equal(await r.cmd("GET", "k"), "v");
});
