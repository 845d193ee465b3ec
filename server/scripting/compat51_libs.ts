/**
 * The 5.1 library surface Redis 7.0's EVAL shows (compared key by key with
 * redis-server 7.0.15, docs/lua-vm.md): no 5.3-only library fields, 5.1's
 * argument rules where 5.3's differ, tables' `#` blind to `__len`, and the
 * `__redis__err__handler` global Redis defines for its own error reporting.
 */
import "fengari";
import lopcodes from "fengari/src/lopcodes.js";
import lstate from "fengari/src/lstate.js";
import lobject from "fengari/src/lobject.js";
import ltm from "fengari/src/ltm.js";
import lvm from "fengari/src/lvm.js";
import {
  lit,
  lua,
  LUA_REGISTRYINDEX,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaJsFunction,
  type LuaState,
  pushBinary,
  pushBytes,
  setGlobalFunction,
  toBinary,
} from "./lua.ts";
import { scriptRaised } from "../errors.ts";
import { replaceField } from "./compat51.ts";
import { sameBytes } from "../types/page_bytes.ts";

/**
 * 5.1's `#` of a table is its border, whatever its metatable says (only
 * userdata have `__len`). fengari's OP_LEN and lua_len look the table's
 * metamethod up through ltm's exported fasttm, so it answers none for `__len`.
 */
const TM_LEN: number = ltm.TMS.TM_LEN;
const originalFasttm = ltm.fasttm;
ltm.fasttm = (L: unknown, et: unknown, e: number) => e === TM_LEN ? null : originalFasttm(L, et, e);

/**
 * 5.1 says `invalid capture index` (a pattern's `%2`, a gsub replacement's
 * `%2` without that capture); 5.3 appends the index. Its string library
 * formats the text through lapi's lua_pushvfstring, which reaches lobject's
 * exported luaO_pushvfstring: that format gets 5.1's words.
 */
const CAPTURE_INDEX_53 = "invalid capture index %%%d";
const CAPTURE_INDEX_51 = new TextEncoder().encode("invalid capture index");
const originalPushvfstring = lobject.luaO_pushvfstring;
lobject.luaO_pushvfstring = (L: unknown, fmt: Uint8Array, argp: unknown[]) =>
  fmt.length === CAPTURE_INDEX_53.length && fmt[0] === 105 && sameBytes(fmt, 0, CAPTURE_INDEX_53)
    ? originalPushvfstring(L, CAPTURE_INDEX_51, [])
    : originalPushvfstring(L, fmt, argp);

/**
 * 5.1's lua_tointeger truncates a number toward zero (`string.sub(s, 2.7)`
 * starts at 2); 5.3's refuses one with a fraction ("number has no integer
 * representation"). lapi's lua_tointegerx, behind every library's
 * luaL_checkinteger, reads through lvm's exported tointeger. NaN and numbers
 * out of the integers' range are INT64_MIN, as x86-64's conversion makes them.
 */
const INT64_MIN = -(2 ** 63);
lvm.tointeger = (o: { ttisinteger(): boolean; value: number }) => {
  const n: number | false = o.ttisinteger() ? o.value : lvm.tonumber(o);
  if (n === false) return false;
  const i = Math.trunc(n) + 0;
  return Math.abs(i) < 2 ** 63 ? i : INT64_MIN;
};

/** Library fields Lua 5.3 added that Redis's 5.1 has not. */
const REMOVED_FIELDS: [string, string[]][] = [
  ["math", ["maxinteger", "mininteger", "tointeger", "type", "ult"]],
  ["string", ["pack", "packsize", "unpack"]],
  ["table", ["move", "pack", "unpack"]],
];

function removeFields(L: LuaState): void {
  for (const [table, fields] of REMOVED_FIELDS) {
    lua.lua_getglobal(L, lit(table));
    for (const field of fields) {
      lua.lua_pushnil(L);
      lua.lua_setfield(L, -2, lit(field));
    }
    lua.lua_pop(L, 1);
  }
}

/** 5.1's string.char: each argument truncated to an integer, 0..255 ("invalid value" otherwise). */
function char51(L: LuaState): number {
  const n = lua.lua_gettop(L);
  const bytes = new Uint8Array(n);
  for (let i = 1; i <= n; i++) {
    const c = Math.trunc(lua.luaL_checknumber(L, i));
    if (!(c >= 0 && c <= 255)) lua.luaL_argerror(L, i, lit("invalid value"));
    bytes[i - 1] = c;
  }
  pushBytes(L, bytes);
  return 1;
}

