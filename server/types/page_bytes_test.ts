import { equal } from "node:assert/strict";
import { sameBytes } from "./page_bytes.ts";

Deno.test("sameBytes agrees with a char-by-char compare at every length and differing byte", () => {
  const page = new Uint8Array(64);
  for (let len = 0; len <= 40; len++) {
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode((i * 37 + len) & 0xff);
    const at = 7;
    for (let i = 0; i < len; i++) page[at + i] = s.charCodeAt(i);
    equal(sameBytes(page, at, s), true, `length ${len}`);
    for (let d = 0; d < len; d++) {
      const byte = page[at + d]!;
      for (const flip of [0x80, 1]) {
        page[at + d] = byte ^ flip;
        equal(sameBytes(page, at, s), false, `length ${len}, byte ${d}, flip ${flip}`);
      }
      page[at + d] = byte;
    }
  }
});
