/**
 * The core of SORT and SORT_RO, free of protocol and keyspace: which
 * elements come out in which order, and what each GET pattern yields, with
 * keys read through a callback (the command passes its keyspace lookup).
 *
 * Redis's order is reproduced: numeric sorting by strtod of the element or
 * of its BY key (a missing key weighs 0), ties broken by the elements'
 * bytes; ALPHA compares bytes as strcoll does in the C locale (up to the
 * first NUL) unless the result is STOREd, when whole strings are compared.
 * ALPHA with BY leaves ties in their loading order (Redis's qsort is glibc's
 * stable merge sort), except with a LIMIT, where Redis's partial quicksort
 * (server/pqsort.ts) decides their order.
 */
import { strtod } from "../protocol/double.ts";
import { pqsort } from "./pqsort.ts";
import { sortPlain } from "./sort_plain.ts";

/** SORT's parsed options. */
export interface SortSpec {
  desc: boolean;
  alpha: boolean;
  /** LIMIT offset and count (count -1: to the end). */
  limitStart: number;
  limitCount: number;
  /** BY pattern; one without "*" means "do not sort". */
  by: string | undefined;
  /** GET patterns in order ("#" is the element itself). */
  gets: string[];
  /** Whether the result is STOREd (changes how ALPHA compares, and forces sets sorted). */
  store: boolean;
  /** Whether a script runs the command (forces sets sorted, as STORE does). */
  fromScript: boolean;
}

/** SORT's options as none given, with `over` applied. */
export function sortSpec(over: Partial<SortSpec> = {}): SortSpec {
  return {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: undefined,
    gets: [],
    store: false,
    fromScript: false,
    ...over,
  };
}

/** The value a pattern's key names: a string key's value, or a hash field's with "->field". */
export type SortLookup = (key: string, field: string | undefined) => string | undefined;

/** What the sorted value is, which decides the "do not sort" order. */
export type SortSource = "list" | "set" | "zset";

export type SortResult =
  | { error: "conversion" }
  | { elements: string[]; rows: (string | undefined)[] };

/**
 * A pattern applied to an element: "#" is the element; otherwise the first
 * "*" is replaced by it, and a "->field" after the "*" (with a non-empty
 * field) reads that hash field. A pattern without "*" names nothing.
 */
export function patternKey(
  pattern: string,
  element: string,
): { key: string; field: string | undefined } | "#" | undefined {
  if (pattern === "#") return "#";
  const star = pattern.indexOf("*");
  if (star < 0) return undefined;
  const arrow = pattern.indexOf("->", star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  return {
    key: pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd),
    field: hasField ? pattern.slice(arrow + 2) : undefined,
  };
}

/** The value a pattern yields for an element, read through `lookup`. */
export function lookupPattern(
  pattern: string,
  element: string,
  lookup: SortLookup,
): string | undefined {
  const target = patternKey(pattern, element);
  if (target === undefined) return undefined;
  if (target === "#") return element;
  return lookup(target.key, target.field);
}

