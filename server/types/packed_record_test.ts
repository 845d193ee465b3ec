import { equal } from "node:assert/strict";
import { sameChars } from "./packed_record.ts";

Deno.test("sameChars: short and long fields, matches and misses at either end or inside", () => {
  for (const field of ["", "a", "abcd", "abcde", "element:element:000123", "x".repeat(600)]) {
    const packed = "\x05\x07" + field + "\x03xyz";
    equal(sameChars(packed, 2, field), true);
    equal(sameChars(packed, 1, field), field === "");
    if (field.length === 0) continue;
    const last = field.slice(0, -1) + "\u00ff";
    const first = "\u00ff" + field.slice(1);
    const middle = field.slice(0, field.length >> 1) + "\u00fe" +
      field.slice((field.length >> 1) + 1);
    equal(sameChars(packed, 2, last), false);
    equal(sameChars(packed, 2, first), false);
    if (field.length > 2) equal(sameChars(packed, 2, middle), false);
  }
});
