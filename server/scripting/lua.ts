/**
 * The Lua VM: fengari (Lua 5.3 in JavaScript, npm `fengari`), adjusted so that
 * the behaviours Redis scripts rely on are Lua 5.1's (see docs/lua-vm.md):
 *
 * - Numbers are floats. fengari's integers are 32-bit and wrap around
 *   (`0x100000000` is 0, `2147483647 + 1` is negative), which would silently
 *   corrupt timestamps and scores; 5.1 has only doubles. Every numeral, every
 *   `tonumber` and every string coercion therefore yields a float.
 * - Floats print as 5.1 prints them (`%.14g`): `tostring(10/2)` is `"5"`,
 *   `1e15` is `"1e+15"`, infinity is `"inf"`.
 * - Tables can be made read-only, as in Redis's patched Lua 5.1: an assignment
 *   to one raises `Attempt to modify a readonly table`.
 *
 * fengari ships no TypeScript types, so its API is typed loosely here; the
 * rest of server/scripting/ uses it through the helpers below.
 */
// First: it patches a function fengari's VM takes when it loads.
import { NEGATIVE_NAN, signBit } from "./arith51.ts";
import fengari from "fengari";
import lobject from "fengari/src/lobject.js";
import lstring from "fengari/src/lstring.js";
import ltable from "fengari/src/ltable.js";
import ldebug from "fengari/src/ldebug.js";
import lvm from "fengari/src/lvm.js";
import "./lua_calls.ts";
import "./lua_tables.ts";
import { binaryToBytes, bytesToBinary, requestKey, writeBinary } from "../../protocol/bytes.ts";
import { READONLY_TABLE_ERROR } from "../errors.ts";
import { sameBytes } from "../types/page_bytes.ts";

// deno-lint-ignore no-explicit-any
type LooseApi = Record<string, any>;
/** A Lua state or thread (fengari's lua_State object). */
export type LuaState = { readonly __luaState: unique symbol };
/** A JavaScript function callable from Lua: takes the state, returns how many results it pushed. */
export type LuaJsFunction = (L: LuaState) => number;

/** The core API and the auxiliary library (luaL_*) in one namespace. */
export const lua: LooseApi = { ...fengari.lua, ...fengari.lauxlib };
export const lauxlib: LooseApi = fengari.lauxlib;
export const lualib: LooseApi = fengari.lualib;

export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_TNIL = 0;
export const LUA_TBOOLEAN = 1;
export const LUA_TLIGHTUSERDATA = 2;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_TTABLE = 5;
export const LUA_TFUNCTION = 6;
export const LUA_TUSERDATA = 7;
export const LUA_TTHREAD = 8;
/** A hook's event: a count hook's (LUA_HOOKCOUNT), else a line's. */
export const LUA_HOOKCOUNT = 3;
export const LUA_REGISTRYINDEX: number = lua.LUA_REGISTRYINDEX;
export const LUA_MULTRET = -1;
export const LUA_MASKCOUNT: number = lua.LUA_MASKCOUNT;
export const LUA_MASKLINE: number = lua.LUA_MASKLINE;

/** Lua's LUA_IDSIZE: the longest chunk name a message shows. */
const LUA_IDSIZE = 60;

/** Lua strings are byte arrays; the server's strings are binary strings (one char per byte). */
export function toLua(s: string): Uint8Array {
  return binaryToBytes(s);
}

/** The value at `idx` as a binary string (numbers converted as Lua does), or undefined. */
export function toBinary(L: LuaState, idx: number): string | undefined {
  const bytes: Uint8Array | null = lua.lua_tolstring(L, idx);
  return bytes === null ? undefined : bytesToBinary(bytes);
}

/**
 * Lua strings are Uint8Arrays, and a new ArrayBuffer costs V8 ~180 ns (its
 * backing store, then its sweeping), a view of one ~25 ns: the short strings
 * pushed for scripts (keys, arguments, replies) are views into a shared slab.
 * Lua strings are never written, so sharing is safe; a string kept alive keeps
 * at most one slab with it.
 */
