/**
 * A script's result written from its Lua value, as Redis's
 * luaReplyToRedisReply converts it (the rules are convert.ts's toReply,
 * which reads through the stack into reply objects): strings are written
 * from their bytes and tables are read in place, so a result of a hundred
 * strings makes no reply object and no JavaScript string.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import type { ReplyWriter } from "../../protocol/writer.ts";
import { LUA_REPLY_TOO_DEEP } from "../errors.ts";
import { toInt64 } from "./lua_format.ts";
import {
  booleanOf,
  LUA_TBOOLEAN,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaTable,
  type LuaValue,
  numberOf,
  rawField,
  rawItem,
  stringBytes,
  tableOf,
  typeOf,
} from "./lua.ts";
import { forEachEntry } from "./lua_tables.ts";

/** How deep nested tables may go (convert.ts's MAX_REPLY_DEPTH). */
const MAX_REPLY_DEPTH = 1000;

/** Writes `v` as the reply to a script's caller; `resp` is the script's redis.setresp. */
export function writeLuaValue(out: ReplyWriter, v: LuaValue, resp: 2 | 3, depth = 0): void {
  switch (typeOf(v)) {
    case LUA_TSTRING:
      return out.bulkBytes(stringBytes(v));
    case LUA_TBOOLEAN:
      if (resp === 3) return out.bool(booleanOf(v));
      return booleanOf(v) ? out.int(1) : out.nil();
    case LUA_TNUMBER:
      return writeNumber(out, numberOf(v));
    case LUA_TTABLE:
      if (depth >= MAX_REPLY_DEPTH) return out.error(LUA_REPLY_TOO_DEEP);
      return writeTable(out, tableOf(v), resp, depth + 1);
    default:
      return out.nil();
  }
}

/** A number truncated to an integer, as Redis's (long long) cast. */
function writeNumber(out: ReplyWriter, n: number): void {
  const t = Math.trunc(n);
  // -0 truncated is an integer 0.
  if (Number.isSafeInteger(t)) return out.int(t === 0 ? 0 : t);
  out.int(toInt64(n));
}

function fieldString(t: LuaTable, name: string): string | undefined {
  const v = rawField(t, name);
  return typeOf(v) === LUA_TSTRING ? bytesToBinary(stringBytes(v)) : undefined;
}

function writeTable(out: ReplyWriter, t: LuaTable, resp: 2 | 3, depth: number): void {
  const err = fieldString(t, "err");
  if (err !== undefined) return out.error(err);
  const ok = fieldString(t, "ok");
  if (ok !== undefined) return out.simple(ok.replace(/[\r\n]/g, " "));
  const double = rawField(t, "double");
  if (typeOf(double) === LUA_TNUMBER) return out.double(numberOf(double));
  const big = fieldString(t, "big_number");
  if (big !== undefined) {
    const value = big.replace(/[\r\n]/g, " ");
    return out.protocol === 3 ? out.raw(`(${value}\r\n`) : out.bulk(value);
  }
  if (writeVerbatim(out, t)) return;
  const map = rawField(t, "map");
  if (typeOf(map) === LUA_TTABLE) return writeEntries(out, tableOf(map), resp, depth, true);
  const set = rawField(t, "set");
  if (typeOf(set) === LUA_TTABLE) return writeEntries(out, tableOf(set), resp, depth, false);
  let n = 0;
  while (typeOf(rawItem(t, n + 1)) !== LUA_TNIL) n++;
  out.array(n);
  for (let i = 1; i <= n; i++) writeLuaValue(out, rawItem(t, i), resp, depth);
}

/** `{verbatim_string = {format = ..., string = ...}}`; false when `t` is not one. */
function writeVerbatim(out: ReplyWriter, t: LuaTable): boolean {
  const verbatim = rawField(t, "verbatim_string");
  if (typeOf(verbatim) !== LUA_TTABLE) return false;
  const format = fieldString(tableOf(verbatim), "format");
  const value = format === undefined ? undefined : fieldString(tableOf(verbatim), "string");
  if (value === undefined) return false;
  out.verbatim(value, format);
  return true;
}

/** A map's pairs or a set's keys, in `next` order. */
function writeEntries(
  out: ReplyWriter,
  t: LuaTable,
  resp: 2 | 3,
  depth: number,
  pairs: boolean,
): void {
  if (pairs) out.map(t.strong.size);
  else out.set(t.strong.size);
  forEachEntry(t, (e) => {
    writeLuaValue(out, e.key, resp, depth);
    if (pairs) writeLuaValue(out, e.value, resp, depth);
  });
}
