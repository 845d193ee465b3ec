import { equal, notEqual } from "node:assert/strict";
import { hashBytes, hashKey } from "./key_hash.ts";

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
