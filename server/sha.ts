/**
 * SHA-1 and SHA-256 (FIPS 180-4) over bytes or binary strings, for script
 * SHAs, ACL password hashes and DEBUG DIGEST. Written here rather than taken
 * from node:crypto so that start-up loads none of Deno's Node-compatibility
 * layer (megabytes of resident memory for an empty server), and synchronous
 * where WebCrypto's digest is not.
 *
 * Messages are processed a 64-byte block at a time straight from the input;
 * only the last one or two blocks (the remainder, the 0x80 byte, zeros and the
 * bit length) are copied into a scratch block.
 */

/** A message: bytes, or a binary string (each char code one byte, 0-255). */
export type Message = Uint8Array | string;

/** The message schedule; FIPS 180-4 words are 32-bit, kept here as int32. */
const schedule = new Int32Array(80);
/** The padded final block(s) of a message. */
const tail = new Uint8Array(128);
/**
 * The hash value H while a message is digested: shared, as a typed array made
 * per call cost more (measured) than hashing a 100-byte script.
 */
const state = new Int32Array(8);

/** Loads the 16 big-endian words of the block at `at` into schedule[0..15]. */
function loadBlock(m: Message, at: number, w: Int32Array): void {
  if (typeof m === "string") {
    for (let i = 0; i < 16; i++, at += 4) {
      w[i] = m.charCodeAt(at) << 24 | m.charCodeAt(at + 1) << 16 | m.charCodeAt(at + 2) << 8 |
        m.charCodeAt(at + 3);
    }
  } else {
    for (let i = 0; i < 16; i++, at += 4) {
      w[i] = m[at]! << 24 | m[at + 1]! << 16 | m[at + 2]! << 8 | m[at + 3]!;
    }
  }
}

/**
 * Runs `compress` over every block of the padded message (§5.1.1: the
 * message, a 1 bit, zeros up to 56 bytes mod 64, the length in bits as a
 * 64-bit big-endian number).
 */
function digestInto(m: Message, h: Int32Array, compress: (h: Int32Array, w: Int32Array) => void) {
  const len = m.length;
  const whole = len - len % 64;
  for (let at = 0; at < whole; at += 64) {
    loadBlock(m, at, schedule);
    compress(h, schedule);
  }
  const rest = len - whole;
  for (let i = 0; i < rest; i++) {
    tail[i] = typeof m === "string" ? m.charCodeAt(whole + i) : m[whole + i]!;
  }
  tail[rest] = 0x80;
  const end = rest < 56 ? 64 : 128;
  tail.fill(0, rest + 1, end - 8);
  const hi = Math.floor(len / 0x20000000);
  const lo = (len * 8) >>> 0;
  for (let i = 0; i < 4; i++) {
    tail[end - 8 + i] = hi >>> (24 - 8 * i);
    tail[end - 4 + i] = lo >>> (24 - 8 * i);
  }
  for (let at = 0; at < end; at += 64) {
    loadBlock(tail, at, schedule);
    compress(h, schedule);
  }
}

// ---- SHA-1 (§6.1) ----------------------------------------------------------------------------

/** §5.3.1. */
const SHA1_INITIAL = Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0);

