/**
 * MurmurHash64A, the 64-bit MurmurHash2 Redis hashes HyperLogLog elements
 * with (reading 8-byte blocks little-endian on every platform). Computed in
 * 32-bit halves kept in a Uint32Array: BigInt, or 32-bit values in plain
 * variables (boxed as heap numbers above 2^30), would allocate on every step
 * of a hot PFADD loop.
 */

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;

/** The running hash, and after a call the result: [0] the high 32 bits, [1] the low 32 bits. */
export const hash64 = new Uint32Array(2);

/** hash *= M, modulo 2^64: low half times M_LO in 16-bit limbs for its carry, the rest by imul. */
function mulM(): void {
  const hi = hash64[0]!;
  const lo = hash64[1]!;
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_LO0;
  const p01 = a0 * M_LO1;
  const p10 = a1 * M_LO0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * M_LO1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  hash64[0] = carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI);
  hash64[1] = Math.imul(lo, M_LO);
}

/** hash ^= hash >> 47. */
function mixShift(): void {
  hash64[1]! ^= hash64[0]! >>> 15;
}

/**
 * MurmurHash64A of binary string `s` (one char per byte) with a 32-bit seed;
 * the result is left in `hash64`.
 */
export function murmurHash64A(s: string, seed: number): void {
  const len = s.length;
  start(len, seed);
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    block(
      s.charCodeAt(i) | s.charCodeAt(i + 1) << 8 | s.charCodeAt(i + 2) << 16 |
        s.charCodeAt(i + 3) << 24,
      s.charCodeAt(i + 4) | s.charCodeAt(i + 5) << 8 | s.charCodeAt(i + 6) << 16 |
        s.charCodeAt(i + 7) << 24,
    );
  }
  const tail = len & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = s.charCodeAt(blocks + j);
      if (j >= 4) hash64[0]! ^= byte << (8 * (j - 4));
      else hash64[1]! ^= byte << (8 * j);
    }
    mulM();
  }
  finish();
}

/** MurmurHash64A of the 8 bytes of a little-endian uint64 given as halves (PFSELFTEST). */
export function murmurHash64AWord(wordLo: number, wordHi: number, seed: number): void {
  start(8, seed);
  block(wordLo, wordHi);
  finish();
}

/** h = seed ^ (len * M). */
function start(len: number, seed: number): void {
  hash64[0] = 0;
  hash64[1] = len;
  mulM();
  hash64[1] ^= seed;
}

/** Mixes in one 8-byte block k: k *= M; k ^= k >> 47; k *= M; h ^= k; h *= M. */
function block(kLo: number, kHi: number): void {
  const hHi = hash64[0]!;
  const hLo = hash64[1]!;
  hash64[0] = kHi;
  hash64[1] = kLo;
  mulM();
  mixShift();
  mulM();
  hash64[0] ^= hHi;
  hash64[1] ^= hLo;
  mulM();
}

function finish(): void {
  mixShift();
  mulM();
  mixShift();
}
