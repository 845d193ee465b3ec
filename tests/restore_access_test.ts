/** RESTORE's IDLETIME and FREQ set the key's LRU idle time or LFU counter, as Redis's. */
import { equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

Deno.test("RESTORE IDLETIME sets OBJECT IDLETIME; FREQ sets OBJECT FREQ under LFU", async () => {
  await using server = startServer();
  using c = await RespClient.connect(server.port);
  await c.cmd("SET", "foo", "bar");
  const payload = await c.cmd("DUMP", "foo") as string;
  await c.cmd("DEL", "foo");
  await c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  equal(await c.cmd("RESTORE", "foo", "0", payload, "IDLETIME", "1000"), "OK");
  const idle = await c.cmd("OBJECT", "IDLETIME", "foo") as number;
  equal(idle >= 1000 && idle <= 1010, true, `${idle}`);
  await c.cmd("DEL", "foo");
  await c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
  equal(await c.cmd("RESTORE", "foo", "0", payload, "FREQ", "100"), "OK");
  equal(await c.cmd("OBJECT", "FREQ", "foo"), 100);
  // Under LFU, IDLETIME is accepted and ignored, as in Redis.
  await c.cmd("DEL", "foo");
  equal(await c.cmd("RESTORE", "foo", "0", payload, "IDLETIME", "1000"), "OK");
  equal(await c.cmd("GET", "foo"), "bar");
});
