/**
 * `serve`'s command line read as redis-server 7.0 reads its own (Redis's
 * unit/introspection "command line arguments" cases): which word belongs to
 * which directive, and the line a bad one is reported with.
 */
import { deepEqual, throws } from "node:assert/strict";
import { startFailure } from "./serve_helpers.ts";
import { parseServeArgs } from "../main.ts";

const directives = (...args: string[]) => parseServeArgs(args).overrides;

Deno.test("serve args: a bare --name takes the next word, even one starting with --", () => {
  deepEqual(directives("--port", "6380", "--save", "900", "1"), [["port", "6380"], [
    "save",
    "900",
    "1",
  ]]);
  deepEqual(directives("--port", "--loglevel", "verbose"), [["port", "--loglevel", "verbose"]]);
  deepEqual(directives("--port", "--bla", "--loglevel", "verbose"), [["port", "--bla"], [
    "loglevel",
    "verbose",
  ]]);
  // Name and value in one word; a bare --save before another directive or at the end is save "".
  deepEqual(directives("--maxmemory 700mb", "--maxmemory-policy volatile-lru"), [
    ["maxmemory", "700mb"],
    ["maxmemory-policy", "volatile-lru"],
  ]);
  deepEqual(directives("--save", "--port", "1"), [["save", ""], ["port", "1"]]);
  deepEqual(directives("--port", "1", "--save"), [["port", "1"], ["save", ""]]);
  // Words before any --name are a directive of their own.
  deepEqual(directives("x.conf", "loglevel", "verbose", "--maxmemory '700mb'"), [
    ["loglevel", "verbose"],
    ["maxmemory", "700mb"],
  ]);
  deepEqual(parseServeArgs(["redis.conf", "--port=7"]), {
    configFile: "redis.conf",
    overrides: [["port", "7"]],
  });
});

Deno.test("serve args: bad directives are reported as redis-server reports them", () => {
  const cases: [string[], string][] = [
    [["--port"], `'port': wrong number of arguments`],
    [["--port", "6380", "--loglevel"], `'loglevel': wrong number of arguments`],
    [["--port", "6379", "6380"], `'port "6379" "6380"': wrong number of arguments`],
    [
      ["--port", "--loglevel", "verbose"],
      `'port "--loglevel" "verbose"': wrong number of arguments`,
    ],
    [
      ["--port", "--bla", "--loglevel", "verbose"],
      `'port "--bla"': argument couldn't be parsed into an integer`,
    ],
    [
      ["--logfile", "--my--log--file", "--loglevel", "--bla"],
      `'loglevel "--bla"': argument(s) must be one of the following`,
    ],
    [["--shutdown-on-sigint"], `'shutdown-on-sigint': argument(s) must be one of the following`],
    [
      ["--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"],
      `'shutdown-on-sigterm': argument(s) must be one of the following`,
    ],
    [["--replicaof", "127.0.0.1", "abc"], `'replicaof "127.0.0.1" "abc"': Invalid master port`],
    [["--replicaof", "--127.0.0.1", "abc"], `'replicaof "--127.0.0.1" "abc"': Invalid master port`],
    [
      ["--replicaof", "--127.0.0.1", "--abc"],
      `'replicaof "--127.0.0.1"': Bad directive or wrong number of arguments`,
    ],
  ];
  for (const [args, expected] of cases) {
    const message = startFailure(...args);
    if (!message.includes(expected)) throw new Error(`${args.join(" ")}: ${message}`);
  }
  throws(() => parseServeArgs(["--config"]), /--config needs one file name/);
});
