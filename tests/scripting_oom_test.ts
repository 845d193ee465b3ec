/**
 * The server-state rules scripts and functions run under: maxmemory
 * (processCommand with the script's declared flags, scriptPrepareForRun,
 * scriptVerifyOOM), too few replicas, a read-only or stale replica, CLIENT
 * PAUSE WRITE. Every
 * reply and statistic here was checked against redis-server 7.0.15.
 * `maxmemory 1` keeps used memory over the limit, as Redis's own tests do.
 */
import { deepEqual, equal } from "node:assert/strict";
import { expectReplies, RespClient, startServer } from "./helpers.ts";
import { infoSection, waitFor } from "./replication_helpers.ts";

const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };
const NOT_ALLOW_OOM = {
  error:
    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
};
const NOREPLICAS = { error: "NOREPLICAS Not enough good replicas to write." };
const READONLY = { error: "READONLY You can't write against a read only replica." };

/** The `name:` lines of an INFO section, sorted, timings left out. */
async function infoLines(c: RespClient, section: string, prefix: string): Promise<string[]> {
  return String(await c.cmd("INFO", section)).split("\r\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.replace(/usec=\d+,usec_per_call=[\d.]+,/, ""))
    .sort();
}

Deno.test("a script without flags: denyoom commands refused until its first write", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "x", "123");
  await c.cmd("CONFIG", "SET", "maxmemory", "1");
  await expectReplies(c, [
    [["EVAL", "redis.call('set','x',1) return 1", 1, "x"], {
      error:
        "OOM command not allowed when used memory > 'maxmemory'. script: e50389d7724274719d9b4e35a25d4cc4ca908c7a, on @user_script:1.",
    }],
    [["EVAL", "local t = redis.pcall('set','x','y') return t['err']", 1, "x"], OOM.error],
    [["EVAL", "return redis.pcall('set','x','y')", 1, "x"], OOM],
    [["EVAL", "return redis.call('get','x')", 1, "x"], "123"],
    [["EVAL_RO", "return redis.call('get','x')", 1, "x"], "123"],
    [["EVAL", "redis.call('get','x'); return redis.call('set','x','2')", 1, "x"], {
      error:
        "OOM command not allowed when used memory > 'maxmemory'. script: 7aadc02aefc735a09048118c85103c7b4743e730, on @user_script:1.",
    }],
    // DEL writes without growing memory: after it, SET may no longer be refused.
    [["EVAL", "redis.call('del','nokey'); return redis.call('set','x','3')", 1, "x"], "OK"],
    [["GET", "x"], "3"],
  ]);
});

Deno.test("declared flags: refused at the door unless allow-oom or no-writes", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "x", "123");
  const sha = await c.cmd("SCRIPT", "LOAD", "#!lua\nreturn 5");
  await c.cmd("CONFIG", "SET", "maxmemory", "1");
  await expectReplies(c, [
    [["EVAL", "#!lua flags=\nreturn 1", 0], OOM],
    [["EVAL", "#!lua\nreturn 1", 0], OOM],
    [["EVALSHA", sha as string, 0], OOM],
    // An unknown script keeps EVALSHA's own flags: it gets to say NOSCRIPT.
    [["EVALSHA", "0123456789012345678901234567890123456789", 0], {
      error: "NOSCRIPT No matching script. Please use EVAL.",
    }],
    // A shebang that does not parse keeps EVAL's flags too.
    [["EVAL", "#!lua flags=bogus\nreturn 1", 0], {
      error: "ERR Unexpected flag in script shebang: bogus",
    }],
    [["EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','4')", 1, "x"], "OK"],
    [["EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", 1, "x"], "4"],
    [["EVAL", "#!lua flags=no-writes\nreturn redis.call('set','x', 1)", 1, "x"], {
      error:
        "ERR Write commands are not allowed from read-only scripts. script: b09ee26f74dee108ed9ccc5a605bce35e8619cac, on @user_script:2.",
    }],
    [["EVAL_RO", "#!lua flags=no-writes\nreturn 6", 0], 6],
    [["MULTI"], "OK"],
    [["EVAL", "#!lua\nreturn 1", 0], OOM],
    [["EXEC"], { error: "EXECABORT Transaction discarded because of previous errors." }],
  ]);
});

Deno.test("functions: their flags decide as a shebang's do", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd(
    "FUNCTION",
    "LOAD",
    "#!lua name=lib\n" +
      "redis.register_function('w', function() return redis.call('set', 'x', '1') end)\n" +
      "redis.register_function{function_name='ao', callback=function() return redis.call('set', 'x', '7') end, flags={'allow-oom'}}\n" +
      "redis.register_function{function_name='nw', callback=function() return 'hello' end, flags={'no-writes'}}",
  );
  await c.cmd("CONFIG", "SET", "maxmemory", "1");
  await expectReplies(c, [
    [["FCALL", "w", 1, "x"], OOM],
    [["FCALL", "ao", 1, "x"], "OK"],
    [["FCALL", "nw", 1, "x"], "hello"],
    [["FCALL_RO", "nw", 1, "x"], "hello"],
    [["FCALL", "nope", 0], { error: "ERR Function not found" }],
    [["FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f', function() end)"], OOM],
  ]);
});

Deno.test("EXEC: a script loaded after it was queued is judged when it starts", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  const body = "#!lua\nreturn 1";
  const sha = "cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0";
  await expectReplies(a, [[["MULTI"], "OK"], [["EVALSHA", sha, 0], "QUEUED"]]);
  equal(await b.cmd("SCRIPT", "LOAD", body), sha);
  await b.cmd("CONFIG", "SET", "maxmemory", "1");
  deepEqual(await a.cmd("EXEC"), [NOT_ALLOW_OOM]);
  await b.cmd("CONFIG", "SET", "maxmemory", "0");
  await expectReplies(a, [[["MULTI"], "OK"], [["FCALL", "f1", 0], "QUEUED"]]);
  await b.cmd("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f1', function() end)");
  await b.cmd("CONFIG", "SET", "maxmemory", "1");
  deepEqual(await a.cmd("EXEC"), [NOT_ALLOW_OOM]);
});

