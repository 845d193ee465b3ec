/**
 * zset-max-listpack-entries and zset-max-listpack-value decide OBJECT
 * ENCODING as in redis-server: on ZADD, on stored results, on GEOADD and
 * when loading (DEBUG RELOAD).
 */
import { sameAsRedis, type Step } from "./redis_compare.ts";

const members = (n: number) => Array.from({ length: n }, (_, i) => [String(i), `m${i}`]).flat();

const steps: Step[] = [
  ["ZADD", "z", ...members(3)],
  ["OBJECT", "ENCODING", "z"],
  ["CONFIG", "SET", "zset-max-listpack-entries", "3"],
  ["ZADD", "z", "9", "m9"],
  ["OBJECT", "ENCODING", "z"],
  ["ZADD", "big", ...members(200)],
  ["OBJECT", "ENCODING", "big"],
  ["CONFIG", "SET", "zset-max-listpack-entries", "500"],
  ["ZADD", "big2", ...members(200)],
  ["OBJECT", "ENCODING", "big2"],
  ["ZRANGESTORE", "dst", "big2", "0", "9"],
  ["OBJECT", "ENCODING", "dst"],
  ["CONFIG", "SET", "zset-max-listpack-value", "3"],
  ["ZADD", "long", "1", "abcd"],
  ["OBJECT", "ENCODING", "long"],
  ["ZADD", "short", "1", "abc"],
  ["OBJECT", "ENCODING", "short"],
  ["CONFIG", "SET", "zset-max-listpack-entries", "1"],
  ["ZRANGESTORE", "dst", "big2", "0", "1"],
  ["OBJECT", "ENCODING", "dst"],
  ["ZUNIONSTORE", "u", "1", "short"],
  ["OBJECT", "ENCODING", "u"],
  ["CONFIG", "SET", "zset-max-listpack-entries", "0"],
  ["ZADD", "zero", "1", "a"],
  ["OBJECT", "ENCODING", "zero"],
  ["GEOADD", "geo", "13.361389", "38.115556", "Palermo"],
  ["OBJECT", "ENCODING", "geo"],
  ["CONFIG", "SET", "zset-max-listpack-entries", "128"],
  ["CONFIG", "SET", "zset-max-listpack-value", "64"],
  ["DEBUG", "RELOAD"],
  ["OBJECT", "ENCODING", "zero"],
  ["OBJECT", "ENCODING", "big"],
  ["OBJECT", "ENCODING", "big2"],
  ["ZSCORE", "big2", "m150"],
];

Deno.test("zset-max-listpack-*: the same encodings as redis-server", async () => {
  await sameAsRedis(steps, { startup: { "enable-debug-command": "yes" } });
});
