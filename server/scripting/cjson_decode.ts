/**
 * cjson.decode as Redis's lua-cjson 2.1 reads JSON: numbers through C's
 * strtod (`[01]`, `[+1]`, `[0x10]`, `[nan]` decode while invalid numbers
 * are allowed, the default), surrogate pairs required to be whole, and its
 * error messages, which name the token found where another was expected
 * (T_NUMBER, T_STRING, "invalid escape code"...) and where it starts.
 */
import { lua, type LuaState, pushBinary, rawSetIndex, rawSetPair, toBinary } from "./lua.ts";
import { strtod } from "./strtod.ts";

/** The value of `cjson.null` (a light userdata, as in lua-cjson). */
export const JSON_NULL = { cjsonNull: true };

function where(L: LuaState): string {
  lua.luaL_where(L, 1);
  const w = toBinary(L, -1) ?? "";
  lua.lua_pop(L, 1);
  return w;
}

/** Raises a cjson error: the message after the caller's position, as luaL_error writes it. */
export function fail(L: LuaState, message: string): never {
  pushBinary(L, where(L) + message);
  lua.lua_error(L);
  throw new Error("unreachable");
}

const PUNCTUATION: Record<string, string> = {
  "{": "T_OBJ_BEGIN",
  "}": "T_OBJ_END",
  "[": "T_ARR_BEGIN",
  "]": "T_ARR_END",
  ",": "T_COMMA",
  ":": "T_COLON",
};

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

const LITERALS: [string, string, (L: LuaState) => void][] = [
  ["true", "T_BOOLEAN", (L) => lua.lua_pushboolean(L, true)],
  ["false", "T_BOOLEAN", (L) => lua.lua_pushboolean(L, false)],
  ["null", "T_NULL", (L) => lua.lua_pushlightuserdata(L, JSON_NULL)],
];

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** A JSON text parser over a binary string that pushes Lua values as it goes. */
export class Decoder {
  pos = 0;
  /** Why string() last failed, and where (the name an error message gives the token). */
  #stringError = { name: "", at: 0 };

  constructor(
    readonly L: LuaState,
    readonly text: string,
    readonly maxDepth: number,
    readonly invalidNumbers: boolean,
  ) {}

  /** Fails with lua-cjson's message for the token at `pos` where `expected` should be. */
  error(expected: string): never {
    const { name, at } = this.tokenAt();
    return fail(this.L, `Expected ${expected} but found ${name} at character ${at + 1}`);
  }

  /** The name lua-cjson gives the token at `pos`, and where an error in it is. */
  tokenAt(): { name: string; at: number } {
    const at = this.pos, c = this.text[at];
    if (c === undefined) return { name: "T_END", at };
    const punctuation = PUNCTUATION[c];
    if (punctuation !== undefined) return { name: punctuation, at };
    if (c === '"') {
      const ok = this.string() !== undefined;
      this.pos = at;
      return ok ? { name: "T_STRING", at } : this.#stringError;
    }
    const number = this.numberToken();
    if (number === undefined) {
      const literal = LITERALS.find(([word]) => this.text.startsWith(word, at));
      return { name: literal?.[1] ?? "invalid token", at };
    }
    const ok = number && this.number() !== undefined;
    this.pos = at;
    return { name: ok ? "T_NUMBER" : "invalid number", at };
  }

