/**
 * redis-home: a Redis-compatible data-structure server and its interactive
 * client, in one program.
 *
 *   redis-home serve [--port N] [--bind ADDR] [--timeout S] [--config FILE] [--<param> VALUE]
 *   redis-home repl [--host H] [--port P] [--resp] [command args...]
 */
import { parseArgs } from "node:util";
import { replMain } from "./client/repl.ts";
import { Config, ConfigError } from "./server/config.ts";
import { VERSION } from "./server/server.ts";
import { buildConfig, serve } from "./server/start.ts";

const USAGE = `redis-home ${VERSION}: a Redis-compatible in-memory data-structure server

Usage:
  redis-home serve [options]     start the server (127.0.0.1:6379, in memory)
  redis-home repl [options]      interactive client (also: repl <command> [args...])
  redis-home help                this text
  redis-home version             print the version

Run 'redis-home <command> --help' for a command's options.`;

const SERVE_USAGE = `Usage: redis-home serve [options]

  --port N          TCP port (default 6379; 0 picks a free one)
  --bind ADDR       address to listen on (default 127.0.0.1)
  --timeout S       close clients idle for S seconds (0 = never, the default)
  --config FILE     read parameters from a redis.conf-style file
  --<param> VALUE   set any configuration parameter, as redis-server does
                    (e.g. --save "60 1000" --appendonly yes)
  -h, --help        this text`;

/** Exit code 2 for usage errors, with a one-line message. */
class UsageError extends Error {}

function parseServeArgs(args: string[]): { configFile?: string; overrides: [string, string][] } {
  const params = new Config().names();
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  };
  for (const name of params) options[name] = { type: "string" };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  if (parsed.values.help) {
    console.log(SERVE_USAGE);
    Deno.exit(0);
  }
  const positionals = parsed.positionals;
  let configFile = parsed.values.config as string | undefined;
  // As redis-server: a lone positional argument is the config file.
  if (positionals.length === 1 && configFile === undefined) configFile = positionals[0];
  else if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const overrides: [string, string][] = [];
  // Keep command-line order, so later flags win as in redis-server.
  for (const token of parsed.tokens) {
    if (token.kind === "option" && token.name !== "config" && token.name !== "help") {
      overrides.push([token.name, token.value ?? ""]);
    }
  }
  return { configFile, overrides };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve": {
      let config: Config;
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
    case "repl":
      return await replMain(rest);
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
