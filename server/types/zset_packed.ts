/**
 * Walks over a small sorted set's packed string (see sorted_set.ts): records
 * of `len member len score back` in (score, member) order, where `back` is
 * the length of what precedes it in the record, written to be read
 * backwards (as a listpack entry's backlen): a rank past the middle, or a
 * reverse range, is found from the end as Redis's lpSeek finds it. Walks
 * read lengths, scores and members in place, and make a member string only
 * for an element a command replies.
 */
import {
  backLengthBytes,
  backLengthPrefix,
  lengthPrefix,
  ONE_BYTE_STRINGS,
  PackedReader,
  prefixLength,
  readBackLength,
  sameBytes,
  sameChars,
} from "./packed_record.ts";
import type { PairWriter } from "./zset_nodes.ts";

const reader = new PackedReader();

/**
 * A length prefix below this is its one byte: every score's (its text is
 * at most 24 bytes) and every member's under the default listpack limits.
 * Longer members (zset-max-listpack-value raised) take readLength's path.
 */
const ONE_BYTE = 0x80;

/** Where the multi-byte length longLength read ends. */
let longEnd = 0;

/** Where the member of the record last passed to memberLengthAt starts. */
let memberAt = 0;

/** The member length of the record at `pos`; memberAt is left on the member's first byte. */
function memberLengthAt(packed: string, pos: number): number {
  const length = packed.charCodeAt(pos);
  if (length < ONE_BYTE) {
    memberAt = pos + 1;
    return length;
  }
  const long = longLength(packed, pos);
  memberAt = longEnd;
  return long;
}

/** The varint length at `pos` (its first byte ≥ ONE_BYTE); longEnd is left after it. */
function longLength(packed: string, pos: number): number {
  reader.pos = pos;
  const length = reader.readLength(packed);
  longEnd = reader.pos;
  return length;
}

/** One record (-0 as 0, as a listpack stores it). */
export function packRecord(member: string, score: number): string {
  const field = score === 0 ? "0" : scoreField(score);
  const body = lengthPrefix(member.length) + member + lengthPrefix(field.length) + field;
  return body + backLengthPrefix(body.length);
}

/**
 * First byte of a score packed as bytes; a score packed as text starts with
 * a digit, "-" or "I" (Infinity), all above these.
 */
const NON_NEGATIVE_INTEGER = 1;
const NEGATIVE_INTEGER = 2;
const DOUBLE = 3;

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

/**
 * A score as it is packed, whichever is shortest: its shortest decimal text;
 * an integer's sign byte and magnitude in as few bytes as it needs (little
 * endian), as a listpack keeps integers; or a tag and the double's 8 bytes.
 * GEO's 52-bit scores take 8 bytes instead of 16 digits, and no score in
 * bytes is parsed when read (a search reads every score of a small set).
 */
function scoreField(score: number): string {
  const text = String(score);
  if (text.length <= 2) return text;
  if (Number.isSafeInteger(score)) {
    let magnitude = Math.abs(score);
    let field = ONE_BYTE_STRINGS[score < 0 ? NEGATIVE_INTEGER : NON_NEGATIVE_INTEGER]!;
    while (magnitude > 0) {
      field += ONE_BYTE_STRINGS[magnitude % 256]!;
      magnitude = Math.floor(magnitude / 256);
    }
    return field.length < text.length ? field : text;
  }
  if (text.length <= 9) return text;
  float[0] = score;
  const b = floatBytes;
  return String.fromCharCode(DOUBLE, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
}

/** A score scoreField packed as bytes (`tag` is its first). */
function bytesScore(packed: string, start: number, length: number, tag: number): number {
  if (tag === DOUBLE) {
    for (let i = 0; i < 8; i++) floatBytes[i] = packed.charCodeAt(start + 1 + i);
    return float[0]!;
  }
  // The low four bytes and the rest as 32-bit integers: one multiplication.
  const end = start + length;
  const split = Math.min(end, start + 5);
  let low = 0;
  for (let i = split - 1; i > start; i--) low = (low << 8) | packed.charCodeAt(i);
  let high = 0;
  for (let i = end - 1; i >= split; i--) high = (high << 8) | packed.charCodeAt(i);
  const n = high * 2 ** 32 + (low >>> 0);
  return tag === NEGATIVE_INTEGER ? -n : n;
}

/** End of the record that started at `start`, its body ending at `bodyEnd`. */
function recordEnd(start: number, bodyEnd: number): number {
  const body = bodyEnd - start;
  return bodyEnd + (body < ONE_BYTE ? 1 : prefixLength(body));
}

/** Start of the record that ends at `end`. */
function recordStart(packed: string, end: number): number {
  const body = readBackLength(packed, end);
  return end - backLengthBytes - body;
}

/** Offset of the record `n` records after the one at `pos`. */
export function skipRecords(packed: string, pos: number, n: number): number {
  for (; n > 0; n--) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    pos += memberLength;
    pos = recordEnd(start, pos + packed.charCodeAt(pos) + 1);
  }
  return pos;
}

