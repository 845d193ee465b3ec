/**
 * A small list's one packed string, readable from either end as a listpack
 * is: each entry is `len bytes back`, where `len` is the byte count as a
 * varint and `back` the same varint's bytes in reverse order. Read
 * backwards from an entry's end, `back` gives the same varint, so RPOP and
 * the tail of a range find their entry in O(1) instead of walking the list
 * from its head.
 */
import {
  backLengthBytes,
  backLengthPrefix,
  lengthPrefix,
  readBackLength,
  sameChars,
} from "./packed_record.ts";

/** An entry's bytes, ready to join into a packed list. */
export function packedListEntry(value: string): string {
  return lengthPrefix(value.length) + value + backLengthPrefix(value.length);
}

/** Every value, packed head to tail. */
export function packList(values: readonly string[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = packedListEntry(values[i]!);
  return parts.join("");
}

/**
 * Walks a packed list. After `readForward(p)` (p: an entry's start) or
 * `readBackward(q)` (q: an entry's end), the entry spans [start, end) and
 * its value [valueStart, valueStart + length).
 */
export class ListCursor {
  start = 0;
  end = 0;
  valueStart = 0;
  length = 0;

  constructor(public data = "") {}

  readForward(p: number): void {
    const data = this.data;
    let c = data.charCodeAt(p);
    let length = c & 0x7f;
    let bytes = 1;
    for (let scale = 0x80; c >= 0x80; scale *= 0x80) {
      c = data.charCodeAt(p + bytes++);
      length += (c & 0x7f) * scale;
    }
    this.start = p;
    this.valueStart = p + bytes;
    this.length = length;
    this.end = p + 2 * bytes + length;
  }

  readBackward(q: number): void {
    const length = readBackLength(this.data, q);
    this.end = q;
    this.start = q - 2 * backLengthBytes - length;
    this.valueStart = this.start + backLengthBytes;
    this.length = length;
  }

  /** The value of the entry last read. */
  value(): string {
    return this.data.substring(this.valueStart, this.valueStart + this.length);
  }

  /**
   * Where the entry after the one starting at `p` starts. An entry of one
   * length byte (under 128 bytes) is stepped over by that byte alone: the
   * walks to an index, and the count a packed-away list needs, are mostly that.
   */
  skipForward(p: number): number {
    const c = this.data.charCodeAt(p);
    if (c < 0x80) return p + c + 2;
    this.readForward(p);
    return this.end;
  }

  /** Where the entry before the one ending at `q` starts (see skipForward). */
  skipBackward(q: number): number {
    const c = this.data.charCodeAt(q - 1);
    if (c < 0x80) return q - c - 2;
    this.readBackward(q);
    return this.start;
  }

  /**
   * Reads entry `index` of a list of `count`, walking from the nearer end
   * (no offsets are kept: a small list is at most a few KB).
   */
  seek(index: number, count: number): void {
    if (index < count - 1 - index) {
      let p = 0;
      for (let i = 0; i < index; i++) p = this.skipForward(p);
      this.readForward(p);
    } else {
      let q = this.data.length;
      for (let i = count - 1; i > index; i--) q = this.skipBackward(q);
      this.readBackward(q);
    }
  }
}

/** One cursor for every small list's reads: each is done before the next begins. */
const cursor = new ListCursor();

/** The shared cursor, over `data`. */
export function cursorOver(data: string): ListCursor {
  cursor.data = data;
  return cursor;
}

/** Joins three strings into one flat string (see packList()). */
const joinParts: string[] = ["", "", ""];
export function joinPacked(a: string, b: string, c: string): string {
  joinParts[0] = a;
  joinParts[1] = b;
  joinParts[2] = c;
  return joinParts.join("");
}

/** The values of a packed list of `count` entries. */
export function unpackList(data: string, count: number): string[] {
  const out = new Array<string>(count);
  const cursor = new ListCursor(data);
  let p = 0;
  for (let i = 0; i < count; i++) {
    cursor.readForward(p);
    out[i] = cursor.value();
    p = cursor.end;
  }
  return out;
}

const counter = new ListCursor();

/** How many entries a packed list holds. */
export function countListEntries(data: string): number {
  // Every command on a packed-away list counts it first: no cursor made per count.
  const cursor = counter;
  cursor.data = data;
  let n = 0;
  for (let p = 0; p < data.length; n++) p = cursor.skipForward(p);
  return n;
}

/** How many entries the last removeFromPacked() took out. */
export let removedEntries = 0;

/**
 * LREM on a packed list of `count` entries: removes up to `limit` entries
 * equal to `value` (0: all), from the head or, when `fromTail`, the tail.
 * Entries are compared where they lie, so a list without the value is only
 * read; returns the packed list left, or undefined when nothing matched.
 */
export function removeFromPacked(
  data: string,
  count: number,
  value: string,
  limit: number,
  fromTail: boolean,
): string | undefined {
  const entry = counter;
  entry.data = data;
  // Matched entries' [start, end) pairs, in the order walked.
  let spans: number[] | undefined;
  let p = fromTail ? data.length : 0;
  for (let i = 0; i < count && (limit === 0 || (spans?.length ?? 0) < 2 * limit); i++) {
    if (fromTail) entry.readBackward(p);
    else entry.readForward(p);
    if (entry.length === value.length && sameChars(data, entry.valueStart, value)) {
      (spans ??= []).push(entry.start, entry.end);
    }
    p = fromTail ? entry.start : entry.end;
  }
  removedEntries = spans === undefined ? 0 : spans.length / 2;
  if (spans === undefined) return undefined;
  const kept: string[] = [];
  let from = 0;
  for (let k = 0; k < spans.length; k += 2) {
    const at = fromTail ? spans.length - 2 - k : k;
    kept.push(data.slice(from, spans[at]!));
    from = spans[at + 1]!;
  }
  kept.push(data.slice(from));
  return kept.join("");
}
