/**
 * Redis 7 functions (functions.c, function_lua.c): libraries loaded with
 * FUNCTION LOAD (`#!lua name=<lib>` then code that calls
 * redis.register_function), their functions called by FCALL, and the
 * FUNCTION DUMP/RESTORE payload (RDB_OPCODE_FUNCTION2 records, RDB version,
 * CRC-64), compatible with Redis's.
 *
 * Functions live in their own Lua state. Its globals table is an empty
 * read-only proxy whose __index points at the full scripting environment
 * while functions run, and at a minimal API (redis.register_function,
 * redis.log) while a library's code is being loaded — as in Redis.
 */
import {
  engineNotFound,
  FUNCTION_LOAD_TIMEOUT,
  FUNCTION_PAYLOAD_INVALID,
  FUNCTION_PAYLOAD_LOAD_FAILED,
  FUNCTION_PAYLOAD_NOT_FUNCTION,
  functionCompileError,
  functionExists,
  functionRegisterError,
  LIBRARY_METADATA_INVALID,
  LIBRARY_METADATA_MISSING,
  LIBRARY_NAME_MISSING,
  LIBRARY_NAME_REPEATED,
  LIBRARY_NAME_RULE,
  libraryError,
  libraryExists,
  libraryExistsOnRestore,
  libraryMetadataValue,
  NO_FUNCTIONS_REGISTERED,
  REGISTER_ARITY,
  REGISTER_CALLBACK_MISSING,
  REGISTER_CALLBACK_NOT_FUNCTION,
  REGISTER_DESCRIPTION_NOT_STRING,
  REGISTER_DUPLICATE,
  REGISTER_FIRST_NOT_STRING,
  REGISTER_FLAGS_NOT_TABLE,
  REGISTER_KEY_NOT_STRING,
  REGISTER_NAME_MISSING,
  REGISTER_NAME_NOT_STRING,
  REGISTER_NAMED_NOT_TABLE,
  REGISTER_OUTSIDE_LOAD,
  REGISTER_SECOND_NOT_FUNCTION,
  REGISTER_UNKNOWN_ARGUMENT,
  REGISTER_UNKNOWN_FLAG,
  scriptRaised,
} from "../errors.ts";
import { binaryToBytes, bytesToBinary, noteKeyArgument } from "../../protocol/bytes.ts";
import { splitArgs } from "../../protocol/inline.ts";
import { Crc64, crc64 } from "../persistence/crc64.ts";
import { RdbDecoder } from "../persistence/rdb_reader.ts";
import { Opcode, RDB_VERSION, RdbEncoder } from "../persistence/rdb_writer.ts";
import { pushErrorTable } from "./convert.ts";
import { Coroutines, pushArray, type ScriptRun } from "./engine.ts";
import { SCRIPT_FLAGS, ScriptError } from "./shebang.ts";
import { createScriptState, protectRecursively, Rand48, setErrorMetatable } from "./environment.ts";
import { escapeTooLargeMessage, quoteTokens51, rewriteEscapes51 } from "./lexer51.ts";
import { fixMessage51, rewriteSyntax51 } from "./syntax51.ts";
import {
  forgetKnownStrings,
  getField,
  lauxlib,
  lit,
  lua,
  LUA_MASKCOUNT,
  LUA_OK,
  LUA_REGISTRYINDEX,
  LUA_TFUNCTION,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaState,
  type LuaValue,
  pushValue,
  setReadonly,
  toBinary,
  toLua,
  topValue,
} from "./lua.ts";
import { type RunState, type ScriptHost, setLogAndVersion } from "./redis_api.ts";

export interface FunctionInfo {
  name: string;
  description: string | undefined;
  flags: Set<string>;
  library: LibraryInfo;
  /** The callback, in the Lua registry. */
  ref: number;
  /** The same callback as a Lua value, pushed for each call without a registry lookup. */
  fn: LuaValue;
}

