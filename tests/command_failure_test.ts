/**
 * Errors a handler ends with by ctx.fail rather than a throw (INCR's, GET's
 * WRONGTYPE, the WRONGTYPE of the collections' lookups, by a key's bytes or
 * its string): the same reply, statistics and rollback as a thrown CommandError,
 * in a plain call, in EXEC, in a script and over the native protocol, and
 * nothing left over for the next command.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { infoFields, NativeClient, RespClient, startServer } from "./helpers.ts";

const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };
const OVERFLOW = { error: "ERR increment or decrement would overflow" };
const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

async function setUp(c: RespClient): Promise<void> {
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  await c.cmd("SET", "s", "abc");
  await c.cmd("SET", "long", "99999999999999999999");
  await c.cmd("SET", "max", "9223372036854775807");
  await c.cmd("ZADD", "z", "1", "a");
}

Deno.test("INCR's and GET's errors: replies, then the next command as if none", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await setUp(c);
  deepEqual(await c.cmd("INCR", "s"), NOT_INTEGER);
  equal(await c.cmd("INCR", "n"), 1);
  deepEqual(await c.cmd("INCRBY", "long", "1"), NOT_INTEGER);
  deepEqual(await c.cmd("INCR", "max"), OVERFLOW);
  deepEqual(await c.cmd("DECRBY", "s", "12345678901234567890"), NOT_INTEGER);
  deepEqual(await c.cmd("GET", "z"), WRONGTYPE);
  equal(await c.cmd("GET", "s"), "abc");
  equal(await c.cmd("GET", "max"), "9223372036854775807");
  const fields = infoFields(await c.cmd("INFO", "commandstats", "errorstats", "stats"));
  match(fields.get("cmdstat_incr")!, /^calls=3,.*,rejected_calls=0,failed_calls=2$/);
  match(fields.get("cmdstat_incrby")!, /^calls=1,.*,failed_calls=1$/);
  match(fields.get("cmdstat_get")!, /^calls=3,.*,failed_calls=1$/);
  equal(fields.get("errorstat_ERR"), "count=4");
  equal(fields.get("errorstat_WRONGTYPE"), "count=1");
  equal(fields.get("total_error_replies"), "5");
  // A WRONGTYPE read is a keyspace hit, as in Redis.
  equal(fields.get("keyspace_hits"), "3");
});

Deno.test("INCR's and GET's errors inside EXEC and a script", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await setUp(c);
  equal(await c.cmd("MULTI"), "OK");
  for (const args of [["INCR", "s"], ["INCR", "n"], ["GET", "z"], ["GET", "s"]]) {
    equal(await c.cmd(...args), "QUEUED");
  }
  deepEqual(await c.cmd("EXEC"), [NOT_INTEGER, 1, WRONGTYPE, "abc"]);
  deepEqual(await c.cmd("EVAL", "return redis.pcall('incr', KEYS[1])", "1", "s"), NOT_INTEGER);
  deepEqual(await c.cmd("EVAL", "return redis.pcall('get', KEYS[1])", "1", "z"), WRONGTYPE);
  // A failed redis.call ends the script with its error, and the next command is unaffected.
  const failed = await c.cmd("EVAL", "redis.call('incr', KEYS[1]); return 1", "1", "s");
  match((failed as { error: string }).error, /^ERR value is not an integer or out of range/);
  equal(await c.cmd("EVAL", "return redis.call('incr', KEYS[1])", "1", "n"), 2);
});

Deno.test("INCR's and GET's errors over the native protocol", async () => {
  await using srv = startServer();
  using r = await RespClient.connect(srv.port);
  await setUp(r);
  using c = await NativeClient.connect(srv.port);
  deepEqual(await c.call("incr", "s"), { type: "err", code: 4, message: NOT_INTEGER.error });
  deepEqual(await c.call("get", "z"), { type: "err", code: 3, message: WRONGTYPE.error });
  deepEqual(await c.call("get", "s"), { type: "str", value: "abc" });
});

Deno.test("the collections' WRONGTYPE of a key given as its bytes: reply, key kept, a hit counted", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  await c.cmd("SET", "text", "abc");
  await c.cmd("HSET", "hash", "f", "v");
  const wrong: string[][] = [
    ["HSET", "text", "f", "v"],
    ["HINCRBY", "text", "f", "1"],
    ["HGET", "text", "f"],
    ["LPUSH", "text", "v"],
    ["RPUSH", "hash", "v"],
    ["LPOP", "text"],
    ["LLEN", "hash"],
    ["SADD", "text", "m"],
    ["SPOP", "hash"],
    ["SISMEMBER", "text", "m"],
    ["SCARD", "hash"],
    ["ZADD", "text", "1", "m"],
    ["ZQUERY", "hash", "0", "", "0", "10"],
    ["XADD", "text", "*", "f", "v"],
  ];
  for (const args of wrong) deepEqual(await c.cmd(...args), WRONGTYPE, args.join(" "));
  equal(await c.cmd("GET", "text"), "abc");
  deepEqual(await c.cmd("HGETALL", "hash"), ["f", "v"]);
  const fields = infoFields(await c.cmd("INFO", "errorstats", "stats", "commandstats"));
  equal(fields.get("errorstat_WRONGTYPE"), `count=${wrong.length}`);
  match(fields.get("cmdstat_hset")!, /^calls=2,.*,failed_calls=1$/);
  // The reads among them (HGET, LLEN, SISMEMBER, SCARD, ZQUERY) found their key, as in Redis.
  equal(fields.get("keyspace_hits"), "7");
  equal(fields.get("keyspace_misses"), "0");
});

/** Reads whose lookup (db.readObject, db.readString, db.viewBytes...) returns WRONG_TYPE, on a key of another type. */
const WRONG_READS: string[][] = [
  ["HGETALL", "text"],
  ["HKEYS", "text"],
  ["HVALS", "text"],
  ["HMGET", "text", "f", "g"],
  ["HLEN", "text"],
  ["HSTRLEN", "text", "f"],
  ["HEXISTS", "text", "f"],
  ["HRANDFIELD", "text"],
  ["HRANDFIELD", "text", "2"],
  ["HSCAN", "text", "0"],
  ["SMEMBERS", "hash"],
  ["SMISMEMBER", "hash", "a", "b"],
  ["SRANDMEMBER", "hash"],
  ["SRANDMEMBER", "hash", "2"],
  ["SSCAN", "hash", "0"],
  ["SUNION", "hash", "text"],
  ["ZSCORE", "text", "m"],
  ["ZMSCORE", "text", "m", "n"],
  ["ZCARD", "text"],
  ["ZRANK", "text", "m"],
  ["ZREVRANK", "text", "m"],
  ["ZRANDMEMBER", "text"],
  ["ZRANDMEMBER", "text", "2"],
  ["ZSCAN", "text", "0"],
  ["ZRANGE", "text", "0", "-1"],
  ["ZRANGEBYSCORE", "text", "0", "1"],
  ["ZCOUNT", "text", "0", "1"],
  ["ZLEXCOUNT", "text", "-", "+"],
  ["LRANGE", "hash", "0", "-1"],
  ["LINDEX", "hash", "0"],
  ["LPOS", "hash", "v"],
  ["GEODIST", "text", "a", "b"],
  ["GEOHASH", "text", "a"],
  ["GEOPOS", "text", "a"],
  ["GEOSEARCH", "text", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
  ["XLEN", "text"],
  ["XRANGE", "text", "-", "+"],
  ["STRLEN", "hash"],
  ["GETRANGE", "hash", "0", "1"],
  ["GETEX", "hash"],
  ["GETSET", "hash", "v"],
  ["GETDEL", "hash"],
  ["SET", "hash", "v", "GET"],
  // The bit and HyperLogLog reads (db.viewBytes).
  ["GETBIT", "hash", "0"],
  ["BITCOUNT", "hash"],
  ["BITCOUNT", "hash", "0", "1"],
  ["BITPOS", "hash", "1"],
  ["BITFIELD_RO", "hash", "GET", "u8", "0"],
  ["PFCOUNT", "hash"],
];

Deno.test("the reads' WRONGTYPE by a key's string: reply, one hit each, as redis-server 7 counts", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  await c.cmd("SET", "text", "abc");
  await c.cmd("HSET", "hash", "f", "v");
  for (const args of WRONG_READS) deepEqual(await c.cmd(...args), WRONGTYPE, args.join(" "));
  const fields = infoFields(await c.cmd("INFO", "errorstats", "stats", "commandstats"));
  equal(fields.get("errorstat_WRONGTYPE"), `count=${WRONG_READS.length}`);
  match(fields.get("cmdstat_hmget")!, /^calls=1,.*,failed_calls=1$/);
  // Counted against redis-server 7.0 with the same requests: one hit each, SUNION's first key.
  equal(fields.get("keyspace_hits"), String(WRONG_READS.length));
  equal(fields.get("keyspace_misses"), "0");
  // In EXEC, the error takes its place; a script's pcall gets it as a value.
  equal(await c.cmd("MULTI"), "OK");
  for (
    const args of [["HMGET", "text", "f"], ["HGET", "hash", "f"], ["LRANGE", "hash", "0", "-1"]]
  ) {
    equal(await c.cmd(...args), "QUEUED");
  }
  deepEqual(await c.cmd("EXEC"), [WRONGTYPE, "v", WRONGTYPE]);
  deepEqual(await c.cmd("EVAL", "return redis.pcall('smembers', KEYS[1])", "1", "hash"), WRONGTYPE);
  deepEqual(await c.cmd("HGETALL", "hash"), ["f", "v"]);
  using n = await NativeClient.connect(srv.port);
  deepEqual(await n.call("zrange", "text", "0", "-1"), {
    type: "err",
    code: 3,
    message: WRONGTYPE.error,
  });
  deepEqual(await n.call("hlen", "hash"), { type: "int", value: 1 });
});

