/**
 * Connection and server commands end to end: CLIENT, HELLO/AUTH/RESET,
 * SELECT/SWAPDB/FLUSH*, INFO, CONFIG, COMMAND, TIME, DEBUG, and `serve` with
 * a redis.conf file and flags.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { blockingKey } from "../server/blocking.ts";
import type { Client } from "../server/client.ts";
import type { RedisServer } from "../server/server.ts";
import { expectReplies, infoFields, RespClient, ROOT, startServer } from "./helpers.ts";

/** INFO text as field → value. */
function sectionTitles(text: unknown): string[] {
  return String(text).split("\r\n").filter((l) => l.startsWith("# "));
}

async function serverClient(server: RedisServer, c: RespClient): Promise<Client> {
  return server.clients.get(await c.cmd("CLIENT", "ID") as number)!;
}

/** Blocks `client` on `key` of db 0 the way BLPOP does, replying "served" once the key exists. */
function blockOn(server: RedisServer, client: Client, key: string): void {
  server.blocking.block(client, {
    keys: [blockingKey(0, key)],
    deadline: 0,
    tryServe() {
      if (!client.db.has(key)) return false;
      client.out.bulk("served");
      return true;
    },
    onTimeout() {
      client.out.nilArray();
    },
  });
}

Deno.test("PING, ECHO, QUIT", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("PING"), "PONG");
  equal(await c.cmd("PING", "hi"), "hi");
  deepEqual(await c.cmd("PING", "a", "b"), {
    error: "ERR wrong number of arguments for 'ping' command",
  });
  equal(await c.cmd("ECHO", "\x00\xff"), "\x00\xff");
  equal(await c.cmd("QUIT"), "OK");
  ok(await c.reader.closedWithin(2000));
});

Deno.test("a client's repeated command and subcommand names resolve anew when either changes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SET", "k", "12"), "OK");
  // Each line repeats or changes the name or subcommand of the one before (dispatch caches both).
  equal(await c.cmd("OBJECT", "ENCODING", "k"), "int");
  equal(await c.cmd("OBJECT", "ENCODING", "k"), "int");
  equal(await c.cmd("OBJECT", "REFCOUNT", "k"), 2147483647);
  equal(await c.cmd("OBJECT", "encoding", "k"), "int");
  deepEqual(await c.cmd("OBJECT"), {
    error: "ERR wrong number of arguments for 'object' command",
  });
  deepEqual(await c.cmd("OBJECT", "NOPE", "k"), {
    error: "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.",
  });
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory"), ["maxmemory", "0"]);
  deepEqual(await c.cmd("CONFIG", "ENCODING", "k"), {
    error: "ERR unknown subcommand 'ENCODING'. Try CONFIG HELP.",
  });
  deepEqual(await c.cmd("GET", "ENCODING"), null);
  equal(await c.cmd("GET", "k"), "12");
});

Deno.test("SELECT, DBSIZE, SWAPDB, FLUSHDB, FLUSHALL", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SELECT", "16"), { error: "ERR DB index is out of range" });
  deepEqual(await c.cmd("SELECT", "x"), { error: "ERR value is not an integer or out of range" });
  await c.cmd("SET", "a", "0");
  equal(await c.cmd("SELECT", "15"), "OK");
  await c.cmd("SET", "b", "15");
  await c.cmd("SET", "c", "15");
  equal(await c.cmd("DBSIZE"), 2);
  equal(await c.cmd("SWAPDB", "0", "15"), "OK");
  // The client stays on db 15, which now holds db 0's keys.
  equal(await c.cmd("DBSIZE"), 1);
  equal(await c.cmd("GET", "a"), "0");
  deepEqual(await c.cmd("SWAPDB", "x", "1"), { error: "ERR invalid first DB index" });
  deepEqual(await c.cmd("SWAPDB", "1", "x"), { error: "ERR invalid second DB index" });
  deepEqual(await c.cmd("SWAPDB", "0", "16"), { error: "ERR DB index is out of range" });
  equal(await c.cmd("FLUSHDB", "async"), "OK");
  equal(await c.cmd("DBSIZE"), 0);
  equal(await c.cmd("SELECT", "0"), "OK");
  equal(await c.cmd("DBSIZE"), 2);
  deepEqual(await c.cmd("FLUSHALL", "LATER"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("FLUSHDB", "SYNC", "x"), { error: "ERR syntax error" });
  equal(await c.cmd("FLUSHALL", "SYNC"), "OK");
  equal(await c.cmd("DBSIZE"), 0);
});

