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
    const next = pi < plen ? matchToken(pattern, pi, subject.charCodeAt(si), nocase) : -1;
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
  if (pc === OPEN) return matchClass(p, pi + 1, c, nocase);
  if (pc === BACKSLASH && pi + 1 < p.length) pi++;
  return sameByte(p.charCodeAt(pi), c, nocase) ? pi + 1 : -1;
}

/** A `[...]` class whose body starts at `pi`; see matchToken. */
function matchClass(p: string, pi: number, c: number, nocase: boolean): number {
  const plen = p.length;
  const not = pi < plen && p.charCodeAt(pi) === CARET;
  if (not) pi++;
  let match = false;
  for (; pi < plen; pi++) {
    const pc = p.charCodeAt(pi);
    if (pc === BACKSLASH && pi + 1 < plen) {
      pi++;
      if (p.charCodeAt(pi) === c) match = true;
    } else if (pc === CLOSE) {
      break;
    } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === DASH) {
      if (inRange(pc, p.charCodeAt(pi + 2), c, nocase)) match = true;
      pi += 2;
    } else if (sameByte(pc, c, nocase)) {
      match = true;
    }
  }
  if (not) match = !match;
  // An unterminated class ends the pattern.
  return match ? Math.min(pi + 1, plen) : -1;
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

function signedChar(c: number): number {
  return c > 127 ? c - 256 : c;
}
