import { equal, notEqual } from "node:assert/strict";
import { hashBytes, hashKey, sameAsHashed } from "./key_hash.ts";

Deno.test("key hash: the empty key hashes alike before and after any other key", () => {
  // First in its module: nothing has been hashed yet.
  const first = hashKey("");
  equal(first, hashBytes(new Uint8Array(0), 0, 0));
  hashKey("a");
  equal(hashKey(""), first);
});

Deno.test("key hash: a key's string and its bytes hash alike, every length and byte", () => {
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let n = 0; n < 2000; n++) {
    const bytes = Uint8Array.from({ length: 3 + n % 70 }, () => Math.floor(random() * 256));
    const start = n % 3;
    const key = String.fromCharCode(...bytes.subarray(start, bytes.length - 1));
    equal(hashKey(key), hashBytes(bytes, start, bytes.length - 1), `length ${key.length}`);
  }
  notEqual(hashKey("key:000000000001"), hashKey("key:000000000002"));
});

Deno.test("key hash: bytes hash alike from any view, and from a buffer rewritten between hashes", () => {
  const slab = new ArrayBuffer(256);
  const a = new Uint8Array(slab, 16, 64);
  const b = new Uint8Array(slab, 101, 64);
  const key = "key:000000012345";
  for (let at = 0; at < 8; at++) {
    for (let i = 0; i < key.length; i++) a[at + i] = b[at + i] = key.charCodeAt(i);
    equal(hashBytes(a, at, at + key.length), hashKey(key));
    equal(hashBytes(b, at, at + key.length), hashKey(key));
    a[at + 5] = 0x39; // the same view, read again after a write
    notEqual(hashBytes(a, at, at + key.length), hashKey(key));
    equal(hashBytes(a, at, at + key.length), hashKey(key.slice(0, 5) + "9" + key.slice(6)));
  }
});

Deno.test("sameAsHashed: the bytes just hashed against a page, every length and differing byte", () => {
  const key = new Uint8Array(100);
  const page = new Uint8Array(120);
  for (let len = 0; len <= 90; len++) {
    const start = len % 5;
    const at = 11 + len % 3;
    for (let i = 0; i < len; i++) page[at + i] = key[start + i] = (i * 31 + len) & 0xff;
    for (let d = -1; d < len; d++) {
      const byte = page[at + d]!;
      for (const flip of d < 0 ? [0] : [0x80, 1]) {
        if (d >= 0) page[at + d] = byte ^ flip;
        hashBytes(key, start, start + len);
        equal(
          sameAsHashed(page, at, key, start, len),
          d < 0,
          `length ${len}, byte ${d}, flip ${flip}`,
        );
      }
      if (d >= 0) page[at + d] = byte;
    }
  }
});