// Replies of redis-server 7.0.15: an index is read as a C int first (getIntFromObjectOrReply), so
// one past int's range is "must between", not "DB index is out of range"; SWAPDB says which index.
Deno.test("SELECT and SWAPDB with an index outside a C int answer Redis's texts", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const int32 = "ERR value is out of range, value must between -2147483648 and 2147483647";
  const notInt = "ERR value is not an integer or out of range";
  const range = "ERR DB index is out of range";
  await expectReplies(c, [
    [["SELECT", "2147483648"], { error: int32 }],
    [["SELECT", "-2147483649"], { error: int32 }],
    [["SELECT", "9223372036854775807"], { error: int32 }],
    [["SELECT", "9223372036854775808"], { error: notInt }],
    [["SELECT", "99999999999999999999"], { error: notInt }],
    [["SELECT", "2147483647"], { error: range }],
    [["SELECT", "-1"], { error: range }],
    [["SWAPDB", "0", "2147483648"], { error: "ERR invalid second DB index" }],
    [["SWAPDB", "-2147483649", "0"], { error: "ERR invalid first DB index" }],
    [["SWAPDB", "0", "99999999999999999999"], { error: "ERR invalid second DB index" }],
    [["SWAPDB", "2147483648", "x"], { error: "ERR invalid first DB index" }],
    [["SWAPDB", "0", "-1"], { error: range }],
    [["SWAPDB", "2147483647", "0"], { error: range }],
  ]);
});

Deno.test("FLUSHDB, FLUSHALL and SWAPDB fail the EXEC of clients watching their keys", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  for (const flush of [["FLUSHDB"], ["FLUSHALL"], ["SWAPDB", "0", "1"]]) {
    await c.cmd("SET", "w", "1");
    equal(await c.cmd("WATCH", "w"), "OK");
    equal(await other.cmd(...flush), "OK");
    equal(await c.cmd("MULTI"), "OK");
    equal(await c.cmd("PING"), "QUEUED");
    equal(await c.cmd("EXEC"), null, `${flush[0]} must abort the transaction`);
    await c.cmd("FLUSHALL");
  }
  // A watched key that did not exist is not touched by a flush.
  equal(await c.cmd("WATCH", "absent"), "OK");
  equal(await other.cmd("FLUSHDB"), "OK");
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("PING"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["PONG"]);
});

Deno.test("SWAPDB wakes a client blocked on a key that now exists", async () => {
  await using srv = startServer();
  using blocked = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  blockOn(srv.server, await serverClient(srv.server, blocked), "list");
  equal(await c.cmd("SELECT", "1"), "OK");
  equal(await c.cmd("SET", "list", "x"), "OK");
  equal(await c.cmd("SWAPDB", "0", "1"), "OK");
  deepEqual(await blocked.read(), { type: "bulk", value: "served" });
});

