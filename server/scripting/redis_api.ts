/**
 * The `redis` table scripts see (Redis 7.0's script_lua.c): call, pcall,
 * error_reply, status_reply, sha1hex, log, setresp, set_repl,
 * replicate_commands, breakpoint, debug, acl_check_cmd, the LOG_* and REPL_*
 * constants and the version. Commands run through the current run's host.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import {
  LUA_ACL_CHECK_UNKNOWN,
  LUA_BAD_COMMAND_ARG,
  LUA_LOG_ARITY,
  LUA_LOG_LEVEL_INVALID,
  LUA_LOG_LEVEL_NOT_NUMBER,
  LUA_NO_COMMAND_ARGS,
  LUA_REPLY_FIELD_ARGS,
  LUA_SET_REPL_ARITY,
  LUA_SET_REPL_FLAGS,
  LUA_SETRESP_ARITY,
  LUA_SETRESP_VERSION,
  LUA_WRONG_ARITY,
  outsideScript,
} from "../errors.ts";
import { pushErrorTable, pushReplyBytes, type ReplyBytes } from "./convert.ts";
import {
  argBytes,
  argCount,
  argNumber,
  argType,
  formatLuaNumber,
  knownString,
  lit,
  lua,
  LUA_TNUMBER,
  LUA_TSTRING,
  type LuaJsFunction,
  type LuaState,
  pushBinary,
  setField,
  setFunction,
  toBinary,
} from "./lua.ts";
import { sha1hex } from "./shebang.ts";
import type { ScriptRun } from "./engine.ts";

/** What a running script needs from the server. */
export interface ScriptHost {
  /**
   * Runs one command for the script and returns its reply as written in the
   * protocol `resp` (2 or 3, from redis.setresp), valid until the next call.
   * A refused command replies with an error; the host does all command checks.
   * `argv` is made for this call: the host may keep it.
   */
  call(argv: string[], resp: 2 | 3): ReplyBytes;
  /** Whether the calling user may run `argv`; undefined when the command does not exist. */
  aclCheck(argv: string[]): boolean | undefined;
  /** redis.log at a level 0 (debug) to 3 (warning). */
  log(level: number, message: string): void;
  /** redis.set_repl flags: 0 none, 1 AOF, 2 replicas, 3 all. */
  setRepl(flags: number): void;
}

/**
 * The Lua debugger of a run under SCRIPT DEBUG (server/scripting/ldb.ts):
 * what redis.* and the run's hook report to it.
 */
export interface LuaDebugger {
  /** Whether commands and errors are logged now (Redis's ldbIsEnabled: the session is stepping). */
  readonly logging: boolean;
  /** Adds an entry to the session's log. */
  log(entry: string): void;
  /** Logs a command's reply (`<reply>`, and `<error>` first for an error reply). */
  logReply(reply: ReplyBytes): void;
  /** redis.breakpoint(): stop at the next line. */
  breakpoint(): void;
  /** redis.debug(...): logs the arguments on the stack. */
  debug(L: LuaState): void;
  /** The line and count hook of the run's coroutine. */
  hook(L: LuaState, ar: unknown, run: ScriptRun): void;
}

/** The state of the script currently running, set by the engine around each run. */
export interface RunState {
  host: ScriptHost;
  resp: 2 | 3;
  /** The debugger of a run under SCRIPT DEBUG. */
  debug?: LuaDebugger | undefined;
}

export const REDIS_VERSION = "7.0.15";
export const REDIS_VERSION_NUM = 0x07000f;

/**
 * Redis's luaArgsToRedisArgv: strings as they are, numbers as %.17g. The
 * arguments stay on the stack: the reply pushed above them is the result.
 */
function argsToArgv(L: LuaState): string[] | string {
  const argc = argCount(L);
  if (argc === 0) return LUA_NO_COMMAND_ARGS;
  const argv = new Array<string>(argc);
  for (let i = 1; i <= argc; i++) {
    const type = argType(L, i);
    if (type === LUA_TNUMBER) argv[i - 1] = formatG17(argNumber(L, i));
    else if (type !== LUA_TSTRING) return LUA_BAD_COMMAND_ARG;
    else if (i === 1) argv[0] = commandName(argBytes(L, 1));
    else argv[i - 1] = argString(argBytes(L, i));
  }
  return argv;
}

/** A string argument's bytes as a binary string: KEYS' and ARGV's items are found, not decoded. */
function argString(bytes: Uint8Array): string {
  return knownString(bytes) ?? bytesToBinary(bytes);
}

/**
 * Command names decoded, by their Lua string's bytes. A script's command
 * names are constants of its code, the same bytes object on every call (Lua
 * strings are never written), so each is decoded once, and the command table
 * then finds the very string it saw before: ~10 ns against ~80 ns for a fresh
 * string's decode and hashed lookup. Weak: a name goes with its script.
 */
const commandNames = new WeakMap<Uint8Array, string>();

function commandName(bytes: Uint8Array): string {
  let name = commandNames.get(bytes);
  if (name === undefined) {
    name = bytesToBinary(bytes);
    commandNames.set(bytes, name);
  }
  return name;
}

