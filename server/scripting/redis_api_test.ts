import { equal } from "node:assert/strict";
import { sha1hex } from "./shebang.ts";

Deno.test("sha1hex: each string's own SHA-1, whatever was hashed before it", () => {
  const empty = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  equal(sha1hex(""), empty);
  equal(sha1hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  equal(sha1hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  equal(sha1hex("abd"), "cb4cc28df0fdbe0ecf9d9662e294b118092a5735");
  // The same text built anew, and a string too long to be remembered, twice.
  equal(sha1hex(["a", "b", "c"].join("")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  const long = "a".repeat(1_000_000) + "a".repeat(100_000);
  equal(sha1hex(long), "02470607aab064ed4c7647c2fbcf152489f96f93");
  equal(sha1hex(long), "02470607aab064ed4c7647c2fbcf152489f96f93");
  equal(sha1hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  equal(sha1hex(""), empty);
});
