/**
 * The command sweep's curated list: one or more commands of every family of
 * the command table, each with the keys it reads written first. Workloads
 * are chosen to stay in a steady state over millions of requests (writes that
 * change nothing after the first request, rotations, random keys for writes
 * that grow), so the cost per request does not drift with the run's length.
 */

/** One command of the sweep, sent by redis-benchmark with `-P 16`. */
export interface SweepCommand {
  /** The name in the report (unique). */
  name: string;
  family: string;
  /** The command line; `__rand_int__` is replaced when `random` is set. */
  command: readonly string[];
  /** Commands sent once before the run, on an empty server. */
  prefill: readonly (readonly string[])[];
  /** Random keys over this many (`-r`); absent for fixed keys. */
  random?: number;
}

const RANDOM_KEYS = 100_000;

/** What fillKeys' script runs for each key: `command key args...`, and every nth an EXPIRE. */
const FILL_SCRIPT = "for i = 0, tonumber(ARGV[1]) - 1 do " +
  "local key = string.format('key:%012d', i) " +
  "redis.call(ARGV[3], key, unpack(ARGV, 4)) " +
  "if tonumber(ARGV[2]) > 0 and i % tonumber(ARGV[2]) == 0 then " +
  "redis.call('EXPIRE', key, 100000) end end";

/**
 * A prefill that writes `count` keys named as redis-benchmark's `-r` names them
 * (`key:000000000042`), by one script that runs `command key args...` for each
 * (`argv` is the command without its key); with `ttlEvery` n, every nth key is
 * given a TTL too. Commands over many keys measure what one hot key hides:
 * cache misses, lazy expiry, collections kept packed.
 */
export function fillKeys(argv: readonly string[], ttlEvery = 0, count = RANDOM_KEYS): string[] {
  return ["EVAL", FILL_SCRIPT, "0", String(count), String(ttlEvery), ...argv];
}

/** `count` numbered words: `m0 m1 ...`. */
export function words(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/** Pairs of `first(i)` and `second(i)`, flattened: `f0 s0 f1 s1 ...`. */
export function pairs(count: number, first: (i: number) => string, second: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => [first(i), second(i)]).flat();
}

const STRING_KEYS = ["MSET", ...pairs(10, (i) => `k${i}`, () => "value")];
const BITMAP = ["SET", "bm", "x".repeat(1024)];
/** Values of the sizes caches hold: ASCII text, and bytes over 0x7f (UTF-8 "é", as binary data has). */
const VALUE_1K = "v".repeat(1024);
const BINARY_1K = "\u00e9".repeat(512);
const VALUE_16K = "v".repeat(16 * 1024);
const LIST = ["RPUSH", "l", ...words("", 100)];
const BIG_LIST = ["RPUSH", "lbig", ...words("e", 600)];
const HASH = ["HSET", "h", ...pairs(10, (i) => `f${i}`, (i) => String(i))];
const SET_A = ["SADD", "s1", ...words("m", 100)];
const SET_B = ["SADD", "s2", ...words("m", 150).slice(50)];
const ZSET = ["ZADD", "z", ...pairs(100, (i) => String(i), (i) => `m${i}`)];
const ZSET_B = ["ZADD", "z2", ...pairs(100, (i) => String(i * 2), (i) => `m${i * 2}`)];
const LEX_ZSET = ["ZADD", "zl", ...pairs(100, () => "0", (i) => `m${String(i).padStart(3, "0")}`)];
const GEO = [
  "GEOADD",
  "g",
  ...Array.from({ length: 100 }, (_, i) => [
    String(13 + (i % 10) / 100),
    String(38 + Math.floor(i / 10) / 100),
    `p${i}`,
  ]).flat(),
];
const STREAM = Array.from({ length: 100 }, (_, i) => ["XADD", "st", `${i + 1}-0`, "f", "v"]);
const KEYS_1000 = ["MSET", ...pairs(1000, (i) => `key${i}`, () => "v")];
const INCR_SCRIPT = "return redis.call('incr', KEYS[1])";
const INCR_SHA = "2bab3b661081db58bd2341920e0ba7cf5dc77b25";