/** 5.1's ipairs iterator: raw reads. */
function ipairsNext(L: LuaState): number {
  const i = lua.luaL_checkinteger(L, 2) + 1;
  lua.luaL_checktype(L, 1, LUA_TTABLE);
  lua.lua_pushnumber(L, i);
  return lua.lua_rawgeti(L, 1, i) === LUA_TNIL ? 0 : 2;
}

const C_SPACE = /^[ \t\n\v\f\r]*/;
const INFINITY_TEXT = /^[ \t\n\v\f\r]*([+-]?)inf(inity)?[ \t\n\v\f\r]*$/i;
const ULONG_MAX = (1n << 64n) - 1n;

/** C's strtoul(s, &end, base) over the whole text (trailing spaces allowed): its value or undefined. */
function strtoulWhole(text: string, base: number): number | undefined {
  let i = C_SPACE.exec(text)![0].length;
  const negative = text[i] === "-";
  if (text[i] === "-" || text[i] === "+") i++;
  if (
    base === 16 && text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "X") &&
    !Number.isNaN(parseInt(text[i + 2] ?? "", 16))
  ) i += 2;
  let n = 0n;
  const start = i;
  for (; i < text.length; i++) {
    const digit = parseInt(text[i]!, 36);
    if (Number.isNaN(digit) || digit >= base) break;
    n = n * BigInt(base) + BigInt(digit);
  }
  if (i === start || C_SPACE.exec(text.slice(i))![0].length !== text.length - i) return undefined;
  if (n > ULONG_MAX) return Number(ULONG_MAX);
  return Number(negative && n !== 0n ? (1n << 64n) - n : n);
}

/**
 * 5.1's tonumber: in base 10 what the lexer reads (and strtod's "inf"); in
 * other bases strtoul's reading (a sign, 0x in base 16, wrapping negatives).
 */
function tonumber51(original: LuaJsFunction): LuaJsFunction {
  return (L) => {
    const base = lua.luaL_optinteger(L, 2, 10);
    if (base === 10) {
      lua.luaL_checkany(L, 1);
      lua.lua_settop(L, 1);
      original(L);
      const text = lua.lua_isnil(L, -1) ? toBinary(L, 1) : undefined;
      const inf = text === undefined ? null : INFINITY_TEXT.exec(text);
      if (inf) lua.lua_pushnumber(L, inf[1] === "-" ? -Infinity : Infinity);
      return 1;
    }
    const text = lua.luaL_checklstring(L, 1);
    lua.luaL_argcheck(L, base >= 2 && base <= 36, 2, lit("base out of range"));
    const n = strtoulWhole(toBinary(L, 1) ?? String(text), base);
    if (n === undefined) lua.lua_pushnil(L);
    else lua.lua_pushnumber(L, n);
    return 1;
  };
}

/** 5.1's find and match: an init past the end starts at the end (5.3 answers nil). */
function clampInit(original: LuaJsFunction): LuaJsFunction {
  return (L) => {
    if (lua.lua_type(L, 3) === LUA_TNUMBER) {
      lua.luaL_checklstring(L, 1);
      const end = lua.lua_rawlen(L, 1) + 1;
      if (lua.luaL_checkinteger(L, 3) > end) {
        lua.lua_pushnumber(L, end);
        lua.lua_replace(L, 3);
      }
    }
    return original(L);
  };
}

const LONE_ESCAPE = /%(?![0-9%])/;

/**
 * 5.1's gsub replacement string: `%` before anything but a digit stands for
 * that character, and a final `%` for a NUL (5.3 raises "invalid use of
 * '%'"). Such a string is rewritten into 5.3's form first.
 */
function gsub51(original: LuaJsFunction): LuaJsFunction {
  return (L) => {
    const type = lua.lua_type(L, 3);
    const text = type === LUA_TSTRING || type === LUA_TNUMBER ? toBinary(L, 3) : undefined;
    if (text !== undefined && LONE_ESCAPE.test(text)) {
      let out = "";
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (c !== "%") out += c;
        else {
          const next = text[++i] ?? "\0";
          out += next >= "0" && next <= "9" ? "%" + next : next === "%" ? "%%" : next;
        }
      }
      pushBinary(L, out);
      lua.lua_replace(L, 3);
    }
    return original(L);
  };
}

