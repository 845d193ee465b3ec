/**
 * Where Lua 5.1 (Redis's) keeps each key of a table, so that `next` (and so
 * `pairs`, cjson.encode, cmsgpack.pack) visits keys in 5.1's order and `#t`
 * finds 5.1's border. fengari keeps a table's entries in a Map; this is a
 * second record beside it, of keys only: the size of 5.1's array part and
 * its hash part's nodes (each node's key, its chain link), grown and rebuilt
 * as 5.1's ltable.c does when a key is added (a key set to nil keeps its
 * node until the next rebuild, as in 5.1 between garbage collections).
 *
 * 5.1 walks its array part (1 up to its size), then its nodes in order. A
 * key's node is its main position (a string's hash, masked; a number's two
 * 32-bit halves added, modulo the node count less one, made odd), or a free
 * node taken from the top down when that is in use. Redis's Lua hashes
 * strings without a seed, so the order is the same on every run: `{a=1,
 * b=2, c=3}` walks a, c, b. Keys that are objects (tables, functions) are
 * hashed by their address in 5.1; here by the order they were first used.
 *
 * Each table's fields (see Layout51) are plain arrays, made on its first
 * key outside the array part; a table used as an array 1..n keeps only its
 * array size. The entries themselves stay fengari's: a node is live while
 * fengari's Map holds its key.
 */

/** Keys 5.1 may keep in its array part: 1 to 2^26 (MAXASIZE). */
const MAX_ARRAY = 2 ** 26;
/** A code at or above this places its key by modulo (numbers, objects), below by mask. */
const BY_MOD = 2 ** 32;

/** What a table keeps for its 5.1 layout. */
export interface Layout51 {
  /** The size of 5.1's array part. */
  asize: number;
  /** The node count, a power of two; 0 for none (5.1's dummy node). */
  nsize: number;
  /**
   * Three slots a node (one array: a new table's nodes are one allocation):
   * its key as fengari's Map knows it (undefined: free), its hash code (see
   * BY_MOD), and the next node of its chain (undefined at the end).
   */
  nodes: unknown[];
  /** 5.1's lastfree: nodes at and above it were handed out. */
  lastfree: number;
}

type Live = Map<unknown, unknown>;

// The nodes of every table without any: nothing writes to them.
const NO_NODES: unknown[] = [];

/** The node after `n` in its chain, or -1. */
const nextNode = (nodes: unknown[], n: number) => (nodes[3 * n + 2] as number | undefined) ?? -1;

/** A new layout with room for `narray` array items and `nhash` other keys (a constructor's sizes). */
export function newLayout(narray: number, nhash: number): Layout51 {
  const layout: Layout51 = {
    asize: narray,
    nsize: 0,
    nodes: NO_NODES,
    lastfree: 0,
  };
  setNodes(layout, nhash);
  return layout;
}

/** Whether `key` (fengari's Map key) is an integer 5.1 may keep in its array part. */
const arrayIndex = (key: unknown) =>
  typeof key === "number" && Number.isInteger(key) && key >= 1 && key <= MAX_ARRAY;

/** ceil(log2(x)) for x >= 1. */
const ceilLog2 = (x: number) => x <= 1 ? 0 : 32 - Math.clz32(x - 1);

function mainPosition(layout: Layout51, code: number): number {
  const size = layout.nsize;
  return code >= BY_MOD ? (code - BY_MOD) % ((size - 1) | 1) : code & (size - 1);
}

function setNodes(layout: Layout51, count: number): void {
  const size = count === 0 ? 0 : 2 ** ceilLog2(count);
  layout.nsize = size;
  layout.nodes = size === 0 ? NO_NODES : new Array(3 * size);
  layout.lastfree = size;
}

/** The node holding `key`, or -1. */
export function findNode(layout: Layout51, key: unknown, code: number): number {
  if (layout.nsize === 0) return -1;
  const nodes = layout.nodes;
  for (let n = mainPosition(layout, code); n >= 0; n = nextNode(nodes, n)) {
    if (nodes[3 * n] === key) return n;
  }
  return -1;
}

/** Records `key` (not yet in `live`) as 5.1's luaH_set places a new key. */
export function placeKey(layout: Layout51, live: Live, key: unknown, code: number): void {
  if (arrayIndex(key) && (key as number) <= layout.asize) return;
  if (findNode(layout, key, code) >= 0) return;
  newKey(layout, live, key, code);
}

function newKey(layout: Layout51, live: Live, key: unknown, code: number): void {
  let mp = layout.nsize === 0 ? -1 : mainPosition(layout, code);
  const nodes = layout.nodes;
  if (mp < 0 || (nodes[3 * mp] !== undefined && live.has(nodes[3 * mp]))) {
    const free = freeNode(layout);
    if (free < 0) {
      rehash(layout, live, key);
      return placeKey(layout, live, key, code);
    }
    const other = mainPosition(layout, nodes[3 * mp + 1] as number);
    if (other !== mp) {
      // The node in the way is not in its main position: it moves to the free node.
      let prev = other;
      while (nextNode(nodes, prev) !== mp) prev = nextNode(nodes, prev);
      nodes[3 * prev + 2] = free;
      nodes[3 * free] = nodes[3 * mp];
      nodes[3 * free + 1] = nodes[3 * mp + 1];
      nodes[3 * free + 2] = nodes[3 * mp + 2];
      nodes[3 * mp + 2] = undefined;
    } else {
      nodes[3 * free + 2] = nodes[3 * mp + 2];
      nodes[3 * mp + 2] = free;
      mp = free;
    }
  }
  nodes[3 * mp] = key;
  nodes[3 * mp + 1] = code;
}

