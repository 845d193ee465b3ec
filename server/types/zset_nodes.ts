/**
 * The nodes of a sorted set's B+tree (zset_tree.ts) and the searches and
 * moves within one node: leaves of parallel member id and score arrays,
 * inner nodes of children, counts and separators. A leaf's member ids name
 * members in the tree's MemberStore: the member index's bytes for a big set
 * (zset_index.ts), a StringStore for a small set decoded for an operation.
 */

/** Where ZQUERY's writeFrom writes a range's pairs (a reply writer). */
export interface PairWriter {
  array(n: number): void;
  bulkAndDouble(member: string, score: number): void;
  /** bulkAndDouble of the member that is `length` chars of `s` from `start` (a packed set's). */
  bulkSpanAndDouble(s: string, start: number, length: number, score: number): void;
  /** `view`: a DataView of `bytes`' buffer from the same offset (a member heap keeps one). */
  bulkBytesAndDouble(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    length: number,
    score: number,
  ): void;
}

/** Where a range's members go one by one, each perhaps with its score (a reply writer). */
export interface RangeWriter {
  array(n: number): void;
  bulk(s: string): void;
  bulkBytes(bytes: Uint8Array, start: number, end: number): void;
  double(d: number): void;
}

/** The members a tree's ids name. */
export interface MemberStore {
  /** Stores a member the caller knows is absent; returns its id. */
  add(member: string, score: number): number;
  /** Negative, 0 or positive as `id`'s member sorts before, equal to or after `member`. */
  compare(id: number, member: string): number;
  string(id: number): string;
  length(id: number): number;
  writePair(id: number, score: number, out: PairWriter): void;
  writeMember(id: number, out: RangeWriter): void;
}

/**
 * A small set's members as the strings its packed form decoded to, an id
 * being a position: the store lives for one operation, so a removed
 * member's string simply stays.
 */
export class StringStore implements MemberStore {
  constructor(readonly strings: string[]) {}

  add(member: string): number {
    return this.strings.push(member) - 1;
  }

  compare(id: number, member: string): number {
    const s = this.strings[id]!;
    return s < member ? -1 : s === member ? 0 : 1;
  }

  string(id: number): string {
    return this.strings[id]!;
  }

  length(id: number): number {
    return this.strings[id]!.length;
  }

  writePair(id: number, score: number, out: PairWriter): void {
    out.bulkAndDouble(this.strings[id]!, score);
  }

  writeMember(id: number, out: RangeWriter): void {
    out.bulk(this.strings[id]!);
  }
}

// Reads below a leaf's `size`, an inner node's `children.length` or the
// current descent's depth are in range by construction; they carry `!` rather
// than a check the hottest loops would pay for.

export class Leaf {
  /** Fixed-length arrays; slots at and past `size` hold 0 and 0. */
  ids: number[];
  scores: number[];
  size = 0;
  prev: Leaf | undefined;
  next: Leaf | undefined;

  constructor(capacity: number) {
    this.ids = new Array<number>(capacity).fill(0);
    this.scores = new Array<number>(capacity).fill(0);
  }
}

export class Inner {
  children: Node[] = [];
  /** counts[i]: elements under children[i]. */
  counts: number[] = [];
  /**
   * Separators: every key under children[0..i] is below (sepScores[i],
   * sepMembers[i]) and every key under children[i+1..] is at or above it.
   * Deletions leave them valid, so they are only rewritten when elements move
   * between nodes.
   */
  sepScores: number[] = [];
  sepMembers: string[] = [];
}

export type Node = Leaf | Inner;

export function sum(counts: readonly number[]): number {
  let total = 0;
  for (const count of counts) total += count;
  return total;
}

export function growLeaf(leaf: Leaf, capacity: number): void {
  if (leaf.ids.length >= capacity) return;
  const ids = new Array<number>(capacity).fill(0);
  const scores = new Array<number>(capacity).fill(0);
  for (let i = 0; i < leaf.size; i++) {
    ids[i] = leaf.ids[i]!;
    scores[i] = leaf.scores[i]!;
  }
  leaf.ids = ids;
  leaf.scores = scores;
}

