/**
 * The `struct` library Redis loads (Roberto Ierusalimschy's lstruct API):
 * struct.pack(fmt, ...), struct.unpack(fmt, data [, init]) and
 * struct.size(fmt), with the C sizes of x86-64 Linux (short 2, int 4, long
 * and size_t 8) and no alignment unless `!` asks for it.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { lit, lua, type LuaState, pushBinary, setFunction, toBinary } from "./lua.ts";

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const SIZES: Record<string, number> = {
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  l: 8,
  L: 8,
  T: 8,
  f: 4,
  d: 8,
  x: 1,
};
const INTEGER_OPTIONS = "bBhHlLTiI";

interface Header {
  little: boolean;
  align: number;
}

function fail(L: LuaState, message: string): never {
  lua.luaL_where(L, 1);
  pushBinary(L, message);
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error("unreachable");
}

/** Walks a format string: each option with its size, after applying control options to `h`. */
class Format {
  pos = 0;
  constructor(readonly L: LuaState, readonly fmt: string, readonly h: Header) {}

  #number(fallback: number): number {
    const m = /^\d+/.exec(this.fmt.slice(this.pos));
    if (m === null) return fallback;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** The next data option and its size, or undefined at the end. */
  next(): { opt: string; size: number } | undefined {
    while (this.pos < this.fmt.length) {
      const opt = this.fmt.charAt(this.pos++);
      const fixed = SIZES[opt];
      if (fixed !== undefined) return { opt, size: fixed };
      if (opt === "i" || opt === "I") {
        const size = this.#number(4);
        if (size > MAXINTSIZE) {
          fail(this.L, `integral size ${size} is larger than limit of ${MAXINTSIZE}`);
        }
        return { opt, size };
      }
      if (opt === "c") return { opt, size: this.#number(1) };
      if (opt === "s") return { opt, size: 0 };
      this.#control(opt);
    }
    return undefined;
  }

  #control(opt: string): void {
    if (opt === " ") return;
    if (opt === ">") this.h.little = false;
    else if (opt === "<" || opt === "=") this.h.little = true;
    else if (opt === "!") {
      const a = this.#number(MAXALIGN);
      if ((a & (a - 1)) !== 0) fail(this.L, `alignment ${a} is not a power of 2`);
      this.h.align = a;
    } else lua.luaL_argerror(this.L, 1, lit(`invalid format option '${opt}'`));
  }

  /** Padding before an item of `size` at offset `len` (gettoalign). */
  padding(len: number, opt: string, size: number): number {
    if (size <= 1 || opt === "c") return 0;
    const align = Math.min(size, this.h.align);
    return (align - (len & (align - 1))) & (align - 1);
  }
}

function packInteger(n: number, size: number, little: boolean): string {
  let value = BigInt.asUintN(64, BigInt(Math.trunc(Number.isFinite(n) ? n : 0)));
  const bytes: number[] = [];
  for (let i = 0; i < size; i++) {
    bytes.push(Number(value & 0xffn));
    value >>= 8n;
  }
  if (!little) bytes.reverse();
  return String.fromCharCode(...bytes);
}

function packFloat(n: number, size: number, little: boolean): string {
  const view = new DataView(new ArrayBuffer(size));
  if (size === 4) view.setFloat32(0, n, little);
  else view.setFloat64(0, n, little);
  return bytesToBinary(new Uint8Array(view.buffer));
}

function pack(L: LuaState): number {
  const fmt = toBinary(L, 1) ?? fail(L, "bad argument #1 to 'pack' (string expected)");
  const f = new Format(L, fmt, { little: true, align: 1 });
  let out = "";
  let arg = 2;
  for (let item = f.next(); item !== undefined; item = f.next()) {
    let { opt, size } = item;
    out += "\0".repeat(f.padding(out.length, opt, size));
    if (INTEGER_OPTIONS.includes(opt)) {
      out += packInteger(lua.luaL_checknumber(L, arg++), size, f.h.little);
    } else if (opt === "x") out += "\0";
    else if (opt === "f" || opt === "d") {
      out += packFloat(lua.luaL_checknumber(L, arg++), size, f.h.little);
    } else {
      lua.luaL_checkstring(L, arg);
      const s = toBinary(L, arg++)!;
      if (opt === "c" && size === 0) size = s.length;
      lua.luaL_argcheck(L, s.length >= size, arg - 1, lit("string too short"));
      out += opt === "s" ? s + "\0" : s.slice(0, size);
    }
  }
  pushBinary(L, out);
  return 1;
}

