/** Command-line parsing of `redis-home repl`. */
import { deepEqual, equal, throws } from "node:assert/strict";
import { parseReplArgs, UsageError } from "./options.ts";

Deno.test("defaults: 127.0.0.1:6379 over the native protocol, a session", () => {
  deepEqual(parseReplArgs([]), {
    host: "127.0.0.1",
    port: 6379,
    protocol: "native",
    command: [],
    help: false,
  });
});

Deno.test("options, then the one-shot command with its own dashes intact", () => {
  const parsed = parseReplArgs([
    "--host",
    "localhost",
    "--port=7001",
    "--resp",
    "incrby",
    "n",
    "-1",
  ]);
  equal(parsed.host, "localhost");
  equal(parsed.port, 7001);
  equal(parsed.protocol, "resp");
  deepEqual(parsed.command, ["incrby", "n", "-1"]);
  deepEqual(parseReplArgs(["--", "--resp"]).command, ["--resp"]);
  deepEqual(parseReplArgs(["set", "k", "é"]).command, ["set", "k", "\xc3\xa9"]);
  equal(parseReplArgs(["-h"]).help, true);
  equal(parseReplArgs(["--help"]).help, true);
});

Deno.test("bad options are one-line usage errors", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^Unknown option '--bogus'/],
    [["--port"], /argument missing/],
    [["--port", "x"], /^invalid port 'x'/],
    [["--port", "0"], /^invalid port '0'/],
    [["--port", "65536"], /^invalid port '65536'/],
    [["--resp=yes"], /does not take an argument/],
    [["--host", ""], /^empty host name$/],
  ];
  for (const [args, message] of cases) {
    throws(() => parseReplArgs(args), (err: Error) => {
      equal(err instanceof UsageError, true);
      equal(err.message.includes("\n"), false);
      return message.test(err.message);
    }, args.join(" "));
  }
});
