/**
 * SORT and SORT_RO end to end, every reply compared with redis-server's
 * (tests/redis_compare.ts).
 */
import { sameAsRedis, type Step } from "./redis_compare.ts";

const steps: Step[] = [
  ["RPUSH", "l", "3", "1", "2", "10", "b", "a"],
  ["RPUSH", "n", "3", "1", "2", "10", "-1.5", "1e3", "0x10"],
  ["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_b", "x"],
  ["HSET", "h_1", "f", "x"],
  ["HSET", "h_2", "f", "y"],
  ["SORT", "n"],
  ["SORT", "n", "DESC", "LIMIT", "1", "3"],
  ["SORT", "l"],
  ["SORT", "l", "ALPHA"],
  ["SORT", "l", "ALPHA", "DESC", "LIMIT", "-5", "3"],
  ["SORT", "l", "BY", "w_*"],
  ["SORT", "l", "BY", "w_*", "ALPHA"],
  ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "GET", "w_*", "GET", "h_*->"],
  ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
  ["SORT", "l", "BY", "h_*->f", "ALPHA", "GET", "#"],
  ["SORT", "l", "LIMIT", "1"],
  ["SORT", "l", "LIMIT", "x", "1"],
  ["SORT", "l", "FOO"],
  ["SORT", "n", "STORE", "dst"],
  ["LRANGE", "dst", "0", "-1"],
  ["SORT", "l", "BY", "w_*", "GET", "h_*->f", "STORE", "dst"],
  ["LRANGE", "dst", "0", "-1"],
  ["SORT", "nokey", "STORE", "dst"],
  ["EXISTS", "dst"],
  ["SORT_RO", "n", "STORE", "dst"],
  ["SORT_RO", "l", "ALPHA", "LIMIT", "0", "2"],
  ["SADD", "s", "5", "2", "9"],
  ["SORT", "s"],
  ["SORT", "s", "BY", "nosort", "STORE", "dst"],
  ["LRANGE", "dst", "0", "-1"],
  ["ZADD", "z", "1", "c", "2", "b", "3", "a"],
  ["SORT", "z", "ALPHA"],
  ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "5"],
  ["SET", "str", "x"],
  ["SORT", "str"],
  ["SORT", "str", "FOO"],
  ["COMMAND", "GETKEYS", "SORT", "abc", "STORE", "a", "STORE", "b"],
  // Ties under ALPHA BY with a LIMIT: Redis's partial quicksort decides their order.
  ["RPUSH", "big", ...Array.from({ length: 120 }, (_, i) => String(i))],
  ["MSET", ...Array.from({ length: 120 }, (_, i) => [`t_${i}`, String(i % 4)]).flat()],
  ["SORT", "big", "BY", "t_*", "ALPHA", "LIMIT", "10", "20"],
  ["SORT", "big", "BY", "t_*", "ALPHA", "DESC", "LIMIT", "0", "7"],
  ["SORT", "big", "BY", "nokey_*", "ALPHA", "LIMIT", "50", "30"],
  ["SORT", "big", "BY", "t_*", "ALPHA"],
];

Deno.test("SORT: same replies as redis-server (RESP2)", async () => {
  await sameAsRedis(steps);
});

Deno.test("SORT: same replies as redis-server (RESP3)", async () => {
  await sameAsRedis(steps, { protocol: 3 });
});
