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
  PackedReader,
  prefixLength,
  readBackLength,
} from "./packed_record.ts";

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

/** One record: the score as its shortest text (-0 as 0, as a listpack stores it). */
export function packRecord(member: string, score: number): string {
  const text = String(score === 0 ? 0 : score);
  const body = lengthPrefix(member.length) + member + lengthPrefix(text.length) + text;
  return body + backLengthPrefix(body.length);
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
 * A packed score: integers (the common case, GEO's 52-bit cells included)
 * read in place, exact below 2^53; others through Number.
 */
export function scoreAt(packed: string, start: number, length: number): number {
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

/** Bounds of the record findScore last found, and the string it was found in. */
export let foundIn = "";
export let foundStart = 0;
export let foundEnd = 0;

/** The score of `member` in a packed set (found* are left on its record), or undefined. */
export function findScore(packed: string, member: string): number | undefined {
  const length = member.length;
  let pos = 0;
  while (pos < packed.length) {
    const at = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    const start = pos;
    pos += memberLength;
    const scoreLength = packed.charCodeAt(pos++);
    if (memberLength === length && sameMember(packed, start, member)) {
      foundIn = packed;
      foundStart = at;
      foundEnd = recordEnd(at, pos + scoreLength);
      return scoreAt(packed, pos, scoreLength);
    }
    pos = recordEnd(at, pos + scoreLength);
  }
  return undefined;
}

/** Rank of `member` in a packed set, or -1 (no score is read). */
export function findRank(packed: string, member: string): number {
  const length = member.length;
  let pos = 0;
  for (let rank = 0; pos < packed.length; rank++) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    if (memberLength === length && sameMember(packed, pos, member)) return rank;
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

/** Visits `n` records from the one at `pos` on, in order. */
export function visitForward(
  packed: string,
  pos: number,
  n: number,
  visit: (member: string, score: number) => void,
): void {
  for (; n > 0; n--) {
    const start = pos;
    const memberLength = memberLengthAt(packed, pos);
    pos = memberAt;
    const member = packed.substring(pos, pos + memberLength);
    pos += memberLength;
    const scoreLength = packed.charCodeAt(pos++);
    const score = scoreAt(packed, pos, scoreLength);
    pos = recordEnd(start, pos + scoreLength);
    visit(member, score);
  }
}

/** Visits the `n` records that end at `end`, last first. */
export function visitBackward(
  packed: string,
  end: number,
  n: number,
  visit: (member: string, score: number) => void,
): void {
  for (; n > 0; n--) {
    end = recordStart(packed, end);
    visitForward(packed, end, 1, visit);
  }
}

/** Whether findScore's last find was `member`'s record in this string (so found* hold). */
export function isFound(packed: string, member: string): boolean {
  if (foundIn !== packed) return false;
  let pos = foundStart;
  const memberLength = memberLengthAt(packed, pos);
  pos = memberAt;
  return memberLength === member.length && sameMember(packed, pos, member);
}

/** The member and score of the record at `pos`. */
export function entryAt(packed: string, pos: number): [member: string, score: number] {
  const memberLength = memberLengthAt(packed, pos);
  pos = memberAt;
  const member = packed.substring(pos, pos + memberLength);
  pos += memberLength;
  return [member, scoreAt(packed, pos + 1, packed.charCodeAt(pos))];
}