Deno.test("EXEC refused out of memory ends the transaction", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  await expectReplies(a, [[["MULTI"], "OK"], [["SET", "k", "v"], "QUEUED"]]);
  await b.cmd("CONFIG", "SET", "maxmemory", "1");
  await expectReplies(a, [
    [["EXEC"], {
      error:
        "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
    }],
    // No transaction is left open: SET is refused as itself, not queued.
    [["SET", "k", "v"], OOM],
  ]);
  deepEqual(await infoLines(a, "commandstats", "cmdstat_exec"), [
    "cmdstat_exec:calls=0,rejected_calls=1,failed_calls=0",
  ]);
});

Deno.test("error statistics: a refused redis.call counts once, against the command", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("CONFIG", "SET", "maxmemory", "1");
  await c.cmd("EVAL", "return redis.call('set','x','y')", 1, "x");
  await c.cmd("EVAL", "local t = redis.pcall('set','x','y') return 1", 1, "x");
  await c.cmd("EVAL", "return redis.pcall('set','x','y')", 1, "x");
  await c.cmd("EVAL", "#!lua\nreturn 1", 0);
  deepEqual(await infoLines(c, "errorstats", "errorstat_"), ["errorstat_OOM:count=4"]);
  deepEqual(await infoLines(c, "commandstats", "cmdstat_"), [
    "cmdstat_config|set:calls=1,rejected_calls=0,failed_calls=0",
    "cmdstat_eval:calls=3,rejected_calls=1,failed_calls=2",
    "cmdstat_info:calls=1,rejected_calls=0,failed_calls=0",
    "cmdstat_set:calls=0,rejected_calls=3,failed_calls=0",
  ]);
  const total = String(await c.cmd("INFO", "stats")).match(/total_error_replies:(\d+)/)?.[1];
  equal(total, "4");
});

Deno.test("too few replicas: scripts that may write are refused", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "x", "v");
  await c.cmd("CONFIG", "SET", "min-replicas-to-write", "1");
  await expectReplies(c, [
    [["EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", 1, "x"], "v"],
    [["EVAL", "return redis.call('get','x')", 1, "x"], "v"],
    [["EVAL", "#!lua\nreturn redis.call('get','x')", 1, "x"], NOREPLICAS],
    [["EVAL", "return redis.call('set','x', 1)", 1, "x"], {
      error:
        "NOREPLICAS Not enough good replicas to write. script: edc6c778efe97d7b082a13bb199c772df244ec15, on @user_script:1.",
    }],
    [["EVAL", "return redis.pcall('set','x', 1)", 1, "x"], NOREPLICAS],
  ]);
});

Deno.test("a read-only and a stale replica: scripts as Redis judges them", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "x", "v");
  // Port 1 refuses connections: the link stays down.
  await c.cmd("REPLICAOF", "127.0.0.1", "1");
  await expectReplies(c, [
    [["EVAL", "#!lua\nreturn 1", 0], READONLY],
    [["EVAL", "#!lua flags=no-writes\nreturn 1", 0], 1],
    [["EVAL", "return redis.call('set','x', 1)", 1, "x"], {
      error:
        "READONLY You can't write against a read only replica. script: edc6c778efe97d7b082a13bb199c772df244ec15, on @user_script:1.",
    }],
    [["EVAL", "return redis.call('get','x')", 1, "x"], "v"],
    [["CONFIG", "SET", "replica-serve-stale-data", "no"], "OK"],
    [["EVAL", "return 1", 0], {
      error: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    }],
    [["EVAL", "#!lua flags=allow-stale,no-writes\nreturn redis.call('get','x')", 1, "x"], {
      error:
        "ERR Can not execute the command on a stale replica script: 8451e27ad085d38836051c42cc3d0a026c6c56a4, on @user_script:2.",
    }],
    [["EVAL", "#!lua flags=allow-stale,no-writes\nreturn redis.call('echo','x')", 0], "x"],
    [["EVAL", "#!lua flags=no-writes\nreturn 1", 0], {
      error: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    }],
    [["REPLICAOF", "NO", "ONE"], "OK"],
  ]);
});

Deno.test("CLIENT PAUSE WRITE holds scripts that may write, not no-writes ones", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  await a.cmd(
    "FUNCTION",
    "LOAD",
    "#!lua name=f1\nredis.register_function{function_name='f1', callback=function() return 'hello' end, flags={'no-writes'}}",
  );
  const sha = await a.cmd("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2");
  await a.cmd("CLIENT", "PAUSE", "100000", "WRITE");
  await expectReplies(b, [
    [["EVAL", "#!lua flags=no-writes\nreturn 'unique script'", 0], "unique script"],
    [["EVAL_RO", "return redis.call('get', 'x')", 1, "x"], null],
    [["EVALSHA", sha as string, 0], 2],
    [["FCALL", "f1", 0], "hello"],
  ]);
  // A script without flags may replicate: it waits for the pause to end.
  await b.send("EVAL", "return redis.call('incr', 'n')", "0");
  await waitFor("the script to be held", async () => {
    const info = await infoSection(a, "clients");
    return info.blocked_clients === "1" ? true : undefined;
  });
  equal(await a.cmd("GET", "n"), null);
  equal(await a.cmd("CLIENT", "UNPAUSE"), "OK");
  deepEqual(await b.read(), { type: "int", value: 1n });
});