export interface LibraryInfo {
  name: string;
  engine: "LUA";
  /** The whole code given to FUNCTION LOAD, shebang included. */
  code: string;
  functions: Map<string, FunctionInfo>;
}

/** Redis's LOAD_TIMEOUT_MS: a library's code must finish registering within it. */
const LOAD_TIMEOUT_MS = 500;
const LUA_RIDX_GLOBALS = 2;
const NAME_RULE = /^[A-Za-z0-9_]+$/;
function fail(message: string): never {
  throw new ScriptError(libraryError(message));
}

/** Parses `#!<engine> name=<library>` (functionExtractLibMetaData): engine, name, code after the shebang. */
export function parseLibraryMetadata(code: string): { engine: string; name: string; body: string } {
  if (!code.startsWith("#!")) fail(LIBRARY_METADATA_MISSING);
  const end = code.indexOf("\n");
  if (end < 0) fail(LIBRARY_METADATA_INVALID);
  const parts = splitArgs(code.slice(0, end));
  if (parts === undefined || parts.length === 0) fail(LIBRARY_METADATA_INVALID);
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() !== "name=") fail(libraryMetadataValue(part));
    if (name !== undefined) fail(LIBRARY_NAME_REPEATED);
    name = part.slice(5);
  }
  if (name === undefined) fail(LIBRARY_NAME_MISSING);
  // code starts with "#!", so the first part does.
  return { engine: parts[0]!.slice(2), name, body: code.slice(end) };
}

/** Libraries and functions by lower-cased name: Redis looks both up case-insensitively. */
export class FunctionLibraries {
  readonly libraries = new Map<string, LibraryInfo>();
  readonly functions = new Map<string, FunctionInfo>();
  #L!: LuaState;
  #rand = new Rand48();
  #current: RunState | undefined;
  /** What each run's redis.* functions see, one object for every run in turn (they never overlap). */
  #state: RunState | undefined;
  /** The library whose code is running under FUNCTION LOAD. */
  #loading: LibraryInfo | undefined;
  #proxyMetaRef = 0;
  #globalsRef = 0;
  #libraryApiRef = 0;

  constructor() {
    this.#reset();
  }

