/** Command-line parsing of `redis-home repl`: redis-cli's option names and meanings. */
import { deepEqual, equal, throws } from "node:assert/strict";
import { parseReplArgs, UsageError } from "./options.ts";

Deno.test("defaults: 127.0.0.1:6379 over the native protocol, a session", () => {
  const o = parseReplArgs([]);
  equal(o.host, "127.0.0.1");
  equal(o.port, 6379);
  equal(o.protocol, "native");
  equal(o.resp3, false);
  equal(o.db, 0);
  equal(o.output, undefined);
  equal(o.repeat, 1);
  equal(o.interval, 0);
  equal(o.mode, undefined);
  equal(o.bulkDelimiter, "\n");
  equal(o.replyDelimiter, "\n");
  equal(o.pipeTimeout, 30);
  deepEqual(o.command, []);
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
  equal(parseReplArgs(["--help"]).help, true);
  // redis-cli: -h alone at the end asks for help, -h before a value names the host.
  equal(parseReplArgs(["-h"]).help, true);
  equal(parseReplArgs(["-h", "example"]).host, "example");
  equal(parseReplArgs(["-v"]).version, true);
});

Deno.test("redis-cli's connection options", () => {
  const o = parseReplArgs(["-h", "h1", "-p", "7000", "-a", "pw", "--user", "u", "-n", "3", "-3"]);
  deepEqual(
    [o.host, o.port, o.password, o.user, o.db, o.protocol, o.resp3],
    ["h1", 7000, "pw", "u", 3, "resp", true],
  );
  equal(parseReplArgs(["-2"]).resp3, false);
  equal(parseReplArgs(["-2"]).protocol, "resp");
  equal(parseReplArgs(["--pass", "x"]).password, "x");
  equal(parseReplArgs(["-s", "/tmp/r.sock"]).socket, "/tmp/r.sock");
  equal(parseReplArgs(["--askpass"]).askpass, true);
  equal(parseReplArgs(["--no-auth-warning"]).noAuthWarning, true);
});

Deno.test("-u redis://user:password@host:port/db, percent-decoded", () => {
  const o = parseReplArgs(["-u", "redis://al%40ice:p%3Aw@example.com:7002/4"]);
  deepEqual([o.user, o.password, o.host, o.port, o.db], ["al@ice", "p:w", "example.com", 7002, 4]);
  const bare = parseReplArgs(["-u", "redis://:secret@h"]);
  deepEqual([bare.user, bare.password, bare.host, bare.port], [undefined, "secret", "h", 6379]);
  const v6 = parseReplArgs(["-u", "redis://[::1]:7003"]);
  deepEqual([v6.host, v6.port], ["::1", 7003]);
  equal(parseReplArgs(["-u", "redis://"]).host, "127.0.0.1");
});

Deno.test("output options, repetition and modes", () => {
  equal(parseReplArgs(["--raw"]).output, "raw");
  equal(parseReplArgs(["--raw", "--no-raw"]).output, "standard");
  equal(parseReplArgs(["--csv"]).output, "csv");
  const o = parseReplArgs(["-d", ",", "-D", ";", "-e", "-x", "-r", "-1", "-i", "0.5", "--wire"]);
  deepEqual(
    [
      o.bulkDelimiter,
      o.replyDelimiter,
      o.exitOnError,
      o.stdinLastArg,
      o.repeat,
      o.interval,
      o.wire,
    ],
    [",", ";", true, true, -1, 0.5, true],
  );
  const scan = parseReplArgs(["--scan", "--pattern", "user:*", "--count", "50"]);
  deepEqual([scan.mode, scan.pattern, scan.count], ["scan", "user:*", 50]);
  equal(parseReplArgs(["--quoted-pattern", '"a\\x00*"']).pattern, "a\x00*");
  const mem = parseReplArgs(["--memkeys-samples", "5"]);
  deepEqual([mem.mode, mem.memkeysSamples], ["memkeys", 5]);
  for (
    const mode of [
      "bigkeys",
      "memkeys",
      "hotkeys",
      "latency",
      "latency-history",
      "latency-dist",
      "stat",
      "pipe",
    ]
  ) {
    equal(parseReplArgs([`--${mode}`]).mode, mode);
  }
  equal(parseReplArgs(["--pipe-timeout", "0"]).pipeTimeout, 0);
});

Deno.test("--quoted-input: each argument is one quoted string", () => {
  deepEqual(parseReplArgs(["--quoted-input", "set", '"a\\x00b"', "'c d'"]).command, [
    "set",
    "a\x00b",
    "c d",
  ]);
  throws(() => parseReplArgs(["--quoted-input", "set", '"open']), UsageError);
  throws(() => parseReplArgs(["--quoted-input", "set", "two words"]), UsageError);
});

Deno.test("bad options are one-line usage errors", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^Unrecognized option or bad number of args for: '--bogus'$/],
    [["--port"], /^option '--port' needs a value$/],
    [["-p", "x"], /^invalid port 'x'/],
    [["--port", "0"], /^invalid port '0'/],
    [["--port", "65536"], /^invalid port '65536'/],
    [["--resp=yes"], /^Unrecognized option/],
    [["--host", ""], /^empty host name$/],
    [["-n", "one"], /^invalid number 'one' for -n$/],
    [["-i", "soon"], /^invalid interval 'soon'/],
    [["-u", "http://x"], /^Invalid URI scheme$/],
    [["-u", "rediss://x"], /TLS/],
  ];
  for (const [args, message] of cases) {
    throws(() => parseReplArgs(args), (err: Error) => {
      equal(err instanceof UsageError, true);
      equal(err.message.includes("\n"), false);
      return message.test(err.message);
    }, args.join(" "));
  }
});
