import { deepEqual, equal } from "node:assert/strict";
import { CommandTable } from "./command.ts";
import { commandGroups } from "./commands/table.ts";

const table = new CommandTable(commandGroups);

Deno.test("boundedByArgs marks only commands Redis does not flag fast", () => {
  const specs = commandGroups.flat().flatMap((spec) => [spec, ...(spec.subcommands ?? [])]);
  const bounded = specs.filter((spec) => spec.boundedByArgs !== undefined);
  deepEqual(bounded.map((spec) => spec.name).sort(), [
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
    "setex",
    "srandmember",
    "zquery",
    "zrandmember",
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

Deno.test("commands fast or bounded by their arguments are timed by sampling, others around each call", () => {
  for (const name of ["get", "incr", "set", "mset"]) {
    equal(table.lookup(name)?.timedBySampling, true, name);
  }
  for (const name of ["sort", "keys", "lrange", "debug"]) {
    equal(table.lookup(name)?.timedBySampling, false, name);
  }
});
