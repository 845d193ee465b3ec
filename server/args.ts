/**
 * Parsing of command arguments with Redis's rules and error strings, and a
 * small cursor (after mini-redis's Parse) so handlers never index argv by hand
 * when they walk options.
 */
import { CommandError, NOT_FLOAT, NOT_INTEGER, outOfRangeBetween, SYNTAX } from "./errors.ts";

/** C's LONG_MAX on Redis's 64-bit builds: the bound of most count and length arguments. */
export const LONG_MAX = 9223372036854775807n;
const INT64_MAX = LONG_MAX;
const INT64_MIN = -9223372036854775808n;

/**
 * Strict integer syntax as Redis's string2ll: optional '-', no '+', no
 * spaces, no leading zeros. Returns a bigint within the int64 range.
 */
export function parseInt64(s: string): bigint | undefined {
  if (s.length === 0) return undefined;
  if (s.length < 16) {
    // parseInteger's loop is exact here, and cheaper than the pattern.
    const n = parseInteger(s);
    return n === undefined ? undefined : BigInt(n);
  }
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

/**
 * An INCRBY-style increment (INCRBY, DECRBY, HINCRBY): a number when short
 * enough to add exactly, a bigint otherwise; undefined for no integer.
 */
export function parseIncrement(s: string): number | bigint | undefined {
  return s.length < 16 ? parseInteger(s) : parseInt64(s);
}

/** As parseInt64, as a number (exact within ±2^53, rounded beyond). */
export function parseInteger(s: string): number | undefined {
  const len = s.length;
  if (len === 1) {
    // A single digit (counts, offsets, limits); "-" alone is no integer.
    const digit = s.charCodeAt(0) - 48;
    return digit >= 0 && digit <= 9 ? digit : undefined;
  }
  if (len > 0 && len < 16) {
    // Fast path for the common case: short decimal numbers.
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
      if (len === 1) return undefined;
    }
    const first = s.charCodeAt(i) - 48;
    if (first === 0 && len > i + 1) return undefined;
    if (first === 0 && neg) return undefined;
    let v = 0;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
  const big = parseInt64(s);
  return big === undefined ? undefined : Number(big);
}

/** An integer argument, or Redis's "not an integer" error. */
export function intArg(s: string, error = NOT_INTEGER): number {
  const v = parseInteger(s);
  if (v === undefined) throw new CommandError(error);
  return v;
}

/**
 * Redis's getRangeLongFromObjectOrReply: an integer within [min, max]; out
 * of range (or not an integer, when `message` is given) replies `message`
 * or Redis's "must between" text.
 */
export function rangedLong(s: string, min: bigint, max = LONG_MAX, message?: string): number {
  if (s.length < 16) {
    // Exact as a number; comparisons of a number with a bigint are exact too.
    const n = parseInteger(s);
    if (n === undefined) throw new CommandError(message ?? NOT_INTEGER);
    if (n < min || n > max) throw new CommandError(message ?? outOfRangeBetween(min, max));
    return n;
  }
  const value = parseInt64(s);
  if (value === undefined) throw new CommandError(message ?? NOT_INTEGER);
  if (value < min || value > max) throw new CommandError(message ?? outOfRangeBetween(min, max));
  return Number(value);
}

/**
 * Redis's getIntFromObjectOrReply: a C `int`; not an integer, or outside
 * [-2^31, 2^31 - 1], replies `message` when given, else Redis's texts.
 */
export function int32Arg(s: string, message?: string): number {
  return rangedLong(s, -2147483648n, 2147483647n, message);
}

/**
 * A float as Redis's string2d/strtold accept it: decimal or exponent forms,
 * inf/infinity with an optional sign; no spaces, no NaN.
 */
export function parseDouble(s: string): number | undefined {
  // Digits with at most one point (coordinates, radii, scores) skip the regular expressions.
  if (s.length < 24 && isPlainDecimal(s)) return Number(s);
  if (s.length === 0 || s.length > 5000) return undefined;
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

/** An optional sign, then digits with at most one point among them, at least one digit. */
function isPlainDecimal(s: string): boolean {
  let digits = 0;
  let points = 0;
  const first = s.charCodeAt(0);
  for (let i = first === 43 || first === 45 ? 1 : 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 46 || ++points > 1) return false;
  }
  return digits > 0;
}

export function floatArg(s: string, error = NOT_FLOAT): number {
  const v = parseDouble(s);
  if (v === undefined) throw new CommandError(error);
  return v;
}

/**
 * Argument `i` of a command. Positions below the command's arity are always
 * present (dispatch checked it); past them a missing argument, such as an
 * option without its value, is Redis's syntax error.
 */
export function arg(argv: readonly string[], i: number): string {
  const a = argv[i];
  if (a === undefined) throw new CommandError(SYNTAX);
  return a;
}

/**
 * Whether `word` is the option `lower` (lower-case ASCII) in any case, as
 * Redis's strcasecmp compares: no lower-case copy made per option.
 */
export function isWord(word: string, lower: string): boolean {
  if (word.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = word.charCodeAt(i);
    const l = lower.charCodeAt(i);
    if (c !== l && !(c >= 65 && c <= 90 && c + 32 === l)) return false;
  }
  return true;
}

/**
 * Walks a command's arguments. `next*` consume one; `peekOption` looks ahead
 * for option names; `end` rejects leftovers with ERR syntax error. Option
 * names follow the project's one case rule: compared in lower case.
 */
export class ArgCursor {
  constructor(readonly argv: readonly string[], public index = 1) {}

  get remaining(): number {
    return this.argv.length - this.index;
  }

  hasMore(): boolean {
    return this.index < this.argv.length;
  }

  /** The next argument lower-cased (for option names), without consuming it. */
  peekOption(): string | undefined {
    const a = this.argv[this.index];
    return a === undefined ? undefined : a.toLowerCase();
  }

  /** The next argument lower-cased (an option name), consumed. */
  nextOption(): string {
    return this.next().toLowerCase();
  }

  next(): string {
    const a = this.argv[this.index];
    if (a === undefined) throw new CommandError(SYNTAX);
    this.index++;
    return a;
  }

  nextInt(error = NOT_INTEGER): number {
    return intArg(this.next(), error);
  }

  /** The next argument as an integer within [min, max]; see rangedLong for the errors. */
  nextLong(min: bigint, max = LONG_MAX, message?: string): number {
    return rangedLong(this.next(), min, max, message);
  }

  /** The next argument as a bigint in the int64 range, or `error`. */
  nextInt64(error = NOT_INTEGER): bigint {
    const v = parseInt64(this.next());
    if (v === undefined) throw new CommandError(error);
    return v;
  }

  nextFloat(error = NOT_FLOAT): number {
    return floatArg(this.next(), error);
  }

  /** Consumes the next argument if it equals `option` (given in lower case; any case matches). */
  eat(option: string): boolean {
    const a = this.argv[this.index];
    if (a !== undefined && a.length === option.length && a.toLowerCase() === option) {
      this.index++;
      return true;
    }
    return false;
  }

  end(): void {
    if (this.index < this.argv.length) throw new CommandError(SYNTAX);
  }
}
