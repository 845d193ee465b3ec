import { deepEqual, equal, match, ok } from "node:assert/strict";
import { RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import { RespWriter } from "../../protocol/writer.ts";
import type { ReplyBytes } from "./convert.ts";
import { ScriptEngine } from "./engine.ts";
import { writeReply } from "./runner.ts";
import { ScriptError } from "./shebang.ts";
import type { ScriptHost } from "./redis_api.ts";

/** A fake host: a string keyspace with GET, SET, INCR and an error for anything else. */
function fakeHost(data = new Map<string, string>()): ScriptHost & { calls: string[][] } {
  const calls: string[][] = [];
  const out = new RespWriter();
  return {
    calls,
    call(argv: string[], resp: 2 | 3): ReplyBytes {
      calls.push(argv);
      out.truncate(0);
      out.resp = resp;
      writeReply(out, fakeReply(data, argv));
      return { buf: out.buf, start: 0, end: out.pos };
    },
    aclCheck: () => true,
    log: () => {},
    setRepl: () => {},
  };
}

function fakeReply(data: Map<string, string>, argv: string[]): RespValue {
  const [name, key, value] = [argv[0]!.toLowerCase(), argv[1]!, argv[2]!];
  if (name === "get") {
    return data.has(key) ? { type: "bulk", value: data.get(key)! } : { type: "null" };
  }
  if (name === "set") {
    data.set(key, value);
    return { type: "simple", value: "OK" };
  }
  if (name === "incr") {
    const n = Number(data.get(key) ?? "0") + 1;
    data.set(key, String(n));
    return { type: "int", value: BigInt(n) };
  }
  if (name === "hgetall") {
    return {
      type: "map",
      entries: [[{ type: "bulk", value: "f" }, { type: "bulk", value: "v" }]],
    };
  }
  return {
    type: "error",
    value: `ERR unknown command '${argv[0]}', with args beginning with: `,
  };
}

function evalScript(
  engine: ScriptEngine,
  body: string,
  keys: string[] = [],
  args: string[] = [],
  host = fakeHost(),
): RespValue {
  const sha = engine.load(body);
  const run = engine.start(engine.get(sha)!, [...keys, ...args], 0, keys.length, host, 5000);
  for (let i = 0; i < 1000 && !run.resume(); i++);
  // An integer result comes as a number (no bigint made), a string or table result as its Lua
  // value: compared here as the reply they write (a RESP3 writer keeps every type apart).
  const reply = run.reply;
  if (reply.type === "number") return int(reply.value);
  if (reply.type !== "lua") return reply;
  const out = new RespWriter();
  out.resp = 3;
  reply.write(out);
  return withoutRaw(new RespReplyDecoder().decode(out.buf, 0, out.pos)!);
}

/** A decoded reply with doubles' text left out, as the engine's own reply objects have it. */
function withoutRaw(v: RespValue): RespValue {
  if (v.type === "double") return { ...v, raw: "" };
  if (v.type === "array" || v.type === "set") return { ...v, values: v.values.map(withoutRaw) };
  if (v.type === "map") {
    return { ...v, entries: v.entries.map(([k, x]) => [withoutRaw(k), withoutRaw(x)]) };
  }
  return v;
}

const bulk = (value: string): RespValue => ({ type: "bulk", value });
const int = (n: number): RespValue => ({ type: "int", value: BigInt(n) });

Deno.test("redis.call runs commands through the host and converts replies", () => {
  const engine = new ScriptEngine();
  const host = fakeHost();
  deepEqual(evalScript(engine, "return redis.call('incr', KEYS[1])", ["c"], [], host), int(1));
  deepEqual(evalScript(engine, "return redis.call('incr', KEYS[1])", ["c"], [], host), int(2));
  deepEqual(
    evalScript(
      engine,
      "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])",
      ["k"],
      ["v\x00\xff"],
      host,
    ),
    bulk("v\x00\xff"),
  );
  deepEqual(evalScript(engine, "return redis.call('get', 'missing')", [], [], host), {
    type: "null",
  });
  deepEqual(evalScript(engine, "return redis.call('set', 'a', 1.5)", [], [], host), {
    type: "simple",
    value: "OK",
  });
  deepEqual(host.calls.at(-1), ["set", "a", "1.5"]);
});

Deno.test("Lua values convert to replies as Redis documents", () => {
  const engine = new ScriptEngine();
  deepEqual(evalScript(engine, "return {1, 2.9, 'x', false, 'after'}"), {
    type: "array",
    values: [int(1), int(2), bulk("x"), { type: "null" }, bulk("after")],
  });
  deepEqual(evalScript(engine, "return {1, nil, 3}"), { type: "array", values: [int(1)] });
  deepEqual(evalScript(engine, "return true"), int(1));
  deepEqual(evalScript(engine, "return {ok='fine'}"), { type: "simple", value: "fine" });
  deepEqual(evalScript(engine, "return {err='MY failure'}"), {
    type: "error",
    value: "MY failure",
  });
  deepEqual(evalScript(engine, "return redis.error_reply('bad thing')"), {
    type: "error",
    value: "bad thing",
  });
  deepEqual(evalScript(engine, "return redis.status_reply('PONG')"), {
    type: "simple",
    value: "PONG",
  });
  deepEqual(evalScript(engine, "redis.setresp(3) return {double=3.5}"), {
    type: "double",
    value: 3.5,
    raw: "",
  });
  deepEqual(evalScript(engine, "redis.setresp(3) return true"), { type: "bool", value: true });
  // A verbatim string's table was read from the wrong stack slot ("ERR table expected").
  deepEqual(
    evalScript(
      engine,
      "redis.setresp(3) return {verbatim_string = {format = 'txt', string = 'hi'}}",
    ),
    { type: "verbatim", format: "txt", value: "hi" },
  );
  deepEqual(evalScript(engine, "redis.setresp(3) return {map={a=1}}"), {
    type: "map",
    entries: [[bulk("a"), int(1)]],
  });
  deepEqual(
    evalScript(engine, "redis.setresp(3) return redis.call('hgetall', 'h').map.f"),
    bulk("v"),
  );
});

Deno.test("errors carry Redis's position suffix", () => {
  const engine = new ScriptEngine();
  const sha = engine.load("return a");
  deepEqual(evalScript(engine, "return a"), {
    type: "error",
    value:
      `ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: ${sha}, on @user_script:1.`,
  });
  const reply = evalScript(engine, "\nreturn redis.call('nosuch')");
  match(
    (reply as { value: string }).value,
    /^ERR unknown command 'nosuch', with args beginning with: +script: \w{40}, on @user_script:2\.$/,
  );
  deepEqual(evalScript(engine, "return redis.pcall('nosuch')").type, "error");
  deepEqual(
    evalScript(engine, "local ok, e = pcall(function() redis.call('nosuch') end) return e"),
    bulk("ERR unknown command 'nosuch', with args beginning with: "),
  );
  match(
    (evalScript(engine, "a = 10") as { value: string }).value,
    /^ERR user_script:1: Attempt to modify a readonly table script/,
  );
  match(
    (evalScript(engine, "redis.call = function() return 1 end") as { value: string }).value,
    /Attempt to modify a readonly table/,
  );
  match(
    (evalScript(engine, "setmetatable(_G, {})") as { value: string }).value,
    /Attempt to modify a readonly table/,
  );
  match(
    (evalScript(engine, "local g = getmetatable(_G) g.__index = {}") as { value: string }).value,
    /Attempt to modify a readonly table/,
  );
  match(
    (evalScript(engine, "return loadfile") as { value: string }).value,
    /nonexistent global variable 'loadfile'/,
  );
  try {
    engine.load("return +");
    throw new Error("expected a compile error");
  } catch (e) {
    equal(e instanceof ScriptError, true);
    match((e as Error).message, /^ERR Error compiling script \(new function\): user_script:1: /);
  }
});

Deno.test("Lua 5.1 behaviours", () => {
  const engine = new ScriptEngine();
  const cases: [string, RespValue][] = [
    ["return tostring(10/2)", bulk("5")],
    ["return 'x' .. 10/2", bulk("x5")],
    ["return tostring(1e15)", bulk("1e+15")],
    ["return tostring(2^53)", bulk("9.007199254741e+15")],
    ["return tostring(1/0)", bulk("inf")],
    ["return tostring(0x100000000)", bulk("4294967296")],
    ["return tostring(2147483647 + 1)", bulk("2147483648")],
    ["return tostring(math.floor(3e9) * 1000)", bulk("3000000000000")],
    ["return string.format('%d', 3.7)", bulk("3")],
    ["return string.format('%d %s %5.1f %x', 3e9, 'a', 2.75, 255)", bulk("3000000000 a   2.8 ff")],
    ["return unpack({1, 2, 3})", int(1)],
    ["return loadstring('return 7')()", int(7)],
    ["return table.getn({1, 2, 3})", int(3)],
    ["return math.mod(7, 3)", int(1)],
    ["return string.gfind ~= nil", int(1)],
    ["return _VERSION", bulk("Lua 5.1")],
    [
      "local ok, e = pcall(function() local f = nil; f() end) return e",
      bulk("user_script:1: attempt to call local 'f' (a nil value)"),
    ],
    [
      "local ok, e = pcall(function() local x = nil; return x.y end) return e",
      bulk("user_script:1: attempt to index local 'x' (a nil value)"),
    ],
    ["return string.format('%s|%5.1f|%q', 1, 2.25, 'a\\0')", bulk('1|  2.2|"a\\000"')],
    ["return type(loadstring(string.dump(function() return 1 end)))", bulk("nil")],
  ];
  for (const [script, expected] of cases) deepEqual(evalScript(engine, script), expected, script);
});

Deno.test("struct packs and unpacks as lstruct on x86-64", () => {
  const engine = new ScriptEngine();
  deepEqual(
    evalScript(engine, "return struct.pack('>I2 <i4', 258, -5)"),
    bulk("\x01\x02\xfb\xff\xff\xff"),
  );
  deepEqual(evalScript(engine, "return struct.pack('!4 b i', 1, 2)"), bulk("\x01\0\0\0\x02\0\0\0"));
  deepEqual(evalScript(engine, "return {struct.unpack('>hB s', '\\255\\254\\7ab\\0')}"), {
    type: "array",
    values: [int(-2), int(7), bulk("ab"), int(7)],
  });
  deepEqual(evalScript(engine, "return struct.size('>iHb')"), int(7));
});

Deno.test("cjson, cmsgpack and bit", () => {
  const engine = new ScriptEngine();
  deepEqual(evalScript(engine, "return cjson.encode({1, 2, 'a'})"), bulk('[1,2,"a"]'));
  deepEqual(
    evalScript(engine, "return cjson.encode({a={b=cjson.null}})"),
    bulk('{"a":{"b":null}}'),
  );
  deepEqual(
    evalScript(
      engine,
      'local t = cjson.decode(\'{"a":[1,2.5,"x\\\\u00e9"],"n":null}\') return {t.a[2] * 2, t.a[3], tostring(t.n == cjson.null)}',
    ),
    {
      type: "array",
      values: [int(5), bulk("x\xc3\xa9"), bulk("true")],
    },
  );
  deepEqual(
    evalScript(engine, "return cmsgpack.pack({1, 2, 3}, 'ab', 1.5, -1, 300)"),
    bulk("\x93\x01\x02\x03\xa2ab\xca\x3f\xc0\x00\x00\xff\xcd\x01\x2c"),
  );
  deepEqual(
    evalScript(engine, "local a, b = cmsgpack.unpack(cmsgpack.pack({x=1}, 'y')) return {a.x, b}"),
    { type: "array", values: [int(1), bulk("y")] },
  );
  deepEqual(
    evalScript(
      engine,
      "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.lshift(1, 31), bit.tohex(255, 4), bit.bxor(5, 3)}",
    ),
    {
      type: "array",
      values: [int(15), int(3), int(-2147483648), bulk("00ff"), int(6)],
    },
  );
});

Deno.test("a long script yields past the busy threshold and can be killed", () => {
  const engine = new ScriptEngine();
  const sha = engine.load("local i = 0 while true do i = i + 1 end");
  const run = engine.start(engine.get(sha)!, [], 0, 0, fakeHost(), 1);
  let slices = 0;
  while (!run.resume() && slices < 10_000) {
    slices++;
    if (slices === 3) run.killed = true;
  }
  equal(slices, 3);
  match(
    (run.reply as { value: string }).value,
    /^ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on @user_script:1\.$/,
  );
  deepEqual(evalScript(engine, "return 1"), int(1));
});

Deno.test("shebang flags", () => {
  const engine = new ScriptEngine();
  const sha = engine.load("#!lua flags=no-writes,allow-stale\nreturn 1");
  deepEqual([...engine.get(sha)!.flags.flags], ["no-writes", "allow-stale"]);
  for (
    const [body, error] of [[
      "#!lua flags=bad\nreturn 1",
      "ERR Unexpected flag in script shebang: bad",
    ], ["#!python\nreturn 1", "ERR Unexpected engine in script shebang: #!python"]] as const
  ) {
    try {
      engine.load(body);
      throw new Error("expected an error");
    } catch (e) {
      equal((e as Error).message, error);
    }
  }
});

Deno.test("a kill is not swallowed by pcall or xpcall", () => {
  const engine = new ScriptEngine();
  for (
    const body of [
      "local f = function() while 1 do redis.call('get', 'k') end end while 1 do pcall(f) end",
      "local f = function() while 1 do end end while 1 do xpcall(f, function(e) return e end) end",
    ]
  ) {
    const run = engine.start(engine.get(engine.load(body))!, [], 0, 0, fakeHost(), 1);
    let slices = 0;
    while (!run.resume() && slices < 100) {
      slices++;
      if (slices === 2) run.killed = true;
    }
    equal(slices < 10, true, body);
    match((run.reply as { value: string }).value, /^ERR Script killed by user/);
  }
  deepEqual(
    evalScript(
      engine,
      "return {xpcall(function() error('x') end, function(e) return 'handled' end)}",
    ),
    {
      type: "array",
      values: [{ type: "null" }, bulk("handled")],
    },
  );
});

Deno.test("a run that ends normally after its kill leaves no kill to the next run", () => {
  const engine = new ScriptEngine();
  // The kill is caught by pcall and nothing runs on a later line: the run ends normally.
  const body = "return pcall(function() while true do end end)";
  const run = engine.start(engine.get(engine.load(body))!, [], 0, 0, fakeHost(), 1);
  let slices = 0;
  while (!run.resume() && slices < 100) {
    slices++;
    if (slices === 2) run.killed = true;
  }
  equal(run.reply.type, "null");
  deepEqual(
    evalScript(engine, "local n = 0 for i = 1, 50000 do n = n + 1 end return n"),
    int(50000),
  );
});

Deno.test("string escapes and syntax errors as Lua 5.1 reads them", () => {
  const engine = new ScriptEngine();
  const cases: [string, RespValue][] = [
    ["return '\\x41\\z  b\\u{48}'", bulk("x41z  bu{48}")],
    ["return 'a\\qb'", bulk("aqb")],
    ["return '\\0659\\255\\0a'", bulk("A9\xff\0a")],
    ["return 'a\\\nb'", bulk("a\nb")],
    ["return '\\r\\n\\a\\b\\f\\v\\t\\\\\\\"\\''", bulk("\r\n\x07\b\f\v\t\\\"'")],
    // Long strings and comments keep their backslashes.
    ["-- '\\x41\nreturn [[\\x41]] .. [==[\\q]==] --[[ \\400 ]]", bulk("\\x41\\q")],
    ["return loadstring('return \"\\\\x41\"')()", bulk("x41")],
    [
      "local f, e = loadstring('return \"\\\\400\"', '=mine') return e",
      bulk("mine:1: escape sequence too large near '\"'"),
    ],
    [
      "local f, e = loadstring('if x then') return e",
      bulk(`[string "if x then"]:1: 'end' expected near '<eof>'`),
    ],
  ];
  for (const [script, expected] of cases) deepEqual(evalScript(engine, script), expected, script);
  for (
    const [body, error] of [
      ["return 'ab\\300'", "user_script:1: escape sequence too large near ''ab'"],
      [
        'local a = 1\nreturn "a\\tb\\n\\300"',
        "user_script:2: escape sequence too large near '\"a\tb\n'",
      ],
      ["if true then", "user_script:1: 'end' expected near '<eof>'"],
      ["return 1 2", "user_script:1: '<eof>' expected near '2'"],
    ] as const
  ) {
    try {
      engine.load(body);
      throw new Error("expected a compile error");
    } catch (e) {
      equal((e as Error).message, `ERR Error compiling script (new function): ${error}`, body);
    }
  }
});

Deno.test("collectgarbage and gcinfo answer as in Lua 5.1", () => {
  const engine = new ScriptEngine();
  deepEqual(
    evalScript(
      engine,
      "return {collectgarbage(), collectgarbage('collect'), collectgarbage('step'), " +
        "collectgarbage('setpause', 100), collectgarbage('setpause'), type(collectgarbage('count')), type(gcinfo())}",
    ),
    {
      type: "array",
      values: [
        int(0),
        int(0),
        { type: "null" },
        int(200),
        int(100),
        bulk("number"),
        bulk("number"),
      ],
    },
  );
  match(
    (evalScript(engine, "return collectgarbage('isrunning')") as { value: string }).value,
    /^ERR user_script:1: bad argument #1 to 'collectgarbage' \(invalid option 'isrunning'\)/,
  );
});

Deno.test("a script stuck where it cannot yield is stopped, not left to deafen the server", () => {
  const engine = new ScriptEngine();
  for (
    const body of [
      "table.sort({3, 2, 1}, function(a, b) while true do end end)",
      "return (string.gsub('abc', '%w', function(c) while true do end end))",
      "return tostring(setmetatable({}, {__tostring = function() while true do end end}))",
    ]
  ) {
    // Threshold 1 ms: the run is busy at once and stuck one millisecond later.
    const run = engine.start(engine.get(engine.load(body))!, [], 0, 0, fakeHost(), 1);
    equal(run.resume(), true, body);
    match(
      (run.reply as { value: string }).value,
      /^ERR Script stopped: it ran past busy-reply-threshold/,
      body,
    );
  }
  deepEqual(evalScript(engine, "return 1"), int(1));
});

Deno.test("KEYS and ARGV are as new on every run, whatever the last run did to them", () => {
  const engine = new ScriptEngine();
  // What a run sees of KEYS: its items in pairs() order, its length, a stray field, a metatable.
  const look = "local seen = {} for k, v in pairs(KEYS) do seen[#seen + 1] = k .. '=' .. v end " +
    "return {table.concat(seen, ','), #KEYS, tostring(KEYS.x), tostring(getmetatable(KEYS))," +
    " #ARGV, tostring(ARGV[1])}";
  const fresh = (keys: string[], args: string[]) => evalScript(engine, look, keys, args);
  const expected = (pairs: string, n: number, nargs: number, arg1: string): RespValue => ({
    type: "array",
    values: [bulk(pairs), int(n), bulk("nil"), bulk("nil"), int(nargs), bulk(arg1)],
  });
  const spoilers = [
    "KEYS.x = 1",
    "setmetatable(KEYS, {})",
    "KEYS[1] = nil",
    "KEYS[1] = nil KEYS[1] = 'back'",
    "KEYS[3] = 'c'",
    "KEYS.x = 1 KEYS.x = nil",
    "KEYS[1] = 'changed' ARGV[1] = 'changed'",
    "table.remove(KEYS) table.insert(KEYS, 'b')",
    "ARGV[2] = 'more'",
    "KEYS[1] = 7 ARGV[1] = 7",
  ];
  for (const spoiler of spoilers) {
    deepEqual(fresh(["a", "b"], ["v"]), expected("1=a,2=b", 2, 1, "v"), spoiler);
    evalScript(engine, `${spoiler} return 1`, ["a", "b"], ["v"]);
    deepEqual(fresh(["a", "b"], ["v"]), expected("1=a,2=b", 2, 1, "v"), spoiler);
    deepEqual(fresh(["k"], []), expected("1=k", 1, 0, "nil"), spoiler);
  }
});

Deno.test("a run's KEYS and ARGV have its own bytes when the last run's had the same length", () => {
  const engine = new ScriptEngine();
  const body = "return {KEYS[1], ARGV[1], redis.sha1hex(KEYS[1]) == redis.sha1hex(ARGV[1])}";
  const runs: [string, string][] = [["ab", "ab"], ["ab", "ac"], ["\xff\x00", "ab"], ["ab", "ab"]];
  for (const [key, arg] of [...runs, ...runs]) {
    deepEqual(evalScript(engine, body, [key], [arg]), {
      type: "array",
      values: [bulk(key), bulk(arg), key === arg ? int(1) : { type: "null" }],
    }, `${key} ${arg}`);
  }
});

Deno.test("the strings' metatable is read-only: no run leaves a value there for the next", () => {
  const engine = new ScriptEngine();
  const reply = evalScript(engine, "getmetatable('').x = KEYS return 1", ["a"]);
  equal(reply.type, "error");
  match((reply as { value: string }).value, /Attempt to modify a readonly table/);
  deepEqual(evalScript(engine, "return tostring(getmetatable('').x)"), bulk("nil"));
  deepEqual(evalScript(engine, "return ('abc'):upper()"), bulk("ABC"));
});

Deno.test("redis.call receives KEYS and ARGV as sent: binary, long, past the 16th, changed", () => {
  const engine = new ScriptEngine();
  const keys = Array.from({ length: 20 }, (_, i) => `key:${i}\x00\xff\x80`);
  const args = [
    "",
    "x".repeat(5000),
    String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)),
  ];
  const body = "for i = 1, #KEYS do redis.call('set', KEYS[i], ARGV[(i % 3) + 1]) end " +
    "redis.call('set', KEYS[1] .. 'y', 'lit') return redis.call('set', 'k', KEYS[20])";
  for (const round of [0, 1]) {
    const host = fakeHost();
    const sent = round === 0 ? keys : keys.map((k) => `${k}:${round}`);
    deepEqual(evalScript(engine, body, sent, args, host), { type: "simple", value: "OK" });
    deepEqual(host.calls, [
      ...sent.map((k, i) => ["set", k, args[(i + 1) % 3]!]),
      ["set", `${sent[0]}y`, "lit"],
      ["set", "k", sent[19]!],
    ]);
  }
});

