import { deepEqual, equal } from "node:assert/strict";
import { CommandTable } from "./command.ts";
import { commandGroups } from "./commands/table.ts";

const table = new CommandTable(commandGroups);

Deno.test("boundedByArgs marks only commands Redis does not flag fast: SETs, LMOVE, RPOPLPUSH", () => {
  const bounded = commandGroups.flat().filter((spec) => spec.boundedByArgs === true);
  deepEqual(bounded.map((spec) => spec.name).sort(), [
    "lmove",
    "mset",
    "msetnx",
    "psetex",
    "rpoplpush",
    "set",
    "setex",
  ]);
  for (const spec of bounded) equal(spec.flags.includes("fast"), false, spec.name);
});

Deno.test("commands fast or bounded by their arguments are timed by sampling, others around each call", () => {
  for (const name of ["get", "incr", "set", "mset"]) {
    equal(table.lookup(name)?.timedBySampling, true, name);
  }
  for (const name of ["sort", "keys", "lrange", "debug"]) {
    equal(table.lookup(name)?.timedBySampling, false, name);
  }
});
