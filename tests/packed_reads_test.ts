/**
 * Reads of many small collections against redis-server's replies and keyspace_hits: thousands of
 * keys push each other out of the key table's ring of recent collections, so most reads find
 * theirs kept packed and read it in place (keytable_access.ts valueToRead), some just written.
 */
import { sameReadsAsRedis } from "./redis_compare.ts";

/** A hashtable's order is its own (as in Redis): an array reply compared sorted. */
function sorted(reply: unknown): string[] {
  return (reply as string[]).slice().sort();
}

Deno.test("reads of many small hashes, most kept packed, answer as Redis's", async () => {
  // 3000 hashes push each other out of the ring of recent collections: most reads find them
  // packed (HGET, HMGET, HEXISTS, HSTRLEN, HGETALL read them in place), some just written.
  const keys = Array.from({ length: 3000 }, (_, i) => `h:${i}`);
  const writes = keys.map((key, i) => [
    "HSET",
    key,
    ...Array.from(
      { length: 1 + i % 5 },
      (_, j) => [`f${j}`, i % 97 === 0 ? "x".repeat(70) : `v${i}`],
    )
      .flat(),
  ]);
  const reads = keys.flatMap((key, i) => [
    ["HGET", key, `f${i % 5}`],
    ["HGET", key, "f0"],
    ["HMGET", key, "f0", "f4", "nofield"],
    ["HEXISTS", key, "f1"],
    ["HSTRLEN", key, "f0"],
    ["HGETALL", key],
    ["HKEYS", key],
    ["HVALS", key],
    ["HLEN", key],
    ["HRANDFIELD", key, "10", "WITHVALUES"],
    ["HSCAN", key, "0", "COUNT", "100"],
    ["OBJECT", "ENCODING", key],
  ]);
  // A hashtable's order is its table's (as in Redis, not insertion order), HRANDFIELD's random:
  // compared sorted.
  const sortedIfTable = (reply: unknown, i: number) => {
    const [command] = reads[i]!;
    if (command === "HSCAN") {
      return [(reply as unknown[])[0], ((reply as string[][])[1]!).toSorted()];
    }
    const table = Math.floor(i / 12) % 97 === 0 || command === "HRANDFIELD";
    return table && Array.isArray(reply) && command !== "HMGET" ? reply.toSorted() : reply;
  };
  await sameReadsAsRedis(writes, reads, sortedIfTable);
});

Deno.test("reads of many small sets, most kept packed, answer as Redis's", async () => {
  // 3000 sets push each other out of the ring of recent collections: most reads find them
  // packed (SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER and SSCAN read them in place).
  const keys = Array.from({ length: 3000 }, (_, i) => `s:${i}`);
  const members = (i: number) =>
    Array.from({ length: 1 + i % 5 }, (_, j) => i % 2 === 0 ? `${i * 10 + j}` : `m${i}:${j}`);
  const writes = keys.map((key, i) => ["SADD", key, ...members(i)]);
  const reads = keys.flatMap((key, i) => [
    ["SISMEMBER", key, members(i).at(-1)!],
    ["SISMEMBER", key, "nomember"],
    ["SMISMEMBER", key, members(i)[0]!, "nomember"],
    ["SMEMBERS", key],
    ["SRANDMEMBER", key, "10"],
    ["SSCAN", key, "0", "COUNT", "100"],
    ["SCARD", key],
    ["OBJECT", "ENCODING", key],
  ]);
  // A hashtable's order is its table's: compared sorted (an intset's is ascending, kept).
  const sortedReply = (reply: unknown): unknown =>
    Array.isArray(reply) ? reply.map((r) => Array.isArray(r) ? sorted(r) : r) : reply;
  const sortedIfTable = (reply: unknown, at: number) =>
    Math.floor(at / 8) % 2 === 1 || reads[at]![0] === "SRANDMEMBER"
      ? (reads[at]![0] === "SSCAN"
        ? sortedReply(reply)
        : Array.isArray(reply)
        ? sorted(reply)
        : reply)
      : reply;
  await sameReadsAsRedis(writes, reads, sortedIfTable);
});

Deno.test("reads of many small lists, most kept packed, answer as Redis's", async () => {
  // 3000 lists push each other out of the ring of recent collections: most reads find them
  // packed (LRANGE, LINDEX and LPOS read them in place).
  const keys = Array.from({ length: 3000 }, (_, i) => `l:${i}`);
  const writes = keys.map((key, i) => [
    "RPUSH",
    key,
    ...Array.from({ length: 1 + i % 6 }, (_, j) => j % 3 === 0 ? "same" : `e${i}:${j}`),
  ]);
  const reads = keys.flatMap((key, i) => [
    ["LRANGE", key, "0", "-1"],
    ["LRANGE", key, "1", "-2"],
    ["LINDEX", key, "-1"],
    ["LINDEX", key, `${i % 7}`],
    ["LPOS", key, "same", "COUNT", "0"],
    ["LPOS", key, "same", "RANK", "-1"],
    ["LLEN", key],
    ["OBJECT", "ENCODING", key],
  ]);
  await sameReadsAsRedis(writes, reads);
});

Deno.test("reads of many small sorted sets, most kept packed, answer as Redis's", async () => {
  // 3000 sets push each other out of the ring of recent collections: most reads find them
  // packed (ZSCORE, ZRANK, ZRANGE and the other reads, GEOPOS too, read them in place).
  const keys = Array.from({ length: 3000 }, (_, i) => `z:${i}`);
  const writes = keys.map((key, i) => [
    "ZADD",
    key,
    ...Array.from({ length: 1 + i % 5 }, (_, j) => [`${(i % 7) + j / 4}`, `m${j}`]).flat(),
  ]);
  const reads = keys.flatMap((key, i) => [
    ["ZSCORE", key, `m${i % 5}`],
    ["ZMSCORE", key, "m0", "nomember"],
    ["ZRANK", key, "m0"],
    ["ZREVRANK", key, "m1"],
    ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    ["ZRANGE", key, "(1", "+inf", "BYSCORE", "REV", "LIMIT", "0", "2"],
    ["ZRANGEBYLEX", key, "[m1", "+"],
    ["ZCOUNT", key, "1", "3"],
    ["ZLEXCOUNT", key, "-", "(m2"],
    ["ZRANDMEMBER", key, "10", "WITHSCORES"],
    ["ZSCAN", key, "0"],
    ["ZCARD", key],
    ["GEOHASH", key, "m0"],
    ["OBJECT", "ENCODING", key],
  ]);
  // ZRANDMEMBER's order is random: compared as sorted pairs.
  const pairs = (reply: unknown) =>
    Array.from(
      { length: (reply as string[]).length / 2 },
      (_, k) => `${(reply as string[])[2 * k]} ${(reply as string[])[2 * k + 1]}`,
    ).sort();
  await sameReadsAsRedis(
    writes,
    reads,
    (reply, at) => reads[at]![0] === "ZRANDMEMBER" ? pairs(reply) : reply,
  );
});
