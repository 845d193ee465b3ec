/**
 * Scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. The Lua runtime
 * is server/scripting/ (docs/lua-vm.md); runScript there runs a script and
 * replies, now or, for a script past busy-reply-threshold, when it ends.
 */
import { resolveDeferred, takesNameBytes } from "../../protocol/bytes.ts";
import { arg, intArg } from "../args.ts";
import type { CommandFlag, CommandSpec } from "../command.ts";
import { countedKeys } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  NOSCRIPT,
  NUMKEYS_NEGATIVE,
  NUMKEYS_OVER_ARGS,
  SCRIPT_DEBUG_EVALSHA,
  SCRIPT_DEBUG_MODE,
  SCRIPT_DEBUG_PIPELINE,
  SCRIPT_FLUSH_MODE,
} from "../errors.ts";
import type { CachedScript, ScriptRun } from "../scripting/engine.ts";
import type { LuaDebugger, ScriptHost } from "../scripting/redis_api.ts";
import { ScriptError, type ScriptFlags } from "../scripting/shebang.ts";
import { type RunOptions, runScript, type Scripting } from "../scripting/runner.ts";
import { writeHelp } from "./help.ts";

const SCRIPT_HELP = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
  "HELP",
  "    Print this help.",
];

/** Compiles a script into the cache, turning a compile error into the reply. */
function loadScript(ctx: CommandContext, body: string): string {
  try {
    return ctx.server.scripting.engine.load(body);
  } catch (err) {
    if (err instanceof ScriptError) throw new CommandError(err.message);
    throw err;
  }
}

/** EVAL and friends: `evalsha` looks the script up, `readOnly` is the *_RO variants. */
function evalGeneric(
  ctx: CommandContext,
  argv: string[],
  evalsha: boolean,
  readOnly: boolean,
): void {
  const debug = ctx.client.luaDebug !== undefined && !ctx.inExec;
  if (debug && evalsha) {
    // The sha may still stand as its request bytes (takesNameBytes).
    resolveDeferred(argv);
    if (arg(argv, 1).length !== 40) throw new CommandError(NOSCRIPT);
    throw new CommandError(SCRIPT_DEBUG_EVALSHA);
  }
  // Redis's session starts before EVAL's own checks: their errors end it.
  if (debug) {
    ctx.server.scripting.debugEval(ctx, argv, () => prepareEval(ctx, argv, evalsha, readOnly));
  } else runScript(ctx, prepareEval(ctx, argv, evalsha, readOnly));
}

/** EVAL's checks and its script: the run to start (no closure made per call outside a debug session). */
function prepareEval(
  ctx: CommandContext,
  argv: string[],
  evalsha: boolean,
  readOnly: boolean,
): EvalRun {
  const numkeys = intArg(arg(argv, 2));
  if (numkeys > argv.length - 3) throw new CommandError(NUMKEYS_OVER_ARGS);
  if (numkeys < 0) throw new CommandError(NUMKEYS_NEGATIVE);
  const engine = ctx.server.scripting.engine;
  const script = evalsha ? engine.argumentScript(argv) : engine.get(loadScript(ctx, arg(argv, 1)));
  if (script === undefined) throw new CommandError(NOSCRIPT);
  return evalRun.set(script, argv, numkeys, readOnly);
}

/**
 * An EVAL-family run: the cached script, its keys and arguments from argv[3]
 * on. runScript reads it only until the run has started, and runs never
 * nest (a script cannot call EVAL), so one object serves every call.
 */
class EvalRun implements RunOptions {
  readonly isEval = true;
  flags!: ScriptFlags;
  script!: CachedScript;
  argv: string[] = [];
  numkeys = 0;
  ro = false;

  set(script: CachedScript, argv: string[], numkeys: number, ro: boolean): this {
    this.script = script;
    this.flags = script.flags;
    this.argv = argv;
    this.numkeys = numkeys;
    this.ro = ro;
    return this;
  }

  start(
    scripting: Scripting,
    host: ScriptHost,
    busyThresholdMs: number,
    debug?: LuaDebugger,
  ): ScriptRun {
    const { script, argv, numkeys } = this;
    return scripting.engine.start(script, argv, 3, numkeys, host, busyThresholdMs, debug);
  }
}

const evalRun = new EvalRun();

// EVALSHA's sha is looked up from the request's bytes (ScriptEngine.argumentScript).
for (const name of ["evalsha", "evalsha_ro"]) takesNameBytes(name, 3);

const EVAL_FLAGS: readonly CommandFlag[] = [
  "noscript",
  "skip_monitor",
  "may_replicate",
  "no_mandatory_keys",
  "stale",
  "movablekeys",
];
const EVAL_RO_FLAGS: readonly CommandFlag[] = [
  "noscript",
  "skip_monitor",
  "no_mandatory_keys",
  "stale",
  "readonly",
  "movablekeys",
];