/** Writes whose lookup (db.getObject, db.writeObject, db.stringLength) returns WRONG_TYPE, on a key of another type. */
const WRONG_WRITES: string[][] = [
  ["HSET", "text", "f", "v", "g", "w"],
  ["HSETNX", "text", "f", "v"],
  ["HDEL", "text", "f"],
  ["HINCRBYFLOAT", "text", "f", "1.5"],
  ["SADD", "text", "a", "b"],
  ["SREM", "text", "a"],
  ["SPOP", "text", "2"],
  ["SMOVE", "text", "set", "a"],
  ["SMOVE", "set", "text", "a"],
  ["LPUSH", "text", "a", "b"],
  ["LPUSHX", "text", "a"],
  ["LPOP", "text", "2"],
  ["LSET", "text", "0", "a"],
  ["LINSERT", "text", "BEFORE", "a", "b"],
  ["LREM", "text", "0", "a"],
  ["LTRIM", "text", "0", "1"],
  ["LMOVE", "text", "list", "LEFT", "LEFT"],
  ["LMOVE", "list", "text", "LEFT", "LEFT"],
  ["LMPOP", "2", "nosuch", "text", "LEFT"],
  ["BLPOP", "text", "1"],
  ["BLMOVE", "text", "list", "LEFT", "LEFT", "1"],
  ["ZADD", "text", "1", "a", "2", "b"],
  ["ZINCRBY", "text", "1", "a"],
  ["ZREM", "text", "a"],
  ["ZREMRANGEBYRANK", "text", "0", "1"],
  ["ZPOPMIN", "text"],
  ["BZPOPMIN", "text", "1"],
  ["GEOADD", "text", "0", "0", "a"],
  ["XADD", "text", "*", "f", "v"],
  // String edits of a list (db.stringLength): the type is refused before a length is checked.
  ["APPEND", "list", "x"],
  ["SETRANGE", "list", "0", "x"],
  ["SETRANGE", "list", "0", ""],
  ["SETRANGE", "list", "536870912", "x"],
  ["INCR", "list"],
  ["INCRBY", "list", "2"],
  ["INCRBYFLOAT", "list", "1"],
];

