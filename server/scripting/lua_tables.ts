/**
 * fengari's table writes as its interpreter and API reach them, without a
 * Map cleared per new key; and strings' table keys that tell every string
 * apart (below).
 *
 * A fengari table keeps the keys removed from it in a second Map (so `next`
 * can go on from a key just set to nil), and forgets them whenever a key is
 * added: its `add` calls `dead_strong.clear()` for every new key, and V8's
 * Map.clear() allocates a new backing table even for an empty Map. That was
 * the largest single entry of building a reply's table (an LRANGE of 100
 * through redis.call), and it is paid by every table constructor and
 * `t[k] = v` of a new key in a script. Clearing only a Map that holds
 * something leaves exactly the same tables.
 *
 * lvm.js (table constructors, assignments, `#`) and lapi.js (rawset,
 * rawseti, next, rawlen) reach `luaH_new`, `luaH_setint`, `luaH_setfrom`,
 * `luaH_next` and `luaH_getn` through ltable's exports, which is what is
 * replaced here: each new key is also placed where Lua 5.1 keeps it
 * (lua51_layout.ts), and `next` and `#t` follow that. Removals (a nil value)
 * and keys that are light userdata go to fengari's own code (a table given
 * such a key walks in fengari's order from then on), and so does every read
 * of a key that is neither a number nor a string.
 */
// The package first: its modules load each other in an order their cycles need.
import "fengari";
import defs from "fengari/src/defs.js";
import ldebug from "fengari/src/ldebug.js";
import lobject from "fengari/src/lobject.js";
import lopcodes from "fengari/src/lopcodes.js";
import lstate from "fengari/src/lstate.js";
import lstring from "fengari/src/lstring.js";
import ltable from "fengari/src/ltable.js";
import { LUA_INVALID_NEXT_KEY } from "../errors.ts";
import {
  booleanCode,
  border,
  keyAt,
  type Layout51,
  newLayout,
  nextPosition,
  numberCode,
  objectCode,
  placeKey,
  positionOf,
  resize,
  stringCode,
} from "./lua51_layout.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const { LUA_TNIL, LUA_TNUMFLT, LUA_TNUMINT, LUA_TSHRSTR, LUA_TLNGSTR } = defs.constant_types;
const { LUA_TBOOLEAN, LUA_TLIGHTUSERDATA } = defs.constant_types;
const { OP_NEWTABLE, OP_SETLIST } = lopcodes.OpCodesI;
const CIST_LUA: number = lstate.CIST_LUA;
const TValue = lobject.TValue;
const luaS_hashlongstr = lstring.luaS_hashlongstr;

const originalSetint = ltable.luaH_setint;
const originalSetfrom = ltable.luaH_setfrom;
const originalGet = ltable.luaH_get;
const originalNext = ltable.luaH_next;
const originalGetn = ltable.luaH_getn;
const nilObject = lobject.luaO_nilobject;
const INVALID_NEXT_KEY = defs.to_luastring(LUA_INVALID_NEXT_KEY);

/** The code lua51_layout.ts places the key last given to keyHash by. */
let keyCode = 0;

/** A key's Map key as fengari's table_hash makes it (setting keyCode); undefined for nil, NaN, light userdata. */
function keyHash(key: Loose): unknown {
  const type = key.type, v = key.value;
  if (type === LUA_TSHRSTR || type === LUA_TLNGSTR) {
    keyCode = v.code51 ??= stringCode(v.realstring);
    return luaS_hashlongstr(v);
  }
  if (type === LUA_TNUMINT || type === LUA_TNUMFLT) {
    if (Number.isNaN(v)) return undefined;
    keyCode = numberCode(v);
    return v;
  }
  if (type === LUA_TBOOLEAN) {
    keyCode = booleanCode(v);
    return v;
  }
  if (type === LUA_TNIL || type === LUA_TLIGHTUSERDATA) return undefined;
  keyCode = objectCode(v);
  return v;
}

