/**
 * Builds the Lua state Redis 7.0 gives scripts: the 5.1 base, table, string
 * and math libraries (no io, os, package, debug, print, dofile, loadfile),
 * cjson, cmsgpack, bit, struct, the `redis` table, Redis's pcall, its
 * math.random, and globals locked: every reachable table read-only, and
 * reading an unknown global an error.
 */
import {
  LUA_WRONG_ARITY,
  nonexistentGlobal,
  outsideScript,
  READONLY_TABLE_ERROR,
} from "../errors.ts";
import { pushBitLibrary } from "./lib_bit.ts";
import { pushCjsonLibrary } from "./lib_cjson.ts";
import { relayoutLibraries } from "./lib_order51.ts";
import { pushCmsgpackLibrary } from "./lib_cmsgpack.ts";
import { pushStructLibrary } from "./lib_struct.ts";
import { installLua51Compat } from "./compat51.ts";
import { installLua51Libraries, redisErrorHandler } from "./compat51_libs.ts";
import { pushRedisApi, type RunState } from "./redis_api.ts";
import {
  getField,
  lauxlib,
  lit,
  lua,
  LUA_MULTRET,
  LUA_OK,
  LUA_TFUNCTION,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_YIELD,
  lualib,
  type LuaState,
  pushBinary,
  setGlobalFunction,
  setReadonly,
  tableIsReadonly,
  toBinary,
} from "./lua.ts";

const REMOVED_GLOBALS = [
  "io",
  "os",
  "package",
  "require",
  "utf8",
  "debug",
  "dofile",
  "loadfile",
  "print",
  "rawlen",
  "fengari",
];

/** Raises `message` prefixed with the caller's position, like luaL_error. */
export function raiseWithWhere(L: LuaState, message: string): never {
  lua.luaL_where(L, 1);
  pushBinary(L, message);
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error("unreachable");
}

/** Redis's lrand48, global to the server as in 7.0 (not reseeded per script). */
export class Rand48 {
  #x = 0x1234abcd330en;

  seed(n: number): void {
    this.#x = (BigInt.asUintN(32, BigInt(n)) << 16n) | 0x330en;
  }

  next(): number {
    this.#x = (this.#x * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(this.#x >> 17n);
  }
}

const LRAND48_MAX = 2147483647;

function installRandom(L: LuaState, rand: Rand48, current: () => RunState | undefined): void {
  lua.lua_getglobal(L, lit("math"));
  lua.lua_pushcfunction(L, (L: LuaState) => {
    if (current() === undefined) {
      raiseWithWhere(L, outsideScript("math.random"));
    }
    const r = (rand.next() % LRAND48_MAX) / LRAND48_MAX;
    const argc = lua.lua_gettop(L);
    if (argc === 0) lua.lua_pushnumber(L, r);
    else if (argc === 1) {
      const u = Math.trunc(lua.luaL_checknumber(L, 1));
      lua.luaL_argcheck(L, 1 <= u, 1, lit("interval is empty"));
      lua.lua_pushnumber(L, Math.floor(r * u) + 1);
    } else if (argc === 2) {
      const l = Math.trunc(lua.luaL_checknumber(L, 1));
      const u = Math.trunc(lua.luaL_checknumber(L, 2));
      lua.luaL_argcheck(L, l <= u, 2, lit("interval is empty"));
      lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
    } else raiseWithWhere(L, LUA_WRONG_ARITY);
    return 1;
  });
  lua.lua_setfield(L, -2, lit("random"));
  lua.lua_pushcfunction(L, (L: LuaState) => {
    if (current() === undefined) {
      raiseWithWhere(L, outsideScript("math.randomseed"));
    }
    rand.seed(Math.trunc(lua.luaL_checknumber(L, 1)));
    return 0;
  });
  lua.lua_setfield(L, -2, lit("randomseed"));
  lua.lua_pop(L, 1);
}

/**
 * fengari loses `allowhook` when a yieldable pcall catches an error raised
 * by a hook (it never records the original value in CIST_OAH), which would
 * switch off the count hook — and with it SCRIPT KILL — for good. Outside a
 * hook it is always on, so a caught error turns it back on.
 */
function restoreHooks(L: LuaState): void {
  (L as unknown as { allowhook: number }).allowhook = 1;
}

/** Redis's pcall: an error table from redis.call comes back as its `err` string. Yieldable. */
function pcall(L: LuaState): number {
  lua.luaL_checkany(L, 1);
  lua.lua_pushboolean(L, true);
  lua.lua_insert(L, 1);
  const status = lua.lua_pcallk(L, lua.lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finishPcall);
  return finishPcall(L, status, 0);
}