const SLAB_BYTES = 4096;
const SLAB_STRING_MAX = 256;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Room for a Lua string of `len` bytes, for the caller to fill before pushing it. */
export function luaBytes(len: number): Uint8Array {
  if (len > SLAB_STRING_MAX) return new Uint8Array(len);
  if (slabUsed + len > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  // The constructor, not subarray(): half the cost (no species lookup).
  const bytes = new Uint8Array(slab, slabUsed, len);
  slabUsed += len;
  return bytes;
}

export function pushBinary(L: LuaState, s: string): void {
  const bytes = luaBytes(s.length);
  writeBinary(bytes, 0, s);
  pushBytes(L, bytes);
}

/**
 * Pushes `bytes` as a Lua string, which owns them from then on (lua_pushlstring
 * would copy them): the caller must not change them.
 */
export function pushBytes(L: LuaState, bytes: Uint8Array): void {
  const ts = lstring.luaS_bless(L, bytes);
  const l = L as unknown as LooseApi;
  const slot = l.stack[l.top];
  if (slot === undefined) lobject.pushsvalue2s(L, ts);
  else {
    slot.setsvalue(ts);
    l.top++;
  }
}

/**
 * Pushes a number (lua_pushnumber), into the value object the slot above the
 * top kept, if any, as the interpreter's own steps do (lua_calls.ts adjustTop).
 */
export function pushNumber(L: LuaState, n: number): void {
  const l = L as unknown as LooseApi;
  const slot = l.stack[l.top];
  if (slot === undefined) lua.lua_pushnumber(L, n);
  else {
    slot.setfltvalue(n);
    l.top++;
  }
}

/** A Lua value held outside any stack (fengari's TValue), a copy of one that was on it. */
export type LuaValue = { readonly __luaValue: unique symbol };

/** A copy of the value at the top of the stack. */
export function topValue(L: LuaState): LuaValue {
  const o = (L as unknown as LooseApi).stack[(L as unknown as LooseApi).top - 1];
  return new lobject.TValue(o.type, o.value) as LuaValue;
}

/** The basic type (LUA_T*) of the value at the top of the stack (there must be one). */
export function topType(L: LuaState): number {
  const l = L as unknown as LooseApi;
  return l.stack[l.top - 1].type & 0x0f;
}

/** The number at the top of the stack (topType is LUA_TNUMBER). */
export function topNumber(L: LuaState): number {
  const l = L as unknown as LooseApi;
  return l.stack[l.top - 1].value;
}

/**
 * Pushes a value held by topValue (a copy of it: the stack's slots are their
 * own), into the object the slot above the top kept, if any (as pushBytes).
 */
export function pushValue(L: LuaState, value: LuaValue): void {
  const l = L as unknown as LooseApi;
  const slot = l.stack[l.top];
  if (slot === undefined) lobject.pushobj2s(L, value);
  else {
    slot.setfrom(value);
    l.top++;
  }
}

/** Pushes a new table (lua_createtable) into the object the slot above the top kept, if any. */
export function pushNewTable(L: LuaState): LuaTable {
  const t = ltable.luaH_new(L);
  const l = L as unknown as LooseApi;
  const slot = l.stack[l.top];
  if (slot === undefined) l.stack[l.top] = new lobject.TValue(LUA_TTABLE, t);
  else slot.sethvalue(t);
  l.top++;
  return t;
}

/**
 * The arguments of the running JavaScript function, read straight off its
 * stack frame (lua_type and lua_tolstring check any index, and these run for
 * each argument of each redis.call). `i` counts from 1 up to `argCount(L)`.
 */
export function argCount(L: LuaState): number {
  const l = L as unknown as LooseApi;
  return l.top - l.ci.funcOff - 1;
}

function argSlot(L: LuaState, i: number): LooseApi {
  const l = L as unknown as LooseApi;
  return l.stack[l.ci.funcOff + i];
}

/** The basic type (LUA_T*) of argument `i`. */
export function argType(L: LuaState, i: number): number {
  return argSlot(L, i).type & 0x0f;
}

/** The bytes of argument `i`, a string (argType is LUA_TSTRING); they must not be changed. */
export function argBytes(L: LuaState, i: number): Uint8Array {
  return argSlot(L, i).value.realstring;
}

/** The value of argument `i`, a number (argType is LUA_TNUMBER). */
export function argNumber(L: LuaState, i: number): number {
  return argSlot(L, i).value;
}

/** Literals converted so far: the same few names are looked up on every call. */
const literals = new Map<string, Uint8Array>();
const LITERALS_MAX = 4096;

/** Text known to be ASCII (names, messages) as a Lua string; fengari copies it, so it is shared. */
export function lit(s: string): Uint8Array {
  let bytes = literals.get(s);
  if (bytes === undefined) {
    bytes = fengari.to_luastring(s) as Uint8Array;
    if (literals.size < LITERALS_MAX) literals.set(s, bytes);
  }
  return bytes;
}

/**
 * Literal names as Lua strings, each made once. lua_pushstring, lua_setfield
 * and lua_getfield copy the name they are given into a new Uint8Array every
 * time, and in Deno each one costs a backing store (~0.4-1.7 us): a status
 * reply's `{ok=...}` table paid it on every redis.call. A Lua string is never
 * written, so one serves every state.
 */
const literalStrings = new Map<string, unknown>();

function literalString(name: string): unknown {
  let ts = literalStrings.get(name);
  if (ts === undefined) {
    ts = lstring.luaS_bless(null, lit(name));
    if (literalStrings.size < LITERALS_MAX) literalStrings.set(name, ts);
  }
  return ts;
}

/** lua_pushstring of a literal name, without a copy. */
export function pushLiteral(L: LuaState, name: string): void {
  lobject.pushsvalue2s(L, literalString(name));
}

/** The table at `idx` (a negative index, below what the caller pushes next) as a stack value. */
function tableSlot(L: LuaState, idx: number): LooseApi {
  const l = L as unknown as LooseApi;
  return l.stack[l.top + idx];
}

/** lua_setfield(L, idx, name) for a literal name: `t[name]` = the value at the top, popped. */
export function setField(L: LuaState, idx: number, name: string): void {
  const l = L as unknown as LooseApi;
  const t = tableSlot(L, idx);
  pushLiteral(L, name);
  lvm.settable(L, t, l.stack[l.top - 1], l.stack[l.top - 2]);
  lua.lua_pop(L, 2);
}

/** lua_getfield(L, idx, name) for a literal name: pushes `t[name]`, returns its type. */
export function getField(L: LuaState, idx: number, name: string): number {
  const l = L as unknown as LooseApi;
  const t = tableSlot(L, idx);
  pushLiteral(L, name);
  lvm.luaV_gettable(L, t, l.stack[l.top - 1], l.top - 1);
  return l.stack[l.top - 1].type & 0x0f;
}

/**
 * lua_rawseti(L, -2, i): `t[i]` = the value at the top, popped, for the
 * table just below it. fengari pops with `delete`, which V8 runs in its
 * runtime (~70 ns a slot, the most of building a reply's table); an
 * emptied slot is `undefined` here, as lua_calls.ts leaves them.
 */
export function rawSetIndex(L: LuaState, i: number): void {
  const l = L as unknown as LooseApi;
  const top = l.top - 1;
  ltable.luaH_setint(l.stack[top - 1].value, i, l.stack[top]);
  l.stack[top] = undefined;
  l.top = top;
}

/** lua_rawset(L, -3): `t[key] = value` for the key and value at the top, both popped. */
export function rawSetPair(L: LuaState): void {
  const l = L as unknown as LooseApi;
  const top = l.top - 2;
  const t = l.stack[top - 1].value;
  ltable.luaH_setfrom(L, t, l.stack[top], l.stack[top + 1]);
  ltable.invalidateTMcache(t);
  l.stack[top + 1] = undefined;
  l.stack[top] = undefined;
  l.top = top;
}

/** How a chunk's name appears in its messages (`@user_script` as `user_script`, `[string "..."]`). */
export function chunkId(name: Uint8Array): string {
  return bytesToBinary(lobject.luaO_chunkid(name, LUA_IDSIZE));
}

/** Sets global `name` to `fn`. */
export function setGlobalFunction(L: LuaState, name: string, fn: LuaJsFunction): void {
  lua.lua_pushcfunction(L, fn);
  lua.lua_setglobal(L, lit(name));
}

/** Sets `t[name] = fn` for the table at the top of the stack. */
export function setFunction(L: LuaState, name: string, fn: LuaJsFunction): void {
  lua.lua_pushcfunction(L, fn);
  lua.lua_setfield(L, -2, lit(name));
}

/** Raises a Lua error with a plain message (no position prefix). */
export function raise(L: LuaState, message: string): never {
  pushBinary(L, message);
  lua.lua_error(L);
  throw new Error("unreachable: lua_error returned");
}

/** Formats a float as C's `%.14g`, which is how Lua 5.1 turns numbers into strings. */
export function formatLuaNumber(n: number): string {
  if (Number.isNaN(n)) return signBit(n) ? "-nan" : "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa = "", e] = n.toExponential(13).split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 14) {
    const m = stripZeros(mantissa);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return stripZeros(n.toFixed(13 - exp));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Whether `t` (a fengari Table) was marked read-only. */
function isReadonly(t: { readonly?: boolean }): boolean {
  return t.readonly === true;
}

/** Marks the table at `idx` read-only (or writable again). */
export function setReadonly(L: LuaState, idx: number, readonly: boolean): void {
  const t = lua.lua_topointer(L, idx) as { readonly?: boolean };
  t.readonly = readonly;
}

/** A Lua table: fengari's Table object, of which the functions below read its entries and maps. */
export interface LuaTable {
  readonly metatable: unknown;
  readonly strong: Map<unknown, unknown>;
  readonly dead_strong: Map<unknown, unknown>;
  readonly dead_weak: unknown;
  readonly f: TableEntry | undefined;
}

interface TableEntry {
  key: LuaValue & { value: unknown };
  value: LuaValue;
  n: TableEntry | undefined;
}

/** A value's basic type (LUA_T*). */
export function typeOf(v: LuaValue): number {
  return (v as unknown as LooseApi).type & 0x0f;
}

/** The number a value holds (typeOf is LUA_TNUMBER). */
export function numberOf(v: LuaValue): number {
  return (v as unknown as LooseApi).value;
}

/** The boolean a value holds (typeOf is LUA_TBOOLEAN). */
export function booleanOf(v: LuaValue): boolean {
  return (v as unknown as LooseApi).value;
}

/** The table a value holds (typeOf is LUA_TTABLE). */
export function tableOf(v: LuaValue): LuaTable {
  return (v as unknown as LooseApi).value;
}

/** Whether a value counts as true (neither nil nor false). */
export function isTrue(v: LuaValue): boolean {
  return !(v as unknown as LooseApi).l_isfalse();
}

/** The bytes of a string value (typeOf is LUA_TSTRING); they must not be changed. */
export function stringBytes(v: LuaValue): Uint8Array {
  return (v as unknown as LooseApi).value.realstring;
}

/** `t[i]`, raw, read in place (nil when absent): the value must not be kept or changed. */
export function rawItem(t: LuaTable, i: number): LuaValue {
  return ltable.luaH_getint(t, i);
}

/** `t[name]` for a literal name, raw, read in place as rawItem. */
export function rawField(t: LuaTable, name: string): LuaValue {
  return ltable.luaH_getstr(t, literalString(name));
}

/** The table at `idx`. */
export function tableAt(L: LuaState, idx: number): LuaTable {
  return lua.lua_topointer(L, idx) as LuaTable;
}

/**
 * Whether `t` is what a new array of `n` items would be: keys 1 to n
 * (integers) in that order and nothing else, none removed since (no dead
 * keys, which `next` would still walk from), no metatable.
 */
export function isPlainArray(t: LuaTable, n: number): boolean {
  if (t.metatable !== null || t.strong.size !== n) return false;
  if (t.dead_strong.size !== 0 || t.dead_weak !== undefined) return false;
  let entry = t.f;
  for (let i = 1; i <= n; i++) {
    if (entry === undefined || entry.key.value !== i) return false;
    entry = entry.n;
  }
  return true;
}

/** The value luaH_setint copies into a table's slot (it keeps no reference to it). */
const scratch = new lobject.TValue(LUA_TNIL, null);

/** Sets `t[i]` to the binary string `s`, as lua_rawseti would without a trip through the stack. */
export function setStringItem(t: LuaTable, i: number, s: string): void {
  scratch.setsvalue(lstring.luaS_bless(null, knownBytes(s)));
  ltable.luaH_setint(t, i, scratch);
}

/**
 * Sets the items of `t`, a plain array of `to - from` items (isPlainArray),
 * to the binary strings `items[from, to)`, in place. An item whose Lua string
 * has the same bytes keeps it: a script run again with a same argument (a
 * constant ARGV, a hot key) then stores no new string into its long-lived
 * KEYS or ARGV table, which each young one costs the next scavenge. Lua
 * strings are values: the script sees the same.
 */
export function refillStrings(
  t: LuaTable,
  items: readonly string[],
  from: number,
  to: number,
): void {
  let entry = t.f;
  for (let i = from; i < to; i++) {
    const s = items[i]!;
    const value = entry!.value;
    const bytes = typeOf(value) === LUA_TSTRING ? stringBytes(value) : undefined;
    if (bytes !== undefined && bytes.length === s.length && sameBytes(bytes, 0, s)) {
      remember(bytes, s);
    } else (value as unknown as LooseApi).setsvalue(lstring.luaS_bless(null, knownBytes(s)));
    entry = entry!.n;
  }
}

/**
 * The binary strings a run's KEYS and ARGV (a function's keys and args) were
 * made from, by the bytes of the Lua strings made for them. Scripts pass
 * KEYS[i] and ARGV[i] straight to redis.call, which decoded the bytes back
 * into a new string each time (a copy, and 20-80 ns); looking the bytes up
 * here by identity (~1 ns an entry) finds the very string instead. A Lua
 * string's bytes are never written, so they always stand for the string they
 * were made from, whichever run asks. The first KNOWN_MAX of a run only.
 */
const KNOWN_MAX = 16;
const knownArrays: (Uint8Array | undefined)[] = new Array(KNOWN_MAX).fill(undefined);
const knownStrings: (string | undefined)[] = new Array(KNOWN_MAX).fill(undefined);
let knownCount = 0;

/** The bytes of a new Lua string for `s`, remembered for knownString. */
function knownBytes(s: string): Uint8Array {
  const bytes = luaBytes(s.length);
  if (s === requestKey.key) copyRequestKey(bytes);
  else writeBinary(bytes, 0, s);
  remember(bytes, s);
  return bytes;
}

/** Remembers the string `bytes` were made from, for knownString (the first KNOWN_MAX of a run). */
function remember(bytes: Uint8Array, s: string): void {
  const n = knownCount;
  if (n < KNOWN_MAX) {
    knownArrays[n] = bytes;
    knownStrings[n] = s;
    knownCount = n + 1;
  }
}

/**
 * The request's key's bytes (the first of KEYS, noted by the engine), copied
 * from those it was made from: a byte loop, where encoding its string reads
 * each char through a check of the string's form.
 */
function copyRequestKey(bytes: Uint8Array): void {
  const from = requestKey.bytes;
  const start = requestKey.start;
  for (let i = 0; i < bytes.length; i++) bytes[i] = from[start + i]!;
}

/** The string a run's KEYS or ARGV item with these very bytes was made from, if any. */
export function knownString(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < knownCount; i++) {
    if (knownArrays[i] === bytes) return knownStrings[i];
  }
  return undefined;
}

/** Drops the strings remembered for the last run (they may be large). */
export function forgetKnownStrings(): void {
  for (let i = 0; i < knownCount; i++) knownArrays[i] = knownStrings[i] = undefined;
  knownCount = 0;
}

export function tableIsReadonly(L: LuaState, idx: number): boolean {
  const t = lua.lua_topointer(L, idx) as { readonly?: boolean } | null;
  return t !== null && isReadonly(t);
}

const TYPE_ERROR_53 = /attempt to ([a-z ]+?) a (\w+) value \((\w+) '(.*)'\)$/;

/** Rewrites the error message being raised (at the top of L's stack) into 5.1's form. */
function rewriteTypeError(L: LooseApi): void {
  const o = L.stack[L.top - 1];
  if (o === undefined || !o.ttisstring()) return;
  const message = bytesToBinary(o.svalue());
  const m = TYPE_ERROR_53.exec(message);
  if (m === null) return;
  const rewritten = message.slice(0, m.index) +
    `attempt to ${m[1]} ${m[3]} '${m[4]}' (a ${m[2]} value)`;
  o.setsvalue(lstring.luaS_bless(L, binaryToBytes(rewritten)));
}

const STRTOD_WORDS =
  /^[ \t\n\v\f\r]*([+-]?)(?:(inf(?:inity)?)|nan(?:\([0-9A-Za-z_]*\))?)[ \t\n\v\f\r]*$/i;

/**
 * What 5.1's string-to-number (C's strtod) reads beyond 5.3's: `inf`,
 * `infinity`, `nan`, `nan(...)`, signed, any case (`'inf' + 1`,
 * `tonumber('nan')`). Its size as luaO_str2num's (length + 1), or 0.
 */
function strtodWords(s: Uint8Array, o: LooseApi): number {
  const length = s[s.length - 1] === 0 ? s.length - 1 : s.length;
  if (length < 3 || length > 64) return 0;
  const m = STRTOD_WORDS.exec(bytesToBinary(s, 0, length));
  if (m === null) return 0;
  const negative = m[1] === "-";
  o.setfltvalue(
    m[2] === undefined ? (negative ? NEGATIVE_NAN : NaN) : negative ? -Infinity : Infinity,
  );
  return length + 1;
}

const HEX_NUMERAL = /^\s*([-+]?)0[xX]([0-9a-fA-F]+)\s*$/;

function installPatches(): void {
  // Numerals and string coercions: always floats; hex numerals are not wrapped to 32 bits.
  const str2num = lobject.luaO_str2num;
  lobject.luaO_str2num = (s: Uint8Array, o: LooseApi): number => {
    const size = str2num(s, o);
    if (size === 0) return strtodWords(s, o);
    if (size !== 0 && o.ttisinteger()) {
      const hex = HEX_NUMERAL.exec(
        bytesToBinary(s, 0, s[s.length - 1] === 0 ? s.length - 1 : s.length),
      );
      const value = hex === null ? o.value : (hex[1] === "-" ? -1 : 1) * parseInt(hex[2] ?? "", 16);
      o.setfltvalue(value);
    }
    return size;
  };
  lobject.luaO_tostring = (L: LooseApi, o: LooseApi): void => {
    const text = o.ttisinteger() ? String(o.value) : formatLuaNumber(o.value);
    // In the slab: a Uint8Array of its own costs Deno a backing store (~0.4-1.7 us).
    const bytes = luaBytes(text.length);
    writeBinary(bytes, 0, text);
    o.setsvalue(lstring.luaS_bless(L, bytes));
  };
  // Type errors in Lua 5.1's words: "attempt to call global 'f' (a nil value)".
  for (const name of ["luaG_typeerror", "luaG_concaterror", "luaG_opinterror"]) {
    const raise = ldebug[name];
    ldebug[name] = (L: LooseApi, ...args: unknown[]): void => {
      try {
        raise(L, ...args);
      } catch (err) {
        rewriteTypeError(L);
        throw err;
      }
    };
  }
  const setfrom = ltable.luaH_setfrom;
  ltable.luaH_setfrom = (L: LooseApi, t: LooseApi, key: unknown, value: unknown): void => {
    if (isReadonly(t)) ldebug.luaG_runerror(L, fengari.to_luastring(READONLY_TABLE_ERROR));
    setfrom(L, t, key, value);
  };
}

installPatches();
