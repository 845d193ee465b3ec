/**
 * MurmurHash64A, the 64-bit MurmurHash2 Redis hashes HyperLogLog elements
 * with (reading 8-byte blocks little-endian on every platform). Computed in
 * 32-bit halves: BigInt would allocate on every step of a hot PFADD loop.
 */

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const TWO_32 = 4294967296;

/** The 64-bit result of the last call, as two unsigned 32-bit halves. */
export const hash64 = { hi: 0, lo: 0 };

let hi = 0;
let lo = 0;

/** (hi, lo) *= M, modulo 2^64. */
function mulM(): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const b0 = M_LO & 0xffff;
  const b1 = M_LO >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const carry = low >= TWO_32 ? 1 : 0;
  const high = a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(hi, M_LO) +
    Math.imul(lo, M_HI);
  lo = low >>> 0;
  hi = high >>> 0;
}

/** (hi, lo) ^= (hi, lo) >> 47. */
function mixShift(): void {
  lo = (lo ^ (hi >>> 15)) >>> 0;
}

/**
 * MurmurHash64A of binary string `s` (one char per byte) with a 32-bit seed;
 * the result is left in `hash64`.
 */
export function murmurHash64A(s: string, seed: number): void {
  const len = s.length;
  hi = 0;
  lo = len >>> 0;
  mulM();
  lo = (lo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const hHi = hi;
    const hLo = lo;
    lo = (s.charCodeAt(i) | s.charCodeAt(i + 1) << 8 | s.charCodeAt(i + 2) << 16 |
      s.charCodeAt(i + 3) << 24) >>> 0;
    hi = (s.charCodeAt(i + 4) | s.charCodeAt(i + 5) << 8 | s.charCodeAt(i + 6) << 16 |
      s.charCodeAt(i + 7) << 24) >>> 0;
    mulM();
    mixShift();
    mulM();
    hi = (hi ^ hHi) >>> 0;
    lo = (lo ^ hLo) >>> 0;
    mulM();
  }
  const tail = len & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = s.charCodeAt(blocks + j);
      if (j >= 4) hi = (hi ^ (byte << (8 * (j - 4)))) >>> 0;
      else lo = (lo ^ (byte << (8 * j))) >>> 0;
    }
    mulM();
  }
  mixShift();
  mulM();
  mixShift();
  hash64.hi = hi;
  hash64.lo = lo;
}