Deno.test("table writes: removal in traversal, next from a removed key, float keys, nil and NaN keys", () => {
  // The replies of redis-server 7.0.15 to the same script.
  const engine = new ScriptEngine();
  const body = [
    "local t = {}",
    "for i = 1, 10 do t[i] = i * 2 end",
    "for k in pairs(t) do t[k] = nil end",
    "local n = 0",
    "for _ in pairs(t) do n = n + 1 end",
    "t[1.0] = 'one'",
    "t[2^40] = 'big'",
    "t.k = 'v'",
    "t.k = 'w'",
    "local u = {a = 1, b = 2, c = 3}",
    "local first = next(u)",
    "u[first] = nil",
    "local second = next(u, first)",
    "local count = 0",
    "for _ in pairs(u) do count = count + 1 end",
    "local _, nilkey = pcall(function() local x = {} x[nil] = 1 end)",
    "local _, nankey = pcall(function() local x = {} x[0/0] = 1 end)",
    "local c = {1, 2, 3, n = 'x'}",
    // A removal from one table leaves no dead key in another (tables share no dead keys).
    "local a = {x = 1, y = 2}",
    "local d = {p = 1, q = 2}",
    "a.x = nil",
    "local _, badnext = pcall(next, d, 'x')",
    "local dn = 0",
    "for _ in pairs(d) do dn = dn + 1 end",
    "return {n, t[1], t[2^40], t.k, #c, c.n, count, second ~= nil, u[first] == nil, nilkey, nankey,",
    "  badnext, dn}",
  ].join("\n");
  const b = (value: string): RespValue => ({ type: "bulk", value });
  deepEqual(evalScript(engine, body), {
    type: "array",
    values: [
      int(0),
      b("one"),
      b("big"),
      b("w"),
      int(3),
      b("x"),
      int(2),
      int(1),
      int(1),
      b("user_script:16: table index is nil"),
      b("user_script:17: table index is NaN"),
      b("invalid key to 'next'"),
      int(2),
    ],
  });
});

