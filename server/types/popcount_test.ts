import { equal } from "node:assert/strict";
import { countBits, POPCOUNT } from "./popcount.ts";
import { xorshift } from "../../tests/xorshift.ts";

/** The straightforward count, byte by byte. */
function byTable(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += POPCOUNT[bytes[i]!]!;
  return n;
}

Deno.test("countBits equals the byte-by-byte count at any offset and length, across chunks", () => {
  const next = xorshift(21);
  const bytes = new Uint8Array(200_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = next();
  for (let round = 0; round < 2000; round++) {
    // Mostly short and medium runs (either path), some over 64 KB (several chunks).
    const length = round % 100 === 0 ? next() % bytes.length : next() % (round % 2 ? 80 : 3000);
    const from = next() % (bytes.length - length);
    const to = from + length - 1;
    equal(countBits(bytes, from, to), byTable(bytes, from, to), `from ${from} to ${to}`);
  }
});

Deno.test("countBits: a long run after a longer one counts no stale bytes", () => {
  const ones = new Uint8Array(70_000).fill(0xff);
  equal(countBits(ones, 0, ones.length - 1), 8 * ones.length);
  equal(countBits(ones, 0, 100), 8 * 101);
  equal(countBits(new Uint8Array(1000), 0, 999), 0);
  equal(countBits(ones, 5, 4), 0);
});
