/** Command-line options of `redis-home repl`. */
import { parseArgs } from "node:util";
import { utf8ToBinary } from "../protocol/bytes.ts";
import type { WireProtocol } from "./connection.ts";

export const REPL_USAGE = `Usage: redis-home repl [options] [command [arg ...]]

  --host H      server address (default 127.0.0.1)
  --port P      server port (default 6379)
  --resp        speak RESP instead of the native protocol (also talks to a real Redis)
  -h, --help    this text

With a command, runs it, prints the reply and exits. Otherwise reads commands
at a prompt, or one per line when standard input is not a terminal.`;

export interface ReplOptions {
  host: string;
  port: number;
  protocol: WireProtocol;
  /** The one-shot command as binary strings; empty for a session. */
  command: string[];
  help: boolean;
}

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

const VALUE_FLAGS = new Set(["--host", "--port"]);

/**
 * Options come first; the first word that is not one starts the command, so
 * `repl incrby n -1` keeps its -1 (as redis-cli stops at the first
 * non-option).
 */
export function parseReplArgs(args: readonly string[]): ReplOptions {
  let commandStart = 0;
  for (;;) {
    const arg = args[commandStart];
    if (arg === undefined) break;
    if (arg === "--") {
      commandStart++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    commandStart += VALUE_FLAGS.has(arg) ? 2 : 1;
  }
  const flags = args.slice(0, Math.min(commandStart, args.length)).filter((a) => a !== "--");
  let values;
  try {
    ({ values } = parseArgs({
      args: flags,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "6379" },
        resp: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port '${values.port}' (expected 1-65535)`);
  }
  if (values.host === "") throw new UsageError("empty host name");
  return {
    host: values.host,
    port,
    protocol: values.resp ? "resp" : "native",
    command: args.slice(commandStart).map(utf8ToBinary),
    help: values.help,
  };
}
