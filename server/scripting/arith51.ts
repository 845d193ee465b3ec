/**
 * Lua 5.1's float arithmetic as Redis's x86-64 build computes it, down to
 * the sign of a NaN (glibc prints `-nan` or `nan` by it). V8 computes with
 * the same SSE instructions: 0/0, inf-inf and inf*0 give x86's default NaN,
 * whose sign bit is set; an operation with a NaN operand returns that NaN;
 * `-x` flips the bit. What differs is in functions: V8's Math returns its
 * own positive NaN where glibc returns the operand's or the default one,
 * and JavaScript's `**` and `%` are not C's pow and 5.1's `%`.
 *
 * This module must load before fengari's VM: lvm.js takes llimits'
 * luai_nummod (the `%` of two floats) when it loads, so lua.ts imports it
 * first.
 */

import llimits from "fengari/src/llimits.js";

const VIEW = new Float64Array(1);
const HIGH = new Int32Array(VIEW.buffer, 4, 1);

/** Whether `n` has its sign bit set, NaNs included. */
export function signBit(n: number): boolean {
  VIEW[0] = n;
  return HIGH[0]! < 0;
}

/** A NaN with the sign bit set: x86's default NaN (0/0), and C's strtod("-nan"). */
export const NEGATIVE_NAN = (() => {
  VIEW[0] = NaN;
  HIGH[0] = HIGH[0]! | -0x80000000;
  return VIEW[0];
})();

/** The unbiased binary exponent of a finite nonzero `n` (-1023 for a subnormal). */
function exponentOf(n: number): number {
  VIEW[0] = n;
  return ((HIGH[0]! >>> 20) & 0x7ff) - 1023;
}

/** 5.1's `a % b`: a - floor(a/b)*b (5.3 uses fmod: `-3 % 3` gave -0, `-1 % inf` inf). */
export function mod51(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

llimits.luai_nummod = (_L: unknown, a: number, b: number) => mod51(a, b);

/** Whether `y` is an odd integer. */
const isOdd = (y: number) => Number.isInteger(y) && Math.abs(y % 2) === 1;

/** C's pow: 1 for pow(1, y) and pow(x, 0) even with NaN or infinite operands, glibc's NaNs. */
export function pow51(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (Number.isNaN(x)) {
    // glibc squares the NaN, flips it for an odd power of a negative one, inverts for y < 0.
    if (Number.isNaN(y)) return x;
    let square = x * x;
    if (signBit(x) && isOdd(y)) square = -square;
    return y < 0 ? 1 / square : square;
  }
  if (Number.isNaN(y)) return y;
  if (x === -1 && !Number.isFinite(y)) return 1;
  return x ** y;
}

/** C's fmod: the NaN operand, else the default NaN for a zero divisor or an infinite dividend. */
export function fmod51(x: number, y: number): number {
  if (Number.isNaN(x)) return x;
  if (Number.isNaN(y)) return y;
  return y === 0 || !Number.isFinite(x) ? NEGATIVE_NAN : x % y;
}

/** A glibc function of one number that is NaN for infinities: sin, cos, tan. */
export function periodic(f: (x: number) => number): (x: number) => number {
  return (x) => Number.isFinite(x) ? f(x) : Number.isNaN(x) ? x : NEGATIVE_NAN;
}

/** glibc's log: the default NaN below 0 (V8 gives its own positive NaN), a NaN operand as it is. */
export function log51(x: number): number {
  if (Number.isNaN(x)) return x;
  return x < 0 ? NEGATIVE_NAN : Math.log(x);
}

/** glibc's atan2(y, x) returns x + y for a NaN operand: x's NaN if both are. */
export function atan2_51(y: number, x: number): number {
  if (Number.isNaN(x)) return x;
  return Number.isNaN(y) ? y : Math.atan2(y, x);
}

const TWO_63 = 2 ** 63;

/**
 * 5.1's luaL_checkint on x86-64: a (ptrdiff_t) cast, which gives INT64_MIN
 * for NaN and out of range, then its low 32 bits.
 */
export function checkint51(n: number): number {
  if (!(n >= -TWO_63 && n < TWO_63)) return 0;
  const t = Math.trunc(n);
  return Math.abs(t) < 2 ** 31 ? t : Number(BigInt.asIntN(32, BigInt(t)));
}

/** C's ldexp(m, e): m * 2^e rounded once, for any exponent. */
export function ldexp51(m: number, e: number): number {
  if (m === 0 || !Number.isFinite(m)) return m;
  let n = e;
  while (n > 1023) {
    m *= 2 ** 1023;
    n -= 1023;
  }
  // Scale down while m stays normal (exactly), so that only the last step rounds.
  while (n < -1022) {
    const room = -1022 - exponentOf(m);
    if (room >= 0) break;
    const step = Math.max(n, room, -1022);
    m *= 2 ** step;
    n -= step;
  }
  return n < -1074 ? m * 0 : m * 2 ** n;
}
