/**
 * The library tables laid out as Redis's Lua 5.1 has them, so that `pairs`
 * over `string`, `math`, `redis`... walks in Redis's order. 5.1's C code
 * makes each with room for its functions and sets them in its list's order
 * (luaL_register); fengari's 5.3 libraries, and the fields removed and
 * replaced since, left another layout. Each order below, with its room,
 * gives redis-server 7.0.15's walk (checked by building a table the same
 * way in a script there); keys not listed come after.
 */
import { lit, lua, type LuaState, tableAt } from "./lua.ts";
import { relayout } from "./lua_tables.ts";

const words = (text: string) => text.trim().split(/\s+/);

/** [global name, the keys in their order of registration, the room the table was made with]. */
const LIBRARIES: [string, string[], number][] = [
  [
    "string",
    words("byte char dump find format gfind gmatch gsub len lower match rep reverse sub upper"),
    15,
  ],
  [
    "math",
    words(`abs acos asin atan2 atan ceil cosh cos deg exp floor fmod frexp ldexp log10 log max min
      modf pow rad random randomseed sinh sin sqrt tanh tan pi huge mod`),
    28,
  ],
  ["table", words("concat foreach foreachi getn maxn insert remove setn sort"), 9],
  ["coroutine", words("create resume running status wrap yield"), 6],
  [
    "cjson",
    words(`encode decode encode_sparse_array encode_max_depth decode_max_depth
      encode_number_precision encode_keep_buffer encode_invalid_numbers decode_invalid_numbers
      new null _NAME _VERSION`),
    0,
  ],
];

/** EVAL's `redis` (FCALL's has other fields and keeps the order it was built in). */
const REDIS_EVAL = words(`REDIS_VERSION call pcall log setresp LOG_DEBUG LOG_VERBOSE
  REDIS_VERSION_NUM LOG_NOTICE LOG_WARNING sha1hex error_reply status_reply set_repl REPL_NONE
  REPL_AOF REPL_SLAVE REPL_REPLICA REPL_ALL acl_check_cmd breakpoint debug replicate_commands`);

function relayoutGlobal(L: LuaState, name: string, order: string[], room: number): void {
  lua.lua_getglobal(L, lit(name));
  relayout(tableAt(L, -1), order, room);
  lua.lua_pop(L, 1);
}

/** Lays the library tables of a new state out in 5.1's order (`redis` too for EVAL's). */
export function relayoutLibraries(L: LuaState, functions: boolean): void {
  for (const [name, order, room] of LIBRARIES) relayoutGlobal(L, name, order, room);
  if (!functions) relayoutGlobal(L, "redis", REDIS_EVAL, 0);
}
