/**
 * Where a new key goes in the order `next` (and so `pairs`, table.foreach,
 * cjson.encode, cmsgpack.pack) walks a table: Lua 5.1's order for the
 * array-like part.
 *
 * fengari's `next` walks a table's entries as they are linked, and links
 * each new key last. Lua 5.1, Redis's, walks its array part first, index 1
 * up, then its hash part; scripts and libraries iterate arrays with `pairs`
 * and rely on 1..n. A constructor adds its items from the last one down
 * (`{10, 20, 30}` went 3, 2, 1; `{10, x = 1}` x, then 1), and so does a loop
 * that fills downwards. So a positive integer key is linked where 5.1 would
 * visit it, which keeps this true of every table:
 *
 *   each run of consecutive integer keys a..b (a >= 1; a-1 and b+1 absent)
 *   is linked together, ascending, and the run from 1 comes first.
 *
 * Other keys stay in the order they were added (5.1's is the order of its
 * hash slots, which no script can rely on, and is not imitated). Removing a
 * key keeps the rest true. Entries move only while a key is added, which a
 * traversal must not do (Lua's rule), so a traversal that removes keys
 * meanwhile walks as fengari's own.
 *
 * Joining two runs moves the shorter one (both are walked a step at a time
 * until one ends), so filling n indices in any order moves entries
 * O(n log n) times; a run that must come first because it holds 1 moves
 * the other, once per entry.
 */

// The package first: its modules load each other in an order their cycles need.
import "fengari";
import defs from "fengari/src/defs.js";

// deno-lint-ignore no-explicit-any
type Loose = any;

const { LUA_TNUMFLT, LUA_TNUMINT } = defs.constant_types;

/** Links `entry`, a new entry of `t` with the key `hash` (fengari's table key), into its place. */
export function linkEntry(t: Loose, hash: unknown, entry: Loose): void {
  if (typeof hash === "number" && hash >= 1 && Number.isSafeInteger(hash)) {
    linkIndex(t, hash, entry);
  } else linkAfter(t, t.l, entry, entry);
}

/** Links the entry for the integer key `k` next to its neighbours' runs. */
function linkIndex(t: Loose, k: number, entry: Loose): void {
  const below = k === 1 ? undefined : t.strong.get(k - 1);
  const above = t.strong.get(k + 1);
  if (below !== undefined) {
    linkAfter(t, below, entry, entry);
    if (above !== undefined && above.p !== entry) joinRuns(t, entry, above);
  } else if (above !== undefined) {
    linkAfter(t, above.p, entry, entry);
    if (k === 1 && entry.p !== undefined) {
      const last = runEnd(above);
      unlink(t, entry, last);
      linkAfter(t, undefined, entry, last);
    }
  } else linkAfter(t, k === 1 ? undefined : t.l, entry, entry);
}

/**
 * Makes the run ending at `lead` and the run starting at `trail` (its key
 * one more) adjacent, moving the shorter, or the trail when the lead holds 1.
 */
function joinRuns(t: Loose, lead: Loose, trail: Loose): void {
  let first = lead;
  let last = trail;
  for (;;) {
    if (!follows(first.p, first)) {
      if (first.key.value === 1) break;
      unlink(t, first, lead);
      linkAfter(t, trail.p, first, lead);
      return;
    }
    first = first.p;
    if (!follows(last, last.n)) {
      unlink(t, trail, last);
      linkAfter(t, lead, trail, last);
      return;
    }
    last = last.n;
  }
  last = runEnd(last);
  unlink(t, trail, last);
  linkAfter(t, lead, trail, last);
}

/** Whether `b` is linked after `a` with the next integer key: both in one run. */
function follows(a: Loose, b: Loose): boolean {
  if (a === undefined || b === undefined) return false;
  const type = a.key.type;
  return (type === LUA_TNUMINT || type === LUA_TNUMFLT) && b.key.value === a.key.value + 1;
}

/** The last entry of the run `entry` is in. */
function runEnd(entry: Loose): Loose {
  while (follows(entry, entry.n)) entry = entry.n;
  return entry;
}

/** Takes the linked entries `first` to `last` out of `t`'s list. */
function unlink(t: Loose, first: Loose, last: Loose): void {
  const before = first.p;
  const after = last.n;
  if (before !== undefined) before.n = after;
  else t.f = after;
  if (after !== undefined) after.p = before;
  else t.l = before;
}

/** Links the entries `first` to `last` after `prev` (first in the list when undefined). */
function linkAfter(t: Loose, prev: Loose, first: Loose, last: Loose): void {
  const next = prev === undefined ? t.f : prev.n;
  first.p = prev;
  last.n = next;
  if (prev !== undefined) prev.n = first;
  else t.f = first;
  if (next !== undefined) next.p = last;
  else t.l = last;
}
