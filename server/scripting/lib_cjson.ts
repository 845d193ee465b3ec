/**
 * The `cjson` library as Redis 7.0 loads it (lua-cjson 2.1's API): encode,
 * decode, null, and the configuration functions. Numbers encode as `%.14g`;
 * strings are byte strings, with bytes >= 0x80 passed through.
 */
import {
  formatLuaNumber,
  lit,
  lua,
  LUA_TBOOLEAN,
  LUA_TLIGHTUSERDATA,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaState,
  pushBinary,
  setFunction,
  toBinary,
} from "./lua.ts";
import { decodeJson, fail, JSON_NULL } from "./cjson_decode.ts";

export { JSON_NULL };

/** lua-cjson's settings, per Lua state, changed by the cjson.encode_* / decode_* functions. */
class CjsonConfig {
  encodeMaxDepth = 1000;
  decodeMaxDepth = 1000;
  sparseConvert = false;
  sparseRatio = 2;
  sparseSafe = 10;
  numberPrecision = 14;
  /** "off": NaN and infinities are an error; "on": written as nan/inf; "null": written as null. */
  encodeInvalidNumbers: "off" | "on" | "null" = "off";
  decodeInvalidNumbers = true;
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x2f) out += "\\/";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[i];
  }
  return out + '"';
}

/** Array length if the table at the top is an array, -1 for an object (lua_array_length). */
function arrayLength(L: LuaState, cfg: CjsonConfig): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -2) === LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (cfg.sparseConvert) return -1;
    fail(L, "Cannot serialise table: excessively sparse array");
  }
  return max;
}

function encodeValue(L: LuaState, depth: number, cfg: CjsonConfig): string {
  switch (lua.lua_type(L, -1)) {
    case LUA_TSTRING:
      return escapeString(toBinary(L, -1)!);
    case LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, -1);
      if (!Number.isFinite(n)) {
        if (cfg.encodeInvalidNumbers === "off") {
          fail(L, "Cannot serialise number: must not be NaN or Inf");
        }
        if (cfg.encodeInvalidNumbers === "null") return "null";
        return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf";
      }
      return formatNumber(n, cfg.numberPrecision);
    }
    case LUA_TBOOLEAN:
      return lua.lua_toboolean(L, -1) ? "true" : "false";
    case LUA_TNIL:
      return "null";
    case LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === JSON_NULL) return "null";
      break;
    case LUA_TTABLE:
      return encodeTable(L, depth + 1, cfg);
  }
  return fail(L, `Cannot serialise ${typeName(L)}: type not supported`);
}

function typeName(L: LuaState): string {
  return String.fromCharCode(...lua.lua_typename(L, lua.lua_type(L, -1)));
}

function encodeTable(L: LuaState, depth: number, cfg: CjsonConfig): string {
  if (depth > cfg.encodeMaxDepth) fail(L, `Cannot serialise, excessive nesting (${depth})`);
  lua.luaL_checkstack(L, 4, null);
  const length = arrayLength(L, cfg);
  const parts: string[] = [];
  if (length > 0) {
    for (let i = 1; i <= length; i++) {
      lua.lua_rawgeti(L, -1, i);
      parts.push(encodeValue(L, depth, cfg));
      lua.lua_pop(L, 1);
    }
    return `[${parts.join(",")}]`;
  }
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    const keyType = lua.lua_type(L, -2);
    let key: string;
    if (keyType === LUA_TSTRING) key = escapeString(toBinary(L, -2)!);
    else if (keyType === LUA_TNUMBER) {
      key = `"${formatNumber(lua.lua_tonumber(L, -2), cfg.numberPrecision)}"`;
    } else fail(L, "Cannot serialise table: table key must be a number or string");
    parts.push(`${key}:${encodeValue(L, depth, cfg)}`);
    lua.lua_pop(L, 1);
  }
  return `{${parts.join(",")}}`;
}

function encode(L: LuaState, cfg: CjsonConfig): number {
  if (lua.lua_gettop(L) !== 1) fail(L, "expected 1 argument");
  const json = encodeValue(L, 0, cfg);
  pushBinary(L, json);
  return 1;
}

