/**
 * String values: how Redis would encode them (OBJECT ENCODING and REFCOUNT),
 * and INCRBYFLOAT's arithmetic, which Redis does in x87 80-bit long double
 * and prints with "%.17Lf". Strings are binary strings (one char per byte).
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { parseInt64 } from "../args.ts";

/**
 * How a string value was created, which decides its Redis encoding:
 * `Encoded` went through tryObjectEncoding (SET, MSET, APPEND on a new key:
 * "int" for canonical integers, "embstr" up to 44 bytes, else "raw"); `Raw`
 * was modified in place (APPEND, SETRANGE, SETBIT, BITOP: always "raw");
 * `Plain` was created from a buffer without encoding (INCRBYFLOAT: "embstr"
 * up to 44 bytes, else "raw").
 */
export const enum StringForm {
  Encoded = 0,
  Raw = 1,
  Plain = 2,
}

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_MAX = 44;
/** Redis's OBJ_SHARED_INTEGERS: 0..9999 are shared objects. */
const SHARED_INTEGERS = 10000;
/** What OBJECT REFCOUNT says for a shared object (Redis's OBJ_SHARED_REFCOUNT). */
export const SHARED_REFCOUNT = 2147483647;

/**
 * Whether `s` is an integer Redis stores int-encoded (string2l, at most 20 chars); a longer
 * string kept as bytes has no text made of it.
 */
export function isIntegerEncodable(s: string | ByteString): boolean {
  return s.length <= 20 && s.length > 0 && parseInt64(textOf(s)) !== undefined;
}

function textOf(s: string | ByteString): string {
  return typeof s === "string" ? s : s.text;
}

/** OBJECT ENCODING of a string value. */
export function stringEncoding(s: string | ByteString, form: StringForm): "int" | "embstr" | "raw" {
  if (form === StringForm.Raw) return "raw";
  if (form === StringForm.Encoded && isIntegerEncodable(s)) return "int";
  return s.length <= EMBSTR_MAX ? "embstr" : "raw";
}

/**
 * Whether Redis would have stored this value as one of its shared integer
 * objects: an int-encoded 0..9999, unless maxmemory with an LRU/LFU policy
 * forbids sharing (every object then needs its own access data).
 */
export function isSharedInteger(
  s: string | ByteString,
  form: StringForm,
  maxmemory: number,
  policy: string,
): boolean {
  if (form !== StringForm.Encoded || !isIntegerEncodable(s)) return false;
  if (maxmemory !== 0 && (policy.endsWith("-lru") || policy.endsWith("-lfu"))) return false;
  const v = Number(textOf(s));
  return v >= 0 && v < SHARED_INTEGERS;
}

// ---- long double arithmetic (INCRBYFLOAT, HINCRBYFLOAT) --------------------

/**
 * A finite x87 extended-precision value: (-1)^negative * mantissa * 2^exponent,
 * with a 64-bit mantissa. Emulated exactly with BigInt so that results match
 * Redis digit for digit (0.1 + 0.2 is "0.3" there, not 0.30000000000000004).
 */
export interface LongDouble {
  negative: boolean;
  mantissa: bigint;
  exponent: number;
}

const MANTISSA_BITS = 64;
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;
/** Exponent of the mantissa's last bit for the smallest subnormal (2^-16445). */
const MIN_EXPONENT = -16445;
/** Largest exponent keeping the value below 2^16384 (LDBL_MAX). */
const MAX_EXPONENT = 16384 - MANTISSA_BITS;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are rejected, longer outputs come out empty. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/** Magnitudes (decimal and binary) beyond these are certain overflow or underflow. */
const DECIMAL_EXPONENT_LIMIT = 5000;
const BINARY_EXPONENT_LIMIT = 17000;

/** Bits of a positive bigint, counted on numbers 48 bits at a time (not on its binary text). */
function bitLength(n: bigint): number {
  let bits = 0;
  while (n > 0xffffffffffffn) {
    n >>= 48n;
    bits += 48;
  }
  const x = Number(n);
  const high = Math.floor(x / 0x100000000);
  return bits + (high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(x));
}

/**
 * num/den rounded to the nearest long double (ties to even), or Infinity on
 * overflow; subnormals keep fewer mantissa bits, as the hardware does.
 */
