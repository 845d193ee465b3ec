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
 * A hook inside a non-yieldable call (a table.sort comparator, a metamethod
 * called from JS) cannot yield; it yields at the next hook that can.
 */
import { splitArgs } from "../../protocol/inline.ts";
import type { RespValue } from "../../protocol/resp.ts";
import { popReply } from "./convert.ts";
import { createScriptState, Rand48 } from "./environment.ts";
import {
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
  pushBinary,
  setReadonly,
  toBinary,
  toLua,
} from "./lua.ts";
import { pushErrorTable } from "./convert.ts";
import { type RunState, type ScriptHost, sha1hex } from "./redis_api.ts";

/**
 * Instructions between two looks at the clock. Redis uses 100,000; a
 * redis.call costs fengari far more time per instruction than C Lua, so a
 * loop of calls would stay deaf for a second between looks: 10,000 keeps the
 * server answering -BUSY within a few tens of milliseconds.
 */
export const HOOK_INSTRUCTIONS = 10_000;

export const SCRIPT_FLAGS = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
];

/** A script's declared flags; `compat` when it has no shebang (EVAL's pre-7.0 behaviour). */
export interface ScriptFlags {
  compat: boolean;
  flags: Set<string>;
}

export interface CachedScript {
  sha: string;
  body: string;
  flags: ScriptFlags;
}

/** A script error whose text is the reply (without the leading `-`). */
export class ScriptError extends Error {}

/** Parses `#!lua flags=a,b` (Redis's evalExtractShebangFlags). Returns the flags and the shebang's length. */
export function parseShebang(body: string): { flags: ScriptFlags; length: number } {
  if (!body.startsWith("#!")) return { flags: { compat: true, flags: new Set() }, length: 0 };
  const end = body.indexOf("\n");
  if (end < 0) throw new ScriptError("ERR Invalid script shebang");
  const parts = splitArgs(body.slice(0, end));
  if (parts === undefined || parts.length === 0) {
    throw new ScriptError("ERR Invalid engine in script shebang");
  }
  if (parts[0] !== "#!lua") {
    throw new ScriptError(`ERR Unexpected engine in script shebang: ${parts[0]}`);
  }
  const flags = new Set<string>();
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) {
      throw new ScriptError(`ERR Unknown lua shebang option: ${part}`);
    }
    for (const flag of part.slice(6).split(",")) {
      if (flag === "") continue;
      if (!SCRIPT_FLAGS.includes(flag)) {
        throw new ScriptError(`ERR Unexpected flag in script shebang: ${flag}`);
      }
      flags.add(flag);
    }
  }
  return { flags: { compat: false, flags }, length: end };
}

export class ScriptEngine {
  #L!: LuaState;
  #scripts = new Map<string, CachedScript>();
  #rand = new Rand48();
  #current: RunState | undefined;
  #bodyBytes = 0;

  constructor() {
    this.#reset();
  }

  /** Each cached script's function, as a registry reference (no string key to hash per call). */
  #functions = new Map<string, number>();
  /** The Lua strings "KEYS" and "ARGV", made once so their hashes are computed once. */
  #keysName = 0;
  #argvName = 0;

  #threads!: Coroutines;

