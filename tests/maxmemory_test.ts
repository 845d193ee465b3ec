/**
 * maxmemory end to end: which keys each policy evicts first, the OOM error
 * paths (noeviction, nothing left to evict, MULTI), the `evicted` event and
 * the INFO figures. Access times are set up through the in-process server
 * (advanceAccessClock) so that LRU order does not depend on sleeping.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { advanceAccessClock } from "../server/types/access_clock.ts";
import { plain, RespClient, startServer, type TestServer } from "./helpers.ts";

const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };
const VALUE = "v".repeat(1000);

async function usedMemory(c: RespClient): Promise<number> {
  const info = await c.cmd("INFO", "memory") as string;
  return Number(info.match(/^used_memory:(\d+)/m)![1]);
}

async function infoField(c: RespClient, section: string, name: string): Promise<string> {
  const info = await c.cmd("INFO", section) as string;
  return info.match(new RegExp(`^${name}:(.*?)\\r?$`, "m"))![1]!;
}

/** Writes keys straight into db 0 with the LRU clock at `secondsAgo` (no command runs meanwhile). */
function writeKeys(srv: TestServer, names: string[], secondsAgo: number, ttlMs?: number): void {
  const db = srv.server.dbs[0]!;
  advanceAccessClock(Date.now() - secondsAgo * 1000);
  for (const name of names) {
    db.set(name, VALUE);
    if (ttlMs !== undefined) db.setExpire(name, Date.now() + ttlMs);
  }
  advanceAccessClock(Date.now());
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Sets maxmemory so that `keys` of the keys now stored must go, then runs one command. */
async function squeeze(c: RespClient, keys: number): Promise<void> {
  const used = await usedMemory(c);
  await c.cmd("CONFIG", "SET", "maxmemory", String(used - keys * 1000));
  await c.cmd("PING");
}

async function survivors(c: RespClient, prefix: string): Promise<number> {
  return (await c.cmd("KEYS", `${prefix}*`) as string[]).length;
}

Deno.test("allkeys-lru evicts the keys idle longest first", async () => {
  await using srv = startServer({ "maxmemory-policy": "allkeys-lru", "maxmemory-samples": "100" });
  using c = await RespClient.connect(srv.port);
  writeKeys(srv, names("old", 40), 1000);
  writeKeys(srv, names("new", 40), 0);
  await squeeze(c, 20);
  equal(await survivors(c, "new"), 40);
  const old = await survivors(c, "old");
  ok(old < 40 && old > 0, `${old} old keys left`);
  ok(Number(await infoField(c, "stats", "evicted_keys")) >= 20);
});

Deno.test("allkeys-lfu evicts the least used keys first; OBJECT FREQ shows the counter", async () => {
  await using srv = startServer({
    "maxmemory-policy": "allkeys-lfu",
    "maxmemory-samples": "100",
    "lfu-log-factor": "0",
  });
  using c = await RespClient.connect(srv.port);
  writeKeys(srv, [...names("hot", 30), ...names("cold", 30)], 0);
  for (let round = 0; round < 3; round++) {
    for (const key of names("hot", 30)) await c.cmd("GET", key);
  }
  equal(await c.cmd("OBJECT", "FREQ", "hot0"), 8);
  equal(await c.cmd("OBJECT", "FREQ", "cold0"), 5);
  await squeeze(c, 20);
  equal(await survivors(c, "hot"), 30);
  ok(await survivors(c, "cold") < 30);
});

Deno.test("volatile-ttl evicts the soonest expiry first and never a key without TTL", async () => {
  await using srv = startServer({ "maxmemory-policy": "volatile-ttl", "maxmemory-samples": "100" });
  using c = await RespClient.connect(srv.port);
  writeKeys(srv, names("soon", 20), 0, 60_000);
  writeKeys(srv, names("late", 20), 0, 3_600_000);
  writeKeys(srv, names("forever", 20), 0);
  await squeeze(c, 10);
  equal(await survivors(c, "late"), 20);
  ok(await survivors(c, "soon") < 20);
  // Squeezed past what the volatile keys hold: they all go, then writes fail.
  await squeeze(c, 60);
  equal(await survivors(c, "soon") + await survivors(c, "late"), 0);
  equal(await survivors(c, "forever"), 20);
  deepEqual(await c.cmd("SET", "more", "x"), OOM);
});

Deno.test("volatile-lru, volatile-lfu and volatile-random evict only keys with a TTL", async () => {
  for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random"]) {
    await using srv = startServer({ "maxmemory-policy": policy, "maxmemory-samples": "100" });
    using c = await RespClient.connect(srv.port);
    writeKeys(srv, names("ttl", 20), 1000, 3_600_000);
    writeKeys(srv, names("kept", 20), 2000);
    await squeeze(c, 10);
    equal(await survivors(c, "kept"), 20, policy);
    ok(await survivors(c, "ttl") < 20, policy);
  }
});

