/** A deterministic stream of pseudo-random 32-bit numbers (xorshift32), for reproducible tests. */
export function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
