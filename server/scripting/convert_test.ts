import { deepEqual, equal } from "node:assert/strict";
import { bytesToBinary } from "../../protocol/bytes.ts";
import { RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import { RespWriter } from "../../protocol/writer.ts";
import { popReply, pushReply, pushReplyBytes, type ScriptReply } from "./convert.ts";
import { lauxlib, lua, type LuaState, pushBinary, toBinary, toLua, topValue } from "./lua.ts";
import { writeLuaValue } from "./lua_reply.ts";
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
    { type: "array", values: [] },
    {
      type: "array",
      values: [
        { type: "bulk", value: binary },
        { type: "null" },
        { type: "simple", value: "QUEUED" },
        { type: "int", value: 9007199254740993n },
        { type: "array", values: [{ type: "bulk", value: "" }, { type: "nullArray" }] },
        { type: "array", values: [] },
      ],
    },
    // An error or a RESP3 type inside an array: decoded, after the part pushed is dropped.
    { type: "array", values: [{ type: "bulk", value: "a" }, { type: "error", value: "ERR x" }] },
    { type: "array", values: [{ type: "int", value: 2n }, { type: "bool", value: false }] },
    { type: "map", entries: [[{ type: "bulk", value: "f" }, { type: "int", value: 1n }]] },
    { type: "set", values: [{ type: "bulk", value: "m" }] },
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

Deno.test("results written from their Lua value equal results converted to replies first", () => {
  const L: LuaState = lauxlib.luaL_newstate();
  const results = [
    "'text'",
    "'\\0\\255\\r\\n'",
    "{}",
    "{1, 2.9, -0.5, 'x', false, true, 'after', nil, 'gone'}",
    "{1/0, -1/0, 2^53 + 2, -2^63 * 4, {nested = 1, 'in'}, {{{}}}}",
    "{ok = 'fine\\r\\nline'}",
    "{'a', {err = 'INNER failure'}}",
    "{double = 3.5}",
    "{double = 'not a number', 'array'}",
    "{big_number = '123\\r\\n4'}",
    "{verbatim_string = {format = 'txt', string = 'hello'}}",
    "{verbatim_string = {format = 'txt'}, 'left'}",
    "{map = {a = 1, [2] = 'two', c = {ok = 'x'}}}",
    "{set = {a = true, b = true, [3] = true}}",
    "(function() local t = {} t[1] = t return t end)()",
    "(function() local t = {a = 1, b = 2, c = 3} t.b = nil t.d = 4 return {map = t} end)()",
  ];
  for (const resp of [2, 3] as const) {
    for (const protocol of [2, 3] as const) {
      for (const result of results) {
        const label = `setresp(${resp}), client RESP${protocol}: ${result}`;
        equal(lauxlib.luaL_loadstring(L, toLua(`return ${result}`)), 0, label);
        lua.lua_call(L, 0, 1);
        const direct = new RespWriter(protocol);
        writeLuaValue(direct, topValue(L), resp);
        const converted = new RespWriter(protocol);
        writeReply(converted, popReply(L, resp));
        deepEqual(
          bytesToBinary(direct.buf, 0, direct.pos),
          bytesToBinary(converted.buf, 0, converted.pos),
          label,
        );
      }
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
