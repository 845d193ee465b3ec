/**
 * The Lua debugger (Redis 7.0's LDB, eval.c's ldb* functions): EVAL under
 * SCRIPT DEBUG runs its script stopping at lines, and the client drives it
 * with debugger commands (step, continue, list, print, break, eval, redis,
 * ...), each answered with an array of log lines.
 *
 * Redis reads the client's socket from inside the Lua hook, blocking the
 * server. Here the hook yields the script's coroutine at a stop and the
 * client's input comes to the session instead of the command decoder
 * (Client.inputTap); every other client is held meanwhile by a pause of all
 * commands (purpose "debug"), so the server serves no one else, as Redis.
 * SYNC keeps the session's writes; YES, which Redis runs in a forked child
 * whose writes are lost, puts the data back when the session ends
 * (ldb_undo.ts) and propagates nothing.
 */
import type { ReplyWriter } from "../../protocol/writer.ts";
import type { Client, InputTap } from "../client.ts";
import type { Command } from "../command.ts";
import {
  CommandError,
  LDB_ABORTED,
  LDB_BUFFER_FULL,
  LDB_PROTOCOL_ERROR,
  LDB_TIMEOUT_CLOSED,
} from "../errors.ts";
import type { CommandContext } from "../context.ts";
import type { ReplyBytes } from "./convert.ts";
import type { ScriptEngine, ScriptRun } from "./engine.ts";
import {
  atoiText,
  luaValueText,
  MAX_COMMAND_BUFFER,
  parseDebuggerCommand,
  replyText,
} from "./ldb_format.ts";
import { UndoLog } from "./ldb_undo.ts";
import { lit, lua, LUA_HOOKCOUNT, type LuaState, pushBinary, toBinary } from "./lua.ts";
import { pushErrorTable } from "./convert.ts";
import { prepareRun } from "./preflight.ts";
import type { LuaDebugger } from "./redis_api.ts";
import { type RunOptions, type Scripting, writeReply } from "./runner.ts";

const MAX_BREAKPOINTS = 64;
/** fengari's mark of a frame whose hook yielded (Lua 5.3's CIST_HOOKYIELD). */
const CIST_HOOKYIELD = 1 << 6;
const DEFAULT_MAXLEN = 256;

const HELP = [
  "Redis Lua debugger help:",
  "[h]elp               Show this help.",
  "[s]tep               Run current line and stop again.",
  "[n]ext               Alias for step.",
  "[c]ontinue           Run till next breakpoint.",
  "[l]ist               List source code around current line.",
  "[l]ist [line]        List source code around [line].",
  "                     line = 0 means: current position.",
  "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
  "                     to show before/after [line].",
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  "[p]rint              Show all the local variables.",
  "[p]rint <var>        Show the value of the specified variable.",
  "                     Can also show global vars KEYS and ARGV.",
  "[b]reak              Show all breakpoints.",
  "[b]reak <line>       Add a breakpoint to the specified line.",
  "[b]reak -<line>      Remove breakpoint from the specified line.",
  "[b]reak 0            Remove all breakpoints.",
  "[t]race              Show a backtrace.",
  "[e]val <code>        Execute some Lua code (in a different callframe).",
  "[r]edis <cmd>        Execute a Redis command.",
  "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
  "                     Specifying zero as <len> means unlimited.",
  "[a]bort              Stop the execution of the script. In sync",
  "                     mode dataset changes will be retained.",
  "",
  "Debugger functions you can call from Lua scripts:",
  "redis.debug()        Produce logs in the debugger console.",
  "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
  "                     next line of code.",
];

/**
 * Runs EVAL's script under the debugger for `ctx`'s client (SCRIPT DEBUG
 * YES or SYNC): the session starts, the script stops at its first line,
 * and the client's next requests are debugger commands until it ends.
 */
export function debugEval(
  ctx: CommandContext,
  argv: string[],
  prepare: () => RunOptions,
  engine: ScriptEngine,
): void {
  const session = new LdbSession(ctx.client, argv[1] ?? "", engine);
  session.start(ctx, argv, prepare);
}