/** C's `%.17g`. */
export function formatG17(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e17) return Object.is(n, -0) ? "-0" : String(n);
  if (!Number.isFinite(n)) return formatLuaNumber(n);
  const [mantissa = "", e] = n.toExponential(16).split("e");
  const exp = Number(e);
  const strip = (s: string) => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  if (exp < -4 || exp >= 17) {
    return `${strip(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return strip(n.toFixed(16 - exp));
}

function raiseTable(L: LuaState, message: string): number {
  pushErrorTable(L, message);
  return lua.lua_error(L);
}

function requireRun(L: LuaState, current: () => RunState | undefined, what: string): RunState {
  const run = current();
  if (run === undefined) raiseTable(L, outsideScript(what));
  return run!;
}

function genericCall(current: () => RunState | undefined, raiseError: boolean): LuaJsFunction {
  return (L) => {
    const run = requireRun(L, current, "redis.call/pcall");
    const argv = argsToArgv(L);
    if (typeof argv === "string") {
      if (run.debug?.logging) run.debug.log(`<error> ${argv}`);
      pushErrorTable(L, argv);
      return raiseError ? lua.lua_error(L) : 1;
    }
    const isError = pushReplyBytes(L, run.host.call(argv, run.resp), run.resp);
    if (raiseError && isError) return lua.lua_error(L);
    return 1;
  };
}

function singleField(field: string): LuaJsFunction {
  return (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== LUA_TSTRING) {
      pushErrorTable(L, LUA_REPLY_FIELD_ARGS);
      return 1;
    }
    if (field === "err") {
      const err = toBinary(L, -1)!;
      pushErrorTable(L, err.startsWith("-") ? err : `-${err}`);
      return 1;
    }
    lua.lua_newtable(L);
    lua.lua_pushvalue(L, -2);
    setField(L, -2, field);
    return 1;
  };
}

function log(current: () => RunState | undefined): LuaJsFunction {
  return (L) => {
    const argc = lua.lua_gettop(L);
    if (argc < 2) return raiseTable(L, LUA_LOG_ARITY);
    if (!lua.lua_isnumber(L, 1)) {
      return raiseTable(L, LUA_LOG_LEVEL_NOT_NUMBER);
    }
    const level = lua.lua_tonumber(L, 1);
    if (level < 0 || level > 3) return raiseTable(L, LUA_LOG_LEVEL_INVALID);
    const parts: string[] = [];
    for (let i = 2; i <= argc; i++) {
      const s = toBinary(L, i);
      if (s !== undefined) parts.push(s);
    }
    current()?.host.log(Math.trunc(level), parts.join(" "));
    return 0;
  };
}

function setConstants(L: LuaState, constants: [string, number][]): void {
  for (const [name, value] of constants) {
    lua.lua_pushnumber(L, value);
    lua.lua_setfield(L, -2, lit(name));
  }
}

/** Pushes the `redis` table; `current` returns the running script's state. */
export function pushRedisApi(L: LuaState, current: () => RunState | undefined): void {
  lua.lua_newtable(L);
  setFunction(L, "call", genericCall(current, true));
  setFunction(L, "pcall", genericCall(current, false));
  setFunction(L, "error_reply", singleField("err"));
  setFunction(L, "status_reply", singleField("ok"));
  setFunction(L, "sha1hex", (L) => {
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, LUA_WRONG_ARITY);
    pushBinary(L, sha1hex(toBinary(L, 1) ?? ""));
    return 1;
  });
  setLogAndVersion(L, current);
  setFunction(L, "setresp", (L) => {
    const run = requireRun(L, current, "redis.setresp");
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, LUA_SETRESP_ARITY);
    const resp = Math.trunc(lua.lua_tonumber(L, 1));
    if (resp !== 2 && resp !== 3) return raiseTable(L, LUA_SETRESP_VERSION);
    run.resp = resp;
    return 0;
  });
  setFunction(L, "set_repl", (L) => {
    const run = requireRun(L, current, "redis.set_repl");
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, LUA_SET_REPL_ARITY);
    const flags = Math.trunc(lua.lua_tonumber(L, 1));
    if ((flags & ~3) !== 0) {
      return raiseTable(
        L,
        LUA_SET_REPL_FLAGS,
      );
    }
    run.host.setRepl(flags);
    return 0;
  });
  setConstants(L, [["REPL_NONE", 0], ["REPL_AOF", 1], ["REPL_SLAVE", 2], ["REPL_REPLICA", 2], [
    "REPL_ALL",
    3,
  ]]);
  setFunction(L, "replicate_commands", (L) => {
    lua.lua_pushboolean(L, true);
    return 1;
  });
  setFunction(L, "breakpoint", (L) => {
    const debug = current()?.debug;
    debug?.breakpoint();
    lua.lua_pushboolean(L, debug !== undefined);
    return 1;
  });
  setFunction(L, "debug", (L) => {
    current()?.debug?.debug(L);
    return 0;
  });
  setFunction(L, "acl_check_cmd", (L) => {
    const run = requireRun(L, current, "redis.acl_check_cmd");
    const argv = argsToArgv(L);
    if (typeof argv === "string") return raiseTable(L, argv);
    const allowed = run.host.aclCheck(argv);
    if (allowed === undefined) {
      return raiseTable(L, LUA_ACL_CHECK_UNKNOWN);
    }
    lua.lua_pushboolean(L, allowed);
    return 1;
  });
}

/** redis.log, the LOG_* levels and the version fields, on the table at the top (also FUNCTION LOAD's API). */
export function setLogAndVersion(L: LuaState, current: () => RunState | undefined): void {
  setFunction(L, "log", log(current));
  setConstants(L, [["LOG_DEBUG", 0], ["LOG_VERBOSE", 1], ["LOG_NOTICE", 2], ["LOG_WARNING", 3]]);
  lua.lua_pushnumber(L, REDIS_VERSION_NUM);
  lua.lua_setfield(L, -2, lit("REDIS_VERSION_NUM"));
  pushBinary(L, REDIS_VERSION);
  lua.lua_setfield(L, -2, lit("REDIS_VERSION"));
}
