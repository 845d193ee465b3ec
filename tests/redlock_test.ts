/** Redlock (npm, unchanged) against redis-home: its locks are Lua scripts run by EVAL. */
import { equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import Redlock from "redlock";
import { startServer } from "./helpers.ts";

Deno.test("redlock: a lock excludes others until released and extends; unlock frees only its own value", async () => {
  await using srv = startServer();
  const redis = new Redis({ port: srv.port, host: "127.0.0.1" });
  const redlock = new Redlock([redis], { retryCount: 0 });
  try {
    const lock = await redlock.lock("locks:res", 2000);
    ok((await redis.get("locks:res")) === lock.value);
    const second = await redlock.lock("locks:res", 2000).then(() => "acquired", () => "refused");
    equal(second, "refused");
    const extended = await lock.extend(5000);
    ok((await redis.pttl("locks:res")) > 2000);
    await extended.unlock();
    equal(await redis.exists("locks:res"), 0);
    const again = await redlock.lock("locks:res", 2000);
    await again.unlock();
    // The lock releases only its own value.
    await redis.set("locks:res", "someone-else");
    await lock.unlock().catch(() => {});
    equal(await redis.get("locks:res"), "someone-else");
    ok(/cmdstat_eval:calls=[1-9]/.test(await redis.info("commandstats")));
  } finally {
    redis.disconnect();
  }
});
