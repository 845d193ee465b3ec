import { deepEqual } from "node:assert/strict";
import { type BitOp, foldedBytes, foldFirst, foldModule, foldNext } from "./bit_fold.ts";
import { xorshift } from "../../tests/xorshift.ts";

/** BITOP's result byte by byte: shorter sources read as zeros past their end. */
function byBytes(op: BitOp, sources: Uint8Array[]): Uint8Array {
  const length = Math.max(...sources.map((s) => s.length));
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    let v = sources[0]![i] ?? 0;
    if (op === "not") v = ~v & 0xff;
    for (const s of sources.slice(1)) {
      const b = s[i] ?? 0;
      v = op === "and" ? v & b : op === "or" ? v | b : v ^ b;
    }
    out[i] = v;
  }
  return out;
}

Deno.test("the fold equals BITOP byte by byte, at any offset and length, across chunks", () => {
  const next = xorshift(7);
  const page = new Uint8Array(100_000);
  for (let i = 0; i < page.length; i++) page[i] = next();
  const ops: BitOp[] = ["and", "or", "xor", "not"];
  for (let round = 0; round < 600; round++) {
    const op = ops[round % 4]!;
    const count = op === "not" ? 1 : 1 + (next() % 4);
    const views = Array.from({ length: count }, () => {
      // Mostly short (either side of SMALL_FOLD) and 1 KB-ish; some over the 16 KB staging area.
      const length = round % 25 === 0 ? next() % 50_000 : next() % (round % 2 ? 130 : 3000);
      const start = next() % (page.length - length);
      return [start, start + length] as const;
    });
    views.forEach(([start, end], i) => (i === 0 ? foldFirst : foldNext)(op, page, start, end));
    const sources = views.map(([start, end]) => page.slice(start, end));
    deepEqual(foldedBytes(), byBytes(op, sources), `${op} ${views.map(([s, e]) => e - s)}`);
  }
});

Deno.test("the module without SIMD folds eight bytes at a time to the same result", () => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(foldModule(false))).exports;
  const memory = new Uint8Array((exports.m as WebAssembly.Memory).buffer);
  const next = xorshift(9);
  // 125 units: the eight-a-pass loop, then one a pass; the bytes after them stay.
  for (const units of [128, 125]) {
    for (const [name, op] of [["a", "and"], ["o", "or"], ["x", "xor"]] as const) {
      for (let i = 0; i < 2048; i++) memory[i] = next();
      const end = 1024 + units * 8;
      const expected = byBytes(op, [memory.slice(1024, end), memory.slice(0, units * 8)]);
      const after = memory.slice(end, 2048);
      (exports[name] as (d: number, s: number, n: number) => void)(1024, 0, units);
      deepEqual(memory.slice(1024, end), expected, op);
      deepEqual(memory.slice(end, 2048), after, op);
    }
  }
});
