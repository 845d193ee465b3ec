/** The --wire dump: every byte of a frame on a row that says what it is. */
import { equal } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import { encodeNativeRequest } from "../protocol/native.ts";
import { encodeRespRequest } from "../protocol/resp.ts";
import { formatFrame } from "./wire.ts";

const pad = (hex: string) => "   " + hex.padEnd(50);

Deno.test("a native request: length prefix, string count, each string's length and bytes", () => {
  equal(
    formatFrame("request", "native", encodeNativeRequest(["GET", "k\n"])),
    "-> request, native, 21 bytes\n" +
      pad("11 00 00 00") + "msglen 17\n" +
      pad("02 00 00 00") + "nstr 2\n" +
      pad("03 00 00 00") + "len 3\n" +
      pad("47 45 54") + '"GET"\n' +
      pad("02 00 00 00") + "len 2\n" +
      pad("6b 0a") + '"k\\n"\n',
  );
});

Deno.test("native replies: tags, error codes, nested arrays indented", () => {
  const reply = new Uint8Array([
    ...[26, 0, 0, 0],
    ...[5, 2, 0, 0, 0],
    ...[3, 7, 0, 0, 0, 0, 0, 0, 0],
    ...[1, 3, 0, 0, 0, 3, 0, 0, 0, 0x57, 0x52, 0x4f],
  ]);
  equal(
    formatFrame("reply", "native", reply),
    "<- reply, native, 30 bytes\n" +
      pad("1a 00 00 00") + "msglen 26\n" +
      pad("05") + "tag 5 array\n" +
      pad("02 00 00 00") + "count 2\n" +
      pad("03") + "  tag 3 integer\n" +
      pad("07 00 00 00 00 00 00 00") + "  7\n" +
      pad("01") + "  tag 1 error\n" +
      pad("03 00 00 00") + "  code 3 (wrong type)\n" +
      pad("03 00 00 00") + "  len 3\n" +
      pad("57 52 4f") + '  "WRO"\n',
  );
});

Deno.test("RESP: type markers with lengths, strings with their CR LF, nulls", () => {
  equal(
    formatFrame("request", "resp", encodeRespRequest(["PING"])),
    "-> request, RESP, 14 bytes\n" +
      pad("2a 31 0d 0a") + "*1  array, 1 element\n" +
      pad("24 34 0d 0a") + "  $4  bulk string, 4 bytes\n" +
      pad("50 49 4e 47 0d 0a") + '  "PING" CRLF\n',
  );
  equal(
    formatFrame("reply", "resp", binaryToBytes("%1\r\n+ok\r\n$-1\r\n")),
    "<- reply, RESP, 14 bytes\n" +
      pad("25 31 0d 0a") + "%1  map, 1 pair\n" +
      pad("2b 6f 6b 0d 0a") + "  +ok  simple string\n" +
      pad("24 2d 31 0d 0a") + "  $-1  null bulk string\n",
  );
});

Deno.test("long strings show 64 bytes and count the rest; bytes that do not parse are flagged", () => {
  const dump = formatFrame("request", "resp", encodeRespRequest(["x".repeat(100)]));
  const lines = dump.split("\n");
  equal(lines[3], pad("78 ".repeat(16).trim()) + '  "' + "x".repeat(64) + '"... CRLF');
  equal(lines[7], "   ... 38 more bytes");
  equal(
    formatFrame("reply", "resp", binaryToBytes("?x\r\n")),
    "<- reply, RESP, 4 bytes\n" + pad("3f 78 0d 0a") + "(does not parse)\n",
  );
});
