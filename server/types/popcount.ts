/**
 * Set bits in a run of bytes (BITCOUNT). JavaScript has no popcount and its
 * bitwise operators take 32-bit words, so a long run is counted by a
 * WebAssembly function using `i64.popcnt`, eight bytes an instruction:
 * copying 1 KB into its memory and counting took ~130 ns, against ~300–450
 * ns for the best 32-bit SWAR loop in JavaScript. Short runs stay in
 * JavaScript, where the copy and the call would cost more than they save.
 */

/** Set bits in each byte value. */
export const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/**
 * The module, assembled by hand (it is small enough to read):
 *
 *     (module
 *       (memory (export "m") 1)
 *       (func (export "c") (param $p i32) (param $n i32) (result i32)
 *         (local $acc i64)
 *         (block (loop
 *           (br_if 1 (i32.eqz (local.get $n)))
 *           (local.set $acc (i64.add (local.get $acc) (i64.popcnt (i64.load (local.get $p)))))
 *           (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *           (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *           (br 0)))
 *         (i32.wrap_i64 (local.get $acc))))
 *
 * `c(p, n)` counts the set bits of the n 8-byte words from byte p.
 */
// deno-fmt-ignore
const BODY = [
  0x01, 0x01, 0x7e, // one local: an i64
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x01, 0x45, 0x0d, 0x01, // br_if 1 (i32.eqz n)
  0x20, 0x02, 0x20, 0x00, 0x29, 0x03, 0x00, 0x7b, 0x7c, 0x21, 0x02, // acc += popcnt(load p)
  0x20, 0x00, 0x41, 0x08, 0x6a, 0x21, 0x00, // p += 8
  0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01, // n -= 1
  0x0c, 0x00, 0x0b, 0x0b, // br 0, end loop, end block
  0x20, 0x02, 0xa7, 0x0b, // i32.wrap_i64 acc, end
];
// deno-fmt-ignore
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type 0: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // one memory, 1 page (64 KB)
  0x07, 0x09, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x63, 0x00, 0x00, // exports "m", "c"
  0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY, // the code
]);

interface WordCounter {
  /** The module's 64 KB, where each chunk of a run is copied to be counted. */
  memory: Uint8Array;
  countWords: (at: number, words: number) => number;
}

/**
 * The module, instantiated on the first long run: an instance costs an
 * empty server ~1.2 MB of RSS (measured), which a server that never counts
 * bits should not pay.
 */
let counter: WordCounter | undefined;

function wordCounter(): WordCounter {
  if (counter !== undefined) return counter;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
  return counter = {
    memory: new Uint8Array((instance.exports.m as WebAssembly.Memory).buffer),
    countWords: instance.exports.c as WordCounter["countWords"],
  };
}

/** Runs shorter than this are counted in JavaScript. */
const SHORT = 64;

/** Set bits in bytes[from..to] (inclusive). */
export function countBits(bytes: Uint8Array, from: number, to: number): number {
  if (to - from < SHORT) {
    let n = 0;
    for (let i = from; i <= to; i++) n += POPCOUNT[bytes[i]!]!;
    return n;
  }
  const { memory, countWords } = wordCounter();
  // Bytes counted per call: the memory less the 8 zero bytes that pad a chunk's last word.
  const chunk = memory.length - 8;
  let n = 0;
  for (let at = from; at <= to; at += chunk) {
    const end = Math.min(to + 1, at + chunk);
    const length = end - at;
    memory.set(bytes.subarray(at, end));
    // Zero the rest of the last word (a longer chunk may have left bytes there).
    for (let i = length; i < length + 8; i++) memory[i] = 0;
    n += countWords(0, Math.ceil(length / 8));
  }
  return n;
}