Deno.test("the writes' WRONGTYPE by a key's string: reply, nothing changed, counted", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("CONFIG", "RESETSTAT"), "OK");
  await c.cmd("SET", "text", "abc");
  await c.cmd("RPUSH", "list", "a", "b");
  await c.cmd("SADD", "set", "a");
  for (const args of WRONG_WRITES) deepEqual(await c.cmd(...args), WRONGTYPE, args.join(" "));
  // A missing source answers 0 whatever the destination holds, as in Redis.
  equal(await c.cmd("SMOVE", "nosuch", "text", "a"), 0);
  equal(await c.cmd("GET", "text"), "abc");
  deepEqual(await c.cmd("LRANGE", "list", "0", "-1"), ["a", "b"]);
  deepEqual(await c.cmd("SMEMBERS", "set"), ["a"]);
  const fields = infoFields(await c.cmd("INFO", "errorstats", "stats", "commandstats"));
  equal(fields.get("errorstat_WRONGTYPE"), `count=${WRONG_WRITES.length}`);
  match(fields.get("cmdstat_smove")!, /^calls=3,.*,failed_calls=2$/);
  match(fields.get("cmdstat_lmove")!, /^calls=2,.*,failed_calls=2$/);
  // Writes' lookups count no hit or miss (as redis-server 7.0 counts them): the three reads above do.
  equal(fields.get("keyspace_hits"), "3");
  equal(fields.get("keyspace_misses"), "0");
  equal(await c.cmd("MULTI"), "OK");
  for (const args of [["LPUSH", "text", "a", "b"], ["RPUSH", "list", "c"], ["ZREM", "text", "a"]]) {
    equal(await c.cmd(...args), "QUEUED");
  }
  deepEqual(await c.cmd("EXEC"), [WRONGTYPE, 3, WRONGTYPE]);
});