/** Offset of the record `n` records before the one at `pos` (or the string's end). */
export function skipBack(packed: string, pos: number, n: number): number {
  for (; n > 0; n--) pos = recordStart(packed, pos);
  return pos;
}

/** Offset of the record of `rank` of `count`, sought from the nearer end as lpSeek does. */
export function seekRank(packed: string, count: number, rank: number): number {
  return rank <= count >> 1
    ? skipRecords(packed, 0, rank)
    : skipBack(packed, packed.length, count - rank);
}

/** Number of records in a packed set. */
export function countRecords(packed: string): number {
  let n = 0;
  for (let pos = 0; pos < packed.length; n++) pos = skipRecords(packed, pos, 1);
  return n;
}

/**
 * A packed score: in bytes, or as text: integers read in place, exact below
 * 2^53; others through Number.
 */
export function scoreAt(packed: string, start: number, length: number): number {
  const first = packed.charCodeAt(start);
  return first <= DOUBLE
    ? bytesScore(packed, start, length, first)
    : textScore(packed, start, length);
}

/** A score packed as text. */
function textScore(packed: string, start: number, length: number): number {
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

/**
 * How the packed member at `start` compares with `member`, as memcmp (each
 * char is one byte): negative, 0 or positive. No substring is made.
 */
function compareMember(packed: string, start: number, length: number, member: string): number {
  const common = Math.min(length, member.length);
  for (let i = 0; i < common; i++) {
    const d = packed.charCodeAt(start + i) - member.charCodeAt(i);
    if (d !== 0) return d;
  }
  return length - member.length;
}

/** Bounds of the record findScore last found, and the string it was found in. */
export let foundIn = "";
export let foundStart = 0;
export let foundEnd = 0;

/** Candidates findScore tries before it walks the records instead. */
const MAX_CANDIDATES = 8;

/**
 * The score of `member` in a packed set (found* are left on its record), or
 * undefined. A member whose length is the first or last record's (members
 * alike, as "user:1000" and "user:1999", or "p5" among "p0".."p99") is
 * walked to (seekMember): searched for, its length byte would occur in
 * nearly every record and indexOf would stop at each, slower than a walk.
 * Others are searched for: indexOf finds where the member's bytes occur
 * after its length (natively, several bytes a step: a miss reads no
 * record); an occurrence is the member if a record starts there, which the
 * records' lengths tell. Members that occur often inside others' bytes,
 * and long ones, are found by a walk.
 */
export function findScore(packed: string, member: string): number | undefined {
  const length = member.length;
  if (length === 0 || length >= ONE_BYTE) return findScoreFrom(packed, member, 0);
  if (isCommonLength(packed, length)) {
    const start = seekMember(packed, member);
    if (start >= 0) {
      const scoreStart = start + length + 2;
      return found(packed, start, scoreStart, scoreStart + packed.charCodeAt(scoreStart - 1));
    }
    return start === NOT_FOUND ? undefined : findScoreFrom(packed, member, 0);
  }
  // A short set: the member itself, as joining its length makes a string to flatten.
  if (packed.length <= BARE_SEARCH_MAX) return findBare(packed, member);
  // With its length before it: "m1" is not looked for inside every "m1x".
  const needle = ONE_BYTE_STRINGS[length]! + member;
  let start = packed.indexOf(needle);
  for (let tries = 0; start >= 0; tries++) {
    if (tries === MAX_CANDIDATES) return findScoreFrom(packed, member, 0);
    if (isRecordStart(packed, start)) {
      const scoreStart = start + length + 2;
      return found(packed, start, scoreStart, scoreStart + packed.charCodeAt(scoreStart - 1));
    }
    start = packed.indexOf(needle, start + 1);
  }
  return undefined;
}

/** Whether the first or the last record's member is `length` bytes long (its prefix one byte). */
function isCommonLength(packed: string, length: number): boolean {
  if (packed.length === 0) return false;
  if (packed.charCodeAt(0) === length) return true;
  const back = packed.charCodeAt(packed.length - 1);
  return back < ONE_BYTE && packed.charCodeAt(packed.length - 1 - back) === length;
}

/** seekMember's answers besides an offset. */
const NOT_FOUND = -1;
const LONG_RECORD = -2;

/** Records before the one seekMember last found. */
let memberRank = 0;

/**
 * Offset of `member`'s record (1 to 127 bytes), NOT_FOUND, or LONG_RECORD
 * when a record's lengths take two bytes or more; memberRank is left on its
 * rank. Walks forwards as Redis's listpack search does, reading two
 * lengths a record and comparing a member only where the record's length
 * and last byte are its own (about 6 ns a record; indexOf with a needle
 * whose first byte every record holds took 7 ns a record).
 */
function seekMember(packed: string, member: string): number {
  const length = member.length;
  const last = member.charCodeAt(length - 1);
  let pos = 0;
  for (let n = 0; pos < packed.length; n++) {
    const memberLength = packed.charCodeAt(pos);
    if (memberLength >= ONE_BYTE) return LONG_RECORD;
    const scoreStart = pos + 2 + memberLength;
    if (
      memberLength === length && packed.charCodeAt(scoreStart - 2) === last &&
      sameChars(packed, pos + 1, member)
    ) {
      memberRank = n;
      return pos;
    }
    const bodyEnd = scoreStart + packed.charCodeAt(scoreStart - 1);
    if (bodyEnd - pos >= ONE_BYTE) return LONG_RECORD;
    pos = bodyEnd + 1;
  }
  return NOT_FOUND;
}

/** A member given as bytes [start, end) of `bytes` (a request's), its string made on demand. */
export interface MemberBytes {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  string(): string;
}

/**
 * findScore of a member given as bytes: walked to by its bytes when its
 * length is the first or last record's (seekMember's case, as ZADD of a
 * member already there), from its string otherwise.
 */
export function findScoreOfBytes(packed: string, member: MemberBytes): number | undefined {
  const length = member.end - member.start;
  if (length === 0 || length >= ONE_BYTE || !isCommonLength(packed, length)) {
    return findScore(packed, member.string());
  }
  const start = seekMemberBytes(packed, member.bytes, member.start, length);
  if (start === LONG_RECORD) return findScore(packed, member.string());
  if (start === NOT_FOUND) return undefined;
  const scoreStart = start + length + 2;
  return found(packed, start, scoreStart, scoreStart + packed.charCodeAt(scoreStart - 1));
}

/**
 * seekMember of a member given as `length` bytes of `bytes` at `from`. The
 * walk is seekMember's, written twice: one walk choosing its compare per
 * candidate made ZADD of an 8-byte member (the string's path) ~20 ns slower
 * in-process (216-226 → 239-245 ns, three rounds each).
 */
function seekMemberBytes(packed: string, bytes: Uint8Array, from: number, length: number): number {
  const last = bytes[from + length - 1]!;
  let pos = 0;
  for (let n = 0; pos < packed.length; n++) {
    const memberLength = packed.charCodeAt(pos);
    if (memberLength >= ONE_BYTE) return LONG_RECORD;
    const scoreStart = pos + 2 + memberLength;
    if (
      memberLength === length && packed.charCodeAt(scoreStart - 2) === last &&
      sameBytes(packed, pos + 1, bytes, from, length)
    ) {
      memberRank = n;
      return pos;
    }
    const bodyEnd = scoreStart + packed.charCodeAt(scoreStart - 1);
    if (bodyEnd - pos >= ONE_BYTE) return LONG_RECORD;
    pos = bodyEnd + 1;
  }
  return NOT_FOUND;
}

/**
 * Longest packed set findScore searches for the member's bytes alone (one
 * or two records of a 20-byte member): a needle of 13 bytes or more with its
 * length byte is a joined string that indexOf flattens first, a third of a
 * one-member set's search (ZSCORE hit 307 → 277 ns), while a bare member
 * whose first letter the others share is found slowly in a longer string
 * (a miss in 9 records 368 → 413 ns at 256 bytes).
 */
const BARE_SEARCH_MAX = 64;

/** findScore in a short set: occurrences of the member's bytes, each after its length byte. */
function findBare(packed: string, member: string): number | undefined {
  const length = member.length;
  let at = packed.indexOf(member, 1);
  for (let tries = 0; at > 0; tries++) {
    if (tries === MAX_CANDIDATES) return findScoreFrom(packed, member, 0);
    const start = at - 1;
    if (packed.charCodeAt(start) === length && isRecordStart(packed, start)) {
      const scoreStart = at + length + 1;
      return found(packed, start, scoreStart, scoreStart + packed.charCodeAt(scoreStart - 1));
    }
    at = packed.indexOf(member, at + 1);
  }
  return undefined;
}

/** Whether a record starts at `at`, counted from the nearer end of the string. */
function isRecordStart(packed: string, at: number): boolean {
  // A step forwards reads two lengths, a step backwards one.
  if (at * 3 < packed.length) return skipTo(packed, at) === at;
  let end = packed.length;
  while (end > at) {
    const back = packed.charCodeAt(end - 1);
    end = back < ONE_BYTE ? end - 1 - back : recordStart(packed, end);
  }
  return end === at;
}

/** Start of the first record at or after `at`. */
function skipTo(packed: string, at: number): number {
  let pos = 0;
  while (pos < at) {
    const memberLength = packed.charCodeAt(pos);
    if (memberLength >= ONE_BYTE) return skipRecordsTo(packed, pos, at);
    const scoreStart = pos + 2 + memberLength;
    const bodyEnd = scoreStart + packed.charCodeAt(scoreStart - 1);
    const body = bodyEnd - pos;
    pos = body < ONE_BYTE ? bodyEnd + 1 : bodyEnd + prefixLength(body);
  }
  return pos;
}

/** skipTo from the record at `pos` on, for any member length. */
function skipRecordsTo(packed: string, pos: number, at: number): number {
  while (pos < at) pos = skipRecords(packed, pos, 1);
  return pos;
}

/** findScore from the record at `pos` on, for any member length. */
function findScoreFrom(packed: string, member: string, pos: number): number | undefined {
  const length = member.length;
  while (pos < packed.length) {
    const at = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    const start = pos;
    pos += memberLength;
    const scoreLength = packed.charCodeAt(pos++);
    if (memberLength === length && sameChars(packed, start, member)) {
      return found(packed, at, pos, pos + scoreLength);
    }
    pos = recordEnd(at, pos + scoreLength);
  }
  return undefined;
}

/** Notes the record findScore found at `start` and reads its score. */
function found(packed: string, start: number, scoreStart: number, bodyEnd: number): number {
  foundIn = packed;
  foundStart = start;
  foundEnd = recordEnd(start, bodyEnd);
  return scoreAt(packed, scoreStart, bodyEnd - scoreStart);
}

/** Rank of `member` in a packed set, or -1 (no score is read). */
export function findRank(packed: string, member: string): number {
  const length = member.length;
  if (length > 0 && length < ONE_BYTE) {
    const start = seekMember(packed, member);
    if (start === NOT_FOUND) return -1;
    if (start >= 0) return memberRank;
  }
  return rankFrom(packed, member);
}

/** findRank by a walk from the front, for any member length. */
function rankFrom(packed: string, member: string): number {
  const length = member.length;
  let pos = 0;
  for (let rank = 0; pos < packed.length; rank++) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    if (memberLength === length && sameChars(packed, pos, member)) return rank;
    pos += memberLength;
    pos = recordEnd(start, pos + packed.charCodeAt(pos) + 1);
  }
  return -1;
}

