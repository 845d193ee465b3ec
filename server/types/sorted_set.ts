/**
 * The sorted set: members ordered by (score, member bytes).
 *
 * A small set (Redis's listpack encoding: at most 128 members, none longer
 * than 64 bytes) is one packed string of `len member len score` records in
 * order, the score as its shortest decimal text, as Redis keeps it in one
 * listpack: a 10-byte member with a small integer score costs 14 bytes, where
 * a B+tree leaf's two array slots and a member string cost ~70 (with a leaf
 * object and a SortedSet object each, a 3-member set took ~450 bytes against
 * Redis's ~150). An operation decodes it into a one-leaf ZTree (O(n), as
 * Redis's listpack operations are) and a write packs it again; ZSCORE and
 * ZADD's existence check scan the string without decoding. Past the limits
 * the set becomes a ZTree for good (see zset_tree.ts).
 */
import { objectBytes, stringBytes } from "./memory.ts";
import { lengthPrefix, PackedKind, PackedReader } from "./packed_record.ts";
import type { RedisObject } from "./value.ts";
import { ZSET_DEFAULT_LIMITS, type ZsetLimits, ZTree } from "./zset_tree.ts";

export { ZSET_DEFAULT_LIMITS, type ZsetLimits } from "./zset_tree.ts";

/** Smallest leaf a decoded small set gets, so a first insert does not regrow it. */
const DECODED_CAPACITY = 4;

const reader = new PackedReader();

/** The packed form of a one-leaf tree's elements (one join: no rope, one string). */
function pack(tree: ZTree): string {
  const parts: string[] = [];
  for (const [member, score] of tree.entries()) {
    const text = String(score);
    parts.push(lengthPrefix(member.length), member, lengthPrefix(text.length), text);
  }
  return parts.join("");
}

/** The `count` elements of a packed set as a one-leaf tree. */
function unpack(packed: string, count: number): ZTree {
  const capacity = Math.max(DECODED_CAPACITY, count);
  const members = new Array<string>(capacity).fill("");
  const scores = new Array<number>(capacity).fill(0);
  const r = reader;
  r.pos = 0;
  for (let i = 0; i < count; i++) {
    const memberLength = r.readLength(packed);
    members[i] = packed.substring(r.pos, r.pos + memberLength);
    r.pos += memberLength;
    const scoreLength = r.readLength(packed);
    scores[i] = Number(packed.substring(r.pos, r.pos + scoreLength));
    r.pos += scoreLength;
  }
  return ZTree.fromLeaf(members, scores, count);
}

/** Bounds of the record packedScore last found. */
let foundStart = 0;
let foundEnd = 0;

/**
 * Whether the packed member at `start` (of `member`'s length) is `member`.
 * Its last byte first: members often share a prefix ("user:1", "user:2"),
 * and one charCodeAt is cheaper than the startsWith call it spares.
 */
function sameMember(packed: string, start: number, member: string): boolean {
  const last = member.length - 1;
  if (last >= 0 && packed.charCodeAt(start + last) !== member.charCodeAt(last)) return false;
  return packed.startsWith(member, start);
}

/** The score of `member` in a packed set, found without decoding the others. */
function packedScore(packed: string, member: string): number | undefined {
  const r = reader;
  const length = member.length;
  r.pos = 0;
  while (r.pos < packed.length) {
    const at = r.pos;
    const memberLength = r.readLength(packed);
    const start = r.pos;
    r.pos += memberLength;
    const scoreLength = r.readLength(packed);
    if (memberLength === length && sameMember(packed, start, member)) {
      foundStart = at;
      foundEnd = r.pos + scoreLength;
      return Number(packed.substring(r.pos, r.pos + scoreLength));
    }
    r.pos += scoreLength;
  }
  return undefined;
}

/** Offset of the first record of a packed set that sorts after (score, member). */
function packedPosition(packed: string, score: number, member: string): number {
  packedCount(
    packed,
    Number.MAX_SAFE_INTEGER,
    (other, start, length) =>
      score < other || (score === other && member < packed.substring(start, start + length)),
  );
  return stoppedAt < 0 ? packed.length : stoppedAt;
}

/** Offset of the record packedCount stopped at; -1 when it did not stop. */
let stoppedAt = -1;

/**
 * Rank of the first record of a packed set that `stop` says ends the count
 * (records are in order, so the count is where it first says so), of the
 * first `count` records at most. `stop` sees the record's score and the
 * member's bounds; `stoppedAt` is left on the record.
 */
