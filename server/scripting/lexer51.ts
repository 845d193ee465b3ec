/**
 * String escapes as Lua 5.1 reads them, for a VM whose lexer is 5.3's. 5.1
 * knows `\a \b \f \n \r \t \v \\ \" \'`, a backslash-newline and decimal
 * `\ddd` (at most 255); any other escaped character stands for itself, so
 * `"\x41"` is `x41`, `"\z"` is `z` and `"\u{41}"` is `u{41}`, where 5.3 reads
 * a hex escape, skips spaces, reads UTF-8, or rejects `"\q"` outright.
 *
 * Before a chunk is compiled its short strings are rewritten so that 5.3
 * reads what 5.1 would: such escapes lose their backslash. Comments and long
 * strings (`--[[ ]]`, `[==[ ]==]`) are copied untouched, as is anything the
 * 5.3 lexer will reject by itself (an unfinished string). A decimal escape
 * above 255 is 5.1's compile error, reported with 5.1's text.
 *
 * 5.1 also quotes every token its syntax errors name (`'end' expected near
 * '<eof>'`), where 5.3 leaves `<eof>`, `<name>`... bare: quoteTokens51.
 */

/** Escapes 5.1 and 5.3 read alike (the character after the backslash). */
const SHARED_ESCAPES = new Map([
  ["a", "\x07"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
  ["\\", "\\"],
  ['"', '"'],
  ["'", "'"],
  ["\n", "\n"],
  ["\r", "\n"],
]);

/** A decimal escape above 255: where 5.1 stopped, as its lexer reports it. */
export interface EscapeTooLarge {
  line: number;
  /** 5.1's token so far: the opening quote and the string's bytes up to the escape. */
  near: string;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** The length of a long bracket opening at `at` (`[[` is 0, `[==[` is 2), or -1. */
function longBracketLevel(src: string, at: number): number {
  if (src[at] !== "[") return -1;
  let i = at + 1;
  while (src[i] === "=") i++;
  return src[i] === "[" ? i - at - 1 : -1;
}

/** Where the long bracket of `level` opening at `at` ends (past its close), or the end. */
function skipLong(src: string, at: number, level: number): number {
  const close = `]${"=".repeat(level)}]`;
  const end = src.indexOf(close, at + level + 2);
  return end < 0 ? src.length : end + close.length;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\n" || (s[i] === "\r" && s[i + 1] !== "\n")) n++;
  }
  return n;
}

/**
 * Rewrites `src` (a binary string) so a 5.3 lexer reads its strings as 5.1
 * did; or where 5.1 would stop with "escape sequence too large".
 */
export function rewriteEscapes51(src: string): string | EscapeTooLarge {
  if (!src.includes("\\")) return src;
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "-" && src[i + 1] === "-") {
      const level = longBracketLevel(src, i + 2);
      if (level >= 0) i = skipLong(src, i + 2, level);
      else {
        const eol = src.indexOf("\n", i);
        i = eol < 0 ? src.length : eol;
      }
    } else if (c === "[") {
      const level = longBracketLevel(src, i);
      i = level >= 0 ? skipLong(src, i, level) : i + 1;
    } else if (c === '"' || c === "'") {
      const string = rewriteString(src, i);
      if (typeof string !== "string") {
        return { line: 1 + countLines(src.slice(0, i)) + string.line, near: string.near };
      }
      out += src.slice(copied, i) + string;
      i += stringLength(src, i);
      copied = i;
    } else i++;
  }
  return copied === 0 ? src : out + src.slice(copied);
}

/** The source length of the short string opening at `at` (to its closing quote, or where 5.3 stops). */
function stringLength(src: string, at: number): number {
  const quote = src[at];
  let i = at + 1;
  while (i < src.length && src[i] !== quote && src[i] !== "\n" && src[i] !== "\r") {
    i += src[i] === "\\" ? 1 + escapedLength(src, i + 1) : 1;
  }
  return Math.min(i + 1, src.length) - at;
}

/** What follows a backslash at `at`: one character, or a line break (CR LF and LF CR are one). */
function escapedLength(src: string, at: number): number {
  const c = src[at];
  const pair = (c === "\n" && src[at + 1] === "\r") || (c === "\r" && src[at + 1] === "\n");
  return pair ? 2 : 1;
}

/**
 * The short string opening at `at`, its escapes rewritten; or the decimal
 * escape 5.1 refuses (`line` counted from the string's start).
 */
function rewriteString(src: string, at: number): string | EscapeTooLarge {
  const quote = src[at]!;
  const end = at + stringLength(src, at);
  let out = quote;
  let read = quote;
  let lines = 0;
  for (let i = at + 1; i < end; i++) {
    const c = src[i]!;
    if (c !== "\\" || i + 1 >= end) {
      out += c;
      read += c;
      continue;
    }
    const next = src[i + 1]!;
    const shared = SHARED_ESCAPES.get(next);
    if (shared !== undefined) {
      const length = escapedLength(src, i + 1);
      out += src.slice(i, i + 1 + length);
      read += shared;
      if (next === "\n" || next === "\r") lines++;
      i += length;
    } else if (isDigit(next)) {
      let digits = next;
      while (digits.length < 3 && isDigit(src[i + 1 + digits.length])) {
        digits += src[i + 1 + digits.length];
      }
      const code = Number(digits);
      if (code > 255) return { line: lines, near: read };
      out += c + digits;
      read += String.fromCharCode(code);
      i += digits.length;
    } else {
      out += next;
      read += next;
      i++;
    }
  }
  return out;
}

/** 5.1's compile error for a decimal escape above 255, for the chunk named `chunk` ("user_script"). */
export function escapeTooLargeMessage(chunk: string, where: EscapeTooLarge): string {
  return `${chunk}:${where.line}: escape sequence too large near '${where.near}'`;
}

/** A compile error in 5.1's words: the tokens `<eof>`, `<name>`, `<string>`, `<number>` quoted. */
export function quoteTokens51(message: string): string {
  return message.replace(/(: |near )(<(?:eof|name|string|number|integer)>)/g, "$1'$2'");
}
