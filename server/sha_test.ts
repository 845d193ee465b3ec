import { deepEqual, equal } from "node:assert/strict";
import { createHash } from "node:crypto";
import { bytesToBinary } from "../protocol/bytes.ts";
import { sha1, sha1Hex, sha1OfWords, sha1Words, sha256, sha256Hex, toHex } from "./sha.ts";

const ABC_448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const ABC_896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno" +
  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

Deno.test("SHA-1: the FIPS 180-4 / NIST example messages", () => {
  equal(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  equal(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  equal(sha1Hex(ABC_448), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  equal(sha1Hex(ABC_896), "a49b2446a02c645bf419f995b67091253a04a259");
  equal(sha1Hex("a".repeat(1_000_000)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
});

Deno.test("SHA-256: the FIPS 180-4 / NIST example messages", () => {
  equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  equal(
    sha256Hex(ABC_448),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  equal(
    sha256Hex(ABC_896),
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  );
  equal(
    sha256Hex("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

const nodeHex = (algorithm: string, bytes: Uint8Array) =>
  createHash(algorithm).update(bytes).digest("hex");

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    out[i] = x;
  }
  return out;
}

Deno.test("SHA-1 and SHA-256: lengths either side of the padding boundaries", () => {
  for (const n of [0, 1, 54, 55, 56, 57, 62, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
    const bytes = randomBytes(n, n + 7);
    const binary = bytesToBinary(bytes);
    equal(sha1Hex(bytes), nodeHex("sha1", bytes), `sha1, ${n} bytes`);
    equal(sha1Hex(binary), nodeHex("sha1", bytes), `sha1, ${n} chars`);
    equal(sha256Hex(bytes), nodeHex("sha256", bytes), `sha256, ${n} bytes`);
    equal(sha256Hex(binary), nodeHex("sha256", bytes), `sha256, ${n} chars`);
  }
});

Deno.test("SHA-1 and SHA-256: random messages agree with node:crypto, as hex and as bytes", () => {
  let seed = 0x9e3779b9;
  for (let i = 0; i < 200; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    const bytes = randomBytes((seed >>> 8) % 4096, seed);
    const sha1Node = createHash("sha1").update(bytes).digest();
    const sha256Node = createHash("sha256").update(bytes).digest();
    deepEqual(sha1(bytes), new Uint8Array(sha1Node));
    deepEqual(sha256(bytesToBinary(bytes)), new Uint8Array(sha256Node));
    equal(sha1Hex(bytesToBinary(bytes)), sha1Node.toString("hex"));
    equal(sha256Hex(bytes), sha256Node.toString("hex"));
  }
});

Deno.test("SHA-1 over words: sha1Words is sha1's state, sha1OfWords the hash of the words' 20 bytes", () => {
  const words = Int32Array.from(sha1Words("abc"));
  const bytes = sha1("abc");
  for (let i = 0; i < 5; i++) {
    equal(
      words[i],
      bytes[4 * i]! << 24 | bytes[4 * i + 1]! << 16 | bytes[4 * i + 2]! << 8 | bytes[4 * i + 3]!,
    );
  }
  sha1OfWords(words);
  equal(toHex(words, 5), sha1Hex(bytes));
});
