/**
 * The commands of the matrix: redis-benchmark's default set with its exact
 * command lines (so figures compare with redis-benchmark's), plus EVALSHA
 * and XADD, and the book's native commands. `__rand_int__` becomes a random
 * 12-digit number with random keys and stays literal with a single key, as
 * in redis-benchmark; `__score__` is `__rand_int__` with random keys and `0`
 * with a single key (redis-benchmark's ZADD).
 */
import type { LoadgenProtocol } from "./loadgen.ts";

/** Requests sent before a test is measured, so it has data to read. */
export interface Preload {
  argv: string[];
  /** The same over RESP, for native tests run on Redis and over RESP. */
  respArgv?: string[];
  requests: number;
}

export interface MatrixTest {
  name: string;
  protocol: "resp" | "native";
  /** Sent as an inline command (PING_INLINE). */
  inline?: boolean;
  argv: string[];
  /** For native tests: the RESP command Redis and redis-home over RESP run instead. */
  respArgv?: string[];
  /** Has no key: measured with a single key only. */
  keyless?: boolean;
  preload?: Preload;
  /** RESP commands sent once before the test (SCRIPT LOAD). */
  prepare?: string[][];
}

const DATA = "xxx";
const LIST_FILL: Preload = { argv: ["RPUSH", "mylist", DATA], requests: 600 };
const INCR_SCRIPT = "return redis.call('incr', KEYS[1])";
/** SHA1 of INCR_SCRIPT, as SCRIPT LOAD returns it. */
export const INCR_SCRIPT_SHA = "2bab3b661081db58bd2341920e0ba7cf5dc77b25";

function lrange(count: number): MatrixTest {
  return {
    name: `LRANGE_${count}`,
    protocol: "resp",
    argv: ["LRANGE", "mylist", "0", String(count - 1)],
    preload: LIST_FILL,
  };
}

const MSET_ARGV = ["MSET"];
for (let i = 0; i < 10; i++) MSET_ARGV.push("key:__rand_int__", DATA);

/** redis-benchmark's default tests in its order, then EVALSHA and XADD. */
export const RESP_TESTS: MatrixTest[] = [
  { name: "PING_INLINE", protocol: "resp", inline: true, argv: ["PING"], keyless: true },
  { name: "PING_MBULK", protocol: "resp", argv: ["PING"], keyless: true },
  { name: "SET", protocol: "resp", argv: ["SET", "key:__rand_int__", DATA] },
  { name: "GET", protocol: "resp", argv: ["GET", "key:__rand_int__"] },
  { name: "INCR", protocol: "resp", argv: ["INCR", "counter:__rand_int__"] },
  { name: "LPUSH", protocol: "resp", argv: ["LPUSH", "mylist", DATA] },
  { name: "RPUSH", protocol: "resp", argv: ["RPUSH", "mylist", DATA] },
  { name: "LPOP", protocol: "resp", argv: ["LPOP", "mylist"] },
  { name: "RPOP", protocol: "resp", argv: ["RPOP", "mylist"] },
  { name: "SADD", protocol: "resp", argv: ["SADD", "myset", "element:__rand_int__"] },
  { name: "HSET", protocol: "resp", argv: ["HSET", "myhash", "element:__rand_int__", DATA] },
  { name: "SPOP", protocol: "resp", argv: ["SPOP", "myset"] },
  { name: "ZADD", protocol: "resp", argv: ["ZADD", "myzset", "__score__", "element:__rand_int__"] },
  { name: "ZPOPMIN", protocol: "resp", argv: ["ZPOPMIN", "myzset"] },
  lrange(100),
  lrange(300),
  lrange(500),
  lrange(600),
  { name: "MSET (10 keys)", protocol: "resp", argv: MSET_ARGV },
  {
    name: "EVALSHA (INCR script)",
    protocol: "resp",
    argv: ["EVALSHA", INCR_SCRIPT_SHA, "1", "counter:__rand_int__"],
    prepare: [["SCRIPT", "LOAD", INCR_SCRIPT]],
  },
  { name: "XADD", protocol: "resp", argv: ["XADD", "mystream:__rand_int__", "*", "field", DATA] },
];

const ZSET_FILL: Preload = {
  argv: ["zadd", "myzset", "__rand_int__", "element:__rand_int__"],
  respArgv: ["ZADD", "myzset", "__rand_int__", "element:__rand_int__"],
  requests: 20_000,
};

/** The book's commands over the native protocol, each with its RESP equivalent. */
export const NATIVE_TESTS: MatrixTest[] = [
  {
    name: "set",
    protocol: "native",
    argv: ["set", "key:__rand_int__", DATA],
    respArgv: ["SET", "key:__rand_int__", DATA],
  },
  {
    name: "get",
    protocol: "native",
    argv: ["get", "key:__rand_int__"],
    respArgv: ["GET", "key:__rand_int__"],
  },
  {
    name: "del",
    protocol: "native",
    argv: ["del", "key:__rand_int__"],
    respArgv: ["DEL", "key:__rand_int__"],
  },
  {
    name: "zadd",
    protocol: "native",
    argv: ["zadd", "myzset", "__score__", "element:__rand_int__"],
    respArgv: ["ZADD", "myzset", "__score__", "element:__rand_int__"],
  },
  {
    // Up to 5 members from a score on: the book's limit counts score and member apart.
    name: "zquery",
    protocol: "native",
    argv: ["zquery", "myzset", "__score__", "", "0", "10"],
    respArgv: ["ZRANGE", "myzset", "__score__", "+inf", "BYSCORE", "LIMIT", "0", "5", "WITHSCORES"],
    preload: ZSET_FILL,
  },
];

export const MATRIX_TESTS: MatrixTest[] = [...RESP_TESTS, ...NATIVE_TESTS];

/** The command line for a keyspace: `__score__` resolved (see the module comment). */
export function resolveArgv(argv: string[], random: boolean): string[] {
  return argv.map((arg) => arg === "__score__" ? (random ? "__rand_int__" : "0") : arg);
}

/** The wire protocol and command a target runs for a test. */
export function commandFor(
  test: MatrixTest,
  native: boolean,
  random: boolean,
): { protocol: LoadgenProtocol; argv: string[] } {
  if (native) return { protocol: "native", argv: resolveArgv(test.argv, random) };
  const argv = test.respArgv ?? test.argv;
  return { protocol: test.inline ? "inline" : "resp", argv: resolveArgv(argv, random) };
}

/** The names a test answers to: its name, its first word, and `native-<name>` for native ones. */
export function testIds(test: MatrixTest): string[] {
  const name = test.name.toLowerCase();
  const ids = [name, name.split(" ")[0]!];
  return test.protocol === "native" ? [...ids, `native-${name}`] : ids;
}

/**
 * The tests `names` picks, case-insensitive (`set` is RESP's SET and the
 * native set; `native-set` only the latter); all of them without names.
 */
export function selectTests(names: string[] | undefined): MatrixTest[] {
  if (names === undefined) return MATRIX_TESTS;
  const wanted = names.map((name) => name.trim().toLowerCase());
  const unknown = wanted.filter((name) => !MATRIX_TESTS.some((t) => testIds(t).includes(name)));
  if (unknown.length > 0) throw new Error(`unknown matrix test(s): ${unknown.join(", ")}`);
  return MATRIX_TESTS.filter((test) => testIds(test).some((id) => wanted.includes(id)));
}
