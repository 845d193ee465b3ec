/**
 * redis-home: a Redis-compatible data-structure server and its interactive
 * client, in one program.
 *
 *   redis-home serve [--port N] [--bind ADDR] [--timeout S] [--config FILE] [--<param> VALUE]
 *   redis-home repl [--host H] [--port P] [--resp] [command args...]
 */
import { VERSION } from "./protocol/version.ts";
import { splitArgs } from "./protocol/inline.ts";

const USAGE = `redis-home ${VERSION}: a Redis-compatible in-memory data-structure server

Usage:
  redis-home serve [options]     start the server (127.0.0.1:6379, in memory)
  redis-home repl [options]      interactive client (also: repl <command> [args...])
  redis-home help                this text
  redis-home version             print the version

Run 'redis-home <command> --help' for a command's options.`;

const SERVE_USAGE = `Usage: redis-home serve [options]

  --port N          TCP port (default 6379; 0 picks a free one)
  --bind "ADDR..."  addresses to listen on (default 127.0.0.1)
  --timeout S       close clients idle for S seconds (0 = never, the default)
  --config FILE     read parameters from a redis.conf-style file
  --<param> VALUE   set any configuration parameter, as redis-server does
                    (e.g. --save 60 1000 --appendonly yes)
  -h, --help        this text`;

/** Exit code 2 for usage errors, with a one-line message. */
export class UsageError extends Error {}

/**
 * Reads serve's arguments the way redis-server 7.0 reads its own: an optional
 * config file first, then `--name` directives, each followed by its
 * arguments. The word right after a bare `--name` is its argument even when
 * it starts with "--" (`--port --bla`); after that a "--" word starts the
 * next directive. `"--maxmemory 700mb"` gives name and value in one word; a
 * bare `--save` before another directive or at the end is `save ""`.
 * Words before the first `--name` are a directive of their own. Each
 * directive is returned as [name, ...arguments].
 */
export function parseServeArgs(args: string[]): { configFile?: string; overrides: string[][] } {
  let configFile: string | undefined;
  const directives: string[][] = [];
  let i = 0;
  const first = args[0];
  if (first !== undefined && !first.startsWith("-")) {
    configFile = first;
    i++;
  }
  let awaitingValue = false;
  for (let arg = args[i]; arg !== undefined; arg = args[++i]) {
    if (!awaitingValue && (arg === "-h" || arg === "--help")) {
      console.log(SERVE_USAGE);
      Deno.exit(0);
    }
    if (!awaitingValue && arg.startsWith("--") && arg.length > 2) {
      const words = splitArgs(arg.slice(2)) ?? [arg.slice(2)];
      const eq = words.length === 1 ? words[0]!.indexOf("=") : -1;
      // `--name=value` (this launcher's own form) is name and value in one word too.
      const directive = eq > 0 ? [words[0]!.slice(0, eq), words[0]!.slice(eq + 1)] : words;
      directives.push(directive);
      awaitingValue = directive.length === 1;
      const next = args[i + 1];
      if (
        awaitingValue && directive[0]!.toLowerCase() === "save" &&
        (next === undefined || next.startsWith("--"))
      ) {
        directive.push("");
        awaitingValue = false;
      }
      continue;
    }
    // Words before any --name make a directive of their own, as redis-server
    // appends them to its config text (`redis.conf loglevel verbose`).
    const current = directives.at(-1);
    if (current === undefined) directives.push([arg]);
    else current.push(arg);
    awaitingValue = false;
  }
  const overrides: string[][] = [];
  for (const directive of directives) {
    if (directive[0] !== "config") {
      overrides.push(directive);
      continue;
    }
    if (directive.length !== 2) throw new UsageError("--config needs one file name");
    configFile = directive[1];
  }
  return { configFile, overrides };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve": {
      // Each mode loads only its own half: the REPL never loads the server.
      const { buildConfig, serve, ConfigError } = await import("./server/start.ts");
      let config;
      try {
        const options = parseServeArgs(rest);
        config = buildConfig(options);
      } catch (err) {
        if (err instanceof UsageError || err instanceof ConfigError) {
          console.error(`redis-home serve: ${err.message}`);
          return 2;
        }
        throw err;
      }
      return await serve(config);
    }
    case "repl": {
      const { replMain } = await import("./client/repl.ts");
      return await replMain(rest);
    }
    case "version":
    case "--version":
    case "-v":
      console.log(`redis-home ${VERSION}`);
      return 0;
    case "help":
    case "--help":
    case "-h":
    case undefined:
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`redis-home: unknown command '${command}' (try 'redis-home help')`);
      return 2;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