function finishPcall(L: LuaState, status: number, extra: number): number {
  if (status === LUA_OK || status === LUA_YIELD) return lua.lua_gettop(L) - extra;
  restoreHooks(L);
  if (lua.lua_type(L, -1) === LUA_TTABLE) {
    getField(L, -1, "err");
    if (lua.lua_type(L, -1) === LUA_TSTRING) lua.lua_replace(L, -2);
    else lua.lua_pop(L, 1);
  }
  lua.lua_pushboolean(L, false);
  lua.lua_insert(L, -2);
  return 2;
}

/** xpcall(f, msgh, ...) as Lua 5.3's, with the same hook fix. */
function xpcall(L: LuaState): number {
  const n = lua.lua_gettop(L);
  lua.luaL_checktype(L, 2, LUA_TFUNCTION);
  lua.lua_pushboolean(L, true);
  lua.lua_pushvalue(L, 1);
  lua.lua_rotate(L, 3, 2);
  const status = lua.lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finishXpcall);
  return finishXpcall(L, status, 2);
}

function finishXpcall(L: LuaState, status: number, extra: number): number {
  if (status === LUA_OK || status === LUA_YIELD) return lua.lua_gettop(L) - extra;
  restoreHooks(L);
  lua.lua_pushboolean(L, false);
  lua.lua_pushvalue(L, -2);
  return 2;
}

function protectedSetmetatable(L: LuaState, original: (L: LuaState) => number): number {
  if (lua.lua_type(L, 1) === LUA_TTABLE && tableIsReadonly(L, 1)) {
    raiseWithWhere(L, READONLY_TABLE_ERROR);
  }
  return original(L);
}

/** Gives the table at the top a metatable whose __index raises Redis's nonexistent-global error. */
export function setErrorMetatable(L: LuaState): void {
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, (L: LuaState) => {
    const name = toBinary(L, 2) ?? "?";
    return raiseWithWhere(L, nonexistentGlobal(name));
  });
  lua.lua_setfield(L, -2, lit("__index"));
  lua.lua_setmetatable(L, -2);
}

/** Marks the table at the top and everything reachable from it (values and metatables) read-only. */
export function protectRecursively(L: LuaState): void {
  if (tableIsReadonly(L, -1)) return;
  setReadonly(L, -1, true);
  lua.luaL_checkstack(L, 3, null);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -1) === LUA_TTABLE) protectRecursively(L);
    lua.lua_pop(L, 1);
  }
  if (lua.lua_getmetatable(L, -1)) {
    protectRecursively(L);
    lua.lua_pop(L, 1);
  }
}

function setGlobalTable(L: LuaState, name: string, push: (L: LuaState) => void): void {
  push(L);
  lua.lua_setglobal(L, lit(name));
}

/** What FCALL's globals lack of EVAL's, as redis-server 7.0.15 has them. */
function removeEvalOnly(L: LuaState): void {
  lua.lua_getglobal(L, lit("redis"));
  for (const name of ["breakpoint", "debug", "replicate_commands"]) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, lit(name));
  }
  lua.lua_pop(L, 1);
}

/** Creates a state with Redis's scripting environment: EVAL's, or FUNCTION's for `functions`. */
export function createScriptState(
  rand: Rand48,
  current: () => RunState | undefined,
  functions = false,
): LuaState {
  const L: LuaState = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  for (const name of REMOVED_GLOBALS) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, lit(name));
  }
  installLua51Compat(L);
  installLua51Libraries(L);
  lua.lua_pushstring(L, lit("Lua 5.1"));
  lua.lua_setglobal(L, lit("_VERSION"));
  setGlobalTable(L, "cjson", pushCjsonLibrary);
  setGlobalTable(L, "cmsgpack", pushCmsgpackLibrary);
  setGlobalTable(L, "bit", pushBitLibrary);
  setGlobalTable(L, "struct", pushStructLibrary);
  setGlobalTable(L, "redis", (L) => pushRedisApi(L, current));
  if (functions) removeEvalOnly(L);
  else {
    setGlobalFunction(L, "__redis__err__handler", redisErrorHandler);
  }
  setGlobalFunction(L, "pcall", pcall);
  setGlobalFunction(L, "xpcall", xpcall);
  lua.lua_getglobal(L, lit("setmetatable"));
  const setmetatable = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  setGlobalFunction(L, "setmetatable", (L: LuaState) => protectedSetmetatable(L, setmetatable));
  installRandom(L, rand, current);
  relayoutLibraries(L, functions);

  lua.lua_pushglobaltable(L);
  setErrorMetatable(L);
  protectRecursively(L);
  lua.lua_pop(L, 1);
  // The strings' metatable too, as the Redis 7.0.15 we compare with (Debian's, with the fix
  // for CVE-2025-46818): no script may leave a value there for the next to find.
  lua.lua_pushstring(L, lit(""));
  lua.lua_getmetatable(L, -1);
  protectRecursively(L);
  lua.lua_pop(L, 2);
  return L;
}
