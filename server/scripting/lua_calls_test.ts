import { equal } from "node:assert/strict";
import { lauxlib, lua, LUA_OK, lualib, type LuaState, toBinary, toLua } from "./lua.ts";

/**
 * Runs `code` in a fresh state where `values(n)` is a JavaScript function
 * returning 1..n; returns what the chunk returns, as a string.
 */
function run(code: string): string {
  const L: LuaState = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  lua.lua_pushcfunction(L, (L: LuaState) => {
    const n = lua.lua_tonumber(L, 1);
    for (let i = 1; i <= n; i++) lua.lua_pushnumber(L, i);
    return n;
  });
  lua.lua_setglobal(L, toLua("values"));
  const source = toLua(code);
  const status = lauxlib.luaL_loadbuffer(L, source, source.length, toLua("test")) === LUA_OK
    ? lua.lua_pcall(L, 0, 1, 0)
    : -1;
  const result = toBinary(L, -1) ?? "";
  equal(status, LUA_OK, result);
  return result;
}

Deno.test("calls of JS functions move as many results as each call site wants", () => {
  // Each line wants a different count: none, one, all (MULTRET), more than given, fewer.
  const code = `
    values(3)
    local one = values(3)
    local a, b, c, d = values(2)
    local t = {values(4)}
    local x, y = values(5)
    local n = select('#', values(0))
    return table.concat({one, a or "nil", b or "nil", c or "nil", d or "nil",
      #t, t[4], x, y, n}, ",")`;
  equal(run(code), "1,1,2,nil,nil,4,4,1,2,0");
});

Deno.test("tail calls, nested calls and errors keep every frame's results", () => {
  const code = `
    local function tail(n) return values(n) end
    local function depth(k) if k == 0 then return values(2) end return depth(k - 1) end
    local ok, err = pcall(function() local a = values(1); error("boom") end)
    local r = {}
    for i = 1, 3 do
      local p, q = depth(i * 5)
      r[#r + 1] = p + q + select('#', tail(i))
    end
    local sorted = {3, 1, 2}
    table.sort(sorted, function(u, v) return select(u, values(3)) < select(v, values(3)) end)
    return table.concat(r, ",") .. "|" .. tostring(ok) .. "|" .. table.concat(sorted, ",") ..
      "|" .. select('#', tail(7)) .. "|" .. (string.find(err, "boom") and "err" or "?")`;
  equal(run(code), "4,5,6|false|1,2,3|7|err");
});

Deno.test("coroutines resumed and yielded across JS calls keep their frames", () => {
  const code = `
    local co = coroutine.wrap(function(a)
      local s = a
      for i = 1, 3 do
        local x, y = values(2)
        s = s + x + y + coroutine.yield(s)
      end
      return s
    end)
    local out = {co(10), co(1), co(2), co(3)}
    return table.concat(out, ",")`;
  equal(run(code), "10,14,19,25");
});

Deno.test("a call after a yielding pcall does not inherit the pcall's continuation", () => {
  // coroutine.yield runs in the frame record pcall used (same depth), reset for it.
  const code = `
    local co = coroutine.wrap(function()
      local ok, v = pcall(function() return coroutine.yield(1) + 1 end)
      local w = coroutine.yield(v)
      return w * 10
    end)
    return table.concat({co(), co(5), co(7)}, ",")`;
  equal(run(code), "1,6,70");
});
