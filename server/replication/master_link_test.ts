import { deepEqual } from "node:assert/strict";
import { binaryToBytes, bytesToBinary } from "../../protocol/bytes.ts";
import { StreamApplier } from "./master_link.ts";

const STREAM = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" +
  "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n" +
  "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n" +
  "*1\r\n$4\r\nPING\r\n";

function split(sizes: number[]): [string[], string][] {
  const seen: [string[], string][] = [];
  const applier = new StreamApplier((argv, bytes) => seen.push([argv, bytesToBinary(bytes)]));
  const bytes = binaryToBytes(STREAM);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    applier.take(bytes.slice(at, at + n));
    at += n;
  }
  return seen;
}

Deno.test("the stream is split into whole commands with their exact bytes, however it arrives", () => {
  const expected: [string[], string][] = [
    [["SELECT", "0"], "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"],
    [["SET", "key", "0123456789"], "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n"],
    [["REPLCONF", "GETACK", "*"], "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"],
    [["PING"], "*1\r\n$4\r\nPING\r\n"],
  ];
  for (const sizes of [[STREAM.length], [1], [2, 3], [7], [30, 1, 50]]) {
    deepEqual(split(sizes), expected, `read sizes ${sizes}`);
  }
});
