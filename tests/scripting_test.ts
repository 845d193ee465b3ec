/** EVAL, EVALSHA, SCRIPT end to end, with Redis 7.0's replies (checked against redis-server). */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import type { Propagator } from "../server/context.ts";
import { RespClient, startServer } from "./helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("EVAL and EVALSHA run commands and convert replies", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("EVAL", "return redis.call('incr', KEYS[1])", 1, "n"), 1);
  const sha = await c.cmd("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])");
  equal(sha, "2bab3b661081db58bd2341920e0ba7cf5dc77b25");
  deepEqual(await c.cmd("EVALSHA", sha as string, 1, "n"), 2);
  deepEqual(await c.cmd("EVALSHA", (sha as string).toUpperCase(), 1, "n"), 3);
  deepEqual(await c.cmd("EVAL", "return {1, 'two', {3.7}, false, nil, 5}", 0), [
    1,
    "two",
    [3],
    null,
  ]);
  deepEqual(await c.cmd("EVAL", "return {ok='FINE'}", 0), "FINE");
  deepEqual(await c.cmd("EVAL", "return ARGV[2] .. KEYS[1]", 1, "k", "a", "b"), "bk");
  deepEqual(await c.cmd("SCRIPT", "EXISTS", sha as string, "0000"), [1, 0]);
  const info = async () => String(await c.cmd("INFO", "memory"));
  match(await info(), /\r\nnumber_of_cached_scripts:4\r\n/);
  deepEqual(await c.cmd("SCRIPT", "FLUSH", "ASYNC"), "OK");
  match(await info(), /\r\nnumber_of_cached_scripts:0\r\n/);
  deepEqual(await c.cmd("SCRIPT", "EXISTS", sha as string), [0]);
  deepEqual(await c.cmd("EVALSHA", sha as string, 0), {
    error: "NOSCRIPT No matching script. Please use EVAL.",
  });
  // A verbatim string's table was read from the wrong stack slot ("ERR table expected").
  deepEqual(
    await c.cmd("EVAL", "return {verbatim_string = {format = 'txt', string = 'hello'}}", 0),
    "hello",
  );
});

Deno.test("script errors and argument errors are Redis's", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("EVAL", "return a", 0), {
    error:
      "ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: bbfcd1ececc90deec823f7fb730e4bfb2a4ba625, on @user_script:1.",
  });
  deepEqual(await c.cmd("EVAL", "return redis.call('nosuch')", 0), {
    error:
      "ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.",
  });
  deepEqual(await c.cmd("EVAL", "return redis.error_reply('bad thing')", 0), {
    error: "bad thing",
  });
  deepEqual(await c.cmd("EVAL", "return +", 0), {
    error: "ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'",
  });
  deepEqual(await c.cmd("EVAL", "return 1", -1), { error: "ERR Number of keys can't be negative" });
  deepEqual(await c.cmd("EVAL", "return 1", 2, "a"), {
    error: "ERR Number of keys can't be greater than number of args",
  });
  deepEqual(await c.cmd("EVAL", "return 1", "x"), {
    error: "ERR value is not an integer or out of range",
  });
  const multi = await c.cmd("EVAL", "return redis.call('multi')", 0);
  match((multi as { error: string }).error, /^ERR This Redis command is not allowed from script /);
  const ro = await c.cmd("EVAL_RO", "return redis.call('set', 'a', 1)", 0);
  match(
    (ro as { error: string }).error,
    /^ERR Write commands are not allowed from read-only scripts\. /,
  );
  deepEqual(await c.cmd("EVAL_RO", "#!lua\nreturn 1", 0), {
    error: "ERR Can not execute a script with write flag using *_ro command.",
  });
  deepEqual(await c.cmd("EVAL_RO", "#!lua flags=no-writes\nreturn 1", 0), 1);
  deepEqual(await c.cmd("SCRIPT", "KILL"), { error: "NOTBUSY No scripts in execution right now." });
});

