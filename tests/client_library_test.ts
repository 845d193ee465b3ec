/**
 * Real npm client libraries against our server, through Deno's npm
 * specifiers: their connection handshakes (AUTH/HELLO, CLIENT SETNAME/
 * SETINFO, SELECT, INFO ready checks), pipelines and transactions.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startServer } from "./helpers.ts";

Deno.test("ioredis: handshake, commands, pipeline, transaction, errors", async () => {
  await using srv = startServer({ requirepass: "pw" });
  const redis = new Redis({
    host: "127.0.0.1",
    port: srv.port,
    password: "pw",
    db: 3,
    connectionName: "ioredis-test",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  try {
    // AUTH, CLIENT SETNAME, SELECT and the INFO ready check all happen here.
    await redis.connect();
    equal(await redis.set("counter", "10"), "OK");
    equal(await redis.get("counter"), "10");
    equal(await redis.del("counter", "absent"), 1);
    match(await redis.client("INFO") as string, / name=ioredis-test .* db=3 /);

    const pipeline = redis.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`p:${i}`, String(i));
    for (let i = 0; i < 500; i++) pipeline.get(`p:${i}`);
    const results = await pipeline.exec();
    equal(results!.length, 1000);
    deepEqual(results![0], [null, "OK"]);
    deepEqual(results![999], [null, "499"]);
    equal(await redis.dbsize(), 500);

    deepEqual(await redis.multi().set("t", "x").get("t").exec(), [[null, "OK"], [null, "x"]]);
    await rejects(redis.call("nosuch", "a"), /ERR unknown command 'nosuch'/);
    deepEqual(await redis.config("GET", "maxclients"), ["maxclients", "10000"]);
    match(await redis.info("server"), /^# Server\r\nredis_version:/);
  } finally {
    redis.disconnect();
  }
});

Deno.test("node-redis over RESP3: HELLO 3 AUTH SETNAME, CLIENT SETINFO, SELECT, pipeline, MULTI", async () => {
  await using srv = startServer({ requirepass: "pw" });
  const client = createClient({
    socket: { host: "127.0.0.1", port: srv.port, reconnectStrategy: false },
    password: "pw",
    name: "node-redis-test",
    database: 5,
    RESP: 3,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    const info = await client.clientInfo();
    equal(info.name, "node-redis-test");
    equal(info.db, 5);
    equal(info.resp, 3);
    equal(info.libName, "node-redis");
    ok(info.libVer !== "");
    // RESP3 maps arrive as objects.
    deepEqual({ ...await client.configGet("maxclients") }, { maxclients: "10000" });

    const pipelined = await client.multi().set("a", "1").exists("a").get("a").execAsPipeline();
    deepEqual(pipelined, ["OK", 1, "1"]);
    const transaction = await client.multi().set("b", "x").del("a").get("b").exec();
    deepEqual(transaction, ["OK", 1, "x"]);
    equal(await client.dbSize(), 1);
    await rejects(client.sendCommand(["NOSUCH"]), /ERR unknown command 'NOSUCH'/);
  } finally {
    client.destroy();
  }
});
