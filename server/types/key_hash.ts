/**
 * The key table's hash: FNV-1a with a random seed (so clients cannot aim keys
 * at one probe chain) and murmur3's finalizer (linear probing needs good low
 * bits). Keys are binary strings, one char a byte, so a key hashes the same
 * from its string and from its record's bytes.
 */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** The last key hashed: a command looks its key up, then keyChanged accounts for it. */
let memoKey = "";
/** Its hash, in a typed array: a module variable would box each hash over 2^30. */
const memoHash = new Uint32Array(1);

/** A key's hash; the last one is remembered, as a command hashes its key twice. */
export function hashKey(key: string): number {
  if (key === memoKey) return memoHash[0]!;
  let h = SEED;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  memoKey = key;
  return memoHash[0] = finalize(h);
}

export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = SEED;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return finalize(h);
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
