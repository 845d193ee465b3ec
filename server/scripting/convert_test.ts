import { deepEqual, equal } from "node:assert/strict";
import { bytesToBinary } from "../../protocol/bytes.ts";
import { RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import { RespWriter } from "../../protocol/writer.ts";
import { popReply, pushReply, pushReplyBytes, type ScriptReply } from "./convert.ts";
import { lauxlib, lua, type LuaState, pushBinary, toBinary } from "./lua.ts";
import { writeReply } from "./runner.ts";

/** The RESP bytes of `v` as a command would write them. */
function encode(v: RespValue, resp: 2 | 3): Uint8Array {
  const out = new RespWriter(resp);
  writeReply(out, v);
  return out.buf.slice(0, out.pos);
}

/** `bytes` pushed as a script's redis.call pushes them, then read back as a script reply. */
function viaBytes(L: LuaState, bytes: Uint8Array, resp: 2 | 3): [ScriptReply, boolean] {
  const isError = pushReplyBytes(L, { buf: bytes, start: 0, end: bytes.length });
  return [popReply(L, resp), isError];
}

/** The straightforward path: decode the whole reply, then convert the value. */
function viaDecoder(L: LuaState, bytes: Uint8Array, resp: 2 | 3): [ScriptReply, boolean] {
  const value = new RespReplyDecoder().decode(bytes, 0, bytes.length)!;
  pushReply(L, value);
  return [popReply(L, resp), value.type === "error"];
}

Deno.test("replies pushed from their bytes equal replies decoded first", () => {
  const L: LuaState = lauxlib.luaL_newstate();
  const binary = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  const replies: RespValue[] = [
    ...[0, 1, -1, 42, -12345, 2 ** 53 - 1, -(2 ** 53) + 1].map((n) => ({
      type: "int" as const,
      value: BigInt(n),
    })),
    // Past 2^53 the double rounds: the same as the decoded bigint's.
    { type: "int", value: 9007199254740993n },
    { type: "int", value: -9223372036854775808n },
    { type: "int", value: 9223372036854775807n },
    ...["", "a", "hello", "x".repeat(255), "y".repeat(257), binary, "1\r\n2"].map((value) => ({
      type: "bulk" as const,
      value,
    })),
    { type: "null" },
    { type: "nullArray" },
    { type: "simple", value: "OK" },
    { type: "error", value: "ERR wrong" },
    { type: "array", values: [{ type: "int", value: 1n }, { type: "bulk", value: "b" }] },
    { type: "double", value: 1.5, raw: "" },
    { type: "bool", value: true },
  ];
  for (const resp of [2, 3] as const) {
    for (const reply of replies) {
      const bytes = encode(reply, resp);
      const label = `RESP${resp} ${JSON.stringify(bytesToBinary(bytes))}`;
      deepEqual(viaBytes(L, bytes, resp), viaDecoder(L, bytes, resp), label);
    }
  }
  equal(lua.lua_gettop(L), 0);
});

Deno.test("Lua strings made from shared slabs keep their bytes", () => {
  const L: LuaState = lauxlib.luaL_newstate();
  const strings = Array.from({ length: 3000 }, (_, i) => `key:${i}:${"z".repeat(i % 300)}`);
  lua.lua_createtable(L, strings.length, 0);
  strings.forEach((s, i) => {
    pushBinary(L, s);
    lua.lua_rawseti(L, -2, i + 1);
  });
  strings.forEach((s, i) => {
    lua.lua_rawgeti(L, -1, i + 1);
    equal(toBinary(L, -1), s);
    lua.lua_pop(L, 1);
  });
});