function freeNode(layout: Layout51): number {
  while (layout.lastfree > 0) {
    layout.lastfree--;
    if (layout.nodes[3 * layout.lastfree] === undefined) return layout.lastfree;
  }
  return -1;
}

/** Counts `key` into `nums` (by ceil(log2)) when it may go to the array part. */
function countIndex(key: unknown, nums: Int32Array): number {
  if (!arrayIndex(key)) return 0;
  nums[ceilLog2(key as number)]!++;
  return 1;
}

/** Keys that may go to the array part by ceil(log2) (5.1's nums), for rehash. */
const NUMS = new Int32Array(27);

/** 5.1's rehash: new sizes from the live keys and `extra`, then every key placed again. */
function rehash(layout: Layout51, live: Live, extra: unknown): void {
  const nums = NUMS.fill(0);
  let arrayKeys = 0;
  for (let i = 1; i <= layout.asize; i++) {
    if (live.has(i)) {
      nums[ceilLog2(i)]!++;
      arrayKeys++;
    }
  }
  let total = arrayKeys;
  const nodes = layout.nodes;
  for (let n = 0; n < layout.nsize; n++) {
    const key = nodes[3 * n];
    if (key !== undefined && live.has(key)) {
      arrayKeys += countIndex(key, nums);
      total++;
    }
  }
  arrayKeys += countIndex(extra, nums);
  total++;
  const [asize, inArray] = arraySize(nums, arrayKeys);
  resize(layout, live, asize, total - inArray);
}

/** 5.1's computesizes: the largest power of two more than half full, and the keys under it. */
function arraySize(nums: Int32Array, candidates: number): [number, number] {
  let below = 0, inArray = 0, size = 0;
  for (let i = 0, twoToI = 1; twoToI / 2 < candidates; i++, twoToI *= 2) {
    if (nums[i]! > 0) {
      below += nums[i]!;
      if (below > twoToI / 2) {
        size = twoToI;
        inArray = below;
      }
    }
    if (below === candidates) break;
  }
  return [size, inArray];
}

/** 5.1's resize: the array part's items past a smaller size, then the old nodes from the last, placed again. */
export function resize(layout: Layout51, live: Live, asize: number, nhash: number): void {
  const oldSize = layout.asize;
  const { nodes, nsize } = layout;
  if (asize > oldSize) layout.asize = asize;
  setNodes(layout, nhash);
  if (asize < oldSize) {
    layout.asize = asize;
    for (let i = asize + 1; i <= oldSize; i++) {
      if (live.has(i)) placeKey(layout, live, i, numberCode(i));
    }
  }
  for (let n = nsize - 1; n >= 0; n--) {
    const key = nodes[3 * n];
    if (key !== undefined && live.has(key)) placeKey(layout, live, key, nodes[3 * n + 1] as number);
  }
}

/** The position `next` continues after: array slot k-1, or asize + node; -1 when absent. */
export function positionOf(layout: Layout51, key: unknown, code: number): number {
  if (arrayIndex(key) && (key as number) <= layout.asize) return (key as number) - 1;
  const n = findNode(layout, key, code);
  return n < 0 ? -1 : layout.asize + n;
}

/** The position of the first live key after position `from` (-1: from the start), or -1. */
export function nextPosition(layout: Layout51, live: Live, from: number): number {
  const asize = layout.asize;
  for (let i = from + 1; i < asize; i++) if (live.has(i + 1)) return i;
  const { nodes, nsize } = layout;
  for (let n = Math.max(0, from + 1 - asize); n < nsize; n++) {
    const key = nodes[3 * n];
    if (key !== undefined && live.has(key)) return asize + n;
  }
  return -1;
}

/** The key at a position nextPosition gave, as fengari's Map knows it. */
export function keyAt(layout: Layout51, position: number): unknown {
  return position < layout.asize ? position + 1 : layout.nodes[3 * (position - layout.asize)];
}

/** 5.1's luaH_getn: a border found as 5.1 searches for it. */
export function border(layout: Layout51, live: Live): number {
  let j = layout.asize;
  if (j > 0 && !live.has(j)) {
    let i = 0;
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (live.has(m)) i = m;
      else j = m;
    }
    return i;
  }
  if (layout.nsize === 0) return j;
  let i = j;
  j++;
  while (live.has(j)) {
    i = j;
    j *= 2;
    if (j > 2147483647) {
      let k = 1;
      while (live.has(k)) k++;
      return k - 1;
    }
  }
  while (j - i > 1) {
    const m = Math.floor((i + j) / 2);
    if (live.has(m)) i = m;
    else j = m;
  }
  return i;
}

const VIEW = new Float64Array(1);
const WORDS = new Uint32Array(VIEW.buffer);

/** A number key's code: 0 at node 0, else its two 32-bit halves added (5.1's hashnum). */
export function numberCode(n: number): number {
  if (n === 0) return BY_MOD;
  VIEW[0] = n;
  return BY_MOD + ((WORDS[0]! + WORDS[1]!) >>> 0);
}

/** A string key's code: 5.1's luaS_hash of its bytes, seeded by the length (Redis's hashes every byte; 5.1 sampled 32). */
export function stringCode(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = length;
  for (let i = length; i >= 1; i--) h = (h ^ ((h << 5) + (h >>> 2) + bytes[i - 1]!)) >>> 0;
  return h;
}

/** A boolean key's code (5.1's hashboolean: the value, masked). */
export const booleanCode = (b: boolean) => b ? 1 : 0;

const objectCodes = new WeakMap<object, number>();
let nextObjectCode = 1;

/** An object key's code: 5.1 uses its address; here the order objects were first used as keys. */
export function objectCode(o: object): number {
  let code = objectCodes.get(o);
  if (code === undefined) objectCodes.set(o, code = BY_MOD + nextObjectCode++ * 8);
  return code;
}
