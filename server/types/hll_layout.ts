/**
 * The layout of Redis's HyperLogLog bytes (see hyperloglog.ts): the header's
 * fields, the dense registers' packing, the element hash, and the sparse
 * opcodes, shared by the value's editor and by the reads done in place.
 */
import { hash64, murmurHash64A } from "./murmur.ts";

/** Header bytes before the registers. */
export const HDR = 16;
/** Offset of the encoding byte and of the cached cardinality. */
export const ENCODING_AT = 4;
export const CARD_AT = 8;
/** Marks the cached cardinality in the header at b[0] stale: its top bit (HLL_INVALIDATE_CACHE). */
export const markStale = (b: Uint8Array) => void (b[CARD_AT + 7]! |= 0x80);
/** Bits of the hash that choose the register. */
export const P = 14;
/** Registers: 2^P. */
export const HLL_REGISTERS = 1 << P;
/** Bits of the hash left to count zeros in. */
export const Q = 64 - P;
export const REGISTER_MAX = 63;
/** Length of every dense value. */
export const HLL_DENSE_SIZE = HDR + (HLL_REGISTERS * 6) / 8;
export const DENSE = 0;
export const SPARSE = 1;
export const SEED = 0xadc83b19;
export const VAL_MAX_VALUE = 32;
export const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
export const XZERO_MAX_LEN = 16384;

// ---- register access and hashing ------------------------------------------

export function denseGet(b: Uint8Array, reg: number): number {
  return denseGetAt(b, 0, reg);
}

/**
 * denseGet of a dense value starting at b[start]. The last register reads one byte past the
 * data (the zero kept there, or nothing where a value is viewed at a page's end): masked off.
 */
export function denseGetAt(b: Uint8Array, start: number, reg: number): number {
  const at = start + HDR + ((reg * 6) >>> 3);
  const fb = (reg * 6) & 7;
  return ((b[at]! >>> fb) | ((b[at + 1] ?? 0) << (8 - fb))) & REGISTER_MAX;
}

export function denseSet(b: Uint8Array, reg: number, value: number): void {
  const at = HDR + ((reg * 6) >>> 3);
  const fb = (reg * 6) & 7;
  b[at] = (b[at]! & ~(REGISTER_MAX << fb)) | (value << fb);
  b[at + 1] = (b[at + 1]! & ~(REGISTER_MAX >>> (8 - fb))) | (value >>> (8 - fb));
}

/** Sets a dense register to `count` if that raises it. */
export function denseRaise(b: Uint8Array, reg: number, count: number): boolean {
  if (count <= denseGet(b, reg)) return false;
  denseSet(b, reg, count);
  return true;
}

/**
 * The register an element lands in and the length of its "000..1" pattern
 * (1 to Q + 1), packed as `count << P | register`.
 */
export function hllPattern(element: string): number {
  murmurHash64A(element, SEED);
  return patternOfHash();
}

/** hllPattern of the hash just computed (in hash64). */
export function patternOfHash(): number {
  const reg = hash64[1]! & (HLL_REGISTERS - 1);
  // hash >> P with bit Q set so that the run ends: count = trailing zeros + 1.
  const low = ((hash64[1]! >>> P) | (hash64[0]! << (32 - P))) >>> 0;
  const high = (hash64[0]! >>> P) | (1 << (Q - 32));
  const zeros = low !== 0 ? ctz(low) : 32 + ctz(high);
  return ((zeros + 1) << P) | reg;
}

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

// ---- sparse opcodes ----------------------------------------------------------

export const isZero = (op: number) => (op & 0xc0) === 0;
export const isXzero = (op: number) => (op & 0xc0) === 0x40;
export const zeroLen = (op: number) => (op & 0x3f) + 1;
export const xzeroLen = (op: number, next: number) => (((op & 0x3f) << 8) | next) + 1;
export const valValue = (op: number) => ((op >>> 2) & 0x1f) + 1;
export const valLen = (op: number) => (op & 3) + 1;
export const valOp = (value: number, len: number) => 0x80 | ((value - 1) << 2) | (len - 1);

/** The up to five bytes an opcode splits into (XZERO, VAL, XZERO), reused. */
export const splitSeq = new Uint8Array(5);

/** Writes the opcode(s) for `len` zero registers at splitSeq[at]; returns the end. */
function putZeros(at: number, len: number): number {
  if (len <= ZERO_MAX_LEN) {
    splitSeq[at] = len - 1;
    return at + 1;
  }
  splitSeq[at] = 0x40 | ((len - 1) >>> 8);
  splitSeq[at + 1] = (len - 1) & 0xff;
  return at + 2;
}

/**
 * Redis's Step 3: opcode `op` covering registers first..last, with `reg`
 * set to `count`, as up to three opcodes (before, the register, after) in
 * splitSeq; returns their length in bytes.
 */
export function splitOpcode(
  op: number,
  first: number,
  last: number,
  reg: number,
  count: number,
): number {
  let n = 0;
  if (isZero(op) || isXzero(op)) {
    if (reg !== first) n = putZeros(n, reg - first);
    splitSeq[n++] = valOp(count, 1);
    if (reg !== last) n = putZeros(n, last - reg);
  } else {
    const current = valValue(op);
    if (reg !== first) splitSeq[n++] = valOp(current, reg - first);
    splitSeq[n++] = valOp(count, 1);
    if (reg !== last) splitSeq[n++] = valOp(current, last - reg);
  }
  return n;
}