/** A key of the 100k fillKeys writes, as redis-benchmark's `-r 100000` picks them. */
const KEY = "key:__rand_int__";
const HASH_3 = ["HSET", "f1", "v", "f2", "v", "f3", "v"];

type Row = [name: string, command: string[], prefill: (readonly string[])[], random?: boolean];

const FAMILIES: Record<string, Row[]> = {
  strings: [
    ["GET", ["GET", "k0"], [STRING_KEYS]],
    ["SET", ["SET", "k0", "value"], []],
    ["SETNX", ["SETNX", "k0", "value"], [STRING_KEYS]],
    ["SETEX", ["SETEX", "k0", "100", "value"], []],
    ["PSETEX", ["PSETEX", "k0", "100000", "value"], []],
    ["SET EX", ["SET", "k0", "value", "EX", "100"], []],
    ["GETSET", ["GETSET", "k0", "value"], [STRING_KEYS]],
    ["GETEX", ["GETEX", "k0", "EX", "100"], [STRING_KEYS]],
    ["GETDEL", ["GETDEL", "key:__rand_int__"], [STRING_KEYS], true],
    ["SET (1 KB)", ["SET", "k0", VALUE_1K], []],
    ["GET (1 KB)", ["GET", "v1k"], [["SET", "v1k", VALUE_1K]]],
    ["SET (1 KB binary)", ["SET", "k0", BINARY_1K], []],
    ["GET (1 KB binary)", ["GET", "b1k"], [["SET", "b1k", BINARY_1K]]],
    ["SET (16 KB)", ["SET", "k0", VALUE_16K], []],
    ["GET (16 KB)", ["GET", "v16k"], [["SET", "v16k", VALUE_16K]]],
    ["MGET (10 keys)", ["MGET", ...words("k", 10)], [STRING_KEYS]],
    ["MSET (10 keys)", STRING_KEYS, []],
    ["MSETNX", ["MSETNX", "k0", "v", "k1", "v"], [STRING_KEYS]],
    ["INCR", ["INCR", "n"], []],
    ["INCRBY", ["INCRBY", "n", "7"], []],
    ["DECRBY", ["DECRBY", "n", "7"], []],
    ["INCRBYFLOAT", ["INCRBYFLOAT", "f", "1.5"], []],
    ["APPEND", ["APPEND", "key:__rand_int__", "abc"], [], true],
    ["STRLEN", ["STRLEN", "k0"], [STRING_KEYS]],
    ["SETRANGE", ["SETRANGE", "k0", "2", "abc"], [STRING_KEYS]],
    ["GETRANGE", ["GETRANGE", "k0", "1", "3"], [STRING_KEYS]],
    ["LCS", ["LCS", "k0", "k1"], [STRING_KEYS]],
  ],
  bitmaps: [
    ["SETBIT", ["SETBIT", "bm", "5000", "1"], [BITMAP]],
    ["GETBIT", ["GETBIT", "bm", "5000"], [BITMAP]],
    ["BITCOUNT (1 KB)", ["BITCOUNT", "bm"], [BITMAP]],
    ["BITCOUNT range", ["BITCOUNT", "bm", "10", "20"], [BITMAP]],
    ["BITPOS", ["BITPOS", "bm", "0"], [BITMAP]],
    ["BITOP AND (1 KB)", ["BITOP", "AND", "bd", "bm", "bm"], [BITMAP]],
    ["BITFIELD", ["BITFIELD", "bm", "INCRBY", "u8", "100", "1", "GET", "u4", "0"], [BITMAP]],
  ],
  hyperloglog: [
    ["PFADD", ["PFADD", "hll", "e:__rand_int__"], [["PFADD", "hll", ...words("e", 100)]], true],
    ["PFCOUNT", ["PFCOUNT", "hll"], [["PFADD", "hll", ...words("e", 100)]]],
    ["PFCOUNT (2 keys)", ["PFCOUNT", "hll", "hll2"], [
      ["PFADD", "hll", ...words("e", 100)],
      ["PFADD", "hll2", ...words("x", 100)],
    ]],
    ["PFMERGE", ["PFMERGE", "hll3", "hll", "hll2"], [
      ["PFADD", "hll", ...words("e", 100)],
      ["PFADD", "hll2", ...words("x", 100)],
    ]],
  ],
  keys: [
    ["EXISTS", ["EXISTS", "k0"], [STRING_KEYS]],
    ["TYPE", ["TYPE", "k0"], [STRING_KEYS]],
    ["DEL (random, mostly missing)", ["DEL", "key:__rand_int__"], [KEYS_1000], true],
    ["UNLINK", ["UNLINK", "key:__rand_int__"], [KEYS_1000], true],
    ["TOUCH", ["TOUCH", "k0"], [STRING_KEYS]],
    ["EXPIRE", ["EXPIRE", "k0", "100"], [STRING_KEYS]],
    ["PEXPIRE", ["PEXPIRE", "k0", "100000"], [STRING_KEYS]],
    ["EXPIREAT", ["EXPIREAT", "k0", "4000000000"], [STRING_KEYS]],
    ["TTL", ["TTL", "k0"], [STRING_KEYS, ["EXPIRE", "k0", "1000"]]],
    ["PTTL", ["PTTL", "k0"], [STRING_KEYS, ["EXPIRE", "k0", "1000"]]],
    ["EXPIRETIME", ["EXPIRETIME", "k0"], [STRING_KEYS, ["EXPIRE", "k0", "1000"]]],
    ["PERSIST", ["PERSIST", "k0"], [STRING_KEYS]],
    ["RANDOMKEY", ["RANDOMKEY"], [KEYS_1000]],
    ["OBJECT ENCODING", ["OBJECT", "ENCODING", "k0"], [STRING_KEYS]],
    ["COPY", ["COPY", "k0", "k9", "REPLACE"], [STRING_KEYS]],
    ["RENAME", ["RENAME", "k0", "k0"], [STRING_KEYS]],
  ],
  hashes: [
    ["HGET", ["HGET", "h", "f5"], [HASH]],
    ["HSET", ["HSET", "h", "f5", "5"], [HASH]],
    ["HSETNX", ["HSETNX", "h", "f5", "5"], [HASH]],
    ["HMGET", ["HMGET", "h", "f1", "f2", "f3"], [HASH]],
    ["HGETALL (10)", ["HGETALL", "h"], [HASH]],
    ["HKEYS", ["HKEYS", "h"], [HASH]],
    ["HVALS", ["HVALS", "h"], [HASH]],
    ["HLEN", ["HLEN", "h"], [HASH]],
    ["HEXISTS", ["HEXISTS", "h", "f5"], [HASH]],
    ["HSTRLEN", ["HSTRLEN", "h", "f5"], [HASH]],
    ["HINCRBY", ["HINCRBY", "h", "f5", "1"], [HASH]],
    ["HINCRBYFLOAT", ["HINCRBYFLOAT", "h", "f5", "1.5"], [HASH]],
    ["HDEL (missing)", ["HDEL", "h", "nofield"], [HASH]],
    ["HRANDFIELD", ["HRANDFIELD", "h"], [HASH]],
  ],
  lists: [
    ["LLEN", ["LLEN", "l"], [LIST]],
    ["LINDEX", ["LINDEX", "l", "50"], [LIST]],
    ["LSET", ["LSET", "l", "50", "x"], [LIST]],
    ["LRANGE 10", ["LRANGE", "l", "0", "9"], [LIST]],
    ["LRANGE_100", ["LRANGE", "l", "0", "99"], [LIST]],
    ["LRANGE_500", ["LRANGE", "lbig", "0", "499"], [BIG_LIST]],
    ["LPOS", ["LPOS", "l", "50"], [LIST]],
    ["LREM (missing)", ["LREM", "l", "0", "nothing"], [LIST]],
    ["LMOVE (rotate)", ["LMOVE", "l", "l", "RIGHT", "LEFT"], [LIST]],
    ["RPOPLPUSH (rotate)", ["RPOPLPUSH", "l", "l"], [LIST]],
    ["LTRIM (no-op)", ["LTRIM", "l", "0", "99"], [LIST]],
    ["LPUSHX (missing)", ["LPUSHX", "nolist", "x"], []],
    ["LPUSH", ["LPUSH", "key:__rand_int__", "x"], [], true],
    ["RPOP (random)", ["RPOP", "key:__rand_int__"], [], true],
  ],
  sets: [
    ["SADD (existing)", ["SADD", "s1", "m5"], [SET_A]],
    ["SREM (missing)", ["SREM", "s1", "nomember"], [SET_A]],
    ["SISMEMBER", ["SISMEMBER", "s1", "m5"], [SET_A]],
    ["SMISMEMBER", ["SMISMEMBER", "s1", "m5", "m6", "x"], [SET_A]],
    ["SCARD", ["SCARD", "s1"], [SET_A]],
    ["SMEMBERS (100)", ["SMEMBERS", "s1"], [SET_A]],
    ["SRANDMEMBER", ["SRANDMEMBER", "s1"], [SET_A]],
    ["SRANDMEMBER 10", ["SRANDMEMBER", "s1", "10"], [SET_A]],
    ["SINTER (100, 100)", ["SINTER", "s1", "s2"], [SET_A, SET_B]],
    ["SINTERCARD", ["SINTERCARD", "2", "s1", "s2"], [SET_A, SET_B]],
    ["SUNION (100, 100)", ["SUNION", "s1", "s2"], [SET_A, SET_B]],
    ["SDIFF (100, 100)", ["SDIFF", "s1", "s2"], [SET_A, SET_B]],
    ["SINTERSTORE", ["SINTERSTORE", "s3", "s1", "s2"], [SET_A, SET_B]],
    ["SMOVE (same set)", ["SMOVE", "s1", "s1", "m5"], [SET_A]],
  ],
  "sorted sets": [
    ["ZADD (existing)", ["ZADD", "z", "5", "m5"], [ZSET]],
    ["ZINCRBY", ["ZINCRBY", "z", "1", "m5"], [ZSET]],
    ["ZSCORE", ["ZSCORE", "z", "m5"], [ZSET]],
    ["ZMSCORE", ["ZMSCORE", "z", "m5", "m6", "x"], [ZSET]],
    ["ZRANK", ["ZRANK", "z", "m50"], [ZSET]],
    ["ZREVRANK", ["ZREVRANK", "z", "m50"], [ZSET]],
    ["ZCARD", ["ZCARD", "z"], [ZSET]],
    ["ZCOUNT", ["ZCOUNT", "z", "10", "20"], [ZSET]],
    ["ZRANGE 10", ["ZRANGE", "z", "0", "9"], [ZSET]],
    ["ZRANGE 100 WITHSCORES", ["ZRANGE", "z", "0", "-1", "WITHSCORES"], [ZSET]],
    ["ZREVRANGE 10", ["ZREVRANGE", "z", "0", "9"], [ZSET]],
    ["ZRANGEBYSCORE", ["ZRANGEBYSCORE", "z", "10", "20"], [ZSET]],
    ["ZRANGEBYLEX", ["ZRANGEBYLEX", "zl", "[m010", "[m020"], [LEX_ZSET]],
    ["ZLEXCOUNT", ["ZLEXCOUNT", "zl", "[m010", "[m020"], [LEX_ZSET]],
    ["ZREM (missing)", ["ZREM", "z", "nomember"], [ZSET]],
    ["ZRANDMEMBER", ["ZRANDMEMBER", "z"], [ZSET]],
    ["ZUNIONSTORE", ["ZUNIONSTORE", "z3", "2", "z", "z2"], [ZSET, ZSET_B]],
    ["ZINTER", ["ZINTER", "2", "z", "z2"], [ZSET, ZSET_B]],
    ["ZPOPMIN (random)", ["ZPOPMIN", "key:__rand_int__"], [], true],
  ],
  geo: [
    ["GEOADD (existing)", ["GEOADD", "g", "13.05", "38.05", "p55"], [GEO]],
    ["GEOPOS", ["GEOPOS", "g", "p5", "p6"], [GEO]],
    ["GEODIST", ["GEODIST", "g", "p5", "p60", "km"], [GEO]],
    ["GEOHASH", ["GEOHASH", "g", "p5"], [GEO]],
    ["GEOSEARCH radius", [
      "GEOSEARCH",
      "g",
      "FROMLONLAT",
      "13.05",
      "38.05",
      "BYRADIUS",
      "3",
      "km",
      "ASC",
    ], [GEO]],
    ["GEORADIUSBYMEMBER", ["GEORADIUSBYMEMBER", "g", "p55", "2", "km", "COUNT", "5"], [GEO]],
  ],
  streams: [
    ["XLEN", ["XLEN", "st"], STREAM],
    ["XRANGE 10", ["XRANGE", "st", "-", "+", "COUNT", "10"], STREAM],
    ["XREVRANGE 10", ["XREVRANGE", "st", "+", "-", "COUNT", "10"], STREAM],
    ["XREAD 10", ["XREAD", "COUNT", "10", "STREAMS", "st", "50-0"], STREAM],
    [
      "XREADGROUP (history)",
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "st", "0"],
      [
        ...STREAM,
        ["XGROUP", "CREATE", "st", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "COUNT", "20", "STREAMS", "st", ">"],
      ],
    ],
    ["XPENDING", ["XPENDING", "st", "g"], [
      ...STREAM,
      ["XGROUP", "CREATE", "st", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "20", "STREAMS", "st", ">"],
    ]],
    ["XACK (missing)", ["XACK", "st", "g", "1000-0"], [
      ...STREAM,
      ["XGROUP", "CREATE", "st", "g", "0"],
    ]],
    ["XADD", ["XADD", "key:__rand_int__", "*", "f", "v"], [], true],
    ["XTRIM (no-op)", ["XTRIM", "st", "MAXLEN", "1000"], STREAM],
    ["XDEL (missing)", ["XDEL", "st", "1000-0"], STREAM],
  ],
  "100k keys": [
    ["GET (100k volatile)", ["GET", KEY], [fillKeys(["SET", "value"], 1)], true],
    ["TTL (100k volatile)", ["TTL", KEY], [fillKeys(["SET", "value"], 1)], true],
    ["EXPIRE (100k keys)", ["EXPIRE", KEY, "100000"], [fillKeys(["SET", "value"], 1)], true],
    ["SETEX (100k keys)", ["SETEX", KEY, "100000", "value"], [fillKeys(["SET", "value"], 1)], true],
    ["STRLEN (100k, 1 in 10 volatile)", ["STRLEN", KEY], [fillKeys(["SET", "value"], 10)], true],
    ["GETRANGE (100k, 1 in 10 volatile)", ["GETRANGE", KEY, "1", "3"], [
      fillKeys(["SET", "value"], 10),
    ], true],
    ["TYPE (100k hashes)", ["TYPE", KEY], [fillKeys(HASH_3)], true],
    ["HLEN (100k hashes)", ["HLEN", KEY], [fillKeys(HASH_3)], true],
    ["HGET (100k hashes)", ["HGET", KEY, "f2"], [fillKeys(HASH_3)], true],
    ["SCARD (100k sets)", ["SCARD", KEY], [fillKeys(["SADD", "a", "b", "c"])], true],
    ["ZCARD (100k zsets)", ["ZCARD", KEY], [fillKeys(["ZADD", "1", "a", "2", "b"])], true],
    ["LLEN (100k lists)", ["LLEN", KEY], [fillKeys(["RPUSH", "a", "b", "c"])], true],
    ["SISMEMBER (100k sets)", ["SISMEMBER", KEY, "b"], [fillKeys(["SADD", "a", "b", "c"])], true],
    ["SMEMBERS (100k sets)", ["SMEMBERS", KEY], [fillKeys(["SADD", "a", "b", "c"])], true],
    ["ZSCORE (100k zsets)", ["ZSCORE", KEY, "b"], [fillKeys(["ZADD", "1", "a", "2", "b"])], true],
    [
      "ZRANGE (100k zsets)",
      ["ZRANGE", KEY, "0", "-1"],
      [fillKeys(["ZADD", "1", "a", "2", "b"])],
      true,
    ],
    ["LRANGE (100k lists)", ["LRANGE", KEY, "0", "-1"], [fillKeys(["RPUSH", "a", "b", "c"])], true],
    ["PFADD seen (100k HLLs)", ["PFADD", KEY, "a"], [fillKeys(["PFADD", "a", "b", "c"])], true],
    ["PFCOUNT (100k HLLs)", ["PFCOUNT", KEY], [fillKeys(["PFADD", "a", "b", "c"])], true],
    ["SETBIT (100k bitmaps)", ["SETBIT", KEY, "100", "1"], [fillKeys(["SETBIT", "7", "1"])], true],
    ["GETBIT (100k bitmaps)", ["GETBIT", KEY, "7"], [fillKeys(["SETBIT", "7", "1"])], true],
  ],
  "pub/sub": [
    ["PUBLISH", ["PUBLISH", "channel", "message"], []],
  ],
  scripting: [
    ["EVALSHA (INCR script)", ["EVALSHA", INCR_SHA, "1", "n"], [["SCRIPT", "LOAD", INCR_SCRIPT]]],
  ],
  server: [
    ["PING", ["PING"], []],
    ["ECHO", ["ECHO", "hello"], []],
    ["DBSIZE", ["DBSIZE"], [STRING_KEYS]],
    ["TIME", ["TIME"], []],
    ["LASTSAVE", ["LASTSAVE"], []],
    ["SELECT", ["SELECT", "0"], []],
  ],
  scan: [
    ["SCAN (1000 keys)", ["SCAN", "0", "COUNT", "10"], [KEYS_1000]],
    ["HSCAN", ["HSCAN", "h", "0"], [HASH]],
    ["SSCAN", ["SSCAN", "s1", "0"], [SET_A]],
    ["ZSCAN", ["ZSCAN", "z", "0"], [ZSET]],
  ],
  sort: [
    ["SORT (100)", ["SORT", "l"], [LIST]],
    ["SORT LIMIT 10", ["SORT", "l", "LIMIT", "0", "10"], [LIST]],
    ["SORT ALPHA", ["SORT", "s1", "ALPHA", "LIMIT", "0", "10"], [SET_A]],
  ],
};

