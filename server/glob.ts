/**
 * Redis's glob matching (util.c stringmatchlen): `*`, `?`, `[abc]`, `[^a]`,
 * `[a-z]` (reversed ranges allowed), and `\` escaping the next character.
 * Works on binary strings; `nocase` folds ASCII letters.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  return matchAt(pattern, 0, subject, 0, nocase, 0);
}

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

function matchAt(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  depth: number,
): boolean {
  // Redis caps recursion the same way, to bound pathological patterns.
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p[pi];
    switch (pc) {
      case "*": {
        while (pi + 1 < plen && p[pi + 1] === "*") pi++;
        if (pi + 1 === plen) return true;
        for (let k = si; k < slen; k++) {
          if (matchAt(p, pi + 1, s, k, nocase, depth + 1)) return true;
        }
        return false;
      }
      case "?":
        si++;
        break;
      case "[": {
        pi++;
        const not = p[pi] === "^";
        if (not) pi++;
        let match = false;
        const sc = fold(s.charCodeAt(si), nocase);
        for (;;) {
          if (pi >= plen) {
            pi--; // unterminated class: like Redis, treat the end as closing it
            break;
          }
          if (p[pi] === "\\" && pi + 2 < plen) {
            pi++;
            if (p.charCodeAt(pi) === s.charCodeAt(si)) match = true;
          } else if (p[pi] === "]") {
            break;
          } else if (pi + 2 < plen && p[pi + 1] === "-") {
            let start = fold(p.charCodeAt(pi), nocase);
            let end = fold(p.charCodeAt(pi + 2), nocase);
            if (start > end) [start, end] = [end, start];
            pi += 2;
            if (sc >= start && sc <= end) match = true;
          } else if (fold(p.charCodeAt(pi), nocase) === sc) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        break;
      }
      default:
        // A backslash makes the next pattern character literal.
        if (pc === "\\" && pi + 1 < plen) pi++;
        if (fold(p.charCodeAt(pi), nocase) !== fold(s.charCodeAt(si), nocase)) return false;
        si++;
        break;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p[pi] === "*") pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