/** `%.<precision>g`, which lua-cjson uses for numbers (14 digits unless configured). */
function formatNumber(n: number, precision: number): string {
  if (precision === 14) return formatLuaNumber(n);
  const text = n.toPrecision(precision);
  const [mantissa = "", exp] = text.split("e");
  const strip = (m: string) => m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
  if (exp === undefined) return strip(mantissa);
  const e = Number(exp);
  if (e >= -4 && e < precision) return strip(n.toFixed(Math.max(0, precision - 1 - e)));
  return `${strip(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** An optional integer setting argument within [min, max] (json_integer_option). */
function intOption(L: LuaState, index: number, min: number, max: number, current: number): number {
  if (lua.lua_isnoneornil(L, index)) return current;
  const value = Math.trunc(lua.luaL_checknumber(L, index));
  if (value < min || value > max) {
    lua.luaL_argerror(L, index, lit(`expected integer between ${min} and ${max}`));
  }
  return value;
}

/** An optional on/off setting argument: a boolean or "on"/"off" (json_enum_option). */
function boolOption(L: LuaState, index: number, current: boolean): boolean {
  if (lua.lua_isnoneornil(L, index)) return current;
  if (lua.lua_type(L, index) === LUA_TBOOLEAN) return lua.lua_toboolean(L, index);
  const text = toBinary(L, index);
  if (text === "on" || text === "off") return text === "on";
  return lua.luaL_argerror(L, index, lit("invalid option"));
}

function configFunctions(cfg: CjsonConfig): [string, (L: LuaState) => number][] {
  const pushNumber = (L: LuaState, n: number) => {
    lua.lua_pushnumber(L, n);
    return 1;
  };
  return [
    [
      "encode_max_depth",
      (L) => pushNumber(L, cfg.encodeMaxDepth = intOption(L, 1, 1, 2147483647, cfg.encodeMaxDepth)),
    ],
    [
      "decode_max_depth",
      (L) => pushNumber(L, cfg.decodeMaxDepth = intOption(L, 1, 1, 2147483647, cfg.decodeMaxDepth)),
    ],
    [
      "encode_number_precision",
      (L) => pushNumber(L, cfg.numberPrecision = intOption(L, 1, 1, 14, cfg.numberPrecision)),
    ],
    ["encode_sparse_array", (L) => {
      cfg.sparseConvert = boolOption(L, 1, cfg.sparseConvert);
      cfg.sparseRatio = intOption(L, 2, 0, 2147483647, cfg.sparseRatio);
      cfg.sparseSafe = intOption(L, 3, 0, 2147483647, cfg.sparseSafe);
      lua.lua_pushboolean(L, cfg.sparseConvert);
      lua.lua_pushnumber(L, cfg.sparseRatio);
      lua.lua_pushnumber(L, cfg.sparseSafe);
      return 3;
    }],
    ["encode_keep_buffer", (L) => {
      lua.lua_pushboolean(L, boolOption(L, 1, true));
      return 1;
    }],
    ["encode_invalid_numbers", (L) => {
      if (!lua.lua_isnoneornil(L, 1)) {
        const text = lua.lua_type(L, 1) === LUA_TBOOLEAN ? undefined : toBinary(L, 1);
        cfg.encodeInvalidNumbers = text === "null"
          ? "null"
          : boolOption(L, 1, false)
          ? "on"
          : "off";
      }
      lua.lua_pushstring(L, lit(cfg.encodeInvalidNumbers));
      return 1;
    }],
    ["decode_invalid_numbers", (L) => {
      cfg.decodeInvalidNumbers = boolOption(L, 1, cfg.decodeInvalidNumbers);
      lua.lua_pushboolean(L, cfg.decodeInvalidNumbers);
      return 1;
    }],
  ];
}

/** Pushes the `cjson` table, with its own settings. */
export function pushCjsonLibrary(L: LuaState): number {
  const cfg = new CjsonConfig();
  lua.lua_newtable(L);
  setFunction(L, "new", pushCjsonLibrary);
  setFunction(L, "encode", (L) => encode(L, cfg));
  setFunction(L, "decode", (L) => decodeJson(L, cfg.decodeMaxDepth, cfg.decodeInvalidNumbers));
  for (const [name, fn] of configFunctions(cfg)) setFunction(L, name, fn);
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, lit("null"));
  lua.lua_pushstring(L, lit("cjson"));
  lua.lua_setfield(L, -2, lit("_NAME"));
  lua.lua_pushstring(L, lit("2.1.0"));
  lua.lua_setfield(L, -2, lit("_VERSION"));
  return 1;
}
