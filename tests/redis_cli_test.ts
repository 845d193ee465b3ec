/**
 * The real redis-cli against our server: one-shot commands, --pipe mass
 * insertion, RESP3 (-3), and the interactive prompt's argument hints, which
 * redis-cli builds from our COMMAND DOCS.
 */
import { equal, match, ok } from "node:assert/strict";
import { encodeRespRequest } from "../protocol/resp.ts";
import { RespClient, run, startServer } from "./helpers.ts";

/** redis-cli must not read or write the user's history or rc file. */
const CLI_ENV = { REDISCLI_HISTFILE: "/dev/null", REDISCLI_RCFILE: "/dev/null", TERM: "xterm" };

function cli(port: number, args: string[], stdin?: string) {
  return run("redis-cli", ["-p", String(port), ...args], { stdin, env: CLI_ENV });
}

Deno.test("redis-cli one-shot commands", async () => {
  await using srv = startServer();
  equal((await cli(srv.port, ["SET", "greeting", "hello world"])).stdout, "OK\n");
  equal((await cli(srv.port, ["GET", "greeting"])).stdout, "hello world\n");
  equal((await cli(srv.port, ["--no-raw", "GET", "missing"])).stdout, "(nil)\n");
  equal((await cli(srv.port, ["CONFIG", "GET", "maxclients"])).stdout, "maxclients\n10000\n");
  equal(
    (await cli(srv.port, ["--no-raw", "nosuch", "a"])).stdout,
    "(error) ERR unknown command 'nosuch', with args beginning with: 'a' \n",
  );
  match((await cli(srv.port, ["INFO", "server"])).stdout, /^# Server\r?\nredis_version:/);
  // Commands read from stdin, one per line.
  equal((await cli(srv.port, [], "PING\nECHO piped\nDBSIZE\n")).stdout, "PONG\npiped\n1\n");
});

Deno.test("redis-cli -3 speaks RESP3", async () => {
  await using srv = startServer();
  const hello = await cli(srv.port, ["-3", "--no-raw", "HELLO", "3"]);
  match(
    hello.stdout,
    /^1# "server" => "redis"\n2# "version" => "[\d.]+"\n3# "proto" => \(integer\) 3\n/,
  );
  equal((await cli(srv.port, ["-3", "CONFIG", "GET", "maxclients"])).stdout, "maxclients 10000\n");
  equal((await cli(srv.port, ["-3", "--no-raw", "CLIENT", "GETNAME"])).stdout, "(nil)\n");
});

Deno.test("redis-cli --pipe inserts 100,000 keys", async () => {
  await using srv = startServer();
  const requests: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < 100_000; i++) {
    const request = encodeRespRequest(["SET", `key:${i}`, `value:${i}`]);
    requests.push(request);
    size += request.length;
  }
  const input = new Uint8Array(size);
  let at = 0;
  for (const request of requests) {
    input.set(request, at);
    at += request.length;
  }
  const child = new Deno.Command("redis-cli", {
    args: ["-p", String(srv.port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: CLI_ENV,
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.close();
  const out = await child.output();
  equal(out.code, 0);
  match(new TextDecoder().decode(out.stdout), /errors: 0, replies: 100000\n$/);
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("DBSIZE"), 100_000);
  equal(await c.cmd("GET", "key:99999"), "value:99999");
});

/**
 * Drives the interactive redis-cli in a pseudo-terminal (script(1)): answers
 * its cursor-position queries like a terminal, types `text`, and returns the
 * screen output once `expected` appears (or after 10 s).
 */
async function typeAtPrompt(port: number, text: string, expected: string): Promise<string> {
  const child = new Deno.Command("script", {
    args: ["-qfc", `redis-cli -p ${port}`, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: CLI_ENV,
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let screen = "";
  let answered = 0;
  let typed = false;
  const deadline = Date.now() + 10_000;
  try {
    while (Date.now() < deadline && !(typed && screen.includes(expected))) {
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 500));
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === "timeout") continue;
      if (chunk.done) break;
      screen += decoder.decode(chunk.value, { stream: true });
      // linenoise asks where the cursor is twice: at the start, then at the far right.
      for (; answered < screen.split("\x1b[6n").length - 1; answered++) {
        await writer.write(
          new TextEncoder().encode(answered % 2 === 0 ? "\x1b[1;1R" : "\x1b[1;200R"),
        );
      }
      if (!typed && screen.includes(`127.0.0.1:${port}> `)) {
        await writer.write(new TextEncoder().encode(text));
        typed = true;
      }
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel().catch(() => {});
    await writer.close().catch(() => {});
  }
  return screen;
}

Deno.test("the interactive redis-cli shows argument hints from COMMAND DOCS", async () => {
  await using srv = startServer();
  const hint =
    "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
  // The hint also shows (with a leading space) after "set" alone, one
  // keystroke earlier: wait for the rendering of "set " itself.
  const expected = `127.0.0.1:${srv.port}> set \x1b[0;90;49m${hint}`;
  const screen = await typeAtPrompt(srv.port, "set ", expected);
  ok(screen.includes(expected), screen);
});
