/**
 * fengari's call and return steps as its interpreter reaches them, with
 * stack slots cleared by assignment.
 *
 * fengari frees a stack slot with `delete L.stack[i]`, which V8 runs in its
 * runtime (~70 ns a slot, against ~1 ns for a store); every call and return
 * frees a few, and they were the largest single entry of an EVALSHA's
 * profile. The steps below set such a slot's value to nil instead and keep
 * its object for the next push past it (see adjustTop); nothing asks `in`
 * or reads a slot above the top. The interpreter (lvm.js) reaches
 * `adjust_top`, `luaD_precall` and `luaD_poscall` through ldo's exports,
 * which is what is replaced here; everything else keeps fengari's own.
 *
 * Only the common cases are redone: a call to a JavaScript function with no
 * call hook, a return with no return or line hook (a SCRIPT KILL'd script
 * runs under a line hook). Everything else goes to fengari's originals.
 *
 * Calls also reuse their CallInfo records, as C Lua does (its `next_ci`): a
 * return here leaves the record linked after its caller's, and the next call
 * from there takes it back, reset, where fengari would make a new one (an
 * object of 13 fields, a fifth of what an EVALSHA allocated). fengari finds
 * `luaE_extendCI` through lstate's exports, from every call it makes.
 *
 * Two more reach into the same internals for a run's end: resetThread makes
 * a coroutine an error ended reusable, and whereAt says where an error was
 * raised without lua_getinfo's "S".
 */
import fengari from "fengari";
import { bytesToBinary } from "../../protocol/bytes.ts";
import ldo from "fengari/src/ldo.js";
import lapi from "fengari/src/lapi.js";
import lobject from "fengari/src/lobject.js";
import lstate from "fengari/src/lstate.js";

// deno-lint-ignore no-explicit-any
type Loose = any;

const { LUA_MASKCALL, LUA_MASKLINE, LUA_MASKRET, LUA_MINSTACK, LUA_MULTRET, LUA_TNIL } =
  fengari.lua;
const LUA_TFUNCTION: number = fengari.lua.LUA_TFUNCTION;
/** A light JavaScript function and a JavaScript closure (fengari's LUA_TLCF, LUA_TCCL). */
const LUA_TLCF = LUA_TFUNCTION | (1 << 4);
const LUA_TCCL = LUA_TFUNCTION | (2 << 4);
/** A Lua closure (fengari's LUA_TLCL). */
const LUA_TLCL = LUA_TFUNCTION | (0 << 4);
const { LUA_OK, LUA_YIELD } = fengari.lua;
const CIST_LUA: number = lstate.CIST_LUA;
const TValue = lobject.TValue;

const originalExtendCI = lstate.luaE_extendCI;
const originalPrecall = ldo.luaD_precall;
const originalPoscall = ldo.luaD_poscall;

/** The CallInfo for a new call from the current one: the one it used last, reset, or a new one. */
function extendCI(L: Loose): Loose {
  const caller = L.ci;
  const ci = caller.next;
  if (ci === null) return originalExtendCI(L);
  ci.func = null;
  ci.funcOff = NaN;
  ci.top = NaN;
  ci.l_base = NaN;
  ci.l_code = null;
  ci.l_savedpc = NaN;
  ci.c_k = null;
  ci.c_old_errfunc = null;
  ci.c_ctx = null;
  ci.nresults = NaN;
  ci.callstatus = NaN;
  L.ci = ci;
  return ci;
}

/**
 * Sets the stack's top, setting the slots it passes to nil. A slot above the
 * top keeps its value object (nil) for the next time the top grows there:
 * every call and return moves the top down and up again, and fengari made a
 * new object for each slot each time. Nothing but the slot holds such an
 * object: a closure holds the object of a local it captured, and a function
 * with closures replaces those objects with copies when it returns
 * (luaF_close), as an error caught by pcall does.
 */
