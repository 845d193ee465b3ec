import { deepEqual, equal } from "node:assert/strict";
import { CommandTable } from "./command.ts";
import { commandGroups } from "./commands/table.ts";

const table = new CommandTable(commandGroups);

Deno.test("boundedByArgs marks only commands Redis does not flag fast", () => {
  const specs = commandGroups.flat().flatMap((spec) => [spec, ...(spec.subcommands ?? [])]);
  const bounded = specs.filter((spec) => spec.boundedByArgs !== undefined);
  deepEqual(bounded.map((spec) => spec.name).sort(), [
    "bitcount",
    "bitfield",
    "del",
    "encoding",
    "freq",
    "geodist",
    "geohash",
    "geopos",
    "hrandfield",
    "idletime",
    "lmove",
    "mset",
    "msetnx",
    "pfcount",
    "psetex",
    "refcount",
    "rename",
    "rpoplpush",
    "set",
    "setbit",
    "setex",
    "setrange",
    "srandmember",
    "zquery",
    "zrandmember",
    "zrange",
    "zrevrange",
  ]);
  for (const spec of bounded) equal(spec.flags.includes("fast"), false, spec.name);
});

Deno.test("a random pick is timed by sampling alone, not with a count", () => {
  for (const name of ["srandmember", "hrandfield", "zrandmember"]) {
    const command = table.lookup(name)!;
    equal(command.timedBySampling, false, name);
    equal(command.sampledWhen?.([name, "key"]), true, name);
    equal(command.sampledWhen?.([name, "key", "10"]), false, name);
  }
});

Deno.test("ZRANGE and ZREVRANGE are timed by sampling for short rank ranges only", () => {
  const sampled = (...argv: string[]) => table.lookup(argv[0]!)!.sampledWhen!(argv);
  equal(sampled("zrange", "k", "0", "9"), true);
  equal(sampled("zrange", "k", "0", "999", "WITHSCORES"), true);
  equal(sampled("zrange", "k", "10", "20", "rev"), true);
  equal(sampled("zrange", "k", "0", "1000"), false);
  equal(sampled("zrange", "k", "0", "-1"), false);
  equal(sampled("zrange", "k", "0", "9", "BYSCORE"), false);
  equal(sampled("zrange", "k", "0", "9", "REV", "WITHSCORES"), false);
  equal(sampled("zrevrange", "k", "0", "9"), true);
  equal(sampled("zrevrange", "k", "-10", "-1"), false);
});

Deno.test("bit and range commands are timed by sampling while their offsets bound their cost", () => {
  const sampled = (...argv: string[]) => table.lookup(argv[0]!)!.sampledWhen!(argv);
  equal(sampled("setrange", "k", "999999", "abc"), true);
  equal(sampled("setrange", "k", "1000000", "abc"), false);
  equal(sampled("setbit", "k", "5000", "1"), true);
  equal(sampled("setbit", "k", "4294967295", "1"), false);
  equal(sampled("bitcount", "k"), false);
  equal(sampled("bitcount", "k", "-100", "20"), true);
  equal(sampled("bitcount", "k", "0", "-1"), false);
  equal(sampled("bitcount", "k", "0", "1000000", "BIT"), false);
  equal(sampled("bitfield", "k", "INCRBY", "u8", "#99999", "1", "GET", "u4", "0"), true);
  equal(sampled("bitfield", "k", "SET", "u8", "#999999", "1"), false);
  equal(sampled("bitfield", "k", "OVERFLOW", "WRAP", "SET", "i64", "0", "-1"), true);
  equal(sampled("bitfield", "k", "SET", "u8", "1000000", "1"), false);
});

Deno.test("commands fast or bounded by their arguments are timed by sampling, others around each call", () => {
  for (const name of ["get", "incr", "set", "mset"]) {
    equal(table.lookup(name)?.timedBySampling, true, name);
  }
  for (const name of ["sort", "keys", "lrange", "debug"]) {
    equal(table.lookup(name)?.timedBySampling, false, name);
  }
});