Deno.test("CLIENT ID, SETNAME, GETNAME, SETINFO, INFO, LIST", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const id = await c.cmd("CLIENT", "ID") as number;
  ok(Number.isInteger(id) && id > 0);
  equal(await c.cmd("CLIENT", "GETNAME"), null);
  equal(await c.cmd("CLIENT", "SETNAME", "worker-1"), "OK");
  equal(await c.cmd("CLIENT", "GETNAME"), "worker-1");
  deepEqual(await c.cmd("CLIENT", "SETNAME", "has space"), {
    error: "ERR Client names cannot contain spaces, newlines or special characters.",
  });
  equal(await c.cmd("CLIENT", "SETINFO", "LIB-NAME", "redis-py"), "OK");
  equal(await c.cmd("CLIENT", "SETINFO", "lib-ver", "5.0.1"), "OK");
  deepEqual(await c.cmd("CLIENT", "SETINFO", "lib-other", "x"), {
    error: "ERR Unrecognized option 'lib-other'",
  });
  deepEqual(await c.cmd("CLIENT", "SETINFO", "LIB-NAME", "a b"), {
    error: "ERR LIB-NAME cannot contain spaces, newlines or special characters.",
  });
  const info = await c.cmd("CLIENT", "INFO") as string;
  match(
    info,
    new RegExp(
      `^id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${srv.port} fd=\\d+ name=worker-1 ` +
        "age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 .* cmd=client\\|info " +
        "user=default redir=-1 resp=2 lib-name=redis-py lib-ver=5\\.0\\.1\\n$",
    ),
  );
  using other = await RespClient.connect(srv.port);
  await other.cmd("SELECT", "3");
  const list = (await c.cmd("CLIENT", "LIST") as string).trimEnd().split("\n");
  equal(list.length, 2);
  ok(list.some((line) => line.includes(" db=3 ") && line.includes(" cmd=select ")));
  const otherId = await other.cmd("CLIENT", "ID");
  match(await c.cmd("CLIENT", "LIST", "ID", String(otherId), "999999") as string, /^id=\d+ .*\n$/);
  equal(await c.cmd("CLIENT", "LIST", "TYPE", "pubsub"), "");
  deepEqual(await c.cmd("CLIENT", "LIST", "TYPE", "bogus"), {
    error: "ERR Unknown client type 'bogus'",
  });
  deepEqual(await c.cmd("CLIENT", "LIST", "ID", "x"), { error: "ERR Invalid client ID" });
  deepEqual(await c.cmd("CLIENT", "nosuch"), {
    error: "ERR unknown subcommand 'nosuch'. Try CLIENT HELP.",
  });
  const help = await c.cmd("CLIENT", "HELP") as string[];
  equal(help[0], "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  equal(help.at(-1), "    Prints this help.");
});

Deno.test("CLIENT KILL by ID, by address, old form, SKIPME", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using victim = await RespClient.connect(srv.port);
  const victimId = await victim.cmd("CLIENT", "ID");
  equal(await c.cmd("CLIENT", "KILL", "ID", String(victimId)), 1);
  ok(await victim.reader.closedWithin(2000));
  deepEqual(await c.cmd("CLIENT", "KILL", "ID", "0"), {
    error: "ERR client-id should be greater than 0",
  });
  deepEqual(await c.cmd("CLIENT", "KILL", "1.2.3.4:5"), { error: "ERR No such client" });

  using second = await RespClient.connect(srv.port);
  await second.cmd("PING");
  const line = (await c.cmd("CLIENT", "LIST") as string).split("\n")
    .find((l) => l.includes(" cmd=ping "))!;
  const addr = /addr=(\S+)/.exec(line)![1]!;
  equal(await c.cmd("CLIENT", "KILL", addr), "OK");
  ok(await second.reader.closedWithin(2000));

  // The new form skips the caller unless SKIPME no.
  const own = /addr=(\S+)/.exec(await c.cmd("CLIENT", "INFO") as string)![1]!;
  equal(await c.cmd("CLIENT", "KILL", "ADDR", own), 0);
  equal(await c.cmd("CLIENT", "KILL", "ADDR", own, "SKIPME", "no"), 1);
  ok(await c.reader.closedWithin(2000));
});

Deno.test("CLIENT REPLY OFF, SKIP and ON", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.send("CLIENT", "REPLY", "OFF");
  await c.send("SET", "k", "silent");
  equal(await c.cmd("CLIENT", "REPLY", "ON"), "OK");
  equal(await c.cmd("GET", "k"), "silent");
  await c.send("CLIENT", "REPLY", "SKIP");
  await c.send("ECHO", "skipped");
  equal(await c.cmd("ECHO", "answered"), "answered");
  deepEqual(await c.cmd("CLIENT", "REPLY", "MAYBE"), { error: "ERR syntax error" });
});

Deno.test("CLIENT NO-EVICT and UNBLOCK", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CLIENT", "NO-EVICT", "on"), "OK");
  match(await c.cmd("CLIENT", "INFO") as string, / flags=e /);
  deepEqual(await c.cmd("CLIENT", "NO-EVICT", "maybe"), { error: "ERR syntax error" });

  using blocked = await RespClient.connect(srv.port);
  const blockedId = String(await blocked.cmd("CLIENT", "ID"));
  blockOn(srv.server, await serverClient(srv.server, blocked), "never");
  match(await c.cmd("CLIENT", "LIST", "ID", blockedId) as string, / flags=b /);
  equal(await c.cmd("CLIENT", "UNBLOCK", blockedId), 1);
  deepEqual(await blocked.read(), { type: "nullArray" });
  equal(await c.cmd("CLIENT", "UNBLOCK", blockedId), 0);

  blockOn(srv.server, await serverClient(srv.server, blocked), "never");
  equal(await c.cmd("CLIENT", "UNBLOCK", blockedId, "ERROR"), 1);
  deepEqual(await blocked.read(), {
    type: "error",
    value: "UNBLOCKED client unblocked via CLIENT UNBLOCK",
  });
  deepEqual(await c.cmd("CLIENT", "UNBLOCK", blockedId, "LATER"), {
    error: "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
  });
});

