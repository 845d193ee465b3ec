/**
 * A long string edited in place (SETBIT, SETRANGE, APPEND) is kept as bytes, and each edit drops
 * its text. Commands that need only the value's type, length or a range must not make that text
 * again: alternated with edits, each would copy the whole value (a pipeline of SETBIT and TYPE on
 * a 500 MB string stalled the server for seconds a pair), where Redis answers in O(1).
 */
import { deepEqual, equal } from "node:assert/strict";
import { harness } from "./context_harness.ts";
import { ByteString } from "../server/types/string.ts";

/** Counts the texts made of ByteStrings (the `text` getter's calls) while `body` runs. */
function textsMadeBy(body: () => void): number {
  const original = Object.getOwnPropertyDescriptor(ByteString.prototype, "text")!;
  let made = 0;
  Object.defineProperty(ByteString.prototype, "text", {
    configurable: true,
    get() {
      made++;
      return original.get!.call(this);
    },
  });
  try {
    body();
  } finally {
    Object.defineProperty(ByteString.prototype, "text", original);
  }
  return made;
}

const LONG = 100_000;

Deno.test("reads of a long string's type, length or range make no text of it after an edit", () => {
  const h = harness();
  h.run("SET", "s", "x".repeat(LONG));
  const wrongType = {
    error: "WRONGTYPE Operation against a key holding the wrong kind of value",
  };
  const cases: [string[], unknown][] = [
    [["TYPE", "s"], "string"],
    [["STRLEN", "s"], LONG],
    [["GETRANGE", "s", "0", "3"], "yxxx"],
    [["SUBSTR", "s", "-2", "-1"], "xx"],
    [["OBJECT", "ENCODING", "s"], "raw"],
    [["OBJECT", "REFCOUNT", "s"], 1],
    [["MEMORY", "USAGE", "s"], h.run("MEMORY", "USAGE", "s")],
    [["TOUCH", "s"], 1],
    [["SCAN", "0", "TYPE", "string"], ["0", ["s"]]],
    [["HGET", "s", "f"], wrongType],
    [["LPUSH", "s", "x"], wrongType],
    [["SMEMBERS", "s"], wrongType],
    [["SORT", "s"], wrongType],
    [["INCR", "s"], { error: "ERR value is not an integer or out of range" }],
    [["INCRBYFLOAT", "s", "1"], { error: "ERR value is not a valid float" }],
    [["SETRANGE", "s", "0", ""], LONG],
    [["APPEND", "s", ""], LONG],
    [["RENAME", "s", "t"], "OK"],
    [["RENAME", "t", "s"], "OK"],
  ];
  for (const [argv, expected] of cases) {
    h.run("SETBIT", "s", "7", "1");
    let reply: unknown;
    equal(textsMadeBy(() => reply = h.run(...argv)), 0, argv.join(" "));
    if (argv[0] !== "MEMORY") deepEqual(reply, expected, argv.join(" "));
  }
});

Deno.test("APPEND to a long string grows it in place, between edits and reads of its bytes", () => {
  const h = harness();
  h.run("SET", "s", "a".repeat(LONG));
  let expected = "a".repeat(LONG);
  const made = textsMadeBy(() => {
    for (let i = 0; i < 50; i++) {
      equal(h.run("APPEND", "s", `<${i}>`), expected.length + `<${i}>`.length);
      expected += `<${i}>`;
      equal(h.run("SETRANGE", "s", String(i), "b"), expected.length);
      expected = expected.slice(0, i) + "b" + expected.slice(i + 1);
      equal(h.run("GETRANGE", "s", "-4", "-1"), expected.slice(-4));
    }
  });
  equal(made, 0);
  equal(h.run("GET", "s"), expected);
  equal(h.run("OBJECT", "ENCODING", "s"), "raw");
  // A key that does not exist yet is created as SET would.
  equal(h.run("APPEND", "n", "12"), 2);
  equal(h.run("OBJECT", "ENCODING", "n"), "int");
});
