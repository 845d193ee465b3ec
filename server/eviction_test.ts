import { deepEqual, equal, ok } from "node:assert/strict";
import {
  type EvictableDb,
  type EvictionPolicy,
  EvictionPool,
  evictionTimeLimitMs,
  Evictor,
  mustReject,
  POOL_SIZE,
} from "./eviction.ts";

interface FakeKey {
  idle: number;
  freq: number;
  expireAt?: number;
}

/** A database of keys with chosen idle times, counters and TTLs; sampling sees every key. */
class FakeDb implements EvictableDb {
  keys = new Map<string, FakeKey>();

  constructor(entries: [string, FakeKey][] = []) {
    for (const [key, data] of entries) this.keys.set(key, data);
  }

  #scope(volatileOnly: boolean): string[] {
    return [...this.keys].filter(([, k]) => !volatileOnly || k.expireAt !== undefined).map(([
      key,
    ]) => key);
  }

  count(volatileOnly: boolean): number {
    return this.#scope(volatileOnly).length;
  }

  sample(n: number, volatileOnly: boolean, visit: (key: string) => void): void {
    this.#scope(volatileOnly).slice(0, Math.max(n, 1000)).forEach((key) => visit(key));
  }

  randomKey(volatileOnly: boolean): string | undefined {
    const keys = this.#scope(volatileOnly);
    return keys[Math.floor(Math.random() * keys.length)];
  }

  contains(key: string, volatileOnly: boolean): boolean {
    const k = this.keys.get(key);
    return k !== undefined && (!volatileOnly || k.expireAt !== undefined);
  }

  idleSeconds(key: string): number {
    return this.keys.get(key)!.idle;
  }

  frequency(key: string): number {
    return this.keys.get(key)!.freq;
  }

  expireAt(key: string): number | undefined {
    return this.keys.get(key)!.expireAt;
  }
}

const KEY_BYTES = 100;

/** Runs eviction down to `keep` keys' worth of memory; returns the evicted keys in order. */
function evictDownTo(policy: EvictionPolicy, dbs: FakeDb[], keep: number) {
  const evictor = new Evictor();
  const evicted: string[] = [];
  const used = () => dbs.reduce((sum, db) => sum + db.keys.size, 0) * KEY_BYTES;
  const result = evictor.perform(
    { maxmemory: keep * KEY_BYTES, policy, samples: 5, tenacity: 100 },
    dbs,
    used,
    (db, key) => {
      dbs[db]!.keys.delete(key);
      evicted.push(key);
    },
  );
  return { result, evicted, evictor };
}

const KEYS: [string, FakeKey][] = [
  ["old-rare", { idle: 500, freq: 1 }],
  ["old-hot", { idle: 400, freq: 200 }],
  ["new-rare", { idle: 1, freq: 2, expireAt: 9000 }],
  ["new-hot", { idle: 0, freq: 250, expireAt: 5000 }],
  ["mid", { idle: 100, freq: 50, expireAt: 7000 }],
];

Deno.test("allkeys-lru evicts the longest idle keys first", () => {
  const { result, evicted } = evictDownTo("allkeys-lru", [new FakeDb(KEYS)], 2);
  equal(result, "ok");
  deepEqual(evicted, ["old-rare", "old-hot", "mid"]);
});

Deno.test("allkeys-lfu evicts the least frequently used keys first", () => {
  const { evicted } = evictDownTo("allkeys-lfu", [new FakeDb(KEYS)], 2);
  deepEqual(evicted, ["old-rare", "new-rare", "mid"]);
});

Deno.test("volatile policies only evict keys with a TTL, then fail", () => {
  deepEqual(evictDownTo("volatile-lru", [new FakeDb(KEYS)], 3).evicted, ["mid", "new-rare"]);
  deepEqual(evictDownTo("volatile-lfu", [new FakeDb(KEYS)], 3).evicted, ["new-rare", "mid"]);
  deepEqual(evictDownTo("volatile-ttl", [new FakeDb(KEYS)], 3).evicted, ["new-hot", "mid"]);
  const { result, evicted } = evictDownTo("volatile-ttl", [new FakeDb(KEYS)], 1);
  equal(result, "fail");
  deepEqual(evicted, ["new-hot", "mid", "new-rare"]);
});

