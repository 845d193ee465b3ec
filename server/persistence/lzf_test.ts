import { deepEqual, equal, ok } from "node:assert/strict";
import { lzfCompress, lzfDecompress } from "./lzf.ts";

function roundTrip(data: Uint8Array): number {
  const out = new Uint8Array(data.length + (data.length >> 5) + 64);
  const n = lzfCompress(data, data.length, out, out.length);
  ok(n > 0);
  const back = new Uint8Array(data.length);
  ok(lzfDecompress(out, 0, n, back));
  deepEqual(back, data);
  return n;
}

Deno.test("lzf round-trips repetitive, random and short data", () => {
  const repetitive = new TextEncoder().encode("abcabcabc".repeat(1000));
  ok(roundTrip(repetitive) < repetitive.length / 10);
  let seed = 1;
  const random = new Uint8Array(5000).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  roundTrip(random);
  for (let len = 1; len < 80; len++) roundTrip(new Uint8Array(len).map((_, i) => i % 3));
  roundTrip(new Uint8Array(70000).fill(7));
});

Deno.test("lzf reports 0 when the output does not fit, as Redis requires", () => {
  let seed = 9;
  const random = new Uint8Array(100).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  equal(lzfCompress(random, random.length, new Uint8Array(96), 96), 0);
});

Deno.test("lzf decodes what Redis's lzf_compress wrote", () => {
  // Fifty "a" as redis-server 7.0 stores them (from DUMP: 0xc3, clen 9, len 50, data).
  const compressed = new Uint8Array([0x01, 0x61, 0x61, 0xe0, 0x25, 0x00, 0x01, 0x61, 0x61]);
  const out = new Uint8Array(50);
  ok(lzfDecompress(compressed, 0, compressed.length, out));
  deepEqual(out, new Uint8Array(50).fill(0x61));
});

Deno.test("lzf rejects back references before the start and short output", () => {
  ok(!lzfDecompress(new Uint8Array([0x20, 0x05]), 0, 2, new Uint8Array(3)));
  ok(!lzfDecompress(new Uint8Array([0x01, 0x61, 0x61]), 0, 3, new Uint8Array(3)));
});
