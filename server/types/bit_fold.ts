/**
 * BITOP's fold: the result of AND, OR, XOR or NOT over strings, built in the
 * memory of a small WebAssembly module that combines sixteen bytes an
 * instruction (eight where the machine lacks WebAssembly's SIMD).
 * JavaScript's bitwise operators take 32-bit words: a word loop over typed
 * arrays ran ~0.6 ns a word, ~150 ns for a 1 KB source after a copy to align
 * it, where the module takes ~40 ns after the copy into its memory (~80 ns
 * eight bytes at a time: each pass of a loop pays V8's interrupt check).
 * Sources under 64 bytes fold in JavaScript (SMALL_FOLD). Each source is
 * folded in as soon as it is viewed, before the next key lookup can move it.
 */
import { copyBytes } from "../../protocol/bytes.ts";

export type BitOp = "and" | "or" | "xor" | "not";

/**
 * The module, assembled by hand (small enough to read):
 *
 *     (module
 *       (memory (export "m") 1)
 *       (func (export "a") (param $d i32) (param $s i32) (param $n i32)
 *         (block (loop                              ;; eight units a pass
 *           (br_if 1 (i32.lt_u (local.get $n) (i32.const 8)))
 *           (v128.store offset=0 (local.get $d)
 *             (v128.and (v128.load offset=0 (local.get $d)) (v128.load offset=0 (local.get $s))))
 *           ...                                     ;; the same at offsets 16 to 112
 *           (local.set $d (i32.add (local.get $d) (i32.const 128)))
 *           (local.set $s (i32.add (local.get $s) (i32.const 128)))
 *           (local.set $n (i32.sub (local.get $n) (i32.const 8)))
 *           (br 0)))
 *         (block (loop                              ;; then one a pass
 *           (br_if 1 (i32.eqz (local.get $n)))
 *           (v128.store (local.get $d) (v128.and (v128.load (local.get $d)) (v128.load (local.get $s))))
 *           (local.set $d (i32.add (local.get $d) (i32.const 16)))
 *           (local.set $s (i32.add (local.get $s) (i32.const 16)))
 *           (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *           (br 0))))
 *       (func (export "o") ...)   ; the same with v128.or
 *       (func (export "x") ...))  ; the same with v128.xor
 *
 * `a(d, s, n)`: the n 16-byte units from byte d = themselves AND those from
 * byte s. Without SIMD the same in i64 loads, ops and stores of 8 bytes.
 * Eight units a pass: each pass pays V8's interrupt check (in-process BITOP AND of 16 KB
 * 2,010-2,032 -> 1,895-1,960 ns with four, 1,880-1,939 -> 1,831-1,879 with eight).
 */
function foldBody(simd: boolean, [vectorOp, wordOp]: readonly number[]): number[] {
  const load = (at: number) => simd ? [0xfd, 0x00, 0x04, at] : [0x29, 0x03, at];
  const store = (at: number) => simd ? [0xfd, 0x0b, 0x04, at] : [0x37, 0x03, at];
  const combine = simd ? [0xfd, vectorOp!] : [wordOp!];
  const unit = simd ? 16 : 8;
  // d = d OP s, `at` bytes on (a memory offset: under 128, one byte)
  const step = (at: number) => [
    0x20,
    0x00,
    0x20,
    0x00,
    ...load(at),
    0x20,
    0x01,
    ...load(at),
    ...combine,
    ...store(at),
  ];
  // i32.const of eight units' bytes (128 or 64): two bytes in signed LEB128
  const eight = simd ? [0x80, 0x01] : [0xc0, 0x00];
  // deno-fmt-ignore
  return [
    0x00, // no locals
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x02, 0x41, 0x08, 0x49, 0x0d, 0x01, // br_if 1 (i32.lt_u n 8)
    ...step(0), ...step(unit), ...step(2 * unit), ...step(3 * unit),
    ...step(4 * unit), ...step(5 * unit), ...step(6 * unit), ...step(7 * unit),
    0x20, 0x00, 0x41, ...eight, 0x6a, 0x21, 0x00, // d += 8 units
    0x20, 0x01, 0x41, ...eight, 0x6a, 0x21, 0x01, // s += 8 units
    0x20, 0x02, 0x41, 0x08, 0x6b, 0x21, 0x02, // n -= 8
    0x0c, 0x00, 0x0b, 0x0b, // br 0, end loop, end block
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x02, 0x45, 0x0d, 0x01, // br_if 1 (i32.eqz n)
    ...step(0),
    0x20, 0x00, 0x41, unit, 0x6a, 0x21, 0x00, // d += unit
    0x20, 0x01, 0x41, unit, 0x6a, 0x21, 0x01, // s += unit
    0x20, 0x02, 0x41, 0x01, 0x6b, 0x21, 0x02, // n -= 1
    0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br 0, end loop, end block, end
  ];
}

/** The opcodes of AND, OR and XOR: v128's (after the 0xfd prefix), i64's. */
const OPS = [[0x4e, 0x83], [0x50, 0x84], [0x51, 0x85]];

/** The module's bytes, with or without SIMD (exported for the test of the one this machine skips). */
export function foldModule(simd: boolean): Uint8Array<ArrayBuffer> {
  const bodies = OPS.map((op) => foldBody(simd, op));
  const code = [bodies.length, ...bodies.flatMap((body) => [...uleb(body.length), ...body])];
  // deno-fmt-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type 0: (i32, i32, i32) -> ()
    0x03, 0x04, 0x03, 0x00, 0x00, 0x00, // three functions of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // one memory, 1 page (64 KB)
    0x07, 0x11, 0x04, 0x01, 0x6d, 0x02, 0x00, // exports: "m",
    0x01, 0x61, 0x00, 0x00, 0x01, 0x6f, 0x00, 0x01, 0x01, 0x78, 0x00, 0x02, // "a", "o", "x"
    0x0a, ...uleb(code.length), ...code, // the code
  ]);
}

