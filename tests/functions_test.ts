/** FUNCTION and FCALL end to end, with Redis 7.0's replies (checked against redis-server). */
import { deepEqual, match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

const LIB1 = "#!lua name=lib1\n" +
  "redis.register_function('f1', function(keys, args) return redis.call('get', keys[1]) end)";

/** FUNCTION DUMP of LIB1 from redis-server 7.0.15 (rdbcompression yes). */
const LIB1_DUMP = "\xf5\xc3\x40\x62\x40\x69\x1f\x23\x21\x6c\x75\x61\x20\x6e\x61\x6d" +
  "\x65\x3d\x6c\x69\x62\x31\x0a\x72\x65\x64\x69\x73\x2e\x72\x65\x67" +
  "\x69\x73\x74\x65\x72\x5f\x66\x0d\x75\x6e\x63\x74\x69\x6f\x6e\x28" +
  "\x27\x66\x31\x27\x2c\x20\xe0\x00\x0e\x11\x6b\x65\x79\x73\x2c\x20" +
  "\x61\x72\x67\x73\x29\x20\x72\x65\x74\x75\x72\x6e\x20\x06\x40\x39" +
  "\x08\x63\x61\x6c\x6c\x28\x27\x67\x65\x74\x20\x2d\x40\x24\x08\x5b" +
  "\x31\x5d\x29\x20\x65\x6e\x64\x29\x0a\x00\x43\x5b\x08\x38\x44\xe2" +
  "\x3c\x64";

Deno.test("FUNCTION LOAD, FCALL, LIST, DELETE", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("FUNCTION", "LOAD", LIB1), "lib1");
  deepEqual(await c.cmd("FUNCTION", "LOAD", LIB1), { error: "ERR Library 'lib1' already exists" });
  deepEqual(await c.cmd("FUNCTION", "LOAD", "REPLACE", LIB1), "lib1");
  await c.cmd("SET", "x", "5");
  deepEqual(await c.cmd("FCALL", "f1", 1, "x"), "5");
  deepEqual(await c.cmd("FCALL_RO", "f1", 1, "x"), {
    error: "ERR Can not execute a script with write flag using *_ro command.",
  });
  deepEqual(await c.cmd("FCALL", "nosuch", 0), { error: "ERR Function not found" });
  deepEqual(await c.cmd("FCALL", "f1", "x"), { error: "ERR Bad number of keys provided" });
  deepEqual(await c.cmd("FUNCTION", "LIST"), [[
    "library_name",
    "lib1",
    "engine",
    "LUA",
    "functions",
    [["name", "f1", "description", null, "flags", []]],
  ]]);
  deepEqual(
    await c.cmd(
      "FUNCTION",
      "LOAD",
      "#!lua name=lib2\nredis.register_function{function_name='g', callback=function(k, a) return a[1] end, flags={'no-writes'}, description='d'}",
    ),
    "lib2",
  );
  deepEqual(await c.cmd("FCALL_RO", "g", 0, "hello"), "hello");
  deepEqual(await c.cmd("FUNCTION", "LIST", "LIBRARYNAME", "lib2", "WITHCODE"), [[
    "library_name",
    "lib2",
    "engine",
    "LUA",
    "functions",
    [["name", "g", "description", "d", "flags", ["no-writes"]]],
    "library_code",
    "#!lua name=lib2\nredis.register_function{function_name='g', callback=function(k, a) return a[1] end, flags={'no-writes'}, description='d'}",
  ]]);
  deepEqual(await c.cmd("FUNCTION", "DELETE", "lib2"), "OK");
  deepEqual(await c.cmd("FUNCTION", "DELETE", "lib2"), { error: "ERR Library not found" });
});

Deno.test("FUNCTION LOAD errors are Redis's", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const load = (code: string) => c.cmd("FUNCTION", "LOAD", code);
  deepEqual(await load("#!lua name=l\nredis.call('ping')"), {
    error:
      "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'",
  });
  deepEqual(await load("#!lua name=l\nreturn 1"), { error: "ERR No functions registered" });
  deepEqual(
    await load(
      "#!lua name=l\nredis.register_function{function_name='f', callback=function() end, flags={'bad'}}",
    ),
    { error: "ERR Error registering functions: ERR unknown flag given" },
  );
  deepEqual(await load("#!lua name=l\n+"), {
    error: "ERR Error compiling function: user_function:2: unexpected symbol near '+'",
  });
  deepEqual(await load("return 1"), { error: "ERR Missing library metadata" });
  deepEqual(await load("#!lua\nreturn 1"), { error: "ERR Library name was not given" });
  deepEqual(await load("#!js name=l\nreturn 1"), { error: "ERR Engine 'js' not found" });
  deepEqual(await load("#!lua name=l foo=bar\nreturn 1"), {
    error: "ERR Invalid metadata value given: foo=bar",
  });
  await load("#!lua name=l\nredis.register_function('f8', function() return a end)");
  const reply = await c.cmd("FCALL", "f8", 0);
  match(
    (reply as { error: string }).error,
    /^ERR user_function:2: Script attempted to access nonexistent global variable 'a' script: f8, on @user_function:2\.$/,
  );
});

Deno.test("FUNCTION DUMP and RESTORE move libraries between redis-home and Redis", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("FUNCTION", "LOAD", LIB1), "lib1");
  deepEqual(await c.cmd("FUNCTION", "DUMP"), LIB1_DUMP);
  deepEqual(await c.cmd("FUNCTION", "RESTORE", LIB1_DUMP), {
    error: "ERR Library lib1 already exists",
  });
  deepEqual(await c.cmd("FUNCTION", "RESTORE", LIB1_DUMP, "REPLACE"), "OK");
  deepEqual(await c.cmd("FUNCTION", "FLUSH"), "OK");
  deepEqual(await c.cmd("FCALL", "f1", 1, "x"), { error: "ERR Function not found" });
  deepEqual(await c.cmd("FUNCTION", "RESTORE", LIB1_DUMP), "OK");
  deepEqual(await c.cmd("FCALL", "f1", 1, "x"), null);
  deepEqual(await c.cmd("FUNCTION", "RESTORE", "garbage"), {
    error: "ERR DUMP payload version or checksum are wrong",
  });
  deepEqual(await c.cmd("FUNCTION", "RESTORE", LIB1_DUMP, "BAD"), {
    error: "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
  });
  deepEqual(await c.cmd("FUNCTION", "STATS"), [
    "running_script",
    null,
    "engines",
    ["LUA", ["libraries_count", 1, "functions_count", 1]],
  ]);
});