/** The output window [start, end] over `length` elements, as Redis clamps LIMIT. */
export function limitWindow(
  length: number,
  limitStart: number,
  limitCount: number,
): [number, number] {
  let start = Math.min(Math.max(limitStart, 0), length);
  const count = Math.min(Math.max(limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;
  return [start, end];
}

/**
 * Sorts `elements` (in the value's own order: list head to tail, set
 * iteration, sorted set by rank) and applies LIMIT and GET. `rows` holds,
 * per output element, the element itself when there is no GET, else one
 * entry per GET (undefined where the key or field is missing).
 */
export function sortElements(
  elements: string[],
  source: SortSource,
  spec: SortSpec,
  lookup: SortLookup,
): SortResult {
  let dontSort = spec.by !== undefined && !spec.by.includes("*");
  let alpha = spec.alpha;
  let by = spec.by;
  // A set's own order is not deterministic: sort it when the result is replicated.
  if (dontSort && source === "set" && (spec.store || spec.fromScript)) {
    dontSort = false;
    alpha = true;
    by = undefined;
  }
  const [start, end] = limitWindow(elements.length, spec.limitStart, spec.limitCount);
  let chosen: string[];
  if (dontSort) {
    const ordered = source !== "set" && spec.desc ? [...elements].reverse() : elements;
    chosen = ordered.slice(start, end + 1);
  } else {
    const sorted = sortVector(elements, { ...spec, alpha, by }, lookup, [start, end]);
    if (sorted === undefined) return { error: "conversion" };
    chosen = sorted.slice(start, end + 1);
  }
  if (spec.gets.length === 0) return { elements: chosen, rows: chosen };
  const rows: (string | undefined)[] = [];
  for (const element of chosen) {
    for (const pattern of spec.gets) rows.push(lookupPattern(pattern, element, lookup));
  }
  return { elements: chosen, rows };
}

interface Weighted {
  element: string;
  score: number;
  /** ALPHA with BY: the BY value, undefined when missing. */
  key: string | undefined;
}

/**
 * The sorted elements, or undefined when a weight is not a number. With BY
 * and a LIMIT window Redis sorts only as far as the window needs (pqsort);
 * otherwise fully with glibc's qsort, a stable merge sort.
 */
function sortVector(
  elements: string[],
  spec: SortSpec,
  lookup: SortLookup,
  [start, end]: [number, number],
): string[] | undefined {
  const compareText = spec.store ? compareBytes : compareCStrings;
  if (spec.by === undefined) {
    // Strings without a NUL compare as their bytes: the engine's own comparison.
    const text = spec.alpha && elements.some((e) => e.includes("\0")) ? compareText : compareBytes;
    return sortPlain(elements, !spec.alpha, spec.desc, text, end, numericWeight);
  }
  const vector: Weighted[] = [];
  let convertError = false;
  for (const element of elements) {
    const entry: Weighted = { element, score: 0, key: undefined };
    vector.push(entry);
    const weight = spec.by === undefined ? element : lookupPattern(spec.by, element, lookup);
    if (weight === undefined) continue;
    if (spec.alpha) {
      if (spec.by !== undefined) entry.key = weight;
    } else {
      const score = numericWeight(weight);
      if (score === undefined) convertError = true;
      else entry.score = score;
    }
  }
  if (convertError) return undefined;
  let compare: (a: Weighted, b: Weighted) => number;
  if (!spec.alpha) {
    compare = (a, b) =>
      a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
  } else if (spec.by !== undefined) {
    compare = (a, b) => {
      if (a.key === undefined || b.key === undefined) {
        return a.key === b.key ? 0 : a.key === undefined ? -1 : 1;
      }
      return compareText(a.key, b.key);
    };
  } else {
    compare = (a, b) => compareText(a.element, b.element);
  }
  const sign = spec.desc ? -1 : 1;
  const ordered = (a: Weighted, b: Weighted) => sign * compare(a, b);
  if (spec.by !== undefined && (start !== 0 || end !== vector.length - 1)) {
    pqsort(vector, ordered, start, end);
  } else {
    vector.sort(ordered);
  }
  return vector.map((w) => w.element);
}

/** A weight as strtod reads it; undefined unless all of it is a number in range. */
function numericWeight(weight: string): number | undefined {
  const plain = plainInteger(weight);
  if (plain !== undefined) return plain;
  const parsed = strtod(weight);
  const rest = parsed.length === weight.length ? 0 : weight.charCodeAt(parsed.length);
  if (rest !== 0 || parsed.outOfRange || Number.isNaN(parsed.value)) return undefined;
  return parsed.value;
}

/**
 * A weight of up to 15 digits with an optional minus sign, as strtod reads it
 * (exact in a double; "-0" is -0), without strtod's general walk.
 */
function plainInteger(s: string): number | undefined {
  const length = s.length;
  const negative = s.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  if (i === length || length > 15) return undefined;
  let value = 0;
  for (; i < length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** memcmp order, shorter first on a common prefix (Redis's compareStringObjects). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcmp order: bytes up to the first NUL (strcoll in the C locale). */
export function compareCStrings(a: string, b: string): number {
  for (let i = 0;; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : 0;
    const cb = i < b.length ? b.charCodeAt(i) : 0;
    if (ca !== cb) return ca - cb;
    if (ca === 0) return 0;
  }
}
