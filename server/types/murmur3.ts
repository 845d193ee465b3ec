/**
 * MurmurHash3 x86_32's steps, shared by the key table's hash (key_hash.ts)
 * and the packed dicts' field hash (dict_hash.ts), each with a seed of its own.
 */

/** murmur3's step for a whole word. */
export function mixWord(h: number, k: number): number {
  h ^= mixTail(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's scrambling of a word's bits before they join the hash. */
export function mixTail(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** murmur3's 32-bit finalizer: every input bit moves every output bit (linear probing needs good low bits). */
export function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
