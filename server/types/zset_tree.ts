/**
 * The order of a sorted set: members ordered by (score, member bytes), with
 * O(log n) insert, delete, rank, seek by rank and seek by score or member.
 *
 * The order lives in a B+tree whose inner nodes keep, per child, the number
 * of elements below it (the book's subtree sizes, Redis's skip list spans),
 * so ranks are sums along one root-to-leaf path. Leaves hold up to 128
 * elements in two parallel arrays, member ids (small integers) and scores
 * (V8 stores a number array unboxed), so an element costs about 16 bytes of
 * tree plus leaf slack, against 40+ bytes for a skip list node. Leaves are
 * linked both ways for range walks.
 *
 * A tree without a member index is a small set (Redis's listpack encoding: at
 * most zset-max-listpack-entries members, none longer than
 * zset-max-listpack-value bytes) that SortedSet decodes from its packed form
 * for an operation: its ids name the decoded strings (a StringStore), and
 * member lookups scan its leaves, as Redis scans its listpack. Past those
 * limits the members move into a member index (zset_index.ts) that holds each
 * once as bytes, names them by id and makes ZSCORE and the key lookups behind
 * ZREM/ZRANK O(1) (Redis's skiplist encoding pairs its skip list with a dict
 * the same way). As in Redis, a set never goes back to the small encoding.
 */

import { arrayBytes, objectBytes, stringBytes } from "./memory.ts";
import { INDEX_ENTRY_BYTES, MemberIndex } from "./zset_index.ts";
import {
  childForKey,
  countBefore,
  growLeaf,
  Inner,
  insertAt,
  Leaf,
  leafLowerBound,
  leafUpperMemberIndex,
  type MemberStore,
  moveRun,
  type Node,
  type PairWriter,
  type RangeWriter,
  removeRun,
  StringStore,
  sum,
  upperMemberIndex,
  upperScoreIndex,
  writePairs,
} from "./zset_nodes.ts";

export type { PairWriter, RangeWriter } from "./zset_nodes.ts";

/** zset-max-listpack-entries and zset-max-listpack-value: when a set leaves the small encoding. */
export interface ZsetLimits {
  entries: number;
  value: number;
}

/** Redis 7.0's defaults. */
export const ZSET_DEFAULT_LIMITS: ZsetLimits = { entries: 128, value: 64 };

const LEAF_CAPACITY = 128;
const INNER_CAPACITY = 64;
/** Below these a node is merged with or refilled from a sibling. */
const LEAF_MIN = LEAF_CAPACITY / 4;
const INNER_MIN = INNER_CAPACITY / 4;
/** First capacity of a small set's leaf; it doubles up to LEAF_CAPACITY. */
const INITIAL_LEAF_CAPACITY = 4;

/**
 * ZQUERY's window by the book's rules: how many pairs go from rank
 * `seek + offset`, where `seek` is the rank the query's key would take;
 * 0 when that rank or the seek is past the end.
 */
export function queryPairs(seek: number, offset: number, size: number, pairs: number): number {
  const start = seek + offset;
  if (seek >= size || start < 0 || start >= size || pairs <= 0) return 0;
  return Math.min(size - start, pairs);
}

/**
 * A score as Redis 7.0 keeps it in a listpack: integral values are stored as
 * integers there, which turns -0 into 0 (a skip list keeps -0).
 */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

// Scratch state of the last descent. Every operation that descends is
// synchronous and uses it before returning, so one copy serves every set.
/** pathNodes[d]: the inner node at depth d; pathSlots[d]: the child taken there. */
const pathNodes: Inner[] = [];
const pathSlots: number[] = [];
/** Position of the element found in the leaf a descent returned. */
let foundPos = 0;

export class ZTree {
  #root: Node;
  /** Inner levels above the leaves; 0 while the root is a leaf. */
  #height = 0;
  #size = 0;
  /** Total length of the members, for memory accounting. */
  #chars = 0;
  #first: Leaf;
  /** member → score once the set has left the listpack encoding. */
  #index: MemberIndex | undefined;
  /** What the leaves' ids name: #index once there is one. */
  #store: MemberStore = new StringStore([]);

