/**
 * Lua 5.1 behaviours on the Lua 5.3 VM (docs/lua-vm.md lists each with its
 * test): the 5.1 globals scripts still call (`unpack`, `loadstring`,
 * `table.getn`, `math.mod`...), number formatting in `tostring`,
 * string.format with 5.1's results (lua_format.ts), and
 * `math.floor`/`math.ceil` returning floats like every 5.1 number, and
 * the coroutine library of a script run in 5.1's main thread.
 */
import { LUA_SETN_OBSOLETE, LUA_YIELD_ACROSS_BOUNDARY } from "../errors.ts";
import { escapeTooLargeMessage, quoteTokens51, rewriteEscapes51 } from "./lexer51.ts";
import { fixMessage51, rewriteSyntax51 } from "./syntax51.ts";
import { JSON_NULL } from "./lib_cjson.ts";
import { luaFormat } from "./lua_format.ts";
import { atan2_51, checkint51, fmod51, ldexp51, log51, periodic, pow51 } from "./arith51.ts";
import {
  chunkId,
  formatLuaNumber,
  lit,
  lua,
  LUA_TFUNCTION,
  LUA_TNUMBER,
  LUA_TTABLE,
  type LuaJsFunction,
  type LuaState,
  pushBinary,
  pushLiteral,
  setGlobalFunction,
  toBinary,
} from "./lua.ts";
import { EMPTY_STATE_BYTES } from "./shebang.ts";
import lopcodes from "fengari/src/lopcodes.js";
import lstate from "fengari/src/lstate.js";

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
    if (lua.lua_touserdata(L, 1) === JSON_NULL) {
      // lua-cjson's null is C's NULL pointer, which glibc's %p prints as (nil).
      pushLiteral(L, "userdata: (nil)");
      return 1;
    }
    return original(L);
  };
}

/** A math function of one number (a second argument is ignored, as 5.1's are). */
function unary(f: (x: number) => number): (L: LuaState) => number {
  return (L) => {
    lua.lua_pushnumber(L, f(lua.luaL_checknumber(L, 1)));
    return 1;
  };
}

/** A math function of two numbers. */
function binary(f: (x: number, y: number) => number): (L: LuaState) => number {
  return (L) => {
    lua.lua_pushnumber(L, f(lua.luaL_checknumber(L, 1), lua.luaL_checknumber(L, 2)));
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

/**
 * loadstring(s [, chunkname]): text chunks only, like Redis (binary chunks
 * load as nil), their strings read as 5.1 reads them (lexer51.ts).
 */
function makeLoadstring(L: LuaState): (L: LuaState) => number {
  lua.lua_getglobal(L, lit("load"));
  const load = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  const fail = (L: LuaState, message: string) => {
    lua.lua_pushnil(L);
    pushBinary(L, message);
    return 2;
  };
  return (L) => {
    const chunk = toBinary(L, 1);
    if (chunk === undefined) return lua.luaL_argerror(L, 1, lit("string expected"));
    lua.lua_settop(L, 2);
    if (lua.lua_isnil(L, 2)) {
      lua.lua_pushvalue(L, 1);
      lua.lua_replace(L, 2);
    }
    if (chunk.startsWith("\x1bLua")) return fail(L, "binary chunks are not accepted");
    const source = rewriteEscapes51(chunk);
    if (typeof source !== "string") {
      return fail(L, escapeTooLargeMessage(chunkId(lua.lua_tolstring(L, 2)), source));
    }
    const syntax = rewriteSyntax51(source);
    pushBinary(L, typeof syntax === "string" ? syntax : syntax.source);
    lua.lua_replace(L, 1);
    pushLiteral(L, "t");
    const results = load(L);
    if (results === 2 && lua.lua_isnil(L, -2)) {
      const message = fixMessage51(quoteTokens51(toBinary(L, -1) ?? ""), syntax);
      lua.lua_pop(L, 1);
      pushBinary(L, message);
    }
    return results;
  };
}

/**
 * 5.1's table.foreach(t, f) and table.foreachi(t, f): f(key, value) for
 * each pair (foreachi: for 1..#t, raw) until a call returns non-nil, which
 * is then the result.
 */
function foreach(L: LuaState): number {
  lua.luaL_checktype(L, 1, LUA_TTABLE);
  lua.luaL_checktype(L, 2, LUA_TFUNCTION);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1) !== 0) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, -3);
    lua.lua_pushvalue(L, -3);
    lua.lua_call(L, 2, 1);
    if (!lua.lua_isnil(L, -1)) return 1;
    lua.lua_pop(L, 2);
  }
  return 0;
}

