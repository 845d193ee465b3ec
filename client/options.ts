/**
 * Command-line options of `redis-home repl`: redis-cli's names and meanings
 * (so habits and scripts carry over), plus `--resp` and `--wire`. Parsed as
 * redis-cli parses them: options first, the first word that is not one starts
 * the command (`repl incrby n -1` keeps its -1).
 */
import { utf8ToBinary } from "../protocol/bytes.ts";
import { splitArgs } from "../protocol/inline.ts";
import type { WireProtocol } from "./connection.ts";

export const REPL_USAGE = `Usage: redis-home repl [options] [command [arg ...]]

Connection
  -h <host>           server address (default 127.0.0.1); also --host
  -p <port>           server port (default 6379); also --port
  -s <socket>         Unix socket path (overrides host and port)
  -a <password>       password (also --pass, or the REDISCLI_AUTH environment variable)
  --user <name>       ACL user name for AUTH user password
  --askpass           read the password from standard input, masked
  --no-auth-warning   no warning about a password on the command line
  -u <uri>            redis://[[user]:password@]host[:port][/db]
  -n <db>             database number
  --resp              speak RESP (RESP2) instead of the native protocol
  -2, -3              speak RESP2 / RESP3 (HELLO 3)
Output
  --raw, --no-raw     bare replies / redis-cli's decorated form, whatever stdout is
  --csv               replies as CSV
  -d <delim>          between elements of a raw reply (default \\n)
  -D <delim>          between raw replies (default \\n)
  --quoted-input      command arguments are quoted strings ("a\\x00b")
  -e                  exit 1 on an error reply (one-shot commands)
  -x                  read the last argument from standard input
  -r <count>          run the command count times (-1: forever)
  -i <seconds>        wait between repetitions, scan batches and --stat lines
  --wire              print each request and reply frame as annotated hex
Modes
  --scan [--pattern p] [--count n]   list keys with SCAN
  --quoted-pattern <p>               a pattern in quotes ("a\\x00*"), for binary keys
  --bigkeys, --memkeys, --hotkeys    sample keys for the biggest / largest / hottest
  --memkeys-samples <n>              MEMORY USAGE ... SAMPLES n
  --latency, --latency-history, --latency-dist   PING latency
  --stat              rolling server statistics
  --pipe              send raw RESP from standard input (mass insertion)
  --pipe-timeout <n>  give up n seconds after the input ended (default 30, 0 = never)
  --rdb <file>        fetch a snapshot (SYNC) into file ("-": standard output)
  --help              this text
  -v, --version       print the version

With a command, runs it, prints the reply and exits. Otherwise reads commands
at a prompt, or one per line when standard input is not a terminal.`;

export type OutputFormat = "standard" | "raw" | "csv";

export type Mode =
  | "scan"
  | "bigkeys"
  | "memkeys"
  | "hotkeys"
  | "latency"
  | "latency-history"
  | "latency-dist"
  | "stat"
  | "pipe"
  | "rdb";

export interface ReplOptions {
  host: string;
  port: number;
  /** A Unix socket path; overrides host and port. */
  socket?: string;
  password?: string;
  user?: string;
  askpass: boolean;
  noAuthWarning: boolean;
  db: number;
  protocol: WireProtocol;
  /** 3 after -3: HELLO 3 on each connection. */
  resp3: boolean;
  /** Forced output format; undefined lets the terminal decide. */
  output?: OutputFormat;
  bulkDelimiter: string;
  replyDelimiter: string;
  quotedInput: boolean;
  exitOnError: boolean;
  stdinLastArg: boolean;
  /** Times to run a one-shot command; negative runs it forever. */
  repeat: number;
  /** Seconds between repetitions (0: none given). */
  interval: number;
  mode?: Mode;
  pattern?: string;
  count?: number;
  memkeysSamples: number;
  pipeTimeout: number;
  /** Where --rdb writes the snapshot ("-": standard output). */
  rdbFile?: string;
  wire: boolean;
  /** The one-shot command as binary strings; empty for a session. */
  command: string[];
  help: boolean;
  version: boolean;
}

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** --quoted-input given an argument that is not one quoted string: redis-cli's message, exit 1. */
export class QuotedInputError extends UsageError {
  constructor() {
    super("Invalid quoted string");
  }
}

/** Options followed by a value, and what they set. */
const VALUE_OPTIONS: Record<string, (o: ReplOptions, value: string) => void> = {
  "-h": (o, v) => (o.host = v),
  "--host": (o, v) => (o.host = v),
  "-p": (o, v) => (o.port = parsePort(v)),
  "--port": (o, v) => (o.port = parsePort(v)),
  "-s": (o, v) => (o.socket = v),
  "-a": (o, v) => (o.password = v),
  "--pass": (o, v) => (o.password = v),
  "--user": (o, v) => (o.user = v),
  "-u": parseUri,
  "-n": (o, v) => (o.db = parseInteger(v, "-n")),
  "-d": (o, v) => (o.bulkDelimiter = v),
  "-D": (o, v) => (o.replyDelimiter = v),
  "-r": (o, v) => (o.repeat = parseInteger(v, "-r")),
  "-i": (o, v) => (o.interval = parseSeconds(v)),
  "--pattern": (o, v) => (o.pattern = utf8ToBinary(v)),
  "--quoted-pattern": (o, v) => (o.pattern = unquote(utf8ToBinary(v), "--quoted-pattern")),
  "--count": (o, v) => (o.count = parseInteger(v, "--count")),
  "--memkeys-samples": (o, v) => {
    o.mode = "memkeys";
    o.memkeysSamples = parseInteger(v, "--memkeys-samples");
  },
  "--pipe-timeout": (o, v) => (o.pipeTimeout = parseInteger(v, "--pipe-timeout")),
  "--rdb": (o, v) => {
    o.mode = "rdb";
    o.rdbFile = v;
  },
};