function packedCount(
  packed: string,
  count: number,
  stop: (score: number, memberStart: number, memberLength: number) => boolean,
): number {
  const r = reader;
  r.pos = 0;
  stoppedAt = -1;
  for (let i = 0; i < count && r.pos < packed.length; i++) {
    const at = r.pos;
    const memberLength = r.readLength(packed);
    const memberStart = r.pos;
    r.pos += memberLength;
    const scoreLength = r.readLength(packed);
    const score = scoreAt(packed, r.pos, scoreLength);
    r.pos += scoreLength;
    if (stop(score, memberStart, memberLength)) {
      stoppedAt = at;
      return i;
    }
  }
  return count;
}

/**
 * A packed score: integers (the common case, GEO's 52-bit cells included)
 * read in place, exact below 2^53; others through Number.
 */
function scoreAt(packed: string, start: number, length: number): number {
  if (length < 17) {
    let i = start;
    const negative = packed.charCodeAt(i) === 45; // -
    if (negative) i++;
    const end = start + length;
    let n = 0;
    for (; i < end; i++) {
      const digit = packed.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      n = n * 10 + digit;
    }
    if (i === end && end > start + (negative ? 1 : 0) && n <= Number.MAX_SAFE_INTEGER) {
      return negative ? -n : n;
    }
  }
  return Number(packed.substring(start, start + length));
}

/** Rank of `member` in a packed set, or -1 (no score is read). */
function packedRank(packed: string, count: number, member: string): number {
  const r = reader;
  const length = member.length;
  r.pos = 0;
  for (let i = 0; i < count; i++) {
    const memberLength = r.readLength(packed);
    if (memberLength === length && sameMember(packed, r.pos, member)) return i;
    r.pos += memberLength;
    const scoreLength = r.readLength(packed);
    r.pos += scoreLength;
  }
  return -1;
}

/** Offsets of the records of ranks `first`..`last` of a packed set (for walks by rank). */
function packedOffsets(packed: string, first: number, last: number): number[] {
  const offsets: number[] = [];
  const r = reader;
  r.pos = 0;
  for (let i = 0; i <= last; i++) {
    if (i >= first) offsets.push(r.pos);
    // Read each length before adding it: readLength moves the reader itself.
    const memberLength = r.readLength(packed);
    r.pos += memberLength;
    const scoreLength = r.readLength(packed);
    r.pos += scoreLength;
  }
  return offsets;
}

/** Calls `visit` with the member and score of the packed record at `offset`. */
function visitRecord(
  packed: string,
  offset: number,
  visit: (member: string, score: number) => void,
): void {
  const r = reader;
  r.pos = offset;
  const memberLength = r.readLength(packed);
  const member = packed.substring(r.pos, r.pos + memberLength);
  r.pos += memberLength;
  const scoreLength = r.readLength(packed);
  visit(member, scoreAt(packed, r.pos, scoreLength));
}

const joinParts: string[] = [];
/** One flat string of the parts (`+` would leave a rope). */
function joined(...parts: string[]): string {
  joinParts.length = 0;
  for (const part of parts) joinParts.push(part);
  return joinParts.join("");
}

export class SortedSet implements RedisObject {
  // Two fields (8 bytes each) for the many small sets.
  /** The small encoding's packed elements, then the tree. */
  #data: string | ZTree = "";
  /** Elements while small. */
  #count = 0;

