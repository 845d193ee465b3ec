import { deepEqual, equal } from "node:assert/strict";
import { binaryToBytes, bytesToBinary } from "./bytes.ts";

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
