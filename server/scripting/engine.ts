/**
 * The EVAL engine: one Lua state, the script cache (sha1 → compiled
 * function, as Redis keeps `f_<sha>` in the registry), shebang flags, and
 * script runs.
 *
 * A run executes in a Lua coroutine with an instruction-count hook. Below
 * the busy threshold the script runs to completion synchronously, as in
 * Redis. Past it, the hook yields every 10,000 instructions so the caller
 * can let the event loop turn (answering other clients with -BUSY, serving
 * SCRIPT KILL) and then call `resume()` again: the script stays atomic
 * because the command layer runs no other client's command meanwhile.
 * A hook inside a non-yieldable call (a table.sort comparator, a string.gsub
 * callback, a metamethod called from JS) cannot yield; it yields at the next
 * hook that can, and a script stuck in such a call for one more threshold is
 * stopped, since the server cannot answer anyone meanwhile (SCRIPT_STUCK).
 */
import {
  SCRIPT_STUCK,
  SCRIPT_UNKNOWN_ERROR,
  scriptCompileError,
  scriptFault,
  scriptRaised,
} from "../errors.ts";
import { bytesToBinary, noteKeyArgument, takeKey, writeBinary } from "../../protocol/bytes.ts";
import { reportTime } from "../types/access_clock.ts";
import { type NumberReply, popReply, type ScriptReply } from "./convert.ts";
import { createScriptState, Rand48 } from "./environment.ts";
import {
  forgetKnownStrings,
  getField,
  isPlainArray,
  isTrue,
  lauxlib,
  lit,
  lua,
  LUA_MASKCOUNT,
  LUA_MASKLINE,
  LUA_OK,
  LUA_REGISTRYINDEX,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_YIELD,
  type LuaState,
  type LuaTable,
  type LuaValue,
  pushNewTable,
  pushValue,
  rawField,
  refillStrings,
  setReadonly,
  setStringItem,
  tableAt,
  toBinary,
  toLua,
  topType,
  topValue,
  typeOf,
} from "./lua.ts";
import { writeLuaValue } from "./lua_reply.ts";
import { resetThread, resumeFirst, whereAt } from "./lua_calls.ts";
import { markRunThread } from "./compat51.ts";
import type { ReplyWriter } from "../../protocol/writer.ts";
import { pushErrorTable } from "./convert.ts";
import { escapeTooLargeMessage, quoteTokens51, rewriteEscapes51 } from "./lexer51.ts";
import { fixMessage51, rewriteSyntax51 } from "./syntax51.ts";
import type { LuaDebugger, RunState, ScriptHost } from "./redis_api.ts";
import { parseShebang, ScriptError, type ScriptFlags, sha1hex } from "./shebang.ts";

/**
 * Instructions between two looks at the clock. Redis uses 100,000; a
 * redis.call costs fengari far more time per instruction than C Lua, so a
 * loop of calls would stay deaf for a second between looks: 10,000 keeps the
 * server answering -BUSY within a few tens of milliseconds.
 */
export const HOOK_INSTRUCTIONS = 10_000;

export interface CachedScript {
  sha: string;
  body: string;
  flags: ScriptFlags;
  /** The compiled function, as a registry reference (which keeps it). */
  ref: number;
  /** The same function as a Lua value, pushed for each run without a registry lookup. */
  fn: LuaValue;
  /** `sha`'s bytes: EVALSHA's sha sent as bytes is compared with them. */
  shaBytes: Uint8Array;
}

export class ScriptEngine {
  #L!: LuaState;
  #scripts = new Map<string, CachedScript>();
  #rand = new Rand48();
  #current: RunState | undefined;
  /** What each run's redis.* functions see, one object for every run in turn (they never overlap). */
  #state: RunState | undefined;
  #bodyBytes = 0;
  /**
   * The scripts by their sha's first 7 hex digits (shaPrefix), for EVALSHA's
   * sha left as bytes (argumentScript); null where two share one.
   */
  #byPrefix = new Map<number, CachedScript | null>();
  /** The last script looked up, by the name it was asked for: EVALSHA looks its script up thrice. */
  #last: [asked: string, script: CachedScript] | undefined;

