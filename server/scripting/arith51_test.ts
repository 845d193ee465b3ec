import { equal } from "node:assert/strict";
import { evalAnswer } from "../../tests/eval_answer.ts";
import { ScriptEngine } from "./engine.ts";

// Each expected text is redis-server 7.0.15's answer to the same EVAL (redis-cli --no-raw) on
// x86-64: glibc prints a NaN with its sign bit set as -nan.
const CASES: [string, string][] = [
  [
    "return {tostring(0/0), tostring(-(0/0)), tostring(math.huge - math.huge), tostring(-(math.huge - math.huge))}",
    '1) "-nan"\n2) "nan"\n3) "-nan"\n4) "nan"',
  ],
  [
    "return {tostring(tonumber('nan')), tostring(tonumber('-nan')), tostring('nan' + 0), tostring(-tonumber('nan'))}",
    '1) "nan"\n2) "-nan"\n3) "nan"\n4) "-nan"',
  ],
  [
    "return {'x' .. 0/0, 'x' .. -(0/0), table.concat({0/0, -(0/0)}, ',')}",
    '1) "x-nan"\n2) "xnan"\n3) "-nan,nan"',
  ],
  [
    "return string.format('%f %g %e %5.2f %+f|%f %+f % e %s %s', 0/0, 0/0, 0/0, 0/0, 0/0, -(0/0), -(0/0), -(0/0), 0/0, -(0/0))",
    '"-nan -nan -nan  -nan -nan|nan +nan  nan -nan nan"',
  ],
  [
    "return {tostring(math.abs(0/0)), tostring(math.floor(-(0/0))), tostring(math.sqrt(-1)), tostring(-math.sqrt(-1)), tostring(math.huge * 0)}",
    '1) "nan"\n2) "nan"\n3) "-nan"\n4) "nan"\n5) "-nan"',
  ],
  [
    "local r = {} for _, x in ipairs({0/0, -(0/0), math.huge, -1, 0.5}) do r[#r + 1] = tostring(math.sin(x)) .. ' ' .. tostring(math.cos(x)) .. ' ' .. tostring(math.tan(x)) .. ' ' .. tostring(math.log(x)) end return r",
    '1) "-nan -nan -nan -nan"\n2) "nan nan nan nan"\n3) "-nan -nan -nan inf"\n4) "-0.8414709848079 0.54030230586814 -1.5574077246549 -nan"\n5) "0.4794255386042 0.87758256189037 0.54630248984379 -0.69314718055995"',
  ],
  [
    "local r = {} for _, x in ipairs({0/0, -(0/0), math.huge, -math.huge, -1, 2, 0, 1}) do r[#r + 1] = tostring(math.fmod(1, x)) .. ' ' .. tostring(math.fmod(0/0, x)) .. ' ' .. tostring(math.atan2(0/0, x)) .. ' ' .. tostring(math.atan2(-(0/0), x)) end return r",
    '1) "-nan -nan -nan -nan"\n2) "nan -nan nan nan"\n3) "1 -nan -nan nan"\n4) "1 -nan -nan nan"\n5) "0 -nan -nan nan"\n6) "1 -nan -nan nan"\n7) "-nan -nan -nan nan"\n8) "0 -nan -nan nan"',
  ],
  [
    "local r = {} for _, x in ipairs({0/0, -(0/0), math.huge, -math.huge, -1, 2, 0, 1}) do r[#r + 1] = tostring(math.pow(0/0, x)) .. ' ' .. tostring(math.pow(1, x)) .. ' ' .. tostring(math.pow(-1, x)) .. ' ' .. tostring(math.pow(x, 0/0)) end return r",
    '1) "-nan 1 -nan -nan"\n2) "-nan 1 nan nan"\n3) "-nan 1 1 -nan"\n4) "-nan 1 1 -nan"\n5) "nan 1 -1 -nan"\n6) "-nan 1 1 -nan"\n7) "1 1 1 -nan"\n8) "nan 1 -1 1"',
  ],
  [
    "local r = {} for _, x in ipairs({0/0, math.huge, -math.huge, -1, 2, 0, -0.5, 1}) do r[#r + 1] = tostring(-1 % x) .. ' ' .. tostring(2 % x) .. ' ' .. tostring(-3 % 3) .. ' ' .. tostring(x % -1) end return r",
    '1) "-nan -nan 0 -nan"\n2) "-nan -nan 0 -nan"\n3) "-nan -nan 0 -nan"\n4) "0 0 0 0"\n5) "1 0 0 0"\n6) "-nan -nan 0 0"\n7) "0 0 0 -0.5"\n8) "0 0 0 0"',
  ],
  [
    "local r = {} for _, e in ipairs({0/0, math.huge, -math.huge, -1, 2.9, -0.5, 2^32 + 3, -2000, 1100}) do r[#r + 1] = tostring(math.ldexp(1, e)) .. ' ' .. tostring(math.ldexp(2^1000, e)) end return r",
    '1) "1 1.0715086071863e+301"\n2) "1 1.0715086071863e+301"\n3) "1 1.0715086071863e+301"\n4) "0.5 5.3575430359313e+300"\n5) "4 4.2860344287451e+301"\n6) "1 1.0715086071863e+301"\n7) "8 8.5720688574901e+301"\n8) "0 9.3326361850322e-302"\n9) "inf inf"',
  ],
  [
    "return {tostring(math.ldexp(2^1000, -2070)), tostring(math.ldexp(3, -1075)), tostring(math.ldexp(0/0, 3)), tostring(math.ldexp(math.huge, -5000))}",
    '1) "7.9050503334599e-323"\n2) "9.8813129168249e-324"\n3) "-nan"\n4) "inf"',
  ],
  [
    "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end return {hex(cmsgpack.pack(0/0)), hex(cmsgpack.pack(-(0/0))), hex(cmsgpack.pack(1.5)), tostring(cmsgpack.unpack(cmsgpack.pack(-(0/0))))}",
    '1) "cbfff8000000000000"\n2) "cb7ff8000000000000"\n3) "ca3fc00000"\n4) "nan"',
  ],
  [
    "return {tostring(struct.unpack('d', struct.pack('d', 0/0))), tostring(struct.unpack('d', struct.pack('d', -(0/0))))}",
    '1) "-nan"\n2) "nan"',
  ],
];

Deno.test("NaN signs, C's pow/fmod/ldexp and 5.1's % as redis-server 7.0.15 answers", () => {
  const engine = new ScriptEngine();
  for (const [body, expected] of CASES) equal(evalAnswer(engine, body), expected, body);
});
