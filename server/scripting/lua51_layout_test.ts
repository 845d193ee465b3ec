import { equal } from "node:assert/strict";
import { evalAnswer } from "../../tests/eval_answer.ts";
import { ScriptEngine } from "./engine.ts";

// Each expected text is redis-server 7.0.15's answer to the same EVAL (redis-cli --no-raw): the
// order pairs/next walk in, and the border #t finds, follow 5.1's array part and hash nodes.
const CASES: [string, string][] = [
  [
    "local t = {} t[5] = 5 t[3] = 3 t[1] = 1 local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ')",
    '"1 3 5"',
  ],
  [
    "local t = {} t[3] = 3 t[2] = 2 t[10] = 10 t[1] = 1 local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ')",
    '"3 2 1 10"',
  ],
  [
    "local t = {} for i = 1, 10 do t[i * 3] = i end local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ')",
    '"24 27 15 30 9 18 21 6 12 3"',
  ],
  [
    "return cjson.encode({a = 1, b = 2, c = 3, d = 4, e = 5})",
    '"{\\"a\\":1,\\"c\\":3,\\"b\\":2,\\"e\\":5,\\"d\\":4}"',
  ],
  [
    'return cjson.encode(cjson.decode(\'{"name":"x","age":3,"tags":["a","b"],"nested":{"k1":1,"k2":2,"k3":3}}\'))',
    '"{\\"nested\\":{\\"k1\\":1,\\"k3\\":3,\\"k2\\":2},\\"name\\":\\"x\\",\\"age\\":3,\\"tags\\":[\\"a\\",\\"b\\"]}"',
  ],
  [
    "local t = {} t[true] = 1 t[false] = 2 t.a = 3 t[1] = 4 t[2.5] = 5 t[-1] = 6 local r = {} for k in pairs(t) do r[#r + 1] = tostring(k) end return table.concat(r, ' ')",
    '"1 false true 2.5 -1 a"',
  ],
  [
    "local s = string.rep('x', 40) local t = {} t[s .. 'a'] = 1 t[s .. 'b'] = 2 t[s] = 3 t['a' .. s] = 4 local r = {} for _, v in pairs(t) do r[#r + 1] = v end return table.concat(r, ' ')",
    '"3 1 2 4"',
  ],
  [
    "local t = {} for i = 1, 10 do t[i] = i end for i = 1, 10 do t[i] = nil end t.x = 1 for i = 1, 3 do t[i] = i end local r = {} for k in pairs(t) do r[#r + 1] = tostring(k) end return table.concat(r, ' ')",
    '"1 2 3 x"',
  ],
  [
    "local t = {} t.a = nil t.b = nil t.c = 1 t[7] = nil t.d = 2 local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ')",
    '"c d"',
  ],
  [
    "return {#{1, 2, 3, nil, 5, nil, nil, 8}, #{nil, nil, 3}, #{1, 2, 3, nil, 5}, (function() local t = {1, 2, 3} t[5] = 5 return #t end)()}",
    "1) (integer) 8\n2) (integer) 3\n3) (integer) 5\n4) (integer) 3",
  ],
  [
    "local function keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ') end return {keys(string), keys(table), keys(coroutine)}",
    '1) "sub upper len gfind rep find match char dump gmatch reverse byte format gsub lower"\n2) "setn insert getn foreachi maxn foreach concat sort remove"\n3) "resume yield status wrap create running"',
  ],
  [
    "local function keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end return table.concat(r, ' ') end return {keys(math), keys(redis), keys(cjson)}",
    '1) "log max acos huge ldexp pi cos tanh pow deg tan cosh sinh random randomseed frexp ceil floor rad abs sqrt modf asin min mod fmod log10 atan2 exp sin atan"\n2) "log LOG_WARNING error_reply REPL_AOF call REPL_ALL REDIS_VERSION_NUM REPL_SLAVE pcall LOG_NOTICE set_repl debug LOG_DEBUG sha1hex REDIS_VERSION status_reply acl_check_cmd REPL_REPLICA breakpoint setresp replicate_commands LOG_VERBOSE REPL_NONE"\n3) "_NAME encode decode_max_depth _VERSION decode_invalid_numbers encode_keep_buffer null encode_number_precision new encode_max_depth encode_invalid_numbers decode encode_sparse_array"',
  ],
];

