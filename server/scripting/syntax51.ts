/**
 * Lua 5.1's tokens for a VM whose lexer and parser are 5.3's. 5.3 added
 * `//`, `& | ~ << >>`, `::labels::` and `goto`, and reads numerals further
 * (`0x1.8`, `0x1p-4`) or shorter (`3g` is 5.1's malformed number, 5.3's `3`
 * then `g`). A chunk (after lexer51.ts rewrote its string escapes) is scanned
 * once as 5.1's lexer would cut it, outside strings and comments, and
 * rewritten so 5.3 reads the same tokens:
 *
 * - a token 5.1 has but no 5.1 grammar accepts where it stands (`&`, `|`, a
 *   lone `~`, the second `/` of `//`, the second `<`/`<=` of `<<`, `>`/`>=`
 *   of `>>`, `:` of `::`, a control character) becomes a placeholder byte
 *   that 5.3 refuses everywhere too, so 5.3's parser stops where 5.1's did;
 * - a numeral 5.1 refuses ("malformed number") becomes a placeholder as
 *   well; one 5.1 ends before a `.` gets a space after it;
 * - `break` ends its block in 5.1: in a loop it gets `return;` after it (so a
 *   statement after it is refused as 5.1 does), outside one a placeholder
 *   ("no loop to break").
 *
 * `goto` is a plain name in 5.1 (`local goto`, `t.goto`, `a:goto()`): the
 * lexer hands the parser a name where 5.3's gives the keyword.
 *
 * A compile error then names the placeholder: fixMessage51 puts back the
 * first one's 5.1 token (only the first placeholder of a chunk can be
 * reached: every one is an error). A chunk with none of these is returned
 * as it is.
 */

import "fengari";
import llex from "fengari/src/llex.js";

/**
 * A statement that is neither a call nor an assignment (`x y`, `goto label`):
 * 5.1 reads an assignment of a variable and expects `=`, 5.3 says "syntax
 * error". Both say "syntax error" for a non-variable (`(x) y`, `a, f() x`):
 * the token before is then `)` (or the error stands before `=` or `,`).
 */
const SYNTAX_ERROR = "syntax error";
const EQUALS_EXPECTED = new TextEncoder().encode("'=' expected");
const { FIRST_RESERVED, RESERVED, luaX_tokens } = llex;
const TK_EOS: number = RESERVED.TK_EOS, TK_NAME: number = RESERVED.TK_NAME;
const TK_GOTO: number = RESERVED.TK_GOTO;

interface LexState {
  t: { token: number; seminfo: { ts: { tsslen(): number } } };
  current: number;
  z: { buffer: Uint8Array | null; off: number };
}

/** The last byte before the lexer's current token (skipping spaces), or -1 when it cannot tell. */
function byteBeforeToken(ls: LexState): number {
  const { buffer, off } = ls.z;
  const token = ls.t.token;
  if (buffer === null) return -1;
  let length = -1;
  if (token === TK_EOS) length = 0;
  else if (token < FIRST_RESERVED) length = 1;
  else if (token === TK_NAME) length = ls.t.seminfo.ts.tsslen();
  else if (token < TK_EOS) length = luaX_tokens[token - FIRST_RESERVED].length;
  if (length < 0) return -1;
  let i = (ls.current === -1 ? buffer.length : off - 1) - length - 1;
  while (i >= 0 && (buffer[i] === 32 || (buffer[i]! >= 9 && buffer[i]! <= 13))) i--;
  return i < 0 ? -1 : buffer[i]!;
}

const syntaxerror = llex.luaX_syntaxerror;
llex.luaX_syntaxerror = (ls: LexState, msg: Uint8Array) => {
  const token = ls.t.token;
  const statement = msg.length === SYNTAX_ERROR.length && token !== 61 && token !== 44 &&
    String.fromCharCode(...msg) === SYNTAX_ERROR && byteBeforeToken(ls) !== 41;
  return syntaxerror(ls, statement ? EQUALS_EXPECTED : msg);
};