function roundRational(negative: boolean, num: bigint, den: bigint): LongDouble | number {
  if (num === 0n) return { negative, mantissa: 0n, exponent: 0 };
  let exponent = bitLength(num) - bitLength(den) - MANTISSA_BITS;
  const quotient = (e: number) =>
    e >= 0 ? [num, den << BigInt(e)] as const : [num << BigInt(-e), den] as const;
  let [n, d] = quotient(exponent);
  if (n / d >= TWO_64) [n, d] = quotient(++exponent);
  else if (n / d < TWO_63) [n, d] = quotient(--exponent);
  if (exponent < MIN_EXPONENT) [n, d] = quotient(exponent = MIN_EXPONENT);
  let mantissa = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && (mantissa & 1n) === 1n)) mantissa++;
  if (mantissa === TWO_64) {
    mantissa >>= 1n;
    exponent++;
  }
  if (exponent > MAX_EXPONENT) return negative ? -Infinity : Infinity;
  return { negative, mantissa, exponent };
}

function scaled(mantissa: bigint, exponent: number, negative: boolean): LongDouble | number {
  return exponent >= 0
    ? roundRational(negative, mantissa << BigInt(exponent), 1n)
    : roundRational(negative, mantissa, 1n << BigInt(-exponent));
}

/**
 * Parses a float as Redis's string2ld (strtold, then no leading space, no
 * trailing bytes, no NaN, no overflow, no underflow to zero). Accepts
 * decimal and hex ("0x1p-3") forms and inf/infinity. Returns a LongDouble,
 * ±Infinity, or undefined when invalid.
 */
export function parseLongDouble(s: string): LongDouble | number | undefined {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return undefined;
  const m =
    /^([+-]?)(?:(inf|infinity)|0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?|([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?)$/i
      .exec(s);
  if (m === null) return undefined;
  const negative = m[1] === "-";
  if (m[2] !== undefined) return negative ? -Infinity : Infinity;
  let result: LongDouble | number;
  if (m[3] !== undefined) {
    const whole = m[3];
    const fraction = m[4] ?? "";
    if (whole.length + fraction.length === 0) return undefined;
    const mantissa = BigInt("0x0" + whole + fraction);
    const exponent = Number(m[5] ?? 0) - 4 * fraction.length;
    if (mantissa === 0n) return { negative, mantissa: 0n, exponent: 0 };
    const magnitude = bitLength(mantissa) + exponent;
    if (magnitude > BINARY_EXPONENT_LIMIT) result = Infinity;
    else if (magnitude < -BINARY_EXPONENT_LIMIT) result = 0;
    else result = scaled(mantissa, exponent, negative);
  } else {
    const whole = m[6] ?? "";
    const fraction = m[7] ?? "";
    if (whole.length + fraction.length === 0) return undefined;
    const digits = BigInt((whole + fraction) || "0");
    const exponent = Number(m[8] ?? 0) - fraction.length;
    if (digits === 0n) return { negative, mantissa: 0n, exponent: 0 };
    const magnitude = exponent + digits.toString().length;
    if (magnitude > DECIMAL_EXPONENT_LIMIT) result = Infinity;
    else if (magnitude < -DECIMAL_EXPONENT_LIMIT) result = 0;
    else if (exponent >= 0) result = roundRational(negative, digits * 10n ** BigInt(exponent), 1n);
    else result = roundRational(negative, digits, 10n ** BigInt(-exponent));
  }
  // strtold reports overflow and underflow to zero as ERANGE, which Redis rejects.
  if (typeof result === "number") return undefined;
  if (result.mantissa === 0n) return undefined;
  return result;
}

/** a + b, exactly rounded; ±Infinity on overflow. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | number {
  const exponent = Math.min(a.exponent, b.exponent);
  const signed = (x: LongDouble) => {
    const v = x.mantissa << BigInt(x.exponent - exponent);
    return x.negative ? -v : v;
  };
  const sum = signed(a) + signed(b);
  return scaled(sum < 0n ? -sum : sum, exponent, sum < 0n);
}

/**
 * Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a
 * trailing point) removed, "-0" printed as "0"; a result of 5120 chars or
 * more comes out empty, as Redis's buffer overflow check makes it.
 */
export function formatLongDouble(x: LongDouble): string {
  const ten17 = 10n ** 17n;
  let fixed: bigint;
  if (x.exponent >= 0) {
    fixed = (x.mantissa << BigInt(x.exponent)) * ten17;
  } else {
    const num = x.mantissa * ten17;
    const den = 1n << BigInt(-x.exponent);
    fixed = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (fixed & 1n) === 1n)) fixed++;
  }
  const digits = fixed.toString().padStart(18, "0");
  const whole = digits.slice(0, -17);
  if ((x.negative ? 1 : 0) + whole.length + 18 >= MAX_LONG_DOUBLE_CHARS) return "";
  const fraction = digits.slice(-17).replace(/0+$/, "");
  const text = fraction === "" ? whole : `${whole}.${fraction}`;
  return x.negative && text !== "0" ? "-" + text : text;
}