  constructor() {
    const leaf = new Leaf(INITIAL_LEAF_CAPACITY);
    this.#root = this.#first = leaf;
  }

  /**
   * A one-leaf tree over `members` and `scores` (sorted, `size` used): a
   * small set decoded for an operation.
   */
  static fromLeaf(members: string[], scores: number[], size: number): ZTree {
    const tree = new ZTree();
    if (size > LEAF_CAPACITY) {
      // Past the default limits (a raised zset-max-listpack-entries): a real tree.
      for (let i = 0; i < size; i++) {
        tree.#insert(tree.#store.add(members[i]!, scores[i]!), members[i]!, scores[i]!);
      }
      return tree;
    }
    const leaf = tree.#first;
    tree.#store = new StringStore(members);
    leaf.ids = members.map((_, i) => i);
    leaf.scores = scores;
    leaf.size = size;
    tree.#size = size;
    for (let i = 0; i < size; i++) tree.#chars += members[i]!.length;
    return tree;
  }

  /** Whether the set has left the listpack encoding (it then keeps a member index). */
  get indexed(): boolean {
    return this.#index !== undefined;
  }

  size(): number {
    return this.#size;
  }

  /**
   * Bytes on the V8 heap, estimated in O(1) (see memory.ts): per element its
   * two leaf slots with the slack of half-full leaves (x1.5), and its member:
   * a string while small, else its record in the index's bytes and its entry
   * there; per ~96 elements a leaf.
   */
  memoryUsage(): number {
    const n = this.#size;
    const member = this.#index === undefined ? stringBytes(0) + 4 : INDEX_ENTRY_BYTES;
    const perElement = 24 + member;
    const leaves = Math.ceil(n / 96);
    const perLeaf = objectBytes(5) + 2 * arrayBytes(0);
    return objectBytes(5) + n * perElement + this.#chars + leaves * perLeaf;
  }

