/**
 * Lua 5.1 behaviours on the Lua 5.3 VM (docs/lua-vm.md lists each with its
 * test): the 5.1 globals scripts still call (`unpack`, `loadstring`,
 * `table.getn`, `math.mod`...), number formatting in `tostring`, integer
 * formats of `string.format` accepting any number (5.1 truncates), and
 * `math.floor`/`math.ceil` returning floats like every 5.1 number.
 */
import {
  formatLuaNumber,
  lit,
  lua,
  LUA_TNUMBER,
  type LuaState,
  pushBinary,
  toBinary,
} from "./lua.ts";

function setGlobalFrom(L: LuaState, global: string, table: string, field: string): void {
  lua.lua_getglobal(L, lit(table));
  lua.lua_getfield(L, -1, lit(field));
  lua.lua_setglobal(L, lit(global));
  lua.lua_pop(L, 1);
}

function setFieldFrom(L: LuaState, table: string, field: string, from: string): void {
  lua.lua_getglobal(L, lit(table));
  lua.lua_getfield(L, -1, lit(from));
  lua.lua_setfield(L, -2, lit(field));
  lua.lua_pop(L, 1);
}

function setField(L: LuaState, table: string, field: string, fn: (L: LuaState) => number): void {
  lua.lua_getglobal(L, lit(table));
  lua.lua_pushcfunction(L, fn);
  lua.lua_setfield(L, -2, lit(field));
  lua.lua_pop(L, 1);
}

/** `tostring` with 5.1's number formatting; other values as before. */
function makeTostring(L: LuaState): (L: LuaState) => number {
  lua.lua_getglobal(L, lit("tostring"));
  const original = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  return (L) => {
    if (lua.lua_type(L, 1) === LUA_TNUMBER) {
      pushBinary(L, formatLuaNumber(lua.lua_tonumber(L, 1)));
      return 1;
    }
    return original(L);
  };
}

/** Formats one C integer conversion of a number truncated to an integer, as 5.1's string.format. */
function formatInteger(
  flags: string,
  width: string,
  precision: string | undefined,
  conv: string,
  n: number,
): string {
  let v = BigInt(Math.trunc(Number.isFinite(n) ? n : 0));
  if (conv === "c") return String.fromCharCode(Number(BigInt.asUintN(8, v)));
  if ("ouxX".includes(conv)) v = BigInt.asUintN(64, v);
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString(
    conv === "o" ? 8 : conv === "d" || conv === "i" || conv === "u" ? 10 : 16,
  );
  if (conv === "X") digits = digits.toUpperCase();
  if (precision !== undefined) digits = digits.padStart(Number(precision || 0), "0");
  if (flags.includes("#") && v !== 0n) {
    digits = (conv === "o" ? "0" : conv === "x" ? "0x" : conv === "X" ? "0X" : "") + digits;
  }
  const sign = negative ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  const w = Number(width || 0);
  if (flags.includes("-")) return (sign + digits).padEnd(w);
  if (flags.includes("0") && precision === undefined) {
    return sign + digits.padStart(w - sign.length, "0");
  }
  return (sign + digits).padStart(w);
}

/**
 * string.format where integer conversions accept any number (5.1 truncates;
 * 5.3 refuses non-integral floats). Integer conversions are formatted here
 * and handed to the original as literal text.
 */
function makeFormat(L: LuaState): (L: LuaState) => number {
  lua.lua_getglobal(L, lit("string"));
  lua.lua_getfield(L, -1, lit("format"));
  const original = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 2);
  return (L) => {
    const fmt = toBinary(L, 1);
    if (fmt === undefined || !/%[-+ #0]*\d*(?:\.\d*)?[diouxXc]/.test(fmt)) return original(L);
    let arg = 1;
    let out = "";
    let last = 0;
    const spec = /%(?:%|([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z]))/g;
    const keep: number[] = [];
    for (let m = spec.exec(fmt); m !== null; m = spec.exec(fmt)) {
      if (m[0] === "%%") continue;
      arg++;
      if (!"diouxXc".includes(m[4])) {
        keep.push(arg);
        continue;
      }
      const n = lua.luaL_checknumber(L, arg);
      out += fmt.slice(last, m.index) +
        formatInteger(m[1], m[2], m[3], m[4], n).replaceAll("%", "%%");
      last = m.index + m[0].length;
    }
    out += fmt.slice(last);
    lua.lua_pushcfunction(L, original);
    pushBinary(L, out);
    for (const i of keep) lua.lua_pushvalue(L, i);
    lua.lua_call(L, keep.length + 1, 1);
    return 1;
  };
}

function makeRounding(round: (n: number) => number): (L: LuaState) => number {
  return (L) => {
    lua.lua_pushnumber(L, round(lua.luaL_checknumber(L, 1)));
    return 1;
  };
}

function getn(L: LuaState): number {
  lua.luaL_checktype(L, 1, 5);
  lua.lua_pushnumber(L, lua.lua_rawlen(L, 1));
  return 1;
}

function maxn(L: LuaState): number {
  lua.luaL_checktype(L, 1, 5);
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1) !== 0) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) === LUA_TNUMBER) max = Math.max(max, lua.lua_tonumber(L, -1));
  }
  lua.lua_pushnumber(L, max);
  return 1;
}

/** loadstring(s [, chunkname]): text chunks only, like Redis (binary chunks load as nil). */
function makeLoadstring(L: LuaState): (L: LuaState) => number {
  lua.lua_getglobal(L, lit("load"));
  const load = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  return (L) => {
    const chunk = toBinary(L, 1);
    if (chunk === undefined) return lua.luaL_argerror(L, 1, lit("string expected"));
    lua.lua_settop(L, 2);
    if (lua.lua_isnil(L, 2)) {
      lua.lua_pushvalue(L, 1);
      lua.lua_replace(L, 2);
    }
    lua.lua_pushstring(L, lit("t"));
    if (chunk.startsWith("\x1bLua")) {
      lua.lua_pushnil(L);
      lua.lua_pushstring(L, lit("binary chunks are not accepted"));
      return 2;
    }
    return load(L);
  };
}

/** Installs the 5.1 globals and behaviours on a state opened with the 5.3 libraries. */
export function installLua51Compat(L: LuaState): void {
  setGlobalFrom(L, "unpack", "table", "unpack");
  lua.lua_pushcfunction(L, makeLoadstring(L));
  lua.lua_setglobal(L, lit("loadstring"));
  lua.lua_pushcfunction(L, makeTostring(L));
  lua.lua_setglobal(L, lit("tostring"));
  setField(L, "table", "getn", getn);
  setField(L, "table", "maxn", maxn);
  setFieldFrom(L, "math", "mod", "fmod");
  setField(L, "math", "floor", makeRounding(Math.floor));
  setField(L, "math", "ceil", makeRounding(Math.ceil));
  setField(L, "math", "pow", (L) => {
    lua.lua_pushnumber(L, Math.pow(lua.luaL_checknumber(L, 1), lua.luaL_checknumber(L, 2)));
    return 1;
  });
  setField(L, "math", "log10", makeRounding(Math.log10));
  setField(L, "math", "ldexp", (L) => {
    lua.lua_pushnumber(L, lua.luaL_checknumber(L, 1) * 2 ** lua.luaL_checknumber(L, 2));
    return 1;
  });
  setFieldFrom(L, "string", "gfind", "gmatch");
  setField(L, "string", "format", makeFormat(L));
}