/** §6.1.2 step 2-4 for one block; w[0..15] holds the block. */
function sha1Block(h: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = x << 1 | x >>> 31;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!;
  // §4.1.1 and §4.2.1: Ch with K0, Parity with K1, Maj with K2, Parity with K3.
  for (let t = 0; t < 20; t++) {
    const x = ((a << 5 | a >>> 27) + ((b & c) ^ (~b & d)) + e + 0x5a827999 + w[t]!) | 0;
    e = d, d = c, c = b << 30 | b >>> 2, b = a, a = x;
  }
  for (let t = 20; t < 40; t++) {
    const x = ((a << 5 | a >>> 27) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0;
    e = d, d = c, c = b << 30 | b >>> 2, b = a, a = x;
  }
  for (let t = 40; t < 60; t++) {
    const x = ((a << 5 | a >>> 27) + ((b & c) ^ (b & d) ^ (c & d)) + e + 0x8f1bbcdc + w[t]!) | 0;
    e = d, d = c, c = b << 30 | b >>> 2, b = a, a = x;
  }
  for (let t = 60; t < 80; t++) {
    const x = ((a << 5 | a >>> 27) + (b ^ c ^ d) + e + 0xca62c1d6 + w[t]!) | 0;
    e = d, d = c, c = b << 30 | b >>> 2, b = a, a = x;
  }
  h[0] = h[0]! + a, h[1] = h[1]! + b, h[2] = h[2]! + c, h[3] = h[3]! + d, h[4] = h[4]! + e;
}

/** SHA-1 of `m`: 20 bytes. */
export function sha1(m: Message): Uint8Array {
  return toBytes(sha1State(m), 5);
}

/** SHA-1 of `m` as 40 lower-case hex digits (Redis's script SHAs, redis.sha1hex). */
export function sha1Hex(m: Message): string {
  return toHex(sha1State(m), 5);
}

/**
 * SHA-1 of `m` as the five big-endian words of the shared state: read them
 * before the next hash of this module (DEBUG DIGEST's mixing, no bytes made).
 */
export function sha1Words(m: Message): Int32Array {
  return sha1State(m);
}

/**
 * Replaces the five big-endian words `h` with the SHA-1 of the 20 bytes they
 * hold: one block, built from the words with its padding and length (160 bits).
 */
export function sha1OfWords(h: Int32Array): void {
  for (let i = 0; i < 5; i++) schedule[i] = h[i]!;
  schedule[5] = 0x80000000 | 0;
  schedule.fill(0, 6, 15);
  schedule[15] = 160;
  state.set(SHA1_INITIAL);
  sha1Block(state, schedule);
  for (let i = 0; i < 5; i++) h[i] = state[i]!;
}

function sha1State(m: Message): Int32Array {
  state.set(SHA1_INITIAL);
  digestInto(m, state, sha1Block);
  return state;
}

// ---- SHA-256 (§6.2) --------------------------------------------------------------------------

/** The first `n` primes. */
function primes(n: number): number[] {
  const found: number[] = [];
  for (let p = 2; found.length < n; p++) {
    if (found.every((q) => p % q !== 0)) found.push(p);
  }
  return found;
}

/** The first 32 bits of the fractional part of x. */
const fraction32 = (x: number) => ((x - Math.floor(x)) * 0x100000000) | 0;

/** §4.2.2: the fractional parts of the cube roots of the first 64 primes. */
const SHA256_K = Int32Array.from(primes(64), (p) => fraction32(Math.cbrt(p)));
/** §5.3.3: the fractional parts of the square roots of the first 8 primes. */
const SHA256_INITIAL = Int32Array.from(primes(8), (p) => fraction32(Math.sqrt(p)));

/** §6.2.2 steps 1-4 for one block; w[0..15] holds the block. */
function sha256Block(h: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!, y = w[t - 2]!;
    // σ0 and σ1 (§4.1.2 (4.6), (4.7)).
    const s0 = (x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3);
    const s1 = (y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10);
    w[t] = (s1 + w[t - 7]! + s0 + w[t - 16]!) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    // Σ1(e) + Ch(e, f, g) and Σ0(a) + Maj(a, b, c) (§4.1.2 (4.2)-(4.5)).
    const s1 = (e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7);
    const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + SHA256_K[t]! + w[t]!) | 0;
    const s0 = (a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10);
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g, g = f, f = e, e = (d + t1) | 0, d = c, c = b, b = a, a = (t1 + t2) | 0;
  }
  h[0] = h[0]! + a, h[1] = h[1]! + b, h[2] = h[2]! + c, h[3] = h[3]! + d;
  h[4] = h[4]! + e, h[5] = h[5]! + f, h[6] = h[6]! + g, h[7] = h[7]! + hh;
}

/** SHA-256 of `m`: 32 bytes. */
export function sha256(m: Message): Uint8Array {
  return toBytes(sha256State(m), 8);
}

/** SHA-256 of `m` as 64 lower-case hex digits (ACL password hashes). */
export function sha256Hex(m: Message): string {
  return toHex(sha256State(m), 8);
}

function sha256State(m: Message): Int32Array {
  state.set(SHA256_INITIAL);
  digestInto(m, state, sha256Block);
  return state;
}

// ---- Output ----------------------------------------------------------------------------------

/** The first `words` hash words as big-endian bytes. */
function toBytes(h: Int32Array, words: number): Uint8Array {
  const out = new Uint8Array(words * 4);
  for (let i = 0; i < words; i++) {
    const x = h[i]!;
    out[4 * i] = x >>> 24, out[4 * i + 1] = x >>> 16, out[4 * i + 2] = x >>> 8, out[4 * i + 3] = x;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The first `words` hash words as hex: a table of byte pairs, 3x faster than toString(16). */
export function toHex(h: Int32Array, words: number): string {
  let s = "";
  for (let i = 0; i < words; i++) {
    const x = h[i]!;
    s += HEX[x >>> 24]! + HEX[x >>> 16 & 255]! + HEX[x >>> 8 & 255]! + HEX[x & 255]!;
  }
  return s;
}