// The parser reads tokens through these two: `goto` arrives as a name (its text is kept as any name's).
const next = llex.luaX_next;
llex.luaX_next = (ls: LexState) => {
  next(ls);
  if (ls.t.token === TK_GOTO) ls.t.token = TK_NAME;
};
const lookahead = llex.luaX_lookahead;
llex.luaX_lookahead = (ls: LexState & { lookahead: { token: number } }) => {
  if (lookahead(ls) === TK_GOTO) ls.lookahead.token = TK_NAME;
  return ls.lookahead.token;
};

/** The byte standing for a token 5.3 must refuse; 5.3 names it `'<\1>'`. */
const PLACEHOLDER = "\x01";
const PLACEHOLDER_NEAR = "'<\\1>'";

/** What a rewritten chunk needs to put 5.1's words back into a compile error. */
export interface Syntax51 {
  source: string;
  /** The first placeholder: 5.1's token there, or 5.1's whole message (and the line it names). */
  first?: { text: string; message?: string; line?: number };
}

const C_0 = 48, C_9 = 57, C_DOT = 46, C_US = 95;

/** Character classes by code: 1 a letter or `_`, 2 a digit. */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === C_US;
  CLASS[c] = letter ? 1 : c >= C_0 && c <= C_9 ? 2 : 0;
}
const isDigit = (c: number) => CLASS[c] === 2;
const isAlpha = (c: number) => CLASS[c] === 1;
const isAlnum = (c: number) => CLASS[c]! > 0;

/** The length of a long bracket opening at `at` (`[[` is 0, `[==[` is 2), or -1. */
function longLevel(src: string, at: number): number {
  let i = at + 1;
  while (src.charCodeAt(i) === 61) i++;
  return src.charCodeAt(i) === 91 ? i - at - 1 : -1;
}

function skipLong(src: string, at: number, level: number): number {
  const end = src.indexOf(`]${"=".repeat(level)}]`, at + level + 2);
  return end < 0 ? src.length : end + level + 2;
}

/** Past the short string opening at `at` (its closing quote, or the line end where 5.3 stops). */
function skipString(src: string, at: number): number {
  const quote = src.charCodeAt(at);
  let i = at + 1;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 10 || c === 13) return i;
    i += c === 92 ? 2 : 1;
  }
  return i;
}

/** The end of the numeral 5.1's lexer reads from `at`: `[0-9.]*`, an exponent sign, then `[A-Za-z0-9_]*`. */
function numeralEnd(src: string, at: number): number {
  let i = at;
  for (let c = src.charCodeAt(i); isDigit(c) || c === C_DOT; c = src.charCodeAt(++i));
  const e = src.charCodeAt(i);
  if (e === 69 || e === 101) {
    i++;
    const sign = src.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
  }
  while (isAlnum(src.charCodeAt(i))) i++;
  return i;
}

const DECIMAL = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^0[xX][0-9a-fA-F]+(?:[pP][0-9]+)?$/;

/** Whether 5.1 converts a numeral token (strtod, or strtoul base 16 after `0x`). */
const numeralValid = (text: string) => DECIMAL.test(text) || HEX.test(text);

/** By first letter, the length of the block keyword it may start (`b`reak, `d`o, `e`nd...). */
const KEYWORD_LENGTHS = new Uint8Array(128);
for (const word of ["break", "do", "end", "for", "if", "repeat", "until", "while"]) {
  KEYWORD_LENGTHS[word.charCodeAt(0)] = word.length;
}
/** Whether a name may be one of the keywords the scan follows (only those are compared). */
const isBlockKeyword = (first: number, length: number) =>
  KEYWORD_LENGTHS[first] === length || (first === 102 && length === 8);

