/**
 * SORT without BY: the elements ordered by themselves (numbers, or bytes with
 * ALPHA). Every tie is then between equal strings, so any sort gives Redis's
 * reply, and a LIMIT window near the front is taken by keeping only the
 * first `end + 1` elements in order (a selection, as a heap would) instead
 * of sorting all: SORT of a 100-element list with LIMIT 0 10 compares about
 * 150 pairs, not 550.
 */

/** Windows up to this many elements from the front are selected, not sorted. */
const MAX_SELECTED = 128;

/** Orders element indices: negative when `a` comes first. */
type IndexOrder = (a: number, b: number) => number;

/**
 * The elements in order, at least up to position `end` (those after it may
 * be missing); undefined when one is not a number (numeric sorting).
 */
export function sortPlain(
  elements: readonly string[],
  numeric: boolean,
  desc: boolean,
  compareText: (a: string, b: string) => number,
  end: number,
  parse: (s: string) => number | undefined,
): string[] | undefined {
  const n = elements.length;
  let order: IndexOrder;
  if (numeric) {
    // A plain array: a Float64Array costs ~1 µs to make, more than the sort.
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const score = parse(elements[i]!); // i < n
      if (score === undefined) return undefined;
      scores.push(score);
    }
    order = (a, b) => {
      const sa = scores[a]!; // indices < n
      const sb = scores[b]!;
      return sa > sb ? 1 : sa < sb ? -1 : compareText(elements[a]!, elements[b]!);
    };
  } else {
    order = (a, b) => compareText(elements[a]!, elements[b]!); // indices < n
  }
  if (desc) {
    const ascending = order;
    order = (a, b) => ascending(b, a);
  }
  const wanted = end + 1;
  if (wanted < 1) return [];
  const select = wanted <= MAX_SELECTED && wanted * 2 <= n && !reversed(2 * wanted, order);
  const indices = select ? selectFirst(n, wanted, order) : allIndices(n).sort(order);
  return indices.map((i) => elements[i]!); // indices < n
}

/**
 * Whether the first `length` elements come in reverse order (each strictly
 * before the one above it). A list kept in order and sorted the other way is
 * the selection's worst case, every element entering the window, and the
 * engine's sort takes such a run in one pass; random input stops this check
 * within a few elements.
 */
function reversed(length: number, order: IndexOrder): boolean {
  for (let i = 1; i < length; i++) if (order(i, i - 1) >= 0) return false;
  return true;
}

/** 0 to n-1 (a loop: Array.from on an array-like costs ~90 ns an element). */
function allIndices(n: number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < n; i++) indices.push(i);
  return indices;
}

/** The `k` first indices of `0..n-1` by `order`, in order (k ≥ 1). */
export function selectFirst(n: number, k: number, order: IndexOrder): number[] {
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = top.length;
    if (hi === k && order(i, top[k - 1]!) >= 0) continue; // top is full: k ≥ 1 entries
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(i, top[mid]!) < 0) hi = mid; // mid < top.length
      else lo = mid + 1;
    }
    if (top.length === k) top.pop();
    top.splice(lo, 0, i);
  }
  return top;
}
