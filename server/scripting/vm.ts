/**
 * The Lua VM's half of scripting, loaded on first use (Scripting.load): the
 * EVAL engine and the function libraries, each with its Lua state. Only
 * this module and what it imports reach fengari, whose code and the Node
 * compatibility layer it needs cost an empty server about 20 MB of RSS
 * (docs/memory.md); a server that never runs a script never pays it.
 */
import { ScriptEngine } from "./engine.ts";
import { FunctionLibraries } from "./functions.ts";
import { debugEval } from "./ldb.ts";

export interface LuaVm {
  engine: ScriptEngine;
  functions: FunctionLibraries;
  /** The Lua debugger (SCRIPT DEBUG). */
  debugEval: typeof debugEval;
}

export function createVm(): LuaVm {
  return { engine: new ScriptEngine(), functions: new FunctionLibraries(), debugEval };
}
