/**
 * Redis's glob matching (util.c stringmatchlen): `*`, `?`, `[abc]`, `[^a]`,
 * `[a-z]` (reversed ranges allowed), and `\` escaping the next character.
 * Works on binary strings (one char per byte); `nocase` folds ASCII letters.
 *
 * Every token but `*` consumes exactly one byte, so only the most recent `*`
 * ever needs to be retried: when the rest of the pattern fails, the last star
 * absorbs one more byte and matching resumes after it. Earlier stars never
 * need a second try (a longer match for them only moves the later star's
 * starting point right, which it already covers). That bounds the work at
 * O(pattern × subject) with no recursion, like Redis 7's fix for
 * CVE-2022-36021, instead of exponential backtracking.
 *
 * A `[...]` class is read once per pattern, not once per byte tried: its
 * end and a 256-bit set of the bytes it accepts are kept for the pattern
 * (see classesOf), so a class costs O(1) per byte. Redis rescans the class
 * every time, which with an unterminated `[` (the class runs to the end of
 * the pattern) makes each byte cost the rest of the pattern.
 *
 * Redis quirks kept on purpose: an empty subject matches only the empty
 * pattern (even `*` does not match it; KEYS and SCAN special-case a lone
 * `*` themselves); an unterminated `[` class runs to the end of the pattern;
 * in a class, `\x` compares `x` case-sensitively; range bounds compare as C
 * `char`, which is signed on x86-64 (our reference build), so there bytes
 * 0x80–0xff sort below 0x00; with `nocase` a range is ordered first and
 * folded after, so `[Z-a]` matches nothing.
 *
 * @example globMatch("h?llo*", "hello world") // true
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = subject.length;
  if (slen === 0) return plen === 0;
  let classes: Classes | undefined;
  let pi = 0;
  let si = 0;
  // Where to resume after the last star: pattern index and subject index.
  let starPi = -1;
  let starSi = 0;
  while (si < slen) {
    if (pi < plen && pattern.charCodeAt(pi) === STAR) {
      while (pi < plen && pattern.charCodeAt(pi) === STAR) pi++;
      if (pi === plen) return true;
      starPi = pi;
      starSi = si;
      continue;
    }
    let next = -1;
    if (pi < plen) {
      const c = subject.charCodeAt(si);
      next = pattern.charCodeAt(pi) === OPEN
        ? matchClass(classes ??= classesOf(pattern, nocase), pi, c)
        : matchToken(pattern, pi, c, nocase);
    }
    if (next >= 0) {
      pi = next;
      si++;
      continue;
    }
    if (starPi < 0) return false;
    starSi++;
    si = starSi;
    pi = starPi;
  }
  while (pi < plen && pattern.charCodeAt(pi) === STAR) pi++;
  return pi === plen;
}

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const BACKSLASH = 92; // \
const CARET = 94; // ^
const DASH = 45; // -

/**
 * Matches the non-star token at `pi` against byte `c`: the index just past
 * the token when it matches, -1 when it does not.
 */
function matchToken(p: string, pi: number, c: number, nocase: boolean): number {
  const pc = p.charCodeAt(pi);
  if (pc === QUESTION) return pi + 1;
  if (pc === BACKSLASH && pi + 1 < p.length) pi++;
  return sameByte(p.charCodeAt(pi), c, nocase) ? pi + 1 : -1;
}

/** Matches the class whose `[` is at `pi`; see matchToken. */
function matchClass(classes: Classes, pi: number, c: number): number {
  const k = classes.slot[pi]!;
  return c < 256 && (classes.bits[k * 8 + (c >>> 5)]! >>> (c & 31)) & 1 ? classes.ends[k]! : -1;
}

/**
 * The `[...]` classes of one pattern: `slot[i]` numbers the class whose `[`
 * is at index i, `ends[k]` is the index just past class k and `bits[8k..8k+7]`
 * the bytes it accepts.
 */
interface Classes {
  slot: Int32Array;
  ends: number[];
  bits: Uint32Array;
}

