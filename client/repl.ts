/**
 * `redis-home repl`: the interactive client, modelled on redis-cli 7.0 and
 * taking its options (see options.ts).
 *
 * - With a mode (--scan, --bigkeys, --latency, --stat, --pipe...): run it.
 * - With a command after the options: run it (-r times), print the reply,
 *   exit (1 if the server could not be reached, or on an error with -e).
 * - On a terminal: a prompt with line editing, history, hints and Tab.
 * - Otherwise: one command per input line, no prompt (exit 1 if the
 *   connection failed at any point, where redis-cli would still exit 0).
 *
 * Replies are decorated as redis-cli decorates them when standard output is a
 * terminal (or FAKETTY is set, as redis-cli's test suite does), bare
 * otherwise; --raw, --no-raw and --csv choose for themselves.
 */
import { bytesToBinary, utf8ToBinary } from "../protocol/bytes.ts";
import { VERSION } from "../protocol/version.ts";
import { ConnectionError } from "./connection.ts";
import { commandHelpEntries, helpText } from "./help.ts";
import { denoTerminal, EditedLines, isHelp, PlainLines, repl } from "./interactive.ts";
import { bigKeysMode, hotKeysMode, scanMode } from "./keyspace_modes.ts";
import { LineEditor } from "./line_editor.ts";
import { History } from "./history.ts";
import { latencyDistMode, latencyMode, statMode } from "./live_modes.ts";
import { ModeError } from "./mode_util.ts";
import {
  type Mode,
  type OutputFormat,
  parseReplArgs,
  QuotedInputError,
  REPL_USAGE,
  type ReplOptions,
  UsageError,
} from "./options.ts";
import { pipeMode } from "./pipe_mode.ts";
import { rdbMode } from "./rdb_mode.ts";
import { Session, writeAll } from "./session.ts";

const HISTORY_FILE = ".redis_home_history";
/** Terminals linenoise cannot drive: they get a plain prompt and cooked input. */
const UNSUPPORTED_TERMS = new Set(["dumb", "cons25", "emacs"]);

const stdoutText = (text: string) => writeAll(Deno.stdout, text);
const stderrText = (text: string) => writeAll(Deno.stderr, text);

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** All of standard input as a binary string (-x). */
async function readStdin(): Promise<string> {
  const chunk = new Uint8Array(64 * 1024);
  let all = "";
  for (;;) {
    const n = await Deno.stdin.read(chunk);
    if (n === null) return all;
    all += bytesToBinary(chunk, 0, n);
  }
}

/**
 * --askpass: the password typed with each character shown as '*', or (as
 * linenoise does without a terminal) a line of input, unprompted.
 */
async function askPassword(input: PlainLines): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    const editor = new LineEditor(denoTerminal, { history: new History() });
    const line = await editor.readLine("Please input password: ", true);
    return typeof line === "string" ? utf8ToBinary(line) : "";
  }
  return (await input.next("")) ?? "";
}

/** Lines of standard input when it is not a terminal edited by linenoise; prompted on a terminal. */
function plainInput(): PlainLines {
  const prompted = Deno.stdin.isTerminal();
  return new PlainLines((prompt) => prompted ? stdoutText(prompt) : Promise.resolve());
}

/** Runs a mode on a connected session; the exit code. */
async function runMode(mode: Mode, session: Session, options: ReplOptions, format: OutputFormat) {
  const conn = session.connection!;
  const out = session.options.output;
  const scan = { pattern: options.pattern, count: options.count, interval: options.interval };
  switch (mode) {
    case "scan":
      await scanMode(conn, out, scan, format === "standard");
      return 0;
    case "bigkeys":
      await bigKeysMode(conn, out, scan);
      return 0;
    case "memkeys":
      await bigKeysMode(conn, out, scan, options.memkeysSamples);
      return 0;
    case "hotkeys":
      await hotKeysMode(conn, out, scan);
      return 0;
    case "latency":
    case "latency-history":
      await latencyMode(session, format, mode === "latency-history", options.interval);
      return 0;
    case "latency-dist":
      await latencyDistMode(session, options.interval);
      return 0;
    case "stat":
      await statMode(session, options.interval);
      return 0;
    case "pipe": {
      const result = await pipeMode(conn, Deno.stdin, out, options.pipeTimeout);
      return result.errors > 0 ? 1 : 0;
    }
    case "rdb":
      await rdbMode(conn, out, options.rdbFile!);
      return 0;
  }
}

