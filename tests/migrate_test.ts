/** MIGRATE into a real redis-server, its errors, and its keys for ACL and COMMAND GETKEYS. */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

/** Runs `scenario` with a client of redis-home and one of a redis-server target, `to` its address. */
async function withTarget(
  scenario: (c: RespClient, t: RespClient, to: string[]) => Promise<void>,
): Promise<void> {
  using dir = tempDir();
  const target = ChildServer.redis(dir.path);
  try {
    using t = await target.connect();
    await using server = startServer();
    using c = await RespClient.connect(server.port);
    await scenario(c, t, ["127.0.0.1", String(target.port)]);
  } finally {
    await target.stop();
  }
}

Deno.test("MIGRATE: keys move to redis-server with their TTL; COPY, REPLACE, KEYS, NOKEY and the errors as Redis", async () => {
  await withTarget(async (c, t, to) => {
    await c.cmd("SET", "a", "1");
    await c.cmd("RPUSH", "l", "x", "y");
    await c.cmd("SET", "t", "v", "PX", "100000");
    equal(await c.cmd("MIGRATE", ...to, "a", "0", "1000"), "OK");
    equal(await c.cmd("EXISTS", "a"), 0);
    equal(await t.cmd("GET", "a"), "1");
    equal(await c.cmd("MIGRATE", ...to, "a", "0", "1000"), "NOKEY");
    equal(await c.cmd("MIGRATE", ...to, "", "0", "1000", "COPY", "KEYS", "l", "t", "nope"), "OK");
    deepEqual(await t.cmd("LRANGE", "l", "0", "-1"), ["x", "y"]);
    const ttl = await t.cmd("PTTL", "t") as number;
    equal(ttl > 90000 && ttl <= 100000, true, `ttl ${ttl}`);
    deepEqual(await c.cmd("MIGRATE", ...to, "", "0", "1000", "KEYS", "l"), {
      error: "ERR Target instance replied with error: BUSYKEY Target key name already exists.",
    });
    deepEqual(await c.cmd("MIGRATE", ...to, "l", "99", "1000"), {
      error: "ERR Target instance replied with error: ERR DB index is out of range",
    });
    deepEqual(await c.cmd("MIGRATE", ...to, "x", "0", "1000", "KEYS", "l"), {
      error: "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
    });
    deepEqual(await c.cmd("MIGRATE", ...to, "l", "0", "1000", "AUTH"), {
      error: "ERR syntax error",
    });
    equal(await c.cmd("MIGRATE", ...to, "l", "0", "1000", "REPLACE"), "OK");
    deepEqual(await c.cmd("KEYS", "*"), ["t"]);
  });
});

Deno.test("MIGRATE: a closed port is an IOERR; keys for GETKEYS and ACL as Redis's migrateGetKeys", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("SET", "k", "v");
  const closed = startServer();
  const port = String(closed.port);
  await closed[Symbol.asyncDispose]();
  deepEqual(await c.cmd("MIGRATE", "127.0.0.1", port, "k", "0", "500"), {
    error: "IOERR error or timeout writing to target instance",
  });
  equal(await c.cmd("EXISTS", "k"), 1);
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k", "0", "5"), ["k"]);
  deepEqual(
    await c.cmd(
      "COMMAND",
      "GETKEYS",
      "MIGRATE",
      "h",
      "p",
      "",
      "0",
      "5",
      "AUTH2",
      "KEYS",
      "x",
      "KEYS",
      "a",
      "b",
    ),
    ["a", "b"],
  );
  await c.cmd("ACL", "SETUSER", "u", "on", "nopass", "+@all", "%R~read*", "%W~write*", "%RW~rw*");
  const dry = (...args: string[]) => c.cmd("ACL", "DRYRUN", "u", "MIGRATE", "w", "w", ...args);
  equal(await dry("rw", "0", "500"), "OK");
  equal(await dry("read", "0", "500"), "This user has no permissions to access the 'read' key");
  equal(await dry("", "0", "5000", "AUTH", "KEYS", "KEYS", "rw"), "OK");
  equal(
    await dry("", "0", "5000", "AUTH2", "USER", "KEYS", "KEYS", "write"),
    "This user has no permissions to access the 'write' key",
  );
});

Deno.test("MIGRATE: a key written by another client during the transfer is kept, not deleted", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  using other = await RespClient.connect(server.port);
  // A target that answers SELECT and RESTORE only when told to.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => answer = resolve);
  const target = (async () => {
    using conn = await listener.accept();
    await conn.read(new Uint8Array(65536));
    await answered;
    await conn.write(new TextEncoder().encode("+OK\r\n+OK\r\n+OK\r\n"));
  })();
  await c.cmd("SET", "k", "old");
  await c.cmd("SET", "j", "moved");
  const port = String((listener.addr as Deno.NetAddr).port);
  await c.send("MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "k", "j");
  equal(await other.cmd("SET", "k", "new"), "OK");
  answer();
  equal(await c.cmd(), "OK");
  equal(await other.cmd("GET", "k"), "new");
  equal(await other.cmd("EXISTS", "j"), 0);
  listener.close();
  await target;
});

Deno.test("MIGRATE keeps its connection to a target, SELECTs again only for another database, and reconnects once", async () => {
  await withTarget(async (c, t, to) => {
    const cached = async () =>
      (await c.cmd("INFO", "stats") as string).match(/migrate_cached_sockets:(\d+)/)![1];
    const selects = async () =>
      (await t.cmd("INFO", "commandstats") as string).match(/cmdstat_select:calls=(\d+)/)?.[1];
    equal(await cached(), "0");
    await c.cmd("MSET", "a", "1", "b", "2", "c", "3", "d", "4");
    equal(await c.cmd("MIGRATE", ...to, "a", "0", "1000"), "OK");
    equal(await cached(), "1");
    equal(await c.cmd("MIGRATE", ...to, "b", "0", "1000"), "OK");
    // One connection, one SELECT (the test's own client never SELECTs).
    equal(await selects(), "1");
    equal((await t.cmd("INFO", "clients") as string).match(/connected_clients:(\d+)/)![1], "2");
    equal(await c.cmd("MIGRATE", ...to, "c", "1", "1000"), "OK");
    equal(await selects(), "2");
    // The target drops every other client: the cached connection fails, and a new one serves.
    await t.cmd("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    equal(await c.cmd("MIGRATE", ...to, "d", "1", "1000"), "OK");
    equal(await cached(), "1");
    equal(await selects(), "3");
    await t.cmd("SELECT", "1");
    deepEqual(await t.cmd("MGET", "c", "d"), ["3", "4"]);
  });
});