/**
 * Adds a new entry to `t` as fengari's `add` does, clearing the dead keys
 * only if any, and places its key as 5.1 would (`code`: its hash there).
 */
function add(t: Loose, hash: unknown, key: Loose, value: Loose, code: number): void {
  adding(t);
  if (t.dead_strong.size !== 0) t.dead_strong.clear();
  t.dead_weak = undefined;
  const layout: Layout51 | null | undefined = t.layout;
  if (layout !== null) placeKey(layout ?? (t.layout = newLayout(0, 0)), t.strong, hash, code);
  // The fields in fengari's order: every entry of every table has one shape.
  const entry = { key, value, p: t.l, n: undefined };
  if (t.l !== undefined) t.l.n = entry;
  else t.f = entry;
  t.l = entry;
  t.strong.set(hash, entry);
}

/**
 * A Map is the costliest part of a new table (~180 bytes), and fengari makes
 * two per table: its entries and its dead keys. A table that has none yet
 * shares one empty Map, never written: a table's first key gives it its own
 * entries (`adding`), its first removal its own dead keys (`removing`, as
 * fengari's mark_dead adds to them). Most tables never lose a key (a
 * function's KEYS and ARGV, a reply's array, `{ok=...}`), and an empty ARGV
 * never gets one.
 */
const EMPTY_MAP: Map<unknown, unknown> = new Map();

/** A new table as fengari's Table constructor makes it, sharing EMPTY_MAP for both Maps. */
class LazyTable {
  id: number;
  strong = EMPTY_MAP;
  dead_strong = EMPTY_MAP;
  dead_weak = undefined;
  f = undefined;
  l = undefined;
  metatable = null;
  flags = ~0;
  /** Where 5.1 keeps the keys (made on the first key); null once fengari's order is used. */
  layout: Layout51 | null | undefined = undefined;

  constructor(L: Loose) {
    this.id = L.l_G.id_counter++;
  }
}

/** 5.1's luaO_fb2int: a constructor's size hint ("floating point byte") as a count. */
const fb2int = (x: number) => x < 8 ? x : ((x & 7) + 8) * 2 ** ((x >> 3) - 1);

/** `t[key] = nil` for a key `t` lacks: 5.1's luaH_set gives it a node all the same. */
function placeAbsent(t: Loose, hash: unknown, code: number): void {
  const layout: Layout51 | null | undefined = t.layout;
  if (layout !== null) placeKey(layout ?? (t.layout = newLayout(0, 0)), t.strong, hash, code);
}

/** A new table; a constructor's (OP_NEWTABLE's) sizes give it 5.1's initial parts. */
function newTable(L: Loose): LazyTable {
  running = L;
  const t = new LazyTable(L);
  const ci = L.ci;
  if ((ci.callstatus & CIST_LUA) !== 0) {
    const i = ci.l_code[ci.l_savedpc - 1];
    if (i.opcode === OP_NEWTABLE && (i.B | i.C) !== 0) {
      t.layout = newLayout(fb2int(i.B), fb2int(i.C));
    }
  }
  return t;
}

/** The Lua thread last seen reading or writing a table: the one running a constructor's OP_SETLIST. */
let running: Loose;

/**
 * Whether `t[key]` is set by OP_SETLIST past the array part: 5.1 first
 * grows the array part to the list's last index (luaH_resizearray), and
 * fengari sets the list from the last index down.
 */
function growsForList(t: Loose, layout: Layout51, key: number): boolean {
  if (key <= layout.asize || running === undefined) return false;
  const ci = running.ci;
  if ((ci.callstatus & CIST_LUA) === 0) return false;
  const i = ci.l_code[ci.l_savedpc - 1];
  return i.opcode === OP_SETLIST && running.stack[ci.l_base + i.A]?.value === t;
}
// Still a fengari Table to `instanceof` (a light userdata's key tells tables apart by it).
Object.setPrototypeOf(LazyTable.prototype, ltable.Table.prototype);

