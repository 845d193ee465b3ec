/**
 * Formats a double the way Redis 7.2+ replies with one, as the issue asks:
 * the shortest digits that read back as the same double, "nan", "inf",
 * "-inf", "-0", integers up to 2^62 in plain digits, and Redis's choice of
 * notation for the rest.
 *
 * The digits come from JS itself: Number.prototype.toExponential() with no
 * argument yields the shortest round-trip digits (ECMA-262 Number::toString).
 * Redis's notation rules, observed on its replies, then place the point:
 * - digits followed by trailing zeros stay plain while the number is shorter
 *   than the digits plus 7 zeros ("1e+21" otherwise);
 * - a number below 1 stays plain down to 6 leading zeros after the point, or
 *   any number whose decimal exponent is between -3 and 3 ("0.000001",
 *   "1.5e-7");
 * - otherwise d[.ddd]e±x, the exponent without zero padding ("2.5e-10").
 */

/** Integers Redis prints as integers: |d| ≤ LLONG_MAX/2 (2^62 as a double). */
const LL_SAFE = 4611686018427387904;

/** Redis's representation of a double in a reply. */
export function formatDouble(d: number): string {
  if (d !== d) return "nan";
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  if (d >= -LL_SAFE && d <= LL_SAFE && Math.trunc(d) === d) {
    // String() prints the shortest form, not every digit, beyond 2^53.
    return d <= Number.MAX_SAFE_INTEGER && d >= -Number.MAX_SAFE_INTEGER
      ? String(d)
      : BigInt(d).toString();
  }
  const negative = d < 0;
  const sci = (negative ? -d : d).toExponential();
  const e = sci.indexOf("e");
  const digits = sci[0] + (e > 1 ? sci.slice(2, e) : "");
  const exponent = Number(sci.slice(e + 1));
  return (negative ? "-" : "") + placePoint(digits, exponent);
}

/**
 * Writes `digits` (d1 d2 ... dn, no leading zero) scaled so that d1 stands
 * at 10^exponent, in Redis's notation (see formatDouble).
 */
function placePoint(digits: string, exponent: number): string {
  const n = digits.length;
  const lastDigitPower = exponent - n + 1;
  const magnitude = Math.abs(exponent);
  if (lastDigitPower >= 0 && magnitude < n + 7) return digits + "0".repeat(lastDigitPower);
  if (lastDigitPower < 0 && (lastDigitPower > -7 || magnitude < 4)) {
    const pointAt = n + lastDigitPower;
    if (pointAt <= 0) return "0." + "0".repeat(-pointAt) + digits;
    return digits.slice(0, pointAt) + "." + digits.slice(pointAt);
  }
  const mantissa = n > 1 ? digits[0] + "." + digits.slice(1) : digits;
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude}`;
}

/** What C's strtod read from a string: the value, the characters consumed, and ERANGE. */
export interface StrtodResult {
  value: number;
  /** Characters consumed; 0 when nothing converted (leading spaces are not counted then). */
  length: number;
  /** Overflow to ±inf from a finite literal, or underflow to 0 from a non-zero one. */
  outOfRange: boolean;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** Whether `s` has `word` (lower case) at `at`, ignoring case. */
function hasWordAt(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * C's strtod (glibc, "C" locale) over a binary string: leading white space,
 * a sign, then a decimal number with optional exponent, a hexadecimal one
 * ("0x1.8p3"), "inf"/"infinity" or "nan"/"nan(...)", all case-insensitive.
 * Redis parses every score and range bound through it.
 */
export function strtod(s: string): StrtodResult {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const negative = s.charCodeAt(i) === 45;
  if (negative || s.charCodeAt(i) === 43) i++;
  const sign = negative ? -1 : 1;

  if (hasWordAt(s, i, "inf")) {
    const end = hasWordAt(s, i, "infinity") ? i + 8 : i + 3;
    return { value: sign * Infinity, length: end, outOfRange: false };
  }
  if (hasWordAt(s, i, "nan")) {
    let end = i + 3;
    if (s.charCodeAt(end) === 40) {
      let j = end + 1;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      if (s.charCodeAt(j) === 41) end = j + 1;
    }
    return { value: NaN, length: end, outOfRange: false };
  }

  if (
    s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120 &&
    (hexDigit(s.charCodeAt(i + 2)) >= 0 ||
      (s.charCodeAt(i + 2) === 46 && hexDigit(s.charCodeAt(i + 3)) >= 0))
  ) {
    return hexStrtod(s, i + 2, sign);
  }

  const digitsStart = i;
  let sawDigit = false;
  let nonZero = false;
  while (isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonZero = true;
    sawDigit = true;
    i++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 48) nonZero = true;
      sawDigit = true;
      i++;
    }
  }
  if (!sawDigit) return { value: 0, length: 0, outOfRange: false };
  if ((s.charCodeAt(i) | 0x20) === 101) {
    let j = i + 1;
    if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  const magnitude = Number(s.slice(digitsStart, i));
  const outOfRange = magnitude === Infinity || (magnitude === 0 && nonZero);
  return { value: sign * magnitude, length: i, outOfRange };
}

/**
 * The whole of `s` read by strtod, as Redis's string2d and string2ld require
 * it: no leading white space and nothing left over. Undefined otherwise.
 */
export function strtodWhole(s: string): StrtodResult | undefined {
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return undefined;
  const parsed = strtod(s);
  return parsed.length === s.length ? parsed : undefined;
}

/** The hexadecimal form of strtod, from the first digit after "0x" at `at`. */
function hexStrtod(s: string, at: number, sign: number): StrtodResult {
  let i = at;
  let mantissa = 0n;
  let scale = 0;
  for (let d = hexDigit(s.charCodeAt(i)); d >= 0; d = hexDigit(s.charCodeAt(++i))) {
    mantissa = mantissa * 16n + BigInt(d);
  }
  if (s.charCodeAt(i) === 46) {
    for (let d = hexDigit(s.charCodeAt(++i)); d >= 0; d = hexDigit(s.charCodeAt(++i))) {
      mantissa = mantissa * 16n + BigInt(d);
      scale -= 4;
    }
  }
  if ((s.charCodeAt(i) | 0x20) === 112) {
    let j = i + 1;
    const negativeExponent = s.charCodeAt(j) === 45;
    if (negativeExponent || s.charCodeAt(j) === 43) j++;
    if (isDigit(s.charCodeAt(j))) {
      let exponent = 0;
      while (isDigit(s.charCodeAt(j))) {
        exponent = Math.min(1e6, exponent * 10 + s.charCodeAt(j++) - 48);
      }
      scale += negativeExponent ? -exponent : exponent;
      i = j;
    }
  }
  // The mantissa rounds once to a double; scaling by two powers of two (so
  // neither overflows alone) is exact unless the result is subnormal.
  const half = Math.trunc(scale / 2);
  const magnitude = Number(mantissa) * 2 ** half * 2 ** (scale - half);
  const outOfRange = magnitude === Infinity || (magnitude === 0 && mantissa !== 0n);
  return { value: sign * magnitude, length: i, outOfRange };
}
