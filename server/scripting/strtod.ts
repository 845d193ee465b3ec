/**
 * C's strtod in the C locale, as glibc reads a number from the start of a
 * string: a sign, then `inf`/`infinity`, `nan`/`nan(chars)` (any case), a
 * hexadecimal float (`0x1.8p3`) or a decimal one (`1.`, `.5`, `1e5`). It
 * stops where the number stops (`1e` reads `1`, `0x` reads `0`). Redis's
 * lua-cjson reads its numbers with it, so JSON's `[01]`, `[+1]`, `[0x10]`
 * and `[nan]` decode.
 */

import { ldexp51, NEGATIVE_NAN } from "./arith51.ts";

/** What strtod read: the value and the index just past it. */
export interface Strtod {
  value: number;
  end: number;
}

const DECIMAL = /[0-9]*(?:\.[0-9]*)?/y;
const EXPONENT = /[eE][+-]?[0-9]+/y;
const HEX = /0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?/y;
const BINARY_EXPONENT = /[pP]([+-]?[0-9]+)/y;
const WORD = /(inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/iy;

/** Reads a number at `at` of `text` (a binary string); undefined when there is none (end === at). */
export function strtod(text: string, at: number): Strtod | undefined {
  let i = at;
  const sign = text[i];
  if (sign === "-" || sign === "+") i++;
  const negative = sign === "-";
  return word(text, i, negative) ?? hex(text, i, negative) ?? decimal(text, i, at);
}

function match(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function word(text: string, at: number, negative: boolean): Strtod | undefined {
  const m = match(WORD, text, at);
  if (m === null) return undefined;
  const nan = m[1]![0] === "n" || m[1]![0] === "N";
  const value = nan ? (negative ? NEGATIVE_NAN : NaN) : negative ? -Infinity : Infinity;
  return { value, end: at + m[0].length };
}

function hex(text: string, at: number, negative: boolean): Strtod | undefined {
  const m = match(HEX, text, at);
  const whole = m?.[1] ?? "", fraction = m?.[2] ?? "";
  if (m === null || whole.length + fraction.length === 0) return undefined;
  let end = at + m[0].length;
  let exponent = -4 * fraction.length;
  const p = match(BINARY_EXPONENT, text, end);
  if (p !== null) {
    exponent += Math.max(-1e5, Math.min(1e5, Number(p[1])));
    end += p[0].length;
  }
  const mantissa = Number(BigInt(`0x${whole}${fraction}`));
  const value = ldexp51(mantissa, exponent);
  return { value: negative ? -value : value, end };
}

function decimal(text: string, at: number, start: number): Strtod | undefined {
  const m = match(DECIMAL, text, at)!;
  if (!/[0-9]/.test(m[0])) return undefined;
  let end = at + m[0].length;
  const e = match(EXPONENT, text, end);
  if (e !== null) end += e[0].length;
  return { value: Number(text.slice(start, end)), end };
}