/** Gives `t` its own dead keys before fengari's code removes a key (its mark_dead adds to them). */
function removing(t: Loose): void {
  if (t.dead_strong === EMPTY_MAP) t.dead_strong = new Map();
}

/** Gives `t` its own entries before a key is added (by `add` here or fengari's). */
function adding(t: Loose): void {
  if (t.strong === EMPTY_MAP) t.strong = new Map();
}

/** `t[key] = value` for an integer key. */
function setint(t: Loose, key: number, value: Loose): void {
  if (value.type === LUA_TNIL) {
    removing(t);
    if (!t.strong.has(key)) placeAbsent(t, key, numberCode(key));
    return originalSetint(t, key, value);
  }
  const e = t.strong.get(key);
  if (e !== undefined) {
    e.value.setfrom(value);
    return;
  }
  const layout: Layout51 | null | undefined = t.layout;
  if (layout != null && growsForList(t, layout, key)) {
    adding(t);
    resize(layout, t.strong, key, layout.nsize);
  }
  add(t, key, new TValue(LUA_TNUMINT, key), new TValue(value.type, value.value), numberCode(key));
}

/** `t[key] = value` for a key given as a value. */
function setfrom(L: Loose, t: Loose, key: Loose, value: Loose): void {
  running = L;
  const type = key.type;
  const kv = key.value;
  const hash = keyHash(key);
  if (hash === undefined || value.type === LUA_TNIL) {
    if (value.type === LUA_TNIL) {
      removing(t);
      if (hash !== undefined && !t.strong.has(hash)) placeAbsent(t, hash, keyCode);
    } else {
      adding(t);
      if (type === LUA_TLIGHTUSERDATA) t.layout = null;
    }
    return originalSetfrom(L, t, key, value);
  }
  const code = keyCode;
  const e = t.strong.get(hash);
  if (e !== undefined) {
    e.value.setfrom(value);
    return;
  }
  // A float key with an integer value is stored as that integer, as fengari stores it.
  const k = type === LUA_TNUMFLT && (kv | 0) === kv
    ? new TValue(LUA_TNUMINT, kv)
    : new TValue(type, kv);
  add(t, hash, k, new TValue(value.type, value.value), code);
}

/**
 * `t[key]`, raw (nil when absent), for every index the interpreter makes
 * (`redis`, `redis.call`, `KEYS[1]`: four in the smallest script): fengari's
 * goes through a switch on every key type and two more calls for a string.
 * Strings and numbers are looked up here; other keys go to fengari's own.
 */
function get(L: Loose, t: Loose, key: Loose): Loose {
  running = L;
  const type = key.type;
  let hash: unknown;
  if (type === LUA_TSHRSTR || type === LUA_TLNGSTR) return getString(t, key.value);
  else if (type === LUA_TNUMINT || (type === LUA_TNUMFLT && !Number.isNaN(key.value))) {
    hash = key.value;
  } else return originalGet(L, t, key);
  const e = t.strong.get(hash);
  return e === undefined ? nilObject : e.value;
}

/**
 * `t[s]` for a string key. A read-only table (the globals, `redis`, the
 * libraries: they live as long as the Lua state) is looked up by way of the
 * key string's last hit there: a script's names are constants of its code,
 * the same string object on every run, and `redis`, `call` and `KEYS` cost a
 * Map lookup by a long hex key each (~15 ns). The cached entry is the live
 * one while its value is set: fengari's mark_dead, the only way an entry
 * leaves a table, unsets it. Other tables are not cached on the string (it
 * would keep them alive as long as the script).
 */
function getString(t: Loose, s: Loose): Loose {
  if (s.hitTable === t) {
    const value = s.hitEntry.value;
    if (value !== undefined) return value;
  }
  const e = t.strong.get(s.hash);
  if (e === undefined) return nilObject;
  if (t.readonly === true) {
    s.hitTable = t;
    s.hitEntry = e;
  }
  return e.value;
}

