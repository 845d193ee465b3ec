/**
 * A command holds its key as bytes only with the argument counts it
 * registered (protocol/bytes.ts, takesKeyBytes): 35 arguments are not 3.
 */
import { deepEqual } from "node:assert/strict";
import { NativeClient, pipelineOneWrite, RespClient, startServer } from "./helpers.ts";

/** Requests of 35 and 36 arguments (a shift by them is one by 3 and 4), and their replies. */
function requests(): [string[], unknown][] {
  const many = Array.from({ length: 34 }, (_, i) => `member:${i}`);
  return [
    [["SADD", "many:set", ...many.slice(0, 33)], 33],
    [["HSET", "many:hash", ...many], 17],
    [["RPUSH", "many:list", ...many.slice(0, 33)], 33],
    [["SCARD", "many:set"], 33],
    [["HLEN", "many:hash"], 17],
    [["LLEN", "many:list"], 33],
  ];
}

Deno.test("keys from the request's bytes: SADD k with 33 members is not SADD k m (RESP)", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const steps = requests();
  deepEqual(await pipelineOneWrite(c, steps.map(([argv]) => argv)), steps.map(([, r]) => r));
});

Deno.test("keys from the request's bytes: SADD k with 33 members is not SADD k m (native)", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  for (const [argv, reply] of requests()) {
    deepEqual(await c.call(...argv), { type: "int", value: BigInt(reply as number) }, argv[0]);
  }
});
