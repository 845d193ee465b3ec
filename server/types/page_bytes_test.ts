import { deepEqual, equal } from "node:assert/strict";
import { addDigits, integerLength, sameBytes, sameSpan, writeInteger } from "./page_bytes.ts";

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

Deno.test("sameSpan agrees with a byte-by-byte compare at every length, offset and differing byte", () => {
  const page = new Uint8Array(64);
  const from = new Uint8Array(64);
  for (let len = 0; len <= 40; len++) {
    for (const [at, start] of [[7, 3], [0, 0], [13, 22]] as const) {
      for (let i = 0; i < len; i++) page[at + i] = from[start + i] = (i * 37 + len) & 0xff;
      equal(sameSpan(page, at, from, start, len), true, `length ${len}`);
      for (let d = 0; d < len; d++) {
        const byte = page[at + d]!;
        for (const flip of [0x80, 1]) {
          page[at + d] = byte ^ flip;
          equal(
            sameSpan(page, at, from, start, len),
            false,
            `length ${len}, byte ${d}, flip ${flip}`,
          );
        }
        page[at + d] = byte;
      }
    }
  }
});

Deno.test("addDigits writes what writeInteger writes for every sum of the same length", () => {
  const page = new Uint8Array(32);
  const expected = new Uint8Array(32);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const values = [0, 1, 8, 9, 10, 19, 98, 99, 109, 199, 989, 999_999_999_990, 899_999_999_999_999];
  for (let i = 0; i < 20_000; i++) values.push(next() % 10 ** (1 + (next() % 15)));
  for (const value of values) {
    for (let delta = 1; delta < 10; delta++) {
      const sum = value + delta;
      const len = integerLength(value);
      if (integerLength(sum) !== len) continue;
      writeInteger(page, 3, value);
      addDigits(page, 3, len, delta);
      writeInteger(expected, 3, sum);
      deepEqual(
        page.subarray(0, 3 + len + 1),
        expected.subarray(0, 3 + len + 1),
        `${value} + ${delta}`,
      );
    }
  }
});