Deno.test("AUTH without requirepass, and with it", async () => {
  {
    await using srv = startServer();
    using c = await RespClient.connect(srv.port);
    deepEqual(await c.cmd("AUTH", "x"), {
      error:
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    });
    // The default user has no password: any password for it is accepted.
    equal(await c.cmd("AUTH", "default", "anything"), "OK");
    deepEqual(await c.cmd("AUTH", "bob", "x"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
  }
  await using srv = startServer({ requirepass: "s3cret" });
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("GET", "k"), { error: "NOAUTH Authentication required." });
  deepEqual(await c.cmd("nosuch"), {
    error: "ERR unknown command 'nosuch', with args beginning with: ",
  });
  deepEqual(await c.cmd("HELLO", "3"), {
    error:
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
  });
  deepEqual(await c.cmd("AUTH", "wrong"), {
    error: "WRONGPASS invalid username-password pair or user is disabled.",
  });
  equal(await c.cmd("AUTH", "s3cret"), "OK");
  equal(await c.cmd("GET", "k"), null);
  equal(await c.cmd("RESET"), "RESET");
  deepEqual(await c.cmd("GET", "k"), { error: "NOAUTH Authentication required." });
  const hello = await c.cmd("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me");
  ok(hello instanceof Map && hello.get("proto") === 3);
  equal(await c.cmd("CLIENT", "GETNAME"), "me");
});

Deno.test("RESET restores a fresh connection's state", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HELLO", "3", "SETNAME", "named");
  await c.cmd("SELECT", "2");
  await c.cmd("MULTI");
  equal(await c.cmd("RESET"), "RESET");
  equal(await c.cmd("CLIENT", "GETNAME"), null);
  match(await c.cmd("CLIENT", "INFO") as string, / flags=N db=0 .* resp=2 /);
});

Deno.test("INFO: default, named and all sections, in Redis's order", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "k", "v");
  await c.cmd("SET", "t", "v");
  await c.cmd("PEXPIRE", "t", "100000");
  const all = await c.cmd("INFO");
  deepEqual(sectionTitles(all).filter((t) => t !== "# Persistence"), [
    "# Server",
    "# Clients",
    "# Memory",
    "# Stats",
    "# Replication",
    "# CPU",
    "# Modules",
    "# Errorstats",
    "# Cluster",
    "# Keyspace",
  ]);
  const fields = infoFields(all);
  equal(fields.get("redis_mode"), "standalone");
  equal(fields.get("tcp_port"), String(srv.port));
  equal(fields.get("connected_clients"), "1");
  ok(Number(fields.get("used_memory")) > 0);
  ok(Number(fields.get("used_memory_rss")) >= Number(fields.get("used_memory")) / 4);
  equal(fields.get("role"), "master");
  match(fields.get("db0")!, /^keys=2,expires=1,avg_ttl=\d+$/);

  deepEqual(sectionTitles(await c.cmd("INFO", "KEYSPACE", "server")), ["# Server", "# Keyspace"]);
  equal(await c.cmd("INFO", "nosuch"), "");
  const everything = sectionTitles(await c.cmd("INFO", "everything"));
  ok(everything.indexOf("# Commandstats") > everything.indexOf("# Modules"));
  ok(everything.indexOf("# Commandstats") < everything.indexOf("# Keyspace"));
  deepEqual(sectionTitles(await c.cmd("INFO", "all")), everything);
  deepEqual(sectionTitles(await c.cmd("INFO", "default")), sectionTitles(all));
});

