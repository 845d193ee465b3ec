/**
 * Runs scripts for the command layer: the host a script's redis.call goes
 * through (Redis's scriptCall checks, then the one dispatch path on a
 * socketless script client, the reply captured from its writer), MULTI/EXEC
 * wrapping of the script's effects for the AOF, and long scripts: past
 * busy-reply-threshold the caller is parked like a blocked client, other
 * clients get -BUSY (dispatch checks `server.busyScriptError`), and the
 * script continues in slices between event-loop turns until it ends or
 * SCRIPT KILL stops it.
 */
import type { ReplyWriter } from "../../protocol/writer.ts";
import { checkCall, logDenial } from "../acl/access.ts";
import type { Client } from "../client.ts";
import type { Command } from "../command.ts";
import type { CommandContext, PropagationTarget, Propagator, ServerContext } from "../context.ts";
import { bytesToHuman } from "../info/render.ts";
import {
  BUSY_EVAL,
  BUSY_FUNCTION,
  CommandError,
  NOTBUSY,
  SCRIPT_DENIED_COMMAND,
  SCRIPT_UNKNOWN_COMMAND,
  SCRIPT_WRONG_ARITY,
  scriptAclDenied,
  UNKILLABLE,
} from "../errors.ts";
import type { ScriptEngine, ScriptRun } from "./engine.ts";
import type { FunctionLibraries } from "./functions.ts";
import {
  type JudgedFlags,
  judgeFlags,
  prepareRun,
  type RunLimits,
  staleRefusal,
  writeRefusal,
} from "./preflight.ts";
import type { ReplyBytes, ScriptReply } from "./convert.ts";
import type { LuaDebugger, ScriptHost } from "./redis_api.ts";
import {
  EMPTY_STATE_BYTES,
  parseShebang,
  ScriptError,
  type ScriptFlags,
  sha1hex,
} from "./shebang.ts";
import type { LuaVm } from "./vm.ts";

/**
 * INFO's estimate of Lua VM memory: an empty state plus what each cached
 * script or function measured (docs/lua-vm.md, 6.3 KB on fengari).
 */
const VM_BYTES_PER_SCRIPT = 6300;

/** Every function library's code, for RDB files and AOF rewrites. */
export function libraryCodes(server: ServerContext): string[] {
  return server.scripting.libraryCodes();
}

/**
 * Loads a library found in an RDB file; returns the error text if it cannot
 * be loaded. One of the same name is an error unless `replace` (Redis's
 * RDBFLAGS_ALLOW_DUP: DEBUG RELOAD MERGE).
 */
export function restoreLibrary(
  server: ServerContext,
  code: string,
  replace: boolean,
): string | undefined {
  try {
    server.scripting.functions.load(code, replace);
    return undefined;
  } catch (err) {
    if (err instanceof ScriptError) return err.message;
    throw err;
  }
}

/** The scripting fields of INFO memory, in Redis 7.0's order. */
export function scriptingMemoryInfo(server: ServerContext): [string, string | number][] {
  const scripting = server.scripting;
  // Before the VM loads there is nothing cached, as on a Redis that ran no script.
  const engine = scripting.loaded ? scripting.engine : { size: 0, memory: 0 };
  const libraries = scripting.loaded ? [...scripting.functions.libraries.values()] : [];
  const functionCount = scripting.loaded ? scripting.functions.functions.size : 0;
  const vmEval = EMPTY_STATE_BYTES + engine.size * VM_BYTES_PER_SCRIPT;
  const vmFunctions = EMPTY_STATE_BYTES + functionCount * VM_BYTES_PER_SCRIPT;
  let functionBytes = 0;
  for (const library of libraries) functionBytes += library.code.length;
  return [
    ["used_memory_lua", vmEval],
    ["used_memory_vm_eval", vmEval],
    ["used_memory_lua_human", bytesToHuman(vmEval)],
    ["used_memory_scripts_eval", engine.memory],
    ["number_of_cached_scripts", engine.size],
    ["number_of_functions", functionCount],
    ["number_of_libraries", libraries.length],
    ["used_memory_vm_functions", vmFunctions],
    ["used_memory_vm_total", vmEval + vmFunctions],
    ["used_memory_vm_total_human", bytesToHuman(vmEval + vmFunctions)],
    ["used_memory_functions", functionBytes],
    ["used_memory_scripts", engine.memory + functionBytes],
    ["used_memory_scripts_human", bytesToHuman(engine.memory + functionBytes)],
  ];
}