Deno.test("strings with bytes under 16 are their own table keys, constants and order", () => {
  // fengari's key wrote bytes in hex without padding: "\1\17" and "\17\1" were one key.
  // The replies of redis-server 7.0.15 to the same script.
  const engine = new ScriptEngine();
  const body = "local t = {} t['\\1\\17'] = 'first' " +
    "return {t['\\17\\1'] == nil and 'absent' or 'found', " +
    "('\\1\\17' == '\\17\\1') and 'equal' or 'different', " +
    "('\\15' < '\\16') and 'less' or 'not less', " +
    "('\\1\\17' < '\\17\\1') and 'less' or 'not less', #'\\1\\17'}";
  deepEqual(evalScript(engine, body), {
    type: "array",
    values: [bulk("absent"), bulk("different"), bulk("less"), bulk("less"), int(2)],
  });
});

Deno.test("closures keep their own locals while calls and returns reuse the stack's slots", () => {
  // The reply of redis-server 7.0.15 to the same script; a second run reuses the first's slots.
  const engine = new ScriptEngine();
  const body = [
    "local fns = {}",
    "local function mk(x) local y = x * 2 return function() y = y + 1 return y end end",
    "for i = 1, 3 do local v = i * 10 fns[#fns + 1] = function() return v end end",
    "local c = mk(5)",
    "local function noisy(a, b, d) local t = {a, b, d} return #t end",
    "noisy(1, 2, 3)",
    "local r1 = c()",
    "noisy(4, 5, 6)",
    "local r2 = c()",
    "local ok = pcall(function() local z = 7 fns[#fns + 1] = function() return z end error('boom') end)",
    "noisy(7, 8, 9)",
    "local co = coroutine.wrap(function(a) local w = a coroutine.yield(function() return w end) end)",
    "local g = co(99)",
    "noisy(1, 1, 1)",
    "return {fns[1](), fns[2](), fns[3](), fns[4](), r1, r2, c(), tostring(ok), g(),",
    "  redis.call('incr', KEYS[1])}",
  ].join("\n");
  const host = fakeHost();
  for (const count of [1, 2]) {
    deepEqual(evalScript(engine, body, ["k"], [], host), {
      type: "array",
      values: [
        int(10),
        int(20),
        int(30),
        int(7),
        int(11),
        int(12),
        int(13),
        { type: "bulk", value: "false" },
        int(99),
        int(count),
      ],
    });
  }
});