function evalRow(
  name: string,
  flags: readonly CommandFlag[],
  since: string,
  summary: string,
  first: string,
  evalsha: boolean,
  readOnly: boolean,
): CommandSpec {
  return {
    name,
    needsLua: true,
    arity: -3,
    flags,
    group: "scripting",
    since,
    summary,
    syntax: `${first} numkeys [key [key ...]] [arg [arg ...]]`,
    // As Redis states them: a script may read and change its keys (only read them when _RO).
    keySpecs: [countedKeys(readOnly ? ["RO", "access"] : ["RW", "access", "update"], 2)],
    complexity: "Depends on the script that is executed.",
    handler: (ctx, argv) => evalGeneric(ctx, argv, evalsha, readOnly),
  };
}

const scriptSub = {
  arity: -2,
  flags: ["noscript"] as readonly CommandFlag[],
  group: "scripting" as const,
  since: "2.6.0",
  syntax: "",
  complexity: "O(1)",
};

const scriptSubcommands: CommandSpec[] = [
  {
    ...scriptSub,
    name: "load",
    arity: 3,
    flags: ["noscript", "stale"],
    summary: "Load a Lua script into the script cache.",
    syntax: "script",
    complexity: "O(N) with N being the length in bytes of the script body.",
    handler(ctx, argv) {
      ctx.out.bulk(loadScript(ctx, arg(argv, 2)));
    },
  },
  {
    ...scriptSub,
    name: "exists",
    arity: -3,
    summary: "Check existence of scripts in the script cache.",
    syntax: "sha1 [sha1 ...]",
    complexity: "O(N) with N being the number of scripts to check.",
    handler(ctx, argv) {
      const engine = ctx.server.scripting.engine;
      ctx.out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        ctx.out.int(engine.get(arg(argv, i)) === undefined ? 0 : 1);
      }
    },
  },
  {
    ...scriptSub,
    name: "flush",
    summary: "Remove all the scripts from the script cache.",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) with N being the number of scripts in cache",
    handler(ctx, argv) {
      const mode = argv[2]?.toLowerCase();
      if (argv.length > 3 || (mode !== undefined && mode !== "sync" && mode !== "async")) {
        throw new CommandError(SCRIPT_FLUSH_MODE);
      }
      ctx.server.scripting.engine.flush();
      ctx.out.ok();
    },
  },
  {
    ...scriptSub,
    name: "kill",
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary: "Kill the script currently in execution.",
    handler(ctx) {
      const error = ctx.server.scripting.kill(true);
      if (error !== undefined) throw new CommandError(error);
      ctx.out.ok();
    },
  },
  {
    ...scriptSub,
    name: "debug",
    arity: 3,
    summary: "Set the debug mode for executed scripts.",
    syntax: "<YES | SYNC | NO>",
    handler(ctx, argv) {
      // Redis's clientHasPendingReplies: replies of earlier requests not yet written.
      if (ctx.out.length > 0) throw new CommandError(SCRIPT_DEBUG_PIPELINE);
      const mode = arg(argv, 2).toLowerCase();
      if (mode !== "no" && mode !== "yes" && mode !== "sync") {
        throw new CommandError(SCRIPT_DEBUG_MODE);
      }
      ctx.client.luaDebug = mode === "no" ? undefined : mode;
      ctx.out.ok();
    },
  },
  {
    ...scriptSub,
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    since: "5.0.0",
    summary: "Show helpful text about the different subcommands",
    handler(ctx) {
      writeHelp(ctx, SCRIPT_HELP);
    },
  },
];

export const scriptingCommands: CommandSpec[] = [
  evalRow("eval", EVAL_FLAGS, "2.6.0", "Execute a Lua script server side", "script", false, false),
  evalRow(
    "evalsha",
    EVAL_FLAGS,
    "2.6.0",
    "Execute a Lua script server side",
    "sha1",
    true,
    false,
  ),
  evalRow(
    "eval_ro",
    EVAL_RO_FLAGS,
    "7.0.0",
    "Execute a read-only Lua script server side",
    "script",
    false,
    true,
  ),
  evalRow(
    "evalsha_ro",
    EVAL_RO_FLAGS,
    "7.0.0",
    "Execute a read-only Lua script server side",
    "sha1",
    true,
    true,
  ),
  {
    name: "script",
    needsLua: true,
    arity: -2,
    flags: [],
    group: "scripting",
    since: "2.6.0",
    summary: "A container for Lua scripts management commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: scriptSubcommands,
  },
];