class LdbSession implements LuaDebugger, InputTap {
  readonly #lines: string[];
  readonly #scripting: Scripting;
  #bp: number[] = [];
  #step = true;
  #luabp = false;
  #currentLine = -1;
  #maxlen = DEFAULT_MAXLEN;
  #hintSent = false;
  #logs: string[] = [];
  #input = new Uint8Array(0);
  /** The client has gone: the script runs on to its end without stopping. */
  #gone = false;
  #ended = false;
  #run: ScriptRun | undefined;
  /** The coroutine of the stopped script. */
  #co: LuaState | undefined;
  readonly #undo: UndoLog | undefined;
  /** EVAL or EVAL_RO: its failed calls count a session that ends in an error. */
  #evalCommand: Command | undefined;
  readonly #timeLimitMs: number;

  constructor(readonly client: Client, source: string, readonly engine: ScriptEngine) {
    const server = client.server;
    this.#scripting = server.scripting;
    const trimmed = source.replace(/[\r\n]+$/, "");
    this.#lines = trimmed === "" ? [] : trimmed.split("\n");
    this.#undo = client.luaDebug === "yes" ? new UndoLog(server) : undefined;
    const threshold = server.config.getNumber("busy-reply-threshold");
    this.#timeLimitMs = threshold > 0 ? threshold : 5000;
  }