Deno.test("a run resumed in slices recovers pcall's errors and ends with its own", () => {
  const engine = new ScriptEngine();
  const spin = "for i = 1, 300000 do end";
  const pcalls = [
    `local ok, e = pcall(function() ${spin} error('boom') end)`,
    `local ok2, e2 = pcall(function() ${spin} return 'fine' end)`,
    `local ok3, e3 = xpcall(function() ${spin} error({err = 'tbl'}) end, function(x) return x end)`,
  ];
  for (const ending of ["return {tostring(ok), e, tostring(ok2), e2, e3.err}", "error('last')"]) {
    const sha = engine.load([spin, ...pcalls, spin, ending].join("\n"));
    const run = engine.start(engine.get(sha)!, [], 0, 0, fakeHost(), 1);
    let slices = 0;
    while (!run.resume()) slices++;
    equal(slices > 3, true);
    const reply = run.reply;
    if (ending.startsWith("error")) {
      match(
        (reply as { value: string }).value,
        /^ERR user_script:6: last script: \w{40}, on @user_script:6\.$/,
      );
      continue;
    }
    const out = new RespWriter();
    out.resp = 3;
    (reply as { write(out: RespWriter): void }).write(out);
    deepEqual(new RespReplyDecoder().decode(out.buf, 0, out.pos), {
      type: "array",
      values: ["false", "user_script:2: boom", "true", "fine", "tbl"].map(bulk),
    });
  }
  deepEqual(evalScript(engine, "return 1"), int(1));
});

