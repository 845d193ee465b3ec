/**
 * Functions: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP,
 * FCALL and FCALL_RO. Libraries are server/scripting/functions.ts; calls run
 * through the same runner as EVAL (busy scripts, propagation).
 */
import { arg, intArg } from "../args.ts";
import type { CommandFlag, CommandSpec } from "../command.ts";
import { countedKeys } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import {
  BUSY_EVAL,
  CommandError,
  FCALL_BAD_NUMKEYS,
  FUNCTION_CODE_MISSING,
  FUNCTION_FLUSH_MODE,
  FUNCTION_NO_LIBRARY_NAME,
  FUNCTION_NOT_FOUND,
  FUNCTION_RESTORE_POLICY,
  functionSyntax,
  functionUnknownArgument,
  functionUnknownOption,
  LIBRARY_NOT_FOUND,
  NUMKEYS_NEGATIVE,
  NUMKEYS_OVER_ARGS,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import type { ScriptRun } from "../scripting/engine.ts";
import type { FunctionInfo } from "../scripting/functions.ts";
import type { ScriptHost } from "../scripting/redis_api.ts";
import { SCRIPT_FLAGS, ScriptError, type ScriptFlags } from "../scripting/shebang.ts";
import { type RunOptions, runScript, type Scripting } from "../scripting/runner.ts";
import { writeHelp } from "./help.ts";

const FUNCTION_HELP = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
  "HELP",
  "    Print this help.",
];

/** Runs a library operation, turning its ScriptError into the reply. */
function libraryOp<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof ScriptError) throw new CommandError(err.message);
    throw err;
  }
}

function syntaxError(sub: string): never {
  throw new CommandError(functionSyntax(sub));
}

function fcall(ctx: CommandContext, argv: string[], readOnly: boolean): void {
  const scripting = ctx.server.scripting;
  const fn = scripting.functions.functions.get(arg(argv, 1).toLowerCase());
  if (fn === undefined) throw new CommandError(FUNCTION_NOT_FOUND);
  const numkeys = intArg(arg(argv, 2), FCALL_BAD_NUMKEYS);
  if (numkeys > argv.length - 3) throw new CommandError(NUMKEYS_OVER_ARGS);
  if (numkeys < 0) throw new CommandError(NUMKEYS_NEGATIVE);
  runScript(ctx, fcallRun.set(fn, argv, numkeys, readOnly));
}

/**
 * An FCALL run: the function, its keys and arguments from argv[3] on.
 * runScript reads it only until the run has started, and runs never nest
 * (a function cannot call FCALL), so one object serves every call.
 */
class FcallRun implements RunOptions {
  readonly isEval = false;
  readonly flags: ScriptFlags = { compat: false, flags: new Set() };
  fn!: FunctionInfo;
  argv: string[] = [];
  numkeys = 0;
  ro = false;

  set(fn: FunctionInfo, argv: string[], numkeys: number, ro: boolean): this {
    this.fn = fn;
    this.flags.flags = fn.flags;
    this.argv = argv;
    this.numkeys = numkeys;
    this.ro = ro;
    return this;
  }

  start(scripting: Scripting, host: ScriptHost, busyThresholdMs: number): ScriptRun {
    return scripting.functions.start(this.fn, this.argv, 3, this.numkeys, host, busyThresholdMs);
  }
}

const fcallRun = new FcallRun();

function functionList(ctx: CommandContext, argv: string[]): void {
  let withCode = false;
  let pattern: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const word = arg(argv, i);
    const option = word.toLowerCase();
    if (!withCode && option === "withcode") withCode = true;
    else if (pattern === undefined && option === "libraryname") {
      if (i >= argv.length - 1) throw new CommandError(FUNCTION_NO_LIBRARY_NAME);
      pattern = arg(argv, ++i);
    } else throw new CommandError(functionUnknownArgument(word));
  }
  const libraries = [...ctx.server.scripting.functions.libraries.values()]
    .filter((library) => pattern === undefined || globMatch(pattern, library.name, true));
  const out = ctx.out;
  out.array(libraries.length);
  for (const library of libraries) {
    out.map(withCode ? 4 : 3);
    out.bulk("library_name");
    out.bulk(library.name);
    out.bulk("engine");
    out.bulk(library.engine);
    out.bulk("functions");
    out.array(library.functions.size);
    for (const fn of library.functions.values()) {
      out.map(3);
      out.bulk("name");
      out.bulk(fn.name);
      out.bulk("description");
      if (fn.description === undefined) out.nil();
      else out.bulk(fn.description);
      out.bulk("flags");
      const flags = SCRIPT_FLAGS.filter((flag) => fn.flags.has(flag));
      out.set(flags.length);
      for (const flag of flags) out.simple(flag);
    }
    if (withCode) {
      out.bulk("library_code");
      out.bulk(library.code);
    }
  }
}

function functionStats(ctx: CommandContext): void {
  const scripting = ctx.server.scripting;
  const running = scripting.running;
  if (running?.isEval) throw new CommandError(BUSY_EVAL);
  const out = ctx.out;
  out.map(2);
  out.bulk("running_script");
  if (running === undefined) out.nil();
  else {
    out.map(3);
    out.bulk("name");
    out.bulk(running.run.name);
    out.bulk("command");
    out.bulkArray(running.argv);
    out.bulk("duration_ms");
    out.int(Date.now() - running.run.startedAt);
  }
  out.bulk("engines");
  out.map(1);
  out.bulk("LUA");
  out.map(2);
  out.bulk("libraries_count");
  out.int(scripting.functions.libraries.size);
  out.bulk("functions_count");
  out.int(scripting.functions.functions.size);
}