/** How long one turn of a busy script runs before the event loop gets a turn. */
const SLICE_MS = 20;

/**
 * The running script (Scripting.running while it runs). One record serves
 * every run in turn; between runs it still names the last one's caller and
 * argv, which nothing reads.
 */
class Running {
  run!: ScriptRun;
  isEval = false;
  /** The command that started it (FUNCTION STATS). */
  argv: string[] = [];
  /** Who ran the script: its commands are checked against this client's ACL user. */
  caller!: CommandContext;
  limits!: RunLimits;
  /** The Lua debugger of a run under SCRIPT DEBUG. */
  debug: LuaDebugger | undefined;
}

/** redis.set_repl's flags: bit 1 the AOF, bit 2 replicas. */
const REPL_AOF = 1;
const REPL_REPLICAS = 2;
const REPL_ALL = 3;

/**
 * What a script wrote, propagated when it ends as Redis 7.0 does: one write
 * alone, several wrapped in MULTI/EXEC (inside EXEC the transaction already
 * wraps them), each to the targets redis.set_repl chose when it ran. The
 * server's propagators are bypassed meanwhile (its scriptPropagator), so a
 * busy script's effects stay together, and a transaction's pending MULTI
 * waits for them.
 */
class ScriptEffects {
  /** redis.set_repl's current flags. */
  targets = REPL_ALL;
  /** The writes so far, in parallel columns (`#count` of them): no array per write but its argv. */
  readonly #dbs: number[] = [];
  readonly #argvs: (readonly string[] | undefined)[] = [];
  readonly #targets: number[] = [];
  #count = 0;
  /**
   * The argv of the redis.call running: made for that call alone and never
   * written after it runs, so it is kept as it is. Any other (a command's
   * rewrite, which it may reuse) is copied.
   */
  callArgv: readonly string[] | undefined;
  readonly #collector: Propagator = {
    propagate: (dbIndex, argv, only) => {
      const targets = this.targets & targetsOf(only);
      if (targets === 0) return;
      const i = this.#count++;
      this.#dbs[i] = dbIndex;
      this.#argvs[i] = argv === this.callArgv ? argv : argv.slice();
      this.#targets[i] = targets;
    },
  };

  constructor(readonly server: ServerContext) {}

  /** Collects the writes of a run (one object serves every run, in turn). */
  begin(): void {
    this.targets = REPL_ALL;
    this.server.scriptPropagator = this.#collector;
  }

  flush(discard = false): void {
    const server = this.server;
    server.scriptPropagator = undefined;
    const count = this.#count;
    if (count === 0) return;
    this.#count = 0;
    if (discard) {
      this.#argvs.fill(undefined, 0, count);
      return;
    }
    const dbs = this.#dbs;
    const argvs = this.#argvs;
    // A script the AOF loader replays wrote what is on disk already (Redis's shouldPropagate).
    if (server.persistence.loading.active) return void argvs.fill(undefined, 0, count);
    // Inside EXEC the transaction wraps the writes already.
    const wrap = count > 1 && server.execPropagation === "off" && this.#twoRecorded(count);
    if (wrap) server.propagate(dbs[0]!, ["MULTI"]);
    for (let i = 0; i < count; i++) {
      server.propagate(dbs[i]!, argvs[i]!, targetOf(this.#targets[i]!));
      argvs[i] = undefined;
    }
    if (wrap) server.propagate(dbs[count - 1]!, ["EXEC"]);
    // Setting an array's length is slow in V8: the columns keep their room unless it grew large.
    if (count > MAX_KEPT_WRITES) dbs.length = argvs.length = this.#targets.length = 0;
  }

  /** Whether two or more writes are recorded somewhere, as Redis counts them (PUBLISH with no replica is not). */
  #twoRecorded(count: number): boolean {
    let recorded = 0;
    for (let i = 0; i < count && recorded < 2; i++) {
      if (this.server.recordsWrites(targetOf(this.#targets[i]!))) recorded++;
    }
    return recorded > 1;
  }
}

/** Writes whose room ScriptEffects keeps for the next run. */
const MAX_KEPT_WRITES = 64;

function targetsOf(only: PropagationTarget | undefined): number {
  if (only === undefined) return REPL_ALL;
  return only === "aof" ? REPL_AOF : REPL_REPLICAS;
}

function targetOf(targets: number): PropagationTarget | undefined {
  if (targets === REPL_AOF) return "aof";
  return targets === REPL_REPLICAS ? "replicas" : undefined;
}

/**
 * Thrown by a synchronous path that needs the Lua VM before it has loaded
 * (loading data files at start-up that hold functions): the caller loads it
 * and starts over.
 */
export class LuaNotLoaded extends Error {}

/**
 * Per-server scripting state: the EVAL engine and function libraries (the
 * Lua VM, loaded on first use), the script client, the running script.
 */
export class Scripting {
  running: Running | undefined;
  readonly #running = new Running();
  /** The limits of the run starting or running (runs never overlap). */
  readonly limits: RunLimits = { readOnly: false, denyOom: false, obey: false, wrote: false };
  #vm: LuaVm | undefined;
  #loading: Promise<void> | undefined;
  /** Clients whose request waits for the VM to load. */
  readonly #waiting = new Set<Client>();
  #client: Client | undefined;
  readonly #effects: ScriptEffects;
  readonly #busyThreshold: { readonly value: number };
  /** What every run's redis.* functions reach the server through (they run one at a time). */
  readonly #host: ScriptHost;
  /** The last redis.call's reply, in the script client's buffer. */
  readonly #reply: ReplyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };

  constructor(readonly server: ServerContext) {
    this.#effects = new ScriptEffects(server);
    this.#busyThreshold = server.config.live("busy-reply-threshold");
    this.#host = {
      call: (argv, resp) => this.call(this.running!, argv, resp),
      aclCheck: (argv) => {
        const command = server.commands.resolve(argv);
        if (command === undefined) return undefined;
        return checkCall(server.acl, this.running!.caller.client.user, command, argv) ===
          undefined;
      },
      log: (level, message) => {
        if (level >= 2) server.log(message);
      },
      setRepl: (flags) => {
        this.#effects.targets = flags;
      },
    };
  }

  /** Starts a run for the caller: the script client takes its database and user. */
  begin(ctx: CommandContext, options: RunOptions, limits: RunLimits): ScriptRun {
    const scriptClient = this.scriptClient;
    scriptClient.selectDb(ctx.db.index);
    // As Redis's script client: the script's commands run as the caller's user.
    scriptClient.user = ctx.client.user;
    scriptClient.inExec = true;
    this.#effects.begin();
    const run = options.start(this, this.#host, this.#busyThreshold.value);
    const running = this.#running;
    running.run = run;
    running.isEval = options.isEval;
    running.argv = options.argv;
    running.caller = ctx;
    running.limits = limits;
    running.debug = options.debug;
    this.running = running;
    return run;
  }

  /** Ends the run: its writes are propagated (unless `discard`: SCRIPT DEBUG YES undoes them). */
  end(discard = false): void {
    this.running = undefined;
    this.#client!.out.truncate(this.#reply.start);
    this.#client!.inExec = false;
    this.#effects.flush(discard);
  }

  /**
   * Runs EVAL under the Lua debugger (SCRIPT DEBUG): `prepare` makes its run
   * (or throws the CommandError EVAL answers). The VM must be loaded.
   */
  debugEval(ctx: CommandContext, argv: string[], prepare: () => RunOptions): void {
    const vm = this.#loadedVm();
    vm.debugEval(ctx, argv, prepare, vm.engine);
  }

  get loaded(): boolean {
    return this.#vm !== undefined;
  }

  /** The EVAL engine; throws LuaNotLoaded before the VM has loaded. */
  get engine(): ScriptEngine {
    return this.#loadedVm().engine;
  }

  /** The function libraries; throws LuaNotLoaded before the VM has loaded. */
  get functions(): FunctionLibraries {
    return this.#loadedVm().functions;
  }

  #loadedVm(): LuaVm {
    if (this.#vm === undefined) throw new LuaNotLoaded("the Lua VM is not loaded");
    return this.#vm;
  }

  /** Loads the Lua VM (once); clients waiting for it run their requests. */
  load(): Promise<void> {
    this.#loading ??= import("./vm.ts").then(({ createVm }) => {
      this.#vm = createVm();
      const waiting = [...this.#waiting];
      this.#waiting.clear();
      for (const client of waiting) this.server.blocking.unblock(client);
    });
    return this.#loading;
  }

  /**
   * Holds a request that needs the VM until it has loaded: the client is
   * blocked with its request left unread, and runs it again then (as a
   * CLIENT PAUSE postpones one).
   */
  holdUntilLoaded(client: Client): void {
    this.#waiting.add(client);
    this.server.blocking.block(client, {
      keys: [],
      deadline: 0,
      postponed: true,
      tryServe: () => false,
      onTimeout: () => {},
    });
    this.load().catch((err) => {
      this.server.log(`Could not load the Lua engine: ${(err as Error).message}`);
      Deno.exit(1);
    });
  }

  /** Every function library's code (none before the VM loads). */
  libraryCodes(): string[] {
    if (this.#vm === undefined) return [];
    return [...this.#vm.functions.libraries.values()].map((library) => library.code);
  }

  /** Drops every function library (FLUSHALL-like resets, a full resync). */
  flushFunctions(): void {
    this.#vm?.functions.flush();
  }

  /** The socketless client scripts run their commands as (Redis's lua_client). */
  get scriptClient(): Client {
    if (this.#client === undefined) {
      this.#client = this.server.createInternalClient();
      this.#client.fromScript = true;
    }
    return this.#client;
  }

  /**
   * The flags processCommand judges a command by (Redis's getCommandFlags):
   * for EVAL* and FCALL* of a script that declares flags (a shebang, a
   * function's flags), those replace the command's write, denyoom and stale.
   */
  commandFlags(command: Command, argv: string[]): JudgedFlags {
    return judgeFlags(command, this.#declaredFlags(command.fullName, argv));
  }

  /** The flags the script `argv[1]` names declares; undefined without a shebang or when unknown. */
  #declaredFlags(name: string, argv: string[]): Set<string> | undefined {
    // Before the VM loads no script or function is known yet.
    const vm = this.#vm;
    const first = argv[1] ?? "";
    if (name === "fcall" || name === "fcall_ro") {
      return vm?.functions.functions.get(first.toLowerCase())?.flags;
    }
    let flags: ScriptFlags | undefined;
    if (name === "evalsha" || name === "evalsha_ro") {
      flags = vm?.engine.argumentScript(argv)?.flags;
    } else if (name === "eval" || name === "eval_ro") {
      flags = vm?.engine.get(sha1hex(first))?.flags ?? shebangFlags(first);
    }
    return flags === undefined || flags.compat ? undefined : flags.flags;
  }

  /** SCRIPT KILL / FUNCTION KILL. Returns the error text, or undefined when the kill was requested. */
  kill(isEval: boolean): string | undefined {
    const running = this.running;
    if (running === undefined) return NOTBUSY;
    if (running.limits.wrote) return UNKILLABLE;
    if (isEval !== running.isEval) return running.isEval ? BUSY_EVAL : BUSY_FUNCTION;
    running.run.killed = true;
    return undefined;
  }

  /**
   * Runs `argv` for the script: Redis's scriptCall checks, then the command
   * itself. Its reply is left in the script client's buffer until the next call.
   */
  call(running: Running, argv: string[], resp: 2 | 3): ReplyBytes {
    const client = this.scriptClient;
    const out = client.out;
    const reply = this.#reply;
    out.truncate(reply.start);
    client.setResp(resp);
    const debug = running.debug?.logging ? running.debug : undefined;
    debug?.log(commandLog(argv));
    const command = this.server.commands.resolve(argv);
    let refusal: string | undefined = SCRIPT_UNKNOWN_COMMAND;
    if (command === undefined) {
      this.server.stats.countError(SCRIPT_UNKNOWN_COMMAND);
    } else {
      refusal = this.#refusal(running, command, argv);
      if (refusal === undefined) {
        const effects = this.#effects;
        effects.callArgv = argv;
        if (this.server.persistence.loading.active) this.#callUncounted(client, command, argv);
        else client.execute(command, argv);
        effects.callArgv = undefined;
      }
    }
    if (refusal !== undefined) out.error(refusal);
    reply.buf = out.buf;
    reply.end = out.pos;
    if (debug !== undefined) {
      // As Redis's luaPushErrorBuff: a refusal is logged as its message, a command's error
      // reply as it was written, and then (not a refusal) the reply itself.
      if (refusal !== undefined) debug.log(`<error> ${refusal.replace(/^ERR /, "")}`);
      else debug.logReply(reply);
    }
    return reply;
  }

  /**
   * A call of a script the AOF loader replays: as Redis's call() while
   * loading, it is left out of the command's calls and time (commandstats).
   */
  #callUncounted(client: Client, command: Command, argv: string[]): void {
    const { calls, microseconds } = command;
    client.execute(command, argv);
    command.calls = calls;
    command.microseconds = microseconds;
  }

  /** Why Redis's scriptCall refuses `command` (counted as rejected), or undefined. */
  #refusal(running: Running, command: Command, argv: string[]): string | undefined {
    const server = this.server;
    const refusal = this.#check(running, command, argv);
    if (refusal !== undefined) {
      // As Redis's scriptCall: the refused command counts as rejected.
      command.rejectedCalls++;
      server.stats.countError(refusal);
    } else if (command.isWrite) running.limits.wrote = true;
    return refusal;
  }

  #check(running: Running, command: Command, argv: string[]): string | undefined {
    const server = this.server;
    if (!command.arityFits(argv.length)) return SCRIPT_WRONG_ARITY;
    if (!server.scriptDenyDisabled && command.spec.flags.includes("noscript")) {
      return SCRIPT_DENIED_COMMAND;
    }
    const stale = staleRefusal(server, command);
    if (stale !== undefined) return stale;
    const denial = checkCall(server.acl, running.caller.client.user, command, argv);
    if (denial !== undefined) {
      logDenial(running.caller, denial, command, argv, "lua");
      return scriptAclDenied(denial.reason);
    }
    return writeRefusal(server, running.limits, command);
  }
}

/** A shebang's flags, or undefined when it does not parse (the command's own flags then apply). */
function shebangFlags(body: string): ScriptFlags | undefined {
  try {
    return parseShebang(body).flags;
  } catch (err) {
    if (err instanceof ScriptError) return undefined;
    throw err;
  }
}

/** Redis's `<redis>` debugger log of a script's command: its first ten arguments. */
function commandLog(argv: readonly string[]): string {
  let entry = "<redis>";
  for (let j = 0; j < argv.length; j++) {
    if (j === 10) return `${entry} ... (${argv.length - j - 1} more)`;
    entry += ` ${argv[j]}`;
  }
  return entry;
}

/** A script or function to run for the caller (EVAL's or FCALL's), and how to start it. */
export interface RunOptions {
  /** EVAL_RO / EVALSHA_RO / FCALL_RO. */
  readonly ro: boolean;
  /** What the script declared (functions are never `compat`). */
  readonly flags: ScriptFlags;
  readonly isEval: boolean;
  readonly argv: string[];
  /** The Lua debugger of an EVAL under SCRIPT DEBUG. */
  readonly debug?: LuaDebugger | undefined;
  /** Starts its run with the given host and busy threshold (and debugger). */
  start(
    scripting: Scripting,
    host: ScriptHost,
    busyThresholdMs: number,
    debug?: LuaDebugger,
  ): ScriptRun;
}

/** Runs a script or function for the caller and replies (now, or when a busy script ends). */
export function runScript(ctx: CommandContext, options: RunOptions): void {
  const server = ctx.server;
  const scripting = server.scripting;
  const limits = prepareRun(ctx, options.flags, options.ro, scripting.limits);
  if (typeof limits === "string") throw new CommandError(limits);
  const run = scripting.begin(ctx, options, limits);
  if (!run.resume()) {
    logSlowScript(server, run, options.isEval);
    const handOver = ctx.client.onBusyScript;
    if (handOver !== undefined) return handOver(continueReplayed(scripting, run, options.isEval));
    // Inside EXEC the caller cannot be parked mid-transaction: the script runs to its end.
    if (!ctx.inExec) return continueBusy(ctx.client, scripting, run, options);
    while (!run.resume());
  }
  scripting.end();
  if (run.reply.type === "error") throw new CommandError(run.reply.value, run.errorStatsCounted);
  writeReply(ctx.out, run.reply);
}

/** Redis's warning when a script passes busy-reply-threshold (scriptInterrupt). */
function logSlowScript(server: ServerContext, run: ScriptRun, isEval: boolean): void {
  server.log(
    `Slow script detected: still in execution after ${Date.now() - run.startedAt} milliseconds. ` +
      `You can try killing the script using the ${
        isEval ? "SCRIPT KILL" : "FUNCTION KILL"
      } command. Script name is: ${run.name}.`,
  );
}

/**
 * A busy script the AOF loader runs on (Client.onBusyScript): other clients
 * get -BUSY meanwhile where they would not get -LOADING; its reply is dropped.
 */
function continueReplayed(scripting: Scripting, run: ScriptRun, isEval: boolean): () => boolean {
  const server = scripting.server;
  server.busyScriptError = isEval ? BUSY_EVAL : BUSY_FUNCTION;
  return () => {
    if (!run.resume()) return false;
    scripting.end();
    server.busyScriptError = undefined;
    return true;
  };
}

/** Parks the caller and runs the rest of a busy script in slices. */
function continueBusy(
  caller: Client,
  scripting: Scripting,
  run: ScriptRun,
  { isEval, argv }: RunOptions,
): void {
  const server = scripting.server;
  server.busyScriptError = isEval ? BUSY_EVAL : BUSY_FUNCTION;
  server.blocking.block(caller, {
    keys: [],
    deadline: 0,
    running: true,
    tryServe: () => false,
    onTimeout: () => {},
  });
  const step = () => {
    const until = performance.now() + SLICE_MS;
    while (!run.resume()) {
      if (performance.now() >= until) return void setTimeout(step, 0);
    }
    scripting.end();
    server.busyScriptError = undefined;
    const out = caller.out;
    out.beginReply();
    if (run.reply.type === "error") {
      if (!run.errorStatsCounted) server.stats.countError(run.reply.value);
      // The call itself was counted when it was parked; its failure is known only now.
      const command = server.commands.resolve(argv);
      if (command !== undefined) command.failedCalls++;
      out.error(run.reply.value);
    } else writeReply(out, run.reply);
    out.endReply();
    server.blocking.unblock(caller);
    // What the script made ready waited for it to end (dispatch serves nothing meanwhile).
    if (server.blocking.hasReadyKeys) server.blocking.serveReadyKeys();
  };
  setTimeout(step, 0);
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a script's reply (or any decoded reply) to a client. */
export function writeReply(out: ReplyWriter, v: ScriptReply): void {
  switch (v.type) {
    case "number":
      return out.int(v.value);
    case "lua":
      return v.write(out);
    case "simple":
      return out.simple(v.value);
    case "error":
      return out.error(v.value);
    case "int":
      // Most fit a double exactly: the writer puts those digits without a string.
      return out.int(v.value >= -SAFE && v.value <= SAFE ? Number(v.value) : v.value);
    case "bulk":
      return out.bulk(v.value);
    case "verbatim":
      return out.verbatim(v.value, v.format);
    case "null":
      return out.nil();
    case "nullArray":
      return out.nilArray();
    case "double":
      return out.double(v.value);
    case "bool":
      return out.bool(v.value);
    case "bignum":
      return out.protocol === 3 ? out.raw(`(${v.value}\r\n`) : out.bulk(v.value);
    case "array":
    case "push":
      out.array(v.values.length);
      for (const item of v.values) writeReply(out, item);
      return;
    case "set":
      out.set(v.values.length);
      for (const item of v.values) writeReply(out, item);
      return;
    case "map":
      out.map(v.entries.length);
      for (const [key, value] of v.entries) {
        writeReply(out, key);
        writeReply(out, value);
      }
      return;
  }
}