Deno.test("a run is 5.1's main thread to the coroutine library, as redis-server 7.0.15 answers", () => {
  const engine = new ScriptEngine();
  const yieldError = "attempt to yield across metamethod/C-call boundary";
  deepEqual(evalScript(engine, "return type(coroutine.running())"), bulk("nil"));
  deepEqual(evalScript(engine, "return select('#', coroutine.running())"), int(1));
  deepEqual(evalScript(engine, "return type(coroutine.isyieldable)"), bulk("nil"));
  deepEqual(evalScript(engine, "return {pcall(coroutine.yield, 1)}"), {
    type: "array",
    values: [{ type: "null" }, bulk(yieldError)],
  });
  match(
    (evalScript(engine, "for i = 1, 300000 do end return coroutine.yield(1)") as { value: string })
      .value,
    new RegExp(`^ERR ${yieldError} script: \\w{40}, on @user_script:1\\.$`),
  );
  const inner = "local co = coroutine.create(function() local t = coroutine.running() " +
    "coroutine.yield(coroutine.status(t)) return select('#', coroutine.running()) end)";
  deepEqual(
    evalScript(
      engine,
      `${inner} local _, a = coroutine.resume(co) return {a, select(2, coroutine.resume(co))}`,
    ),
    { type: "array", values: [bulk("running"), int(1)] },
  );
});