  constructor() {
    this.#reset();
  }

  readonly #keys: GlobalArray = { name: 0, table: undefined };
  readonly #argv: GlobalArray = { name: 0, table: undefined };

  #threads!: Coroutines;
  readonly #ended = (): void => {
    this.#current = undefined;
  };

  #reset(): void {
    const L = this.#L = createScriptState(this.#rand, () => this.#current);
    this.#threads = new Coroutines(L);
    this.#scripts.clear();
    this.#byPrefix.clear();
    this.#last = undefined;
    this.#bodyBytes = 0;
    for (const [array, name] of [[this.#keys, "KEYS"], [this.#argv, "ARGV"]] as const) {
      lua.lua_pushstring(L, lit(name));
      array.name = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
      array.table = undefined;
    }
  }

  /** Compiles and caches a script (EVAL, SCRIPT LOAD); returns its sha1. Throws ScriptError. */
  load(body: string): string {
    const sha = sha1hex(body);
    if (this.#scripts.has(sha)) return sha;
    const shebang = parseShebang(body);
    const L = this.#L;
    const source = rewriteEscapes51(body.slice(shebang.length));
    if (typeof source !== "string") {
      throw new ScriptError(scriptCompileError(escapeTooLargeMessage("user_script", source)));
    }
    const syntax = rewriteSyntax51(source);
    const code = toLua(typeof syntax === "string" ? syntax : syntax.source);
    if (lauxlib.luaL_loadbuffer(L, code, code.length, lit("@user_script")) !== LUA_OK) {
      const message = fixMessage51(quoteTokens51(toBinary(L, -1) ?? ""), syntax);
      lua.lua_pop(L, 1);
      throw new ScriptError(scriptCompileError(message));
    }
    const fn = topValue(L);
    const ref = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    const shaBytes = new Uint8Array(40);
    writeBinary(shaBytes, 0, sha);
    const script = { sha, body, flags: shebang.flags, ref, fn, shaBytes };
    this.#scripts.set(sha, script);
    const prefix = shaPrefix(shaBytes, 0);
    this.#byPrefix.set(prefix, this.#byPrefix.has(prefix) ? null : script);
    this.#bodyBytes += body.length + sha.length;
    return sha;
  }

  get(sha: string): CachedScript | undefined {
    const last = this.#last;
    if (last !== undefined && last[0] === sha) return last[1];
    const script = this.#scripts.get(sha.toLowerCase());
    if (script !== undefined) this.#last = [sha, script];
    return script;
  }

  /**
   * The script EVALSHA's argv[1] names, or undefined. A sha the decoder left
   * as bytes (takesNameBytes) is looked up from them, and argv[1] becomes the
   * script's own sha string when sent as it is (else the string of the bytes).
   */
  argumentScript(argv: string[]): CachedScript | undefined {
    const held = takeKey(argv, 1);
    if (held === undefined) {
      const name = argv[1]!;
      return name.length === 40 ? this.get(name) : undefined;
    }
    const { bytes, start, end } = held;
    const found = end - start === 40 ? this.#byPrefix.get(shaPrefix(bytes, start)) : undefined;
    if (found === null) {
      // Two scripts share the prefix: by the string, as for a sha sent as one.
      return this.get(argv[1] = bytesToBinary(bytes, start, end));
    }
    const same = found === undefined ? -1 : shaCompare(found.shaBytes, bytes, start);
    argv[1] = same === 1 ? found!.sha : bytesToBinary(bytes, start, end);
    return same === -1 ? undefined : found;
  }

  /** SCRIPT FLUSH: forgets every script and starts a fresh Lua state. */
  flush(): void {
    this.#reset();
  }

  get size(): number {
    return this.#scripts.size;
  }

  /** Bytes held by cached script bodies (INFO used_memory_scripts_eval). */
  get memory(): number {
    return this.#bodyBytes;
  }

  /**
   * Starts running a cached script; call `resume()` until it returns true.
   * KEYS are `argv[first, first + numkeys)`, ARGV the rest of `argv` (EVAL's
   * own argv: no copies of its parts).
   */
  start(
    script: CachedScript,
    argv: readonly string[],
    first: number,
    numkeys: number,
    host: ScriptHost,
    busyThresholdMs: number,
    debug?: LuaDebugger,
  ): ScriptRun {
    if (this.#current !== undefined) throw new Error("a script is already running");
    const L = this.#L;
    forgetKnownStrings();
    // The script's commands on KEYS[1] hash and compare it from the request's bytes, as the
    // key of a command sent alone is (bytes.ts, requestKey).
    if (numkeys > 0) noteKeyArgument(argv, first);
    setGlobalArray(L, this.#keys, argv, first, first + numkeys);
    setGlobalArray(L, this.#argv, argv, first + numkeys, argv.length);
    pushValue(this.#threads.next, script.fn);
    const state = this.#state ??= { host, resp: 2 };
    state.host = host;
    state.resp = 2;
    state.debug = debug;
    this.#current = state;
    const run = this.#threads.start(0, script.sha, state, busyThresholdMs, this.#ended);
    if (debug !== undefined) run.debugWith(debug);
    return run;
  }

  /**
   * Compiles `code` as chunk `name` in the script state, as EVAL compiles a
   * script (Lua 5.1's syntax and messages), and pushes the function; returns
   * the compile error instead (nothing pushed). The Lua debugger's `eval`.
   */
  compileChunk(code: string, name: string): string | undefined {
    const L = this.#L;
    const source = rewriteEscapes51(code);
    if (typeof source !== "string") return escapeTooLargeMessage(name, source);
    const syntax = rewriteSyntax51(source);
    const bytes = toLua(typeof syntax === "string" ? syntax : syntax.source);
    if (lauxlib.luaL_loadbuffer(L, bytes, bytes.length, lit(`@${name}`)) === LUA_OK) return;
    const message = fixMessage51(quoteTokens51(toBinary(L, -1) ?? ""), syntax);
    lua.lua_pop(L, 1);
    return message;
  }

  /** The script state, for the Lua debugger's `eval` and `redis` (run beside a stopped script). */
  get state(): LuaState {
    return this.#L;
  }
}

/**
 * The first 7 hex digits of a sha's bytes from `at`, as a number (a small
 * integer: Map hashes it without a heap number); -1 when one is not a hex
 * digit (no script's sha then).
 */
function shaPrefix(sha: Uint8Array, at: number): number {
  let n = 0;
  for (let i = at; i < at + 7; i++) {
    const c = sha[i]!;
    const lower = c | 0x20;
    const digit = c >= 48 && c <= 57 ? c - 48 : lower >= 97 && lower <= 102 ? lower - 87 : -1;
    if (digit < 0) return -1;
    n = n * 16 + digit;
  }
  return n;
}

/**
 * Whether the 40 bytes at `at` are `sha` (lower-case hex): 1 as they are,
 * 0 with some letters upper-case (Redis looks a sha up in lower case), -1 not.
 */
function shaCompare(sha: Uint8Array, bytes: Uint8Array, at: number): number {
  // The usual case first, without a branch a byte.
  let diff = 0;
  for (let i = 0; i < 40; i++) diff |= bytes[at + i]! ^ sha[i]!;
  if (diff === 0) return 1;
  let exact = 1;
  for (let i = 0; i < 40; i++) {
    const c = bytes[at + i]!;
    const want = sha[i]!;
    if (c === want) continue;
    if (c < 65 || c > 90 || c + 32 !== want) return -1;
    exact = 0;
  }
  return exact;
}

/** A coroutine runs execute in, its registry reference, and the run it is executing. */
interface Thread {
  co: LuaState;
  ref: number;
  run: ScriptRun | undefined;
  /** Its last run, reused by the next. */
  last: ScriptRun | undefined;
}

/**
 * Whether a finished run's coroutine can run the next: status OK and back
 * at its base call. A JavaScript exception inside a library function (a
 * fengari fault) ends the resume with status -1, which leaves the status OK
 * but the calls unwound nowhere: every later resume would refuse it.
 */
function isIdle(co: LuaState): boolean {
  // deno-lint-ignore no-explicit-any
  const thread = co as any;
  return lua.lua_status(co) === LUA_OK && thread.ci === thread.base_ci;
}

/**
 * The coroutines runs execute in, for one Lua state. A run that ends
 * normally, or in a Lua error (its coroutine reset: resetThread), leaves its
 * coroutine reusable, and reusing it matters: a new coroutine costs fengari
 * a 40-slot stack of objects for the GC to collect.
 * Each coroutine gets its count hook once, when made: the hook finds the run
 * through its thread, so a run installs nothing.
 */
export class Coroutines {
  #spare: Thread | undefined;

  constructor(private readonly L: LuaState) {}

  /** The coroutine the next run executes in: push its function and arguments there. */
  get next(): LuaState {
    if (this.#spare === undefined) {
      const co: LuaState = lua.lua_newthread(this.L);
      markRunThread(co);
      const thread: Thread = {
        co,
        ref: lauxlib.luaL_ref(this.L, LUA_REGISTRYINDEX),
        run: undefined,
        last: undefined,
      };
      lua.lua_sethook(co, (L: LuaState) => thread.run?.hook(L), LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
      this.#spare = thread;
    }
    return this.#spare.co;
  }

  /**
   * Starts a run of the function pushed on `next` (with `nargs` arguments
   * above it); `done` is called when the run ends.
   */
  start(
    nargs: number,
    name: string,
    state: RunState,
    busyThresholdMs: number,
    done: () => void,
  ): ScriptRun {
    const thread = this.#spare!;
    this.#spare = undefined;
    // A coroutine's runs never overlap, and a run is done with before the next starts: the
    // coroutine's last run object serves again.
    const run = thread.last ??= new ScriptRun(thread, this);
    run.begin(name, state, busyThresholdMs, nargs, done);
    return thread.run = run;
  }

  /** A run has ended; `reusable`: its coroutine ended normally, with its own hook. */
  finish(thread: Thread, reusable: boolean): void {
    thread.run = undefined;
    if (reusable && this.#spare === undefined) {
      lua.lua_settop(thread.co, 0);
      this.#spare = thread;
    } else {
      lauxlib.luaL_unref(this.L, LUA_REGISTRYINDEX, thread.ref);
    }
  }
}

/** Pushes a new table of `items[from, to)` (all of them by default). */
export function pushArray(
  L: LuaState,
  items: readonly string[],
  from = 0,
  to = items.length,
): void {
  const table = pushNewTable(L);
  for (let i = from; i < to; i++) setStringItem(table, i - from + 1, items[i]!);
}

/** KEYS or ARGV: the global's name, as a registry reference, and its current table. */
interface GlobalArray {
  name: number;
  table: LuaTable | undefined;
}

/**
 * Sets the global KEYS or ARGV to `items[from, to)`. A script cannot keep a
 * table past its run (every table it could store one in is read-only), so
 * when the last run left the table as it was made, refilling it in place
 * gives the script what a new table would, without one for the collector
 * per run.
 */
function setGlobalArray(
  L: LuaState,
  array: GlobalArray,
  items: readonly string[],
  from: number,
  to: number,
): void {
  const table = array.table;
  if (table !== undefined && isPlainArray(table, to - from)) {
    refillStrings(table, items, from, to);
    return;
  }
  lua.lua_pushglobaltable(L);
  setReadonly(L, -1, false);
  lua.lua_rawgeti(L, LUA_REGISTRYINDEX, array.name);
  pushArray(L, items, from, to);
  array.table = tableAt(L, -1);
  lua.lua_rawset(L, -3);
  setReadonly(L, -1, true);
  lua.lua_pop(L, 1);
}

const NULL_REPLY: ScriptReply = { type: "null" };

/** One execution of a script, resumable in slices; its coroutine's next run reuses the object. */
export class ScriptRun {
  /**
   * [0]: when the run started, the command's time when it runs alone (one
   * clock reading serves the call and the script). In a typed array: a field
   * holding a time boxed each new value (16 bytes a run).
   */
  readonly #started = new Float64Array(1);
  /** Set by SCRIPT KILL: the next hook raises the kill error. */
  killed = false;
  /** Since when, past the busy threshold, the hook has found the script unable to yield. */
  #stuckSince: number | undefined;
  reply: ScriptReply = NULL_REPLY;
  /** An integer result, written into one record: a run's reply is written before the next run. */
  readonly #number: NumberReply = { type: "number", value: 0 };
  /** A string or table result, likewise; it lets go of the value once written. */
  readonly #luaReply = {
    type: "lua" as const,
    value: undefined as LuaValue | undefined,
    resp: 2 as 2 | 3,
    write(out: ReplyWriter): void {
      const value = this.value!;
      this.value = undefined;
      writeLuaValue(out, value, this.resp);
    },
  };
  done = false;
  /** Whether the error came from a command whose own failure was already counted in stats. */
  errorStatsCounted = false;

  /** Whether the hook was replaced by #raise's: the coroutine cannot be reused. */
  #raised = false;
  private readonly co: LuaState;
  name = "";
  private state!: RunState;
  private busyThresholdMs = 0;
  private nargs = 0;
  /** Called when the run ends. */
  private ended!: () => void;

  constructor(private readonly thread: Thread, private readonly threads: Coroutines) {
    this.co = thread.co;
  }

  /** Starts a run of what is pushed on the coroutine. */
  begin(
    name: string,
    state: RunState,
    busyThresholdMs: number,
    nargs: number,
    ended: () => void,
  ): void {
    this.#started[0] = reportTime();
    this.killed = false;
    this.#stuckSince = undefined;
    this.reply = NULL_REPLY;
    this.done = false;
    this.errorStatsCounted = false;
    this.name = name;
    this.state = state;
    this.busyThresholdMs = busyThresholdMs;
    this.nargs = nargs;
    this.ended = ended;
    this.#raised = false;
  }

  /** When the run started (ms). */
  get startedAt(): number {
    return this.#started[0]!;
  }

  /** The Lua debugger's stop ends: the run's clock starts again (Redis resets its start time). */
  restartClock(): void {
    this.#started[0] = reportTime();
  }

  /**
   * Runs under the Lua debugger: its line and count hook replaces the
   * coroutine's (which is then not reused). A stop yields the run; the
   * session resumes it.
   */
  debugWith(debug: LuaDebugger): void {
    this.#raised = true;
    lua.lua_sethook(
      this.co,
      (L: LuaState, ar: unknown) => debug.hook(L, ar, this),
      LUA_MASKLINE | LUA_MASKCOUNT,
      HOOK_INSTRUCTIONS,
    );
  }

  /**
   * Ends a run the debugger stopped at `line` with `message` (an error
   * reply's text) raised there, as the debugger's abort raises it: the
   * error says where, as any script error does. (The stopped coroutine's
   * own position is one instruction back: it yielded to run it again.)
   */
  abort(message: string, line: number): void {
    if (this.done) return;
    this.reply = {
      type: "error",
      value: `${message} script: ${this.name}, on @user_script:${line}.`,
    };
    this.done = true;
    forgetKnownStrings();
    this.threads.finish(this.thread, false);
    this.ended();
  }

  /** Whether the run has passed the busy threshold (other clients get -BUSY). */
  get busy(): boolean {
    return this.busyThresholdMs > 0 && Date.now() - this.#started[0]! >= this.busyThresholdMs;
  }

  /** The count hook, every HOOK_INSTRUCTIONS instructions of this run. */
  hook(L: LuaState): void {
    if (this.killed) this.#raise(L, "Script killed by user with SCRIPT KILL...");
    if (!this.busy) return;
    if (lua.lua_isyieldable(L)) {
      this.#stuckSince = undefined;
      lua.lua_yield(L, 0);
      return;
    }
    // Inside a call that cannot yield no other client is answered, SCRIPT KILL
    // included: past one more threshold the script is stopped, written or not,
    // rather than leave the server deaf until it ends (if it ever does).
    const now = Date.now();
    this.#stuckSince ??= now;
    if (now - this.#stuckSince >= this.busyThresholdMs) this.#raise(L, `-${SCRIPT_STUCK}`);
  }

  /** Raises `message`, and again on every following line, so a pcall cannot swallow it. */
  #raise(L: LuaState, message: string): void {
    this.#raised = true;
    lua.lua_sethook(L, (L: LuaState) => this.#raise(L, message), LUA_MASKLINE, 0);
    pushErrorTable(L, message);
    lua.lua_error(L);
  }

  /** Runs the next slice. Returns true when the script finished (`reply` is set). */
  resume(): boolean {
    if (this.done) return true;
    const co = this.co;
    try {
      const status = resumeFirst(co, this.nargs);
      this.nargs = 0;
      if (status === LUA_YIELD) return false;
      if (status === LUA_OK) {
        lua.lua_settop(co, 1);
        this.reply = this.#result(co);
      } else {
        this.reply = { type: "error", value: this.#errorText() };
        // Left as it is, the coroutine is not idle and goes (see finish below).
        if (!this.#raised) resetThread(co);
      }
    } catch (err) {
      // A fault of the runtime itself (not a Lua error): the run still ends cleanly.
      this.reply = {
        type: "error",
        value: scriptFault(err instanceof Error ? err.message : String(err)),
      };
    }
    this.done = true;
    forgetKnownStrings();
    this.threads.finish(this.thread, !this.#raised && isIdle(co));
    this.ended();
    return true;
  }

  /**
   * The reply for the result at the top of the coroutine: an error or an
   * integer now, a string or any other table written from its Lua value
   * when the caller writes the reply (nothing runs Lua before that).
   */
  #result(co: LuaState): ScriptReply {
    const type = topType(co);
    if (type === LUA_TTABLE) {
      // Raw reads: a metatable's __index must not run outside the script's protected call.
      const t = tableAt(co, 1);
      // A returned redis.pcall error was counted when its command failed.
      this.errorStatsCounted = isTrue(rawField(t, "ignore_error_stats_update"));
      if (typeOf(rawField(t, "err")) === LUA_TSTRING) return popReply(co, this.state.resp);
    }
    if (type !== LUA_TTABLE && type !== LUA_TSTRING) {
      return popReply(co, this.state.resp, this.#number);
    }
    const reply = this.#luaReply;
    reply.value = topValue(co);
    reply.resp = this.state.resp;
    lua.lua_pop(co, 1);
    return reply;
  }

  /** The error reply for a failed run: Redis's err handler adds where the error was raised. */
  #errorText(): string {
    const co = this.co;
    let message: string;
    let ignoreStats = false;
    lua.lua_checkstack(co, 4);
    if (lua.lua_type(co, -1) === LUA_TTABLE) {
      getField(co, -1, "err");
      message = lua.lua_type(co, -1) === LUA_TSTRING ? toBinary(co, -1)! : SCRIPT_UNKNOWN_ERROR;
      getField(co, -2, "ignore_error_stats_update");
      ignoreStats = lua.lua_toboolean(co, -1);
      lua.lua_pop(co, 2);
    } else {
      message = scriptRaised(toBinary(co, -1) ?? "execution failure");
    }
    this.errorStatsCounted = ignoreStats;
    const where = this.#where();
    return where === undefined ? message : `${message} script: ${this.name}, on ${where}.`;
  }

  #where(): string | undefined {
    for (let level = 0; level < 2; level++) {
      const where = whereAt(this.co, level);
      if (where !== null) return where;
    }
    return undefined;
  }
}