function foreachi(L: LuaState): number {
  lua.luaL_checktype(L, 1, LUA_TTABLE);
  const n = lua.lua_rawlen(L, 1);
  lua.luaL_checktype(L, 2, LUA_TFUNCTION);
  for (let i = 1; i <= n; i++) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushnumber(L, i);
    lua.lua_rawgeti(L, 1, i);
    lua.lua_call(L, 2, 1);
    if (!lua.lua_isnil(L, -1)) return 1;
    lua.lua_pop(L, 1);
  }
  return 0;
}

const frexpView = new DataView(new ArrayBuffer(8));

/** 5.1's math.frexp(x): m and e with x = m * 2^e, 0.5 <= |m| < 1 (x and 0 for 0, inf, nan). */
function frexp(L: LuaState): number {
  let x = lua.luaL_checknumber(L, 1);
  let exponent = 0;
  if (x !== 0 && Number.isFinite(x)) {
    // A subnormal is scaled into the normal range first, where the exponent bits tell.
    if (Math.abs(x) < 2 ** -1022) {
      x *= 2 ** 64;
      exponent = -64;
    }
    frexpView.setFloat64(0, x);
    const high = frexpView.getUint16(0);
    exponent += ((high >>> 4) & 0x7ff) - 1022;
    frexpView.setUint16(0, (high & 0x800f) | (1022 << 4));
    x = frexpView.getFloat64(0);
  }
  lua.lua_pushnumber(L, x);
  lua.lua_pushnumber(L, exponent);
  return 2;
}

const GC_OPTIONS = ["stop", "restart", "collect", "count", "step", "setpause", "setstepmul"];

/**
 * collectgarbage with 5.1's options and results (fengari has no lua_gc: the
 * state's memory is JavaScript's). "count" reports the estimate INFO's
 * used_memory_lua starts from; setpause and setstepmul keep and return
 * their values (5.1's defaults are 200).
 */
function makeCollectgarbage(): (L: LuaState) => number {
  const options = GC_OPTIONS.map((option) => lit(option));
  const tuning = new Map([["setpause", 200], ["setstepmul", 200]]);
  return (L) => {
    const option = GC_OPTIONS[lua.luaL_checkoption(L, 1, lit("collect"), options)]!;
    const previous = tuning.get(option);
    if (previous !== undefined) {
      tuning.set(option, lua.luaL_optinteger(L, 2, 0));
      lua.lua_pushnumber(L, previous);
    } else if (option === "count") lua.lua_pushnumber(L, EMPTY_STATE_BYTES / 1024);
    else if (option === "step") lua.lua_pushboolean(L, false);
    else lua.lua_pushnumber(L, 0);
    return 1;
  };
}

/**
 * The coroutines scripts run in (engine.ts): to the script, each is what
 * 5.1's main thread was to a script of Redis's, which ran it there.
 */
const runThreads = new WeakSet<LuaState>();

/** Marks `co` as a coroutine scripts run in. */
export function markRunThread(co: LuaState): void {
  runThreads.add(co);
}

const CIST_LUA: number = lstate.CIST_LUA;
const OP_CALL: number = lopcodes.OpCodesI.OP_CALL;
const OP_TAILCALL: number = lopcodes.OpCodesI.OP_TAILCALL;

/**
 * Whether a yield from the running JavaScript function crosses what 5.1
 * called a metamethod/C-call boundary: 5.1 yields only when every call
 * from the coroutine's body down to `yield` was a call instruction of Lua
 * code (`__call` included). pcall, xpcall, metamethods, a generic `for`'s
 * iterator and library callbacks (table.sort, string.gsub...) all call
 * through the C API, where 5.3 (pcall, metamethods) yields and 5.1 does
 * not. Each frame's caller must be Lua code stopped at a call instruction.
 */
export function yieldCrossesBoundary51(L: LuaState): boolean {
  // deno-lint-ignore no-explicit-any
  const thread = L as any;
  for (let ci = thread.ci; ci.previous !== thread.base_ci; ci = ci.previous) {
    const caller = ci.previous;
    if ((caller.callstatus & CIST_LUA) === 0) return true;
    const op: number = caller.l_code[caller.l_savedpc - 1].opcode;
    if (op !== OP_CALL && op !== OP_TAILCALL) return true;
  }
  return false;
}

