/**
 * The interactive prompt in a pseudo-terminal (`script` allocates it), typed
 * at key by key: prompt text, replies, history with the arrow keys and the
 * history file, Ctrl-C, Ctrl-D, hints, a lost connection, and pub/sub.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { command, entered, TerminalSession, withHome } from "./repl_helpers.ts";

const UP = "\x1b[A";
const LEFT = "\x1b[D";
const CTRL_A = "\x01";
const CTRL_C = "\x03";
const CTRL_D = "\x04";
const CTRL_E = "\x05";
const CTRL_U = "\x15";
const BACKSPACE = "\x7f";

Deno.test("prompt, replies, [db] after SELECT, and Ctrl-D to leave", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await using term = new TerminalSession(["--port", String(srv.port)], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    equal(await term.expect(prompt), prompt);
    // The book's SET replies NIL on the native protocol.
    await command(term, prompt, "set foo bar", "(nil)\r\n");
    await command(term, prompt, "get foo", '"bar"\r\n');
    await command(term, prompt, 'echo "a\\x00b"', '"a\\x00b"\r\n');
    await command(term, prompt, "keys nomatch", "(empty array)\r\n");
    await command(term, prompt, "del foo", "(integer) 1\r\n");
    const db2 = `127.0.0.1:${srv.port}[2]> `;
    await command(term, prompt, "select 2", '"OK"\r\n', db2);
    await command(
      term,
      db2,
      "nosuch",
      "(error) ERR unknown command 'nosuch', with args beginning with: \r\n",
    );
    await term.type(CTRL_D);
    deepEqual(await term.exit(), { code: 0, rest: "\r\n" });
  });
});

Deno.test("MULTI shows (TX) in the prompt until EXEC or DISCARD", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await using term = new TerminalSession(["--port", String(srv.port), "--resp"], home);
    const address = `127.0.0.1:${srv.port}`;
    await term.expect(`${address}> `);
    await command(term, `${address}> `, "multi", "OK\r\n", `${address}(TX)> `);
    await command(term, `${address}(TX)> `, "select 2", "QUEUED\r\n", `${address}[2](TX)> `);
    await command(term, `${address}[2](TX)> `, "exec", "1) OK\r\n", `${address}[2]> `);
    await command(term, `${address}[2]> `, "multi", "OK\r\n", `${address}[2](TX)> `);
    await command(term, `${address}[2](TX)> `, "select 0", "QUEUED\r\n", `${address}(TX)> `);
    // DISCARD: the queued SELECT never ran.
    await command(term, `${address}(TX)> `, "discard", "OK\r\n", `${address}[2]> `);
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("the up arrow recalls history, kept in ~/.redis_home_history for the next session", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    const args = ["--port", String(srv.port)];
    const prompt = `127.0.0.1:${srv.port}> `;
    {
      await using term = new TerminalSession(args, home);
      await term.expect(prompt);
      await command(term, prompt, "echo one", '"one"\r\n');
      await command(term, prompt, "echo two", '"two"\r\n');
      await term.type(UP);
      await term.expect(`\r\x1b[0K${prompt}echo two`);
      await term.type(UP);
      await term.expect(`\r\x1b[0K${prompt}echo one`);
      await term.type("\r");
      await term.expect(entered(prompt, "echo one") + '"one"\r\n' + prompt);
      await term.type(CTRL_D);
      equal((await term.exit()).code, 0);
    }
    equal(await Deno.readTextFile(`${home}/.redis_home_history`), "echo one\necho two\necho one\n");
    {
      await using term = new TerminalSession(args, home);
      await term.expect(prompt);
      await term.type(UP + UP);
      await term.expect(`\r\x1b[0K${prompt}echo two`);
      await term.type("\r");
      await term.expect(entered(prompt, "echo two") + '"two"\r\n' + prompt);
      await term.type("exit\r");
      const { code, rest } = await term.exit();
      equal(code, 0);
      equal(rest.endsWith(entered(prompt, "exit")), true);
    }
  });
});

Deno.test("a HOME where history cannot be saved does not disturb the session", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await Deno.mkdir(`${home}/.redis_home_history`);
    await using term = new TerminalSession(["--port", String(srv.port)], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    await term.expect(prompt);
    await command(term, prompt, "echo kept", '"kept"\r\n');
    await term.type(UP);
    await term.expect(`\r\x1b[0K${prompt}echo kept`);
    await term.type(CTRL_U + "quit\r");
    equal((await term.exit()).code, 0);
  });
});

Deno.test("Ctrl-C abandons the line; editing keys; a greyed hint after the command", async () => {
  await using srv = startServer();
  await withHome(async (home) => {
    await using term = new TerminalSession(["--port", String(srv.port), "--resp"], home);
    const prompt = `127.0.0.1:${srv.port}> `;
    await term.expect(prompt);
    await term.type("get foo" + CTRL_C);
    const abandoned = await term.expect(`^C\r\n${prompt}`);
    equal(
      abandoned.endsWith(`\r\x1b[0K${prompt}get foo\r\x1b[${prompt.length + 7}C^C\r\n${prompt}`),
      true,
    );
    equal(abandoned.includes("(nil)"), false);

    await term.type("cho ad" + LEFT + "b" + CTRL_A + "e" + CTRL_E + BACKSPACE + "c\r");
    await term.expect(entered(prompt, "echo abc") + '"abc"\r\n' + prompt);
    await term.type("garbage" + CTRL_U + "echo z\r");
    await term.expect(entered(prompt, "echo z") + '"z"\r\n' + prompt);

    await term.type("get");
    await term.expect(`${prompt}get\x1b[0;90;49m key\x1b[0m\r\x1b[${prompt.length + 3}C`);
    await term.type(" k");
    await term.expect(`${prompt}get k\x1b[0;90;49m \x1b[0m`);
    await term.type("\r");
    await term.expect(entered(prompt, "get k") + "(nil)\r\n" + prompt);
    await term.type(CTRL_D);
    equal((await term.exit()).code, 0);
  });
});

Deno.test("a lost connection shows 'not connected>' and the next command reconnects", async () => {
  let srv = startServer();
  const port = srv.port;
  try {
    await withHome(async (home) => {
      await using term = new TerminalSession(["--port", String(port)], home);
      const prompt = `127.0.0.1:${port}> `;
      const down = "not connected> ";
      await term.expect(prompt);
      await command(term, prompt, "select 3", '"OK"\r\n', `127.0.0.1:${port}[3]> `);
      await srv.close();
      await command(
        term,
        `127.0.0.1:${port}[3]> `,
        "ping",
        "Error: Server closed the connection\r\n",
        down,
      );
      const refused = `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\r\n`;
      await command(term, down, "ping", refused, down);
      srv = startServer({ port: String(port) });
      // Reconnected, to the database it was using.
      await command(term, down, "ping", '"PONG"\r\n', `127.0.0.1:${port}[3]> `);
      await term.type(CTRL_D);
      equal((await term.exit()).code, 0);
    });
  } finally {
    await srv.close();
  }
});

Deno.test("SUBSCRIBE on the terminal: messages as they arrive, Ctrl-C back to the prompt", async () => {
  await using srv = startServer();
  using publisher = await RespClient.connect(srv.port);
  for (const flags of [[], ["--resp"]]) {
    await withHome(async (home) => {
      await using term = new TerminalSession(["--port", String(srv.port), ...flags], home);
      const prompt = `127.0.0.1:${srv.port}> `;
      await term.expect(prompt);
      await term.type("subscribe ch\r");
      await term.expect(
        entered(prompt, "subscribe ch") + "Reading messages... (press Ctrl-C to quit)\r\n" +
          '1) "subscribe"\r\n2) "ch"\r\n3) (integer) 1\r\n',
      );
      equal(await publisher.cmd("PUBLISH", "ch", "hi"), 1);
      await term.expect('1) "message"\r\n2) "ch"\r\n3) "hi"\r\n');
      await term.type(CTRL_C);
      await term.expect(prompt);
      await command(term, prompt, "echo back", '"back"\r\n');
      equal(await publisher.cmd("PUBLISH", "ch", "gone"), 0);
      await term.type(CTRL_D);
      equal((await term.exit()).code, 0);
    });
  }
});