Deno.test("INFO stats, commandstats, errorstats and CONFIG RESETSTAT", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  // Command statistics live in the shared command table: start from zero.
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  await c.cmd("GET", "missing");
  await c.cmd("GET");
  await c.cmd("nosuch");
  await c.cmd("CONFIG", "SET", "hz", "x");
  let fields = infoFields(await c.cmd("INFO", "stats", "commandstats", "errorstats"));
  equal(fields.get("keyspace_misses"), "1");
  match(
    fields.get("cmdstat_get")!,
    /^calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=1,failed_calls=0$/,
  );
  match(fields.get("cmdstat_config|set")!, /^calls=1,.*,rejected_calls=0,failed_calls=1$/);
  equal(fields.get("errorstat_ERR"), "count=3");
  equal(fields.get("total_error_replies"), "3");
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  fields = infoFields(await c.cmd("INFO", "stats", "commandstats", "errorstats"));
  equal(fields.get("keyspace_misses"), "0");
  equal(fields.get("total_error_replies"), "0");
  equal(fields.get("cmdstat_get"), undefined);
  equal(fields.get("errorstat_ERR"), undefined);
});

Deno.test("CONFIG GET with globs and several patterns", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory"), ["maxmemory", "0"]);
  deepEqual(await c.cmd("CONFIG", "GET", "MAXMEMORY"), ["MAXMEMORY", "0"]);
  deepEqual(await c.cmd("CONFIG", "GET", "nosuch"), []);
  const matched = await c.cmd("CONFIG", "GET", "*listpack-entries", "hz", "h?") as string[];
  deepEqual(
    new Map(matched.flatMap((v, i) => i % 2 === 0 ? [[v, matched[i + 1]]] : [])),
    new Map([
      ["hash-max-listpack-entries", "512"],
      ["zset-max-listpack-entries", "128"],
      ["hz", "10"],
    ]),
  );
  const everything = await c.cmd("CONFIG", "GET", "*") as string[];
  const names = everything.filter((_, i) => i % 2 === 0);
  for (
    const name of [
      "save",
      "appendonly",
      "appendfsync",
      "dir",
      "dbfilename",
      "rdbcompression",
      "rdbchecksum",
      "appenddirname",
      "appendfilename",
      "auto-aof-rewrite-percentage",
      "auto-aof-rewrite-min-size",
      "aof-load-truncated",
      "aof-use-rdb-preamble",
      "stop-writes-on-bgsave-error",
      "list-max-listpack-size",
      "set-max-intset-entries",
      "lazyfree-lazy-user-del",
      "activerehashing",
      "latency-monitor-threshold",
      "slowlog-max-len",
      "io-threads",
      "protected-mode",
      "requirepass",
      "hash-max-ziplist-entries",
    ]
  ) ok(names.includes(name), name);
});

Deno.test("CONFIG SET: several pairs, atomic, with Redis's errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "ALLKEYS-LRU"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory*"), [
    "maxmemory",
    "1073741824",
    "maxmemory-policy",
    "allkeys-lru",
    "maxmemory-samples",
    "5",
    "maxmemory-eviction-tenacity",
    "10",
    "maxmemory-clients",
    "0",
  ]);
  deepEqual(await c.cmd("CONFIG", "SET", "timeout", "5", "hz", "abc"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
  });
  deepEqual(await c.cmd("CONFIG", "GET", "timeout"), ["timeout", "0"], "nothing was set");
  deepEqual(await c.cmd("CONFIG", "SET", "nosuch", "1"), {
    error: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "hz", "5", "hz", "6"), {
    error: "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "databases", "4"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "dir", "/tmp"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "timeout", "-1"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "appendonly", "maybe"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "save", "60"), {
    error: "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "hz"), {
    error: "ERR wrong number of arguments for 'config|set' command",
  });
  deepEqual(await c.cmd("CONFIG", "SET", "hz", "1", "timeout"), { error: "ERR syntax error" });
  equal(await c.cmd("CONFIG", "SET", "hz", "1000", "notify-keyspace-events", "EKA"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "hz", "notify-keyspace-events"), [
    "hz",
    "500",
    "notify-keyspace-events",
    "AKE",
  ]);
  equal(await c.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 30"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "client-output-buffer-limit"), [
    "client-output-buffer-limit",
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 30",
  ]);
});