Deno.test("a coroutine yields across no pcall, metamethod or callback, as 5.1 in redis-server 7.0.15", () => {
  const engine = new ScriptEngine();
  const refused = ["false", "attempt to yield across metamethod/C-call boundary", "nil", "dead"];
  const resumed = (body: string) =>
    `local co = coroutine.create(function() ${body} end) local r = {coroutine.resume(co)} ` +
    "return {tostring(r[1]), tostring(r[2]), tostring(r[3]), coroutine.status(co)}";
  const meta = (event: string, use: string) =>
    `local m = {${event} = function() coroutine.yield(1) return 1 end} ` +
    `local t, u = setmetatable({}, m), setmetatable({}, m) return ${use}`;
  const cases: [string, string[]][] = [
    ["return pcall(coroutine.yield, 1)", ["true", "false", refused[1]!, "dead"]],
    ["return pcall(function() coroutine.yield(1) end)", ["true", "false", refused[1]!, "dead"]],
    [
      "return xpcall(coroutine.yield, function(e) return 'H:' .. e end)",
      ["true", "false", "H:" + refused[1], "dead"],
    ],
    ["local t = setmetatable({}, {__index = coroutine.yield}) return t.x", refused],
    [meta("__index", "t.x"), refused],
    [meta("__add", "t + 1"), refused],
    [meta("__eq", "t == u"), refused],
    [meta("__lt", "t < u"), refused],
    [meta("__le", "t <= u"), refused],
    [meta("__concat", "t .. 'a'"), refused],
    [meta("__unm", "-t"), refused],
    [meta("__tostring", "tostring(t)"), refused],
    [
      "local t = {3, 1, 2} table.sort(t, function(a, b) coroutine.yield(a) return a < b end)",
      refused,
    ],
    ["return string.gsub('abc', '%w', function(c) return coroutine.yield(c) end)", refused],
    ["for x in function() return coroutine.yield('it') end do return x end", refused],
    // Calls by a call instruction (__call too) yield, also after a resume.
    [meta("__call", "t(7)"), ["true", "1", "nil", "suspended"]],
    ["local function f() return coroutine.yield(1) end return f()", [
      "true",
      "1",
      "nil",
      "suspended",
    ]],
  ];
  for (const [body, values] of cases) {
    deepEqual(evalScript(engine, resumed(body)), { type: "array", values: values.map(bulk) }, body);
  }
  const again = "local co = coroutine.create(function() local function f() coroutine.yield(1) " +
    "return pcall(coroutine.yield, 2) end return f() end) coroutine.resume(co) " +
    "local r = {coroutine.resume(co)} return {tostring(r[1]), tostring(r[2]), r[3]}";
  deepEqual(evalScript(engine, again), {
    type: "array",
    values: ["true", "false", refused[1]!].map(bulk),
  });
  for (const name of ["create", "wrap"]) {
    match(
      (evalScript(engine, `return coroutine.${name}(coroutine.yield)`) as { value: string }).value,
      new RegExp(`^ERR user_script:1: bad argument #1 to '${name}' \\(Lua function expected\\)`),
    );
  }
});

