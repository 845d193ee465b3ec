/**
 * The key table's hash: 30 bits of MurmurHash3's x86_32 (see finish) with a
 * random seed (so clients cannot aim keys at one probe chain). Keys are
 * binary strings, one char a byte, so a key hashes the same from its string
 * and from its record's bytes.
 *
 * Four bytes a step: FNV-1a's one multiply per byte is a chain of dependent
 * multiplies (~4 cycles a byte), and each charCodeAt checks the string's form;
 * murmur's steps take a word each (a 20-byte key from its string: ~51 → ~40 ns; from bytes ~22 → ~19).
 */
import { requestKey } from "../../protocol/bytes.ts";
import { finalize, mixTail, mixWord } from "./murmur3.ts";

const SEED = (Math.random() * 0x100000000) >>> 0;

/** The last key hashed: a command looks its key up, then keyChanged accounts for it. */
let memoKey = "";
/**
 * Its hash, in a typed array: a module variable would box each hash over 2^30.
 * It starts as the empty key's: a 0 here made a new server's first "" hash
 * to 0 and its later ones to their real value (SET "" x; SET a b; GET "" → nil).
 */
const memoHash = Uint32Array.of(finish(SEED, 0));

/** A key's hash; the last one is remembered, as a command hashes its key twice. */
export function hashKey(key: string): number {
  // The memo first: a client repeating a key (a counter, a queue) skips the
  // hash for a compare of the two strings. Then the request's key is hashed
  // from the bytes it was made from (bytes.ts, requestKey). Small enough to inline.
  if (key === memoKey) return memoHash[0]!;
  memoKey = key;
  return memoHash[0] = key === requestKey.key ? hashRequestKey() : hashString(key);
}

function hashRequestKey(): number {
  const start = requestKey.start;
  return hashBytes(requestKey.bytes, start, start + requestKey.key.length);
}

function hashString(key: string): number {
  const len = key.length;
  let h = SEED;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    h = mixWord(
      h,
      key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
        (key.charCodeAt(i + 3) << 24),
    );
  }
  if (i < len) {
    let k = key.charCodeAt(i);
    if (i + 1 < len) k |= key.charCodeAt(i + 1) << 8;
    if (i + 2 < len) k |= key.charCodeAt(i + 2) << 16;
    h ^= mixTail(k);
  }
  return finish(h, len);
}

/**
 * The words hashBytes read last, its first HASHED_WORDS: the key table
 * compares a record's key with them right after hashing the key it looks
 * for (sameAsHashed), one word a step and no second read of the key's bytes.
 */
const HASHED_WORDS = 16;
const hashedWords = new Int32Array(HASHED_WORDS);

/** hashKey of the binary string of bytes [start, end); keeps its words for sameAsHashed. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = SEED;
  let i = start;
  let n = 0;
  // `i < last`, not `i + 4 <= end`: a bound the compiler sees spares an overflow check a step.
  const last = end - 3;
  while (i < last) {
    const word = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    if (n < HASHED_WORDS) hashedWords[n++] = word;
    h = mixWord(h, word);
    i += 4;
  }
  if (i < end) {
    let k = bytes[i]!;
    if (i + 1 < end) k |= bytes[i + 1]! << 8;
    if (i + 2 < end) k |= bytes[i + 2]! << 16;
    h ^= mixTail(k);
  }
  return finish(h, end - start);
}

/**
 * Whether page[p, p + len) holds key[start, start + len), the bytes the
 * last hashBytes hashed (the caller hashed them and nothing hashed since):
 * their first words are compared with the words the hash kept.
 */
export function sameAsHashed(
  page: Uint8Array,
  p: number,
  key: Uint8Array,
  start: number,
  len: number,
): boolean {
  const kept = Math.min(len >> 2, HASHED_WORDS);
  for (let n = 0; n < kept; n++) {
    const a = p + n * 4;
    const word = page[a]! | (page[a + 1]! << 8) | (page[a + 2]! << 16) | (page[a + 3]! << 24);
    if (word !== hashedWords[n]) return false;
  }
  for (let i = kept * 4; i < len; i++) if (page[p + i] !== key[start + i]) return false;
  return true;
}

/**
 * The hash of `length` bytes mixed into `h`: murmur3's finalizer's top 30
 * bits. A hash of 2^30 or more is a heap number when a call returns it, 16
 * bytes a lookup wherever the call was not inlined; and as the seed is random,
 * whether a run's hot keys did was chance (bimodal runs, 431–467 ns a HINCRBY).
 */
function finish(h: number, length: number): number {
  return finalize(h ^ length) >>> 2;
}
