import { deepEqual, equal, throws } from "node:assert/strict";
import { commandFor, MATRIX_TESTS, resolveArgv, selectTests } from "./matrix_tests.ts";

const named = (name: string, protocol = "resp") =>
  MATRIX_TESTS.find((t) => t.name === name && t.protocol === protocol)!;

Deno.test("the matrix holds redis-benchmark's default tests, EVALSHA, XADD and the book's five", () => {
  deepEqual(MATRIX_TESTS.filter((t) => t.protocol === "resp").map((t) => t.name), [
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LRANGE_100",
    "LRANGE_300",
    "LRANGE_500",
    "LRANGE_600",
    "MSET (10 keys)",
    "EVALSHA (INCR script)",
    "XADD",
  ]);
  deepEqual(MATRIX_TESTS.filter((t) => t.protocol === "native").map((t) => t.name), [
    "set",
    "get",
    "del",
    "zadd",
    "zquery",
  ]);
  equal(named("MSET (10 keys)").argv.filter((a) => a === "key:__rand_int__").length, 10);
});

Deno.test("resolveArgv: __score__ is random with random keys and 0 with one key", () => {
  const argv = ["ZADD", "myzset", "__score__", "element:__rand_int__"];
  deepEqual(resolveArgv(argv, true), ["ZADD", "myzset", "__rand_int__", "element:__rand_int__"]);
  deepEqual(resolveArgv(argv, false), ["ZADD", "myzset", "0", "element:__rand_int__"]);
});

Deno.test("commandFor: native tests run their RESP equivalent off the native protocol", () => {
  const zquery = named("zquery", "native");
  deepEqual(commandFor(zquery, true, false), {
    protocol: "native",
    argv: ["zquery", "myzset", "0", "", "0", "10"],
  });
  equal(commandFor(zquery, false, true).protocol, "resp");
  deepEqual(commandFor(zquery, false, true).argv.slice(0, 5), [
    "ZRANGE",
    "myzset",
    "__rand_int__",
    "+inf",
    "BYSCORE",
  ]);
  deepEqual(commandFor(named("PING_INLINE"), false, false), { protocol: "inline", argv: ["PING"] });
});

Deno.test("selectTests picks by name or first word, any case; native-NAME only the native one", () => {
  deepEqual(selectTests(["set", "GET"]).map((t) => `${t.protocol}:${t.name}`), [
    "resp:SET",
    "resp:GET",
    "native:set",
    "native:get",
  ]);
  deepEqual(selectTests(["mset", "native-zquery"]).map((t) => t.name), [
    "MSET (10 keys)",
    "zquery",
  ]);
  equal(selectTests(undefined).length, MATRIX_TESTS.length);
  throws(() => selectTests(["set", "nope"]), /unknown matrix test\(s\): nope/);
});
