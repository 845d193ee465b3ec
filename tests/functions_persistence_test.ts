/**
 * Functions in RDB files (Redis 7's function section) and AOF rewrites: saved
 * by redis-home, accepted by redis-check-rdb, loaded by redis-server 7, and
 * the other way round.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RespClient, run, startServer } from "./helpers.ts";
import { ChildServer, startPersistent, tempDir } from "./persistence_helpers.ts";

const LIB = "#!lua name=plib\n" +
  "redis.register_function('pget', function(keys, args) return redis.call('get', keys[1]) end)";

Deno.test("function libraries are saved in dump.rdb and come back, in redis-home and Redis 7", async () => {
  using dir = tempDir();
  {
    await using srv = startServer({ dir: dir.path });
    using client = await RespClient.connect(srv.port);
    equal(await client.cmd("FUNCTION", "LOAD", LIB), "plib");
    await client.cmd("SET", "k", "v");
    equal(await client.cmd("SAVE"), "OK");
  }
  const check = await run("redis-check-rdb", [`${dir.path}/dump.rdb`]);
  equal(check.code, 0, check.stdout);
  match(check.stdout, /RDB looks OK/);
  {
    await using srv = await startPersistent({ dir: dir.path });
    using client = await RespClient.connect(srv.port);
    equal(await client.cmd("FCALL", "pget", 1, "k"), "v");
  }
  const redis = ChildServer.redis(dir.path);
  try {
    using client = await redis.connect();
    equal(await client.cmd("FCALL", "pget", 1, "k"), "v");
    // Redis saves it back; redis-home loads Redis's file.
    await client.cmd("FUNCTION", "LOAD", LIB.replace("plib", "plib2").replace("pget", "pget2"));
    equal(await client.cmd("SAVE"), "OK");
  } finally {
    await redis.stop();
  }
  await using srv = await startPersistent({ dir: dir.path });
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("FCALL", "pget2", 1, "k"), "v");
  deepEqual((await client.cmd("FUNCTION", "LIST") as unknown[]).length, 2);
});

Deno.test("an AOF rewrite without the RDB preamble starts with FUNCTION LOAD", async () => {
  using dir = tempDir();
  const params = { dir: dir.path, appendonly: "yes", "aof-use-rdb-preamble": "no" };
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    equal(await client.cmd("FUNCTION", "LOAD", LIB), "plib");
    await client.cmd("SET", "k", "v");
    equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
    for (let i = 0; i < 200; i++) {
      const info = String(await client.cmd("INFO", "persistence"));
      if (info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0")) {
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const base = [...Deno.readDirSync(`${dir.path}/appendonlydir`)].find((f) =>
    f.name.includes(".base.")
  );
  const text = Deno.readTextFileSync(`${dir.path}/appendonlydir/${base!.name}`);
  match(text, /^\*3\r\n\$8\r\nFUNCTION\r\n\$4\r\nLOAD\r\n/);
  await using srv = await startPersistent(params);
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("FCALL", "pget", 1, "k"), "v");
});

Deno.test("redis-home serve loads a dump.rdb and an AOF holding functions (the Lua VM first)", async () => {
  const variants: Record<string, string>[] = [{}, { appendonly: "yes" }];
  for (const params of variants) {
    using dir = tempDir();
    {
      await using srv = await startPersistent({ dir: dir.path, ...params });
      using client = await RespClient.connect(srv.port);
      equal(await client.cmd("FUNCTION", "LOAD", LIB), "plib");
      await client.cmd("SET", "k", "v");
      if (!("appendonly" in params)) equal(await client.cmd("SAVE"), "OK");
    }
    const args = Object.entries(params).flatMap(([name, value]) => [`--${name}`, value]);
    const home = ChildServer.redisHome(dir.path, ...args);
    try {
      using client = await home.connect();
      // Connected while loading: wait for the data, then the function.
      for (let i = 0; i < 200 && await client.cmd("GET", "k") !== "v"; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      equal(await client.cmd("FCALL", "pget", 1, "k"), "v");
    } finally {
      await home.stop();
    }
  }
});
