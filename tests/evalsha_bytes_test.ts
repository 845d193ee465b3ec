/**
 * EVALSHA and EVALSHA_RO look their script up from the sha's bytes in the
 * request (protocol/bytes.ts takesNameBytes, ScriptEngine.argumentScript),
 * over RESP and the native protocol. Replies are Redis 7's (checked against
 * redis-server 7.0): a sha in any case finds its script, anything else is
 * NOSCRIPT; the slow log, MONITOR and a MULTI queue run after its batch see
 * the sha as sent.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { encodeNativeRequest } from "../protocol/native.ts";
import {
  NativeClient,
  nativePlain,
  oneWrite,
  pipelineOneWrite,
  RespClient,
  slowLogged,
  startServer,
} from "./helpers.ts";

const BODY = "return redis.call('incr',KEYS[1])";
const SHA = "6f5ade10a69975e903c6d07b10ea44c6382381a5";
const NOSCRIPT = { error: "NOSCRIPT No matching script. Please use EVAL." };

/** Names sent as the sha, and whether each finds the script. */
const NAMES: [string, boolean][] = [
  [SHA, true],
  [SHA.toUpperCase(), true],
  ["6F5ade10a69975e903c6d07b10ea44c6382381A5", true],
  // One digit off, at the start, in the middle, at the end.
  ["7f5ade10a69975e903c6d07b10ea44c6382381a5", false],
  ["6f5ade10a69975e903c6d07b10ea44c6382381a4", false],
  ["6f5ade10a69975e903c6d07b10ea44c6382381aZ", false],
  // Not hex, or a letter that lower-cases to one of the sha's only in ASCII's other range.
  ["6f5ade10a69975e903c6d07b10ea44c6382381\xc1\x05", false],
  ["6f5ade1\x0010a69975e903c6d07b10ea44c6382381a", false],
  ["x".repeat(40), false],
  // Shorter and longer names: held (4-40 bytes) or made as strings.
  ["abc", false],
  ["abcd", false],
  [SHA.slice(0, 32), false],
  [SHA.slice(0, 39), false],
  [SHA + "0", false],
  ["", false],
];

function requests(): string[][] {
  return NAMES.flatMap(([name]) => [
    ["EVALSHA", name, "1", "counter"],
    ["evalsha_ro", name, "1", "counter"],
    ["EvalSha", name, "0"],
  ]);
}

function expected(): unknown[] {
  let n = 0;
  return NAMES.flatMap(([, found]) =>
    found
      ? [
        ++n,
        {
          error:
            `ERR Write commands are not allowed from read-only scripts. script: ${SHA}, on @user_script:1.`,
        },
        {
          error:
            `ERR Lua redis lib command arguments must be strings or integers script: ${SHA}, on @user_script:1.`,
        },
      ]
      : [NOSCRIPT, NOSCRIPT, NOSCRIPT]
  );
}

Deno.test("EVALSHA from the sha's bytes: replies over RESP", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SCRIPT", "LOAD", BODY), SHA);
  const replies = await pipelineOneWrite(c, requests());
  deepEqual(replies.map(errorText), expected().map(errorText));
});

Deno.test("EVALSHA from the sha's bytes: replies over the native protocol", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  await c.send("script", "load", BODY);
  equal(nativePlain(await c.read()), SHA);
  const all = requests();
  await c.writeRaw(oneWrite(all.map(encodeNativeRequest)));
  const replies = [];
  for (let i = 0; i < all.length; i++) replies.push(nativePlain(await c.read()));
  deepEqual(replies.map(errorText), expected().map(errorText));
});

Deno.test("EVALSHA from the sha's bytes: slow-logged as sent, queued in MULTI past its batch", async () => {
  await using srv = startServer({ "slowlog-log-slower-than": "0", "slowlog-max-len": "1000" });
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("SCRIPT", "LOAD", BODY), SHA);
  const sent = [
    ["EVALSHA", SHA.toUpperCase(), "1", "k1"],
    ["EVALSHA", SHA, "1", "k1"],
    ["EVALSHA", "7" + SHA.slice(1), "1", "k1"],
  ];
  await pipelineOneWrite(c, sent);
  // The script's INCR is logged too, as Redis logs it.
  deepEqual((await slowLogged(c)).filter((argv) => argv[0] === "EVALSHA"), sent);
  deepEqual(
    await pipelineOneWrite(c, [["MULTI"], ["EVALSHA", SHA, "1", "k2"], [
      "EVALSHA",
      SHA.toUpperCase(),
      "1",
      "k2",
    ]]),
    ["OK", "QUEUED", "QUEUED"],
  );
  deepEqual(await pipelineOneWrite(c, [["GET", "k2"], ["EXEC"]]), ["QUEUED", [1, 2, "2"]]);
  // After SCRIPT FLUSH the same bytes find nothing; loaded again, they find it.
  deepEqual(
    await pipelineOneWrite(c, [["SCRIPT", "FLUSH"], ["EVALSHA", SHA, "1", "k3"], [
      "SCRIPT",
      "LOAD",
      BODY,
    ], ["EVALSHA", SHA, "1", "k3"]]),
    ["OK", NOSCRIPT, SHA, 1],
  );
});

/** An error reply's text (RESP's and native's error objects differ in shape), else the reply. */
function errorText(r: unknown): unknown {
  if (r !== null && typeof r === "object" && "error" in r) {
    const text = String((r as { error: unknown }).error);
    ok(text.length > 0);
    return { error: text };
  }
  return r;
}