  get #tree(): ZTree | undefined {
    const data = this.#data;
    return typeof data === "string" ? undefined : data;
  }

  get #packed(): string {
    return this.#data as string;
  }

  get type(): "zset" {
    return "zset";
  }

  encoding(): string {
    return this.#tree === undefined ? "listpack" : "skiplist";
  }

  size(): number {
    return this.#tree === undefined ? this.#count : this.#tree.size();
  }

  /** Bytes on the V8 heap, estimated in O(1) (see memory.ts): what used_memory counts. */
  memoryUsage(): number {
    const data = this.#data;
    return objectBytes(2) +
      (typeof data === "string" ? stringBytes(data.length) : data.memoryUsage());
  }

  /** See packed_value.ts: packable while small. */
  packedKind(): PackedKind {
    return typeof this.#data === "string" ? PackedKind.SortedSet : PackedKind.NotPackable;
  }

  /** The packed string, while packedKind() is not NotPackable. */
  packedData(): string {
    return this.#packed;
  }

  /** A sorted set from its packedData(). */
  static fromPacked(data: string): SortedSet {
    const value = new SortedSet();
    const r = reader;
    r.pos = 0;
    let count = 0;
    while (r.pos < data.length) {
      r.skipPart(data);
      r.skipPart(data);
      count++;
    }
    value.#data = data;
    value.#count = count;
    return value;
  }

  clone(): SortedSet {
    const copy = new SortedSet();
    const data = this.#data;
    copy.#data = typeof data === "string" ? data : data.clone();
    copy.#count = this.#count;
    return copy;
  }

  /** The score of `member`, or undefined when absent. */
  score(member: string): number | undefined {
    if (this.#tree !== undefined) return this.#tree.score(member);
    return packedScore(this.#packed, member);
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
    const tree = this.#tree;
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
    const packed = this.#packed;
    const at = packedPosition(packed, score, member);
    const text = String(score);
    this.#data = joined(
      packed.slice(0, at),
      lengthPrefix(member.length),
      member,
      lengthPrefix(text.length),
      text,
      packed.slice(at),
    );
    this.#count++;
  }

  /**
   * Redis's zsetTypeCreate for a set about to receive `count` members, the
   * longest `maxLength` bytes: a tree at once when they pass `limits`.
   */
  reserveFor(count: number, maxLength: number, limits: ZsetLimits): void {
    if (this.#tree !== undefined) return;
    if (count <= limits.entries && maxLength <= limits.value) return;
    const decoded = this.#open();
    decoded.reserveFor(count, maxLength, limits);
    this.#commit(decoded);
  }

  /** Moves a member the caller knows has score `old` to `score` (no change of encoding). */
  changeScore(member: string, old: number, score: number): void {
    const tree = this.#tree;
    if (tree !== undefined) return tree.changeScore(member, old, score);
    this.remove(member);
    this.#packedInsert(member, score);
  }

  /** Removes `member`; returns whether it was there. */
  remove(member: string): boolean {
    if (this.#tree !== undefined) return this.#tree.remove(member);
    const packed = this.#packed;
    if (packedScore(packed, member) === undefined) return false;
    this.#data = joined(packed.slice(0, foundStart), packed.slice(foundEnd));
    this.#count--;
    return true;
  }

  // The reads below walk a small set's packed string in place, as Redis walks
  // a listpack: decoding it into a tree first cost 5-10x Redis's CPU.

  /** 0-based rank of `member` in ascending order, or undefined when absent. */
  rank(member: string): number | undefined {
    const tree = this.#tree;
    if (tree !== undefined) return tree.rank(member);
    const rank = packedRank(this.#packed, this.#count, member);
    return rank < 0 ? undefined : rank;
  }

  /** The member and score at `rank` (0 ≤ rank < size). */
  at(rank: number): [member: string, score: number] {
    const tree = this.#tree;
    if (tree !== undefined) return tree.at(rank);
    let found: [string, number] = ["", 0];
    this.visitRange(rank, rank, (member, score) => found = [member, score]);
    return found;
  }

  /**
   * Number of elements whose score is below `score`, or at or below it when
   * `inclusive`: the rank where a score range starts or ends.
   */
  countByScore(score: number, inclusive: boolean): number {
    const tree = this.#tree;
    if (tree !== undefined) return tree.countByScore(score, inclusive);
    return packedCount(
      this.#packed,
      this.#count,
      inclusive ? (other) => other > score : (other) => other >= score,
    );
  }

  /**
   * Number of elements whose member sorts below `member` (or at or below it
   * when `inclusive`), assuming, as ZRANGEBYLEX does, that all scores are equal.
   */
  countByMember(member: string, inclusive: boolean): number {
    const tree = this.#tree;
    if (tree !== undefined) return tree.countByMember(member, inclusive);
    const packed = this.#packed;
    return packedCount(packed, this.#count, (_, start, length) => {
      const other = packed.substring(start, start + length);
      return inclusive ? other > member : other >= member;
    });
  }

  /** Number of elements whose key is below (score, member): a rank, or where ZQUERY starts. */
  countBelow(score: number, member: string): number {
    const tree = this.#tree;
    if (tree !== undefined) return tree.countBelow(score, member);
    const packed = this.#packed;
    return packedCount(
      packed,
      this.#count,
      (other, start, length) =>
        other > score || (other === score && packed.substring(start, start + length) >= member),
    );
  }

  /**
   * Calls `visit` for ranks `from` to `to` inclusive, in that direction
   * (descending when from > to). Both must be valid ranks.
   */
  visitRange(from: number, to: number, visit: (member: string, score: number) => void): void {
    const tree = this.#tree;
    if (tree !== undefined) return tree.visitRange(from, to, visit);
    const packed = this.#packed;
    const low = Math.min(from, to);
    const offsets = packedOffsets(packed, low, Math.max(from, to));
    if (from <= to) { for (const offset of offsets) visitRecord(packed, offset, visit); }
    else for (let i = offsets.length - 1; i >= 0; i--) visitRecord(packed, offsets[i]!, visit);
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
    return this.#tree?.scanIterator();
  }

  /** The tree: the real one, or the small form decoded (#commit stores a write back). */
  #open(): ZTree {
    return this.#tree ?? unpack(this.#packed, this.#count);
  }

  /** Stores a written tree: packed while it is small, as is once it has grown an index. */
  #commit(tree: ZTree): void {
    if (tree.indexed) {
      this.#data = tree;
      this.#count = 0;
    } else if (this.#tree === undefined) {
      this.#data = pack(tree);
      this.#count = tree.size();
    }
  }
}
