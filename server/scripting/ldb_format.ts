/**
 * The Lua debugger's text (Redis 7.0's eval.c, ldb*): its request parser,
 * Lua values and command replies made readable, and C's `%g` and
 * `sdscatrepr` they are written with. Pure: no session, no socket.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import {
  lua,
  LUA_TBOOLEAN,
  LUA_TFUNCTION,
  LUA_TLIGHTUSERDATA,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_TTHREAD,
  LUA_TUSERDATA,
  type LuaState,
  toBinary,
} from "./lua.ts";

/** The most bytes of debugger commands a client may send before one completes (Redis's 1 MB). */
export const MAX_COMMAND_BUFFER = 1 << 20;

/** A command, a request that is not one (a protocol error), or undefined: read more. */
export type ParsedCommand = { argv: string[] } | { error: true } | undefined;

const STAR = 42;
const DOLLAR = 36;
const CR = 13;
const LF = 10;

/**
 * Redis's ldbReplParseCommand, quirks kept (it reads a C string): the
 * first `*` anywhere, then `$len` arguments of 1 to 1024 bytes, at most
 * 1024 of them; a NUL byte ends the buffer as far as the searches go.
 * Undefined: read more.
 */
export function parseDebuggerCommand(buf: Uint8Array): ParsedCommand {
  if (buf.length === 0) return undefined;
  let star = -1;
  for (let i = 0; i < buf.length && buf[i] !== 0 && star < 0; i++) if (buf[i] === STAR) star = i;
  if (star < 0) return { error: true };
  let crlf = findCrlf(buf, star);
  if (crlf < 0) return undefined;
  const argc = atoi(buf, star + 1, crlf);
  if (argc <= 0 || argc > 1024) return { error: true };
  let p = crlf + 2;
  const argv: string[] = [];
  while (argv.length < argc) {
    if (p >= buf.length || buf[p] === 0) return undefined;
    if (buf[p] !== DOLLAR) return { error: true };
    crlf = findCrlf(buf, p);
    if (crlf < 0) return undefined;
    const len = atoi(buf, p + 1, crlf);
    if (len <= 0 || len > 1024) return { error: true };
    p = crlf + 2;
    if (p + len + 2 > buf.length) return undefined;
    argv.push(bytesToBinary(buf, p, p + len));
    p += len;
    if (buf[p] !== CR || buf[p + 1] !== LF) return { error: true };
    p += 2;
  }
  return { argv };
}

/** C's strstr(p, "\r\n") from `from`: -1 past the end or a NUL. */
function findCrlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length && buf[i] !== 0; i++) {
    if (buf[i] === CR && buf[i + 1] === LF) return i;
  }
  return -1;
}

/** C's atoi over `buf[from, to)`: optional blanks and sign, then digits up to the first non-digit. */
function atoi(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && (buf[i] === 32 || (buf[i]! >= 9 && buf[i]! <= 13))) i++;
  let sign = 1;
  if (i < to && (buf[i] === 45 || buf[i] === 43)) sign = buf[i++] === 45 ? -1 : 1;
  let n = 0;
  while (i < to && buf[i]! >= 48 && buf[i]! <= 57 && n < 1e10) n = n * 10 + buf[i++]! - 48;
  return sign * n;
}

/** C's atoi of a string. */
export function atoiText(s: string): number {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
  return atoi(bytes, 0, bytes.length);
}