  #threads!: Coroutines;
  readonly #ended = (): void => {
    this.#current = undefined;
  };

  #reset(): void {
    const L = createScriptState(this.#rand, () => this.#current, true);
    this.#L = L;
    this.#threads = new Coroutines(L);
    lua.lua_pushglobaltable(L);
    this.#globalsRef = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    // What library code sees while it loads: only redis.register_function, redis.log and the version.
    lua.lua_newtable(L);
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, (L: LuaState) => this.#registerFunction(L));
    lua.lua_setfield(L, -2, lit("register_function"));
    setLogAndVersion(L, () => this.#current);
    setErrorMetatable(L);
    lua.lua_setfield(L, -2, lit("redis"));
    setErrorMetatable(L);
    protectRecursively(L);
    this.#libraryApiRef = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    // The globals every chunk captures: an empty read-only proxy.
    lua.lua_newtable(L);
    lua.lua_newtable(L);
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#globalsRef);
    lua.lua_setfield(L, -2, lit("__index"));
    setReadonly(L, -1, true);
    lua.lua_pushvalue(L, -1);
    this.#proxyMetaRef = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    lua.lua_setmetatable(L, -2);
    setReadonly(L, -1, true);
    lua.lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  }

  /** Points the globals proxy at the full environment or at the load-time API. */
  #setGlobalsView(ref: number): void {
    const L = this.#L;
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#proxyMetaRef);
    setReadonly(L, -1, false);
    lua.lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua.lua_setfield(L, -2, lit("__index"));
    setReadonly(L, -1, true);
    lua.lua_pop(L, 1);
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=..., ...}. */
  #registerFunction(L: LuaState): number {
    const library = this.#loading;
    const raise = (message: string): number => {
      pushErrorTable(L, message);
      return lua.lua_error(L);
    };
    if (library === undefined) {
      return raise(REGISTER_OUTSIDE_LOAD);
    }
    const argc = lua.lua_gettop(L);
    if (argc < 1 || argc > 2) return raise(REGISTER_ARITY);
    const args = argc === 1 ? readNamedArgs(L) : readPositionalArgs(L);
    if (typeof args === "string") return raise(args);
    if (!NAME_RULE.test(args.name)) return raise(LIBRARY_NAME_RULE);
    if (library.functions.has(args.name.toLowerCase())) {
      return raise(REGISTER_DUPLICATE);
    }
    lua.lua_pushvalue(L, args.callbackIndex);
    const fn = topValue(L);
    const ref = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
    library.functions.set(args.name.toLowerCase(), { ...args, library, ref, fn });
    return 0;
  }

  /** Compiles a library and runs its code to collect its functions (not linked yet). */
  #create(code: string): LibraryInfo {
    const meta = parseLibraryMetadata(code);
    if (!NAME_RULE.test(meta.name)) fail(LIBRARY_NAME_RULE);
    if (meta.engine.toLowerCase() !== "lua") fail(engineNotFound(meta.engine));
    const L = this.#L;
    const library: LibraryInfo = { name: meta.name, engine: "LUA", code, functions: new Map() };
    const source = rewriteEscapes51(meta.body);
    if (typeof source !== "string") {
      fail(functionCompileError(escapeTooLargeMessage("user_function", source)));
    }
    const syntax = rewriteSyntax51(source);
    const body = toLua(typeof syntax === "string" ? syntax : syntax.source);
    if (lauxlib.luaL_loadbuffer(L, body, body.length, lit("@user_function")) !== LUA_OK) {
      const message = fixMessage51(quoteTokens51(toBinary(L, -1) ?? ""), syntax);
      lua.lua_pop(L, 1);
      fail(functionCompileError(message));
    }
    const started = Date.now();
    lua.lua_sethook(
      L,
      (L: LuaState) => {
        if (Date.now() - started < LOAD_TIMEOUT_MS) return;
        pushErrorTable(L, FUNCTION_LOAD_TIMEOUT);
        lua.lua_error(L);
      },
      LUA_MASKCOUNT,
      100_000,
    );
    this.#setGlobalsView(this.#libraryApiRef);
    this.#loading = library;
    const status = lua.lua_pcall(L, 0, 0, 0);
    this.#loading = undefined;
    this.#setGlobalsView(this.#globalsRef);
    lua.lua_sethook(L, null, 0, 0);
    if (status !== LUA_OK) {
      const message = errorMessage(L);
      lua.lua_pop(L, 1);
      this.#free(library);
      fail(functionRegisterError(message));
    }
    return library;
  }

  #free(library: LibraryInfo): void {
    for (const fn of library.functions.values()) {
      lauxlib.luaL_unref(this.#L, LUA_REGISTRYINDEX, fn.ref);
    }
  }

  #link(library: LibraryInfo): void {
    this.libraries.set(library.name.toLowerCase(), library);
    for (const [key, fn] of library.functions) this.functions.set(key, fn);
  }

  #unlink(library: LibraryInfo): void {
    this.libraries.delete(library.name.toLowerCase());
    for (const name of library.functions.keys()) this.functions.delete(name);
  }

  /** FUNCTION LOAD [REPLACE]: returns the library name. Throws ScriptError. */
  load(code: string, replace: boolean): string {
    const meta = parseLibraryMetadata(code);
    if (!NAME_RULE.test(meta.name)) fail(LIBRARY_NAME_RULE);
    const old = this.libraries.get(meta.name.toLowerCase());
    if (old !== undefined && !replace) {
      if (meta.engine.toLowerCase() !== "lua") fail(engineNotFound(meta.engine));
      fail(libraryExists(meta.name));
    }
    const library = this.#create(code);
    const clash = [...library.functions].find(([key]) => {
      const existing = this.functions.get(key);
      return existing !== undefined && existing.library !== old;
    });
    if (library.functions.size === 0 || clash !== undefined) {
      this.#free(library);
      fail(clash === undefined ? NO_FUNCTIONS_REGISTERED : functionExists(clash[1].name));
    }
    if (old !== undefined) {
      this.#unlink(old);
      this.#free(old);
    }
    this.#link(library);
    return library.name;
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const library = this.libraries.get(name.toLowerCase());
    if (library === undefined) return false;
    this.#unlink(library);
    this.#free(library);
    return true;
  }

  /** FUNCTION FLUSH: every library goes, with a fresh Lua state. */
  flush(): void {
    this.libraries.clear();
    this.functions.clear();
    this.#reset();
  }

  /** FUNCTION DUMP: one FUNCTION2 record per library, the RDB version and a CRC-64. */
  dump(compression: boolean): string {
    const enc = new RdbEncoder({ compression, checksum: false });
    for (const library of this.libraries.values()) {
      enc.byte(Opcode.FUNCTION2);
      enc.string(library.code);
    }
    enc.byte(RDB_VERSION & 0xff);
    enc.byte(RDB_VERSION >> 8);
    const crc = new Crc64();
    crc.update(enc.bytes());
    enc.raw(crc.bytes());
    return bytesToBinary(enc.bytes());
  }

  /** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]. Throws ScriptError. */
  restore(payload: string, policy: "flush" | "append" | "replace"): void {
    const codes = readFunctionPayload(payload);
    const created: LibraryInfo[] = [];
    try {
      for (const code of codes) created.push(this.#create(code));
    } catch (err) {
      created.forEach((library) => this.#free(library));
      throw err;
    }
    if (policy === "flush") {
      for (const library of [...this.libraries.values()]) this.delete(library.name);
    }
    const replaced = created
      .map((library) => this.libraries.get(library.name.toLowerCase()))
      .filter((old): old is LibraryInfo => old !== undefined);
    const abort = (message: string): never => {
      created.forEach((library) => this.#free(library));
      return fail(message);
    };
    const [existing] = replaced;
    if (existing !== undefined && policy !== "replace") {
      abort(libraryExistsOnRestore(existing.name));
    }
    for (const library of created) {
      for (const [key, fn] of library.functions) {
        const existing = this.functions.get(key);
        if (existing !== undefined && !replaced.includes(existing.library)) {
          abort(functionExists(fn.name));
        }
      }
    }
    for (const old of replaced) this.delete(old.name);
    created.forEach((library) => this.#link(library));
  }

  /** Starts a call of a registered function with its keys and arguments. */
  start(
    fn: FunctionInfo,
    argv: readonly string[],
    first: number,
    numkeys: number,
    host: ScriptHost,
    busyThresholdMs: number,
  ): ScriptRun {
    if (this.#current !== undefined) throw new Error("a script is already running");
    const co = this.#threads.next;
    forgetKnownStrings();
    // As EVAL's (engine.ts): commands on keys[1] find it from the request's bytes.
    if (numkeys > 0) noteKeyArgument(argv, first);
    pushValue(co, fn.fn);
    // New tables each call: a function may keep them (in its library's locals).
    pushArray(co, argv, first, first + numkeys);
    pushArray(co, argv, first + numkeys);
    const state = this.#state ??= { host, resp: 2 };
    state.host = host;
    state.resp = 2;
    this.#current = state;
    return this.#threads.start(2, fn.name, state, busyThresholdMs, this.#ended);
  }
}

/** The text of the error at the top, as Redis's luaExtractErrorInformation gives it. */
function errorMessage(L: LuaState): string {
  if (lua.lua_type(L, -1) === LUA_TTABLE) {
    getField(L, -1, "err");
    const message = toBinary(L, -1) ?? "";
    lua.lua_pop(L, 1);
    return message;
  }
  return scriptRaised(toBinary(L, -1) ?? "");
}

interface RegisterArgs {
  name: string;
  description: string | undefined;
  flags: Set<string>;
  callbackIndex: number;
}

function readFlags(L: LuaState, index: number): Set<string> | undefined {
  const flags = new Set<string>();
  for (let i = 1;; i++) {
    lua.lua_rawgeti(L, index, i);
    const type = lua.lua_type(L, -1);
    const flag = type === LUA_TSTRING ? toBinary(L, -1)!.toLowerCase() : undefined;
    lua.lua_pop(L, 1);
    if (type === 0) return flags;
    if (flag === undefined || !SCRIPT_FLAGS.includes(flag)) return undefined;
    flags.add(flag);
  }
}

function readNamedArgs(L: LuaState): RegisterArgs | string {
  if (lua.lua_type(L, 1) !== LUA_TTABLE) {
    return REGISTER_NAMED_NOT_TABLE;
  }
  let name: string | undefined;
  let description: string | undefined;
  let flags = new Set<string>();
  let callbackIndex = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1) !== 0) {
    if (!lua.lua_isstring(L, -2)) {
      return REGISTER_KEY_NOT_STRING;
    }
    const key = toBinary(L, -2)!.toLowerCase();
    if (key === "function_name") {
      if (!lua.lua_isstring(L, -1)) {
        return REGISTER_NAME_NOT_STRING;
      }
      name = toBinary(L, -1);
    } else if (key === "description") {
      if (!lua.lua_isstring(L, -1)) {
        return REGISTER_DESCRIPTION_NOT_STRING;
      }
      description = toBinary(L, -1);
    } else if (key === "callback") {
      if (lua.lua_type(L, -1) !== LUA_TFUNCTION) {
        return REGISTER_CALLBACK_NOT_FUNCTION;
      }
      // Kept below the iteration's key and value, so it survives until registered.
      lua.lua_pushvalue(L, -1);
      lua.lua_insert(L, 2);
      callbackIndex = 2;
    } else if (key === "flags") {
      if (lua.lua_type(L, -1) !== LUA_TTABLE) {
        return REGISTER_FLAGS_NOT_TABLE;
      }
      const read = readFlags(L, lua.lua_gettop(L));
      if (read === undefined) return REGISTER_UNKNOWN_FLAG;
      flags = read;
    } else return REGISTER_UNKNOWN_ARGUMENT;
    lua.lua_pop(L, 1);
  }
  if (name === undefined) return REGISTER_NAME_MISSING;
  if (callbackIndex === 0) return REGISTER_CALLBACK_MISSING;
  return { name, description, flags, callbackIndex };
}

function readPositionalArgs(L: LuaState): RegisterArgs | string {
  if (!lua.lua_isstring(L, 1)) return REGISTER_FIRST_NOT_STRING;
  if (lua.lua_type(L, 2) !== LUA_TFUNCTION) {
    return REGISTER_SECOND_NOT_FUNCTION;
  }
  return { name: toBinary(L, 1)!, description: undefined, flags: new Set(), callbackIndex: 2 };
}

/** The library codes in a FUNCTION DUMP payload. Throws ScriptError as FUNCTION RESTORE replies. */
export function readFunctionPayload(payload: string): string[] {
  const bytes = binaryToBytes(payload);
  const footer = bytes.length - 10;
  if (
    bytes.length < 10 || (bytes[footer]! | (bytes[footer + 1]! << 8)) > RDB_VERSION ||
    !crc64(bytes, 0, bytes.length - 8).matches(bytes, bytes.length - 8)
  ) {
    fail(FUNCTION_PAYLOAD_INVALID);
  }
  const dec = new RdbDecoder(bytes, 0, footer);
  const codes: string[] = [];
  try {
    while (dec.pos < footer) {
      const type = dec.byte();
      if (type !== Opcode.FUNCTION2) fail(FUNCTION_PAYLOAD_NOT_FUNCTION);
      codes.push(dec.string());
    }
  } catch (err) {
    if (err instanceof ScriptError) throw err;
    fail(FUNCTION_PAYLOAD_LOAD_FAILED);
  }
  return codes;
}
