/**
 * Conversions between replies and Lua values, as Redis 7.0 documents them
 * (script_lua.c redisProtocolToLuaType / luaReplyToRedisReply):
 *
 * reply → Lua: integer → number, bulk → string, null bulk / null array →
 * false (RESP3 null → nil), array → table, status → `{ok=...}`, error →
 * `{err=...}`, and under RESP3: map → `{map={...}}`, set → `{set={k=true}}`,
 * boolean → boolean, double → `{double=n}`, big number → `{big_number=s}`,
 * verbatim → `{verbatim_string={format=..., string=...}}`.
 *
 * Lua → reply: string → bulk, number → integer (truncated), boolean →
 * 1 / null under RESP2, boolean under RESP3, tables as above (an array stops
 * at its first nil), anything else → null.
 */
import { copyBytes, parseDecimal } from "../../protocol/bytes.ts";
import { RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import type { ReplyWriter } from "../../protocol/writer.ts";
import { LUA_REPLY_TOO_DEEP } from "../errors.ts";
import { toInt64 } from "./lua_format.ts";
import {
  lua,
  LUA_TBOOLEAN,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  luaBytes,
  type LuaState,
  pushBinary,
  pushBytes,
  pushLiteral,
  pushNumber,
  rawSetIndex,
  rawSetPair,
  setField,
  toBinary,
  topNumber,
  topType,
} from "./lua.ts";

/** Pushes `{err = "<CODE> <message>"}`; `error` may start with `-CODE ` (Redis's luaPushErrorBuff). */
export function pushErrorTable(L: LuaState, error: string): void {
  let code = "ERR";
  let message = error;
  if (error.startsWith("-")) {
    const space = error.indexOf(" ");
    if (space < 0) message = error.slice(1);
    else {
      code = error.slice(1, space);
      message = error.slice(space + 1);
    }
  }
  message = message.replace(/^[\r\n]+|[\r\n]+$/g, "");
  lua.lua_newtable(L);
  pushBinary(L, `${code} ${message}`);
  setField(L, -2, "err");
}

/** A command's reply as the server wrote it: the RESP bytes [start, end) of `buf`. */
export interface ReplyBytes {
  buf: Uint8Array;
  start: number;
  end: number;
}

const COLON = 58;
const DOLLAR = 36;
const PLUS = 43;
const STAR = 42;
const CR = 13;
const replyDecoder = new RespReplyDecoder();

/**
 * Pushes a command's reply, given as its RESP bytes in the script's protocol,
 * as a Lua value; returns whether it is an error. Integers, bulk strings,
 * statuses and arrays of them, most replies, go from the bytes straight to
 * Lua (a string's bytes are copied into the Lua string, no JavaScript string
 * is made); the rest are decoded first.
 */
export function pushReplyBytes(L: LuaState, reply: ReplyBytes, resp: 2 | 3 = 2): boolean {
  const { buf, start, end } = reply;
  const top = lua.lua_gettop(L);
  if (pushFromBytes(L, buf, start, end) === end) return false;
  lua.lua_settop(L, top);
  const value = replyDecoder.decode(buf, start, end) ?? { type: "null" };
  pushReply(L, value, resp);
  return value.type === "error";
}

/**
 * Pushes the value whose bytes start at `at` (and end by `end`) as pushReply
 * would push it decoded; returns where its bytes end, or -1 for a value left
 * to the decoder (an error, a RESP3 type, an integer past 2^53), having
 * pushed part of it, which the caller pops.
 */
function pushFromBytes(L: LuaState, buf: Uint8Array, at: number, end: number): number {
  const type = buf[at];
  const cr = lineEnd(buf, at + 1, end);
  if (cr < 0) return -1;
  const n = type === PLUS ? 0 : parseDecimal(buf, at + 1, cr);
  // Integers past 2^53 are decoded: a double rounds them as Redis's (lua_Number) cast does.
  if (n === undefined) return -1;
  const next = cr + 2;
  if (type === COLON) {
    pushNumber(L, n);
    return next;
  }
  if (type === DOLLAR) {
    if (n === -1) {
      lua.lua_pushboolean(L, false);
      return next;
    }
    if (n < 0 || next + n + 2 > end) return -1;
    pushCopy(L, buf, next, next + n);
    return next + n + 2;
  }
  if (type === PLUS) {
    // A status line (it holds no CR): `{ok = "<status>"}`, as pushReply makes it.
    lua.lua_newtable(L);
    pushCopy(L, buf, at + 1, cr);
    setField(L, -2, "ok");
    return next;
  }
  if (type !== STAR || n < -1) return -1;
  if (n === -1) {
    lua.lua_pushboolean(L, false);
    return next;
  }
  lua.luaL_checkstack(L, 4, null);
  lua.lua_createtable(L, n, 0);
  let pos = next;
  for (let i = 1; i <= n; i++) {
    pos = pushFromBytes(L, buf, pos, end);
    if (pos < 0) return -1;
    rawSetIndex(L, i);
  }
  return pos;
}

/** Where the line from `from` ends (its CR, followed by LF before `end`), or -1. */
function lineEnd(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end - 1; i++) {
    if (buf[i] === CR) return buf[i + 1] === 10 ? i : -1;
  }
  return -1;
}