Deno.test("allkeys-random evicts until within maxmemory", async () => {
  await using srv = startServer({ "maxmemory-policy": "allkeys-random" });
  using c = await RespClient.connect(srv.port);
  writeKeys(srv, names("k", 60), 0);
  await squeeze(c, 20);
  const left = await survivors(c, "k");
  ok(left <= 40 && left > 0, `${left} left`);
  ok(await usedMemory(c) <= Number(await infoField(c, "memory", "maxmemory")));
});

Deno.test("noeviction: writes that may grow memory get OOM; reads and deletes work", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  writeKeys(srv, names("k", 20), 0);
  await squeeze(c, 5);
  deepEqual(await c.cmd("SET", "x", "1"), OOM);
  deepEqual(await c.cmd("LPUSH", "l", "1"), OOM);
  equal(await c.cmd("GET", "k0"), VALUE);
  equal(await c.cmd("DEL", "k0"), 1);
  equal(await c.cmd("EXPIRE", "k1", "100"), 1);
  equal(Number(await infoField(c, "stats", "evicted_keys")), 0);
  // Inside MULTI anything but EXEC/DISCARD is refused, and EXEC then aborts.
  equal(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("GET", "k2"), OOM);
  deepEqual(await c.cmd("EXEC"), {
    error: "EXECABORT Transaction discarded because of previous errors.",
  });
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("DISCARD"), "OK");
  await c.cmd("CONFIG", "SET", "maxmemory", "0");
  equal(await c.cmd("SET", "x", "1"), "OK");
});

Deno.test("an evicted key publishes the evicted event and counts in INFO", async () => {
  await using srv = startServer({
    "maxmemory-policy": "allkeys-lru",
    "notify-keyspace-events": "Ee",
  });
  using c = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  deepEqual(await sub.cmd("SUBSCRIBE", "__keyevent@0__:evicted"), [
    "subscribe",
    "__keyevent@0__:evicted",
    1,
  ]);
  writeKeys(srv, ["only"], 0);
  // As Redis (updateMaxmemory): lowering the limit evicts at once, with no further command.
  await c.cmd("CONFIG", "SET", "maxmemory", "1");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no evicted event within 5 s")), 5000);
  });
  const message = await Promise.race([sub.read(), late]).finally(() => clearTimeout(timer));
  deepEqual(plain(message), ["message", "__keyevent@0__:evicted", "only"]);
  equal(await infoField(c, "stats", "evicted_keys"), "1");
});

Deno.test("used_memory follows the dataset, including collections written in place", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const before = Number(await infoField(c, "memory", "used_memory_dataset"));
  for (let i = 0; i < 100; i++) await c.cmd("HSET", "h", `field${i}`, VALUE);
  const grown = Number(await infoField(c, "memory", "used_memory_dataset"));
  ok(grown - before >= 100 * 1000 && grown - before < 100 * 1300, `${grown - before}`);
  await c.cmd("DEL", "h");
  // The last key gone, the key table is back to its empty size.
  equal(Number(await infoField(c, "memory", "used_memory_dataset")), before);
  const used = await usedMemory(c);
  const parts = ["used_memory_startup", "used_memory_dataset", "mem_clients_normal"];
  let sum = 0;
  for (const name of parts) sum += Number(await infoField(c, "memory", name));
  equal(used, sum);
});

Deno.test("maxmemory-clients evicts the biggest client, never one with CLIENT NO-EVICT", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  equal(await c.cmd("CLIENT", "NO-EVICT", "on"), "OK");
  // A command 200 kB long, half sent: its query buffer holds 100 kB.
  await other.writeRaw(`*2\r\n$4\r\nECHO\r\n$200000\r\n${"x".repeat(100_000)}`);
  // The clients hold more than this (Redis's floor, 128 kB): one must go, and it is not `c`.
  equal(await c.cmd("CONFIG", "SET", "maxmemory-clients", "100000"), "OK");
  ok(await other.reader.closedWithin(2000), "the evictable client was closed");
  equal(await c.cmd("PING"), "PONG");
  equal(await infoField(c, "stats", "evicted_clients"), "1");
});

