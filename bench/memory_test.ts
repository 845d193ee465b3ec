import { deepEqual, equal } from "node:assert/strict";
import { DATASETS, loadCommands, padded } from "./memory.ts";

const dataset = (name: string) => DATASETS.find((d) => d.name === name)!;

Deno.test("padded makes every key and value 10 bytes", () => {
  deepEqual([padded("k", 7), padded("v", 999_999)], ["k000000007", "v000999999"]);
});

Deno.test("string keys load as one SET per key", () => {
  deepEqual(loadCommands(dataset("strings"), 2), [
    ["SET", "k000000000", "v000000000"],
    ["SET", "k000000001", "v000000001"],
  ]);
});

Deno.test("containers load through variadic commands of a thousand elements", () => {
  const commands = loadCommands(dataset("zset"), 2500);
  deepEqual(commands.map((argv) => argv.length), [2002, 2002, 1002]);
  deepEqual(commands[2]!.slice(0, 4), ["ZADD", "zset", "2000", "m000002000"]);
  equal(loadCommands(dataset("hash"), 1000)[0]!.length, 2 + 2000);
});

Deno.test("the stream loads one XADD per entry into one key", () => {
  deepEqual(loadCommands(dataset("stream"), 2), [
    ["XADD", "stream", "*", "f", "v"],
    ["XADD", "stream", "*", "f", "v"],
  ]);
});

Deno.test("small keys load as one command per key with three elements", () => {
  deepEqual(loadCommands(dataset("hashes"), 2)[1], [
    "HSET",
    "h000000001",
    "f0",
    "v000000003",
    "f1",
    "v000000004",
    "f2",
    "v000000005",
  ]);
  deepEqual(loadCommands(dataset("zsets"), 1)[0], [
    "ZADD",
    "z000000000",
    "0",
    "m000000000",
    "1",
    "m000000001",
    "2",
    "m000000002",
  ]);
  equal(loadCommands(dataset("lists"), 1000).length, 1000);
});

Deno.test("small streams load as three XADDs per key, one entry each", () => {
  const commands = loadCommands(dataset("streams"), 2);
  equal(commands.length, 6);
  deepEqual(commands[0], ["XADD", "x000000000", "*", "f", "v000000000"]);
  deepEqual(commands[2], ["XADD", "x000000000", "*", "f", "v000000002"]);
  deepEqual(commands[3], ["XADD", "x000000001", "*", "f", "v000000003"]);
});
