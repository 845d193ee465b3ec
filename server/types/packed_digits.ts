/**
 * A short decimal integer kept as text inside a packed string (a hash
 * field's value), read and stepped where it lies: HINCRBY's counter. A
 * string built with `+` is flattened before it is stored (packed_record.ts
 * `flat`), a V8 runtime call whatever the parts, so what a step can save is
 * the value's substring, parsing it, and formatting the sum (a number not in
 * V8's number-string cache costs a runtime call too): a counter's step
 * changes its last digit or two, which come from tables.
 */
import { ONE_BYTE_STRINGS } from "./packed_record.ts";

/** "00" to "99". */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
/** 10 ** i, read rather than computed. */
const POWERS = Array.from({ length: 17 }, (_, i) => 10 ** i);

/** Longest value read here: 15 digits add exactly as doubles (as args.ts's parseInteger). */
const MAX_DIGITS = 15;

/**
 * The canonical decimal integer `s[start, start + length)` ("0", "7", "-42";
 * not "07", "-0", "+1"), as parseInteger reads it; NaN for anything else or
 * for a text of more than 15 characters.
 */
export function integerAt(s: string, start: number, length: number): number {
  if (length === 0 || length > MAX_DIGITS) return NaN;
  const neg = s.charCodeAt(start) === 45;
  let i = neg ? start + 1 : start;
  const end = start + length;
  if (i === end) return NaN;
  // No leading zero, and no "-0".
  if (s.charCodeAt(i) === 48 && (neg || end - i > 1)) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** How many trailing digits stepText() wrote; the digits before them are unchanged. */
export let steppedDigits = 0;

/**
 * The text that replaces the tail of `from`'s text (of `length` characters)
 * so that it reads `to`: its last steppedDigits characters, or undefined when
 * `to`'s text has another length or sign (then write String(to) whole).
 */
export function stepText(from: number, to: number, length: number): string | undefined {
  // A sign that changes changes the length ("-1" to "0"), as one more or one fewer digit does.
  if ((from < 0) !== (to < 0)) return undefined;
  const a = Math.abs(from);
  const b = Math.abs(to);
  const digits = length - (from < 0 ? 1 : 0);
  if (b >= POWERS[digits]! || (digits > 1 && b < POWERS[digits - 1]!)) return undefined;
  // Equal but for the last digit, or the last two.
  const last = b % 10;
  if (a - (a % 10) === b - last) {
    steppedDigits = 1;
    return ONE_BYTE_STRINGS[48 + last]!;
  }
  const lastTwo = b % 100;
  if (a - (a % 100) === b - lastTwo) {
    steppedDigits = 2;
    return TWO_DIGITS[lastTwo]!;
  }
  steppedDigits = length;
  return String(to);
}
