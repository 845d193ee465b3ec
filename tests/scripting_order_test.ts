/**
 * The order `pairs` and `next` visit a table's array-like part in: index 1 up, as Lua 5.1 in
 * Redis (server/scripting/lua51_layout.ts), through a server. Each expected reply is
 * redis-server 7.0.15's to the same script; string keys come after the indices (their exact order
 * is pinned in server/scripting/lua51_layout_test.ts), so the scripts below only count them.
 */
import { deepEqual } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

/** `show(t)`: the keys `pairs` visits, in a line (string keys as "s"). */
const SHOW = "local function show(t) local r = {} for k in pairs(t) do " +
  "r[#r + 1] = type(k) == 'number' and k or 's' end return table.concat(r, ' ') end ";

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(" ");

/** [name, script (after SHOW; one key "k1", args a1 a2 a3), redis-server 7.0.15's reply]. */
const CASES: [string, string, unknown][] = [
  ["a constructor", "return show({10, 20, 30})", "1 2 3"],
  ["a constructor with a field among the items", "return show({10, 20, x = 1, 30})", "1 2 3 s"],
  ["a constructor with fields first", "return show({x = 1, y = 2, 10, 20, 30})", "1 2 3 s s"],
  ["a constructor with n", "return show({n = 3, 'a', 'b', 'c'})", "1 2 3 s"],
  ["a constructor of [i] = v", "return show({[1] = 'a', [2] = 'b', [3] = 'c'})", "1 2 3"],
  ["a constructor with a hole", "return show({1, nil, 3})", "1 3"],
  [
    "a constructor of 55 items (two flushes)",
    `return show({${upTo(55).replaceAll(" ", ",")}})`,
    upTo(55),
  ],
  ["t[#t + 1] = v", "local t = {} for i = 1, 5 do t[#t + 1] = i end return show(t)", upTo(5)],
  ["table.insert", "local t = {} for i = 1, 5 do table.insert(t, i) end return show(t)", upTo(5)],
  [
    "table.insert at 1 and table.remove",
    "local t = {10, 20, 30} table.insert(t, 1, 5) local u = {10, 20, 30, 40} table.remove(u, 1) " +
    "return show(t) .. ' | ' .. show(u)",
    "1 2 3 4 | 1 2 3",
  ],
  ["t[i] = v ascending", "local t = {} for i = 1, 5 do t[i] = i end return show(t)", upTo(5)],
  ["t[i] = v descending", "local t = {} for i = 5, 1, -1 do t[i] = i end return show(t)", upTo(5)],
  [
    "descending with a hole",
    "local t = {} for i = 10, 1, -1 do if i ~= 5 then t[i] = i end end return show(t)",
    "1 2 3 4 6 7 8 9 10",
  ],
  [
    "evens then odds, descending",
    "local t = {} for i = 10, 2, -2 do t[i] = i end for i = 9, 1, -2 do t[i] = i end " +
    "return show(t)",
    upTo(10),
  ],
  ["indices after a field", "local t = {x = 1} t[1] = 'a' t[2] = 'b' return show(t)", "1 2 s"],
  [
    "an index after a field",
    "local t = {10, 20, 30} t.x = 1 t[4] = 40 return show(t)",
    "1 2 3 4 s",
  ],
  [
    "a redis.call array reply",
    "redis.call('del', KEYS[1]) redis.call('rpush', KEYS[1], 'a', 'b', 'c', 'd') " +
    "return show(redis.call('lrange', KEYS[1], 0, -1))",
    upTo(4),
  ],
  ["ARGV", "return show(ARGV)", upTo(3)],
  ["cjson.decode", "return show(cjson.decode('{\"a\":[10,20,30,40]}').a)", upTo(4)],
  ["cmsgpack.unpack", "return show(cmsgpack.unpack(cmsgpack.pack({10, 20, 30, 40})))", upTo(4)],
  ["{...}", "local function f(...) return {...} end return show(f('a', 'b', 'c'))", upTo(3)],
  [
    "{f()} and {v, f()}",
    "local function g() return 'a', 'b', 'c' end return show({g()}) .. ' | ' .. show({'z', g()})",
    "1 2 3 | 1 2 3 4",
  ],
  [
    "{unpack(t)}",
    "local t = {} for i = 1, 60 do t[i] = i end return show({unpack(t)})",
    upTo(60),
  ],
  ["next(t)", "return {next({10, 20, 30})}", [1, 10]],
  [
    "next(t, k) by hand",
    "local t = {10, 20, 30} local r = {} local k = next(t) " +
    "while k do r[#r + 1] = k k = next(t, k) end return r",
    [1, 2, 3],
  ],
  [
    "removal while traversing, and a traversal inside one",
    "local t = {10, 20, 30} local r = {} for k in pairs(t) do r[#r + 1] = k " +
    "if k == 2 then for j in pairs(t) do r[#r + 1] = -j end end t[k] = nil end " +
    "r[#r + 1] = next(t) == nil and 'empty' or 'left' return r",
    [1, 2, -2, -3, 3, "empty"],
  ],
  [
    "a key removed and set again while traversing",
    "local t = {10, 20, 30} local r = {} " +
    "for k, v in pairs(t) do t[k] = nil t[k] = v * 2 r[#r + 1] = k end return r",
    [1, 2, 3],
  ],
  [
    "table.foreach",
    "local r = {} table.foreach({10, 20, 30}, function(k) r[#r + 1] = k end) return r",
    [1, 2, 3],
  ],
  [
    "cjson.encode of a mixed table",
    "return cjson.encode({10, 20, x = 1, 30})",
    '{"1":10,"2":20,"3":30,"x":1}',
  ],
  [
    "cmsgpack.pack of a mixed table",
    "return (cmsgpack.pack({10, 20, x = 1, 30}):gsub('.', " +
    "function(c) return string.format('%02x', c:byte()) end))",
    "84010a0214031ea17801",
  ],
];

