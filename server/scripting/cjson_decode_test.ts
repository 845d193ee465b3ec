import { equal } from "node:assert/strict";
import { evalAnswer } from "../../tests/eval_answer.ts";
import { ScriptEngine } from "./engine.ts";

// Each expected text is redis-server 7.0.15's answer to the same EVAL (redis-cli --no-raw).
const CASES: [string, string][] = [
  [
    "local r = {} for _, j in ipairs({'[01]', '[+1]', '[0x10]', '[-0x1p4]', '[1.]', '[-.5]'}) do r[#r + 1] = tostring(cjson.decode(j)[1]) end return r",
    '1) "1"\n2) "1"\n3) "16"\n4) "-16"\n5) "1"\n6) "-0.5"',
  ],
  [
    "local r = {} for _, j in ipairs({'[nan]', '[-NaN]', '[Infinity]', '[-inf]', '[nan(1)]', '[1e400]'}) do r[#r + 1] = tostring(cjson.decode(j)[1]) end return r",
    '1) "nan"\n2) "-nan"\n3) "inf"\n4) "-inf"\n5) "nan"\n6) "inf"',
  ],
  [
    "local r = {} for _, j in ipairs({'[1e]', '[0x]', '[-]', '[.5]', '[1 2]', '1 -x'}) do r[#r + 1] = select(2, pcall(cjson.decode, j)) end return r",
    '1) "Expected comma or array end but found invalid token at character 3"\n2) "Expected comma or array end but found invalid token at character 3"\n3) "Expected value but found invalid number at character 2"\n4) "Expected value but found invalid token at character 2"\n5) "Expected comma or array end but found T_NUMBER at character 4"\n6) "Expected the end but found invalid number at character 3"',
  ],
  [
    "local r = {} for _, j in ipairs({'[1 \"a\"]', '[1 true]', '[1 null]', '{\"a\" 1}', '{1:2}', '[infin]'}) do r[#r + 1] = select(2, pcall(cjson.decode, j)) end return r",
    '1) "Expected comma or array end but found T_STRING at character 4"\n2) "Expected comma or array end but found T_BOOLEAN at character 4"\n3) "Expected comma or array end but found T_NULL at character 4"\n4) "Expected colon but found T_NUMBER at character 6"\n5) "Expected object key string but found T_NUMBER at character 2"\n6) "Expected comma or array end but found invalid token at character 5"',
  ],
  [
    "local r = {} for _, j in ipairs({'\"\\\\q\"', '[\"abc', '\"\\\\u12\"', '\"\\\\ud800\"', '\"\\\\udc00\"'}) do r[#r + 1] = select(2, pcall(cjson.decode, j)) end return r",
    '1) "Expected value but found invalid escape code at character 2"\n2) "Expected value but found unexpected end of string at character 6"\n3) "Expected value but found invalid unicode escape code at character 2"\n4) "Expected value but found invalid unicode escape code at character 2"\n5) "Expected value but found invalid unicode escape code at character 2"',
  ],
  [
    "local r = {} for _, j in ipairs({'\"\\\\ud800\\\\u0041\"', '{\"a\\\\q\":1}', '[1 \"\\\\q', '\"a\\\\'}) do r[#r + 1] = select(2, pcall(cjson.decode, j)) end return r",
    '1) "Expected value but found invalid unicode escape code at character 2"\n2) "Expected object key string but found invalid escape code at character 4"\n3) "Expected comma or array end but found invalid escape code at character 5"\n4) "Expected value but found invalid escape code at character 3"',
  ],
  [
    "return {cjson.decode('\"\\\\ud83d\\\\ude00\\\\u00e9\\\\/\\\\b\"'):byte(1, -1)}",
    "1) (integer) 240\n2) (integer) 159\n3) (integer) 152\n4) (integer) 128\n5) (integer) 195\n6) (integer) 169\n7) (integer) 47\n8) (integer) 8",
  ],
  [
    "cjson.decode_invalid_numbers(false) local r = {} for _, j in ipairs({'[01]', '[+1]', '[0x10]', '[nan]', '[-inf]', '[-0]', '[1e5]'}) do local ok, v = pcall(cjson.decode, j) r[#r + 1] = tostring(ok and v[1] or v) end cjson.decode_invalid_numbers(true) return r",
    '1) "Expected value but found invalid number at character 2"\n2) "Expected value but found invalid token at character 2"\n3) "Expected value but found invalid number at character 2"\n4) "Expected value but found invalid token at character 2"\n5) "Expected value but found invalid number at character 2"\n6) "-0"\n7) "100000"',
  ],
  [
    "local r = {} for _, j in ipairs({'1' .. string.rep('0', 100000), '-1' .. string.rep('0', 400), '1e400', '1e-400', '-1e-400', '-0', '0.' .. string.rep('0', 400) .. '1', '1' .. string.rep('0', 400) .. 'e-400'}) do local v = cjson.decode(j) r[#r + 1] = tostring(v) .. ' ' .. select(2, pcall(cjson.encode, v)) end return r",
    '1) "inf Cannot serialise number: must not be NaN or Inf"\n2) "-inf Cannot serialise number: must not be NaN or Inf"\n3) "inf Cannot serialise number: must not be NaN or Inf"\n4) "0 0"\n5) "-0 -0"\n6) "-0 -0"\n7) "0 0"\n8) "1 1"',
  ],
];

Deno.test("cjson.decode: strtod's numbers, whole surrogate pairs and lua-cjson's token names in errors", () => {
  const engine = new ScriptEngine();
  for (const [body, expected] of CASES) equal(evalAnswer(engine, body), expected, body);
});
