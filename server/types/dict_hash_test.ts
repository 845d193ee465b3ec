import { equal, notEqual } from "node:assert/strict";

Deno.test("dict hash: a fresh module's first hash of the empty field is its real hash", async () => {
  // A fresh instance of the module, as a new server has (its memo starts at the empty field).
  const fresh = await import("./dict_hash.ts?fresh");
  equal(fresh.hashField(""), fresh.hashString(""));
  notEqual(fresh.hashField("a"), fresh.hashField(""));
  equal(fresh.hashField(""), fresh.hashString(""));
});

Deno.test("dict hash: the empty field found again after others were hashed (HSET h '' v; HSET h a b)", async () => {
  const { RedisHash } = await import("./hash.ts?fresh");
  const { RedisSet } = await import("./set.ts?fresh");
  const hash = new RedisHash();
  hash.set("", "v");
  hash.set("a", "b");
  equal(hash.get(""), "v");
  const set = new RedisSet();
  set.add("");
  set.add("element:1");
  equal(set.has(""), true);
});

Deno.test("dict hash: every length from 0 to 9 hashes apart (the word loop and its tail)", async () => {
  const { hashString } = await import("./dict_hash.ts");
  const seen = new Set<number>();
  let s = "";
  for (let n = 0; n < 10; n++, s += String.fromCharCode(0x61 + n)) seen.add(hashString(s));
  equal(seen.size, 10);
  // High bytes count in every position of the word.
  equal(
    new Set(
      ["\xff\x00\x00\x00", "\x00\xff\x00\x00", "\x00\x00\xff\x00", "\x00\x00\x00\xff"].map(
        hashString,
      ),
    ).size,
    4,
  );
});