/** 5.1's argument rules where 5.3's library differs. */
function installArgumentRules(L: LuaState): void {
  // string.rep(s, n): no separator.
  replaceField(L, "string", "rep", (rep) => (L) => {
    if (lua.lua_gettop(L) > 2) lua.lua_settop(L, 2);
    return rep(L);
  });
  // string.char: fengari's raises a JavaScript TypeError for a byte out of range.
  lua.lua_getglobal(L, lit("string"));
  lua.lua_pushcfunction(L, char51);
  lua.lua_setfield(L, -2, lit("char"));
  lua.lua_pop(L, 1);
  // math.max and math.min need a first number (5.3: "value expected").
  for (const name of ["max", "min"]) {
    replaceField(L, "math", name, (f) => (L) => {
      lua.luaL_checknumber(L, 1);
      return f(L);
    });
  }
  // pairs and ipairs need a table; neither looks at __pairs or __index (5.3's do).
  lua.lua_getglobal(L, lit("next"));
  const next = lua.lua_tocfunction(L, -1);
  lua.lua_pop(L, 1);
  const pairsNext: LuaJsFunction = (L) => next(L);
  setGlobalFunction(L, "pairs", (L) => {
    lua.luaL_checktype(L, 1, LUA_TTABLE);
    lua.lua_pushcfunction(L, pairsNext);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushnil(L);
    return 3;
  });
  setGlobalFunction(L, "ipairs", (L) => {
    lua.luaL_checktype(L, 1, LUA_TTABLE);
    lua.lua_pushcfunction(L, ipairsNext);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushnumber(L, 0);
    return 3;
  });
  replaceField(L, "_G", "tonumber", tonumber51);
  replaceField(L, "string", "find", clampInit);
  replaceField(L, "string", "match", clampInit);
  replaceField(L, "string", "gsub", gsub51);
  // load takes a function only (strings are loadstring's).
  replaceField(L, "_G", "load", (load) => (L) => {
    lua.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
    lua.lua_settop(L, 2);
    return load(L);
  });
}

/**
 * 5.1 names a function in an argument error only from its call site
 * (`bad argument #1 to '?'` when pcall or another C function called it);
 * 5.3 falls back to searching package.loaded, which scripts cannot reach
 * (require and package are gone), so it is emptied.
 */
function forgetLoadedLibraries(L: LuaState): void {
  lua.lua_newtable(L);
  lua.lua_setfield(L, LUA_REGISTRYINDEX, lit("_LOADED"));
}

const CIST_LUA: number = lstate.CIST_LUA;
const OP_TAILCALL: number = lopcodes.OpCodesI.OP_TAILCALL;

/**
 * Where Redis's Lua `__redis__err__handler` looks with debug.getinfo: its
 * caller (level 2 there, 1 here, as this one is not a Lua function), or
 * the next one if that is a C function. A Lua caller that tail-called it
 * is 5.1's lost frame, `=(tail call)` at line -1.
 */
function pushErrorPlace(L: LuaState, err: number): void {
  const ar = new lua.lua_Debug();
  if (!lua.lua_getstack(L, 1, ar)) return;
  lua.lua_getinfo(L, lit("Sl"), ar);
  const ci = ar.i_ci;
  let source: Uint8Array | string = ar.source;
  let line: number = ar.currentline;
  if ((ci.callstatus & CIST_LUA) !== 0 && ci.l_code[ci.l_savedpc - 1].opcode === OP_TAILCALL) {
    source = "=(tail call)";
    line = -1;
  } else if ((ci.callstatus & CIST_LUA) === 0) {
    if (!lua.lua_getstack(L, 2, ar)) return;
    lua.lua_getinfo(L, lit("Sl"), ar);
    source = ar.source;
    line = ar.currentline;
  }
  if (typeof source === "string") pushBinary(L, source);
  else lua.lua_pushstring(L, source);
  lua.lua_setfield(L, err, lit("source"));
  lua.lua_pushnumber(L, line);
  lua.lua_setfield(L, err, lit("line"));
}

/**
 * Redis 7.0's `__redis__err__handler` (EVAL's globals only): an error table
 * with the error's source and line.
 */
export function redisErrorHandler(L: LuaState): number {
  lua.lua_settop(L, 1);
  if (lua.lua_type(L, 1) !== LUA_TTABLE) {
    lua.lua_newtable(L);
    lua.lua_getglobal(L, lit("tostring"));
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 1);
    const text = scriptRaised(toBinary(L, -1) ?? "");
    lua.lua_pop(L, 1);
    pushBinary(L, text);
    lua.lua_setfield(L, -2, lit("err"));
    lua.lua_replace(L, 1);
  }
  pushErrorPlace(L, 1);
  return 1;
}

/** Installs the 5.1 library surface on a state opened with the 5.3 libraries. */
export function installLua51Libraries(L: LuaState): void {
  removeFields(L);
  installArgumentRules(L);
  forgetLoadedLibraries(L);
}
