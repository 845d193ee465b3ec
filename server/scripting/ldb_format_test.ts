import { deepEqual, equal } from "node:assert/strict";
import { formatG, parseDebuggerCommand, replyText, repr } from "./ldb_format.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

Deno.test("the debugger's request parser keeps Redis's quirks", () => {
  const parse = (s: string) => parseDebuggerCommand(bytes(s));
  deepEqual(parse("*2\r\n$1\r\np\r\n$1\r\na\r\n"), { argv: ["p", "a"] });
  // Anything before the first '*' is skipped; a partial request waits for more.
  deepEqual(parse("xx*1\r\n$1\r\ns\r\n"), { argv: ["s"] });
  equal(parse("*1\r\n$1\r\n"), undefined);
  equal(parse("*1\r"), undefined);
  // An argument may hold a NUL; a NUL before the '*' hides it.
  deepEqual(parse("*1\r\n$3\r\na\0b\r\n"), { argv: ["a\0b"] });
  deepEqual(parse("*2\r\n$3\r\na\0b\r\n$1\r\nc\r\n"), { argv: ["a\0b", "c"] });
  deepEqual(parse("\0*1\r\n$1\r\ns\r\n"), { error: true });
  for (const bad of ["PING\r\n", "*0\r\n", "*1025\r\n", "*1\r\n$0\r\n\r\n", "*1\r\n:1\r\n"]) {
    deepEqual(parse(bad), { error: true }, bad);
  }
});

Deno.test("values and replies as the debugger writes them (C's %g, sdscatrepr)", () => {
  deepEqual([1, 1.5, 1e300, 123456789, 0.0001, 1e-5, -0].map(formatG), [
    "1",
    "1.5",
    "1e+300",
    "1.23457e+08",
    "0.0001",
    "1e-05",
    "-0",
  ]);
  equal(repr('a\\"\n\r\t\x07\b\x01\xff'), '"a\\\\\\"\\n\\r\\t\\a\\b\\x01\\xff"');
  const human = (s: string) => replyText(bytes(s), 0, s.length);
  equal(human("*3\r\n:1\r\n$-1\r\n+OK\r\n"), '[1,NULL,"+OK"]');
  equal(human("%1\r\n$1\r\na\r\n~1\r\n#t\r\n"), '{"a" => ~(#true)}');
  equal(human(",1.5\r\n"), "(double) 1.5");
  equal(human("_\r\n"), "(null)");
  equal(human("-ERR x\r\n"), '"-ERR x"');
});