/** 5.1's coroutine.create and wrap: the body must be a Lua function. */
function requireLuaBody(original: (L: LuaState) => number): (L: LuaState) => number {
  return (L) => {
    if (lua.lua_type(L, 1) !== LUA_TFUNCTION || lua.lua_iscfunction(L, 1)) {
      return lua.luaL_argerror(L, 1, lit("Lua function expected"));
    }
    return original(L);
  };
}

/** Replaces library `table`'s function `field` by `wrap` of it (the original stays callable). */
export function replaceField(
  L: LuaState,
  table: string,
  field: string,
  wrap: (f: LuaJsFunction) => LuaJsFunction,
): void {
  lua.lua_getglobal(L, lit(table));
  lua.lua_getfield(L, -1, lit(field));
  const original = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  lua.lua_pushcfunction(L, wrap(original));
  lua.lua_setfield(L, -2, lit(field));
  lua.lua_pop(L, 1);
}

/**
 * 5.1's coroutine library: running is the running coroutine, or nil in
 * the main thread (one value, no "is main" flag); yield refuses, with
 * 5.1's error, in the main thread and across a C-call boundary
 * (yieldCrossesBoundary51); create and wrap take Lua functions only; no
 * isyieldable.
 */
function installCoroutines51(L: LuaState): void {
  setField(L, "coroutine", "running", (L) => {
    if (runThreads.has(L) || lua.lua_pushthread(L) === 1) lua.lua_pushnil(L);
    return 1;
  });
  replaceField(L, "coroutine", "yield", (originalYield) => (L) => {
    if (!runThreads.has(L) && !yieldCrossesBoundary51(L)) return originalYield(L);
    pushLiteral(L, LUA_YIELD_ACROSS_BOUNDARY);
    return lua.lua_error(L);
  });
  replaceField(L, "coroutine", "create", requireLuaBody);
  replaceField(L, "coroutine", "wrap", requireLuaBody);
  lua.lua_getglobal(L, lit("coroutine"));
  lua.lua_pushnil(L);
  lua.lua_setfield(L, -2, lit("isyieldable"));
  lua.lua_pop(L, 1);
}

/** Installs the 5.1 globals and behaviours on a state opened with the 5.3 libraries. */
export function installLua51Compat(L: LuaState): void {
  setGlobalFrom(L, "unpack", "table", "unpack");
  setGlobalFunction(L, "collectgarbage", makeCollectgarbage());
  lua.lua_pushcfunction(L, (L: LuaState) => {
    lua.lua_pushnumber(L, Math.floor(EMPTY_STATE_BYTES / 1024));
    return 1;
  });
  lua.lua_setglobal(L, lit("gcinfo"));
  setGlobalFunction(L, "loadstring", makeLoadstring(L));
  setGlobalFunction(L, "tostring", makeTostring(L));
  setField(L, "table", "getn", getn);
  setField(L, "table", "maxn", maxn);
  setField(L, "table", "foreach", foreach);
  setField(L, "table", "foreachi", foreachi);
  setField(L, "table", "setn", (L) => lua.luaL_error(L, lit(LUA_SETN_OBSOLETE)));
  setField(L, "math", "fmod", binary(fmod51));
  setField(L, "math", "mod", binary(fmod51));
  setField(L, "math", "floor", unary(Math.floor));
  setField(L, "math", "ceil", unary(Math.ceil));
  setField(L, "math", "pow", binary(pow51));
  for (const name of ["sin", "cos", "tan"] as const) {
    setField(L, "math", name, unary(periodic(Math[name])));
  }
  setField(L, "math", "log10", unary(Math.log10));
  // 5.1's atan and log take one argument (a second is ignored); atan2, the hyperbolics, frexp.
  setField(L, "math", "atan", unary(Math.atan));
  setField(L, "math", "log", unary(log51));
  setField(L, "math", "atan2", binary(atan2_51));
  setField(L, "math", "cosh", unary(Math.cosh));
  setField(L, "math", "sinh", unary(Math.sinh));
  setField(L, "math", "tanh", unary(Math.tanh));
  setField(L, "math", "frexp", frexp);
  setField(L, "math", "ldexp", binary((m, e) => ldexp51(m, checkint51(e))));
  setFieldFrom(L, "string", "gfind", "gmatch");
  setField(L, "string", "format", luaFormat);
  installCoroutines51(L);
}