/** The sweep's commands, family by family. */
export const SWEEP_COMMANDS: SweepCommand[] = Object.entries(FAMILIES).flatMap(([family, rows]) =>
  rows.map(([name, command, prefill, random]) => ({
    name,
    family,
    command,
    prefill,
    ...(random ? { random: RANDOM_KEYS } : {}),
  }))
);

/** The commands named (case-insensitive), in the sweep's order; throws on an unknown name. */
/** A --commands list: comma-separated, a comma inside parentheses part of a name ("DEL (random, mostly missing)"). */
export function splitSweepNames(list: string): string[] {
  return list.split(/,(?![^(]*\))/).map((name) => name.trim()).filter((name) => name !== "");
}

export function selectSweep(names: string[] | undefined): SweepCommand[] {
  if (names === undefined) return SWEEP_COMMANDS;
  const wanted = names.map((name) => name.toLowerCase());
  const unknown = wanted.find((name) =>
    !SWEEP_COMMANDS.some((c) => c.name.toLowerCase() === name || c.family === name)
  );
  if (unknown !== undefined) throw new Error(`unknown sweep command '${unknown}'`);
  return SWEEP_COMMANDS.filter((c) =>
    wanted.includes(c.name.toLowerCase()) || wanted.includes(c.family)
  );
}