Deno.test("runs after a script's error start clean, at any depth it failed (checked against redis-server 7.0.15)", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SET", "s", "xxx"), "OK");
  // The coroutine an error ended is reset and runs the next script: each of these, twice over,
  // must answer as it did on a fresh one (a leftover call level, top or status shows here).
  const runs: [args: (string | number)[], reply: unknown][] = [
    [
      [
        "local function f(n) local t = {n} if n == 0 then return redis.call('incr', KEYS[1]) end return f(n - 1) end return f(5)",
        1,
        "s",
      ],
      {
        error:
          "ERR value is not an integer or out of range script: 6038ea7d9c4d4a3a7260e1d31574420301e73708, on @user_script:1.",
      },
    ],
    [["local a, b, c = 1, 2, 3 return {a, b, c, ARGV[1]}", 0, "x"], [1, 2, 3, "x"]],
    [
      ["local x = nil\nlocal function g() return x + 1 end\nreturn g()", 0],
      {
        error:
          "ERR user_script:2: attempt to perform arithmetic on upvalue 'x' (a nil value) script: 37ea397c0120581ca32fb173d59eaefb7917c533, on @user_script:2.",
      },
    ],
    [["return redis.pcall('incr', KEYS[1])", 1, "s"], {
      error: "ERR value is not an integer or out of range",
    }],
    [
      ["local t = {} for i = 1, 30 do t[i] = i end error({err='MYERR custom'})", 0],
      {
        error: "MYERR custom script: 6f4b6d4d612e4cd2e33f8e0adc3230b4740a3e40, on @user_script:1.",
      },
    ],
    [["local n = 0 for i = 1, 10 do n = n + i end return n", 0], 55],
    [["return {pcall(function() error('inner') end)}", 0], [null, "user_script:1: inner"]],
    [["return redis.call('get', KEYS[1])", 1, "s"], "xxx"],
  ];
  for (let pass = 0; pass < 2; pass++) {
    for (const [args, reply] of runs) deepEqual(await c.cmd("EVAL", ...args), reply, `${args[0]}`);
  }
});

Deno.test("a script's writes are propagated as Redis 7.0 does", async () => {
  await using srv = startServer();
  const seen: string[] = [];
  const recorder: Propagator = {
    propagate: (db, argv) => void seen.push(`${db}:${argv.join(" ")}`),
  };
  srv.server.propagators.push(recorder);
  using c = await RespClient.connect(srv.port);
  await c.cmd(
    "EVAL",
    "redis.call('set', KEYS[1], '1') redis.call('get', KEYS[1]) redis.call('incr', KEYS[1])",
    1,
    "k",
  );
  deepEqual(seen, ["0:MULTI", "0:set k 1", "0:incr k", "0:EXEC"]);
  seen.length = 0;
  await c.cmd("EVAL", "return redis.call('get', 'k')", 0);
  deepEqual(seen, []);
  // One write alone needs no transaction (Redis 7.0); REPL_NONE leaves writes out.
  await c.cmd("EVAL", "redis.call('set', 'a', '1')", 0);
  await c.cmd("EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set', 'b', '1')", 0);
  deepEqual(seen, ["0:set a 1"]);
});

Deno.test("a script's write fails the EXEC of a client WATCHing the key", async () => {
  await using srv = startServer();
  using watcher = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  await watcher.cmd("WATCH", "w");
  await c.cmd("EVAL", "return redis.call('set', 'w', 'x')", 0);
  await watcher.cmd("MULTI");
  await watcher.cmd("GET", "w");
  deepEqual(await watcher.cmd("EXEC"), null);
});

const BUSY = {
  error: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
};

/** Waits (bounded) until the server answers `probe` with -BUSY: the script is past the threshold. */
async function untilBusy(probe: RespClient): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const reply = await probe.cmd("PING");
    if (typeof reply === "object" && reply !== null && "error" in reply) return;
    await sleep(10);
  }
  throw new Error("the script never became busy");
}

Deno.test("a busy script: other clients get BUSY, SCRIPT KILL stops it", async () => {
  await using srv = startServer({ "busy-reply-threshold": "50" });
  using runner = await RespClient.connect(srv.port);
  await runner.send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
  const others = await Promise.all(Array.from({ length: 50 }, () => RespClient.connect(srv.port)));
  try {
    await untilBusy(others[0]!);
    const replies = await Promise.all(others.map((o) => o.cmd("GET", "x")));
    for (const reply of replies) deepEqual(reply, BUSY);
    deepEqual(await others[0]!.cmd("SCRIPT", "KILL"), "OK");
    const killed = await runner.read();
    ok(killed.type === "error");
    match(
      killed.value,
      /^ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on @user_script:1\.$/,
    );
    deepEqual(await others[1]!.cmd("PING"), "PONG");
    deepEqual(await runner.cmd("PING"), "PONG");
  } finally {
    for (const o of others) o.close();
  }
});

Deno.test("a busy script that wrote cannot be killed and finishes atomically", async () => {
  await using srv = startServer({ "busy-reply-threshold": "20" });
  using runner = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  // Writes, then stays busy until the server clock has moved on by a second, then writes again.
  await runner.send(
    "EVAL",
    "redis.call('set', 'k', 'start') local t0 = redis.call('time')[1] " +
      "while redis.call('time')[1] - t0 < 2 do end return redis.call('set', 'k', 'end')",
    "0",
  );
  await untilBusy(other);
  deepEqual(await other.cmd("GET", "k"), BUSY);
  const kill = await other.cmd("SCRIPT", "KILL");
  match(
    (kill as { error: string }).error,
    /^UNKILLABLE Sorry the script already executed write commands/,
  );
  deepEqual(await runner.read(), { type: "simple", value: "OK" });
  deepEqual(await other.cmd("GET", "k"), "end");
});

