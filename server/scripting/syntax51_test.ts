import { equal } from "node:assert/strict";
import { ScriptEngine } from "./engine.ts";
import { evalAnswer } from "../../tests/eval_answer.ts";
import { rewriteSyntax51 } from "./syntax51.ts";

// Each expected text is redis-server 7.0.15's answer to the same EVAL (redis-cli --no-raw).
const CASES: [string, string][] = [
  [
    "return 7 // 2",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '/'",
  ],
  [
    "return 7 & 3",
    "(error) ERR Error compiling script (new function): user_script:1: '<eof>' expected near '&'",
  ],
  [
    "return 7 | 3",
    "(error) ERR Error compiling script (new function): user_script:1: '<eof>' expected near '|'",
  ],
  [
    "return 7 ~ 3",
    "(error) ERR Error compiling script (new function): user_script:1: '<eof>' expected near '~'",
  ],
  [
    "return ~7",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '~'",
  ],
  [
    "return 1 << 2",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '<'",
  ],
  [
    "return 8 >> 1",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '>'",
  ],
  [
    "local x = 1 <<= 2",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '<='",
  ],
  [
    "local x = 1 & 2",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near '&'",
  ],
  [
    "local function f() return 1 | 2 end",
    "(error) ERR Error compiling script (new function): user_script:1: 'end' expected near '|'",
  ],
  [
    "goto x; ::x:: return 1",
    "(error) ERR Error compiling script (new function): user_script:1: '=' expected near 'x'",
  ],
  [
    "::x:: return 1",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near ':'",
  ],
  [
    "for i = 1, 3 do if i == 2 then goto continue end ::continue:: end",
    "(error) ERR Error compiling script (new function): user_script:1: '=' expected near 'continue'",
  ],
  [
    "a::b()",
    "(error) ERR Error compiling script (new function): user_script:1: '<name>' expected near ':'",
  ],
  [
    "return 0x1.8",
    "(error) ERR Error compiling script (new function): user_script:1: '<eof>' expected near '.8'",
  ],
  [
    "return 0xA.8p1",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '.8p1'",
  ],
  [
    "return 3g",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '3g'",
  ],
  [
    "return 1_000",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '1_000'",
  ],
  [
    "return 1e5x",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '1e5x'",
  ],
  [
    "local x = 0x1p-4 return 1",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '0x1p'",
  ],
  [
    "return 0xg",
    "(error) ERR Error compiling script (new function): user_script:1: malformed number near '0xg'",
  ],
  [
    "return 1 + \x01",
    "(error) ERR Error compiling script (new function): user_script:1: unexpected symbol near 'char(1)'",
  ],
  [
    "x y",
    "(error) ERR Error compiling script (new function): user_script:1: '=' expected near 'y'",
  ],
  [
    "(x) y",
    "(error) ERR Error compiling script (new function): user_script:1: syntax error near 'y'",
  ],
  [
    "a, f() x",
    "(error) ERR Error compiling script (new function): user_script:1: syntax error near 'x'",
  ],
  [
    "a, f() = 1",
    "(error) ERR Error compiling script (new function): user_script:1: syntax error near '='",
  ],
  [
    "break",
    "(error) ERR Error compiling script (new function): user_script:1: no loop to break near '<eof>'",
  ],
  [
    "local function f() break end return 1",
    "(error) ERR Error compiling script (new function): user_script:1: no loop to break near 'end'",
  ],
  [
    "for i=1,3 do break; local a=1 end return 1",
    "(error) ERR Error compiling script (new function): user_script:1: 'end' expected near 'local'",
  ],
  [
    "repeat break; x() until true return 1",
    "(error) ERR Error compiling script (new function): user_script:1: 'until' expected near 'x'",
  ],
  [
    "for i = 1, 3 do\n  break\n  x()\nend",
    "(error) ERR Error compiling script (new function): user_script:3: 'end' expected (to close 'for' at line 1) near 'x'",
  ],
  ["local goto = 5 return goto + 1", "(integer) 6"],
  ['local t = {goto = 1} t.goto = t.goto + 1 return t["goto"]', "(integer) 2"],
  ["local a = {goto = function(self, x) return x + 1 end} return a:goto(4)", "(integer) 5"],
  [
    "local t = {} function t:goto(x) return x * 2 end function t.goto2(x) return x end return t:goto(5) + t.goto2(1)",
    "(integer) 11",
  ],
  ["local t = {} function t.goto(x) return x * 3 end return t.goto(5)", "(integer) 15"],
  [
    "local obj = setmetatable({}, {__index = function(t, k) return function() return k end end}) return obj : goto ( )",
    '"goto"',
  ],
  [
    "if goto then return 1 else return 2 end",
    "(error) ERR user_script:1: Script attempted to access nonexistent global variable 'goto' script: 9fd5d1e604405aa342180df14118df357f6729bc, on @user_script:1.",
  ],
  [
    "local t = {x goto}",
    "(error) ERR Error compiling script (new function): user_script:1: '}' expected near 'goto'",
  ],
  [
    "goto continue",
    "(error) ERR Error compiling script (new function): user_script:1: '=' expected near 'continue'",
  ],
  ['return "a//b & c | d ~ e" .. [==[ << >> :: ]==] -- x // y', '"a//b & c | d ~ e << >> :: "'],
  ["return 5 --[==[ // ]==] + 1", "(integer) 6"],
  ["for i = 1, 3 do break --[[c]] ; end return 'ok'", '"ok"'],
  ["repeat local x = 1 break until true return 'ok'", '"ok"'],
  ["return tostring(0x1p4) .. ' ' .. tostring(08) .. ' ' .. tostring(1 .. 2)", '"16 8 12"'],
  [
    "return tostring(tonumber('nan') ~= tonumber('nan')) .. ' ' .. type(tonumber('nan'))",
    '"true number"',
  ],
  [
    "return tostring(tonumber('-nan')) .. ' ' .. tostring(tonumber(' -Infinity ')) .. ' ' .. tostring('inf' + 1)",
    '"-nan -inf inf"',
  ],
  ["return tonumber('nan')", "(integer) -9223372036854775808"],
  ["return 1/0", "(integer) -9223372036854775808"],
  [
    "return {2^63, -1e19, 1e309, 0/0, 3.99}",
    "1) (integer) -9223372036854775808\n2) (integer) -9223372036854775808\n3) (integer) -9223372036854775808\n4) (integer) -9223372036854775808\n5) (integer) 3",
  ],
  [
    "return string.format('%d %d %d %d', 0/0, 1/0, 2^63, -2^64)",
    '"-9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808"',
  ],
  [
    "return string.format('%x %u %o %x %X', 0/0, 0/0, 1/0, 2^64, -1)",
    '"8000000000000000 9223372036854775808 0 0 FFFFFFFFFFFFFFFF"',
  ],
  [
    "return string.gsub('abc', 'b', '%2')",
    "(error) ERR user_script:1: invalid capture index script: b9c532499e6c7c14c0f9e8ff1091d4a35855d23a, on @user_script:1.",
  ],
  [
    "return string.find('abc', '(a)%2')",
    "(error) ERR user_script:1: invalid capture index script: 5d2071fe3c4095f31cc3b6d570221745f458e12f, on @user_script:1.",
  ],
  ["return {pcall(string.gsub, 'abc', '(a)', '%3')}", '1) (nil)\n2) "invalid capture index"'],
  ["local f, e = loadstring('x y') return e", "\"[string \\\"x y\\\"]:1: '=' expected near 'y'\""],
  ["local f, e = loadstring('return 3g', '=ch') return e", "\"ch:1: malformed number near '3g'\""],
  [
    "local f, e = loadstring('return 1 ~ 2') return e",
    "\"[string \\\"return 1 ~ 2\\\"]:1: '<eof>' expected near '~'\"",
  ],
];

Deno.test("5.3-only syntax and 5.1's numerals, break and errors, as redis-server 7.0.15 answers", () => {
  const engine = new ScriptEngine();
  for (const [body, expected] of CASES) equal(evalAnswer(engine, body), expected, body);
});

Deno.test("a chunk with nothing 5.1 reads otherwise is returned as it is", () => {
  const plain =
    "local t = {a = 1, [2] = 'x'} -- a // b\nfor i = 1, #t do t[i] = i .. '|&~' end\nreturn t";
  equal(rewriteSyntax51(plain), plain);
});