/** `next(t, key)` in 5.1's order: the array part, then the nodes. */
function next(L: Loose, t: Loose, keyIndex: number): boolean {
  const layout: Layout51 | null | undefined = t.layout;
  if (layout == null) return originalNext(L, t, keyIndex);
  const key = L.stack[keyIndex];
  let from = -1;
  if (key.type !== LUA_TNIL) {
    const hash = keyHash(key);
    from = hash === undefined ? -1 : positionOf(layout, hash, keyCode);
    if (from < 0) return ldebug.luaG_runerror(L, INVALID_NEXT_KEY);
  }
  const position = nextPosition(layout, t.strong, from);
  if (position < 0) return false;
  const e = t.strong.get(keyAt(layout, position));
  L.stack[keyIndex].setfrom(e.key);
  L.stack[keyIndex + 1].setfrom(e.value);
  return true;
}

/** A table's entry as fengari keeps it. */
interface Entry {
  key: Loose;
  value: Loose;
  n: Entry | undefined;
}

/** Calls `visit` with each live entry of `t` (a fengari Table) in `next`'s order. */
export function forEachEntry(t: Loose, visit: (entry: Entry) => void): void {
  const layout: Layout51 | null | undefined = t.layout;
  if (layout == null) {
    for (let e: Entry | undefined = t.f; e !== undefined; e = e.n) visit(e);
    return;
  }
  const live = t.strong;
  for (let p = nextPosition(layout, live, -1); p >= 0; p = nextPosition(layout, live, p)) {
    visit(live.get(keyAt(layout, p)));
  }
}

/**
 * Lays `t` out again as 5.1 would have it after a table made with room for
 * `nhash` keys was given `names` in that order (a library table: its
 * functions in the order C registered them), then its other keys.
 */
export function relayout(t: Loose, names: readonly string[], nhash: number): void {
  const live: Map<unknown, Entry> = t.strong;
  const named = new Map<unknown, number>();
  for (const name of names) {
    const bytes = Uint8Array.from(name, (c) => c.charCodeAt(0));
    const hash = stringKey(bytes);
    if (live.has(hash)) named.set(hash, stringCode(bytes));
  }
  const rest: Entry[] = [];
  forEachEntry(t, (e) => {
    if (!named.has(keyHash(e.key))) rest.push(e);
  });
  const layout = t.layout = newLayout(0, nhash);
  for (const [hash, code] of named) placeKey(layout, live, hash, code);
  for (const e of rest) placeKey(layout, live, keyHash(e.key), keyCode);
}

ltable.luaH_setint = setint;
ltable.luaH_setfrom = setfrom;
ltable.luaH_get = get;
ltable.luaH_new = newTable;
ltable.luaH_next = next;
ltable.luaH_getn = (t: Loose) => t.layout == null ? originalGetn(t) : border(t.layout, t.strong);

/**
 * A Lua string's key for tables, for the lexer's and compiler's string
 * tables, and for string order (`<`): fengari writes each byte in hex with
 * no padding, so different strings share one key ("\1\17" and "\17\1" are
 * both `|111`: a table kept one value for both, and two such literals in a
 * chunk became one constant), and a byte under 16 sorted after the bytes
 * above it (`'\15' < '\16'` was false). Two digits a byte give each string
 * its own key, ordered as its bytes are; for bytes of 16 and up the key is
 * fengari's own, so the lexer's table of reserved words still finds them.
 * fengari reaches the key only through the `hash` field its TString
 * constructor sets to null and luaS_hashlongstr fills: an accessor on the
 * prototype takes both over (for every string made after this module loads).
 */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function stringKey(bytes: Uint8Array): string {
  let key = "|";
  for (let i = 0; i < bytes.length; i++) key += HEX[bytes[i]!];
  return key;
}

Object.defineProperty(lstring.TString.prototype, "hash", {
  get(this: { key?: string; realstring: Uint8Array }): string {
    return this.key ??= stringKey(this.realstring);
  },
  set(this: { key?: string }, value: string | null): void {
    if (value !== null) this.key = value;
  },
});