/** Pushes bytes [from, to) of `buf` as a new Lua string. */
function pushCopy(L: LuaState, buf: Uint8Array, from: number, to: number): void {
  const bytes = luaBytes(to - from);
  copyBytes(bytes, 0, buf, from, to);
  pushBytes(L, bytes);
}

/** Pushes a command's reply (decoded in the script's protocol) as a Lua value. */
export function pushReply(L: LuaState, v: RespValue, resp: 2 | 3 = 2): void {
  lua.luaL_checkstack(L, 4, null);
  switch (v.type) {
    case "int":
      lua.lua_pushnumber(L, Number(v.value));
      return;
    case "bulk":
      pushBinary(L, v.value);
      return;
    case "null":
      // RESP3's null (`_`, the only null it writes) is nil; RESP2's null bulk is false.
      if (resp === 3) lua.lua_pushnil(L);
      else lua.lua_pushboolean(L, false);
      return;
    case "nullArray":
      lua.lua_pushboolean(L, false);
      return;
    case "simple":
      pushField(L, "ok", () => pushBinary(L, v.value));
      return;
    case "error":
      pushErrorTable(L, `-${v.value}`);
      lua.lua_pushboolean(L, true);
      setField(L, -2, "ignore_error_stats_update");
      return;
    case "array":
    case "push":
      lua.lua_createtable(L, v.values.length, 0);
      v.values.forEach((item, i) => {
        pushReply(L, item, resp);
        rawSetIndex(L, i + 1);
      });
      return;
    case "map":
      pushField(L, "map", () => {
        lua.lua_newtable(L);
        for (const [key, value] of v.entries) {
          pushReply(L, key, resp);
          pushReply(L, value, resp);
          rawSetPair(L);
        }
      });
      return;
    case "set":
      pushField(L, "set", () => {
        lua.lua_newtable(L);
        for (const item of v.values) {
          pushReply(L, item, resp);
          lua.lua_pushboolean(L, true);
          rawSetPair(L);
        }
      });
      return;
    case "bool":
      lua.lua_pushboolean(L, v.value);
      return;
    case "double":
      pushField(L, "double", () => lua.lua_pushnumber(L, v.value));
      return;
    case "bignum":
      pushField(L, "big_number", () => pushBinary(L, v.value));
      return;
    case "verbatim":
      pushField(L, "verbatim_string", () => {
        lua.lua_newtable(L);
        pushBinary(L, v.value);
        setField(L, -2, "string");
        pushBinary(L, v.format);
        setField(L, -2, "format");
      });
      return;
  }
}

/** An integer a double holds exactly (the common result), written without making a bigint. */
export interface NumberReply {
  type: "number";
  value: number;
}

/**
 * A string or table result kept as its Lua value until it is written to the
 * caller (lua_reply.ts): `write` writes it.
 */
export interface LuaReply {
  type: "lua";
  write(out: ReplyWriter): void;
}

/** A script's result: a reply, a NumberReply or a LuaReply. */
export type ScriptReply = RespValue | NumberReply | LuaReply;

/**
 * Converts the script's result at the top of the stack into a reply and pops
 * it. `resp` is the protocol the script selected with redis.setresp. An
 * integer is written into `number`, which the caller may reuse once it has
 * written the reply.
 */
