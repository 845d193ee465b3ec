import { equal } from "node:assert/strict";
import { Crc64, crc64 } from "./crc64.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("crc64 matches Redis's check value for 123456789", () => {
  equal(crc64(enc("123456789")).toBigInt(), 0xe9c6d914c4b8d9can);
});

Deno.test("crc64 matches Redis's test vector for a long text (with its NUL)", () => {
  const text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed " +
    "do eiusmod tempor incididunt ut labore et dolore magna " +
    "aliqua. Ut enim ad minim veniam, quis nostrud exercitation " +
    "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis " +
    "aute irure dolor in reprehenderit in voluptate velit esse " +
    "cillum dolore eu fugiat nulla pariatur. Excepteur sint " +
    "occaecat cupidatat non proident, sunt in culpa qui officia " +
    "deserunt mollit anim id est laborum.\0";
  equal(crc64(enc(text)).toBigInt(), 0xc7794709e69683b3n);
});

Deno.test("crc64 fed in pieces equals one pass, whatever the split", () => {
  const data = new Uint8Array(1000).map((_, i) => (i * 131 + 7) & 0xff);
  const whole = crc64(data).toBigInt();
  for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
    const crc = new Crc64();
    crc.update(data, 0, cut);
    crc.update(data, cut);
    equal(crc.toBigInt(), whole);
  }
});

Deno.test("crc64 bytes are little-endian and match() reads them back", () => {
  const crc = crc64(enc("123456789"));
  const bytes = crc.bytes();
  equal(bytes[0], 0xca);
  equal(bytes[7], 0xe9);
  equal(crc.matches(bytes, 0), true);
});
