/**
 * The sorted set: members ordered by (score, member bytes).
 *
 * A small set (Redis's listpack encoding: at most 128 members, none longer
 * than 64 bytes) is one packed string of `len member len score back` records
 * in order (zset_packed.ts), the score as its shortest decimal text or, when
 * shorter, as bytes (a listpack keeps integers as integers): a 10-byte member
 * with a small integer score costs 15 bytes (Redis 14; `back` lets a walk
 * start from the end), where
 * a B+tree leaf's two array slots and a member string cost ~70 (with a leaf
 * object and a SortedSet object each, a 3-member set took ~450 bytes against
 * Redis's ~150). An operation decodes it into a one-leaf ZTree (O(n), as
 * Redis's listpack operations are) and a write packs it again; ZSCORE and
 * ZADD's existence check scan the string without decoding. Past the limits
 * the set becomes a ZTree for good (see zset_tree.ts).
 */
import { objectBytes, stringBytes } from "./memory.ts";
import { flat, PackedKind } from "./packed_record.ts";
import type { RedisObject } from "./value.ts";
import {
  countBelowKey,
  countMembers,
  countRecords,
  countScores,
  entryAt,
  findRank,
  findScore,
  findScoreOfBytes,
  foundEnd,
  foundStart,
  isFound,
  type MemberBytes,
  memberOf,
  packRecord,
  readScores,
  seekRank,
  stoppedAt,
  visitBackward,
  visitForward,
  writeForward,
} from "./zset_packed.ts";
import {
  type PairWriter,
  queryPairs,
  type RangeWriter,
  ZSET_DEFAULT_LIMITS,
  type ZsetLimits,
  ZTree,
} from "./zset_tree.ts";

export { queryPairs, ZSET_DEFAULT_LIMITS, type ZsetLimits } from "./zset_tree.ts";

/** SortedSet's #count once a tree. */
const TREE = -1;
/** Smallest leaf a decoded small set gets, so a first insert does not regrow it. */
const DECODED_CAPACITY = 4;

/** The packed form of a one-leaf tree's elements (one join: no rope, one string). */
function pack(tree: ZTree): string {
  const records: string[] = [];
  for (const [member, score] of tree.entries()) records.push(packRecord(member, score));
  return records.join("");
}

/** The `count` elements of a packed set as a one-leaf tree. */
function unpack(packed: string, count: number): ZTree {
  const capacity = Math.max(DECODED_CAPACITY, count);
  const members = new Array<string>(capacity).fill("");
  const scores = new Array<number>(capacity).fill(0);
  let i = 0;
  visitForward(packed, 0, count, (member, score) => {
    members[i] = member;
    scores[i++] = score;
  });
  return ZTree.fromLeaf(members, scores, count);
}

export class SortedSet implements RedisObject {
  // Two fields (8 bytes each) for the many small sets.
  /** The small encoding's packed elements, then the tree. */
  #data: string | ZTree = "";
  /** Elements while small; TREE after (told apart without reaching into #data: see RedisList). */
  #count = 0;

