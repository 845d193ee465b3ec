/**
 * Formats a double exactly as Redis 7.2+ replies with one (util.c d2string):
 * "nan", "inf", "-inf", "0", "-0"; integers up to 2^62 in plain digits; every
 * other value through fpconv_dtoa, a Grisu2 conversion with its own rules for
 * when to switch to exponent notation ("1e+21", "1.5e-7": no zero padding).
 *
 * Grisu2 is not guaranteed shortest and treats rounding boundaries its own
 * way, so JS's String(d) differs from it now and then; `fpconvDtoa` is a
 * faithful port (64-bit arithmetic on BigInt, about 4 µs). `fastDtoa` first
 * derives the same answer from String(d) wherever it can prove the two agree,
 * which covers about 98% of arbitrary doubles at a tenth of the cost.
 */

const FRAC_MASK = 0x000FFFFFFFFFFFFFn;
const HIDDEN_BIT = 0x0010000000000000n;
const EXP_BIAS = 1023 + 52;

/** fpconv_powers.h: 10^k for k = -348, -340, ..., 340 as a 64-bit fraction and binary exponent. */
// deno-fmt-ignore
const CACHED_POWERS: readonly (readonly [frac: bigint, exp: number])[] = [
  [18054884314459144840n, -1220], [13451937075301367670n, -1193], [10022474136428063862n, -1166],
  [14934650266808366570n, -1140], [11127181549972568877n, -1113], [16580792590934885855n, -1087],
  [12353653155963782858n, -1060], [18408377700990114895n, -1034], [13715310171984221708n, -1007],
  [10218702384817765436n, -980], [15227053142812498563n, -954], [11345038669416679861n, -927],
  [16905424996341287883n, -901], [12595523146049147757n, -874], [9384396036005875287n, -847],
  [13983839803942852151n, -821], [10418772551374772303n, -794], [15525180923007089351n, -768],
  [11567161174868858868n, -741], [17236413322193710309n, -715], [12842128665889583758n, -688],
  [9568131466127621947n, -661], [14257626930069360058n, -635], [10622759856335341974n, -608],
  [15829145694278690180n, -582], [11793632577567316726n, -555], [17573882009934360870n, -529],
  [13093562431584567480n, -502], [9755464219737475723n, -475], [14536774485912137811n, -449],
  [10830740992659433045n, -422], [16139061738043178685n, -396], [12024538023802026127n, -369],
  [17917957937422433684n, -343], [13349918974505688015n, -316], [9946464728195732843n, -289],
  [14821387422376473014n, -263], [11042794154864902060n, -236], [16455045573212060422n, -210],
  [12259964326927110867n, -183], [18268770466636286478n, -157], [13611294676837538539n, -130],
  [10141204801825835212n, -103], [15111572745182864684n, -77], [11258999068426240000n, -50],
  [16777216000000000000n, -24], [12500000000000000000n, 3], [9313225746154785156n, 30],
  [13877787807814456755n, 56], [10339757656912845936n, 83], [15407439555097886824n, 109],
  [11479437019748901445n, 136], [17105694144590052135n, 162], [12744735289059618216n, 189],
  [9495567745759798747n, 216], [14149498560666738074n, 242], [10542197943230523224n, 269],
  [15709099088952724970n, 295], [11704190886730495818n, 322], [17440603504673385349n, 348],
  [12994262207056124023n, 375], [9681479787123295682n, 402], [14426529090290212157n, 428],
  [10748601772107342003n, 455], [16016664761464807395n, 481], [11933345169920330789n, 508],
  [17782069995880619868n, 534], [13248674568444952270n, 561], [9871031767461413346n, 588],
  [14708983551653345445n, 614], [10959046745042015199n, 641], [16330252207878254650n, 667],
  [12166986024289022870n, 694], [18130221999122236476n, 720], [13508068024458167312n, 747],
  [10064294952495520794n, 774], [14996968138956309548n, 800], [11173611982879273257n, 827],
  [16649979327439178909n, 853], [12405201291620119593n, 880], [9242595204427927429n, 907],
  [13772540099066387757n, 933], [10261342003245940623n, 960], [15290591125556738113n, 986],
  [11392378155556871081n, 1013], [16975966327722178521n, 1039], [12648080533535911531n, 1066],
];
const FIRST_POWER = -348;
const STEP_POWERS = 8;
const EXP_MIN = -60;
const EXP_MAX = -32;

const TENS: readonly bigint[] = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(19 - i));

const bitsView = new DataView(new ArrayBuffer(8));

interface Fp {
  frac: bigint;
  exp: number;
}

