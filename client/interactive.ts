/**
 * The REPL's session loop, modelled on redis-cli 7.0's repl(): lines from
 * the line editor (a terminal: history, hints, Tab completion) or from plain
 * input, redis-cli's local commands (help, `N command` repeats, connect,
 * clear, quit, :set hints, and our :wire on|off), everything else sent to
 * the server.
 */
import { binaryToUtf8, bytesToBinary, utf8ToBinary } from "../protocol/bytes.ts";
import { splitArgs } from "../protocol/inline.ts";
import { completions } from "./completion.ts";
import { commandHelpEntries, commandHint, helpText } from "./help.ts";
import { History } from "./history.ts";
import { INTERRUPTED, LineEditor, type Terminal } from "./line_editor.ts";
import { type Session, writeAll } from "./session.ts";

/** Commands slower than this get their duration printed, as redis-cli does. */
const SLOW_COMMAND_MS = 500;
/** Where command lines come from: the line editor, or plain lines of input. */
export interface LineSource {
  /** The next line as a binary string; null at end of input; INTERRUPTED after Ctrl-C. */
  next(prompt: string): Promise<string | null | typeof INTERRUPTED>;
  /** Adds a line to the history, if this source keeps one. */
  remember(line: string): Promise<void>;
}

/** Lines of standard input split at "\n" (bytes kept as they are). */
export class PlainLines implements LineSource {
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
export const denoTerminal: Terminal = {
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

/**
 * The line editor with history (kept in ~/.redis_home_history when HOME is
 * set), hints and Tab completion.
 */
export class EditedLines implements LineSource {
  readonly history = new History();
  readonly editor: LineEditor;
  hints = true;

  constructor(readonly historyPath: string | undefined) {
    const entries = commandHelpEntries();
    this.editor = new LineEditor(denoTerminal, {
      history: this.history,
      hint: (text) => (this.hints ? commandHint(utf8ToBinary(text), entries) : undefined),
      complete: (text) => completions(text, entries),
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
export function isHelp(word: string | undefined): boolean {
  return word === "?" || word?.toLowerCase() === "help";
}

const stdoutText = (text: string) => writeAll(Deno.stdout, text);

/**
 * Reads and runs commands until end of input or quit/exit, with redis-cli's
 * local commands: help, `N command` repeats, connect, clear, :set hints, and
 * :wire on|off.
 */
export async function repl(
  session: Session,
  source: LineSource,
  version: string,
  editor?: EditedLines,
): Promise<void> {
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
      await setPreference(argv, session, editor);
    } else if (argv.length === 3 && name === "connect") {
      const [, host = "", port = ""] = argv;
      session.endpoint = { host, port: parseInt(port, 10) || 0 };
      await session.connect();
    } else if (argv.length === 1 && name === "clear") {
      await stdoutText("\x1b[H\x1b[2J");
    } else if (isHelp(command[0])) {
      await stdoutText(utf8ToBinary(helpText(command.slice(1), entries, version)));
    } else {
      const started = performance.now();
      await session.run(command, repeat);
      const elapsed = performance.now() - started;
      if (elapsed >= SLOW_COMMAND_MS && session.options.style.format === "standard") {
        await stdoutText(`(${(elapsed / 1000).toFixed(2)}s)\n`);
      }
    }
  }
}

async function setPreference(
  argv: readonly string[],
  session: Session,
  editor: EditedLines | undefined,
) {
  const [word = "", value] = argv;
  const command = word.toLowerCase();
  if (
    command === ":wire" && argv.length === 2 && value !== undefined && /^(on|off)$/i.test(value)
  ) {
    session.wire = value.toLowerCase() === "on";
    return;
  }
  if (command !== ":set" || value === undefined) {
    await stdoutText(`unknown redis-cli internal command '${word}'\n`);
    return;
  }
  const name = value.toLowerCase();
  if (name !== "hints" && name !== "nohints") {
    await stdoutText(`unknown redis-cli preference '${value}'\n`);
    return;
  }
  if (editor !== undefined) editor.hints = name === "hints";
}