/** The text 5.1 gives the token at `at` in "near '...'". */
function tokenText(src: string, at: number, c: number): string {
  if (isAlpha(c)) {
    let i = at + 1;
    while (isAlnum(src.charCodeAt(i))) i++;
    return src.slice(at, i);
  }
  if (isDigit(c) || (c === C_DOT && isDigit(src.charCodeAt(at + 1)))) {
    return src.slice(at, numeralEnd(src, at));
  }
  if (c === 34 || c === 39) return src.slice(at, skipString(src, at));
  if (c < 32 || c === 127) return `char(${c})`;
  const two = src.slice(at, at + 2);
  if (two === "..") return src.startsWith("...", at) ? "..." : "..";
  return ["==", "~=", "<=", ">="].includes(two) ? two : src[at]!;
}

/** The chunk's 5.3 rewrite, or `src` itself when 5.3 reads it as 5.1 does. */
export function rewriteSyntax51(src: string): string | Syntax51 {
  const scan = new Scan(src);
  scan.run();
  if (scan.copied === 0) return src;
  return { source: scan.out + src.slice(scan.copied), first: scan.first };
}

class Scan {
  out = "";
  copied = 0;
  first: Syntax51["first"];
  #line = 1;
  /** The last significant character outside names and numerals (46 `.`, 58 `:`...). */
  #last = 0;
  /** Open blocks: F a function, L a loop (awaiting its `do`: W), B any other block. */
  #blocks: string[] = [];
  /** After a `break`: inside a loop (its `;` folds into the inserted `return;`) or outside one. */
  #afterBreak: "loop" | "outside" | undefined;

  constructor(readonly src: string) {}

  run(): void {
    const src = this.src;
    let i = 0;
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 10) this.#line++;
      if (c === 32 || (c >= 9 && c <= 13)) {
        if (c === 13 && src.charCodeAt(i + 1) !== 10) this.#line++;
        i++;
        continue;
      }
      if (c === 45 && src.charCodeAt(i + 1) === 45) {
        i = this.#comment(i);
        continue;
      }
      if (this.#afterBreak !== undefined) this.#breakFollowed(i, c);
      if (isAlpha(c)) i = this.#name(i);
      else if (isDigit(c) || (c === C_DOT && isDigit(src.charCodeAt(i + 1)))) i = this.#numeral(i);
      else i = this.#symbol(i, c);
    }
    if (this.#afterBreak === "outside") this.#noLoop("<eof>");
  }