function unpackInteger(
  data: string,
  pos: number,
  size: number,
  little: boolean,
  signed: boolean,
): number {
  let value = 0n;
  for (let i = 0; i < size; i++) {
    const byte = BigInt(data.charCodeAt(little ? pos + size - 1 - i : pos + i));
    value = (value << 8n) | byte;
  }
  // Like lstruct's 64-bit Inttype: wider fields keep their low 64 bits.
  const bits = Math.min(size, 8) * 8;
  return Number(signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value));
}

function unpack(L: LuaState): number {
  const fmt = toBinary(L, 1) ?? fail(L, "bad argument #1 to 'unpack' (string expected)");
  lua.luaL_checkstring(L, 2);
  const data = toBinary(L, 2)!;
  let pos = Math.trunc(lua.luaL_optnumber(L, 3, 1)) - 1;
  lua.luaL_argcheck(L, pos >= 0, 3, lit("offset must be 1 or greater"));
  lua.lua_settop(L, 2);
  const f = new Format(L, fmt, { little: true, align: 1 });
  let results = 0;
  for (let item = f.next(); item !== undefined; item = f.next()) {
    let { opt, size } = item;
    pos += f.padding(pos, opt, size);
    if (opt === "s") {
      const end = data.indexOf("\0", pos);
      if (end < 0) fail(L, "unfinished string in data");
      size = end - pos + 1;
    } else if (opt === "c" && size === 0) {
      if (results === 0 || !lua.lua_isnumber(L, -1)) {
        lua.luaL_argerror(L, 1, lit("format 'c0' needs a previous size"));
      }
      size = Math.trunc(lua.lua_tonumber(L, -1));
      lua.lua_pop(L, 1);
      results--;
    }
    lua.luaL_argcheck(L, pos + size <= data.length, 2, lit("data string too short"));
    lua.luaL_checkstack(L, 2, lit("too many results"));
    if (INTEGER_OPTIONS.includes(opt)) {
      const signed = opt === opt.toLowerCase();
      lua.lua_pushnumber(L, unpackInteger(data, pos, size, f.h.little, signed));
    } else if (opt === "f" || opt === "d") {
      const view = new DataView(
        Uint8Array.from(data.slice(pos, pos + size), (c) => c.charCodeAt(0)).buffer,
      );
      lua.lua_pushnumber(
        L,
        size === 4 ? view.getFloat32(0, f.h.little) : view.getFloat64(0, f.h.little),
      );
    } else if (opt === "x") {
      pos += size;
      continue;
    } else pushBinary(L, data.slice(pos, pos + (opt === "s" ? size - 1 : size)));
    results++;
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return results + 1;
}

function size(L: LuaState): number {
  const fmt = toBinary(L, 1) ?? fail(L, "bad argument #1 to 'size' (string expected)");
  const f = new Format(L, fmt, { little: true, align: 1 });
  let total = 0;
  for (let item = f.next(); item !== undefined; item = f.next()) {
    const { opt, size } = item;
    if (opt === "s") lua.luaL_argerror(L, 1, lit("option 's' has no fixed size"));
    if (opt === "c" && size === 0) {
      lua.luaL_argerror(L, 1, lit("option 'c0' has no fixed size"));
    }
    total += f.padding(total, opt, size) + size;
  }
  lua.lua_pushnumber(L, total);
  return 1;
}

/** Pushes the `struct` table. */
export function pushStructLibrary(L: LuaState): void {
  lua.lua_newtable(L);
  setFunction(L, "pack", pack);
  setFunction(L, "unpack", unpack);
  setFunction(L, "size", size);
}
