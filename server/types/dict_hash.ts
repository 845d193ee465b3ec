/**
 * A packed dict's field hash (packed_dict.ts): MurmurHash3's x86_32 with a
 * random seed, as the key table's (key_hash.ts) but a seed of its own. Its
 * low bits pick the bucket, its top byte is the entry's tag.
 *
 * Four chars a step: FNV-1a's multiply per char was a chain of dependent
 * multiplies, and each charCodeAt checks the string's form (a 20-byte member
 * ~24 ns of SADD's ~490 in a 100k-member set).
 */
import { finalize, mixTail, mixWord } from "./murmur3.ts";

const SEED = (Math.random() * 0x100000000) >>> 0;

/** A field's 32-bit hash. */
export function hashString(s: string): number {
  const len = s.length;
  let h = SEED;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    h = mixWord(
      h,
      s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) |
        (s.charCodeAt(i + 3) << 24),
    );
  }
  if (i < len) {
    let k = s.charCodeAt(i);
    if (i + 1 < len) k |= s.charCodeAt(i + 1) << 8;
    if (i + 2 < len) k |= s.charCodeAt(i + 2) << 16;
    h ^= mixTail(k);
  }
  return finalize(h ^ len);
}

/**
 * The field hashField hashed last, the string it was first given (a hit keeps it): right after
 * hashField(f) it has f's chars, so a memo holding this very string matches f by identity.
 */
export let hashedField = "";
/** In a typed array: a module variable would box each hash over 2^30. */
const fieldHash = Uint32Array.of(hashString(""));

/** hashString, the last field's remembered: a command may locate one field twice (HINCRBY, HSETNX). */
export function hashField(field: string): number {
  if (field !== hashedField) {
    fieldHash[0] = hashString(field);
    hashedField = field;
  }
  return fieldHash[0]!;
}

/** hashString of the binary string of `len` bytes of `buf` at `start`. */
export function hashBytes(buf: Uint8Array, start: number, len: number): number {
  let h = SEED;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const p = start + i;
    h = mixWord(h, buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24));
  }
  if (i < len) {
    let k = buf[start + i]!;
    if (i + 1 < len) k |= buf[start + i + 1]! << 8;
    if (i + 2 < len) k |= buf[start + i + 2]! << 16;
    h ^= mixTail(k);
  }
  return finalize(h ^ len);
}

/**
 * hashString of `s`, its chars written to `out` from 0 as they are read (a
 * binary string: one byte each): a member hashed and then compared as bytes
 * reads each char once.
 */
export function hashCopy(s: string, out: Uint8Array): number {
  const len = s.length;
  let h = SEED;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    out[i] = a;
    out[i + 1] = b;
    out[i + 2] = c;
    out[i + 3] = d;
    h = mixWord(h, a | (b << 8) | (c << 16) | (d << 24));
  }
  if (i < len) {
    let k = out[i] = s.charCodeAt(i);
    if (i + 1 < len) k |= (out[i + 1] = s.charCodeAt(i + 1)) << 8;
    if (i + 2 < len) k |= (out[i + 2] = s.charCodeAt(i + 2)) << 16;
    h ^= mixTail(k);
  }
  return finalize(h ^ len);
}