  start(ctx: CommandContext, argv: string[], prepare: () => RunOptions): void {
    const server = ctx.server;
    server.log(
      this.#undo === undefined
        ? "Redis synchronous debugging eval session started"
        : "Redis debugging eval session started (writes are undone at its end)",
    );
    this.#evalCommand = server.commands.resolve(argv);
    let options: RunOptions;
    try {
      options = prepare();
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return this.#end(undefined, err.message, err.counted);
    }
    const limits = prepareRun(ctx, options.flags, options.ro, this.#scripting.limits);
    if (typeof limits === "string") return this.#end(undefined, limits);
    // Nothing else runs until the session ends, as in Redis, whose server waits in the hook.
    server.pause.pause(Infinity, "all", "debug");
    if (this.#undo !== undefined) server.writeWatchers.add(this.#undo.watcher);
    const debugged: RunOptions = {
      ro: options.ro,
      flags: options.flags,
      isEval: true,
      argv: options.argv,
      debug: this,
      start: (scripting, host, busy) => options.start(scripting, host, busy, this),
    };
    this.#run = this.#scripting.begin(ctx, debugged, limits);
    this.client.inputTap = this;
    this.#continue();
  }

  get logging(): boolean {
    return this.#step && !this.#ended;
  }

  log(entry: string): void {
    this.#logs.push(entry);
  }

  /** Redis's ldbLogWithMaxLen: long entries are cut at maxlen, with a hint the first time. */
  #logTrimmed(entry: string): void {
    const trimmed = this.#maxlen > 0 && entry.length > this.#maxlen;
    this.log(trimmed ? `${entry.slice(0, this.#maxlen)} ...` : entry);
    if (trimmed && !this.#hintSent) {
      this.#hintSent = true;
      this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    }
  }

  logReply(reply: ReplyBytes): void {
    const { buf, start, end } = reply;
    if (buf[start] === 45) {
      let eol = start;
      while (eol < end && buf[eol] !== 13) eol++;
      this.log(`<error> ${String.fromCharCode(...buf.subarray(start, eol))}`);
    }
    this.#logTrimmed(`<reply> ${replyText(buf, start, end)}`);
  }

  breakpoint(): void {
    this.#luabp = true;
  }

  debug(L: LuaState): void {
    const argc = lua.lua_gettop(L);
    const values: string[] = [];
    for (let i = 1; i <= argc; i++) values.push(luaValueText(L, i));
    this.log(`<debug> line ${this.#currentLine}: ${values.join(", ")}`);
  }

  /** Redis's luaLdbLineHook: stops at a line when stepping, at a breakpoint, or past the time limit. */
  hook(L: LuaState, ar: unknown, run: ScriptRun): void {
    // deno-lint-ignore no-explicit-any
    const info = ar as any;
    if (!lua.lua_getstack(L, 0, info)) return;
    lua.lua_getinfo(L, lit("Sl"), info);
    this.#currentLine = info.currentline;
    const bp = this.#bp.includes(this.#currentLine) || this.#luabp;
    if (!text(info.short_src).includes("user_script")) return;
    let timeout = false;
    if (info.event === LUA_HOOKCOUNT && !this.#step && !bp) {
      if (Date.now() - run.startedAt < this.#timeLimitMs) return;
      timeout = true;
      this.#step = true;
    }
    if (!this.#step && !bp) return;
    // A line inside a call that cannot yield (a table.sort comparator...) cannot
    // stop: the next one that can does.
    if (!this.#gone && !lua.lua_isyieldable(L)) return;
    const reason = bp
      ? this.#luabp ? "redis.breakpoint() called" : "break point"
      : timeout
      ? "timeout reached, infinite loop?"
      : "step over";
    this.#step = false;
    this.#luabp = false;
    this.log(`* Stopped at ${this.#currentLine}, stop reason = ${reason}`);
    this.#logSourceLine(this.#currentLine);
    this.#send();
    if (this.#gone) {
      // Nobody to ask: the script runs on, unless it seems to loop forever.
      this.#bp = [];
      if (timeout) {
        pushErrorTable(L, `-${LDB_TIMEOUT_CLOSED}`);
        lua.lua_error(L);
      }
      return;
    }
    this.#co = L;
    lua.lua_yield(L, 0);
  }

  /** Debugger commands from the client (Redis's ldbRepl, one command per read). */
  input(bytes: Uint8Array): void {
    if (this.#ended) return;
    const joined = new Uint8Array(this.#input.length + bytes.length);
    joined.set(this.#input);
    joined.set(bytes, this.#input.length);
    this.#input = joined;
    const parsed = parseDebuggerCommand(joined);
    if (parsed === undefined) {
      if (joined.length > MAX_COMMAND_BUFFER) {
        this.#input = new Uint8Array(0);
        this.#abort(LDB_BUFFER_FULL);
      }
      return;
    }
    if ("error" in parsed) return this.#abort(LDB_PROTOCOL_ERROR);
    // As Redis: what followed the command in the buffer is dropped.
    this.#input = new Uint8Array(0);
    this.#command(parsed.argv);
  }

  /** The client disconnected: the script runs to its end (Redis's ldbRepl read error). */
  closed(): void {
    if (this.#ended) return;
    this.#gone = true;
    this.#step = false;
    this.#bp = [];
    this.#continue();
  }

  #command(argv: string[]): void {
    // Redis compares names as C strings: up to a NUL.
    const name = cString(argv[0]!).toLowerCase();
    const argc = argv.length;
    switch (name) {
      case "h":
      case "help":
        for (const line of HELP) this.log(line);
        break;
      case "s":
      case "step":
      case "n":
      case "next":
        this.#step = true;
        return this.#continue();
      case "c":
      case "continue":
        return this.#continue();
      case "t":
      case "trace":
        this.#atStop((co) => this.#trace(co));
        break;
      case "m":
      case "maxlen":
        this.#maxlenCommand(argv);
        break;
      case "b":
      case "break":
        this.#breakCommand(argv);
        break;
      case "e":
      case "eval":
        this.#eval(argv);
        break;
      case "a":
      case "abort":
        return this.#abort(LDB_ABORTED);
      case "p":
      case "print":
        this.#atStop((co) => argc === 2 ? this.#print(co, cString(argv[1]!)) : this.#printAll(co));
        break;
      case "l":
      case "list": {
        let around = this.#currentLine;
        const num = argc > 1 ? atoiText(argv[1]!) : 0;
        if (num > 0) around = num;
        this.#list(around, argc > 2 ? atoiText(argv[2]!) : 5);
        break;
      }
      case "w":
      case "whole":
        this.#list(1, 1000000);
        break;
      default:
        if (argc > 1 && (name === "r" || name === "redis")) this.#redis(argv);
        else this.log("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
    }
    this.#send();
  }

  /** Resumes the script until its next stop or its end. */
  #continue(): void {
    const run = this.#run!;
    this.#co = undefined;
    run.restartClock();
    // A client gone is never waited for: the script runs to its end.
    while (!run.resume()) if (!this.#gone) return;
    this.#end(run);
  }

  #abort(message: string): void {
    const run = this.#run!;
    run.abort(message, this.#currentLine);
    this.#end(run);
  }

  /**
   * Redis's ldbEndSession: the last logs with `<endsession>`, then EVAL's
   * reply, and the connection closes once it is written.
   */
  #end(run: ScriptRun | undefined, refusal?: string, counted = false): void {
    this.#ended = true;
    const client = this.client;
    const server = client.server;
    if (run !== undefined) {
      this.#scripting.end(this.#undo !== undefined);
      if (this.#undo !== undefined) {
        server.writeWatchers.delete(this.#undo.watcher);
        this.#undo.restore();
      }
      server.pause.unpause("debug");
    }
    client.inputTap = undefined;
    client.luaDebug = undefined;
    server.log(
      this.#undo === undefined
        ? "Redis synchronous debugging eval session ended"
        : "Redis debugging eval session ended (its writes undone)",
    );
    const error = refusal ?? (run?.reply.type === "error" ? run.reply.value : undefined);
    // EVAL's error counts even when its client has gone, as Redis replies to it all the same.
    if (error !== undefined) {
      if (!(counted || run?.errorStatsCounted)) server.stats.countError(error);
      if (this.#evalCommand !== undefined) this.#evalCommand.failedCalls++;
    }
    if (this.#gone) return;
    this.log("<endsession>");
    this.#send();
    const out = client.out;
    const framed = !out.replyOpen;
    if (framed) out.beginReply();
    if (error !== undefined) out.error(error);
    else writeReply(out, run!.reply);
    if (framed) out.endReply();
    client.closeAfterReply = true;
    client.transport.flushSoon();
  }

  /** Redis's ldbSendLogs: the log so far as an array of status lines, newlines made spaces. */
  #send(): void {
    if (this.#gone) {
      this.#logs = [];
      return;
    }
    const out: ReplyWriter = this.client.out;
    const framed = !out.replyOpen;
    if (framed) out.beginReply();
    let proto = `*${this.#logs.length}\r\n`;
    for (const entry of this.#logs) proto += `+${entry.replace(/[\r\n]/g, " ")}\r\n`;
    out.raw(proto);
    if (framed) out.endReply();
    this.#logs = [];
  }

  #sourceLine(line: number): string {
    return this.#lines[line - 1] ?? "<out of range source code line>";
  }

  #logSourceLine(line: number): void {
    const bp = this.#bp.includes(line);
    const current = this.#currentLine === line;
    const prefix = current && bp ? "->#" : current ? "-> " : bp ? "  #" : "   ";
    this.log(`${prefix}${String(line).padEnd(3)} ${this.#sourceLine(line)}`);
  }

  #list(around: number, context: number): void {
    for (let j = 1; j <= this.#lines.length; j++) {
      if (around !== 0 && Math.abs(around - j) > context) continue;
      this.#logSourceLine(j);
    }
  }

  #breakCommand(argv: string[]): void {
    if (argv.length === 1) {
      if (this.#bp.length === 0) {
        this.log("No breakpoints set. Use 'b <line>' to add one.");
        return;
      }
      this.log(`${this.#bp.length} breakpoints set:`);
      for (const line of this.#bp) this.#logSourceLine(line);
      return;
    }
    for (const arg of argv.slice(1)) {
      const line = /^(0|-?[1-9][0-9]{0,18})$/.test(arg) ? Number(arg) : undefined;
      if (line === undefined) this.log(`Invalid argument:'${arg}'`);
      else if (line === 0) {
        this.#bp = [];
        this.log("All breakpoints removed.");
      } else if (line > 0) {
        if (this.#bp.length === MAX_BREAKPOINTS) this.log("Too many breakpoints set.");
        else if (line <= this.#lines.length && !this.#bp.includes(line)) {
          this.#bp.push(line);
          this.#list(line, 1);
        } else this.log("Wrong line number.");
      } else {
        const at = this.#bp.indexOf(-line);
        if (at >= 0) {
          this.#bp.splice(at, 1);
          this.log("Breakpoint removed.");
        } else this.log("No breakpoint in the specified line.");
      }
    }
  }

  #maxlenCommand(argv: string[]): void {
    if (argv.length === 2) {
      let len = atoiText(argv[1]!);
      this.#hintSent = true;
      if (len !== 0 && len <= 60) len = 60;
      this.#maxlen = len;
    }
    this.log(
      this.#maxlen > 0
        ? `<value> replies are truncated at ${this.#maxlen} bytes.`
        : "<value> replies are unlimited.",
    );
  }

  /**
   * Runs `inspect` on the stopped coroutine as it stands at its line. A hook
   * that yields steps its frame back one instruction, to run it again on
   * resume; the debug API would see the line before (and its locals), so
   * the frame is put forward meanwhile.
   */
  #atStop(inspect: (co: LuaState) => void): void {
    const co = this.#co!;
    // deno-lint-ignore no-explicit-any
    const ci = (co as any).ci;
    const back = (ci.callstatus & CIST_HOOKYIELD) !== 0;
    if (back) ci.l_savedpc++;
    try {
      // Room above the stopped frame for the values looked at.
      lua.lua_checkstack(co, 8);
      inspect(co);
    } finally {
      if (back) ci.l_savedpc--;
    }
  }

  /** Redis's ldbTrace: the script's frames, innermost first. */
  #trace(co: LuaState): void {
    const ar = new lua.lua_Debug();
    let level = 0;
    while (lua.lua_getstack(co, level, ar)) {
      lua.lua_getinfo(co, lit("Snl"), ar);
      if (text(ar.short_src).includes("user_script")) {
        const name = ar.name ? text(ar.name) : "top level";
        this.log(`${level === 0 ? "In" : "From"} ${name}:`);
        this.#logSourceLine(ar.currentline);
      }
      level++;
    }
    if (level === 0) this.log("<error> Can't retrieve Lua stack.");
  }

  /** Redis's ldbPrint: the first local of that name from the current frame outwards, else KEYS/ARGV. */
  #print(co: LuaState, name: string): void {
    const ar = new lua.lua_Debug();
    for (let level = 0; lua.lua_getstack(co, level, ar); level++) {
      for (let i = 1;; i++) {
        const local = lua.lua_getlocal(co, ar, i);
        if (local === null || local === undefined) break;
        if (text(local) === name) {
          this.#logTrimmed(`<value> ${luaValueText(co, -1)}`);
          lua.lua_pop(co, 1);
          return;
        }
        lua.lua_pop(co, 1);
      }
    }
    if (name === "ARGV" || name === "KEYS") {
      const L = this.engine.state;
      lua.lua_getglobal(L, lit(name));
      this.#logTrimmed(`<value> ${luaValueText(L, -1)}`);
      lua.lua_pop(L, 1);
    } else this.log("No such variable.");
  }

  /** Redis's ldbPrintAll: the current frame's locals. */
  #printAll(co: LuaState): void {
    const ar = new lua.lua_Debug();
    let vars = 0;
    if (lua.lua_getstack(co, 0, ar)) {
      for (let i = 1;; i++) {
        const local = lua.lua_getlocal(co, ar, i);
        if (local === null || local === undefined) break;
        const name = text(local);
        if (!name.includes("(*temporary)")) {
          this.#logTrimmed(`<value> ${name} = ${luaValueText(co, -1)}`);
          vars++;
        }
        lua.lua_pop(co, 1);
      }
    }
    if (vars === 0) this.log("No local variables in the current context.");
  }

  /** Redis's ldbEval: the code as an expression, else as statements, in its own frame. */
  #eval(argv: string[]): void {
    const L = this.engine.state;
    const code = argv.slice(1).join(" ");
    if (this.engine.compileChunk(`return ${code}`, "ldb_eval") !== undefined) {
      const error = this.engine.compileChunk(code, "ldb_eval");
      if (error !== undefined) return this.log(`<error> ${error}`);
    }
    if (lua.lua_pcall(L, 0, 1, 0) !== 0) {
      this.log(`<error> ${toBinary(L, -1) ?? "(null)"}`);
    } else this.#logTrimmed(`<retval> ${luaValueText(L, -1)}`);
    lua.lua_pop(L, 1);
  }

  /** Redis's ldbRedis: redis.call with the arguments, logged as a step's calls are. */
  #redis(argv: string[]): void {
    const L = this.engine.state;
    lua.lua_checkstack(L, argv.length + 1);
    lua.lua_getglobal(L, lit("redis"));
    lua.lua_getfield(L, -1, lit("call"));
    for (let j = 1; j < argv.length; j++) pushBinary(L, argv[j]!);
    this.#step = true;
    lua.lua_pcall(L, argv.length - 1, 1, 0);
    this.#step = false;
    lua.lua_pop(L, 2);
  }
}

/** What C sees of a string: up to its first NUL. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** A Lua string (bytes) from the debug API as text. */
function text(s: Uint8Array | string | null | undefined): string {
  if (s === null || s === undefined) return "";
  return typeof s === "string" ? s : String.fromCharCode(...s);
}
