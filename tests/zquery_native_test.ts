/** The book's sorted-set commands on the native protocol, and ZQUERY on both protocols. */
import { deepEqual } from "node:assert/strict";
import type { NativeValue } from "../protocol/native.ts";
import { NativeClient, RespClient, startServer } from "./helpers.ts";

const NIL: NativeValue = { type: "nil" };

function int(value: number): NativeValue {
  return { type: "int", value: BigInt(value) };
}

function dbl(value: number): NativeValue {
  return { type: "dbl", value };
}

function str(value: string): NativeValue {
  return { type: "str", value };
}

/** The book's reply to zquery: member, score, member, score... */
function pairs(...entries: [string, number][]): NativeValue {
  return { type: "arr", values: entries.flatMap(([m, s]) => [str(m), dbl(s)]) };
}

Deno.test("zadd, zrem and zscore reply as the book's server does", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  deepEqual(await c.call("zadd", "z", "1.5", "a"), int(1));
  deepEqual(await c.call("zadd", "z", "2", "a"), int(0));
  deepEqual(await c.call("zscore", "z", "a"), dbl(2));
  deepEqual(await c.call("zscore", "z", "nope"), NIL);
  deepEqual(await c.call("zscore", "nokey", "a"), NIL);
  deepEqual(await c.call("zrem", "z", "nope"), int(0));
  deepEqual(await c.call("zrem", "z", "a"), int(1));
  deepEqual(await c.call("zrem", "z", "a"), int(0));
  deepEqual(await c.call("zadd", "z", "inf", "top"), int(1));
  deepEqual(await c.call("zscore", "z", "top"), dbl(Infinity));
  deepEqual(await c.call("zadd", "z", "x", "a"), {
    type: "err",
    code: 4,
    message: "ERR value is not a valid float",
  });
  deepEqual(await c.call("set", "s", "v"), NIL);
  deepEqual(await c.call("zadd", "s", "1", "a"), {
    type: "err",
    code: 3,
    message: "WRONGTYPE Operation against a key holding the wrong kind of value",
  });
});

Deno.test("zquery seeks (score, member), moves by offset, and counts limit in array elements", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  for (
    const [score, member] of [["1", "a"], ["2", "b"], ["2", "c"], ["3", "d"], ["4", "e"]] as const
  ) {
    await c.call("zadd", "z", score, member);
  }
  const q = (...args: string[]) => c.call("zquery", "z", ...args);
  deepEqual(await q("2", "", "0", "10"), pairs(["b", 2], ["c", 2], ["d", 3], ["e", 4]));
  deepEqual(await q("2", "b", "0", "10"), pairs(["b", 2], ["c", 2], ["d", 3], ["e", 4]));
  deepEqual(await q("2", "bb", "0", "10"), pairs(["c", 2], ["d", 3], ["e", 4]));
  // limit counts elements, two per member: 3 gives two members, 2 gives one.
  deepEqual(await q("1", "", "0", "3"), pairs(["a", 1], ["b", 2]));
  deepEqual(await q("1", "", "0", "2"), pairs(["a", 1]));
  deepEqual(await q("1", "", "0", "1"), pairs(["a", 1]));
  deepEqual(await q("1", "", "0", "0"), pairs());
  deepEqual(await q("1", "", "0", "-4"), pairs());
  // offset skips forwards or moves back; landing outside the set gives nothing.
  deepEqual(await q("2", "c", "1", "4"), pairs(["d", 3], ["e", 4]));
  deepEqual(await q("3", "", "-2", "4"), pairs(["b", 2], ["c", 2]));
  deepEqual(await q("3", "", "-3", "2"), pairs(["a", 1]));
  deepEqual(await q("3", "", "-4", "2"), pairs());
  deepEqual(await q("1", "", "5", "2"), pairs());
  // Nothing at or after the seek point: nothing, whatever the offset.
  deepEqual(await q("5", "", "-2", "10"), pairs());
  deepEqual(await q("-inf", "", "0", "4"), pairs(["a", 1], ["b", 2]));
  deepEqual(await c.call("zquery", "nokey", "1", "", "0", "10"), pairs());
  deepEqual(await q("x", "", "0", "1"), {
    type: "err",
    code: 4,
    message: "ERR value is not a valid float",
  });
  deepEqual(await q("1", "", "1.5", "1"), {
    type: "err",
    code: 4,
    message: "ERR value is not an integer or out of range",
  });
  deepEqual(await c.call("zquery", "z", "1", "", "0"), {
    type: "err",
    code: 4,
    message: "ERR wrong number of arguments for 'zquery' command",
  });
});

Deno.test("zquery works the same on a large (skiplist) set", async () => {
  await using srv = startServer();
  using c = await NativeClient.connect(srv.port);
  using r = await RespClient.connect(srv.port);
  const args: string[] = [];
  for (let i = 0; i < 2000; i++) args.push(String(i * 10), `m${i}`);
  await r.cmd("ZADD", "big", ...args);
  deepEqual(
    await c.call("zquery", "big", "15005", "", "0", "6"),
    pairs(["m1501", 15010], ["m1502", 15020], ["m1503", 15030]),
  );
  deepEqual(await c.call("zquery", "big", "15005", "", "-1501", "2"), pairs(["m0", 0]));
  deepEqual(await c.call("zquery", "big", "15005", "", "-1502", "2"), pairs());
  deepEqual(await c.call("zquery", "big", "0", "", "1999", "10"), pairs(["m1999", 19990]));
});

Deno.test("ZQUERY over RESP is a flat array of member and score strings", async () => {
  await using srv = startServer();
  using r = await RespClient.connect(srv.port);
  await r.cmd("ZADD", "z", "1.5", "a", "2", "b", "1e-7", "tiny");
  deepEqual(await r.cmd("ZQUERY", "z", "0", "", "0", "10"), ["tiny", "1e-7", "a", "1.5", "b", "2"]);
  await r.cmd("HELLO", "3");
  deepEqual(await r.cmd("ZQUERY", "z", "1", "a", "0", "3"), ["a", "1.5", "b", "2"]);
  deepEqual(await r.cmd("ZQUERY", "nokey", "1", "a", "0", "3"), []);
});