/** Tables of every kind of key, set and removed at random (also while traversed), then walked. */
const RANDOM_CASES: [string, string][] = [
  [
    "math.randomseed(1) local out = {} for trial = 1, 8 do local t local c = math.random(1, 4) if c == 1 then t = {} elseif c == 2 then t = {1, 2, 3} elseif c == 3 then t = {a = 1, b = 2, 10} else t = {x = 1, [5] = 2, 'q', 'r', y = 3} end for op = 1, math.random(1, 40) do local r, k = math.random() if r < 0.5 then k = math.random(1, 30) elseif r < 0.8 then k = 's' .. math.random(1, 12) elseif r < 0.85 then k = math.random() < 0.5 elseif r < 0.9 then k = -math.random(0, 5) else k = math.random(1, 40) + 0.5 end if math.random() < 0.3 then t[k] = nil else t[k] = op end if math.random() < 0.03 then for kk in pairs(t) do if math.random() < 0.5 then t[kk] = nil end end end end local r = {} for k in pairs(t) do r[#r + 1] = tostring(k) end out[#out + 1] = #t .. ':' .. table.concat(r, ',') end return out ",
    '1) "0:31.5,27,14.5,s7,30,16,9,s9,s8,-4"\n2) "0:15,16,9,-5,11,23,35.5,27.5,26,s5,s6"\n3) "2:1,2,12.5,y,27,s6,s7,-3,s5,s12,5,9,14,-4,s3,17"\n4) "1:1,5,a,b"\n5) "4:1,2,4,23.5,17,s8,15.5,16,9,s2"\n6) "1:1,a,31.5,7,b"\n7) "0:-4,23,s11"\n8) "2:1,2,y,24,16,x,22,s4,s3,5"',
  ],
  [
    "math.randomseed(2) local out = {} for trial = 1, 8 do local t local c = math.random(1, 4) if c == 1 then t = {} elseif c == 2 then t = {1, 2, 3} elseif c == 3 then t = {a = 1, b = 2, 10} else t = {x = 1, [5] = 2, 'q', 'r', y = 3} end for op = 1, math.random(1, 40) do local r, k = math.random() if r < 0.5 then k = math.random(1, 30) elseif r < 0.8 then k = 's' .. math.random(1, 12) elseif r < 0.85 then k = math.random() < 0.5 elseif r < 0.9 then k = -math.random(0, 5) else k = math.random(1, 40) + 0.5 end if math.random() < 0.3 then t[k] = nil else t[k] = op end if math.random() < 0.03 then for kk in pairs(t) do if math.random() < 0.5 then t[kk] = nil end end end end local r = {} for k in pairs(t) do r[#r + 1] = tostring(k) end out[#out + 1] = #t .. ':' .. table.concat(r, ',') end return out ",
    '1) "2:1,2,24,s7,y,5,s10,-1,1.5,x,s8"\n2) "3:1,2,3"\n3) "0:27,s1,6,22,26,5"\n4) "0:15,30,4,8,-4,s7,17,s5,32.5,16.5,26.5,s10,10,27,2"\n5) "10:1,2,4,false,s7,s4,s12,2.5,5,19.5,5.5,s10,23,s11,10,24.5,13,y,x,27,28,23.5,s9"\n6) "2:1,2,24,true,22.5,14,15,29,30,23.5,8,35.5,s10,-3,s1,22,s5,s2"\n7) "0:a,-4,s4,18,10,20.5,35.5,17,-0,14,s1,8"\n8) "3:2,3,true,s10,7.5,12,14,s7,15"',
  ],
];

Deno.test("pairs order and #t as redis-server 7.0.15's Lua 5.1 lays tables out", () => {
  const engine = new ScriptEngine();
  for (const [body, expected] of CASES) equal(evalAnswer(engine, body), expected, body);
});

Deno.test("tables built and emptied at random walk in redis-server 7.0.15's order", () => {
  const engine = new ScriptEngine();
  for (const [body, expected] of RANDOM_CASES) equal(evalAnswer(engine, body), expected, body);
});
