/**
 * `redis-home repl`: the interactive client, modelled on redis-cli 7.0.
 *
 * - With a command after the options: run it once, print the reply, exit
 *   (1 if the server could not be reached).
 * - On a terminal: a prompt with line editing, history and hints.
 * - Otherwise: one command per input line, no prompt (exit 1 if the
 *   connection failed at any point, where redis-cli would still exit 0).
 *
 * Replies are decorated as redis-cli decorates them when standard output is a
 * terminal (or FAKETTY is set, as redis-cli's test suite does), bare otherwise.
 */
import { binaryToUtf8, bytesToBinary, utf8ToBinary } from "../protocol/bytes.ts";
import { splitArgs } from "../protocol/inline.ts";
import { VERSION } from "../protocol/version.ts";
import { commandHelpEntries, commandHint, helpText } from "./help.ts";
import { History } from "./history.ts";
import { INTERRUPTED, LineEditor, type Terminal } from "./line_editor.ts";
import { parseReplArgs, REPL_USAGE, UsageError } from "./options.ts";
import { Session, writeAll } from "./session.ts";

const HISTORY_FILE = ".redis_home_history";
/** Commands slower than this get their duration printed, as redis-cli does. */
const SLOW_COMMAND_MS = 500;
/** Terminals linenoise cannot drive: they get a plain prompt and cooked input. */
const UNSUPPORTED_TERMS = new Set(["dumb", "cons25", "emacs"]);

/** Where command lines come from: the line editor, or plain lines of input. */
interface LineSource {
  /** The next line as a binary string; null at end of input; INTERRUPTED after Ctrl-C. */
  next(prompt: string): Promise<string | null | typeof INTERRUPTED>;
  /** Adds a line to the history, if this source keeps one. */
  remember(line: string): Promise<void>;
}

/** Lines of standard input split at "\n" (bytes kept as they are). */
class PlainLines implements LineSource {
  #pending = "";
  /** Where the next line starts in #pending. */
  #pos = 0;
  #ended = false;
  readonly #chunk = new Uint8Array(64 * 1024);

  constructor(readonly showPrompt: (prompt: string) => Promise<void>) {}

  async next(prompt: string): Promise<string | null> {
    await this.showPrompt(prompt);
    for (;;) {
      const newline = this.#pending.indexOf("\n", this.#pos);
      if (newline >= 0) {
        const line = this.#pending.slice(this.#pos, newline);
        this.#pos = newline + 1;
        return line;
      }
      if (this.#ended) {
        const last = this.#pending.slice(this.#pos);
        this.#pending = "";
        this.#pos = 0;
        return last === "" ? null : last;
      }
      const n = await Deno.stdin.read(this.#chunk);
      if (n === null) this.#ended = true;
      else {
        this.#pending = this.#pending.slice(this.#pos) + bytesToBinary(this.#chunk, 0, n);
        this.#pos = 0;
      }
    }
  }

  async remember(): Promise<void> {}
}

/** The process's terminal, for the line editor. */
const denoTerminal: Terminal = {
  async read() {
    const chunk = new Uint8Array(1024);
    const n = await Deno.stdin.read(chunk);
    return n === null ? null : chunk.subarray(0, n);
  },
  write: (text) => writeAll(Deno.stdout, utf8ToBinary(text)),
  columns() {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return 80;
    }
  },
  setRaw(raw) {
    Deno.stdin.setRaw(raw);
  },
};

/** The line editor with history (kept in ~/.redis_home_history when HOME is set) and hints. */
class EditedLines implements LineSource {
  readonly history = new History();
  readonly editor: LineEditor;
  hints = true;

  constructor(readonly historyPath: string | undefined) {
    const entries = commandHelpEntries();
    this.editor = new LineEditor(denoTerminal, {
      history: this.history,
      hint: (text) => (this.hints ? commandHint(utf8ToBinary(text), entries) : undefined),
    });
  }

  async next(prompt: string): Promise<string | null | typeof INTERRUPTED> {
    const line = await this.editor.readLine(prompt);
    return typeof line === "string" ? utf8ToBinary(line) : line;
  }

  async remember(line: string): Promise<void> {
    this.history.add(binaryToUtf8(line));
    if (this.historyPath !== undefined) await this.history.save(this.historyPath);
  }
}

/** Commands that carry passwords stay out of the history (redis-cli's isSensitiveCommand). */
function isSensitive(argv: readonly string[]): boolean {
  const lower = argv.map((a) => a.toLowerCase());
  const [name, sub, param] = lower;
  if (name === "auth") return true;
  if (name === "acl" && sub === "setuser") return true;
  if (name === "config" && sub === "set") {
    return param === "masterauth" || param === "masteruser" || param === "requirepass";
  }
  if (name === "hello") {
    // HELLO protover [AUTH username password] [SETNAME clientname]
    for (let i = 2; i < lower.length; i++) {
      const more = lower.length - 1 - i;
      if (lower[i] === "auth" && more >= 2) return true;
      if (lower[i] === "setname" && more > 0) i++;
      else return false;
    }
  }
  if (name === "migrate") {
    for (let i = 6; i < lower.length; i++) {
      const more = lower.length - 1 - i;
      if ((lower[i] === "auth" && more > 0) || (lower[i] === "auth2" && more >= 2)) return true;
      if (lower[i] === "keys" && more > 0) return false;
    }
  }
  return false;
}

