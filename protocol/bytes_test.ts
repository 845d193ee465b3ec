import { deepEqual, equal } from "node:assert/strict";
import { binaryToBytes, bytesToBinary, RepeatedString } from "./bytes.ts";

Deno.test("bytesToBinary: every length through each path keeps every byte", () => {
  const buf = new Uint8Array(20000);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 7) & 0xff;
  for (const len of [...Array(40).keys(), 100, 8192, 8193, 19000]) {
    for (const start of [0, 3]) {
      const s = bytesToBinary(buf, start, start + len);
      equal(s.length, len);
      deepEqual(binaryToBytes(s), buf.subarray(start, start + len));
    }
  }
});

Deno.test("RepeatedString: the same bytes give the same string object; other bytes a new one", () => {
  const names = new RepeatedString();
  const buf = binaryToBytes("SETGETSETLONG");
  const first = names.decode(buf, 0, 3);
  equal(first, "SET");
  equal(names.decode(buf, 6, 3), first);
  equal(names.decode(buf, 3, 3), "GET");
  equal(names.decode(buf, 6, 7), "SETLONG");
  equal(names.decode(binaryToBytes("x".repeat(40)), 0, 40), "x".repeat(40));
});
