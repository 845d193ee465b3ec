import { equal } from "node:assert/strict";
import {
  lauxlib,
  lua,
  LUA_OK,
  lualib,
  type LuaState,
  setReadonly,
  toBinary,
  toLua,
} from "./lua.ts";

/** Loads `code` once; each call of the result runs that one function and returns its result. */
function compile(L: LuaState, code: string): () => string {
  const source = toLua(code);
  equal(lauxlib.luaL_loadbuffer(L, source, source.length, toLua("test")), LUA_OK);
  lua.lua_setglobal(L, toLua("f"));
  return () => {
    lua.lua_getglobal(L, toLua("f"));
    equal(lua.lua_pcall(L, 0, 1, 0), LUA_OK);
    const result = toBinary(L, -1) ?? "nil";
    lua.lua_pop(L, 1);
    return result;
  };
}

function exec(L: LuaState, code: string): void {
  const source = toLua(code);
  equal(lauxlib.luaL_loadbuffer(L, source, source.length, toLua("test")), LUA_OK);
  equal(lua.lua_pcall(L, 0, 0, 0), LUA_OK);
}

/** Sets or clears the read-only mark of the global table `name`. */
function mark(L: LuaState, name: string, readonly: boolean): void {
  lua.lua_getglobal(L, toLua(name));
  setReadonly(L, -1, readonly);
  lua.lua_pop(L, 1);
}

Deno.test("a read-only table's field read by one function follows removals and re-additions", () => {
  const L: LuaState = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  exec(L, "t = {x = 'one', y = 'why'}");
  mark(L, "t", true);
  const read = compile(L, "return t.x");
  equal(read(), "one");
  equal(read(), "one");
  mark(L, "t", false);
  exec(L, "t.x = 'two'");
  equal(read(), "two");
  exec(L, "t.x = nil");
  equal(read(), "nil");
  exec(L, "t.x = 'three'");
  mark(L, "t", true);
  equal(read(), "three");
  // Another table under the same name: the function's constant finds the new one.
  mark(L, "t", false);
  exec(L, "t = {x = 'four'}");
  equal(read(), "four");
  exec(L, "t.x = nil; t.x = 'five'");
  equal(read(), "five");
});
