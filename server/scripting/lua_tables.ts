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
 * lvm.js (table constructors, assignments) and lapi.js (rawset, rawseti)
 * reach `luaH_setint` and `luaH_setfrom` through ltable's exports, which is
 * what is replaced here. Removals (a nil value) and keys other than numbers
 * and strings go to fengari's own code, and so does every read.
 */
// The package first: its modules load each other in an order their cycles need.
import "fengari";
import defs from "fengari/src/defs.js";
import lobject from "fengari/src/lobject.js";
import lstring from "fengari/src/lstring.js";
import ltable from "fengari/src/ltable.js";
import { linkEntry } from "./lua_table_order.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const { LUA_TNIL, LUA_TNUMFLT, LUA_TNUMINT, LUA_TSHRSTR, LUA_TLNGSTR } = defs.constant_types;
const TValue = lobject.TValue;
const luaS_hashlongstr = lstring.luaS_hashlongstr;

const originalSetint = ltable.luaH_setint;
const originalSetfrom = ltable.luaH_setfrom;
const originalGet = ltable.luaH_get;
const nilObject = lobject.luaO_nilobject;

/**
 * Adds a new entry to `t` as fengari's `add` does, clearing the dead keys only if any, linked
 * where `next` should reach it (lua_table_order.ts).
 */
function add(t: Loose, hash: unknown, key: Loose, value: Loose): void {
  adding(t);
  if (t.dead_strong.size !== 0) t.dead_strong.clear();
  t.dead_weak = undefined;
  // The fields in fengari's order: every entry of every table has one shape.
  const entry = { key, value, p: undefined, n: undefined };
  t.strong.set(hash, entry);
  linkEntry(t, hash, entry);
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

  constructor(L: Loose) {
    this.id = L.l_G.id_counter++;
  }
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
    return originalSetint(t, key, value);
  }
  const e = t.strong.get(key);
  if (e !== undefined) {
    e.value.setfrom(value);
    return;
  }
  add(t, key, new TValue(LUA_TNUMINT, key), new TValue(value.type, value.value));
}

/** `t[key] = value` for a key given as a value. */
function setfrom(L: Loose, t: Loose, key: Loose, value: Loose): void {
  const type = key.type;
  const kv = key.value;
  let hash: unknown;
  if (type === LUA_TNUMINT || (type === LUA_TNUMFLT && !Number.isNaN(kv))) hash = kv;
  else if (type === LUA_TSHRSTR || type === LUA_TLNGSTR) hash = luaS_hashlongstr(kv);
  if (hash === undefined || value.type === LUA_TNIL) {
    if (value.type === LUA_TNIL) removing(t);
    else adding(t);
    return originalSetfrom(L, t, key, value);
  }
  const e = t.strong.get(hash);
  if (e !== undefined) {
    e.value.setfrom(value);
    return;
  }
  // A float key with an integer value is stored as that integer, as fengari stores it.
  const k = type === LUA_TNUMFLT && (kv | 0) === kv
    ? new TValue(LUA_TNUMINT, kv)
    : new TValue(type, kv);
  add(t, hash, k, new TValue(value.type, value.value));
}

/**
 * `t[key]`, raw (nil when absent), for every index the interpreter makes
 * (`redis`, `redis.call`, `KEYS[1]`: four in the smallest script): fengari's
 * goes through a switch on every key type and two more calls for a string.
 * Strings and numbers are looked up here; other keys go to fengari's own.
 */
function get(L: Loose, t: Loose, key: Loose): Loose {
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

ltable.luaH_setint = setint;
ltable.luaH_setfrom = setfrom;
ltable.luaH_get = get;
ltable.luaH_new = (L: Loose) => new LazyTable(L);

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
