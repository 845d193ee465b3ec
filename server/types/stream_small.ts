/**
 * A small stream's one string (stream.ts keeps a stream so until it needs
 * its full form, stream_body.ts). A new stream made ~380 bytes of JS objects
 * (the stream, its node array, a node, boxed numbers), and over many keys
 * the collector copied each of them to the old generation: XADD's tail
 * latency. One string, rebuilt per XADD as a small list's is, costs one
 * object. The string holds, each number a varint below 2^53 and each char
 * one byte:
 *
 *   flags | last ms | last seq | entries added | length | listpack bytes
 *   max deleted ms | max deleted seq
 *   when length > 0, the one node: master ms | master seq | field count |
 *     (length, name) per master field | its entries, byte for byte as
 *     stream_node.ts packs a node's
 *
 * So it holds what one node without deleted entries and a stream without
 * consumer groups hold; the full form is made from it entry by entry, and
 * is the same as the one the same commands would have built.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { listpackElementSize, listpackIntSize } from "../persistence/listpack.ts";
import { StreamBody } from "./stream_body.ts";
import { ID_MIN, idMs, idSeq, makeId, type StreamId } from "./stream_id.ts";
import {
  encodeEntry,
  entryBytes,
  exactNumber,
  nodeBaseBytes,
  type NodeLimits,
  STREAM_LISTPACK_MAX_SIZE,
  writeVarint,
} from "./stream_node.ts";

/**
 * The longest small stream: each XADD copies the string, and the new
 * string outlives the next scavenge where a full stream's in-place append
 * makes nothing, so only streams of a few entries stay small. XADD of a
 * 20-byte value over 100k keys, in-process: 1.54-1.70 us a request with
 * 128, 1.86-2.02 with 256, 1.24-1.26 with the full form only (a new key:
 * ~2.0 against 2.6-2.7).
 */
export const SMALL_STREAM_MAX = 128;
/** The header's flags: closeTail() holds (the next entry starts a node). */
const TAIL_CLOSED = 1;
/** A node's entries may be this far from its master ID (as stream_node.ts). */
const MAX_DELTA = 2 ** 51;
/** A new stream: every number 0, no node. */
export const EMPTY_SMALL = "\0".repeat(8);

/**
 * What readHeader last read: the last ID's parts, entries added and the
 * length in a Float64Array (a module variable holding a time boxes a new
 * number each store), the flags and listpack bytes (small integers).
 */
export const head = new Float64Array(4);
export const LAST_MS = 0;
export const LAST_SEQ = 1;
export const ADDED = 2;
export const LENGTH = 3;
let flags = 0;
let lpBytes = 0;
/** Where the header ends (the max deleted ID starts). */
let headerEnd = 0;

/** Where the last readNumber stopped. */
let at = 0;

function readNumber(s: string, p: number): number {
  let c = s.charCodeAt(p++);
  if (c < 0x80) {
    at = p;
    return c;
  }
  let v = c & 0x7f;
  let scale = 0x80;
  do {
    c = s.charCodeAt(p++);
    v += (c & 0x7f) * scale;
    scale *= 0x80;
  } while (c >= 0x80);
  at = p;
  return v;
}

/** The string whose header `head` holds (an XADD reads it three or four times). */
let headOf: string | undefined;

/** Reads a small stream's header into `head` (and the flags and listpack bytes). */
export function readHeader(s: string): void {
  // Equal strings have equal headers: a string equal to another stream's will do.
  if (s === headOf) return;
  headOf = s;
  flags = readNumber(s, 0);
  head[LAST_MS] = readNumber(s, at);
  head[LAST_SEQ] = readNumber(s, at);
  head[ADDED] = readNumber(s, at);
  head[LENGTH] = readNumber(s, at);
  lpBytes = readNumber(s, at);
  headerEnd = at;
}

/** An ID of exact parts. */
function numbersId(ms: number, seq: number): StreamId {
  return ms === 0 && seq === 0 ? ID_MIN : makeId(BigInt(ms), BigInt(seq));
}

/** The max deleted ID of small stream `s` (readHeader(s) just ran). */
export function maxDeletedOf(s: string): StreamId {
  return numbersId(readNumber(s, headerEnd), readNumber(s, at));
}

/** The master ID of small stream `s`, its first entry's (readHeader(s) just ran; headLength > 0). */
export function masterOf(s: string): StreamId {
  readNumber(s, headerEnd);
  readNumber(s, at);
  return numbersId(readNumber(s, at), readNumber(s, at));
}

/** Entries are written here first, the header (six varints of 8 bytes at most) before them. */
const ENTRY_AT = 64;
const scratch = new Uint8Array(ENTRY_AT + 3 * SMALL_STREAM_MAX);