/** (a * b) rounded to its high 64 bits, as fpconv's multiply. */
function multiply(a: Fp, b: Fp): Fp {
  return { frac: (a.frac * b.frac + (1n << 63n)) >> 64n, exp: a.exp + b.exp + 64 };
}

/** Decrements the last digit while that brings the result closer to the value. */
function roundDigit(
  digits: number[],
  delta: bigint,
  rem: bigint,
  kappa: bigint,
  frac: bigint,
): void {
  const last = digits.length - 1;
  while (
    rem < frac && delta - rem >= kappa && (rem + kappa < frac || frac - rem > rem + kappa - frac)
  ) {
    digits[last]--;
    rem += kappa;
  }
}

/** Grisu2: the decimal digits of |d| and the power of ten K that scales them. */
function grisu2(d: number, digits: number[]): number {
  bitsView.setFloat64(0, d);
  const bits = bitsView.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7FFn);
  let frac = bits & FRAC_MASK;
  let exp: number;
  if (biased !== 0) {
    frac += HIDDEN_BIT;
    exp = biased - EXP_BIAS;
  } else {
    exp = -EXP_BIAS + 1;
  }

  // Boundaries: the midpoints to the neighbouring doubles.
  let upperFrac = (frac << 1n) + 1n;
  let upperExp = exp - 1;
  while ((upperFrac & (HIDDEN_BIT << 1n)) === 0n) {
    upperFrac <<= 1n;
    upperExp--;
  }
  upperFrac <<= 10n;
  upperExp -= 10;
  const lowerShift = frac === HIDDEN_BIT ? 2 : 1;
  let lowerFrac = (frac << BigInt(lowerShift)) - 1n;
  const lowerExp = exp - lowerShift;
  lowerFrac <<= BigInt(lowerExp - upperExp);

  // Normalized value.
  let wFrac = frac;
  let wExp = exp;
  while ((wFrac & HIDDEN_BIT) === 0n) {
    wFrac <<= 1n;
    wExp--;
  }
  wFrac <<= 11n;
  wExp -= 11;

  // The cached power of ten that brings the exponent into [EXP_MIN, EXP_MAX].
  const approx = Math.trunc(-(upperExp + 87) * 0.30102999566398114);
  let idx = Math.trunc((approx - FIRST_POWER) / STEP_POWERS);
  for (;;) {
    const current = upperExp + CACHED_POWERS[idx][1] + 64;
    if (current < EXP_MIN) idx++;
    else if (current > EXP_MAX) idx--;
    else break;
  }
  const cached: Fp = { frac: CACHED_POWERS[idx][0], exp: CACHED_POWERS[idx][1] };
  const k = FIRST_POWER + idx * STEP_POWERS;

  const w = multiply({ frac: wFrac, exp: wExp }, cached);
  const upper = multiply({ frac: upperFrac, exp: upperExp }, cached);
  const lower = multiply({ frac: lowerFrac, exp: upperExp }, cached);
  lower.frac++;
  upper.frac--;
  let K = -k;

  // Digit generation.
  const wfrac = upper.frac - w.frac;
  let delta = upper.frac - lower.frac;
  const shift = -upper.exp;
  const shiftN = BigInt(shift);
  const one = 1n << shiftN;
  let part1 = Number(upper.frac >> shiftN);
  let part2 = upper.frac & (one - 1n);
  let kappa = 10;
  for (let t = 10; kappa > 0; t++) {
    const div = Number(TENS[t]);
    const digit = Math.floor(part1 / div);
    if (digit !== 0 || digits.length !== 0) digits.push(digit);
    part1 -= digit * div;
    kappa--;
    const rem = (BigInt(part1) << shiftN) + part2;
    if (rem <= delta) {
      K += kappa;
      roundDigit(digits, delta, rem, TENS[t] << shiftN, wfrac);
      return K;
    }
  }
  for (let unit = 18;; unit--) {
    part2 = BigInt.asUintN(64, part2 * 10n);
    delta = BigInt.asUintN(64, delta * 10n);
    kappa--;
    const digit = Number(part2 >> shiftN);
    if (digit !== 0 || digits.length !== 0) digits.push(digit);
    part2 &= one - 1n;
    if (part2 < delta) {
      K += kappa;
      roundDigit(digits, delta, part2, one, BigInt.asUintN(64, wfrac * TENS[unit]));
      return K;
    }
  }
}