/** 5^i for i in 0..15: a decimal m / 10^f is a dyadic rational when 5^f divides m. */
const POWERS_OF_5 = Array.from({ length: 16 }, (_, i) => 5 ** i);

/**
 * The value of a plain decimal ("-12", "3.75") of at most 15 digits when it
 * is exactly a double with at most 15 binary fraction digits; NaN for any
 * other text (exponents, signs, hex, "1.", too many digits, 0.1...).
 */
export function exactDyadic(s: string): number {
  const n = s.length;
  if (n === 0 || n > 17) return NaN;
  const negative = s.charCodeAt(0) === 0x2d;
  let digits = 0;
  let m = 0;
  let fraction = -1;
  for (let i = negative ? 1 : 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e && fraction < 0 && digits > 0) {
      fraction = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return NaN;
    m = m * 10 + (c - 0x30);
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0 || digits > 15 || fraction === 0) return NaN;
  if (fraction > 0) {
    const five = POWERS_OF_5[fraction]!;
    if (m % five !== 0) return NaN;
    // Both divisions are exact: m / 5^f is an integer, then a power of two.
    m = m / five / 2 ** fraction;
  }
  return negative ? -m : m;
}

/**
 * x + y as `formatLongDouble(addLongDouble(...))` prints it, without bigints,
 * for operands from exactDyadic when their sum is exact too (1.5 + 3,
 * 10 + 0.25): the long double sum is then exact as well, and its "%.17Lf"
 * digits are the sum's exact expansion (at most 15 decimals). Undefined for
 * NaN operands or an inexact sum: the caller takes the long double path.
 */
export function exactSumText(x: number, y: number): string | undefined {
  const sum = x + y;
  // Knuth's TwoSum: the rounding error of x + y is zero exactly when the sum is exact.
  const yPart = sum - x;
  if (Number.isNaN(sum) || (x - (sum - yPart)) + (y - yPart) !== 0) return undefined;
  if (Number.isInteger(sum)) return String(sum);
  const fixed = sum.toFixed(17);
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 0x30) end--;
  return fixed.slice(0, end);
}

// ---- strings edited in place -------------------------------------------------

/** Largest capacity a ByteString grows to ahead of need (Redis's 512 MB string cap). */
const MAX_CAPACITY = 512 * 1024 * 1024;
/** Redis's SDS_MAX_PREALLOC: past it, growth adds this much room rather than doubling. */
const MAX_PREALLOC = 1024 * 1024;

/**
 * A string value kept as mutable bytes, so that bit commands (SETBIT,
 * BITFIELD) cost O(1) instead of copying a JS string, which is immutable, on
 * every write. Readers that want a string get `text`, built once per change.
 */
export class ByteString {
  #text: string | undefined;

  constructor(public bytes: Uint8Array = new Uint8Array(0), public length = bytes.length) {}

  static from(s: string): ByteString {
    const bytes = new Uint8Array(s.length);
    // writeBinary copies long strings natively (ASCII or not).
    writeBinary(bytes, 0, s);
    const value = new ByteString(bytes);
    value.#text = s;
    return value;
  }

  get text(): string {
    return this.#text ??= bytesToBinary(this.bytes, 0, this.length);
  }

  /**
   * Takes `bytes` (edited in place by the caller, e.g. a HyperLogLog) as the
   * value's storage, its first `length` bytes the value; the spare room after
   * them is zeroed, as growth by `prepareWrite` expects.
   */
  adopt(bytes: Uint8Array, length: number): void {
    this.#text = undefined;
    this.bytes = bytes;
    this.length = length;
    bytes.fill(0, length);
  }

  /**
   * Makes the first `length` bytes writable, zero-filling any growth; the
   * caller then writes `bytes` directly. Growth is greedy as Redis's
   * sdsMakeRoomFor (twice the length, or 1 MB more past 1 MB), so a run of
   * appends or growing offsets costs amortized O(1) a byte. A value still
   * empty (a key SETRANGE or SETBIT creates) gets just `length`, as Redis's
   * sdsnewlen there: 50 keys made by SETRANGE at 100 kB are 5 MB, not 10.
   */
  prepareWrite(length: number): void {
    this.#text = undefined;
    if (length <= this.length) return;
    if (length > this.bytes.length) {
      const greedy = this.bytes.length === 0
        ? length
        : length < MAX_PREALLOC
        ? length * 2
        : length + MAX_PREALLOC;
      const capacity = Math.max(length, Math.min(greedy, MAX_CAPACITY));
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.length = length;
  }
}