/** Redis's sdscatrepr: a quoted string with C escapes, bytes outside printable ASCII as \xNN. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 92:
        out += "\\\\";
        break;
      case 34:
        out += '\\"';
        break;
      case 10:
        out += "\\n";
        break;
      case 13:
        out += "\\r";
        break;
      case 9:
        out += "\\t";
        break;
      case 7:
        out += "\\a";
        break;
      case 8:
        out += "\\b";
        break;
      default:
        out += c >= 32 && c < 127 ? s[i] : `\\x${c.toString(16).padStart(2, "0")}`;
    }
  }
  return out + '"';
}

/** C's `%g` (six significant digits, trailing zeros dropped). */
export function formatG(n: number): string {
  if (Number.isNaN(n)) return n < 0 || Object.is(n, -NaN) ? "-nan" : "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa = "", e] = n.toExponential(5).split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    return `${stripZeros(mantissa)}e${exp < 0 ? "-" : "+"}${
      String(Math.abs(exp)).padStart(2, "0")
    }`;
  }
  return stripZeros(n.toFixed(5 - exp));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** How deep ldbCatStackValue follows nested tables (Redis's LUA_MINSTACK / 2). */
const MAX_VALUE_DEPTH = 10;

/** Stand-ins for the addresses C prints for functions and other objects. */
const addresses = new WeakMap<object, number>();
let nextAddress = 0x7f0000001000;

function addressOf(value: unknown): string {
  if (typeof value !== "object" || value === null) return "0x0";
  let address = addresses.get(value);
  if (address === undefined) {
    address = nextAddress;
    nextAddress += 0x40;
    addresses.set(value, address);
  }
  return `0x${address.toString(16)}`;
}

/** Redis's ldbCatStackValue: the value at `idx` as the debugger prints it. */
export function luaValueText(L: LuaState, idx: number, level = 0): string {
  if (level === MAX_VALUE_DEPTH) return "<max recursion level reached! Nested table?>";
  const at = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
  const type = lua.lua_type(L, at);
  switch (type) {
    case LUA_TSTRING:
      return repr(toBinary(L, at) ?? "");
    case LUA_TBOOLEAN:
      return lua.lua_toboolean(L, at) ? "true" : "false";
    case LUA_TNUMBER:
      return formatG(lua.lua_tonumber(L, at));
    case LUA_TNIL:
      return "nil";
    case LUA_TTABLE:
      return tableText(L, at, level + 1);
    case LUA_TFUNCTION:
    case LUA_TUSERDATA:
    case LUA_TTHREAD:
    case LUA_TLIGHTUSERDATA: {
      const name = type === LUA_TFUNCTION
        ? "function"
        : type === LUA_TUSERDATA
        ? "userdata"
        : type === LUA_TTHREAD
        ? "thread"
        : "light-userdata";
      return `"${name}@${addressOf(lua.lua_topointer(L, at))}"`;
    }
    default:
      return '"<unknown-lua-type>"';
  }
}

/** A table as an array (`{1; 2}`) when its keys are 1, 2, ... in order, else `{[k]=v; ...}`. */
function tableText(L: LuaState, at: number, level: number): string {
  lua.lua_checkstack(L, 3);
  const values: string[] = [];
  const pairs: string[] = [];
  let isArray = true;
  let expected = 1;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, at)) {
    if (
      isArray &&
      (lua.lua_type(L, -2) !== LUA_TNUMBER || lua.lua_tonumber(L, -2) !== expected)
    ) isArray = false;
    const value = luaValueText(L, -1, level);
    values.push(value);
    pairs.push(`[${luaValueText(L, -2, level)}]=${value}`);
    lua.lua_pop(L, 1);
    expected++;
  }
  return `{${(isArray ? values : pairs).join("; ")}}`;
}

/** Redis's ldbRedisProtocolToHuman: a RESP reply made readable. */
export function replyText(buf: Uint8Array, start: number, end: number): string {
  const reader = { buf, pos: start, end };
  return readHuman(reader);
}

interface Reader {
  buf: Uint8Array;
  pos: number;
  end: number;
}

function line(r: Reader): string {
  let i = r.pos;
  while (i < r.end && r.buf[i] !== CR) i++;
  const text = bytesToBinary(r.buf, r.pos, i);
  r.pos = Math.min(i + 2, r.end);
  return text;
}

function readHuman(r: Reader): string {
  if (r.pos >= r.end) return "";
  const type = r.buf[r.pos++]!;
  switch (type) {
    case 58: // ':'
      return line(r);
    case 36: // '$'
    case 61: { // '=' (verbatim), shown as a bulk
      const len = Number(line(r));
      if (len < 0) return "NULL";
      const text = bytesToBinary(r.buf, r.pos, r.pos + len);
      r.pos += len + 2;
      return repr(text);
    }
    case 43: // '+'
    case 45: // '-'
      return repr(String.fromCharCode(type) + line(r));
    case 42: { // '*'
      const count = Number(line(r));
      if (count < 0) return "NULL";
      return `[${items(r, count).join(",")}]`;
    }
    case 126: // '~'
      return `~(${items(r, Number(line(r))).join(",")})`;
    case 37: { // '%'
      const count = Number(line(r));
      const entries: string[] = [];
      for (let i = 0; i < count; i++) entries.push(`${readHuman(r)} => ${readHuman(r)}`);
      return `{${entries.join(",")}}`;
    }
    case 95: // '_'
      line(r);
      return "(null)";
    case 35: // '#'
      return line(r) === "t" ? "#true" : "#false";
    case 44: // ','
      return `(double) ${line(r)}`;
    case 40: // '(' big number
      return line(r);
    default:
      return "";
  }
}

function items(r: Reader, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(readHuman(r));
  return out;
}