function adjustTop(L: Loose, newtop: number): void {
  const stack = L.stack;
  let top = L.top;
  if (top < newtop) {
    while (top < newtop) {
      const o = stack[top];
      if (o === undefined) stack[top] = new TValue(LUA_TNIL, null);
      else o.setnilvalue();
      top++;
    }
  } else {
    while (top > newtop) stack[--top]?.setnilvalue();
  }
  L.top = top;
}

/**
 * Makes a coroutine that a script's error ended ready for the next run, as
 * Lua 5.4's lua_resetthread: back at its base call with status OK, and each
 * stack slot's object replaced by a copy, so a closure the script made keeps
 * the locals it captured (luaF_close) and the next run cannot write them.
 * The slots up to the erroring call's own top are closed: its registers hold
 * every live local of it and its callers. A new coroutine a failed run cost
 * fengari a 40-slot stack and its hook (EVALSHA whose redis.call failed).
 * A stack grown past RESET_MAX_SLOTS (a recursion that overflowed) is left
 * for the collector with its coroutine: fengari never shrinks one.
 */
export function resetThread(L: Loose): void {
  const stack = L.stack;
  if (stack.length > RESET_MAX_SLOTS) return;
  const end = Math.max(L.top, L.ci.top | 0);
  for (let i = 0; i < end; i++) {
    const o = stack[i];
    if (o !== undefined) stack[i] = new TValue(o.type, o.value);
  }
  L.status = LUA_OK;
  L.ci = L.base_ci;
  L.errfunc = 0;
  // The top comes down with every reusable coroutine's, in Coroutines.finish.
}

/**
 * Where the function `level` calls up `L`'s stack stands, as `source:line`
 * ("@user_script:1"): undefined past the stack's bottom, null for a
 * JavaScript function. lua_getinfo's "S" also made the source's short form
 * (luaO_chunkid), a sixth of a failed EVALSHA's time; this reads the Lua
 * function's source as it is.
 */
export function whereAt(L: Loose, level: number): string | null | undefined {
  const ar = whereRecord;
  if (fengari.lua.lua_getstack(L, level, ar) === 0) return undefined;
  const func = ar.i_ci.func;
  if (func.type !== LUA_TLCL) return null;
  fengari.lua.lua_getinfo(L, CURRENT_LINE, ar);
  const source = func.value.p.source;
  if (source !== lastSource) {
    lastSource = source;
    lastSourceText = source === null ? "=?" : bytesToBinary(source.getstr());
  }
  return `${lastSourceText}:${ar.currentline}`;
}

/** The most stack slots a coroutine is reset with (a new one has 40). */
const RESET_MAX_SLOTS = 1000;

const whereRecord: Loose = new fengari.lua.lua_Debug();
const CURRENT_LINE = fengari.to_luastring("l");
let lastSource: unknown = undefined;
let lastSourceText = "";

/**
 * Ends the call `ci`: its `nres` results, from `firstResult`, move to where
 * its function was, as many as it was called for. Returns false for a call
 * that wanted all its results (the top then marks how many).
 */
function poscall(L: Loose, ci: Loose, firstResult: number, nres: number): boolean {
  if ((L.hookmask & (LUA_MASKRET | LUA_MASKLINE)) !== 0) {
    return originalPoscall(L, ci, firstResult, nres);
  }
  const wanted: number = ci.nresults;
  const res: number = ci.funcOff;
  // The record stays linked for the next call to reuse; its function need not stay alive.
  ci.func = null;
  L.ci = ci.previous;
  const stack = L.stack;
  const moved = wanted === LUA_MULTRET || wanted > nres ? nres : wanted;
  for (let i = 0; i < moved; i++) stack[res + i].setfrom(stack[firstResult + i]);
  const newtop = wanted === LUA_MULTRET ? res + nres : res + wanted;
  for (let i = moved; i < newtop - res; i++) {
    if (res + i >= L.top) stack[res + i] = new TValue(LUA_TNIL, null);
    else stack[res + i].setnilvalue();
  }
  for (let i = L.top - 1; i >= newtop; i--) stack[i]?.setnilvalue();
  L.top = newtop;
  return wanted !== LUA_MULTRET;
}