// Classes of recent patterns, per case mode: KEYS, SCAN and PUBLISH try one
// pattern against many subjects. Bounded in entries and in pattern bytes (a
// cached byte costs at most ~20 bytes of tables).
const CACHE_ENTRIES = 64;
const CACHE_CHARS = 1 << 16;
const cache = [new Map<string, Classes>(), new Map<string, Classes>()];
let cachedChars = 0;

// The latest pattern, also one too long to cache: KEYS tries it on every key.
let last: { pattern: string; nocase: boolean; classes: Classes } | undefined;

function classesOf(pattern: string, nocase: boolean): Classes {
  if (last !== undefined && last.pattern === pattern && last.nocase === nocase) return last.classes;
  const map = cache[nocase ? 1 : 0]!;
  let classes = map.get(pattern);
  if (classes !== undefined) return classes;
  classes = readClasses(pattern, nocase);
  if (map.size >= CACHE_ENTRIES || cachedChars + pattern.length > CACHE_CHARS) {
    for (const m of cache) m.clear();
    cachedChars = 0;
  }
  if (pattern.length <= CACHE_CHARS) {
    map.set(pattern, classes);
    cachedChars += pattern.length;
  }
  last = { pattern, nocase, classes };
  return classes;
}

/** Walks the pattern token by token, as globMatch does, reading each class. */
function readClasses(p: string, nocase: boolean): Classes {
  const plen = p.length;
  const slot = new Int32Array(plen);
  const ends: number[] = [];
  let bits = new Uint32Array(64);
  for (let pi = 0; pi < plen;) {
    const pc = p.charCodeAt(pi);
    if (pc === OPEN) {
      const k = ends.length;
      if ((k + 1) * 8 > bits.length) {
        const grown = new Uint32Array(bits.length * 2);
        grown.set(bits);
        bits = grown;
      }
      slot[pi] = k;
      pi = readClass(p, pi + 1, nocase, bits, k * 8);
      ends.push(pi);
    } else {
      pi += pc === BACKSLASH && pi + 1 < plen ? 2 : 1;
    }
  }
  return { slot, ends, bits };
}

/**
 * Sets in `bits` (from `at`) the bytes matched by the class whose body
 * starts at `pi` (Redis's stringmatchlen `[` case); answers the index just
 * past the class. An unterminated class ends the pattern.
 */
function readClass(p: string, pi: number, nocase: boolean, bits: Uint32Array, at: number): number {
  const plen = p.length;
  const add = (c: number) => {
    if (c < 256) bits[at + (c >>> 5)]! |= 1 << (c & 31);
  };
  const not = pi < plen && p.charCodeAt(pi) === CARET;
  if (not) pi++;
  for (; pi < plen; pi++) {
    const pc = p.charCodeAt(pi);
    if (pc === BACKSLASH && pi + 1 < plen) {
      pi++;
      add(p.charCodeAt(pi));
    } else if (pc === CLOSE) {
      break;
    } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === DASH) {
      const to = p.charCodeAt(pi + 2);
      for (let c = 0; c < 256; c++) if (inRange(pc, to, c, nocase)) add(c);
      pi += 2;
    } else {
      add(pc);
      if (nocase && lower(pc) !== pc) add(lower(pc));
      if (nocase && upper(pc) !== pc) add(upper(pc));
    }
  }
  if (not) { for (let i = 0; i < 8; i++) bits[at + i] = ~bits[at + i]!; }
  return Math.min(pi + 1, plen);
}

function inRange(from: number, to: number, c: number, nocase: boolean): boolean {
  let lo = signedChar(from);
  let hi = signedChar(to);
  if (lo > hi) [lo, hi] = [hi, lo];
  let x = signedChar(c);
  if (nocase) {
    lo = lower(lo);
    hi = lower(hi);
    x = lower(x);
  }
  return x >= lo && x <= hi;
}

function sameByte(a: number, b: number, nocase: boolean): boolean {
  return a === b || (nocase && lower(a) === lower(b));
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function upper(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

function signedChar(c: number): number {
  return c > 127 ? c - 256 : c;
}