  skipSpace(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos]!)) this.pos++;
  }

  value(depth: number): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth + 1);
    if (c === "[") return this.array(depth + 1);
    if (c === '"') {
      const s = this.string();
      if (s === undefined) this.error("value");
      return pushBinary(this.L, s);
    }
    const number = this.numberToken();
    if (number === undefined) {
      for (const [word, , push] of LITERALS) {
        if (this.text.startsWith(word, this.pos)) {
          this.pos += word.length;
          return push(this.L);
        }
      }
      this.error("value");
    }
    const n = number ? this.number() : undefined;
    if (n === undefined) this.error("value");
    lua.lua_pushnumber(this.L, n);
  }

  /**
   * Whether the token at `pos` is read as a number (undefined: it is not
   * one), false when it is refused (a `0x`, `+`, `inf` or leading zero
   * while invalid numbers are off).
   */
  numberToken(): boolean | undefined {
    const c = this.text[this.pos];
    if (c === "-" || isDigit(c)) return this.invalidNumbers || !this.invalidNumber();
    if (this.invalidNumbers && this.invalidNumber()) return true;
    return undefined;
  }

  /** lua-cjson's json_is_invalid_number: valid for strtod but not JSON. */
  invalidNumber(): boolean {
    let at = this.pos;
    if (this.text[at] === "+") return true;
    if (this.text[at] === "-") at++;
    const c = this.text[at];
    if (c === "0") {
      const next = this.text[at + 1];
      return next === "x" || next === "X" || isDigit(next);
    }
    if (c === undefined || c <= "9") return false;
    const word = this.text.slice(at, at + 3).toLowerCase();
    return word === "inf" || word === "nan";
  }

  number(): number | undefined {
    const read = strtod(this.text, this.pos);
    if (read === undefined) return undefined;
    this.pos = read.end;
    return read.value;
  }

  nest(depth: number): void {
    if (depth > this.maxDepth) {
      fail(this.L, `Found too many nested data structures (${depth}) at character ${this.pos + 1}`);
    }
    lua.luaL_checkstack(this.L, 3, null);
  }

  object(depth: number): void {
    this.nest(depth);
    this.pos++;
    lua.lua_newtable(this.L);
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const key = this.text[this.pos] === '"' ? this.string() : undefined;
      if (key === undefined) this.error("object key string");
      pushBinary(this.L, key);
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.error("colon");
      this.pos++;
      this.value(depth);
      rawSetPair(this.L);
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") return;
      if (c !== ",") {
        this.pos--;
        this.error("comma or object end");
      }
    }
  }

  array(depth: number): void {
    this.nest(depth);
    this.pos++;
    lua.lua_newtable(this.L);
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return;
    }
    for (let i = 1;; i++) {
      this.value(depth);
      rawSetIndex(this.L, i);
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") return;
      if (c !== ",") {
        this.pos--;
        this.error("comma or array end");
      }
    }
  }

  /** The string at `pos` (past its quote after), or undefined with pos unchanged and #stringError set. */
  string(): string | undefined {
    const start = this.pos;
    let at = start + 1;
    let out = "";
    for (;;) {
      const c = this.text[at];
      if (c === undefined) return this.stringFailed(start, "unexpected end of string", at);
      at++;
      if (c === '"') break;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[at];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        at++;
      } else if (e !== "u") return this.stringFailed(start, "invalid escape code", at - 1);
      else {
        const escape = unicodeEscape(this.text, at - 1);
        if (escape === undefined) {
          return this.stringFailed(start, "invalid unicode escape code", at - 1);
        }
        out += escape.utf8;
        at = escape.end;
      }
    }
    this.pos = at;
    return out;
  }

  stringFailed(start: number, name: string, at: number): undefined {
    this.pos = start;
    this.#stringError = { name, at };
    return undefined;
  }
}

function hex4(text: string, at: number): number {
  const h = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/** The `\uXXXX` (a surrogate pair: two) at `at` as UTF-8, and the index past it; undefined if invalid. */
function unicodeEscape(text: string, at: number): { utf8: string; end: number } | undefined {
  let cp = hex4(text, at + 2);
  let end = at + 6;
  if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return undefined;
  if (cp >= 0xd800 && cp <= 0xdbff) {
    const low = text.startsWith("\\u", end) ? hex4(text, end + 2) : -1;
    if (low < 0xdc00 || low > 0xdfff) return undefined;
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    end += 6;
  }
  return { utf8: utf8(cp), end };
}

function utf8(cp: number): string {
  const bytes = new TextEncoder().encode(String.fromCodePoint(cp));
  return String.fromCharCode(...bytes);
}

/** cjson.decode(text). */
export function decodeJson(L: LuaState, maxDepth: number, invalidNumbers: boolean): number {
  if (lua.lua_gettop(L) !== 1) fail(L, "expected 1 argument");
  const text = toBinary(L, 1);
  if (text === undefined) fail(L, "bad argument #1 to 'decode' (string expected)");
  const d = new Decoder(L, text, maxDepth, invalidNumbers);
  d.value(0);
  d.skipSpace();
  if (d.pos < text.length) d.error("the end");
  return 1;
}