  clone(): ZTree {
    const copy = new ZTree();
    let previous: Leaf | undefined;
    const cloneNode = (node: Node, height: number): Node => {
      if (height === 0) {
        const leaf = node as Leaf;
        const fresh = new Leaf(0);
        fresh.ids = leaf.ids.slice();
        fresh.scores = leaf.scores.slice();
        fresh.size = leaf.size;
        fresh.prev = previous;
        if (previous === undefined) copy.#first = fresh;
        else previous.next = fresh;
        previous = fresh;
        return fresh;
      }
      const inner = node as Inner;
      const fresh = new Inner();
      fresh.children = inner.children.map((child) => cloneNode(child, height - 1));
      fresh.counts = inner.counts.slice();
      fresh.sepScores = inner.sepScores.slice();
      fresh.sepMembers = inner.sepMembers.slice();
      return fresh;
    };
    copy.#root = cloneNode(this.#root, this.#height);
    copy.#height = this.#height;
    copy.#size = this.#size;
    copy.#chars = this.#chars;
    if (this.#index !== undefined) copy.#store = copy.#index = this.#index.clone();
    else copy.#store = new StringStore((this.#store as StringStore).strings.slice());
    return copy;
  }

  /** The score of `member`, or undefined when absent. */
  score(member: string): number | undefined {
    if (this.#index !== undefined) return this.#index.get(member);
    const strings = (this.#store as StringStore).strings;
    for (let leaf: Leaf | undefined = this.#first; leaf !== undefined; leaf = leaf.next) {
      for (let i = 0; i < leaf.size; i++) {
        if (strings[leaf.ids[i]!] === member) return leaf.scores[i];
      }
    }
    return undefined;
  }

  /**
   * Sets `member`'s score, adding it if absent. Returns true when the member
   * is new. Equal scores (0 and -0 included) leave an existing member as is.
   */
  add(member: string, score: number, limits = ZSET_DEFAULT_LIMITS): boolean {
    const old = this.score(member);
    if (old === undefined) {
      this.addNew(member, score, limits);
      return true;
    }
    if (old !== score) this.changeScore(member, old, score);
    return false;
  }

  /**
   * Adds a member the caller knows is absent (saves add()'s lookup). A small
   * set that would pass `limits` (the server's zset-max-listpack-*) takes the
   * big encoding for good, as Redis's zsetAdd converts it.
   */
  addNew(member: string, score: number, limits = ZSET_DEFAULT_LIMITS): void {
    if (
      this.#index === undefined &&
      (this.#size + 1 > limits.entries || member.length > limits.value)
    ) {
      this.#convertToIndexed();
    }
    if (this.#index === undefined) score = listpackScore(score);
    this.#insert(this.#store.add(member, score), member, score);
  }

  /**
   * Redis's zsetTypeCreate for a set about to receive `count` members, the
   * longest `maxLength` bytes: the big encoding at once when they pass `limits`.
   */
  reserveFor(count: number, maxLength: number, limits: ZsetLimits): void {
    if (this.#index === undefined && (count > limits.entries || maxLength > limits.value)) {
      this.#convertToIndexed();
    }
    this.#index?.reserve(count);
  }

  /** Moves a member the caller knows has score `old` to `score`. */
  changeScore(member: string, old: number, score: number): void {
    if (this.#index === undefined) score = listpackScore(score);
    const leaf = this.#descendKey(old, member);
    const pos = foundPos;
    const id = leaf.ids[pos]!;
    const store = this.#store;
    // In place when the new key still sorts between its leaf neighbours (and
    // cannot cross the separator on the side without a neighbour).
    let lowOk = score > old;
    if (pos > 0) {
      const below = leaf.scores[pos - 1]!;
      lowOk = below < score || (below === score && store.compare(leaf.ids[pos - 1]!, member) < 0);
    }
    let highOk = score < old;
    if (pos < leaf.size - 1) {
      const above = leaf.scores[pos + 1]!;
      highOk = score < above || (score === above && store.compare(leaf.ids[pos + 1]!, member) > 0);
    }
    if (lowOk && highOk) {
      leaf.scores[pos] = score;
    } else {
      // The member keeps its id (and its entry in the index): only its place moves.
      this.#removeFrom(leaf, pos, 1, false);
      this.#insert(id, member, score);
    }
    this.#index?.setScore(id, score);
  }

  /** Removes `member`; returns whether it was there. */
  remove(member: string): boolean {
    const score = this.score(member);
    if (score === undefined) return false;
    const leaf = this.#descendKey(score, member);
    this.#removeFrom(leaf, foundPos, 1);
    return true;
  }

  /** 0-based rank of `member` in ascending order, or undefined when absent. */
  rank(member: string): number | undefined {
    const score = this.score(member);
    return score === undefined ? undefined : this.countBelow(score, member);
  }

  /** The member and score at `rank` (0 ≤ rank < size). */
  at(rank: number): [member: string, score: number] {
    const leaf = this.#descendRank(rank);
    return [this.#store.string(leaf.ids[foundPos]!), leaf.scores[foundPos]!];
  }

  /**
   * Number of elements whose score is below `score`, or at or below it when
   * `inclusive`: the rank where a score range starts or ends.
   */
  countByScore(score: number, inclusive: boolean): number {
    let rank = 0;
    let total = this.#size;
    let node = this.#root;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const slot = upperScoreIndex(inner.sepScores, inner.sepScores.length, score, inclusive);
      if (slot > 0) rank += countBefore(inner, slot, total);
      total = inner.counts[slot]!;
      node = inner.children[slot]!;
    }
    const leaf = node as Leaf;
    return rank + upperScoreIndex(leaf.scores, leaf.size, score, inclusive);
  }

  /**
   * Number of elements whose member sorts below `member` (or at or below it
   * when `inclusive`), assuming, as ZRANGEBYLEX does, that all scores are equal.
   */
  countByMember(member: string, inclusive: boolean): number {
    let rank = 0;
    let total = this.#size;
    let node = this.#root;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const slot = upperMemberIndex(inner.sepMembers, inner.sepMembers.length, member, inclusive);
      if (slot > 0) rank += countBefore(inner, slot, total);
      total = inner.counts[slot]!;
      node = inner.children[slot]!;
    }
    const leaf = node as Leaf;
    return rank + leafUpperMemberIndex(leaf, member, inclusive, this.#store);
  }

  /** Number of elements whose key is below (score, member): a rank, or where ZQUERY starts. */
  countBelow(score: number, member: string): number {
    // "" sorts before every member: the key's place is its score's alone, found
    // comparing numbers only (ZQUERY's usual seek, key score "").
    if (member === "") return this.countByScore(score, false);
    let rank = 0;
    let total = this.#size;
    let node = this.#root;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      const slot = childForKey(inner, score, member);
      if (slot > 0) rank += countBefore(inner, slot, total);
      total = inner.counts[slot]!;
      node = inner.children[slot]!;
    }
    return rank + leafLowerBound(node as Leaf, score, member, this.#store);
  }

  /**
   * Calls `visit` for ranks `from` to `to` inclusive, in that direction
   * (descending when from > to). Both must be valid ranks.
   */
  visitRange(from: number, to: number, visit: (member: string, score: number) => void): void {
    const store = this.#store;
    this.#walk(from, to, (id, score) => visit(store.string(id), score));
  }

  /**
   * visitRange's members into `out` from the store as they are held (a big
   * set's bytes: no string made), each in a pair array when `nested`, with
   * its score when `withScores`.
   */
  writeRanks(from: number, to: number, out: RangeWriter, withScores: boolean, nested: boolean) {
    const store = this.#store;
    this.#walk(from, to, (id, score) => {
      if (nested) out.array(2);
      store.writeMember(id, out);
      if (withScores) out.double(score);
    });
  }

  /**
   * ZQUERY's reply: an array of at most `pairs` member and score pairs from
   * `offset` ranks past where key (score, member) would go; empty when that
   * place or the offset's rank is past the end (the book's rules). One
   * descent finds both the place's rank and its leaf.
   */
  writeFrom(score: number, member: string, offset: number, pairs: number, out: PairWriter): void {
    let rank = 0;
    let total = this.#size;
    let node = this.#root;
    for (let h = this.#height; h > 0; h--) {
      const inner = node as Inner;
      // "" sorts before every member: the place of (score, "") is its score's.
      const slot = member === ""
        ? upperScoreIndex(inner.sepScores, inner.sepScores.length, score, false)
        : childForKey(inner, score, member);
      if (slot > 0) rank += countBefore(inner, slot, total);
      total = inner.counts[slot]!;
      node = inner.children[slot]!;
    }
    const leaf = node as Leaf;
    const pos = member === ""
      ? upperScoreIndex(leaf.scores, leaf.size, score, false)
      : leafLowerBound(leaf, score, member, this.#store);
    const seek = rank + pos;
    const n = queryPairs(seek, offset, this.#size, pairs);
    out.array(n * 2);
    if (n === 0) return;
    // pos may be the leaf's end (the place is the next leaf's first): writePairs moves on.
    const store = this.#store;
    if (offset >= 0 && pos + offset <= leaf.size) {
      return writePairs(leaf, pos + offset, n, out, store);
    }
    writePairs(this.#descendRank(seek + offset), foundPos, n, out, store);
  }

  /** Removes ranks `from` to `to` inclusive (from ≤ to), in O(log n) per leaf touched. */
  removeRange(from: number, to: number): void {
    let left = to - from + 1;
    while (left > 0) {
      const leaf = this.#descendRank(from);
      const n = Math.min(left, leaf.size - foundPos);
      this.#removeFrom(leaf, foundPos, n);
      left -= n;
    }
  }

  /** Every [member, score] in rank order. */
  *entries(): IterableIterator<[member: string, score: number]> {
    for (let leaf: Leaf | undefined = this.#first; leaf !== undefined; leaf = leaf.next) {
      for (let i = 0; i < leaf.size; i++) {
        yield [this.#store.string(leaf.ids[i]!), leaf.scores[i]!];
      }
    }
  }

  /**
   * A live iterator for ZSCAN over a skiplist-encoded set (the member
   * index's, which survives concurrent writes); undefined for a listpack-encoded set,
   * which Redis scans in one call.
   */
  scanIterator(): Iterator<[member: string, score: number]> | undefined {
    return this.#index?.entries();
  }

  // ---- internals --------------------------------------------------------

  /** The members move into an index's bytes; each leaf slot takes its member's id there. */
  #convertToIndexed(): void {
    const index = new MemberIndex();
    index.reserve(this.#size);
    const store = this.#store;
    for (let leaf: Leaf | undefined = this.#first; leaf !== undefined; leaf = leaf.next) {
      const ids = leaf.ids;
      for (let i = 0; i < leaf.size; i++) {
        ids[i] = index.add(store.string(ids[i]!), leaf.scores[i]!);
      }
    }
    this.#store = this.#index = index;
  }

  /** After the index compacted its ids: each leaf slot takes its member's new id. */
  #renumber(remap: Int32Array): void {
    for (let leaf: Leaf | undefined = this.#first; leaf !== undefined; leaf = leaf.next) {
      const ids = leaf.ids;
      for (let i = 0; i < leaf.size; i++) ids[i] = remap[ids[i]!]!;
    }
  }

  /** Calls `step` with each member id and score of ranks `from` to `to`, as visitRange. */
  #walk(from: number, to: number, step: (id: number, score: number) => void): void {
    let leaf: Leaf | undefined = this.#descendRank(from);
    let pos = foundPos;
    if (from <= to) {
      for (let left = to - from + 1; left > 0;) {
        const end = Math.min(leaf!.size, pos + left);
        const m = leaf!.ids;
        const s = leaf!.scores;
        for (let i = pos; i < end; i++) step(m[i]!, s[i]!);
        left -= end - pos;
        leaf = leaf!.next;
        pos = 0;
      }
    } else {
      for (let left = from - to + 1; left > 0;) {
        const stop = Math.max(-1, pos - left);
        const m = leaf!.ids;
        const s = leaf!.scores;
        for (let i = pos; i > stop; i--) step(m[i]!, s[i]!);
        left -= pos - stop;
        leaf = leaf!.prev;
        if (leaf !== undefined) pos = leaf.size - 1;
      }
    }
  }

  /** Descends to the leaf holding key (score, member); foundPos is its position. */
  #descendKey(score: number, member: string): Leaf {
    let node = this.#root;
    for (let d = 0; d < this.#height; d++) {
      const inner = node as Inner;
      const slot = childForKey(inner, score, member);
      pathNodes[d] = inner;
      pathSlots[d] = slot;
      node = inner.children[slot]!;
    }
    const leaf = node as Leaf;
    foundPos = leafLowerBound(leaf, score, member, this.#store);
    return leaf;
  }

  /** Descends to the leaf holding `rank`; foundPos is its position there. */
  #descendRank(rank: number): Leaf {
    let node = this.#root;
    for (let d = 0; d < this.#height; d++) {
      const inner = node as Inner;
      const counts = inner.counts;
      let slot = 0;
      while (rank >= counts[slot]!) rank -= counts[slot++]!;
      pathNodes[d] = inner;
      pathSlots[d] = slot;
      node = inner.children[slot]!;
    }
    foundPos = rank;
    return node as Leaf;
  }

  /** Inserts key (score, member), known to be absent, as the member's `id`. */
  #insert(id: number, member: string, score: number): void {
    let node = this.#root;
    for (let d = 0; d < this.#height; d++) {
      const inner = node as Inner;
      const slot = childForKey(inner, score, member);
      pathNodes[d] = inner;
      pathSlots[d] = slot;
      inner.counts[slot]!++;
      node = inner.children[slot]!;
    }
    this.#size++;
    this.#chars += member.length;
    const leaf = node as Leaf;
    const pos = leafLowerBound(leaf, score, member, this.#store);
    if (leaf.size === leaf.ids.length) {
      if (leaf.size >= LEAF_CAPACITY) return this.#splitLeaf(leaf, pos, id, score);
      growLeaf(leaf, Math.min(LEAF_CAPACITY, leaf.size * 2));
    }
    insertAt(leaf, pos, id, score);
  }

  /** Inserts into a full leaf by splitting it; the path to it is in pathNodes. */
  #splitLeaf(leaf: Leaf, pos: number, id: number, score: number): void {
    const right = new Leaf(LEAF_CAPACITY);
    if (pos === leaf.size && leaf.next === undefined) {
      // Appending past the largest key (ascending loads): keep the full leaf full.
      insertAt(right, 0, id, score);
    } else if (pos === 0 && leaf.prev === undefined) {
      // Prepending (descending loads): the old elements move right wholesale.
      [right.ids, leaf.ids] = [leaf.ids, right.ids];
      [right.scores, leaf.scores] = [leaf.scores, right.scores];
      right.size = leaf.size;
      leaf.size = 0;
      insertAt(leaf, 0, id, score);
    } else {
      const mid = LEAF_CAPACITY >> 1;
      moveRun(leaf, mid, right, 0, leaf.size - mid);
      if (pos <= mid) insertAt(leaf, pos, id, score);
      else insertAt(right, pos - mid, id, score);
    }
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== undefined) leaf.next.prev = right;
    leaf.next = right;
    this.#addChild(
      this.#height - 1,
      leaf,
      leaf.size,
      right,
      right.size,
      right.scores[0]!,
      this.#store.string(right.ids[0]!),
    );
  }

  /**
   * After `left` (at depth d + 1) split off `right`, records the new child in
   * its parent pathNodes[d] (or a new root), splitting upwards as needed.
   */
  #addChild(
    d: number,
    left: Node,
    leftCount: number,
    right: Node,
    rightCount: number,
    sepScore: number,
    sepMember: string,
  ): void {
    if (d < 0) {
      const root = new Inner();
      root.children.push(left, right);
      root.counts.push(leftCount, rightCount);
      root.sepScores.push(sepScore);
      root.sepMembers.push(sepMember);
      this.#root = root;
      this.#height++;
      return;
    }
    const parent = pathNodes[d]!;
    const slot = pathSlots[d]!;
    parent.counts[slot]! = leftCount;
    parent.children.splice(slot + 1, 0, right);
    parent.counts.splice(slot + 1, 0, rightCount);
    parent.sepScores.splice(slot, 0, sepScore);
    parent.sepMembers.splice(slot, 0, sepMember);
    if (parent.children.length <= INNER_CAPACITY) return;

    const mid = parent.children.length >> 1;
    const sibling = new Inner();
    sibling.children = parent.children.splice(mid);
    sibling.counts = parent.counts.splice(mid);
    sibling.sepScores = parent.sepScores.splice(mid);
    sibling.sepMembers = parent.sepMembers.splice(mid);
    const upScore = parent.sepScores.pop()!;
    const upMember = parent.sepMembers.pop()!;
    this.#addChild(
      d - 1,
      parent,
      sum(parent.counts),
      sibling,
      sum(sibling.counts),
      upScore,
      upMember,
    );
  }