  #reset(): void {
    const L = this.#L = createScriptState(this.#rand, () => this.#current);
    this.#threads = new Coroutines(L);
    this.#scripts.clear();
    this.#functions.clear();
    this.#bodyBytes = 0;
    lua.lua_pushstring(L, lit("KEYS"));
    this.#keysName = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    lua.lua_pushstring(L, lit("ARGV"));
    this.#argvName = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
  }

  /** Compiles and caches a script (EVAL, SCRIPT LOAD); returns its sha1. Throws ScriptError. */
  load(body: string): string {
    const sha = sha1hex(body);
    if (this.#scripts.has(sha)) return sha;
    const shebang = parseShebang(body);
    const L = this.#L;
    const code = toLua(body.slice(shebang.length));
    if (lauxlib.luaL_loadbuffer(L, code, code.length, lit("@user_script")) !== LUA_OK) {
      const message = toBinary(L, -1) ?? "";
      lua.lua_pop(L, 1);
      throw new ScriptError(`ERR Error compiling script (new function): ${message}`);
    }
    this.#functions.set(sha, lauxlib.luaL_ref(L, LUA_REGISTRYINDEX));
    this.#scripts.set(sha, { sha, body, flags: shebang.flags });
    this.#bodyBytes += body.length + sha.length;
    return sha;
  }

  get(sha: string): CachedScript | undefined {
    return this.#scripts.get(sha.toLowerCase());
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

  /** Starts running a cached script; call `resume()` until it returns true. */
  start(
    sha: string,
    keys: string[],
    args: string[],
    host: ScriptHost,
    busyThresholdMs: number,
  ): ScriptRun {
    if (this.#current !== undefined) throw new Error("a script is already running");
    const L = this.#L;
    lua.lua_pushglobaltable(L);
    setReadonly(L, -1, false);
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#keysName);
    pushArray(L, keys);
    lua.lua_rawset(L, -3);
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#argvName);
    pushArray(L, args);
    lua.lua_rawset(L, -3);
    setReadonly(L, -1, true);
    lua.lua_pop(L, 1);
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#functions.get(sha)!);
    const state: RunState = { host, resp: 2 };
    this.#current = state;
    return this.#threads.start(0, sha, state, busyThresholdMs, () => this.#current = undefined);
  }
}

/**
 * The coroutines runs execute in, for one Lua state. A run that ends
 * normally leaves its coroutine reusable, and reusing it matters: a new
 * coroutine costs fengari a 40-slot stack of objects for the GC to collect.
 */
export class Coroutines {
  #spare: { co: LuaState; ref: number } | undefined;

  constructor(private readonly L: LuaState) {}

  /**
   * Starts a run of the function on top of L's stack (with `nargs` arguments
   * above it); `done` is called when the run ends.
   */
  start(
    nargs: number,
    name: string,
    state: RunState,
    busyThresholdMs: number,
    done: () => void,
  ): ScriptRun {
    const L = this.L;
    let thread = this.#spare;
    this.#spare = undefined;
    if (thread === undefined) {
      const co: LuaState = lua.lua_newthread(L);
      thread = { co, ref: lauxlib.luaL_ref(L, LUA_REGISTRYINDEX) };
    }
    const { co, ref } = thread;
    lua.lua_xmove(L, co, nargs + 1);
    return new ScriptRun(co, name, state, busyThresholdMs, nargs, (reusable) => {
      if (reusable && this.#spare === undefined) {
        lua.lua_settop(co, 0);
        this.#spare = { co, ref };
      } else {
        lauxlib.luaL_unref(L, LUA_REGISTRYINDEX, ref);
      }
      done();
    });
  }
}

export function pushArray(L: LuaState, items: string[]): void {
  lua.lua_createtable(L, items.length, 0);
  items.forEach((item, i) => {
    pushBinary(L, item);
    lua.lua_rawseti(L, -2, i + 1);
  });
}

/** One execution of a script, resumable in slices. */
export class ScriptRun {
  readonly startedAt = Date.now();
  /** Set by SCRIPT KILL: the next hook raises the kill error. */
  killed = false;
  reply: RespValue = { type: "null" };
  done = false;

  constructor(
    private readonly co: LuaState,
    readonly name: string,
    private readonly state: RunState,
    private readonly busyThresholdMs: number,
    private nargs: number,
    /** `reusable`: the coroutine ended normally and may run again. */
    private readonly finish: (reusable: boolean) => void,
  ) {
    lua.lua_sethook(co, (L: LuaState) => this.#hook(L), LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
  }

  /** Whether the run has passed the busy threshold (other clients get -BUSY). */
  get busy(): boolean {
    return this.busyThresholdMs > 0 && Date.now() - this.startedAt >= this.busyThresholdMs;
  }

  #hook(L: LuaState): void {
    if (this.killed) {
      // Every following line raises again, so a pcall in the script cannot swallow the kill.
      lua.lua_sethook(L, (L: LuaState) => this.#hook(L), LUA_MASKLINE, 0);
      pushErrorTable(L, "Script killed by user with SCRIPT KILL...");
      lua.lua_error(L);
    }
    if (this.busy && lua.lua_isyieldable(L)) lua.lua_yield(L, 0);
  }

  /** Runs the next slice. Returns true when the script finished (`reply` is set). */
  resume(): boolean {
    if (this.done) return true;
    const co = this.co;
    try {
      const status = lua.lua_resume(co, null, this.nargs);
      this.nargs = 0;
      if (status === LUA_YIELD) return false;
      if (status === LUA_OK) {
        lua.lua_settop(co, 1);
        this.reply = popReply(co, this.state.resp);
      } else {
        this.reply = { type: "error", value: this.#errorText() };
      }
    } catch (err) {
      // A fault of the runtime itself (not a Lua error): the run still ends cleanly.
      this.reply = { type: "error", value: `ERR ${err instanceof Error ? err.message : err}` };
    }
    this.done = true;
    lua.lua_sethook(co, null, 0, 0);
    this.finish(lua.lua_status(co) === LUA_OK);
    return true;
  }

  /** The error reply for a failed run: Redis's err handler adds where the error was raised. */
  #errorText(): string {
    const co = this.co;
    let message: string;
    let ignoreStats = false;
    lua.lua_checkstack(co, 4);
    if (lua.lua_type(co, -1) === LUA_TTABLE) {
      lua.lua_getfield(co, -1, lit("err"));
      message = lua.lua_type(co, -1) === LUA_TSTRING ? toBinary(co, -1)! : "ERR unknown error";
      lua.lua_getfield(co, -2, lit("ignore_error_stats_update"));
      ignoreStats = lua.lua_toboolean(co, -1);
      lua.lua_pop(co, 2);
    } else {
      message = `ERR ${toBinary(co, -1) ?? "execution failure"}`;
    }
    this.errorStatsCounted = ignoreStats;
    const where = this.#where();
    return where === undefined ? message : `${message} script: ${this.name}, on ${where}.`;
  }

  /** Whether the error came from a command whose own failure was already counted in stats. */
  errorStatsCounted = false;

  #where(): string | undefined {
    const ar = new lua.lua_Debug();
    for (let level = 0; level < 2; level++) {
      if (!lua.lua_getstack(this.co, level, ar)) return undefined;
      lua.lua_getinfo(this.co, lit("Sl"), ar);
      const what = String.fromCharCode(...ar.what);
      if (what === "Lua" || what === "main") {
        return `${String.fromCharCode(...ar.source)}:${ar.currentline}`;
      }
    }
    return undefined;
  }
}