/** Offset of the record countScores, countMembers or positionAfter stopped at. */
export let stoppedAt = 0;

/**
 * Rank of the first record, from the record of rank `rank` at `pos` on,
 * whose score is above `score` (at or above it unless `inclusive`): the
 * number of records below that bound. stoppedAt is left on that record.
 */
export function countScores(
  packed: string,
  pos: number,
  rank: number,
  score: number,
  inclusive: boolean,
): number {
  while (pos < packed.length) {
    const memberLength = memberLengthAt(packed, pos);
    let at = memberAt;
    at += memberLength;
    const scoreLength = packed.charCodeAt(at++);
    const other = scoreAt(packed, at, scoreLength);
    if (inclusive ? other > score : other >= score) break;
    pos = recordEnd(pos, at + scoreLength);
    rank++;
  }
  stoppedAt = pos;
  return rank;
}

/**
 * Number of records whose member sorts below `member` (at or below it when
 * `inclusive`), the scores assumed equal as ZRANGEBYLEX assumes them.
 */
export function countMembers(packed: string, member: string, inclusive: boolean): number {
  let pos = 0;
  let rank = 0;
  while (pos < packed.length) {
    const memberLength = memberLengthAt(packed, pos);
    let at = memberAt;
    const order = compareMember(packed, at, memberLength, member);
    if (inclusive ? order > 0 : order >= 0) break;
    at += memberLength;
    pos = recordEnd(pos, at + packed.charCodeAt(at) + 1);
    rank++;
  }
  stoppedAt = pos;
  return rank;
}

