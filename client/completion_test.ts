/** Tab's candidates: command names, subcommands, groups after help, option keywords. */
import { deepEqual } from "node:assert/strict";
import { completions, syntaxKeywords } from "./completion.ts";
import type { HelpEntry } from "./help.ts";

const entry = (words: string[], params: string, group: string): HelpEntry => ({
  words,
  params,
  group,
  summary: "",
  since: "1.0.0",
});

const ENTRIES = [
  entry(["CONFIG"], "subcommand [argument ...]", "server"),
  entry(["CONFIG", "GET"], "parameter [parameter ...]", "server"),
  entry(["CONFIG", "SET"], "parameter value [parameter value ...]", "server"),
  entry(["GET"], "key", "string"),
  entry(["GETEX"], "key [EX seconds | PX milliseconds | PERSIST]", "string"),
  entry(["SET"], "key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]", "string"),
];

Deno.test("command names complete the whole line, case-insensitively, in table order", () => {
  deepEqual(completions("ge", ENTRIES), ["GET", "GETEX"]);
  deepEqual(completions("config ", ENTRIES), ["CONFIG GET", "CONFIG SET"]);
  deepEqual(completions("Config s", ENTRIES), ["CONFIG SET"]);
  deepEqual(completions("nosuch", ENTRIES), []);
});

Deno.test("after help: commands and @groups", () => {
  deepEqual(completions("help @s", ENTRIES), ["help @server", "help @string"]);
  deepEqual(completions("HELP  getex", ENTRIES), ["HELP  GETEX"]);
});

Deno.test("option keywords once the required arguments are typed", () => {
  deepEqual(syntaxKeywords(ENTRIES[5]!.params), ["NX", "XX", "GET", "EX", "PX", "KEEPTTL"]);
  deepEqual(completions("set k v ", ENTRIES), [
    "set k v NX",
    "set k v XX",
    "set k v GET",
    "set k v EX",
    "set k v PX",
    "set k v KEEPTTL",
  ]);
  deepEqual(completions("set k v nx e", ENTRIES), ["set k v nx EX"]);
  deepEqual(completions("set k ", ENTRIES), []);
  deepEqual(completions("getex k p", ENTRIES), ["getex k PX", "getex k PERSIST"]);
});
