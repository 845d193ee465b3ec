import { equal } from "node:assert/strict";
import { RespReplyDecoder } from "../../protocol/resp.ts";
import { RespWriter } from "../../protocol/writer.ts";
import { ScriptEngine } from "./engine.ts";
import type { ScriptHost } from "./redis_api.ts";

const host: ScriptHost = {
  call: () => {
    throw new Error("no commands here");
  },
  aclCheck: () => true,
  log: () => {
    throw new TypeError("a fault");
  },
  setRepl: () => {},
};

/** The script's string result (or error text), as the client would read it. */
function evalText(engine: ScriptEngine, body: string): string {
  const run = engine.start(engine.get(engine.load(body))!, [], 0, 0, host, 5000);
  for (let i = 0; i < 1000 && !run.resume(); i++);
  const reply = run.reply;
  if (reply.type === "error") return reply.value;
  if (reply.type !== "lua") return JSON.stringify(reply);
  const out = new RespWriter();
  reply.write(out);
  const v = new RespReplyDecoder().decode(out.buf, 0, out.pos)!;
  return v.type === "bulk" || v.type === "error" ? v.value : JSON.stringify(v);
}

const KEYS = "local function keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end " +
  "table.sort(r) return table.concat(r, ' ') end ";

// Each expected text is redis-server 7.0.15's answer to the same EVAL.
const CASES: [string, string][] = [
  [
    "return keys(math)",
    "abs acos asin atan atan2 ceil cos cosh deg exp floor fmod frexp huge ldexp log log10 max min mod modf pi pow rad random randomseed sin sinh sqrt tan tanh",
  ],
  [
    "return keys(string)",
    "byte char dump find format gfind gmatch gsub len lower match rep reverse sub upper",
  ],
  ["return keys(table)", "concat foreach foreachi getn insert maxn remove setn sort"],
  [
    "return keys(cjson)",
    "_NAME _VERSION decode decode_invalid_numbers decode_max_depth encode encode_invalid_numbers encode_keep_buffer encode_max_depth encode_number_precision encode_sparse_array new null",
  ],
  [
    "return keys(cjson.new())",
    "_NAME _VERSION decode decode_invalid_numbers decode_max_depth encode encode_invalid_numbers encode_keep_buffer encode_max_depth encode_number_precision encode_sparse_array new null",
  ],
  [
    "return keys(cmsgpack)",
    "_COPYRIGHT _DESCRIPTION _NAME _VERSION pack unpack unpack_limit unpack_one",
  ],
  [
    "return table.concat({cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}, '|')",
    "cmsgpack|lua-cmsgpack 0.4.0|Copyright (C) 2012, Salvatore Sanfilippo|MessagePack C implementation for Lua",
  ],
  ["local c = cjson.new() c.x = 1 return c.encode({1, c.null})", "[1,null]"],
  ["return tostring(cjson.null)", "userdata: (nil)"],
  ["return tostring(#setmetatable({1, 2}, {__len = function() return 5 end}))", "2"],
  ["return string.rep('ab', 3, ',')", "ababab"],
  [
    "local ok, e = pcall(string.rep) return e",
    "bad argument #1 to '?' (string expected, got no value)",
  ],
  ["local ok, e = pcall(select, 0, 1) return e", "bad argument #1 to '?' (index out of range)"],
  ["local ok, e = pcall(ipairs) return e", "bad argument #1 to '?' (table expected, got no value)"],
  [
    "local ok, e = pcall(function() return math.max() end) return e",
    "user_script:1: bad argument #1 to 'max' (number expected, got no value)",
  ],
  [
    "local ok, e = pcall(function() return load('return 1') end) return e",
    "user_script:1: bad argument #1 to 'load' (function expected, got string)",
  ],
  [
    "local t = __redis__err__handler('x') return t.err .. '|' .. t.source .. '|' .. t.line",
    "ERR x|@user_script|1",
  ],
  [
    "local t = __redis__err__handler({err = 'y'}) return t.err .. '|' .. t.source .. '|' .. t.line",
    "y|@user_script|1",
  ],
  [
    "local ok, t = pcall(__redis__err__handler, 12) return t.err .. '|' .. t.source .. '|' .. t.line",
    "ERR 12|@user_script|1",
  ],
  [
    "local t = (function() return __redis__err__handler() end)() return t.err .. '|' .. t.source .. '|' .. t.line",
    "ERR nil|=(tail call)|-1",
  ],
  ["return __redis__err__handler('x')", "ERR x"],
  ["return string.char(72, 105.9) .. #string.char(0, 255)", "Hi2"],
  ["local ok, e = pcall(string.char, 256) return e", "bad argument #1 to '?' (invalid value)"],
  [
    "return string.sub('hello', 2.7) .. string.sub('hello', -2.7) .. string.sub('hello', '2.7')",
    "elloloello",
  ],
  ["return string.rep('ab', 2.9) .. table.concat({1, 2, 3}, ',', 1.2, 2.8)", "abab1,2"],
  [
    "return string.sub('hello', 0/0) .. '|' .. string.rep('x', 1e300) .. '|' .. select(1.5, 'a')",
    "hello||a",
  ],
  [
    "local t = setmetatable({}, {__index = function(t, i) if i < 3 then return i end end}) " +
    "local n = 0 for _ in ipairs(t) do n = n + 1 end return tostring(n)",
    "0",
  ],
  ["return tostring(select(1, pairs({})) == next)", "false"],
  ["local ok, e = pcall(pairs) return e", "bad argument #1 to '?' (table expected, got no value)"],
  [
    "local f = ipairs({}) local ok, e = pcall(f) return e",
    "bad argument #2 to '?' (number expected, got no value)",
  ],
  [
    "return table.concat({tonumber('-ff', 16), tonumber('1.5', 10), tonumber('inf'), tonumber(' -Infinity '), " +
    "tonumber('0x1f', 16), tonumber('  +z  ', 36), tonumber('zzzzzzzzzzzzzzzzzz', 36), tonumber(15, 16), " +
    "tonumber('10', 2.9)}, ' ')",
    "1.844674407371e+19 1.5 inf -inf 31 35 1.844674407371e+19 21 2",
  ],
  [
    "return tostring(tonumber('0x', 16)) .. tostring(tonumber('12a', 10)) .. tostring(tonumber('', 16))",
    "nilnilnil",
  ],
  [
    "return table.concat({string.find('abc', '', 10)}, ',') .. '|' .. ('abc'):match('()', 100)",
    "4,3|4",
  ],
  ["local s = string.gsub('abc', 'b', '%') return #s .. ',' .. string.byte(s, 2)", "3,0"],
  ["return (string.gsub('abc', 'b', '%x%%%0')) .. (string.gsub('a%b', '%%', '%'))", "ax%bca\0b"],
];

Deno.test("the library surface and argument rules of redis-server 7.0.15's Lua 5.1", () => {
  const engine = new ScriptEngine();
  for (const [script, expected] of CASES) equal(evalText(engine, KEYS + script), expected, script);
});

Deno.test("a fault inside a library function leaves the engine able to run the next script", () => {
  // A JavaScript exception inside a function the script called (fengari's string.char raised a
  // TypeError for 256; here the host's log) ended the resume with status -1, the coroutine was kept,
  // and every later run answered "cannot resume non-suspended coroutine".
  const engine = new ScriptEngine();
  evalText(engine, "pcall(redis.log, redis.LOG_WARNING, 'x') return 'x'");
  equal(evalText(engine, "return 'next'"), "next");
});
