/**
 * Redis's pqsort (pqsort.c, from NetBSD's qsort): a quicksort that only
 * recurses into partitions overlapping the wanted range [lrange, rrange].
 * SORT ... BY ... LIMIT and GEO searches with COUNT use it, and since it is
 * not stable, which of several equal elements come first depends on its
 * exact steps; those are reproduced here (element indices for pointers).
 */

type Compare<T> = (a: T, b: T) => number;

// Every position the algorithm computes lies within the array: its reads carry `!`.

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Swaps the `n` elements from `i` with the `n` from `j`. */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

/** The median of three positions, by Redis's comparison order. */
function med3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  return cmp(a[i]!, a[j]!) < 0
    ? (cmp(a[j]!, a[k]!) < 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? k : i))
    : (cmp(a[j]!, a[k]!) > 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? i : k));
}

/**
 * Sorts `arr` enough that positions `lrange` to `rrange` hold what a full
 * sort would put there, in Redis's order for equal elements.
 */
export function pqsort<T>(arr: T[], cmp: Compare<T>, lrange: number, rrange: number): void {
  partialSort(arr, 0, arr.length, cmp, lrange, rrange);
}

function partialSort<T>(
  a: T[],
  base: number,
  n: number,
  cmp: Compare<T>,
  lrange: number,
  rrange: number,
): void {
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) {
        for (let l = m; l > base && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(a, l, l - 1);
      }
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(a[pb]!, a[base]!)) <= 0) {
        if (c === 0) swap(a, pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = cmp(a[pc]!, a[base]!)) >= 0) {
        if (c === 0) swap(a, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    // Recurse into the left part, iterate over the right, skipping either when
    // it lies wholly outside [lrange, rrange].
    const left = pb - pa;
    if (left > 1 && !(rrange < base || lrange > base + left - 1)) {
      partialSort(a, base, left, cmp, lrange, rrange);
    }
    const right = pd - pc;
    if (right <= 1) return;
    base = pn - right;
    n = right;
    if (rrange < base || lrange > base + n - 1) return;
  }
}
