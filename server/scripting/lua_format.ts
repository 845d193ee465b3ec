/**
 * string.format as Lua 5.1 does it (C's printf rules): integer conversions
 * accept any number and truncate it, `%s` of a number uses Lua's `%.14g`,
 * `%q` quotes as 5.1 (`\000`), and floats follow C's `%e/%f/%g`. fengari's
 * own formatter differs on each of these (docs/lua-vm.md).
 */
import {
  formatLuaNumber,
  lit,
  lua,
  LUA_TNUMBER,
  type LuaState,
  pushBinary,
  toBinary,
} from "./lua.ts";
import { signBit } from "./arith51.ts";

interface Spec {
  flags: string;
  width: number;
  precision: number | undefined;
  conversion: string;
}

const SPEC = /%([-+ #0]*)(\d*)(?:\.(\d*))?(.?)/y;
const INTEGER_CONVERSIONS = new Set(["d", "i", "o", "u", "x", "X", "c"]);
const FLOAT_CONVERSIONS = new Set(["e", "E", "f", "F", "g", "G"]);

function pad(spec: Spec, sign: string, digits: string, numeric: boolean): string {
  const body = sign + digits;
  if (body.length >= spec.width) return body;
  if (spec.flags.includes("-")) return body.padEnd(spec.width);
  if (numeric && spec.flags.includes("0")) {
    return sign + digits.padStart(spec.width - sign.length, "0");
  }
  return body.padStart(spec.width);
}

function signOf(negative: boolean, flags: string): string {
  return negative ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
}

const TWO_31 = 2 ** 31;
const TWO_63 = 2 ** 63;
const INT64_MIN = -(1n << 63n);

/** C's (long long) cast of a double on x86-64 (cvttsd2si): NaN and out of range give INT64_MIN. */
export function toInt64(n: number): bigint {
  return n >= -TWO_63 && n < TWO_63 ? BigInt(Math.trunc(n)) : INT64_MIN;
}

/** C's (unsigned long long) cast as gcc compiles it on x86-64: from 2^63 up, offset by 2^63. */
function toUint64(n: number): bigint {
  if (n >= TWO_63) return BigInt.asUintN(64, toInt64(n - TWO_63)) ^ (1n << 63n);
  return BigInt.asUintN(64, toInt64(n));
}

/** C's (int) cast then a byte (`%c`): NaN and out of range give INT_MIN, whose low byte is 0. */
const toByte = (n: number) => n >= -TWO_31 && n < TWO_31 ? Math.trunc(n) & 0xff : 0;

function formatInteger(spec: Spec, n: number): string {
  const conv = spec.conversion;
  if (conv === "c") return pad(spec, "", String.fromCharCode(toByte(n)), false);
  const v = conv === "d" || conv === "i" ? toInt64(n) : toUint64(n);
  const negative = v < 0n;
  const radix = conv === "o" ? 8 : conv === "x" || conv === "X" ? 16 : 10;
  let digits = (negative ? -v : v).toString(radix);
  if (conv === "X") digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    digits = spec.precision === 0 && v === 0n ? "" : digits.padStart(spec.precision, "0");
  }
  if (spec.flags.includes("#") && v !== 0n) {
    if (conv === "o" && !digits.startsWith("0")) digits = "0" + digits;
    if (conv === "x" || conv === "X") digits = (conv === "x" ? "0x" : "0X") + digits;
  }
  const numeric = spec.precision === undefined;
  return pad(
    spec,
    conv === "d" || conv === "i" ? signOf(negative, spec.flags) : "",
    digits,
    numeric,
  );
}

/** C's exponent notation: at least two exponent digits; an exact tie to even. */
function exponential(n: number, precision: number): string {
  let [mantissa = "", exp] = n.toExponential(precision).split("e");
  let e = Number(exp);
  const even = n === 0 ? undefined : tieToEven(n, precision - e);
  if (even !== undefined) {
    let digits = String(even);
    if (digits.length > precision + 1) {
      digits = digits.slice(0, precision + 1);
      e++;
    }
    mantissa = precision === 0 ? digits : `${digits[0]}.${digits.slice(1)}`;
  }
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

const FLOAT_BITS = new DataView(new ArrayBuffer(8));

/**
 * When `x * 10^q` (x > 0, finite) lies exactly halfway between two integers,
 * the even one of them (C rounds such a tie to even, JavaScript's
 * toFixed/toExponential away from zero); otherwise undefined.
 */
function tieToEven(x: number, q: number): bigint | undefined {
  FLOAT_BITS.setFloat64(0, x);
  const bits = FLOAT_BITS.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const k = (biased === 0 ? 1 : biased) - 1075;
  // x * 10^q * 2 = num / den; a tie when that is an odd integer.
  let num = 2n * m, den = 1n;
  if (q >= 0) num *= 10n ** BigInt(q);
  else den *= 10n ** BigInt(-q);
  if (k >= 0) num <<= BigInt(k);
  else den <<= BigInt(-k);
  if (num % den !== 0n) return undefined;
  const twice = num / den;
  if (twice % 2n === 0n) return undefined;
  const below = twice / 2n;
  return below % 2n === 0n ? below : below + 1n;
}

function stripZeros(s: string): string {
  const [body = "", exp] = s.split("e");
  const stripped = body.includes(".") ? body.replace(/0+$/, "").replace(/\.$/, "") : body;
  return exp === undefined ? stripped : `${stripped}e${exp}`;
}

function formatFloat(spec: Spec, n: number): string {
  const conv = spec.conversion.toLowerCase();
  const upper = spec.conversion !== conv;
  const sign = signOf(signBit(n), spec.flags);
  const abs = Math.abs(n);
  let digits: string;
  if (!Number.isFinite(n)) digits = Number.isNaN(n) ? "nan" : "inf";
  else {
    const precision = spec.precision ?? 6;
    if (conv === "f") digits = fixed(abs, precision);
    else if (conv === "e") digits = exponential(abs, precision);
    else {
      const p = precision === 0 ? 1 : precision;
      const x = abs === 0 ? 0 : Number(abs.toExponential(p - 1).split("e")[1]);
      digits = p > x && x >= -4 ? fixed(abs, p - 1 - x) : exponential(abs, p - 1);
      if (!spec.flags.includes("#")) digits = stripZeros(digits);
    }
  }
  if (upper) digits = digits.toUpperCase();
  return pad(spec, sign, digits, Number.isFinite(n));
}

/** Lua 5.1's addquoted. */
function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\0") out += "\\000";
    else out += c;
  }
  return out + '"';
}