export function popReply(
  L: LuaState,
  resp: 2 | 3,
  number: NumberReply = { type: "number", value: 0 },
): ScriptReply {
  if (topType(L) === LUA_TNUMBER) {
    const n = Math.trunc(topNumber(L));
    if (Number.isSafeInteger(n)) {
      lua.lua_pop(L, 1);
      // -0 truncated is an integer 0, as the bigint it stands for.
      number.value = n === 0 ? 0 : n;
      return number;
    }
  }
  return popValue(L, resp, 0);
}

/** The value at the top of the stack as a reply, popped. */
function popValue(L: LuaState, resp: 2 | 3, depth: number): RespValue {
  const reply = toReply(L, resp, depth);
  lua.lua_pop(L, 1);
  return reply;
}

/**
 * How deep nested tables may go: Redis runs out of Lua stack on a table that
 * contains itself and replies with this error in place of the rest.
 */
const MAX_REPLY_DEPTH = 1000;

function toReply(L: LuaState, resp: 2 | 3, depth: number): RespValue {
  lua.luaL_checkstack(L, 4, null);
  switch (lua.lua_type(L, -1)) {
    case LUA_TSTRING:
      return { type: "bulk", value: toBinary(L, -1)! };
    case LUA_TBOOLEAN: {
      const b = lua.lua_toboolean(L, -1);
      if (resp === 3) return { type: "bool", value: b };
      return b ? { type: "int", value: 1n } : { type: "null" };
    }
    case LUA_TNUMBER:
      return { type: "int", value: toInt64(lua.lua_tonumber(L, -1)) };
    case LUA_TTABLE:
      if (depth >= MAX_REPLY_DEPTH) return { type: "error", value: LUA_REPLY_TOO_DEEP };
      return tableReply(L, resp, depth + 1);
    default:
      return { type: "null" };
  }
}

/** Pushes `t[name]`, raw, for the table at `idx` (below the key pushed); returns its type. */
function rawField(L: LuaState, name: string, idx = -1): number {
  pushLiteral(L, name);
  return lua.lua_rawget(L, idx - 1);
}

function tableReply(L: LuaState, resp: 2 | 3, depth: number): RespValue {
  if (rawField(L, "err") === LUA_TSTRING) {
    const message = toBinary(L, -1)!;
    lua.lua_pop(L, 1);
    return { type: "error", value: message };
  }
  lua.lua_pop(L, 1);
  if (rawField(L, "ok") === LUA_TSTRING) {
    const status = toBinary(L, -1)!.replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return { type: "simple", value: status };
  }
  lua.lua_pop(L, 1);
  if (rawField(L, "double") === LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return { type: "double", value: d, raw: "" };
  }
  lua.lua_pop(L, 1);
  if (rawField(L, "big_number") === LUA_TSTRING) {
    const big = toBinary(L, -1)!.replace(/[\r\n]/g, " ");
    lua.lua_pop(L, 1);
    return { type: "bignum", value: big };
  }
  lua.lua_pop(L, 1);
  const verbatim = verbatimReply(L);
  if (verbatim !== undefined) return verbatim;
  if (rawField(L, "map") === LUA_TTABLE) {
    const entries: [RespValue, RespValue][] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pushvalue(L, -2);
      const key = popValue(L, resp, depth);
      entries.push([key, popValue(L, resp, depth)]);
    }
    lua.lua_pop(L, 1);
    return { type: "map", entries };
  }
  lua.lua_pop(L, 1);
  if (rawField(L, "set") === LUA_TTABLE) {
    const values: RespValue[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, -1);
      values.push(popValue(L, resp, depth));
    }
    lua.lua_pop(L, 1);
    return { type: "set", values };
  }
  lua.lua_pop(L, 1);
  const values: RespValue[] = [];
  for (let i = 1;; i++) {
    if (lua.lua_rawgeti(L, -1, i) === LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    values.push(popValue(L, resp, depth));
  }
  return { type: "array", values };
}

function verbatimReply(L: LuaState): RespValue | undefined {
  let reply: RespValue | undefined;
  if (rawField(L, "verbatim_string") === LUA_TTABLE) {
    if (rawField(L, "format") === LUA_TSTRING) {
      const format = toBinary(L, -1)!;
      // The verbatim table is below its format.
      if (rawField(L, "string", -2) === LUA_TSTRING) {
        reply = { type: "verbatim", format, value: toBinary(L, -1)! };
      }
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return reply;
}

function pushField(L: LuaState, name: string, pushValue: () => void): void {
  lua.lua_newtable(L);
  pushValue();
  setField(L, -2, name);
}