Deno.test("CONFIG REWRITE writes the effective configuration back to the file", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("CONFIG", "REWRITE"), {
    error: "ERR The server is running without a config file",
  });
  const file = await Deno.makeTempFile({ suffix: ".conf" });
  try {
    await Deno.writeTextFile(
      file,
      "# my settings\nhz 20\nmaxmemory 1mb\nhz 30\nunknown-line stays\n",
    );
    srv.server.config.configFile = file;
    equal(await c.cmd("CONFIG", "SET", "hz", "15", "timeout", "7", "save", "900 1 300 10"), "OK");
    equal(await c.cmd("CONFIG", "REWRITE"), "OK");
    equal(
      await Deno.readTextFile(file),
      "# my settings\nhz 15\nmaxmemory 0\nunknown-line stays\n# Generated by CONFIG REWRITE\n" +
        "port 0\ntimeout 7\nsave 900 1 300 10\nuser default on nopass ~* &* +@all\n",
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("COMMAND COUNT, LIST, INFO in Redis 7's shapes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const count = await c.cmd("COMMAND", "COUNT") as number;
  equal((await c.cmd("COMMAND") as unknown[]).length, count);
  const list = await c.cmd("COMMAND", "LIST") as string[];
  ok(list.includes("get") && list.includes("config|get") && list.includes("client|kill"));
  deepEqual(await c.cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*"), [
    "config|get",
    "config|set",
    "config|resetstat",
    "config|rewrite",
    "config|help",
  ]);
  ok((await c.cmd("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection") as string[])
    .includes("ping"));
  deepEqual(await c.cmd("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), []);
  deepEqual(await c.cmd("COMMAND", "LIST", "FILTERBY", "SIZE", "x"), { error: "ERR syntax error" });
  deepEqual(await c.cmd("COMMAND", "INFO", "get", "nosuch"), [
    [
      "get",
      2,
      ["readonly", "fast"],
      1,
      1,
      1,
      ["@read", "@string", "@fast"],
      [],
      [
        new Map<string, unknown>([
          ["flags", ["RO", "access"]],
          [
            "begin_search",
            new Map<string, unknown>([["type", "index"], ["spec", new Map([["index", 1]])]]),
          ],
          [
            "find_keys",
            new Map<string, unknown>([
              ["type", "range"],
              ["spec", new Map([["lastkey", 0], ["keystep", 1], ["limit", 0]])],
            ]),
          ],
        ]),
      ].map(flattenMap),
      [],
    ],
    null,
  ]);
  deepEqual((await c.cmd("COMMAND", "INFO", "dbsize") as unknown[][])[0]![7], [
    "request_policy:all_shards",
    "response_policy:agg_sum",
  ]);
  const config = (await c.cmd("COMMAND", "INFO", "config") as unknown[][])[0]!;
  deepEqual(config.slice(0, 6), ["config", -2, [], 0, 0, 0]);
  ok((config[9]! as unknown[][]).some((sub) => sub[0] === "config|get" && sub[1] === -3));
  deepEqual((await c.cmd("COMMAND", "INFO", "config|get") as unknown[][])[0]!.slice(0, 3), [
    "config|get",
    -3,
    ["admin", "noscript", "loading", "stale"],
  ]);
});

/** RESP2 sends maps as flat arrays. */
function flattenMap(m: Map<string, unknown>): unknown[] {
  return [...m].flatMap(([k, v]) => [k, v instanceof Map ? flattenMap(v) : v]);
}

Deno.test("COMMAND DOCS generates arguments from each row's syntax", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HELLO", "3");
  const docs = await c.cmd("COMMAND", "DOCS", "set", "nosuch") as Map<string, Map<string, unknown>>;
  deepEqual([...docs.keys()], ["set"]);
  const set = docs.get("set")!;
  equal(set.get("group"), "string");
  equal(set.get("since"), "1.0.0");
  const args = set.get("arguments") as Map<string, unknown>[];
  deepEqual(
    args[0],
    new Map<string, unknown>([["name", "key"], ["type", "key"], ["key_spec_index", 0]]),
  );
  deepEqual(args[1], new Map([["name", "value"], ["type", "string"]]));
  deepEqual(
    args[2],
    new Map<string, unknown>([
      ["name", "nx_xx"],
      ["type", "oneof"],
      ["flags", ["optional"]],
      ["arguments", [
        new Map([["name", "nx"], ["type", "pure-token"], ["token", "NX"]]),
        new Map([["name", "xx"], ["type", "pure-token"], ["token", "XX"]]),
      ]],
    ]),
  );
  const expiration = args[4]!.get("arguments") as Map<string, unknown>[];
  deepEqual(expiration[0], new Map([["name", "seconds"], ["type", "integer"], ["token", "EX"]]));
  deepEqual(
    expiration[2],
    new Map([["name", "unix-time-seconds"], ["type", "unix-time"], ["token", "EXAT"]]),
  );
  const config = (await c.cmd("COMMAND", "DOCS", "config") as Map<string, Map<string, unknown>>)
    .get("config")!;
  const subcommands = config.get("subcommands") as Map<string, Map<string, unknown>>;
  deepEqual(
    (subcommands.get("config|get")!.get("arguments") as unknown[])[0],
    new Map<string, unknown>([
      ["name", "parameter"],
      ["type", "string"],
      ["flags", ["multiple"]],
    ]),
  );
});

Deno.test("COMMAND GETKEYS and its errors", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "set", "k", "v"), ["k"]);
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "del", "a", "b", "c"), ["a", "b", "c"]);
  deepEqual(await c.cmd("COMMAND", "GETKEYSANDFLAGS", "get", "k"), [["k", ["RO", "access"]]]);
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "nosuch", "x"), {
    error: "ERR Invalid command specified",
  });
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "ping", "x"), {
    error: "ERR The command has no key arguments",
  });
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "get", "a", "b"), {
    error: "ERR Invalid number of arguments specified for command",
  });
  deepEqual(await c.cmd("COMMAND", "GETKEYS", "get"), {
    error: "ERR wrong number of arguments for 'command|getkeys' command",
  });
});