/**
 * Rank of the first record, from the record of rank `rank` at `pos` on,
 * that sorts after (score, member), or at it unless `after`: where
 * an insert goes, or a rank. stoppedAt is left on that record.
 */
export function countBelowKey(
  packed: string,
  pos: number,
  rank: number,
  score: number,
  member: string,
  after: boolean,
): number {
  while (pos < packed.length) {
    const memberLength = memberLengthAt(packed, pos);
    let at = memberAt;
    const memberStart = at;
    at += memberLength;
    const scoreLength = packed.charCodeAt(at++);
    const other = scoreAt(packed, at, scoreLength);
    if (other > score) break;
    if (other === score) {
      const order = compareMember(packed, memberStart, memberLength, member);
      if (after ? order > 0 : order >= 0) break;
    }
    pos = recordEnd(pos, at + scoreLength);
    rank++;
  }
  stoppedAt = pos;
  return rank;
}

/**
 * Visits `n` records from the one at `pos` on, in order; each score as 0
 * unless `scores` (a range replied without them reads none).
 */
export function visitForward(
  packed: string,
  pos: number,
  n: number,
  visit: (member: string, score: number) => void,
  scores = true,
): void {
  for (; n > 0; n--) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    const member = packed.substring(pos, pos + memberLength);
    pos += memberLength;
    const scoreLength = packed.charCodeAt(pos++);
    const score = scores ? scoreAt(packed, pos, scoreLength) : 0;
    pos = recordEnd(start, pos + scoreLength);
    visit(member, score);
  }
}

