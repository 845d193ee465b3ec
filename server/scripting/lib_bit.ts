/**
 * The `bit` library (LuaBitOp's API, as Redis loads it): 32-bit operations
 * on numbers, results are signed 32-bit integers.
 */
import { lua, type LuaJsFunction, type LuaState, pushBinary, setFunction } from "./lua.ts";

/** LuaBitOp's normalisation: round to the nearest integer (ties to even), keep the low 32 bits. */
export function toBit(n: number): number {
  if (!Number.isFinite(n)) return 0;
  let r = Math.round(n);
  if (Math.abs(n % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return Number(BigInt.asIntN(32, BigInt(r)));
}

function arg(L: LuaState, i: number): number {
  return toBit(lua.luaL_checknumber(L, i));
}

function variadic(op: (a: number, b: number) => number): LuaJsFunction {
  return (L) => {
    let r = arg(L, 1);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) r = op(r, arg(L, i));
    lua.lua_pushnumber(L, r | 0);
    return 1;
  };
}

function shift(op: (a: number, b: number) => number): LuaJsFunction {
  return (L) => {
    lua.lua_pushnumber(L, op(arg(L, 1), arg(L, 2) & 31) | 0);
    return 1;
  };
}

function tohex(L: LuaState): number {
  let b = arg(L, 1);
  let n = lua.lua_isnoneornil(L, 2) ? 8 : arg(L, 2);
  let digits = "0123456789abcdef";
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  let s = "";
  for (let i = 0; i < n; i++) {
    s = digits[b & 15] + s;
    b >>>= 4;
  }
  pushBinary(L, s);
  return 1;
}

function unary(op: (a: number) => number): LuaJsFunction {
  return (L) => {
    lua.lua_pushnumber(L, op(arg(L, 1)) | 0);
    return 1;
  };
}

/** Pushes the `bit` table. */
export function pushBitLibrary(L: LuaState): void {
  lua.lua_newtable(L);
  setFunction(L, "tobit", unary((a) => a));
  setFunction(L, "bnot", unary((a) => ~a));
  setFunction(
    L,
    "bswap",
    unary((a) => ((a >>> 24) | ((a >> 8) & 0xff00) | ((a & 0xff00) << 8) | (a << 24))),
  );
  setFunction(L, "band", variadic((a, b) => a & b));
  setFunction(L, "bor", variadic((a, b) => a | b));
  setFunction(L, "bxor", variadic((a, b) => a ^ b));
  setFunction(L, "lshift", shift((a, b) => a << b));
  setFunction(L, "rshift", shift((a, b) => a >>> b));
  setFunction(L, "arshift", shift((a, b) => a >> b));
  setFunction(L, "rol", shift((a, b) => (a << b) | (a >>> (32 - b))));
  setFunction(L, "ror", shift((a, b) => (a >>> b) | (a << (32 - b))));
  setFunction(L, "tohex", tohex);
}
