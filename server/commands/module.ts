/**
 * MODULE: redis-home loads no native modules, so LIST is empty and LOAD,
 * LOADEX and UNLOAD fail as Redis's do for a library it cannot load or a
 * name it does not know, after enable-module-command allowed them.
 */
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  MODULE_LOAD_FAILED,
  MODULE_NOT_ALLOWED,
  MODULE_UNLOAD_NO_SUCH,
} from "../errors.ts";
import { writeHelp } from "./help.ts";

const MODULE_HELP = [
  "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LIST",
  "    Return a list of loaded modules.",
  "LOAD <path> [<arg> ...]",
  "    Load a module library from <path>, passing to it any optional arguments.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    Load a module library from <path>, while passing it module configurations and optional arguments.",
  "UNLOAD <name>",
  "    Unload a module.",
  "HELP",
  "    Prints this help.",
];

/** Redis's check for its PROTECTED subcommands (LOAD, LOADEX, UNLOAD). */
function checkAllowed(ctx: CommandContext): void {
  if (!ctx.server.config.allows("enable-module-command", ctx.client.fromLoopback)) {
    throw new CommandError(MODULE_NOT_ALLOWED);
  }
}

function load(ctx: CommandContext, argv: string[]): void {
  checkAllowed(ctx);
  ctx.server.log(`Module ${argv[2]} failed to load: redis-home cannot load native modules`);
  throw new CommandError(MODULE_LOAD_FAILED);
}

const moduleSub = { flags: ["admin", "noscript"], group: "server", complexity: "O(1)" } as const;

const moduleSubcommands: CommandSpec[] = [
  {
    ...moduleSub,
    name: "list",
    arity: 2,
    since: "4.0.0",
    summary: "List all modules loaded by the server",
    syntax: "",
    complexity: "O(N) where N is the number of loaded modules.",
    handler(ctx) {
      ctx.out.array(0);
    },
  },
  {
    ...moduleSub,
    name: "load",
    arity: -3,
    since: "4.0.0",
    summary: "Load a module",
    syntax: "path [arg [arg ...]]",
    handler: load,
  },
  {
    ...moduleSub,
    name: "loadex",
    arity: -3,
    since: "7.0.0",
    summary: "Load a module with extended parameters",
    syntax: "path [CONFIG name value [CONFIG name value ...]] [ARGS arg [arg ...]]",
    handler: load,
  },
  {
    ...moduleSub,
    name: "unload",
    arity: 3,
    since: "4.0.0",
    summary: "Unload a module",
    syntax: "name",
    handler(ctx) {
      checkAllowed(ctx);
      throw new CommandError(MODULE_UNLOAD_NO_SUCH);
    },
  },
  {
    ...moduleSub,
    flags: ["loading", "stale"],
    name: "help",
    arity: 2,
    since: "5.0.0",
    summary: "Show helpful text about the different subcommands",
    syntax: "",
    handler(ctx) {
      writeHelp(ctx, MODULE_HELP);
    },
  },
];

export const moduleCommands: CommandSpec[] = [
  {
    name: "module",
    arity: -2,
    flags: [],
    group: "server",
    since: "4.0.0",
    summary: "A container for module commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: moduleSubcommands,
  },
];