const FLAG_OPTIONS: Record<string, (o: ReplOptions) => void> = {
  "--help": (o) => (o.help = true),
  "-v": (o) => (o.version = true),
  "--version": (o) => (o.version = true),
  "--askpass": (o) => (o.askpass = true),
  "--no-auth-warning": (o) => (o.noAuthWarning = true),
  "--resp": (o) => (o.protocol = "resp"),
  "-2": (o) => {
    o.protocol = "resp";
    o.resp3 = false;
  },
  "-3": (o) => {
    o.protocol = "resp";
    o.resp3 = true;
  },
  "--raw": (o) => (o.output = "raw"),
  "--no-raw": (o) => (o.output = "standard"),
  "--csv": (o) => (o.output = "csv"),
  "--quoted-input": (o) => (o.quotedInput = true),
  "-e": (o) => (o.exitOnError = true),
  "-x": (o) => (o.stdinLastArg = true),
  "--wire": (o) => (o.wire = true),
  "--scan": (o) => (o.mode = "scan"),
  "--bigkeys": (o) => (o.mode = "bigkeys"),
  "--memkeys": (o) => (o.mode = "memkeys"),
  "--hotkeys": (o) => (o.mode = "hotkeys"),
  "--latency": (o) => (o.mode = "latency"),
  "--latency-history": (o) => (o.mode = "latency-history"),
  "--latency-dist": (o) => (o.mode = "latency-dist"),
  "--stat": (o) => (o.mode = "stat"),
  "--pipe": (o) => (o.mode = "pipe"),
};

function defaults(): ReplOptions {
  return {
    host: "127.0.0.1",
    port: 6379,
    askpass: false,
    noAuthWarning: false,
    db: 0,
    protocol: "native",
    resp3: false,
    bulkDelimiter: "\n",
    replyDelimiter: "\n",
    quotedInput: false,
    exitOnError: false,
    stdinLastArg: false,
    repeat: 1,
    interval: 0,
    memkeysSamples: 0,
    pipeTimeout: 30,
    wire: false,
    command: [],
    help: false,
    version: false,
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port '${value}' (expected 1-65535)`);
  }
  return port;
}

function parseInteger(value: string, option: string): number {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`invalid number '${value}' for ${option}`);
  }
  return Number(value);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`invalid interval '${value}' for -i (expected seconds)`);
  }
  return seconds;
}

/** A quoted argument ("a\x00b", a binary string) as the one binary string it stands for. */
function unquote(value: string, option: string): string {
  const parts = splitArgs(value);
  if (parts === undefined || parts.length !== 1) {
    throw new UsageError(`invalid quoted string '${value}' for ${option}`);
  }
  return parts[0]!;
}

function unquoteInput(word: string): string {
  const parts = splitArgs(word);
  if (parts === undefined || parts.length !== 1) throw new QuotedInputError();
  return parts[0]!;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(`invalid percent-encoding in URI: '${text}'`);
  }
}

/** `redis://[[user]:password@]host[:port][/db]`, read as redis-cli's parseRedisUri reads it. */
function parseUri(options: ReplOptions, uri: string): void {
  if (/^rediss:\/\//i.test(uri)) {
    throw new UsageError("rediss:// needs TLS, which redis-home does not have");
  }
  if (!/^redis:\/\//i.test(uri)) throw new UsageError("Invalid URI scheme");
  let rest = uri.slice("redis://".length);
  const at = rest.indexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) {
      if (colon > 0) options.user = percentDecode(userinfo.slice(0, colon));
      options.password = percentDecode(userinfo.slice(colon + 1));
    } else {
      options.password = percentDecode(userinfo);
    }
    rest = rest.slice(at + 1);
  }
  const slash = rest.indexOf("/");
  const hostPort = slash >= 0 ? rest.slice(0, slash) : rest;
  if (hostPort !== "") {
    const colon = hostPort.lastIndexOf(":");
    if (colon >= 0 && !hostPort.endsWith("]")) {
      options.port = parsePort(hostPort.slice(colon + 1));
      options.host = hostPort.slice(0, colon);
    } else {
      options.host = hostPort;
    }
    options.host = options.host.replace(/^\[(.*)\]$/, "$1");
  }
  if (slash >= 0 && slash + 1 < rest.length) {
    options.db = parseInteger(rest.slice(slash + 1), "the URI's database");
  }
}

/** Splits `--name=value` into its two parts, for the options that take one. */
function splitInlineValue(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  if (!arg.startsWith("--") || eq < 0) return [arg, undefined];
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

export function parseReplArgs(args: readonly string[]): ReplOptions {
  const options = defaults();
  let i = 0;
  for (let arg = args[i]; arg !== undefined; arg = args[++i]) {
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    // redis-cli: -h as the last word asks for help.
    if (arg === "-h" && i === args.length - 1) {
      options.help = true;
      continue;
    }
    const [name, inline] = splitInlineValue(arg);
    const setValue = VALUE_OPTIONS[name];
    if (setValue !== undefined) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`option '${name}' needs a value`);
      setValue(options, value);
    } else if (FLAG_OPTIONS[arg] !== undefined) {
      FLAG_OPTIONS[arg]!(options);
    } else {
      throw new UsageError(`Unrecognized option or bad number of args for: '${arg}'`);
    }
  }
  if (options.host === "") throw new UsageError("empty host name");
  const command = args.slice(i).map(utf8ToBinary);
  options.command = options.quotedInput ? command.map(unquoteInput) : command;
  return options;
}