  /**
   * Removes `n` elements at `pos` of `leaf`, the leaf the last descent
   * reached, and rebalances.
   */
  #removeFrom(leaf: Leaf, pos: number, n: number, unindex = true): void {
    const index = unindex ? this.#index : undefined;
    for (let i = pos; i < pos + n; i++) {
      const id = leaf.ids[i]!;
      this.#chars -= this.#store.length(id);
      index?.deleteId(id);
    }
    removeRun(leaf, pos, n);
    this.#size -= n;
    for (let d = 0; d < this.#height; d++) pathNodes[d]!.counts[pathSlots[d]!]! -= n;
    if (this.#height > 0 && leaf.size < LEAF_MIN) this.#rebalanceLeaf();
    if (index?.sparse) this.#renumber(index.compact());
  }

  /** Merges the underfull leaf at the end of the path with a sibling, or refills it. */
  #rebalanceLeaf(): void {
    const d = this.#height - 1;
    const parent = pathNodes[d]!;
    const leftSlot = Math.max(0, pathSlots[d]! - 1);
    const left = parent.children[leftSlot]! as Leaf;
    const right = parent.children[leftSlot + 1]! as Leaf;
    const total = left.size + right.size;
    growLeaf(left, LEAF_CAPACITY);
    if (total <= LEAF_CAPACITY) {
      moveRun(right, 0, left, left.size, right.size);
      left.next = right.next;
      if (right.next !== undefined) right.next.prev = left;
      parent.counts[leftSlot]! = total;
      parent.children.splice(leftSlot + 1, 1);
      parent.counts.splice(leftSlot + 1, 1);
      parent.sepScores.splice(leftSlot, 1);
      parent.sepMembers.splice(leftSlot, 1);
      this.#rebalanceInner(d);
      return;
    }
    growLeaf(right, LEAF_CAPACITY);
    const target = total >> 1;
    if (left.size > target) moveRun(left, target, right, 0, left.size - target);
    else moveRun(right, 0, left, left.size, target - left.size);
    parent.counts[leftSlot]! = left.size;
    parent.counts[leftSlot + 1]! = right.size;
    parent.sepScores[leftSlot]! = right.scores[0]!;
    parent.sepMembers[leftSlot]! = this.#store.string(right.ids[0]!);
  }

