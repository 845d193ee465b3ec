/**
 * COMMAND and its subcommands: what the command table says about itself
 * (COUNT, INFO, DOCS, LIST with filters, GETKEYS, GETKEYSANDFLAGS).
 */
import { arg } from "../args.ts";
import type { Command, CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  ACL_CATEGORIES,
  aclCategories,
  writeCommandDocs,
  writeCommandInfo,
} from "../command_docs.ts";
import {
  CommandError,
  GETKEYS_INVALID_ARGUMENTS,
  GETKEYS_INVALID_ARITY,
  GETKEYS_INVALID_COMMAND,
  GETKEYS_NO_KEYS,
  SYNTAX,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import { hasKeys, keysOf } from "../key_specs.ts";
import { HELP_SUMMARY, helpRow } from "./help.ts";

const COMMAND_HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];

function writeAllCommandInfo(ctx: CommandContext): void {
  const commands = ctx.server.commands.all();
  ctx.out.array(commands.length);
  for (const command of commands) writeCommandInfo(ctx.out, command);
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS: the keys of the command in argv[2...]. */
/**
 * The key flags of SET and BITFIELD follow their arguments (Redis's
 * VARIABLE_FLAGS key specs, resolved by setGetKeys and bitfieldGetKeys):
 * SET writes over its key unless GET reads it first; BITFIELD with only
 * GET and OVERFLOW reads. Undefined for every other command.
 */
function variableKeyFlags(name: string, argv: readonly string[]): readonly string[] | undefined {
  const modifies = ["RW", "access", "update"];
  if (name === "set") {
    return argv.slice(3).some((a) => a.toLowerCase() === "get") ? modifies : ["OW", "update"];
  }
  if (name !== "bitfield") return undefined;
  for (let i = 2; i < argv.length; i++) {
    const op = argv[i]!.toLowerCase();
    const left = argv.length - i - 1;
    if (op === "get" && left >= 2) i += 2;
    else if (op === "overflow" && left >= 1) i += 1;
    else return modifies;
  }
  return ["RO", "access"];
}

function getKeys(ctx: CommandContext, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  const command = ctx.server.commands.resolve(target);
  if (command === undefined) throw new CommandError(GETKEYS_INVALID_COMMAND);
  if (!hasKeys(command)) throw new CommandError(GETKEYS_NO_KEYS);
  if (!command.arityFits(target.length)) throw new CommandError(GETKEYS_INVALID_ARITY);
  const keys = keysOf(command, target);
  if (keys === undefined) {
    if (command.spec.flags.includes("no_mandatory_keys")) return ctx.out.array(0);
    throw new CommandError(GETKEYS_INVALID_ARGUMENTS);
  }
  ctx.out.array(keys.length);
  for (const { index, spec } of keys) {
    if (!withFlags) {
      ctx.out.bulk(arg(target, index));
      continue;
    }
    ctx.out.array(2);
    ctx.out.bulk(arg(target, index));
    const flags = variableKeyFlags(command.fullName, target) ?? spec.flags;
    ctx.out.set(flags.length);
    for (const flag of flags) ctx.out.simple(flag);
  }
}

const commandSub = {
  flags: ["loading", "stale"],
  group: "server",
  acl: ["connection"],
} as const;

const commandSubcommands: CommandSpec[] = [
  {
    ...commandSub,
    name: "count",
    arity: 2,
    since: "2.8.13",
    summary: "Returns a count of commands.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.int(ctx.server.commands.all().length);
    },
  },
  {
    ...commandSub,
    name: "info",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "2.8.13",
    summary: "Returns information about one, multiple or all commands.",
    syntax: "[command-name [command-name ...]]",
    complexity: "O(N) where N is the number of commands to look up",
    handler(ctx, argv) {
      if (argv.length === 2) return writeAllCommandInfo(ctx);
      ctx.out.array(argv.length - 2);
      for (const name of argv.slice(2)) {
        writeCommandInfo(ctx.out, ctx.server.commands.find(name));
      }
    },
  },
  {
    ...commandSub,
    name: "docs",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "7.0.0",
    summary: "Returns documentary information about one, multiple or all commands.",
    syntax: "[command-name [command-name ...]]",
    complexity: "O(N) where N is the number of commands to look up",
    handler(ctx, argv) {
      const chosen = argv.length === 2
        ? ctx.server.commands.all()
        : argv.slice(2).map((name) => ctx.server.commands.find(name))
          .filter((c): c is Command => c !== undefined);
      ctx.out.map(chosen.length);
      for (const command of chosen) {
        ctx.out.bulk(command.fullName);
        writeCommandDocs(ctx.out, command);
      }
    },
  },
  {
    ...commandSub,
    name: "list",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "7.0.0",
    summary: "Returns a list of command names.",
    syntax: "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
    complexity: "O(N) where N is the total number of Redis commands",
    handler(ctx, argv) {
      let keep: (command: Command) => boolean = () => true;
      if (argv.length !== 2) {
        if (argv.length !== 5 || arg(argv, 2).toLowerCase() !== "filterby") {
          throw new CommandError(SYNTAX);
        }
        const kind = arg(argv, 3).toLowerCase();
        const value = arg(argv, 4);
        if (kind === "module") keep = () => false;
        else if (kind === "aclcat") {
          const category = value.toLowerCase();
          keep = ACL_CATEGORIES.includes(category)
            ? (c) => aclCategories(c.spec).includes(category)
            : () => false;
        } else if (kind === "pattern") keep = (c) => globMatch(value, c.fullName, true);
        else throw new CommandError(SYNTAX);
      }
      const names: string[] = [];
      for (const command of ctx.server.commands.everyCommand()) {
        if (keep(command)) names.push(command.fullName);
      }
      ctx.out.bulkArray(names);
    },
  },
  {
    ...commandSub,
    name: "getkeys",
    arity: -4,
    since: "2.8.13",
    summary: "Extracts the key names from an arbitrary command.",
    syntax: "command [arg [arg ...]]",
    complexity: "O(N) where N is the number of arguments to the command",
    handler(ctx, argv) {
      getKeys(ctx, argv, false);
    },
  },
  {
    ...commandSub,
    name: "getkeysandflags",
    arity: -4,
    since: "7.0.0",
    summary: "Extracts the key names and access flags for an arbitrary command.",
    syntax: "command [arg [arg ...]]",
    complexity: "O(N) where N is the number of arguments to the command",
    handler(ctx, argv) {
      getKeys(ctx, argv, true);
    },
  },
  helpRow(COMMAND_HELP, {
    ...commandSub,
    since: "5.0.0",
    summary: HELP_SUMMARY,
    complexity: "O(1)",
  }),
];

export const commandCommands: CommandSpec[] = [
  {
    name: "command",
    arity: -1,
    flags: ["loading", "stale"],
    group: "server",
    acl: ["connection"],
    tips: ["nondeterministic_output_order"],
    since: "2.8.13",
    summary: "Returns detailed information about all commands.",
    syntax: "",
    complexity: "O(N) where N is the total number of Redis commands",
    handler: writeAllCommandInfo,
    subcommands: commandSubcommands,
  },
];