/** fpconv's emit_digits: `digits` × 10^K as plain integer, plain decimal or d.ddde±x. */
function emitDigits(digits: string, K: number, negative: boolean): string {
  let ndigits = digits.length;
  let exp = Math.abs(K + ndigits - 1);

  if (K >= 0 && exp < ndigits + 7) return digits + "0".repeat(K);

  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = ndigits + K;
    if (offset <= 0) return "0." + "0".repeat(-offset) + digits;
    return digits.slice(0, offset) + "." + digits.slice(offset);
  }

  ndigits = Math.min(ndigits, 18 - (negative ? 1 : 0));
  let out = digits[0];
  if (ndigits > 1) out += "." + digits.slice(1, ndigits);
  out += K + ndigits - 1 < 0 ? "e-" : "e+";
  let cent = 0;
  if (exp > 99) {
    cent = Math.floor(exp / 100);
    out += cent;
    exp -= cent * 100;
  }
  if (exp > 9) {
    const dec = Math.floor(exp / 10);
    out += dec;
    exp -= dec * 10;
  } else if (cent) {
    out += "0";
  }
  return out + (exp % 10);
}

/** fpconv_dtoa for a finite, non-zero double. */
function fpconvDtoa(d: number): string {
  const digits: number[] = [];
  const K = grisu2(d, digits);
  const negative = d < 0;
  return (negative ? "-" : "") +
    emitDigits(String.fromCharCode(...digits.map((v) => v + 48)), K, negative);
}

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two halves
/** How close (in ulps) to a rounding boundary a candidate may come before the fast path gives up. */
const BOUNDARY_MARGIN = 1 / 128;
const MIN_NORMAL = 2.2250738585072014e-308;
const float64 = new Float64Array(1);
const words = new Uint32Array(float64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Grisu2's answer without running it, when that answer is certain: JS's
 * shortest round-trip digits D × 10^E are what Grisu2 produces whenever D
 * lies inside Grisu2's (slightly narrowed) rounding interval and is clearly
 * the closest candidate of its length. Both are checked with exact
 * arithmetic on x = |d| × 10^-E (a two-product), leaving a safety margin far
 * above Grisu2's own approximation error. Returns undefined when unsure.
 */
function fastDtoa(d: number): string | undefined {
  const negative = d < 0;
  const a = negative ? -d : d;
  if (a < MIN_NORMAL) return undefined;
  const s = String(a);
  let mantissaEnd = s.indexOf("e");
  let E = 0;
  if (mantissaEnd >= 0) E = Number(s.slice(mantissaEnd + 1));
  else mantissaEnd = s.length;
  const dot = s.indexOf(".");
  let digits = s.slice(0, mantissaEnd);
  if (dot >= 0) {
    E -= mantissaEnd - dot - 1;
    digits = s.slice(0, dot) + s.slice(dot + 1, mantissaEnd);
  }
  if (E >= 0 || E < -22) return undefined;
  let lead = 0;
  while (digits.charCodeAt(lead) === 48) lead++;
  if (lead > 0) digits = digits.slice(lead);
  const n = digits.length;

  // x - D exactly (up to a final rounding): x = p + err by a two-product,
  // and D = head + tail with head exactly representable.
  const scale = POW10[-E];
  const p = a * scale;
  const aSplit = a * SPLITTER;
  const aHi = aSplit - (aSplit - a);
  const aLo = a - aHi;
  const sSplit = scale * SPLITTER;
  const sHi = sSplit - (sSplit - scale);
  const sLo = scale - sHi;
  const err = ((aHi * sHi - p) + aHi * sLo + aLo * sHi) + aLo * sLo;
  const head = n > 4 ? Number(digits.slice(0, n - 4)) * 1e4 : 0;
  const tail = n > 4 ? Number(digits.slice(n - 4)) : Number(digits);
  const offset = ((p - head) - tail) + err;

  float64[0] = a;
  const high = words[HIGH_WORD];
  const ulp = 2 ** (((high >>> 20) & 0x7FF) - 1075) * scale;
  const powerOfTwo = (high & 0xFFFFF) === 0 && words[1 - HIGH_WORD] === 0;
  // Below a power of two the neighbouring double is half as far.
  const below = powerOfTwo ? 0.25 : 0.5;
  if (
    offset >= 0
      ? offset >= (below - BOUNDARY_MARGIN) * ulp
      : -offset >= (0.5 - BOUNDARY_MARGIN) * ulp
  ) {
    return undefined;
  }
  if (Math.abs(offset) >= 0.5 - ulp / 256) return undefined;
  return (negative ? "-" : "") + emitDigits(digits, E, negative);
}

/** Integers Redis prints with ll2string: |d| ≤ LLONG_MAX/2 (as a double, 2^62). */
const LL_SAFE = 4611686018427387904;

/** Redis's d2string: how a double appears in a reply. */
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
  return fastDtoa(d) ?? fpconvDtoa(d);
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
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j])) j++;
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