/** Raises `message` with the caller's position, like luaL_error (without its % formatting). */
function raise(L: LuaState, message: string): never {
  lua.luaL_where(L, 1);
  pushBinary(L, message);
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error("unreachable");
}

/**
 * C's %.<precision>f: JavaScript's toFixed rounds an exact tie away from
 * zero, C to even (2.5 → "2"), and C writes every digit of a large number.
 */
function fixed(abs: number, precision: number): string {
  // From 1e21 up toFixed writes an exponent; such a double is an integer.
  if (abs >= 1e21) {
    return BigInt(abs).toString() + (precision > 0 ? "." + "0".repeat(precision) : "");
  }
  const even = abs === 0 ? undefined : tieToEven(abs, precision);
  if (even === undefined) return abs.toFixed(precision);
  const digits = String(even).padStart(precision + 1, "0");
  const point = digits.length - precision;
  return precision === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** `%s`: a string, or a number as Lua writes it (5.1 takes nothing else), then precision and width. */
function formatString(L: LuaState, spec: Spec, arg: number): string {
  let s: string;
  if (lua.lua_type(L, arg) === LUA_TNUMBER) s = formatLuaNumber(lua.lua_tonumber(L, arg));
  else {
    lua.luaL_checkstring(L, arg);
    s = toBinary(L, arg)!;
  }
  if (spec.precision !== undefined) s = s.slice(0, spec.precision);
  return pad(spec, "", s, false);
}

/** string.format(fmt, ...) with Lua 5.1's results. */
export function luaFormat(L: LuaState): number {
  const fmt = toBinary(L, 1);
  if (fmt === undefined) return lua.luaL_argerror(L, 1, lit("string expected"));
  let out = "";
  let arg = 1;
  for (let i = 0; i < fmt.length;) {
    const percent = fmt.indexOf("%", i);
    if (percent < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, percent);
    if (fmt[percent + 1] === "%") {
      out += "%";
      i = percent + 2;
      continue;
    }
    SPEC.lastIndex = percent;
    // Every group but the precision always takes part (possibly empty).
    const [, flags = "", width = "", precision, conversion = ""] = SPEC.exec(fmt)!;
    i = SPEC.lastIndex;
    const spec: Spec = {
      flags,
      width: Number(width || 0),
      precision: precision === undefined ? undefined : Number(precision || 0),
      conversion,
    };
    if (width.length > 2 || (precision ?? "").length > 2) {
      raise(L, "invalid format (width or precision too long)");
    }
    if (++arg > lua.lua_gettop(L)) lua.luaL_argerror(L, arg, lit("no value"));
    const conv = spec.conversion;
    if (INTEGER_CONVERSIONS.has(conv)) out += formatInteger(spec, lua.luaL_checknumber(L, arg));
    else if (FLOAT_CONVERSIONS.has(conv)) out += formatFloat(spec, lua.luaL_checknumber(L, arg));
    else if (conv === "q") {
      lua.luaL_checkstring(L, arg);
      out += quoted(toBinary(L, arg)!);
    } else if (conv === "s") out += formatString(L, spec, arg);
    else raise(L, `invalid option '%${conv}' to 'format'`);
  }
  pushBinary(L, out);
  return 1;
}
