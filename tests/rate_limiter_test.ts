/** rate-limiter-flexible (npm, unchanged) against redis-home: it counts with a Lua script run by EVALSHA. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { startServer } from "./helpers.ts";

Deno.test("rate-limiter-flexible: points are consumed, the limit refuses, penalties and rewards apply", async () => {
  await using srv = startServer();
  const redis = new Redis({ port: srv.port, host: "127.0.0.1", enableOfflineQueue: false });
  try {
    await new Promise<void>((resolve) => redis.once("ready", () => resolve()));
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      points: 3,
      duration: 60,
      keyPrefix: "rl",
    });
    const first = await limiter.consume("user");
    equal(first.remainingPoints, 2);
    equal(first.consumedPoints, 1);
    ok(first.msBeforeNext > 59_000 && first.msBeforeNext <= 60_000);
    await limiter.consume("user", 2);
    const refused = await limiter.consume("user").then(() => undefined, (e: unknown) => e);
    ok(refused instanceof RateLimiterRes);
    equal(refused.remainingPoints, 0);
    equal(refused.consumedPoints, 4);
    await limiter.reward("user", 3);
    equal((await limiter.get("user"))?.consumedPoints, 1);
    await limiter.penalty("user", 1);
    equal((await limiter.get("user"))?.consumedPoints, 2);
    deepEqual(await redis.ttl("rl:user") > 0, true);
    // The counting really went through Lua.
    ok(/cmdstat_eval(sha)?:calls=[1-9]/.test(await redis.info("commandstats")));
    await limiter.delete("user");
    equal(await limiter.get("user"), null);
  } finally {
    redis.disconnect();
  }
});