Deno.test("5.1's table.foreach/foreachi/setn, math.atan2/cosh/sinh/tanh/frexp, one-argument atan and log; no fengari", () => {
  const engine = new ScriptEngine();
  const texts = (script: string) => `local r = {} ${script} return table.concat(r, ' ')`;
  const cases: [string, string][] = [
    [
      "table.foreach({a = 1}, function(k, v) r[#r + 1] = k .. v end) " +
      "table.foreachi({3, 4, nil, 6}, function(k, v) r[#r + 1] = k .. ':' .. tostring(v) end)",
      "a1 1:3 2:4 3:nil 4:6",
    ],
    [
      "r[1] = table.foreachi({5, 6, 7}, function(i, v) if v == 6 then return 'stop' .. i end end)",
      "stop2",
    ],
    [
      "r = {tostring(pcall(table.setn, {}, 1)), select(2, pcall(table.setn, {}, 1))}",
      "false 'setn' is obsolete",
    ],
    [
      "for _, f in ipairs({math.cosh, math.sinh, math.tanh}) do r[#r + 1] = tostring(f(1)) end " +
      "r[#r + 1] = tostring(math.atan2(1, 2)) .. ' ' .. math.atan(1, 2) .. ' ' .. math.log(8, 2)",
      "1.5430806348152 1.1752011936438 0.76159415595576 0.46364760900081 0.78539816339745 2.0794415416798",
    ],
    [
      "for _, x in ipairs({8, 0, -3, 5e-324, 1e308}) do local m, e = math.frexp(x) r[#r + 1] = m .. '*2^' .. e end",
      "0.5*2^4 0*2^0 -0.75*2^2 0.5*2^-1073 0.5562684646268*2^1024",
    ],
    ["r[1] = tostring(rawget(_G, 'fengari'))", "nil"],
  ];
  for (const [script, reply] of cases) {
    deepEqual(evalScript(engine, texts(script)), bulk(reply), script);
  }
  match(
    (evalScript(engine, "return table.foreachi('x', function() end)") as { value: string }).value,
    /^ERR user_script:1: bad argument #1 to 'foreachi' \(table expected, got string\)/,
  );
});