Deno.test("maxmemory-clients as a percentage of maxmemory", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  using other = await RespClient.connect(srv.port);
  equal(await c.cmd("CLIENT", "NO-EVICT", "on"), "OK");
  equal(await c.cmd("CONFIG", "SET", "maxmemory-clients", "10%"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory-clients"), ["maxmemory-clients", "10%"]);
  // 10% of 4 MB (419 kB) is above what the clients hold; 10% of 1 MB (the 128 kB floor) is not.
  equal(await c.cmd("CONFIG", "SET", "maxmemory", "4mb"), "OK");
  await other.writeRaw(`*2\r\n$4\r\nECHO\r\n$200000\r\n${"x".repeat(100_000)}`);
  equal(await c.cmd("PING"), "PONG");
  equal(await infoField(c, "stats", "evicted_clients"), "0");
  equal(await c.cmd("CONFIG", "SET", "maxmemory", "1mb"), "OK");
  ok(await other.reader.closedWithin(2000), "the evictable client was closed");
  equal(await infoField(c, "stats", "evicted_clients"), "1");
});

Deno.test("maxmemory-clients percentages: Redis's texts for bad ones", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const failed = "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - ";
  deepEqual(await c.cmd("CONFIG", "SET", "maxmemory-clients", "101%"), {
    error: failed + "percentage argument must be less or equal to 100",
  });
  for (const bad of ["abc%", "-5%", "1.5%", "010%"]) {
    deepEqual(await c.cmd("CONFIG", "SET", "maxmemory-clients", bad), {
      error: failed + "argument must be a memory or percent value",
    });
  }
  equal(await c.cmd("CONFIG", "SET", "maxmemory-clients", "0%"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory-clients"), ["maxmemory-clients", "0"]);
  equal(await c.cmd("CONFIG", "SET", "maxmemory-clients", "100%"), "OK");
  deepEqual(await c.cmd("CONFIG", "GET", "maxmemory-clients"), ["maxmemory-clients", "100%"]);
});

Deno.test("replies clients leave unread count toward maxmemory and make keys evict", async () => {
  await using srv = startServer({ "maxmemory-policy": "allkeys-lru" });
  using c = await RespClient.connect(srv.port);
  const big = "x".repeat(100_000);
  for (let i = 0; i < 50; i++) await c.cmd("SET", `k${i}`, big);
  await c.cmd("CONFIG", "SET", "maxmemory", String(await usedMemory(c) + 12_000_000));
  // As Redis's maxmemory test: clients that send GETs of a big value and never read. Each
  // holds about 1 MB of replies (OUTPUT_BACKPRESSURE) past what the kernel takes: 20 pass 12 MB.
  const sockets = await Promise.all(
    Array.from({ length: 20 }, () => Deno.connect({ hostname: "127.0.0.1", port: srv.port })),
  );
  try {
    const gets = new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$2\r\nk0\r\n".repeat(100));
    let evicted = "0";
    for (let round = 0; round < 50 && evicted === "0"; round++) {
      // A socket whose server side stopped reading takes no more: don't wait on it.
      for (const socket of sockets) socket.write(gets).catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
      evicted = await infoField(c, "stats", "evicted_keys");
    }
    ok(Number(evicted) > 0, "keys were evicted for the clients' output");
  } finally {
    for (const socket of sockets) socket.close();
  }
});

Deno.test("invalidation messages already sent do not keep counting and evict the rest (no feedback loop)", async () => {
  await using srv = startServer({ "maxmemory-policy": "allkeys-lru" });
  using c = await RespClient.connect(srv.port);
  // As Redis's maxmemory test: 10 RESP3 clients track every key and never read the invalidations.
  const trackers = await Promise.all(
    Array.from({ length: 10 }, () => RespClient.connect(srv.port)),
  );
  try {
    for (const t of trackers) {
      await t.cmd("HELLO", "3");
      await t.cmd("CLIENT", "TRACKING", "on");
    }
    for (let j = 0; j < 300; j++) {
      const key = `${j}${"x".repeat(1000)}`;
      await c.cmd("SET", key, "x");
      for (const t of trackers) await t.cmd("GET", key);
    }
    await c.cmd("CONFIG", "SET", "maxmemory", String(await usedMemory(c) - 40_000));
    // Each eviction sends ~10 KB of invalidations, ten times what it frees; once written they
    // must stop counting, or the next commands evict everything.
    const evicted = Number(await infoField(c, "stats", "evicted_keys"));
    await c.cmd("INFO");
    const keys = await c.cmd("DBSIZE") as number;
    ok(evicted >= 10 && evicted <= 50, `evicted ${evicted}`);
    ok(keys >= 200 && keys <= 300, `dbsize ${keys}`);
  } finally {
    for (const t of trackers) t.close();
  }
});