async function runModeReporting(
  mode: Mode,
  session: Session,
  options: ReplOptions,
  format: OutputFormat,
): Promise<number> {
  if (!(await session.connect())) return 1;
  try {
    return await runMode(mode, session, options, format);
  } catch (err) {
    if (err instanceof ModeError) await stderrText(err.message + "\n");
    else if (err instanceof ConnectionError) await stderrText(`Error: ${err.message}\n`);
    else throw err;
    return 1;
  }
}

/** The interactive or piped session; the exit code. */
async function runSession(session: Session, input: PlainLines, version: string) {
  await session.connect();
  const term = envVar("TERM") ?? "";
  if (Deno.stdin.isTerminal() && !UNSUPPORTED_TERMS.has(term.toLowerCase())) {
    const home = envVar("HOME");
    const editor = new EditedLines(home ? `${home}/${HISTORY_FILE}` : undefined);
    if (editor.historyPath !== undefined) await editor.history.load(editor.historyPath);
    await repl(session, editor, version, editor);
    return 0;
  }
  await repl(session, input, version);
  return session.connectionFailed ? 1 : 0;
}

/** A one-shot command (-r times, with -x's argument); the exit code. */
async function runCommand(session: Session, options: ReplOptions, version: string) {
  const [name, ...rest] = options.command;
  if (isHelp(name)) {
    await stdoutText(utf8ToBinary(helpText(rest, commandHelpEntries(), version)));
    return 0;
  }
  const command = options.stdinLastArg ? [...options.command, await readStdin()] : options.command;
  return (await session.run(command, options.repeat)) ? 0 : 1;
}

async function runRepl(args: string[], version: string): Promise<number> {
  let options;
  try {
    options = parseReplArgs(args);
  } catch (err) {
    if (err instanceof QuotedInputError) {
      await stdoutText(err.message + "\n");
      return 1;
    }
    if (!(err instanceof UsageError)) throw err;
    await stderrText(`redis-home repl: ${err.message}\n`);
    return 2;
  }
  if (options.help) {
    await stdoutText(REPL_USAGE + "\n");
    return 0;
  }
  if (options.version) {
    await stdoutText(`redis-home ${version}\n`);
    return 0;
  }
  if (options.password === undefined) options.password = envVar("REDISCLI_AUTH");
  else if (!options.noAuthWarning) {
    await stderrText(
      "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n",
    );
  }
  const input = plainInput();
  if (options.askpass) options.password = await askPassword(input);

  const tty = Deno.stdout.isTerminal() || envVar("FAKETTY") !== undefined;
  const format = options.output ?? (tty ? "standard" : "raw");
  const oneShot = options.command.length > 0 && options.mode === undefined;
  const session = new Session({
    endpoint: { host: options.host, port: options.port, socket: options.socket },
    // --pipe's input is RESP, and SYNC is RESP's: these modes speak it.
    protocol: options.mode === "pipe" || options.mode === "rdb" ? "resp" : options.protocol,
    resp3: options.resp3,
    user: options.user,
    password: options.password,
    db: options.db,
    style: {
      format,
      bulkDelimiter: options.bulkDelimiter,
      replyDelimiter: options.replyDelimiter,
    },
    interval: options.interval,
    exitOnError: oneShot && options.exitOnError,
    wire: options.wire && options.mode !== "pipe" && options.mode !== "rdb",
    interruptibleStreams: !oneShot,
    output: { stdout: stdoutText, stderr: stderrText },
  });
  try {
    if (options.mode !== undefined) {
      return await runModeReporting(options.mode, session, options, format);
    }
    if (oneShot) return await runCommand(session, options, version);
    return await runSession(session, input, version);
  } finally {
    session.close();
  }
}

/** Entry point for `redis-home repl`; returns the exit code. */
export async function replMain(args: string[]): Promise<number> {
  try {
    return await runRepl(args, VERSION);
  } catch (err) {
    // Output closed under us (`repl ... | head`): nothing left to tell anyone.
    if (err instanceof Deno.errors.BrokenPipe) return 1;
    throw err;
  }
}