Deno.test("pairs and next visit an array-like table from index 1 up, as Redis's Lua 5.1", async (t) => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  for (const [name, script, expected] of CASES) {
    await t.step(name, async () => {
      deepEqual(await c.cmd("EVAL", SHOW + script, 1, "k1", "a1", "a2", "a3"), expected);
    });
  }
});

Deno.test("a RESP3 map or set reply from a table lists its indices first, in order", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.cmd("HELLO", "3");
  deepEqual(
    await c.cmd("EVAL", "return {map = {10, 20, x = 1, 30}}", 0),
    new Map<unknown, unknown>([[1, 10], [2, 20], [3, 30], ["x", 1]]),
  );
  deepEqual(
    await c.cmd("EVAL", "local s = {} for i = 3, 1, -1 do s[i] = true end return {set = s}", 0),
    [1, 2, 3],
  );
});

/**
 * Tables filled and emptied at random: every key visited once with its value, and clearing while
 * traversing leaves nothing.
 */
const RANDOM_TABLES = `
math.randomseed(tonumber(ARGV[1]))
local bad = {}
for trial = 1, 200 do
  local t, model = {}, {}
  for op = 1, math.random(1, 60) do
    local r, k = math.random()
    if r < 0.7 then k = math.random(1, 20) elseif r < 0.9 then k = 's' .. math.random(1, 5)
    else k = math.random(1, 40) + 0.5 end
    if math.random() < 0.25 then t[k] = nil model[k] = nil else t[k] = op model[k] = op end
  end
  local seen, order = {}, {}
  for k, v in pairs(t) do
    if seen[k] or model[k] ~= v then bad[#bad + 1] = 'visit ' .. tostring(k) end
    seen[k] = true order[#order + 1] = k
  end
  for k in pairs(model) do
    if not seen[k] then bad[#bad + 1] = 'missing ' .. tostring(k) end
  end
  local n = 0
  for k in pairs(t) do t[k] = nil n = n + 1 end
  if n ~= #order or next(t) ~= nil then bad[#bad + 1] = 'clear' end
end
return bad`;

Deno.test("tables filled and emptied in any order visit each key once and clear while traversed", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  for (const seed of [1, 2, 3, 4]) {
    deepEqual(await c.cmd("EVAL", RANDOM_TABLES, 0, seed), []);
  }
});