/** A leading count ("3 incr n") as C's strtol reads it: the whole word, optionally signed. */
function repeatCount(word: string): number | undefined {
  return /^[ \t\n\v\f\r]*[+-]?\d+$/.test(word) ? Number(word) : undefined;
}

/** `help` and `?` are answered locally, from the command table. */
function isHelp(word: string | undefined): boolean {
  return word === "?" || word?.toLowerCase() === "help";
}

const stdoutText = (text: string) => writeAll(Deno.stdout, text);
const stderrText = (text: string) => writeAll(Deno.stderr, text);

/**
 * Reads and runs commands until end of input or quit/exit, with redis-cli's
 * local commands: help, `N command` repeats, connect, clear, :set hints.
 */
async function repl(session: Session, source: LineSource, editor?: EditedLines): Promise<void> {
  const entries = commandHelpEntries();
  for (;;) {
    const line = await source.next(session.prompt());
    if (line === null) return;
    if (line === INTERRUPTED || line === "") continue;
    const argv = splitArgs(line);
    if (argv === undefined) {
      await stdoutText("Invalid argument(s)\n");
      await source.remember(line);
      continue;
    }
    const [first] = argv;
    if (first === undefined) continue;

    let repeat = 1;
    let command = argv;
    const count = argv.length > 1 ? repeatCount(first) : undefined;
    if (count !== undefined) {
      if (!Number.isSafeInteger(count) || count <= 0) {
        await stdoutText("Invalid redis-cli repeat command option value.\n");
        continue;
      }
      repeat = count;
      command = argv.slice(1);
    }
    if (!isSensitive(command)) await source.remember(line);

    const name = first.toLowerCase();
    if (name === "quit" || name === "exit") return;
    if (first.startsWith(":")) {
      await setPreference(argv, editor);
    } else if (argv.length === 3 && name === "connect") {
      const [, host = "", port = ""] = argv;
      session.host = host;
      session.port = parseInt(port, 10) || 0;
      await session.connect();
    } else if (argv.length === 1 && name === "clear") {
      await stdoutText("\x1b[H\x1b[2J");
    } else if (isHelp(command[0])) {
      await stdoutText(utf8ToBinary(helpText(command.slice(1), entries, VERSION)));
    } else {
      const started = performance.now();
      await session.run(command, repeat);
      const elapsed = performance.now() - started;
      if (elapsed >= SLOW_COMMAND_MS && session.options.tty) {
        await stdoutText(`(${(elapsed / 1000).toFixed(2)}s)\n`);
      }
    }
  }
}

async function setPreference(argv: readonly string[], editor: EditedLines | undefined) {
  const [command = "", preference] = argv;
  if (command.toLowerCase() !== ":set" || preference === undefined) {
    await stdoutText(`unknown redis-cli internal command '${command}'\n`);
    return;
  }
  const name = preference.toLowerCase();
  if (name !== "hints" && name !== "nohints") {
    await stdoutText(`unknown redis-cli preference '${preference}'\n`);
    return;
  }
  if (editor !== undefined) editor.hints = name === "hints";
}

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

async function runRepl(args: string[]): Promise<number> {
  let options;
  try {
    options = parseReplArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    await stderrText(`redis-home repl: ${err.message}\n`);
    return 2;
  }
  if (options.help) {
    await stdoutText(REPL_USAGE + "\n");
    return 0;
  }
  const oneShot = options.command.length > 0;
  const session = new Session({
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    tty: Deno.stdout.isTerminal() || envVar("FAKETTY") !== undefined,
    interruptibleStreams: !oneShot,
    output: { stdout: stdoutText, stderr: stderrText },
  });
  try {
    if (oneShot) {
      const [name, ...rest] = options.command;
      if (isHelp(name)) {
        await stdoutText(utf8ToBinary(helpText(rest, commandHelpEntries(), VERSION)));
        return 0;
      }
      await session.connect(true);
      return (await session.run(options.command)) ? 0 : 1;
    }
    await session.connect();
    const term = envVar("TERM") ?? "";
    if (Deno.stdin.isTerminal() && !UNSUPPORTED_TERMS.has(term.toLowerCase())) {
      const home = envVar("HOME");
      const editor = new EditedLines(home ? `${home}/${HISTORY_FILE}` : undefined);
      if (editor.historyPath !== undefined) await editor.history.load(editor.historyPath);
      await repl(session, editor, editor);
      return 0;
    }
    const prompted = Deno.stdin.isTerminal();
    await repl(
      session,
      new PlainLines((prompt) => prompted ? stdoutText(prompt) : Promise.resolve()),
    );
    return session.connectionFailed ? 1 : 0;
  } finally {
    session.close();
  }
}

/** Entry point for `redis-home repl`; returns the exit code. */
export async function replMain(args: string[]): Promise<number> {
  try {
    return await runRepl(args);
  } catch (err) {
    // Output closed under us (`repl ... | head`): nothing left to tell anyone.
    if (err instanceof Deno.errors.BrokenPipe) return 1;
    throw err;
  }
}
