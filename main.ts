/**
 * redis-home: a Redis-compatible data-structure server and its interactive
 * client, in one program.
 *
 *   redis-home serve [--port N] [--bind ADDR] [--timeout S] [--config FILE] [--<param> VALUE]
 *   redis-home repl [--host H] [--port P] [--resp] [command args...]
 */
import { VERSION } from "./protocol/version.ts";

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
class UsageError extends Error {}

/**
 * Reads serve's arguments the way redis-server reads its own: an optional
 * config file first, then `--name value...` directives, where every following
 * word not starting with "--" belongs to the value (`--save 900 1`).
 */
function parseServeArgs(args: string[]): { configFile?: string; overrides: [string, string][] } {
  let configFile: string | undefined;
  const overrides: [string, string][] = [];
  let i = 0;
  const first = args[0];
  if (first !== undefined && !first.startsWith("-")) {
    configFile = first;
    i++;
  }
  for (let arg = args[i]; arg !== undefined; arg = args[++i]) {
    if (arg === "-h" || arg === "--help") {
      console.log(SERVE_USAGE);
      Deno.exit(0);
    }
    if (!arg.startsWith("--") || arg.length === 2) {
      throw new UsageError(`unexpected argument '${arg}'`);
    }
    let name = arg.slice(2);
    const values: string[] = [];
    const eq = name.indexOf("=");
    if (eq >= 0) {
      values.push(name.slice(eq + 1));
      name = name.slice(0, eq);
    }
    let value = args[i + 1];
    while (value !== undefined && !value.startsWith("--")) {
      values.push(value);
      value = args[++i + 1];
    }
    if (name === "config") {
      if (values.length !== 1) throw new UsageError("--config needs one file name");
      configFile = values[0];
    } else {
      overrides.push([name, values.join(" ")]);
    }
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
