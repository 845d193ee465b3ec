/**
 * The REPL on a pseudo-terminal, for what only a terminal shows: Tab
 * completion cycling as linenoise does, `connect`, --askpass's masked input,
 * Ctrl-C in the streaming and live modes (MONITOR over both protocols;
 * --latency and --stat; --bigkeys, which still prints its summary), and
 * client-side caching's invalidations shown as redis-cli shows them.
 */
import { equal, match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { command, entered, TerminalSession, withHome } from "./repl_helpers.ts";

const TAB = "\t";
const BEEP = "\x07";
const CTRL_C = "\x03";
const CTRL_D = "\x04";
const CTRL_U = "\x15";
const HINT = "\x1b[0;90;49m";

/** A redraw of the line showing `text` (then, maybe, its hint). */
const shows = (prompt: string, text: string) => `\r\x1b[0K${prompt}${text}`;

Deno.test("Tab completes command names and subcommands, cycling, then the line as typed", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await using term = new TerminalSession(["-p", String(srv.port)], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    await term.expect(prompt);
    await term.type("zrevrangeby" + TAB);
    await term.expect(shows(prompt, "ZREVRANGEBYLEX") + HINT + " key max min");
    await term.type(TAB);
    await term.expect(shows(prompt, "ZREVRANGEBYSCORE") + HINT + " key max min");
    // Past the last candidate: the line as typed, and a beep.
    await term.type(TAB);
    await term.expect(BEEP + shows(prompt, "zrevrangeby"));
    await term.type(TAB);
    await term.expect(shows(prompt, "ZREVRANGEBYLEX"));
    // Any other key takes the candidate shown.
    await term.type(CTRL_U + "config g" + TAB);
    await term.expect(shows(prompt, "CONFIG GET"));
    await term.type(" maxmemory\r");
    await term.expect(
      entered(prompt, "CONFIG GET maxmemory") + '1) "maxmemory"\r\n2) "0"\r\n' + prompt,
    );
    // Nothing to offer: a beep, the line unchanged.
    await term.type("xyzzy" + TAB);
    await term.expect(BEEP);
    await term.type(CTRL_U + "help @sor" + TAB);
    await term.expect(shows(prompt, "help @sorted-set"));
    await term.type(CTRL_U);
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("Tab offers a command's option keywords once its required arguments are typed", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await using term = new TerminalSession(["-p", String(srv.port), "--resp"], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    await term.expect(prompt);
    await term.type("set k v " + TAB);
    await term.expect(shows(prompt, "set k v NX"));
    await term.type(TAB + TAB);
    await term.expect(shows(prompt, "set k v GET"));
    await term.type("\r");
    await term.expect(entered(prompt, "set k v GET") + "(nil)\r\n" + prompt);
    await term.type("zadd k x" + TAB);
    await term.expect(shows(prompt, "zadd k XX"));
    await term.type(CTRL_U + CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("connect host port switches servers; the prompt follows", async () => {
  await using first = startServer();
  await using second = startServer();
  using client = await RespClient.connect(second.port);
  await client.cmd("SET", "where", "second");
  await withHome(async (home) => {
    await using term = new TerminalSession(["-p", String(first.port)], home);
    const prompt = `127.0.0.1:${first.port}> `;
    await term.expect(prompt);
    const other = `127.0.0.1:${second.port}> `;
    await command(term, prompt, `connect 127.0.0.1 ${second.port}`, "", other);
    await command(term, other, "get where", '"second"\r\n', other);
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("--askpass: the password typed shows as stars, then the session is authenticated", async () => {
  await using srv = startServer({ requirepass: "secret" });
  await withHome(async (home) => {
    await using term = new TerminalSession(["-p", String(srv.port), "--askpass"], home);
    await term.expect("Please input password: ");
    await term.type("secret\r");
    const prompt = `127.0.0.1:${srv.port}> `;
    const shown = await term.expect(prompt);
    equal(shown.includes("secret"), false);
    match(shown, /\*\*\*\*\*\*/);
    await command(term, prompt, "ping", '"PONG"\r\n');
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("MONITOR streams until Ctrl-C, then the prompt (native protocol and RESP)", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  for (const protocol of [[], ["--resp"]]) {
    await withHome(async (home) => {
      await using term = new TerminalSession(["-p", String(srv.port), ...protocol], home);
      const prompt = `127.0.0.1:${srv.port}> `;
      await term.expect(prompt);
      await term.type("monitor\r");
      await term.expect(entered(prompt, "monitor") + "OK\r\n");
      await client.cmd("SET", "watched", "a b");
      const line = await term.expect('"SET" "watched" "a b"\r\n');
      match(line, /\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "watched" "a b"\r\n$/);
      await term.type(CTRL_C);
      await term.expect(prompt);
      await command(term, prompt, "echo back", '"back"\r\n');
      await term.type(CTRL_D);
      equal((await term.exit()).code, 0);
    });
  }
});

Deno.test("RESP3 invalidations show as redis-cli shows them: one '-> invalidate:' line", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await withHome(async (home) => {
    await using term = new TerminalSession(["-p", String(srv.port), "-3"], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    await term.expect(prompt);
    await command(term, prompt, "client tracking on", "OK\r\n");
    await command(term, prompt, "mget k j", "1) (nil)\r\n2) (nil)\r\n");
    await client.cmd("MSET", "k", "1", "j", "2");
    // Pushes are read with the next reply, and come before it.
    await command(term, prompt, "ping", "-> invalidate: 'k'\r\n-> invalidate: 'j'\r\nPONG\r\n");
    await command(term, prompt, "get k", '"1"\r\n');
    await client.cmd("FLUSHALL");
    // "Every key" (a null) is shown as the push it is, as redis-cli does.
    await command(term, prompt, "ping", '1) "invalidate"\r\n2) (nil)\r\nPONG\r\n');
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("Ctrl-C ends --latency and --stat; --bigkeys stops and prints its summary", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  for (let i = 0; i < 2000; i++) await client.send("SET", `k${i}`, "v");
  for (let i = 0; i < 2000; i++) await client.read();
  await withHome(async (home) => {
    for (const [mode, shown] of [["--latency", "samples)"], ["--stat", "connections"]] as const) {
      await using term = new TerminalSession(["-p", String(srv.port), mode], home);
      await term.expect(shown);
      await term.type(CTRL_C);
      const { code } = await term.exit();
      equal(code, 130, mode);
    }
    {
      await using term = new TerminalSession(["-p", String(srv.port), "--bigkeys"], home);
      await term.expect("Biggest string found so far");
      await term.type(CTRL_C);
      await term.expect("-------- summary -------");
      const { code, rest } = await term.exit();
      equal(code, 0);
      match(rest, /^\r\n\r\n(\[\d\d\.\d\d%\] )?Sampled \d+ keys in the keyspace!\r\n/);
    }
    // --scan -i pauses after each SCAN call; Ctrl-C cuts the pause short.
    await using term = new TerminalSession(["-p", String(srv.port), "--scan", "-i", "1000"], home);
    await term.expect('"k');
    await term.type(CTRL_C);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      term.exit(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 10_000))),
    ]);
    clearTimeout(timer);
    equal(ended?.code, 0);
  });
});