/** Writes `n` records from the one at `pos` on to `out`, each member from the packed string. */
export function writeForward(packed: string, pos: number, n: number, out: PairWriter): void {
  for (; n > 0; n--) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    const memberStart = memberAt;
    pos = memberStart + memberLength;
    const scoreLength = packed.charCodeAt(pos++);
    out.bulkSpanAndDouble(packed, memberStart, memberLength, scoreAt(packed, pos, scoreLength));
    pos = recordEnd(start, pos + scoreLength);
  }
}

/** Visits the `n` records that end at `end`, last first (scores as visitForward's). */
export function visitBackward(
  packed: string,
  end: number,
  n: number,
  visit: (member: string, score: number) => void,
  scores = true,
): void {
  for (; n > 0; n--) {
    const back = packed.charCodeAt(end - 1);
    let pos = back < ONE_BYTE ? end - 1 - back : recordStart(packed, end);
    end = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    const member = packed.substring(pos, pos + memberLength);
    pos += memberLength;
    visit(member, scores ? scoreAt(packed, pos + 1, packed.charCodeAt(pos)) : 0);
  }
}

/** Whether findScore's last find was `member`'s record in this string (so found* hold). */
export function isFound(packed: string, member: string): boolean {
  if (foundIn !== packed) return false;
  let pos = foundStart;
  const memberLength = memberLengthAt(packed, pos);
  pos = memberAt;
  return memberLength === member.length && sameChars(packed, pos, member);
}

/** The member and score of the record at `pos`. */
export function entryAt(packed: string, pos: number): [member: string, score: number] {
  const memberLength = memberLengthAt(packed, pos);
  pos = memberAt;
  const member = packed.substring(pos, pos + memberLength);
  pos += memberLength;
  return [member, scoreAt(packed, pos + 1, packed.charCodeAt(pos))];
}

/**
 * Every record's score into `scores` and its offset into `offsets`, in
 * order (both must hold them all); the number of records.
 */
export function readScores(packed: string, scores: Float64Array, offsets: Int32Array): number {
  let n = 0;
  for (let pos = 0; pos < packed.length; n++) {
    offsets[n] = pos;
    const memberLength = memberLengthAt(packed, pos);
    let at = memberAt + memberLength;
    const scoreLength = packed.charCodeAt(at++);
    scores[n] = scoreAt(packed, at, scoreLength);
    pos = recordEnd(pos, at + scoreLength);
  }
  return n;
}

/** The member of the record at `pos`. */
export function memberOf(packed: string, pos: number): string {
  const memberLength = memberLengthAt(packed, pos);
  return packed.substring(memberAt, memberAt + memberLength);
}