/** Writes the header for the stream after an append; returns its end. */
function writeHeader(ms: number, seq: number, lp: number): number {
  let p = writeVarint(scratch, 0, flags);
  p = writeVarint(scratch, p, ms);
  p = writeVarint(scratch, p, seq);
  p = writeVarint(scratch, p, head[ADDED]! + 1);
  p = writeVarint(scratch, p, head[LENGTH]! + 1);
  return writeVarint(scratch, p, lp);
}

/** Bytes a varint of `n` takes. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Whether the master fields at `s[p]` are the names of the pairs `pairs[from...]`. */
function sameFields(s: string, p: number, pairs: readonly string[], from: number): boolean {
  const n = readNumber(s, p);
  if (n * 2 !== pairs.length - from) return false;
  p = at;
  for (let i = 0; i < n; i++) {
    const len = readNumber(s, p);
    const field = pairs[from + i * 2]!;
    if (field.length !== len || !s.startsWith(field, at)) return false;
    p = at + len;
  }
  return true;
}

/**
 * The string of small stream `s` (readHeader(s) just ran) with the entry
 * of the pairs `pairs[from...]` (ms-seq, above its last ID and exact)
 * appended, or undefined where the full form must take it: a new node
 * would start (a node limit, the delta range, a closed tail) or the string
 * would pass SMALL_STREAM_MAX. `total` is the pairs' length in all, at most
 * STREAM_LISTPACK_MAX_SIZE.
 */
export function appendSmall(
  s: string,
  pairs: readonly string[],
  from: number,
  ms: number,
  seq: number,
  total: number,
  limits: NodeLimits,
): string | undefined {
  // What the entry's parts take (and, for a first entry, its field names
  // again as master fields, and its ID twice), at most: room in `scratch`.
  let bound = 1 + 3 * 8 + (head[LENGTH] === 0 ? 4 * 8 + total : 0);
  for (let i = from; i < pairs.length; i++) {
    bound += pairs[i]!.length + varintSize(pairs[i]!.length);
  }
  if (bound > 2 * SMALL_STREAM_MAX) return undefined;
  if (head[LENGTH] === 0) return startSmall(s, pairs, from, ms, seq);
  const maxBytes = limits.maxBytes === 0 || limits.maxBytes > STREAM_LISTPACK_MAX_SIZE
    ? STREAM_LISTPACK_MAX_SIZE
    : limits.maxBytes;
  if (
    (flags & TAIL_CLOSED) !== 0 || lpBytes + total >= maxBytes ||
    (limits.maxEntries > 0 && head[LENGTH]! >= limits.maxEntries)
  ) {
    return undefined;
  }
  // Past the max deleted ID: the master ID.
  readNumber(s, headerEnd);
  readNumber(s, at);
  const deltaMs = ms - readNumber(s, at);
  const deltaSeq = seq - readNumber(s, at);
  if (deltaMs > MAX_DELTA || deltaSeq > MAX_DELTA || deltaSeq < -MAX_DELTA) return undefined;
  // The new string is made in `scratch`, one allocation: the header, the
  // old string's node, the entry (written first, after room for the node).
  const nodeBytes = s.length - headerEnd;
  if (nodeBytes > SMALL_STREAM_MAX) return undefined;
  const entryAt = ENTRY_AT + nodeBytes;
  const same = sameFields(s, at, pairs, from);
  const end = encodeEntry(scratch, entryAt, pairs, from, same, deltaMs, deltaSeq);
  const written = writeHeader(ms, seq, lpBytes + entryBytes);
  const size = written + nodeBytes + end - entryAt;
  if (size > SMALL_STREAM_MAX) return undefined;
  copyChars(s, headerEnd, nodeBytes, written);
  scratch.copyWithin(written + nodeBytes, entryAt, end);
  return appended(bytesToBinary(scratch, 0, size), ms, seq, lpBytes + entryBytes, written);
}

/**
 * Copies `count` chars of `s` from `from` into `scratch` at `to`, four a
 * step: each charCodeAt checks the string's kind, and the old node's bytes
 * are most of what an append copies (a 70-byte node: ~105 ns by one char a
 * step, ~85 by four).
 */
function copyChars(s: string, from: number, count: number, to: number): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    scratch[to + i] = s.charCodeAt(from + i);
    scratch[to + i + 1] = s.charCodeAt(from + i + 1);
    scratch[to + i + 2] = s.charCodeAt(from + i + 2);
    scratch[to + i + 3] = s.charCodeAt(from + i + 3);
  }
  for (; i < count; i++) scratch[to + i] = s.charCodeAt(from + i);
}

