/** Finding reply boundaries in a RESP stream, and socket errors in hiredis's words. */
import { equal, throws } from "node:assert/strict";
import { binaryToBytes } from "../protocol/bytes.ts";
import { ConnectionError, RespReplyScanner, socketErrorText } from "./connection.ts";

const REPLIES = [
  "+OK\r\n",
  "-ERR no\r\n",
  ":-12\r\n",
  "$3\r\nbar\r\n",
  "$0\r\n\r\n",
  "$-1\r\n",
  "$5\r\na\r\nb\n\r\n",
  "*-1\r\n",
  "*0\r\n",
  "*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n+x\r\n",
  "%2\r\n+k\r\n*1\r\n:1\r\n$1\r\nj\r\n_\r\n",
  "~2\r\n,1.5\r\n#t\r\n",
  ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
  "=7\r\ntxt:a\r\n\r\n",
  "!3\r\nERR\r\n",
  "(12345678901234567890\r\n",
  "|1\r\n+ttl\r\n:3\r\n+OK\r\n",
];

Deno.test("the scanner finds each reply's end at every split point, resuming where it stopped", () => {
  for (const reply of REPLIES) {
    const bytes = binaryToBytes(reply + "+next\r\n");
    for (let split = 0; split < reply.length; split++) {
      const scanner = new RespReplyScanner();
      equal(scanner.complete(bytes, 0, split), undefined, `${JSON.stringify(reply)} at ${split}`);
      equal(scanner.complete(bytes, 0, bytes.length), reply.length, JSON.stringify(reply));
      // Ready for the next reply.
      equal(scanner.complete(bytes, reply.length, bytes.length), "+next\r\n".length);
    }
  }
});

Deno.test("a byte that starts no reply type is a protocol error, worded as hiredis words it", () => {
  for (
    const [reply, message] of [
      ["?what\r\n", 'Protocol error, got "?" as reply type byte'],
      ["*2\r\n:1\r\n\x01\r\n", 'Protocol error, got "\\x01" as reply type byte'],
    ] as const
  ) {
    throws(
      () => new RespReplyScanner().complete(binaryToBytes(reply), 0, reply.length),
      (err: Error) => err instanceof ConnectionError && err.message === message,
    );
  }
});

Deno.test("socket errors read as the OS words them", () => {
  equal(socketErrorText(new Error("Connection refused (os error 111)")), "Connection refused");
  equal(
    socketErrorText(new Error("failed to lookup address information: Name or service not known")),
    "Name or service not known",
  );
});