  // Methods, not getters: V8 does not inline a private getter (~4 ns a read).
  #tree(): ZTree | undefined {
    return this.#count === TREE ? this.#data as ZTree : undefined;
  }

  #packed(): string {
    return this.#data as string;
  }

  get type(): "zset" {
    return "zset";
  }

  encoding(): string {
    return this.#tree() === undefined ? "listpack" : "skiplist";
  }

  size(): number {
    return this.#tree()?.size() ?? this.#count;
  }

  /** Bytes on the V8 heap, estimated in O(1) (see memory.ts): what used_memory counts. */
  memoryUsage(): number {
    const tree = this.#tree();
    return objectBytes(2) +
      (tree === undefined ? stringBytes(this.#packed().length) : tree.memoryUsage());
  }

  /** See packed_value.ts: packable while small. */
  packedKind(): PackedKind {
    return this.#count !== TREE ? PackedKind.SortedSet : PackedKind.NotPackable;
  }

  /** The packed string, while packedKind() is not NotPackable. */
  packedData(): string {
    return this.#packed();
  }

  /** A sorted set from its packedData() and, if known, its size(), made in `into` (a view). */
  static fromPacked(data: string, count = countRecords(data), into = new SortedSet()): SortedSet {
    into.#data = data;
    into.#count = count;
    return into;
  }

  /**
   * A small set of `entries`, already in (score, member) order and distinct
   * (a set operation's result): packed in one join, no insert walks.
   */
  static fromSorted(entries: readonly [member: string, score: number][]): SortedSet {
    const records = new Array<string>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [member, score] = entries[i]!;
      records[i] = packRecord(member, score);
    }
    return SortedSet.fromPacked(records.join(""), entries.length);
  }

  /** Whether the set is in its small packed form, where each score() is a walk. */
  isPacked(): boolean {
    return this.#count !== TREE;
  }

  clone(): SortedSet {
    const copy = new SortedSet();
    copy.#data = this.#tree()?.clone() ?? this.#packed();
    copy.#count = this.#count;
    return copy;
  }

  /** The score of `member`, or undefined when absent. */
  score(member: string): number | undefined {
    const tree = this.#tree();
    if (tree !== undefined) return tree.score(member);
    return findScore(this.#packed(), member);
  }

  /** score() of a member given as a request's bytes: its string made only where it must be. */
  scoreOfBytes(member: MemberBytes): number | undefined {
    const tree = this.#tree();
    if (tree !== undefined) return tree.score(member.string());
    return findScoreOfBytes(this.#packed(), member);
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
   * set that would pass `limits` (the server's zset-max-listpack-*) becomes a
   * tree for good, as Redis's zsetAdd converts it.
   */
  addNew(member: string, score: number, limits = ZSET_DEFAULT_LIMITS): void {
    const tree = this.#tree();
    if (tree !== undefined) return tree.addNew(member, score, limits);
    if (this.#count < limits.entries && member.length <= limits.value) {
      return this.#packedInsert(member, score);
    }
    const decoded = this.#open();
    decoded.addNew(member, score, limits);
    this.#commit(decoded);
  }

  /** Straight into the packed form; a listpack stores -0 as the integer 0. */
  #packedInsert(member: string, score: number): void {
    if (score === 0) score = 0;
    const packed = this.#packed();
    countBelowKey(packed, 0, 0, score, member, true);
    const at = stoppedAt;
    this.#data = flat(packed.slice(0, at) + packRecord(member, score) + packed.slice(at));
    this.#count++;
  }

  /**
   * Redis's zsetTypeCreate for a set about to receive `count` members, the
   * longest `maxLength` bytes: a tree at once when they pass `limits`.
   */
  reserveFor(count: number, maxLength: number, limits: ZsetLimits): void {
    if (this.#tree() !== undefined) return;
    if (count <= limits.entries && maxLength <= limits.value) return;
    const decoded = this.#open();
    decoded.reserveFor(count, maxLength, limits);
    this.#commit(decoded);
  }

  /** Moves a member the caller knows has score `old` to `score` (no change of encoding). */
  changeScore(member: string, old: number, score: number): void {
    const tree = this.#tree();
    if (tree !== undefined) return tree.changeScore(member, old, score);
    if (score === 0) score = 0;
    if (score === old) return;
    const packed = this.#packed();
    // ZADD and ZINCRBY have just found the record: no second walk to it.
    if (!isFound(packed, member)) findScore(packed, member);
    const start = foundStart;
    const end = foundEnd;
    const moved = packRecord(member, score);
    // The records on the side the score moved away from stay in place.
    if (score > old) {
      countBelowKey(packed, end, 0, score, member, true);
      const at = stoppedAt;
      this.#data = flat(
        packed.slice(0, start) + packed.slice(end, at) + moved + packed.slice(at),
      );
    } else {
      countBelowKey(packed, 0, 0, score, member, true);
      const at = stoppedAt;
      this.#data = flat(
        packed.slice(0, at) + moved + packed.slice(at, start) + packed.slice(end),
      );
    }
  }

  /** Removes `member`; returns whether it was there. */
  remove(member: string): boolean {
    const tree = this.#tree();
    if (tree !== undefined) return tree.remove(member);
    const packed = this.#packed();
    if (findScore(packed, member) === undefined) return false;
    this.#data = flat(packed.slice(0, foundStart) + packed.slice(foundEnd));
    this.#count--;
    return true;
  }

  // The reads below walk a small set's packed string in place, as Redis walks
  // a listpack: decoding it into a tree first cost 5-10x Redis's CPU.

  /** 0-based rank of `member` in ascending order, or undefined when absent. */
  rank(member: string): number | undefined {
    const tree = this.#tree();
    if (tree !== undefined) return tree.rank(member);
    const rank = findRank(this.#packed(), member);
    return rank < 0 ? undefined : rank;
  }

  /** The member and score at `rank` (0 ≤ rank < size). */
  at(rank: number): [member: string, score: number] {
    const tree = this.#tree();
    if (tree !== undefined) return tree.at(rank);
    return entryAt(this.#packed(), seekRank(this.#packed(), this.#count, rank));
  }

  /**
   * Number of elements whose score is below `score`, or at or below it when
   * `inclusive`: the rank where a score range starts or ends.
   */
  countByScore(score: number, inclusive: boolean): number {
    const tree = this.#tree();
    if (tree !== undefined) return tree.countByScore(score, inclusive);
    return countScores(this.#packed(), 0, 0, score, inclusive);
  }

  /**
   * countByScore(min, minInclusive) and countByScore(max, maxInclusive): a
   * small set's second count goes on from where the first stopped.
   */
  countByScores(
    min: number,
    minInclusive: boolean,
    max: number,
    maxInclusive: boolean,
  ): [number, number] {
    const tree = this.#tree();
    if (tree !== undefined) {
      return [tree.countByScore(min, minInclusive), tree.countByScore(max, maxInclusive)];
    }
    const packed = this.#packed();
    const low = countScores(packed, 0, 0, min, minInclusive);
    // The records below min are at or below max only when max > min.
    const high = max > min
      ? countScores(packed, stoppedAt, low, max, maxInclusive)
      : countScores(packed, 0, 0, max, maxInclusive);
    return [low, high];
  }

  /**
   * Number of elements whose member sorts below `member` (or at or below it
   * when `inclusive`), assuming, as ZRANGEBYLEX does, that all scores are equal.
   */
  countByMember(member: string, inclusive: boolean): number {
    const tree = this.#tree();
    if (tree !== undefined) return tree.countByMember(member, inclusive);
    return countMembers(this.#packed(), member, inclusive);
  }

  /** Number of elements whose key is below (score, member): a rank, or where ZQUERY starts. */
  countBelow(score: number, member: string): number {
    const tree = this.#tree();
    if (tree !== undefined) return tree.countBelow(score, member);
    return countBelowKey(this.#packed(), 0, 0, score, member, false);
  }

  /**
   * Calls `visit` for ranks `from` to `to` inclusive, in that direction
   * (descending when from > to). Both must be valid ranks. Without `scores`
   * a small set passes 0 for each score, read from no record.
   */
  visitRange(
    from: number,
    to: number,
    visit: (member: string, score: number) => void,
    scores = true,
  ): void {
    const tree = this.#tree();
    if (tree !== undefined) return tree.visitRange(from, to, visit);
    const packed = this.#packed();
    const n = Math.abs(to - from) + 1;
    if (from <= to) visitForward(packed, seekRank(packed, this.#count, from), n, visit, scores);
    else visitBackward(packed, seekRank(packed, this.#count, from + 1), n, visit, scores);
  }

  /**
   * The members of ranks `from` to `to` (either direction) into `out`, each
   * in a pair array when `nested`, with its score when `withScores`: a big
   * set's as the bytes it holds.
   */
  writeRanks(from: number, to: number, out: RangeWriter, withScores: boolean, nested: boolean) {
    const tree = this.#tree();
    if (tree !== undefined) return tree.writeRanks(from, to, out, withScores, nested);
    this.visitRange(from, to, (member, score) => {
      if (nested) out.array(2);
      out.bulk(member);
      if (withScores) out.double(score);
    }, withScores);
  }

  /**
   * ZQUERY's reply (see ZTree.writeFrom): the array of at most `pairs` pairs
   * from `offset` ranks past where key (score, member) would go.
   */
  writeFrom(score: number, member: string, offset: number, pairs: number, out: PairWriter): void {
    const tree = this.#tree();
    if (tree !== undefined) return tree.writeFrom(score, member, offset, pairs, out);
    const packed = this.#packed();
    const seek = countBelowKey(packed, 0, 0, score, member, false);
    const n = queryPairs(seek, offset, this.#count, pairs);
    out.array(n * 2);
    if (n === 0) return;
    // The walk stopped on the seek's record: no offset, no second walk.
    const at = offset === 0 ? stoppedAt : seekRank(packed, this.#count, seek + offset);
    writeForward(packed, at, n, out);
  }

  /**
   * A small set's scores in order into `scores`, and into `refs` a handle
   * per element for memberOf (both must hold size() of them): a GEO search
   * tests every score and replies few members. False for a big set.
   */
  scoresInto(scores: Float64Array, refs: Int32Array): boolean {
    if (this.#tree() !== undefined) return false;
    readScores(this.#packed(), scores, refs);
    return true;
  }

  /** The member of a handle scoresInto gave (the set unchanged since). */
  memberOf(ref: number): string {
    return memberOf(this.#packed(), ref);
  }

  /** Removes ranks `from` to `to` inclusive (from ≤ to). */
  removeRange(from: number, to: number): void {
    const tree = this.#open();
    tree.removeRange(from, to);
    this.#commit(tree);
  }

  /** Every [member, score] in rank order. */
  entries(): IterableIterator<[member: string, score: number]> {
    return this.#open().entries();
  }

  /**
   * A live iterator for ZSCAN over a skiplist-encoded set (the member map's,
   * which survives concurrent writes); undefined for a listpack-encoded set,
   * which Redis scans in one call.
   */
  scanIterator(): Iterator<[member: string, score: number]> | undefined {
    return this.#tree()?.scanIterator();
  }

  /** The tree: the real one, or the small form decoded (#commit stores a write back). */
  #open(): ZTree {
    return this.#tree() ?? unpack(this.#packed(), this.#count);
  }

  /** Stores a written tree: packed while it is small, as is once it has grown an index. */
  #commit(tree: ZTree): void {
    if (tree.indexed) {
      this.#data = tree;
      this.#count = TREE;
    } else if (this.#tree() === undefined) {
      this.#data = pack(tree);
      this.#count = tree.size();
    }
  }
}