/** `next`, after an append to the stream `head` holds, whose header `head` then holds. */
function appended(next: string, ms: number, seq: number, lp: number, end: number): string {
  headOf = next;
  head[LAST_MS] = ms;
  head[LAST_SEQ] = seq;
  head[ADDED]!++;
  head[LENGTH]!++;
  lpBytes = lp;
  headerEnd = end;
  return next;
}

/** appendSmall's first entry: the node starts, its master fields the entry's names. */
function startSmall(
  s: string,
  pairs: readonly string[],
  from: number,
  ms: number,
  seq: number,
): string | undefined {
  let p = writeVarint(scratch, ENTRY_AT, readNumber(s, headerEnd));
  p = writeVarint(scratch, p, readNumber(s, at));
  p = writeVarint(scratch, p, ms);
  p = writeVarint(scratch, p, seq);
  const fieldCount = (pairs.length - from) / 2;
  p = writeVarint(scratch, p, fieldCount);
  let lp = LISTPACK_NODE_BASE + listpackIntSize(fieldCount);
  for (let i = from; i < pairs.length; i += 2) {
    const field = pairs[i]!;
    p = writeBinary(scratch, writeVarint(scratch, p, field.length), field);
    lp += listpackElementSize(field);
  }
  const end = encodeEntry(scratch, p, pairs, from, true, 0, 0);
  const written = writeHeader(ms, seq, lp + entryBytes);
  if (written + end - ENTRY_AT > SMALL_STREAM_MAX) return undefined;
  scratch.copyWithin(written, ENTRY_AT, end);
  return appended(
    bytesToBinary(scratch, 0, written + end - ENTRY_AT),
    ms,
    seq,
    lp + entryBytes,
    written,
  );
}

/** nodeBaseBytes of no fields, less the field count's bytes. */
const LISTPACK_NODE_BASE = nodeBaseBytes([]) - listpackIntSize(0);

let flattenSink = 0;

/** `s` as one flat string before it is kept (see packed_record.ts's flat). */
function flat(s: string): string {
  flattenSink ^= s.charCodeAt(0);
  return s;
}

/** The full form of small stream `s`: its node's bytes copied into one of the full form's. */
export function bodyOfSmall(s: string): StreamBody {
  readHeader(s);
  const body = new StreamBody();
  const maxDeletedMs = readNumber(s, headerEnd);
  const maxDeletedSeq = readNumber(s, at);
  if (head[LENGTH]! > 0) {
    const masterMs = readNumber(s, at);
    const masterSeq = readNumber(s, at);
    const fields: string[] = new Array(readNumber(s, at));
    let p = at;
    for (let i = 0; i < fields.length; i++) {
      const len = readNumber(s, p);
      fields[i] = s.slice(at, at + len);
      p = at + len;
    }
    body.adoptNode(masterMs, masterSeq, fields, s, p, head[LENGTH]!, lpBytes);
  }
  if (flags & TAIL_CLOSED) body.closeTail();
  body.lastId = numbersId(head[LAST_MS]!, head[LAST_SEQ]!);
  body.maxDeletedId = numbersId(maxDeletedMs, maxDeletedSeq);
  body.entriesAdded = head[ADDED]!;
  return body;
}

/**
 * The small string of a full stream that one can hold (one node without
 * deleted entries or none, no consumer groups, every ID and count exact as
 * a number, short enough), else undefined.
 */
export function smallOfBody(body: StreamBody): string | undefined {
  const nodes = body.nodes;
  const node = nodes[0];
  if (nodes.length > 1 || body.hasGroups || (node !== undefined && node.deleted > 0)) {
    return undefined;
  }
  const numbers = [
    body.tailClosed ? TAIL_CLOSED : 0,
    body.lastMs,
    body.lastSeq,
    body.entriesAdded,
    body.length,
    node?.lpBytes ?? 0,
    exactNumber(idMs(body.maxDeletedId)),
    exactNumber(idSeq(body.maxDeletedId)),
  ];
  if (node !== undefined) {
    if (body.firstId !== node.master) return undefined;
    numbers.push(exactNumber(idMs(node.master)), exactNumber(idSeq(node.master)));
    numbers.push(node.fields.length);
  } else if (body.firstId !== ID_MIN) return undefined;
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  let s = "";
  const buf = new Uint8Array(8);
  for (const n of numbers) s += bytesToBinary(buf, 0, writeVarint(buf, 0, n));
  for (const field of node?.fields ?? []) {
    s += bytesToBinary(buf, 0, writeVarint(buf, 0, field.length)) + field;
  }
  if (node !== undefined) s += bytesToBinary(node.buf, node.start, node.end);
  return s.length <= SMALL_STREAM_MAX ? flat(s) : undefined;
}
