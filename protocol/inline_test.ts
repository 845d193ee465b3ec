import { deepEqual, equal } from "node:assert/strict";
import { splitArgs } from "./inline.ts";

Deno.test("splitArgs: words separated by any run of blanks", () => {
  deepEqual(splitArgs("SET  key\tvalue "), ["SET", "key", "value"]);
  deepEqual(splitArgs("  \x0b\x0cPING"), ["PING"]);
  deepEqual(splitArgs(""), []);
  deepEqual(splitArgs("   "), []);
});

Deno.test("splitArgs: \\v and \\f inside an unquoted word belong to it", () => {
  // sdssplitargs ends a bare word only at space, \n, \r or \t.
  deepEqual(splitArgs("ECHO a\x0bb\x0cc"), ["ECHO", "a\x0bb\x0cc"]);
});

Deno.test("splitArgs: double quotes understand C escapes and \\xHH", () => {
  deepEqual(splitArgs('SET k "a b"'), ["SET", "k", "a b"]);
  deepEqual(splitArgs('"\\n\\r\\t\\b\\a\\\\\\"\\q"'), ['\n\r\t\b\x07\\"q']);
  deepEqual(splitArgs('"\\x00\\xff\\x41\\xzz"'), ["\x00\xffAxzz"]);
  deepEqual(splitArgs('""'), [""]);
});

Deno.test("splitArgs: single quotes understand only \\'", () => {
  deepEqual(splitArgs("'it\\'s' '\\n'"), ["it's", "\\n"]);
  deepEqual(splitArgs("''"), [""]);
});

Deno.test("splitArgs: a quote inside a bare word opens a quoted part", () => {
  deepEqual(splitArgs('ab"c d"'), ["abc d"]);
  deepEqual(splitArgs("ab'c d'"), ["abc d"]);
});

Deno.test("splitArgs: a closing quote must be followed by a blank or the end", () => {
  equal(splitArgs('"a"b'), undefined);
  equal(splitArgs("'a'b"), undefined);
  deepEqual(splitArgs('"a"\x0bb'), ["a", "b"]);
});

Deno.test("splitArgs: unbalanced quotes", () => {
  equal(splitArgs('"abc'), undefined);
  equal(splitArgs("'abc"), undefined);
  equal(splitArgs('"abc\\"'), undefined);
  equal(splitArgs('"abc\\'), undefined);
});

Deno.test("splitArgs: every byte value survives quoting", () => {
  let all = "";
  for (let b = 0; b < 256; b++) all += String.fromCharCode(b);
  const quoted = '"' +
    [...all].map((c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")).join("") + '"';
  deepEqual(splitArgs(quoted), [all]);
  // Bytes >= 0x80 pass through bare words untouched.
  deepEqual(splitArgs("\x80\xff \xe9"), ["\x80\xff", "\xe9"]);
});