Deno.test("a run that ends in an error leaves its coroutine, reset, to the next run", () => {
  const engine = new ScriptEngine();
  const host = fakeHost(new Map([["s", "x"]]));
  const start = (body: string) => {
    const run = engine.start(engine.get(engine.load(body))!, ["s"], 0, 1, host, 5000);
    for (let i = 0; i < 1000 && !run.resume(); i++);
    return run;
  };
  const failing = [
    "local function f(n) local t = {n} if n == 0 then return redis.call('nosuch') end return f(n - 1) end return f(4)",
    "local x local function g() return x + 1 end return g()",
    "local t = {} for i = 1, 30 do t[i] = i end error({err = 'MYERR custom'})",
  ];
  for (const body of failing) {
    const failed = start(body);
    equal(failed.reply.type, "error");
    // A run object belongs to its coroutine: the next run getting it means the coroutine served again.
    const next = start("local a, b = 1, 2 return {a, b, redis.call('get', KEYS[1])}");
    equal(next, failed, body);
    deepEqual(next.reply.type, "lua");
  }
  // A recursion that overflowed grew the stack past a reset's limit: its coroutine goes.
  const overflowed = start("local function f(n) return f(n + 1) + 1 end return f(1)");
  match(String((overflowed.reply as { value: string }).value), /stack overflow/);
  ok(start("return redis.call('get', KEYS[1])") !== overflowed);
  deepEqual(
    evalScript(
      engine,
      "local a, b = 1, 2 return {a, b, redis.call('get', KEYS[1])}",
      ["s"],
      [],
      host,
    ),
    {
      type: "array",
      values: [int(1), int(2), bulk("x")],
    },
  );
});