const RESTORE_POLICIES = ["flush", "append", "replace"] as const;

const functionSub = {
  flags: ["noscript"] as readonly CommandFlag[],
  group: "scripting" as const,
  since: "7.0.0",
  syntax: "",
  complexity: "O(1)",
};

const functionSubcommands: CommandSpec[] = [
  {
    ...functionSub,
    name: "load",
    arity: -3,
    flags: ["write", "denyoom", "noscript"],
    summary: "Create a function with the given arguments (name, code, description)",
    syntax: "[REPLACE] function-code",
    complexity: "O(1) (considering compilation time is redundant)",
    handler(ctx, argv) {
      let replace = false;
      let i = 2;
      for (; i < argv.length - 1; i++) {
        if (arg(argv, i).toLowerCase() !== "replace") {
          throw new CommandError(functionUnknownOption(arg(argv, i)));
        }
        replace = true;
      }
      if (i >= argv.length) throw new CommandError(FUNCTION_CODE_MISSING);
      const name = libraryOp(() => ctx.server.scripting.functions.load(arg(argv, i), replace));
      ctx.server.dirty++;
      ctx.out.bulk(name);
    },
  },
  {
    ...functionSub,
    name: "delete",
    arity: 3,
    flags: ["write", "noscript"],
    summary: "Delete a function by name",
    syntax: "library-name",
    handler(ctx, argv) {
      if (!ctx.server.scripting.functions.delete(arg(argv, 2))) {
        throw new CommandError(LIBRARY_NOT_FOUND);
      }
      ctx.server.dirty++;
      ctx.out.ok();
    },
  },
  {
    ...functionSub,
    name: "flush",
    arity: -2,
    flags: ["write", "noscript"],
    summary: "Deleting all functions",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) where N is the number of functions deleted",
    handler(ctx, argv) {
      if (argv.length > 3) syntaxError("flush");
      const mode = argv[2]?.toLowerCase();
      if (mode !== undefined && mode !== "sync" && mode !== "async") {
        throw new CommandError(FUNCTION_FLUSH_MODE);
      }
      ctx.server.scripting.functions.flush();
      ctx.server.dirty++;
      ctx.out.ok();
    },
  },
  {
    ...functionSub,
    name: "list",
    arity: -2,
    summary: "List information about all the functions",
    syntax: "[LIBRARYNAME library-name-pattern] [WITHCODE]",
    complexity: "O(N) where N is the number of functions",
    handler: functionList,
  },
  {
    ...functionSub,
    name: "dump",
    arity: 2,
    summary: "Dump all functions into a serialized binary payload",
    complexity: "O(N) where N is the number of functions",
    handler(ctx) {
      const compression = ctx.server.config.getBool("rdbcompression");
      ctx.out.bulk(ctx.server.scripting.functions.dump(compression));
    },
  },
  {
    ...functionSub,
    name: "restore",
    arity: -3,
    flags: ["write", "denyoom", "noscript"],
    summary: "Restore all the functions on the given payload",
    syntax: "serialized-value [FLUSH | APPEND | REPLACE]",
    complexity: "O(N) where N is the number of functions on the payload",
    handler(ctx, argv) {
      if (argv.length > 4) syntaxError("restore");
      const policy = (argv[3]?.toLowerCase() ?? "append") as typeof RESTORE_POLICIES[number];
      if (!RESTORE_POLICIES.includes(policy)) {
        throw new CommandError(FUNCTION_RESTORE_POLICY);
      }
      libraryOp(() => ctx.server.scripting.functions.restore(arg(argv, 2), policy));
      ctx.server.dirty++;
      ctx.out.ok();
    },
  },
  {
    ...functionSub,
    name: "stats",
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary:
      "Return information about the function currently running (name, description, duration)",
    handler: functionStats,
  },
  {
    ...functionSub,
    name: "kill",
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary: "Kill the function currently in execution.",
    handler(ctx) {
      const error = ctx.server.scripting.kill(false);
      if (error !== undefined) throw new CommandError(error);
      ctx.out.ok();
    },
  },
  {
    ...functionSub,
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    summary: "Show helpful text about the different subcommands",
    handler(ctx) {
      writeHelp(ctx, FUNCTION_HELP);
    },
  },
];

const FCALL_FLAGS: readonly CommandFlag[] = [
  "noscript",
  "skip_monitor",
  "may_replicate",
  "no_mandatory_keys",
  "stale",
  "movablekeys",
];

export const functionCommands: CommandSpec[] = [
  {
    name: "fcall",
    needsLua: true,
    arity: -3,
    flags: FCALL_FLAGS,
    group: "scripting",
    since: "7.0.0",
    summary: "Invoke a function",
    syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: [countedKeys(["RW", "access", "update"], 2)],
    complexity: "Depends on the function that is executed.",
    handler: (ctx, argv) => fcall(ctx, argv, false),
  },
  {
    name: "fcall_ro",
    needsLua: true,
    arity: -3,
    flags: ["noscript", "skip_monitor", "no_mandatory_keys", "stale", "readonly", "movablekeys"],
    group: "scripting",
    since: "7.0.0",
    summary: "Invoke a read-only function",
    syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: [countedKeys(["RO", "access"], 2)],
    complexity: "Depends on the function that is executed.",
    handler: (ctx, argv) => fcall(ctx, argv, true),
  },
  {
    name: "function",
    needsLua: true,
    arity: -2,
    flags: [],
    group: "scripting",
    since: "7.0.0",
    summary: "A container for function commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: functionSubcommands,
  },
];