Deno.test("TIME, DEBUG SLEEP, LOLWUT", async () => {
  await using srv = startServer({ "enable-debug-command": "yes" });
  using c = await RespClient.connect(srv.port);
  const [seconds, micros = ""] = await c.cmd("TIME") as string[];
  ok(Math.abs(Number(seconds) - Date.now() / 1000) < 60);
  ok(/^\d{1,6}$/.test(micros));
  equal(await c.cmd("DEBUG", "SLEEP", "0.01"), "OK");
  deepEqual(await c.cmd("DEBUG", "NOPE"), {
    error: "ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP.",
  });
  ok((await c.cmd("DEBUG", "HELP") as string[]).includes("SLEEP <seconds>"));
  match(await c.cmd("LOLWUT") as string, /^Redis ver\. \d+\.\d+\.\d+\n$/);
});

Deno.test("DEBUG is refused by default: enable-debug-command is no, as in Redis 7", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("DEBUG", "SLEEP", "0"), {
    error:
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  });
});

Deno.test("serve --config reads redis.conf; --name value... flags override it", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/redis.conf`;
  await Deno.writeTextFile(
    file,
    '# test\nport 0\nhz 20\nsave 900 1\nsave 300 10\nmaxmemory 2mb\nlogfile ""\nhash-max-ziplist-entries 64\n',
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "serve", file, "--timeout", "9", "--save", "60", "100"],
    // logfile "" logs to standard output, as in Redis.
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    let port: number | undefined;
    while (port === undefined) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`server exited: ${log}`);
      log += value;
      const m = /Listening on [\d.]+:(\d+)/.exec(log);
      if (m) port = Number(m[1]);
    }
    await reader.cancel();
    using c = await RespClient.connect(port);
    deepEqual(
      await c.cmd(
        "CONFIG",
        "GET",
        "hz",
        "timeout",
        "save",
        "maxmemory",
        "hash-max-listpack-entries",
      ),
      [
        "hz",
        "20",
        "timeout",
        "9",
        "save",
        "900 1 300 10 60 100",
        "maxmemory",
        "2097152",
        "hash-max-listpack-entries",
        "64",
      ],
    );
    equal(await c.cmd("CONFIG", "SET", "hz", "25"), "OK");
    equal(await c.cmd("CONFIG", "REWRITE"), "OK");
    match(await Deno.readTextFile(file), /^# test\nport 0\nhz 25\nsave 900 1 300 10 60 100\n/);
    match(infoFields(await c.cmd("INFO", "server")).get("config_file")!, /redis\.conf$/);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve rejects a bad redis.conf line with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.conf`, "hz many\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}main.ts`, "serve", "--config", `${dir}/bad.conf`],
      stdout: "null",
      stderr: "piped",
    }).output();
    equal(out.code, 2);
    equal(
      new TextDecoder().decode(out.stderr),
      "redis-home serve: bad config 'hz many': argument couldn't be parsed into an integer\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