  #replace(from: number, to: number, text: string): void {
    this.out += this.src.slice(this.copied, from) + text;
    this.copied = to;
  }

  /** Whether this placeholder is the chunk's first. */
  #placeholder(from: number, to: number, text: string, message?: string): boolean {
    const first = this.first === undefined;
    if (first) this.first = { text, message };
    this.#replace(from, to, PLACEHOLDER + " ".repeat(to - from - 1));
    return first;
  }

  #lines(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const c = this.src.charCodeAt(i);
      if (c === 10 || (c === 13 && this.src.charCodeAt(i + 1) !== 10)) this.#line++;
    }
  }

  #name(at: number): number {
    const src = this.src;
    let i = at + 1;
    while (isAlnum(src.charCodeAt(i))) i++;
    const length = i - at;
    if (isBlockKeyword(src.charCodeAt(at), length) && this.#last !== 46 && this.#last !== 58) {
      this.#keyword(src.slice(at, i), at);
    }
    this.#last = 0;
    return i;
  }

  #keyword(word: string, at: number): void {
    const blocks = this.#blocks;
    switch (word) {
      case "break":
        return this.#break(at);
      case "function":
      case "if":
        return void blocks.push(word === "if" ? "B" : "F");
      case "while":
      case "for":
        return void blocks.push("W");
      case "repeat":
        return void blocks.push("L");
      case "do":
        if (blocks.at(-1) === "W") blocks[blocks.length - 1] = "L";
        else blocks.push("B");
        return;
      case "end":
      case "until":
        return void blocks.pop();
    }
  }

  /** 5.1's `break` ends its block: 5.3 gets `break return;` so a statement after it is refused as 5.1 does. */
  #break(at: number): void {
    const blocks = this.#blocks;
    let i = blocks.length - 1;
    while (i >= 0 && blocks[i] !== "L" && blocks[i] !== "F") i--;
    if (i >= 0 && blocks[i] === "L") {
      this.#replace(at + 5, at + 5, " return;");
      this.#afterBreak = "loop";
    } else if (this.#placeholder(at, at + 5, "break")) this.#afterBreak = "outside";
  }

  #breakFollowed(at: number, c: number): void {
    if (this.#afterBreak === "loop" && c === 59) this.#replace(at, at + 1, " ");
    if (this.#afterBreak === "outside") this.#noLoop(tokenText(this.src, at, c));
    this.#afterBreak = undefined;
  }

  #noLoop(near: string): void {
    this.first = { text: "break", message: `no loop to break near '${near}'`, line: this.#line };
    this.#afterBreak = undefined;
  }

  #numeral(at: number): number {
    const src = this.src;
    let digits = at;
    while (isDigit(src.charCodeAt(digits))) digits++;
    const next = src.charCodeAt(digits);
    if (digits > at && next !== C_DOT && !isAlnum(next)) {
      this.#last = 0;
      return digits; // plain digits: read alike
    }
    const end = numeralEnd(src, at);
    const text = this.src.slice(at, end);
    if (!numeralValid(text)) this.#placeholder(at, end, text, `malformed number near '${text}'`);
    else if (this.src.charCodeAt(end) === C_DOT) this.#replace(end, end, " ");
    this.#last = 0;
    return end;
  }

  #symbol(at: number, c: number): number {
    const src = this.src;
    const next = src.charCodeAt(at + 1);
    let end = at + 1;
    if (c === 34 || c === 39) end = skipString(src, at);
    else if (c === 91 && longLevel(src, at) >= 0) end = skipLong(src, at, longLevel(src, at));
    else if (c === C_DOT && next === C_DOT) {
      end = src.charCodeAt(at + 2) === C_DOT ? at + 3 : at + 2;
    } else if (c === 38 || c === 124 || c < 32 || c >= 127) {
      this.#placeholder(at, end, c < 32 || c === 127 ? `char(${c})` : src[at]!);
    } else if (c === 126) {
      if (next === 61) end++;
      else this.#placeholder(at, end, "~");
    } else if ((c === 47 || c === 58) && next === c) {
      this.#placeholder(at + 1, at + 2, src[at]!);
      end = at + 2;
    } else if ((c === 60 || c === 62) && next === c) {
      const le = src.charCodeAt(at + 2) === 61;
      end = at + (le ? 3 : 2);
      this.#placeholder(at + 1, end, src.slice(at + 1, end));
    } else if ((c === 60 || c === 62 || c === 61) && next === 61) end++;
    if (end - at > 1) this.#lines(at, end);
    this.#last = end - at > 1 ? 0 : c;
    return end;
  }

  #comment(at: number): number {
    const src = this.src;
    const level = src.charCodeAt(at + 2) === 91 ? longLevel(src, at + 2) : -1;
    if (level >= 0) {
      const end = skipLong(src, at + 2, level);
      this.#lines(at, end);
      return end;
    }
    const eol = src.indexOf("\n", at);
    return eol < 0 ? src.length : eol;
  }
}

/** A 5.3 compile error of a rewritten chunk in 5.1's words (`message` already has `chunk:line: `). */
export function fixMessage51(message: string, rewrite: string | Syntax51): string {
  if (typeof rewrite === "string") return message;
  const first = rewrite.first;
  if (first !== undefined && message.endsWith(`near ${PLACEHOLDER_NEAR}`)) {
    if (first.message === undefined) {
      return message.slice(0, -PLACEHOLDER_NEAR.length) + `'${first.text}'`;
    }
    const where = /^(.*?:)(\d+): /.exec(message);
    if (where === null) return message;
    return `${where[1]}${first.line ?? where[2]}: ${first.message}`;
  }
  return message;
}