Deno.test("random policies evict keys in scope, taking the databases in turn", () => {
  const dbs = [new FakeDb(KEYS), new FakeDb(KEYS.map(([k, v]) => [`b-${k}`, v]))];
  const { evicted } = evictDownTo("allkeys-random", dbs, 6);
  equal(evicted.length, 4);
  equal(evicted.filter((k) => k.startsWith("b-")).length, 2);
  const volatile = evictDownTo("volatile-random", [new FakeDb(KEYS)], 1);
  equal(volatile.result, "fail");
  deepEqual(volatile.evicted.sort(), ["mid", "new-hot", "new-rare"]);
});

Deno.test("noeviction fails at once; within maxmemory nothing is evicted", () => {
  const over = evictDownTo("noeviction", [new FakeDb(KEYS)], 2);
  deepEqual([over.result, over.evicted], ["fail", []]);
  const within = evictDownTo("allkeys-lru", [new FakeDb(KEYS)], 5);
  deepEqual([within.result, within.evicted], ["ok", []]);
});

Deno.test("eviction stops after its time budget and reports running", () => {
  const db = new FakeDb(Array.from({ length: 100 }, (_, i) => [`k${i}`, { idle: i, freq: 5 }]));
  const evictor = new Evictor();
  let clock = 0;
  const result = evictor.perform(
    { maxmemory: 10 * KEY_BYTES, policy: "allkeys-lru", samples: 5, tenacity: 10 },
    [db],
    () => db.keys.size * KEY_BYTES,
    (_, key) => {
      db.keys.delete(key);
      clock += 0.05;
    },
    () => clock,
  );
  equal(result, "running");
  equal(db.keys.size, 84);
});

Deno.test("tenacity sets the time budget as Redis's evictionTimeLimitUs", () => {
  equal(evictionTimeLimitMs(0), 0);
  equal(evictionTimeLimitMs(10), 0.5);
  ok(Math.abs(evictionTimeLimitMs(11) - 0.575) < 1e-9);
  equal(evictionTimeLimitMs(100), Infinity);
});

Deno.test("the pool keeps the best 16 candidates, ascending", () => {
  const pool = new EvictionPool();
  for (let i = 0; i < 40; i++) pool.offer(`k${(i * 7) % 40}`, 0, (i * 7) % 40);
  pool.offer("k39", 0, 39);
  equal(pool.entries.length, POOL_SIZE);
  deepEqual(pool.entries.map((e) => e.score), Array.from({ length: 16 }, (_, i) => 24 + i));
  equal(pool.takeBest()!.key, "k39");
});

Deno.test("OOM rejects commands that may grow memory, and queueing inside MULTI", () => {
  const traits = { denyOom: false, inMulti: false, endsTransaction: false };
  equal(mustReject(true, { ...traits, denyOom: true }), true);
  equal(mustReject(true, traits), false);
  equal(mustReject(false, { ...traits, denyOom: true }), false);
  equal(mustReject(true, { ...traits, inMulti: true }), true);
  equal(mustReject(true, { ...traits, inMulti: true, endsTransaction: true }), false);
});

Deno.test("eviction reports each deletion's time and the whole run's (eviction-del, eviction-cycle)", () => {
  const db = new FakeDb(Array.from({ length: 5 }, (_, i) => [`k${i}`, { idle: i, freq: 5 }]));
  const recorded: [string, number][] = [];
  let clock = 0;
  const result = new Evictor().perform(
    { maxmemory: 2 * KEY_BYTES, policy: "allkeys-lru", samples: 5, tenacity: 10 },
    [db],
    () => db.keys.size * KEY_BYTES,
    (_, key) => {
      db.keys.delete(key);
      clock += 3;
    },
    () => clock,
    (event, ms) => recorded.push([event, ms]),
  );
  equal(result, "ok");
  deepEqual(recorded, [
    ["eviction-del", 3],
    ["eviction-del", 3],
    ["eviction-del", 3],
    ["eviction-cycle", 9],
  ]);
});