  /** Rebalances pathNodes[d] after it lost a child. */
  #rebalanceInner(d: number): void {
    const node = pathNodes[d]!;
    if (d === 0) {
      if (node.children.length === 1) {
        this.#root = node.children[0]!;
        this.#height--;
      }
      return;
    }
    if (node.children.length >= INNER_MIN) return;
    const parent = pathNodes[d - 1]!;
    const leftSlot = Math.max(0, pathSlots[d - 1]! - 1);
    const left = parent.children[leftSlot]! as Inner;
    const right = parent.children[leftSlot + 1]! as Inner;
    const children = left.children.concat(right.children);
    const counts = left.counts.concat(right.counts);
    const sepScores = left.sepScores.concat(parent.sepScores[leftSlot]!, right.sepScores);
    const sepMembers = left.sepMembers.concat(parent.sepMembers[leftSlot]!, right.sepMembers);
    if (children.length <= INNER_CAPACITY) {
      left.children = children;
      left.counts = counts;
      left.sepScores = sepScores;
      left.sepMembers = sepMembers;
      parent.counts[leftSlot]! += parent.counts[leftSlot + 1]!;
      parent.children.splice(leftSlot + 1, 1);
      parent.counts.splice(leftSlot + 1, 1);
      parent.sepScores.splice(leftSlot, 1);
      parent.sepMembers.splice(leftSlot, 1);
      this.#rebalanceInner(d - 1);
      return;
    }
    const mid = children.length >> 1;
    left.children = children.slice(0, mid);
    left.counts = counts.slice(0, mid);
    left.sepScores = sepScores.slice(0, mid - 1);
    left.sepMembers = sepMembers.slice(0, mid - 1);
    right.children = children.slice(mid);
    right.counts = counts.slice(mid);
    right.sepScores = sepScores.slice(mid);
    right.sepMembers = sepMembers.slice(mid);
    parent.sepScores[leftSlot]! = sepScores[mid - 1]!;
    parent.sepMembers[leftSlot]! = sepMembers[mid - 1]!;
    parent.counts[leftSlot]! = sum(left.counts);
    parent.counts[leftSlot + 1]! = sum(right.counts);
  }
}
