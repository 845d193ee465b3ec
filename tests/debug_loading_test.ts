/**
 * DEBUG LOADAOF and DEBUG RELOAD as Redis 7.0 runs them: the load lets other
 * clients in as it goes (Redis processes events every 1024 commands or
 * loading-process-events-interval-bytes, and while a replayed script runs
 * long), and they get -LOADING, or -BUSY for a command allowed while loading
 * when a replayed script is past busy-reply-threshold. The caller gets its
 * +OK at the end. What the AOF replay runs is neither written to the AOF
 * again nor counted in commandstats. Replies checked against redis-server
 * 7.0.15.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient } from "./helpers.ts";
import { eventually, startPersistent, tempDir } from "./persistence_helpers.ts";

const LOADING = { error: "LOADING Redis is loading the dataset in memory" };
const BUSY = {
  error: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
};

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

function infoFields(info: unknown): Record<string, string> {
  return Object.fromEntries(
    String(info).split("\r\n").filter((l) => l.includes(":")).map((l) => l.split(":")),
  );
}

Deno.test("DEBUG LOADAOF: other clients get -LOADING while it loads, INFO loading:1, then +OK", async () => {
  using dir = tempDir();
  await using srv = await startPersistent({
    dir: dir.path,
    appendonly: "yes",
    "enable-debug-command": "yes",
    "loading-process-events-interval-bytes": "1024",
  });
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  for (let i = 0; i < 4; i++) {
    const pairs = Array.from({ length: 250 }, (_, j) => [`key:${i}:${j}`, "v".repeat(100)]);
    await a.cmd("MSET", ...pairs.flat());
  }
  // The keys go to an RDB preamble, which key-load-delay slows down (1000 keys: 1 s at least).
  equal(await a.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
  await eventually(async () =>
    infoFields(await b.cmd("INFO", "persistence")).aof_rewrite_in_progress === "0"
  );
  equal(await a.cmd("CONFIG", "SET", "key-load-delay", "1000"), "OK");
  const loaded = a.cmd("DEBUG", "LOADAOF");
  await eventually(async () => JSON.stringify(await b.cmd("PING")) === JSON.stringify(LOADING));
  deepEqual(await b.cmd("GET", "key:0:0"), LOADING);
  const info = infoFields(await b.cmd("INFO", "persistence"));
  equal(info.loading, "1");
  equal(info.async_loading, "0");
  ok(Number(info.loading_loaded_bytes) < Number(info.loading_total_bytes), JSON.stringify(info));
  equal(infoFields(await b.cmd("INFO", "clients")).blocked_clients, "0");
  equal(await b.cmd("CONFIG", "SET", "key-load-delay", "0"), "OK");
  equal(await loaded, "OK");
  equal(await b.cmd("DBSIZE"), 1000);
  equal(infoFields(await b.cmd("INFO", "persistence")).loading, "0");
});

Deno.test("DEBUG LOADAOF: a slow replayed script leaves other clients -LOADING, or -BUSY for loading commands", async () => {
  using dir = tempDir();
  await using srv = await startPersistent({
    dir: dir.path,
    appendonly: "yes",
    "aof-use-rdb-preamble": "no",
    "lua-time-limit": "1",
    "enable-debug-command": "yes",
  });
  const logged: string[] = [];
  srv.server.log = (message: string) => void logged.push(message);
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  const incr = `${dir.path}/appendonlydir/appendonly.aof.1.incr.aof`;
  // A script that runs for a second, whatever the machine's speed.
  const script = "redis.call('set',KEYS[1],'y') local t0 = redis.call('time') " +
    "repeat local t = redis.call('time') until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1000000 " +
    "return 'ok'";
  Deno.writeTextFileSync(incr, resp("SELECT", "9") + resp("EVAL", script, "1", "x"));
  const aof = Deno.readFileSync(incr);
  const loaded = a.cmd("DEBUG", "LOADAOF");
  await eventually(async () => JSON.stringify(await b.cmd("PING")) === JSON.stringify(LOADING));
  // INFO, CLIENT and SELECT may run while loading, but not while a script is busy.
  deepEqual(await b.cmd("INFO", "persistence"), BUSY);
  deepEqual(await b.cmd("SELECT", "9"), BUSY);
  deepEqual(await b.cmd("SCRIPT", "KILL"), LOADING);
  equal(await b.cmd("MULTI"), "OK");
  deepEqual(await b.cmd("EXEC"), {
    error:
      "EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
  });
  equal(await loaded, "OK");
  ok(
    logged.some((l) =>
      /^Slow script detected: still in execution after \d+ milliseconds\. You can try killing the script using the SCRIPT KILL command\. Script name is: [0-9a-f]{40}\.$/
        .test(l)
    ),
    logged.join("\n"),
  );
  equal(await b.cmd("SELECT", "9"), "OK");
  equal(await b.cmd("GET", "x"), "y");
  // The script's SET is in the file already: it is not appended again.
  deepEqual(Deno.readFileSync(incr), aof);
  // Nor are its calls counted, as Redis's call() while loading.
  const stats = String(await b.cmd("INFO", "commandstats"));
  ok(!/cmdstat_(set|time):/.test(stats), stats);
});

Deno.test("DEBUG LOADAOF inside MULTI/EXEC loads at once", async () => {
  using dir = tempDir();
  await using srv = await startPersistent({
    dir: dir.path,
    appendonly: "yes",
    "enable-debug-command": "yes",
  });
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", "k", "v");
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("DEBUG", "LOADAOF"), "QUEUED");
  equal(await c.cmd("GET", "k"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), ["OK", "v"]);
  equal(infoFields(await c.cmd("INFO", "persistence")).loading, "0");
});

Deno.test("DEBUG RELOAD: other clients get -LOADING while the RDB file loads, then +OK", async () => {
  using dir = tempDir();
  await using srv = await startPersistent({
    dir: dir.path,
    "enable-debug-command": "yes",
    "loading-process-events-interval-bytes": "1024",
  });
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  equal(await a.cmd("DEBUG", "POPULATE", "1000", "key", "100"), "OK");
  // 1000 keys: 1 s at least.
  equal(await a.cmd("CONFIG", "SET", "key-load-delay", "1000"), "OK");
  const reloaded = a.cmd("DEBUG", "RELOAD");
  await eventually(async () => JSON.stringify(await b.cmd("PING")) === JSON.stringify(LOADING));
  deepEqual(await b.cmd("GET", "key:1"), LOADING);
  equal(infoFields(await b.cmd("INFO", "persistence")).loading, "1");
  equal(await b.cmd("CONFIG", "SET", "key-load-delay", "0"), "OK");
  equal(await reloaded, "OK");
  equal(await b.cmd("DBSIZE"), 1000);
  equal(await b.cmd("STRLEN", "key:1"), 100);
});