function uleb(n: number): number[] {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

type Fold = (d: number, s: number, units: number) => void;

interface Kernel {
  memory: WebAssembly.Memory;
  and: Fold;
  or: Fold;
  xor: Fold;
  /** Bytes a unit of the folds. */
  unit: number;
}

/**
 * Where a source is copied to be folded, a chunk at a time; the result lies
 * after it (RESULT_AT), in memory grown to the longest result, as the
 * buffer before it was kept.
 */
const STAGE = 16 * 1024;
const RESULT_AT = STAGE + 16;
const PAGE = 64 * 1024;

/** Instantiated on the first BITOP: an instance costs RSS a server without BITOPs should not pay. */
let kernel: Kernel | undefined;
/** The kernel's memory as bytes (remade when the memory grows). */
let bytes = new Uint8Array(0);
/** Bytes of the result so far. */
let length = 0;
/**
 * The last result's view, kept while its length stays the same (a grown memory detaches it:
 * length 0): a view made for each result was ~27 ns of a ~650 ns BITOP AND of 1 KB in-process.
 */
let view = new Uint8Array(0);

function theKernel(): Kernel {
  if (kernel !== undefined) return kernel;
  let module = foldModule(true);
  const simd = WebAssembly.validate(module);
  if (!simd) module = foldModule(false);
  const exports = new WebAssembly.Instance(new WebAssembly.Module(module)).exports;
  kernel = {
    memory: exports.m as WebAssembly.Memory,
    and: exports.a as Fold,
    or: exports.o as Fold,
    xor: exports.x as Fold,
    unit: simd ? 16 : 8,
  };
  bytes = new Uint8Array(kernel.memory.buffer as ArrayBuffer);
  return kernel;
}

/** Room for a result of `n` bytes and the padding of its last unit. */
function reserve(k: Kernel, n: number): void {
  const needed = RESULT_AT + n + 16;
  if (needed <= bytes.length) return;
  k.memory.grow(Math.ceil((needed - bytes.length) / PAGE));
  bytes = new Uint8Array(k.memory.buffer as ArrayBuffer);
}

/**
 * Sources shorter than this are copied and folded a byte at a time in
 * JavaScript, straight from where they are stored: below it a copy into the
 * module's memory and its call cost more (~0.6 ns a byte against ~40 ns for a
 * copy and ~15 for a call; in-process BITOP AND of 16 bytes ~560 -> ~500 ns,
 * of 48 bytes ~615 -> ~570).
 */
const SMALL_FOLD = 64;

/** Starts a result as bytes [start, end) of `source` (inverted for NOT). */
export function foldFirst(op: BitOp, source: Uint8Array, start: number, end: number): void {
  const k = theKernel();
  length = end - start;
  reserve(k, length);
  if (length < SMALL_FOLD) {
    // Indexed from the source: copyBytes's loop took 16 bytes in ~18 ns, this ~11.
    const result = bytes;
    const d = RESULT_AT - start;
    for (let i = start; i < end; i++) result[d + i] = source[i]!;
  } else {
    copyBytes(bytes, RESULT_AT, source, start, end);
  }
  if (op !== "not") return;
  // NOT is XOR with ones.
  for (let at = 0; at < length; at += STAGE) {
    const chunk = Math.min(STAGE, length - at);
    bytes.fill(0xff, 0, chunk);
    k.xor(RESULT_AT + at, 0, Math.ceil(chunk / k.unit));
  }
}

/**
 * result = result OP bytes [start, end) of `source`; the shorter of the two
 * reads as zero bytes past its end, so the result is as long as the longer.
 */
export function foldNext(op: BitOp, source: Uint8Array, start: number, end: number): void {
  const k = theKernel();
  const n = end - start;
  if (n > length) {
    reserve(k, n);
    bytes.fill(0, RESULT_AT + length, RESULT_AT + n);
    length = n;
  } else if (op === "and" && n < length) {
    // Zero AND anything is zero.
    bytes.fill(0, RESULT_AT + n, RESULT_AT + length);
  }
  if (n < SMALL_FOLD) return foldSmall(op, source, start, n);
  const fold = op === "and" ? k.and : op === "or" ? k.or : k.xor;
  for (let at = 0; at < n; at += STAGE) {
    const chunk = Math.min(STAGE, n - at);
    copyBytes(bytes, 0, source, start + at, start + at + chunk);
    // The last unit's bytes past the chunk fold as zeros: AND clears result
    // bytes there, which lie past the source and are zero (above) already.
    if (chunk % k.unit !== 0) bytes.fill(0, chunk, chunk + k.unit);
    fold(RESULT_AT + at, 0, Math.ceil(chunk / k.unit));
  }
}

/** foldNext of a short source: result = result OP source[start, start + n). */
function foldSmall(op: BitOp, source: Uint8Array, start: number, n: number): void {
  const result = bytes;
  const d = RESULT_AT - start;
  const end = start + n;
  if (op === "and") {
    for (let i = start; i < end; i++) result[d + i] = result[d + i]! & source[i]!;
  } else if (op === "or") {
    for (let i = start; i < end; i++) result[d + i] = result[d + i]! | source[i]!;
  } else {
    for (let i = start; i < end; i++) result[d + i] = result[d + i]! ^ source[i]!;
  }
}

/** The result: a view good until the next fold. */
export function foldedBytes(): Uint8Array {
  if (view.length !== length) view = bytes.subarray(RESULT_AT, RESULT_AT + length);
  return view;
}