/**
 * Sets up a call of the Lua function at `off` for the interpreter, as
 * fengari's precall does but with adjustTop and a reused CallInfo (fengari's
 * made a new value object for each of the function's stack slots: a fifth of
 * what an EVALSHA allocated). Returns false when the call is not the usual
 * form (missing fixed parameters, a vararg function with fixed ones, a call
 * hook): the caller leaves it to fengari.
 */
function precallLua(L: Loose, off: number, nresults: number): boolean {
  const func = L.stack[off];
  const p = func.value.p;
  const n = L.top - off - 1;
  if ((L.hookmask & LUA_MASKCALL) !== 0) return false;
  if (p.is_vararg ? p.numparams !== 0 : n < p.numparams) return false;
  const fsize: number = p.maxstacksize;
  ldo.luaD_checkstack(L, fsize);
  // A vararg function's frame starts above its arguments (fengari's adjust_varargs, no fixed ones).
  const base = p.is_vararg ? L.top : off + 1;
  const ci = extendCI(L);
  ci.funcOff = off;
  ci.nresults = nresults;
  ci.func = func;
  ci.l_base = base;
  ci.top = base + fsize;
  adjustTop(L, ci.top);
  ci.l_code = p.code;
  ci.l_savedpc = 0;
  ci.callstatus = CIST_LUA;
  return true;
}

/**
 * lua_resume of a coroutine's first run: the function pushed with `nargs`
 * arguments above it. fengari's resume sets up the call with its own precall
 * (see precallLua), out of reach of this module's; here the call is set up
 * by precallLua and the coroutine marked as suspended by a hook before its
 * first instruction, which lua_resume continues just as a run's later slices
 * (the count hook yields). Other cases are fengari's lua_resume's.
 */
export function resumeFirst(L: Loose, nargs: number): number {
  const off = L.top - nargs - 1;
  if (
    L.status === LUA_OK && L.ci === L.base_ci && L.stack[off].type === LUA_TLCL &&
    precallLua(L, off, LUA_MULTRET)
  ) {
    L.ci.extra = off;
    L.status = LUA_YIELD;
    return fengari.lua.lua_resume(L, null, 0);
  }
  return fengari.lua.lua_resume(L, null, nargs);
}

/**
 * Starts a call of the function at `off`. A JavaScript function runs here
 * and the call ends (true); a Lua function is set up for the interpreter
 * (false).
 */
function precall(L: Loose, off: number, nresults: number): boolean {
  const func = L.stack[off];
  const type = func.type;
  if (type === LUA_TLCL && precallLua(L, off, nresults)) return false;
  if ((type !== LUA_TLCF && type !== LUA_TCCL) || (L.hookmask & LUA_MASKCALL) !== 0) {
    return originalPrecall(L, off, nresults);
  }
  const f = type === LUA_TCCL ? func.value.f : func.value;
  ldo.luaD_checkstack(L, LUA_MINSTACK);
  const ci = extendCI(L);
  ci.funcOff = off;
  ci.nresults = nresults;
  ci.func = func;
  ci.top = L.top + LUA_MINSTACK;
  ci.callstatus = 0;
  const n = f(L);
  if (typeof n !== "number" || n < 0 || (n | 0) !== n) {
    throw Error("invalid return value from JS function (expected integer)");
  }
  lapi.api_checknelems(L, n);
  poscall(L, ci, L.top - n, n);
  return true;
}

lstate.luaE_extendCI = extendCI;
ldo.adjust_top = adjustTop;
ldo.luaD_precall = precall;
ldo.luaD_poscall = poscall;
