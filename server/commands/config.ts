/** CONFIG GET, SET, RESETSTAT, REWRITE, HELP over the server's configuration registry. */
import { arg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ConfigError } from "../config_params.ts";
import type { CommandContext, ServerContext } from "../context.ts";
import {
  CommandError,
  configError,
  LOADING,
  NO_CONFIG_FILE,
  rewriteAllFailed,
  rewriteFailed,
  SYNTAX,
} from "../errors.ts";
import { DENY_LOADING_PARAMS } from "../persistence/loading.ts";
import { HELP_SUMMARY, helpRow } from "./help.ts";

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Prints this help.",
];

const configSub = {
  flags: ["admin", "noscript", "loading", "stale"],
  group: "server",
} as const;

const configSubcommands: CommandSpec[] = [
  {
    ...configSub,
    name: "get",
    arity: -3,
    since: "2.0.0",
    summary: "Returns the effective values of configuration parameters.",
    syntax: "parameter [parameter ...]",
    complexity: "O(N) when N is the number of configuration parameters provided",
    handler(ctx, argv) {
      const found = ctx.server.config.match(argv.slice(2));
      ctx.out.map(found.length);
      for (const [name, value] of found) {
        ctx.out.bulk(name);
        ctx.out.bulk(value);
      }
    },
  },
  {
    ...configSub,
    name: "set",
    arity: -4,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    since: "2.0.0",
    summary: "Sets configuration parameters in-flight.",
    syntax: "parameter value [parameter value ...]",
    complexity: "O(N) when N is the number of configuration parameters provided",
    handler(ctx, argv) {
      if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
      const pairs: [string, string][] = [];
      for (let i = 2; i < argv.length; i += 2) pairs.push([arg(argv, i), arg(argv, i + 1)]);
      // Redis answers this before any other problem of the call: clients may retry on it.
      if (
        ctx.server.persistence.loading.active &&
        pairs.some(([name]) => DENY_LOADING_PARAMS.has(name.toLowerCase()))
      ) throw new CommandError(LOADING);
      try {
        ctx.server.config.setMany(pairs, false, ctx.client.fromLoopback);
      } catch (err) {
        if (err instanceof ConfigError) throw new CommandError(configError(err.message));
        throw err;
      }
      ctx.out.ok();
    },
  },
  {
    ...configSub,
    name: "resetstat",
    arity: 2,
    since: "2.0.0",
    summary: "Resets the server's statistics.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      resetStats(ctx.server);
      ctx.out.ok();
    },
  },
  {
    ...configSub,
    name: "rewrite",
    arity: 2,
    since: "2.8.0",
    summary: "Persists the effective configuration to file.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      rewriteConfigFile(ctx, false);
      ctx.out.ok();
    },
  },
  helpRow(CONFIG_HELP, {
    group: "server",
    since: "5.0.0",
    summary: HELP_SUMMARY,
    complexity: "O(1)",
  }),
];

/** CONFIG RESETSTAT: the counters INFO stats, commandstats and errorstats show. */
function resetStats(server: ServerContext): void {
  server.stats.reset();
  server.commands.resetStats();
  server.replication.master.resetStats();
}

/**
 * CONFIG REWRITE (or, with `forceAll`, DEBUG CONFIG-REWRITE-FORCE-ALL: every
 * parameter written, defaults too).
 */
export function rewriteConfigFile(ctx: CommandContext, forceAll: boolean): void {
  const config = ctx.server.config;
  if (config.configFile === undefined) throw new CommandError(NO_CONFIG_FILE);
  // As Redis: ACL users go to the aclfile when there is one, else into redis.conf.
  const users = config.get("aclfile") === "" ? ctx.server.acl.list() : [];
  try {
    config.rewrite(config.configFile, new Map([["user", users]]), forceAll);
  } catch (err) {
    const reason = (err as Error).message;
    throw new CommandError(forceAll ? rewriteAllFailed(reason) : rewriteFailed(reason));
  }
}

export const configCommands: CommandSpec[] = [
  {
    name: "config",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: configSubcommands,
  },
];