/** Moves `n` elements from `from` at `fromPos` into `to` at `toPos` (room must exist). */
export function moveRun(from: Leaf, fromPos: number, to: Leaf, toPos: number, n: number): void {
  const tm = to.ids;
  const ts = to.scores;
  for (let i = to.size - 1; i >= toPos; i--) {
    tm[i + n] = tm[i]!;
    ts[i + n] = ts[i]!;
  }
  const fm = from.ids;
  const fs = from.scores;
  for (let i = 0; i < n; i++) {
    tm[toPos + i] = fm[fromPos + i]!;
    ts[toPos + i] = fs[fromPos + i]!;
  }
  to.size += n;
  removeRun(from, fromPos, n);
}

/** Deletes `n` elements of `leaf` at `pos`, clearing the freed slots. */
export function removeRun(leaf: Leaf, pos: number, n: number): void {
  const m = leaf.ids;
  const s = leaf.scores;
  const size = leaf.size;
  for (let i = pos + n; i < size; i++) {
    m[i - n] = m[i]!;
    s[i - n] = s[i]!;
  }
  for (let i = size - n; i < size; i++) {
    m[i] = 0;
    s[i] = 0;
  }
  leaf.size = size - n;
}

export function insertAt(leaf: Leaf, pos: number, id: number, score: number): void {
  const m = leaf.ids;
  const s = leaf.scores;
  for (let i = leaf.size; i > pos; i--) {
    m[i] = m[i - 1]!;
    s[i] = s[i - 1]!;
  }
  m[pos] = id;
  s[pos] = score;
  leaf.size++;
}

/** First position in `leaf` whose key is at or above (score, member). */
export function leafLowerBound(
  leaf: Leaf,
  score: number,
  member: string,
  store: MemberStore,
): number {
  const s = leaf.scores;
  const m = leaf.ids;
  let lo = 0;
  let hi = leaf.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ms = s[mid]!;
    if (ms < score || (ms === score && store.compare(m[mid]!, member) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of `inner` whose range holds (score, member). */
export function childForKey(inner: Inner, score: number, member: string): number {
  const s = inner.sepScores;
  const m = inner.sepMembers;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ms = s[mid]!;
    if (score < ms || (score === ms && member < m[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Elements under `inner`'s children before `slot`, `total` being all under
 * it: counted from the nearer end, so a seek into the middle of a node of 64
 * children adds 16 counts on average, not 32.
 */
export function countBefore(inner: Inner, slot: number, total: number): number {
  const counts = inner.counts;
  const n = counts.length;
  let below = 0;
  if (slot <= n - slot) {
    for (let i = 0; i < slot; i++) below += counts[i]!;
    return below;
  }
  below = total;
  for (let i = slot; i < n; i++) below -= counts[i]!;
  return below;
}

/**
 * First index in `scores[0..end)` whose score is above `bound` (`inclusive`:
 * counting scores equal to it as below) or at/above it (not inclusive).
 * Scores and members have a search each: one shared by both compared
 * numbers as generically as strings once a lex range had run (a ZQUERY
 * seek by score 510 -> 540 ns in-process after a ZLEXCOUNT).
 */
export function upperScoreIndex(
  scores: readonly number[],
  end: number,
  bound: number,
  inclusive: boolean,
): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = scores[mid]!;
    if (v < bound || (inclusive && v === bound)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** upperScoreIndex of a leaf's members (their bytes' order). */
export function leafUpperMemberIndex(
  leaf: Leaf,
  bound: string,
  inclusive: boolean,
  store: MemberStore,
): number {
  const ids = leaf.ids;
  let lo = 0;
  let hi = leaf.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = store.compare(ids[mid]!, bound);
    if (order < 0 || (inclusive && order === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** upperScoreIndex of separators (their binary strings' order). */
export function upperMemberIndex(
  members: readonly string[],
  end: number,
  bound: string,
  inclusive: boolean,
): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = members[mid]!;
    if (v < bound || (inclusive && v === bound)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `n` pairs from `leaf`'s position `pos` (at most its size) on, into `out`. */
export function writePairs(
  leaf: Leaf | undefined,
  pos: number,
  n: number,
  out: PairWriter,
  store: MemberStore,
): void {
  for (let left = n; left > 0;) {
    const end = Math.min(leaf!.size, pos + left);
    const m = leaf!.ids;
    const s = leaf!.scores;
    for (let i = pos; i < end; i++) store.writePair(m[i]!, s[i]!, out);
    left -= end - pos;
    leaf = leaf!.next;
    pos = 0;
  }
}
