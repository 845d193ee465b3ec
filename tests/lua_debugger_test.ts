/**
 * SCRIPT DEBUG and the Lua debugger (Redis 7.0's LDB): sessions driven over
 * a raw socket, each exchange's bytes as redis-server 7.0.15 sends them
 * (recorded from it), and redis-cli --ldb-sync-mode / --ldb sessions run
 * against both servers with the same script and commands, compared byte for
 * byte.
 */
import { deepEqual, equal } from "node:assert/strict";
import { encodeRespRequest } from "../protocol/resp.ts";
import { RespClient, run, startServer } from "./helpers.ts";
import { scratchDir, startRedis } from "./replication_helpers.ts";

const latin1 = new TextDecoder("latin1");

/** A raw connection: requests out, exactly the expected bytes back. */
class Raw {
  #pending = "";
  private constructor(readonly conn: Deno.Conn) {}

  static async open(port: number): Promise<Raw> {
    return new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async send(...argv: string[]): Promise<void> {
    await this.write(latin1.decode(encodeRespRequest(argv)));
  }

  async write(data: string): Promise<void> {
    const bytes = Uint8Array.from(data, (c) => c.charCodeAt(0));
    let sent = 0;
    while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
  }

  /** Reads until `expected.length` bytes came (or the peer closed, or 5 s passed), and checks them. */
  async expect(expected: string): Promise<void> {
    await this.#readWhile(() => this.#pending.length < expected.length);
    const got = this.#pending.slice(0, expected.length);
    this.#pending = this.#pending.slice(expected.length);
    equal(got, expected);
  }

  /** Reads up to and including `marker` (a reply whose bytes are not compared). */
  async skipThrough(marker: string): Promise<void> {
    await this.#readWhile(() => !this.#pending.includes(marker));
    equal(this.#pending.includes(marker), true, `no ${JSON.stringify(marker)}`);
    this.#pending = this.#pending.slice(this.#pending.indexOf(marker) + marker.length);
  }

  /** The server closed the connection (with nothing more sent). */
  async expectClosed(): Promise<void> {
    await this.#readWhile(() => true);
    equal(this.#pending, "");
    equal(this.#eof, true);
  }

  #eof = false;

  /** Reads while `more()` and the stream lasts; a read that waits 5 s closes the socket. */
  async #readWhile(more: () => boolean): Promise<void> {
    const buf = new Uint8Array(65536);
    while (more() && !this.#eof) {
      const timer = setTimeout(() => this.close(), 5000);
      let n: number | null = null;
      try {
        n = await this.conn.read(buf);
      } catch {
        n = null;
      } finally {
        clearTimeout(timer);
      }
      if (n === null) this.#eof = true;
      else this.#pending += latin1.decode(buf.subarray(0, n));
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** An array of debugger log lines, as ldbSendLogs writes it. */
function logs(...lines: string[]): string {
  return `*${lines.length}\r\n${lines.map((l) => `+${l}\r\n`).join("")}`;
}

Deno.test("the Tcl suite's debugger protocol parsing and 101-argument redis call", async () => {
  await using s = startServer();
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "return 'hello'", "0");
  await c.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   return 'hello'"));
  const unknown = logs("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
  for (const name of ["'hello\0world'", "'hello\0'", "'\0hello\0'", "script"]) {
    await c.send(name);
    await c.expect(unknown);
  }
  await c.send("eval", "return 'hello'", "0");
  await c.expect(logs("<error> ldb_eval:1: '<eof>' expected near '0'"));
  await c.write(`*101\r\n$5\r\nredis\r\n${"$4\r\ntest\r\n".repeat(100)}`);
  await c.expect(logs(
    "<redis> test test test test test test test test test test ... (89 more)",
    "<error> Unknown Redis command called from script",
  ));
  await c.send("s");
  await c.expect(`${logs("<endsession>")}$5\r\nhello\r\n`);
  await c.expectClosed();
  c.close();
});

Deno.test("stepping logs commands, replies and errors; abort keeps SYNC's writes", async () => {
  await using s = startServer();
  using other = await RespClient.connect(s.port);
  await other.cmd("SET", "x", "1");
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "local a = 1\nredis.call('incr','x')\nreturn a\n", "0");
  await c.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   local a = 1"));
  await c.send("s");
  await c.expect(logs("* Stopped at 2, stop reason = step over", "-> 2   redis.call('incr','x')"));
  await c.send("s");
  await c.expect(logs(
    "<redis> incr x",
    "<reply> 2",
    "* Stopped at 3, stop reason = step over",
    "-> 3   return a",
  ));
  await c.send("p");
  await c.expect(logs("<value> a = 1"));
  await c.send("a");
  await c.expect(
    `${logs("<endsession>")}-ERR script aborted for user request script: ` +
      "427e56847711f986241047f902ac5ba85bfda9e6, on @user_script:3.\r\n",
  );
  await c.expectClosed();
  c.close();
  equal(await other.cmd("GET", "x"), "2");
});

Deno.test("a command's error reply is logged as <error> and <reply>, and ends the script", async () => {
  await using s = startServer();
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "redis.call('set','y','a')\nredis.call('incr','y')\nreturn 1", "0");
  await c.expect(
    logs("* Stopped at 1, stop reason = step over", "-> 1   redis.call('set','y','a')"),
  );
  await c.send("s");
  await c.expect(logs(
    "<redis> set y a",
    '<reply> "+OK"',
    "* Stopped at 2, stop reason = step over",
    "-> 2   redis.call('incr','y')",
  ));
  await c.send("s");
  await c.expect(
    logs(
      "<redis> incr y",
      "<error> -ERR value is not an integer or out of range",
      '<reply> "-ERR value is not an integer or out of range"',
      "<endsession>",
    ) +
      "-ERR value is not an integer or out of range script: " +
      "4a71091744136b360fea34286bd1e3faf61136b6, on @user_script:2.\r\n",
  );
  await c.expectClosed();
  c.close();
});

Deno.test("SCRIPT DEBUG's modes and refusals; input that is not a command ends the session", async () => {
  await using s = startServer();
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "yes");
  await c.expect("+OK\r\n");
  await c.send("evalsha", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
  await c.expect("-ERR Please use EVAL instead of EVALSHA for debugging\r\n");
  await c.send("script", "debug", "maybe");
  await c.expect("-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n");
  await c.send("script", "debug", "no");
  await c.expect("+OK\r\n");
  await c.send("eval", "return 1", "0");
  await c.expect(":1\r\n");
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "return 1", "0");
  await c.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   return 1"));
  await c.write("PING\r\n");
  await c.expect(
    `${logs("<endsession>")}-ERR protocol error script: ` +
      "e0e1f9fabfc9d4800c877a703b823ac0578ff8db, on @user_script:1.\r\n",
  );
  await c.expectClosed();
  c.close();
});

Deno.test("EVAL's own errors (compiling, numkeys) end the session as Redis's", async () => {
  await using s = startServer();
  const cases: [string, string, string][] = [
    [
      "return (",
      "0",
      "ERR Error compiling script (new function): user_script:1: " +
      "unexpected symbol near '<eof>'",
    ],
    ["return 1", "5", "ERR Number of keys can't be greater than number of args"],
  ];
  for (const [script, numkeys, error] of cases) {
    const c = await Raw.open(s.port);
    await c.send("script", "debug", "sync");
    await c.expect("+OK\r\n");
    await c.send("eval", script, numkeys);
    await c.expect(`${logs("<endsession>")}-${error}\r\n`);
    await c.expectClosed();
    c.close();
  }
});

Deno.test("other clients wait for the session; a client gone lets the script run to its end", async () => {
  await using s = startServer();
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "redis.call('set','held','1')\nreturn 1", "0");
  await c.expect(logs(
    "* Stopped at 1, stop reason = step over",
    "-> 1   redis.call('set','held','1')",
  ));
  using other = await RespClient.connect(s.port);
  const reply = other.cmd("GET", "held");
  let answered = false;
  reply.then(() => answered = true);
  await new Promise((resolve) => setTimeout(resolve, 200));
  equal(answered, false);
  c.close();
  equal(await reply, "1");
});

Deno.test("a looping script whose debugging client left is stopped at the time limit", async () => {
  await using s = startServer({ "busy-reply-threshold": "100" });
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  await c.send("eval", "local i = 0\nwhile true do\n  i = i + 1\nend", "0");
  await c.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   local i = 0"));
  c.close();
  using other = await RespClient.connect(s.port);
  equal(await other.cmd("PING"), "PONG");
  const stats = await other.cmd("INFO", "errorstats") as string;
  equal(stats.includes("errorstat_ERR:count=1"), true, stats);
});

Deno.test("RESP3 replies are logged in Redis's notation; the log is RESP2 arrays", async () => {
  await using s = startServer();
  const c = await Raw.open(s.port);
  await c.send("hello", "3");
  await c.skipThrough("modules\r\n*0\r\n");
  await c.send("script", "debug", "sync");
  await c.expect("+OK\r\n");
  const script =
    "redis.setresp(3)\nredis.call('hset','h','a','1')\nredis.call('smembers','nos')\n" +
    "return redis.call('hgetall','h')";
  await c.send("eval", script, "0");
  await c.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   redis.setresp(3)"));
  await c.send("c");
  await c.expect(`${logs("<endsession>")}%1\r\n$1\r\na\r\n$1\r\n1\r\n`);
  await c.expectClosed();
  c.close();
  const d = await Raw.open(s.port);
  await d.send("script", "debug", "sync");
  await d.expect("+OK\r\n");
  await d.send("eval", script, "0");
  await d.expect(logs("* Stopped at 1, stop reason = step over", "-> 1   redis.setresp(3)"));
  for (const line of [2, 3]) {
    await d.send("s");
    await d.skipThrough(`-> ${line}`);
    await d.skipThrough("\r\n");
  }
  await d.send("s");
  await d.expect(logs(
    "<redis> smembers nos",
    "<reply> ~()",
    "* Stopped at 4, stop reason = step over",
    "-> 4   return redis.call('hgetall','h')",
  ));
  await d.send("s");
  await d.expect(
    logs("<redis> hgetall h", '<reply> {"a" => "1"}', "<endsession>") +
      "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
  );
  d.close();
});

Deno.test("SCRIPT DEBUG YES undoes the session's writes, FLUSHALL included", async () => {
  await using s = startServer();
  using other = await RespClient.connect(s.port);
  await other.cmd("SET", "k", "old");
  await other.cmd("RPUSH", "lst", "a", "b");
  const c = await Raw.open(s.port);
  await c.send("script", "debug", "yes");
  await c.expect("+OK\r\n");
  const script = "redis.call('set', KEYS[1], ARGV[1])\nredis.call('rpush', 'lst', 'c')\n" +
    "redis.call('flushall')\nredis.call('set', 'new', '1')\nreturn redis.call('get', 'new')";
  await c.send("eval", script, "1", "k", "v");
  await c.expect(logs(
    "* Stopped at 1, stop reason = step over",
    "-> 1   redis.call('set', KEYS[1], ARGV[1])",
  ));
  await c.send("c");
  await c.expect(`${logs("<endsession>")}$1\r\n1\r\n`);
  await c.expectClosed();
  c.close();
  deepEqual(
    [await other.cmd("GET", "k"), await other.cmd("LRANGE", "lst", "0", "-1")],
    ["old", ["a", "b"]],
  );
  deepEqual([await other.cmd("GET", "new"), await other.cmd("DBSIZE")], [null, 2]);
});

const SCRIPT = `local a = 1
local t = {1,2,'x', {y = {true}}}
redis.call('set','k',a)
local v = redis.call('get','k')
redis.debug('dbg', a, t)
local function f(x)
  local y = x * 2
  redis.breakpoint()
  return y
end
local r = f(3)
redis.pcall('incr','nope','x')
redis.call('rpush','l', 'item1', 'item2', 'item3', 'item4', 'item5', 'item6', 'item7')
return {v, a, r}
`;

const COMMANDS = [
  ["s", "s", "n", "p", "p a", "p t", "p KEYS", "p ARGV", "p zz", "l", "l 2 1", "l 0", "w"],
  ["b 12", "b", "b 99", "b 12", "b -12", "b -5", "b x", "b 0", "b 12 13", "e a+1", "e local z = 5"],
  ["e (", "e 1.5", "e 1e300", "e {1,{2},x=false}", "r get k", "r", "m", "m 10", "m 0", "t", "h"],
  ["xyz", "c", "t", "p", "c", "s", "r lrange l 0 -1", "m 61", "r lrange l 0 -1", "c"],
].flat().join("\n") + "\n";

async function ldbSession(port: number, mode: string, file: string): Promise<string> {
  const args = ["-p", String(port), mode, "--eval", file, "key1", ",", "arg1"];
  const { stdout, stderr } = await run("redis-cli", args, { stdin: COMMANDS });
  return stdout + stderr;
}

Deno.test("redis-cli --ldb-sync-mode and --ldb sessions are redis-server 7.0.15's, byte for byte", async () => {
  using dir = scratchDir();
  await using redis = startRedis(dir.path, "redis");
  using reference = await redis.connect();
  await using s = startServer();
  using ours = await RespClient.connect(s.port);
  const file = `${dir.path}/debugged.lua`;
  Deno.writeTextFileSync(file, SCRIPT);
  for (const mode of ["--ldb-sync-mode", "--ldb"]) {
    await reference.cmd("FLUSHALL");
    await ours.cmd("FLUSHALL");
    const expected = await ldbSession(redis.port, mode, file);
    equal(expected.includes("(Lua debugging session ended"), true);
    equal(await ldbSession(s.port, mode, file), expected);
    // YES leaves nothing behind, SYNC its writes.
    const keys = async (c: RespClient) => ((await c.cmd("KEYS", "*")) as string[]).sort();
    deepEqual(await keys(ours), await keys(reference));
  }
});
