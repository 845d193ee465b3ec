import { deepEqual, throws } from "node:assert/strict";
import { AofFormatError, parseAof } from "./aof_load.ts";

const bytes = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
const SET_A = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";

Deno.test("commands are read with binary-safe arguments; annotations are skipped", () => {
  const text = "#TS:1700000000\r\n" + SET_A + "*2\r\n$3\r\nGET\r\n$4\r\n\x00\r\n\xff\r\n";
  deepEqual(parseAof(bytes(text)), {
    commands: [["SET", "a", "1"], ["GET", "\x00\r\n\xff"]],
    validUpTo: text.length,
    truncated: false,
  });
});

Deno.test("a file ending mid-command is truncated at the last whole command", () => {
  for (const tail of ["*3\r\n$3\r\nSET\r\n$1\r\nb", "*3", "*3\r\n$3\r\nSE"]) {
    deepEqual(parseAof(bytes(SET_A + tail)), {
      commands: [["SET", "a", "1"]],
      validUpTo: SET_A.length,
      truncated: true,
    });
  }
});

Deno.test("an unfinished transaction is dropped back to its MULTI", () => {
  const multi = "*1\r\n$5\r\nMULTI\r\n";
  deepEqual(parseAof(bytes(SET_A + multi + SET_A)), {
    commands: [["SET", "a", "1"]],
    validUpTo: SET_A.length,
    truncated: true,
  });
  const exec = "*1\r\n$4\r\nEXEC\r\n";
  deepEqual(parseAof(bytes(multi + SET_A + exec)).truncated, false);
});

Deno.test("anything else is a format error with its offset", () => {
  for (const [tail, at] of [["garbage\r\n", 0], ["*0\r\n", 0], ["*1\r\nx\r\n", 4]] as const) {
    throws(
      () => parseAof(bytes(SET_A + tail)),
      (err: Error) => err instanceof AofFormatError && err.offset === SET_A.length + at,
    );
  }
});