Deno.test("a busy script's pushes reach a blocked client only when it ends", async () => {
  await using srv = startServer({ "busy-reply-threshold": "20" });
  using blocked = await RespClient.connect(srv.port);
  using runner = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  await blocked.send("BLPOP", "x", "0");
  for (let i = 0; i < 500 && !String(await other.cmd("INFO")).includes("blocked_clients:1"); i++) {
    await sleep(10);
  }
  await runner.send(
    "EVAL",
    "redis.call('lpush', KEYS[1], 'y') local t0 = redis.call('time')[1] " +
      "while redis.call('time')[1] - t0 < 2 do end redis.call('lpush', KEYS[1], 'z') return 1",
    "1",
    "x",
  );
  await untilBusy(other);
  // A command allowed meanwhile must not serve the list the script is still writing.
  const hello = await other.call("HELLO", "2", "SETNAME", "meanwhile");
  equal(hello.type, "array");
  deepEqual(await runner.read(), { type: "int", value: 1n });
  deepEqual(await blocked.read(), {
    type: "array",
    values: [{ type: "bulk", value: "x" }, { type: "bulk", value: "z" }],
  });
});

Deno.test("SORT BY a constant orders a set's output when called from a script", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("SADD", "s", "c", "a", "b", "aa");
  deepEqual(await c.cmd("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nokey')", 1, "s"), [
    "a",
    "aa",
    "b",
    "c",
  ]);
});

Deno.test("scripts cannot XREAD with BLOCK", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(
    await c.cmd("EVAL", "return redis.pcall('xread', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", 1, "s"),
    { error: "ERR xread command is not allowed with BLOCK option from scripts" },
  );
  deepEqual(
    await c.cmd("EVAL", "return redis.call('xread', 'STREAMS', KEYS[1], '0')", 1, "s"),
    null,
  );
});

Deno.test("a script stuck in a sort comparator is stopped and the server answers again", async () => {
  await using srv = startServer({ "busy-reply-threshold": "50" });
  using c = await RespClient.connect(srv.port);
  const stuck = await c.cmd(
    "EVAL",
    "table.sort({3, 2, 1}, function(a, b) while true do end end)",
    0,
  );
  match(
    (stuck as { error: string }).error,
    /^ERR Script stopped: it ran past busy-reply-threshold inside a call that cannot be interrupted/,
  );
  equal(await c.cmd("PING"), "PONG");
});

Deno.test("a busy script ending in an error counts once in errorstats, as a failed EVAL", async () => {
  await using srv = startServer({ "busy-reply-threshold": "10" });
  using c = await RespClient.connect(srv.port);
  // Runs until 100 ms have passed by the server's clock: past the threshold, so in slices.
  const wait = "local s = redis.call('time') local t0 = s[1] * 1e6 + s[2] " +
    "repeat local n = redis.call('time') until n[1] * 1e6 + n[2] - t0 > 100000 ";
  match((await c.cmd("EVAL", wait + "error('boom')", 0) as { error: string }).error, /boom/);
  match(
    (await c.cmd("EVAL", wait + "return redis.call('nosuch')", 0) as { error: string }).error,
    /^ERR Unknown Redis command/,
  );
  const stats = String(await c.cmd("INFO", "commandstats"));
  match(
    stats,
    /cmdstat_eval:calls=2,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=2/,
  );
  match(String(await c.cmd("INFO", "errorstats")), /errorstat_ERR:count=2\r\n/);
});

Deno.test("FCALL's globals are EVAL's less __redis__err__handler and redis.breakpoint/debug/replicate_commands, as in redis-server 7.0.15", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const keys = "local function keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end " +
    "table.sort(r) return table.concat(r, ' ') end ";
  await c.cmd(
    "FUNCTION",
    "LOAD",
    `#!lua name=cmp\n${keys}\nredis.register_function('k', function(ks, a) return keys(_G[a[1]]) end)`,
  );
  const evalKeys = (name: string) => c.cmd("EVAL", `${keys} return keys(${name})`, 0);
  const fcallKeys = (name: string) => c.cmd("FCALL", "k", 0, name);
  const redisKeys =
    "LOG_DEBUG LOG_NOTICE LOG_VERBOSE LOG_WARNING REDIS_VERSION REDIS_VERSION_NUM " +
    "REPL_ALL REPL_AOF REPL_NONE REPL_REPLICA REPL_SLAVE acl_check_cmd call error_reply log pcall " +
    "set_repl setresp sha1hex status_reply";
  equal(await fcallKeys("redis"), redisKeys);
  equal(
    await evalKeys("redis"),
    redisKeys.replace("call", "breakpoint call debug").replace(
      "pcall",
      "pcall replicate_commands",
    ),
  );
  const globals = String(await evalKeys("_G"));
  match(globals, / __redis__err__handler /);
  equal(
    await fcallKeys("_G"),
    globals.replace("ARGV KEYS ", "").replace(" __redis__err__handler", ""),
  );
});
