/**
 * The `cmsgpack` library as Redis loads it (lua-cmsgpack's API): pack(...),
 * unpack(s), unpack_one(s, offset), unpack_limit(s, limit, offset). Encoding
 * choices follow lua-cmsgpack: integral numbers take the smallest integer
 * form, other numbers float32 when exact else float64, a table whose keys
 * are exactly 1..n is an array, tables nested deeper than 16 encode as nil.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import {
  lit,
  lua,
  LUA_TBOOLEAN,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaState,
  pushBinary,
  rawSetIndex,
  rawSetPair,
  setFunction,
  toBinary,
} from "./lua.ts";

const MAX_NESTING = 16;

function fail(L: LuaState, message: string): never {
  lua.luaL_where(L, 1);
  pushBinary(L, message);
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error("unreachable");
}

class Packer {
  bytes: number[] = [];
  scratch = new DataView(new ArrayBuffer(8));

  be(n: bigint, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  }

  header(small: number, smallLimit: number, codes: [number, number], n: number): void {
    if (n < smallLimit) this.bytes.push(small | n);
    else if (n <= 0xffff) {
      this.bytes.push(codes[0]);
      this.be(BigInt(n), 2);
    } else {
      this.bytes.push(codes[1]);
      this.be(BigInt(n), 4);
    }
  }

  int(n: bigint): void {
    if (n >= 0n) {
      if (n <= 127n) this.bytes.push(Number(n));
      else if (n <= 0xffn) this.typed(0xcc, n, 1);
      else if (n <= 0xffffn) this.typed(0xcd, n, 2);
      else if (n <= 0xffffffffn) this.typed(0xce, n, 4);
      else this.typed(0xcf, n, 8);
    } else {
      if (n >= -32n) this.bytes.push(Number(n) & 0xff);
      else if (n >= -128n) this.typed(0xd0, n, 1);
      else if (n >= -32768n) this.typed(0xd1, n, 2);
      else if (n >= -2147483648n) this.typed(0xd2, n, 4);
      else this.typed(0xd3, n, 8);
    }
  }

  typed(code: number, n: bigint, size: number): void {
    this.bytes.push(code);
    this.be(BigInt.asUintN(size * 8, n), size);
  }

  number(n: number): void {
    if (Number.isFinite(n) && Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
      return this.int(BigInt(n));
    }
    // A NaN is not equal to itself as a float either: 8 bytes, its sign kept.
    if (Math.fround(n) === n) {
      this.scratch.setFloat32(0, n);
      this.bytes.push(0xca, ...new Uint8Array(this.scratch.buffer, 0, 4));
    } else {
      this.scratch.setFloat64(0, n);
      this.bytes.push(0xcb, ...new Uint8Array(this.scratch.buffer, 0, 8));
    }
  }

  string(s: string): void {
    const len = s.length;
    if (len < 32) this.bytes.push(0xa0 | len);
    else if (len <= 0xff) this.bytes.push(0xd9, len);
    else if (len <= 0xffff) this.typed(0xda, BigInt(len), 2);
    else this.typed(0xdb, BigInt(len), 4);
    for (let i = 0; i < len; i++) this.bytes.push(s.charCodeAt(i));
  }

  value(L: LuaState, level: number): void {
    let type = lua.lua_type(L, -1);
    if (type === LUA_TTABLE && level === MAX_NESTING) type = 0;
    switch (type) {
      case LUA_TSTRING:
        return this.string(toBinary(L, -1)!);
      case LUA_TBOOLEAN:
        return void this.bytes.push(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
      case LUA_TNUMBER:
        return this.number(lua.lua_tonumber(L, -1));
      case LUA_TTABLE:
        return this.table(L, level);
      default:
        this.bytes.push(0xc0);
    }
  }

  table(L: LuaState, level: number): void {
    lua.luaL_checkstack(L, 3, null);
    let count = 0;
    let max = 0;
    let isArray = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pop(L, 1);
      count++;
      const k = lua.lua_type(L, -1) === LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
      if (!Number.isInteger(k) || k <= 0) isArray = false;
      else if (k > max) max = k;
    }
    if (isArray && max === count) {
      this.header(0x90, 16, [0xdc, 0xdd], count);
      for (let i = 1; i <= count; i++) {
        lua.lua_rawgeti(L, -1, i);
        this.value(L, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    this.header(0x80, 16, [0xde, 0xdf], count);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pushvalue(L, -2);
      this.value(L, level + 1);
      lua.lua_pop(L, 1);
      this.value(L, level + 1);
      lua.lua_pop(L, 1);
    }
  }
}

function pack(L: LuaState): number {
  const n = lua.lua_gettop(L);
  if (n === 0) fail(L, "MessagePack pack needs input.");
  const packer = new Packer();
  for (let i = 1; i <= n; i++) {
    lua.lua_pushvalue(L, i);
    packer.value(L, 0);
    lua.lua_pop(L, 1);
  }
  pushBinary(L, bytesToBinary(Uint8Array.from(packer.bytes)));
  return 1;
}

class Truncated extends Error {}
class BadFormat extends Error {}

class Unpacker {
  view: DataView;
  constructor(readonly bytes: Uint8Array, public pos: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Truncated();
  }

  uint(size: number): number {
    this.need(size);
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.bytes[this.pos + i]!;
    this.pos += size;
    return v;
  }

  int(size: number): number {
    const u = this.uint(size);
    const bits = size * 8;
    return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
  }

  value(L: LuaState): void {
    lua.luaL_checkstack(L, 3, null);
    this.need(1);
    const c = this.bytes[this.pos++]!;
    if (c <= 0x7f) return lua.lua_pushnumber(L, c);
    if (c >= 0xe0) return lua.lua_pushnumber(L, c - 256);
    if ((c & 0xe0) === 0xa0) return this.str(L, c & 0x1f);
    if ((c & 0xf0) === 0x90) return this.array(L, c & 0x0f);
    if ((c & 0xf0) === 0x80) return this.map(L, c & 0x0f);
    switch (c) {
      case 0xc0:
        return lua.lua_pushnil(L);
      case 0xc2:
      case 0xc3:
        return lua.lua_pushboolean(L, c === 0xc3);
      case 0xc4:
      case 0xd9:
        return this.str(L, this.uint(1));
      case 0xc5:
      case 0xda:
        return this.str(L, this.uint(2));
      case 0xc6:
      case 0xdb:
        return this.str(L, this.uint(4));
      case 0xca:
        this.need(4);
        lua.lua_pushnumber(L, this.view.getFloat32(this.pos));
        this.pos += 4;
        return;
      case 0xcb:
        this.need(8);
        lua.lua_pushnumber(L, this.view.getFloat64(this.pos));
        this.pos += 8;
        return;
      case 0xcc:
        return lua.lua_pushnumber(L, this.uint(1));
      case 0xcd:
        return lua.lua_pushnumber(L, this.uint(2));
      case 0xce:
        return lua.lua_pushnumber(L, this.uint(4));
      case 0xcf:
        return lua.lua_pushnumber(L, this.uint(8));
      case 0xd0:
        return lua.lua_pushnumber(L, this.int(1));
      case 0xd1:
        return lua.lua_pushnumber(L, this.int(2));
      case 0xd2:
        return lua.lua_pushnumber(L, this.int(4));
      case 0xd3:
        this.need(8);
        lua.lua_pushnumber(L, Number(this.view.getBigInt64(this.pos)));
        this.pos += 8;
        return;
      case 0xdc:
        return this.array(L, this.uint(2));
      case 0xdd:
        return this.array(L, this.uint(4));
      case 0xde:
        return this.map(L, this.uint(2));
      case 0xdf:
        return this.map(L, this.uint(4));
    }
    throw new BadFormat();
  }

  str(L: LuaState, len: number): void {
    this.need(len);
    pushBinary(L, bytesToBinary(this.bytes, this.pos, this.pos + len));
    this.pos += len;
  }

  array(L: LuaState, n: number): void {
    lua.lua_newtable(L);
    for (let i = 1; i <= n; i++) {
      this.value(L);
      rawSetIndex(L, i);
    }
  }

  map(L: LuaState, n: number): void {
    lua.lua_newtable(L);
    for (let i = 0; i < n; i++) {
      this.value(L);
      this.value(L);
      rawSetPair(L);
    }
  }
}

function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = lua.luaL_checklstring(L, 1) as Uint8Array;
  if (offset < 0 || limit < 0) {
    fail(L, `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  }
  if (offset > s.length) fail(L, `Start offset ${offset} greater than input length ${s.length}.`);
  const all = limit === 0 && offset === 0;
  const u = new Unpacker(s, offset);
  let count = 0;
  for (; u.pos < s.length && (all || count < limit); count++) {
    try {
      u.value(L);
    } catch (e) {
      if (e instanceof Truncated) fail(L, "Missing bytes in input.");
      if (e instanceof BadFormat) fail(L, "Bad data format in input.");
      throw e;
    }
  }
  if (all) return count;
  lua.lua_pushnumber(L, u.pos >= s.length ? -1 : u.pos);
  lua.lua_insert(L, 2);
  return count + 1;
}

/** lua-cmsgpack's description fields, as Redis 7.0 has them. */
const FIELDS: [string, string][] = [
  ["_NAME", "cmsgpack"],
  ["_VERSION", "lua-cmsgpack 0.4.0"],
  ["_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"],
  ["_DESCRIPTION", "MessagePack C implementation for Lua"],
];

/** Pushes the `cmsgpack` table. */
export function pushCmsgpackLibrary(L: LuaState): void {
  lua.lua_newtable(L);
  setFunction(L, "pack", pack);
  setFunction(L, "unpack", (L) => unpackFull(L, 0, 0));
  setFunction(L, "unpack_one", (L) => {
    const offset = lua.luaL_optnumber(L, 2, 0);
    lua.lua_settop(L, 1);
    return unpackFull(L, 1, offset);
  });
  setFunction(L, "unpack_limit", (L) => {
    const limit = lua.luaL_checknumber(L, 2);
    const offset = lua.luaL_optnumber(L, 3, 0);
    lua.lua_settop(L, 1);
    return unpackFull(L, limit, offset);
  });
  for (const [field, value] of FIELDS) {
    lua.lua_pushstring(L, lit(value));
    lua.lua_setfield(L, -2, lit(field));
  }
}
