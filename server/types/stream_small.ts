/**
 * A small stream's bytes (stream.ts keeps a stream so until it needs its
 * full form, stream_body.ts). A new stream made ~380 bytes of JS objects
 * (the stream, its node array, a node, boxed numbers), and over many keys
 * the collector copied each of them to the old generation: XADD's tail
 * latency. Kept as one string rebuilt per XADD, each append made a string
 * of the whole stream that outlived the next scavenge (110 scavenges per
 * 600k XADDs over 100k keys). Here they sit in a slot of SMALL_STREAM_MAX
 * bytes in the pool below, off the V8 heap, and an XADD appends to them in
 * place (as APPEND grows a string in its room). The bytes hold, each number
 * a varint below 2^53:
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
import { bytesToBinary } from "../../protocol/bytes.ts";
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
 * The longest small stream. A longer one takes its full form, whose nodes
 * append in place too; the small form is for the many streams of a few
 * entries (its bytes cost less than a node, its node array and its stream).
 */
export const SMALL_STREAM_MAX = 128;
/** Slots of SMALL_STREAM_MAX bytes a pool page holds (1 MiB pages). */
const PAGE_SLOTS = 8192;
const SLOT_SHIFT = 13;
/** What a slot costs a stream beyond its bytes: the registry's WeakCell (see SLOT_REGISTRY). */
export const SMALL_BYTES_OVERHEAD = 56;
/** The header's flags: closeTail() holds (the next entry starts a node). */
const TAIL_CLOSED = 1;
/** A node's entries may be this far from its master ID (as stream_node.ts). */
const MAX_DELTA = 2 ** 51;
/** A new stream's bytes (slot NO_SLOT): every number 0, no node; never written. */
const EMPTY_SMALL = new Uint8Array(8);
export const EMPTY_END = 8;
export const NO_SLOT = -1;

/**
 * The pool: small streams' bytes, SMALL_STREAM_MAX a slot, in pages off the
 * V8 heap. A slot is its stream's for the stream's life (a stream that took
 * its full form keeps it for compact()); the registry frees it once the
 * stream is garbage. A slot of its own per stream, a Uint8Array each, cost
 * ~200 heap bytes a stream and three dependent cache misses a lookup.
 */
const pages: Uint8Array[] = [];
const freeSlots: number[] = [];
let slotsMade = 0;
const SLOT_REGISTRY = new FinalizationRegistry<number>(freeSlot);

/** A slot for `owner`'s bytes, freed when `owner` is garbage; holding EMPTY_SMALL's bytes. */
export function takeSlot(owner: object): number {
  let slot = freeSlots.pop();
  if (slot === undefined) {
    slot = slotsMade++;
    if ((slot & (PAGE_SLOTS - 1)) === 0) pages.push(new Uint8Array(PAGE_SLOTS * SMALL_STREAM_MAX));
  }
  SLOT_REGISTRY.register(owner, slot);
  const start = (slot & (PAGE_SLOTS - 1)) * SMALL_STREAM_MAX;
  // A loop of stores, not fill(): a builtin call with its argument checks for 8 bytes.
  const bytes = pages[slot >>> SLOT_SHIFT]!;
  for (let i = start; i < start + EMPTY_END; i++) bytes[i] = 0;
  return slot;
}

/** Slots taken and not yet freed (streams alive, or garbage the registry has not yet seen). */
export function slotsInUse(): number {
  return slotsMade - freeSlots.length;
}

function freeSlot(slot: number): void {
  if (headOf === slot) headOf = NaN;
  freeSlots.push(slot);
}

/** The page and base of `slot` (NO_SLOT: the empty stream's bytes), into `page` and `base`. */
let page: Uint8Array = EMPTY_SMALL;
let base = 0;
function select(slot: number): void {
  if (slot === NO_SLOT) {
    page = EMPTY_SMALL;
    base = 0;
  } else {
    page = pages[slot >>> SLOT_SHIFT]!;
    base = (slot & (PAGE_SLOTS - 1)) * SMALL_STREAM_MAX;
  }
}

/** Where the small stream appendSmall or smallOfBody last wrote ends (from its slot's start). */
export let smallEnd = 0;

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

function readNumber(b: Uint8Array, p: number): number {
  let c = b[p++]!;
  if (c < 0x80) {
    at = p;
    return c;
  }
  let v = c & 0x7f;
  let scale = 0x80;
  do {
    c = b[p++]!;
    v += (c & 0x7f) * scale;
    scale *= 0x80;
  } while (c >= 0x80);
  at = p;
  return v;
}

/**
 * The slot whose header `head` holds, `page` and `base` then its (an XADD
 * reads it three or four times). Only appendSmall and smallOfBody write a
 * slot: the first leaves `head` holding what it wrote, the second forgets.
 */
let headOf = NaN;

/** Reads the header of the small stream in `slot` into `head` (and the flags and listpack bytes). */
export function readHeader(slot: number): void {
  if (slot === headOf) return;
  headOf = slot;
  select(slot);
  const b = page;
  flags = readNumber(b, base);
  head[LAST_MS] = readNumber(b, at);
  head[LAST_SEQ] = readNumber(b, at);
  head[ADDED] = readNumber(b, at);
  head[LENGTH] = readNumber(b, at);
  lpBytes = readNumber(b, at);
  headerEnd = at;
}

/** An ID of exact parts. */
function numbersId(ms: number, seq: number): StreamId {
  return ms === 0 && seq === 0 ? ID_MIN : makeId(BigInt(ms), BigInt(seq));
}

/** The max deleted ID of the small stream whose header readHeader just read. */
export function maxDeletedOf(): StreamId {
  return numbersId(readNumber(page, headerEnd), readNumber(page, at));
}

/** The master ID of the small stream readHeader just read, its first entry's (length > 0). */
export function masterOf(): StreamId {
  readNumber(page, headerEnd);
  readNumber(page, at);
  return numbersId(readNumber(page, at), readNumber(page, at));
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

/** Whether the master fields at `b[p]` are the names of the pairs `pairs[from...]`. */
function sameFields(b: Uint8Array, p: number, pairs: readonly string[], from: number): boolean {
  const n = readNumber(b, p);
  if (n * 2 !== pairs.length - from) return false;
  p = at;
  for (let i = 0; i < n; i++) {
    const len = readNumber(b, p);
    const field = pairs[from + i * 2]!;
    if (field.length !== len) return false;
    p = at;
    for (let j = 0; j < len; j++) if (b[p + j] !== field.charCodeAt(j)) return false;
    p += len;
  }
  return true;
}

/**
 * Appends to the small stream in `slot` (its bytes up to `end` from the
 * slot's start; readHeader(slot) just ran) the entry of the pairs
 * `pairs[from...]` (ms-seq, above its last ID and exact), in place
 * (smallEnd then holds the end); or returns false, the slot untouched,
 * where the full form must take it: a new node would start (a node limit,
 * the delta range, a closed tail) or the stream would pass
 * SMALL_STREAM_MAX. `total` is the pairs' length in all, at most
 * STREAM_LISTPACK_MAX_SIZE.
 */
export function appendSmall(
  end: number,
  pairs: readonly string[],
  from: number,
  ms: number,
  seq: number,
  total: number,
  limits: NodeLimits,
): boolean {
  // What the entry's parts take (and, for a first entry, its field names
  // again as master fields, and its ID twice), at most: room in `scratch`.
  let bound = 1 + 3 * 8 + (head[LENGTH] === 0 ? 4 * 8 + total : 0);
  for (let i = from; i < pairs.length; i++) {
    bound += pairs[i]!.length + varintSize(pairs[i]!.length);
  }
  if (bound > 2 * SMALL_STREAM_MAX) return false;
  if (head[LENGTH] === 0) return startSmall(pairs, from, ms, seq);
  const maxBytes = limits.maxBytes === 0 || limits.maxBytes > STREAM_LISTPACK_MAX_SIZE
    ? STREAM_LISTPACK_MAX_SIZE
    : limits.maxBytes;
  if (
    (flags & TAIL_CLOSED) !== 0 || lpBytes + total >= maxBytes ||
    (limits.maxEntries > 0 && head[LENGTH]! >= limits.maxEntries)
  ) {
    return false;
  }
  const b = page;
  // Past the max deleted ID: the master ID.
  readNumber(b, headerEnd);
  readNumber(b, at);
  const deltaMs = ms - readNumber(b, at);
  const deltaSeq = seq - readNumber(b, at);
  if (deltaMs > MAX_DELTA || deltaSeq > MAX_DELTA || deltaSeq < -MAX_DELTA) return false;
  const nodeBytes = base + end - headerEnd;
  // The entry and the new header are made in `scratch` first: nothing is
  // written into the slot until the stream is known to stay small.
  const same = sameFields(b, at, pairs, from);
  const entryEnd = encodeEntry(scratch, ENTRY_AT, pairs, from, same, deltaMs, deltaSeq);
  const lp = lpBytes + entryBytes;
  const written = writeHeader(ms, seq, lp);
  const size = written + nodeBytes + entryEnd - ENTRY_AT;
  if (size > SMALL_STREAM_MAX) return false;
  // A varint of the header grew (or shrank): the node moves.
  if (base + written !== headerEnd) b.copyWithin(base + written, headerEnd, base + end);
  copyBytes(scratch, 0, written, b, base);
  copyBytes(scratch, ENTRY_AT, entryEnd, b, base + written + nodeBytes);
  appended(ms, seq, lp, base + written, size);
  return true;
}

/** Copies `src[from, to)` to `dst[p]` (a loop: these spans are short, and subarray() allocates). */
function copyBytes(src: Uint8Array, from: number, to: number, dst: Uint8Array, p: number): void {
  for (let i = from; i < to; i++) dst[p++] = src[i]!;
}

/** After an append to the stream `head` holds: `head` holds its new header. */
function appended(ms: number, seq: number, lp: number, headerAt: number, end: number): void {
  head[LAST_MS] = ms;
  head[LAST_SEQ] = seq;
  head[ADDED]!++;
  head[LENGTH]!++;
  lpBytes = lp;
  headerEnd = headerAt;
  smallEnd = end;
}

/** appendSmall's first entry: the node starts, its master fields the entry's names. */
function startSmall(pairs: readonly string[], from: number, ms: number, seq: number): boolean {
  // EMPTY_SMALL is never written: the stream takes a slot first (Stream.addFrom).
  if (page === EMPTY_SMALL) return false;
  let p = writeVarint(scratch, ENTRY_AT, readNumber(page, headerEnd));
  p = writeVarint(scratch, p, readNumber(page, at));
  p = writeVarint(scratch, p, ms);
  p = writeVarint(scratch, p, seq);
  const fieldCount = (pairs.length - from) / 2;
  p = writeVarint(scratch, p, fieldCount);
  let lp = LISTPACK_NODE_BASE + listpackIntSize(fieldCount);
  for (let i = from; i < pairs.length; i += 2) {
    const field = pairs[i]!;
    p = writeVarint(scratch, p, field.length);
    for (let j = 0; j < field.length; j++) scratch[p++] = field.charCodeAt(j);
    lp += listpackElementSize(field);
  }
  const end = encodeEntry(scratch, p, pairs, from, true, 0, 0);
  const written = writeHeader(ms, seq, lp + entryBytes);
  const size = written + end - ENTRY_AT;
  if (size > SMALL_STREAM_MAX) return false;
  copyBytes(scratch, 0, written, page, base);
  copyBytes(scratch, ENTRY_AT, end, page, base + written);
  appended(ms, seq, lp + entryBytes, base + written, size);
  return true;
}

/** nodeBaseBytes of no fields, less the field count's bytes. */
const LISTPACK_NODE_BASE = nodeBaseBytes([]) - listpackIntSize(0);

/**
 * The full form of the small stream in `slot` (its bytes up to `end` from
 * the slot's start): its node's bytes copied into one of the full form's.
 */
export function bodyOfSmall(slot: number, end: number): StreamBody {
  readHeader(slot);
  const b = page;
  const body = new StreamBody();
  const maxDeletedMs = readNumber(b, headerEnd);
  const maxDeletedSeq = readNumber(b, at);
  if (head[LENGTH]! > 0) {
    const masterMs = readNumber(b, at);
    const masterSeq = readNumber(b, at);
    const fields: string[] = new Array(readNumber(b, at));
    let p = at;
    for (let i = 0; i < fields.length; i++) {
      const len = readNumber(b, p);
      fields[i] = bytesToBinary(b, at, at + len);
      p = at + len;
    }
    body.adoptNode(masterMs, masterSeq, fields, b, p, base + end, head[LENGTH]!, lpBytes);
  }
  if (flags & TAIL_CLOSED) body.closeTail();
  body.setLastNumbers(head[LAST_MS]!, head[LAST_SEQ]!);
  body.maxDeletedId = numbersId(maxDeletedMs, maxDeletedSeq);
  body.entriesAdded = head[ADDED]!;
  return body;
}

/** Copies the small stream in slot `from` (its bytes up to `end`) into slot `to`. */
export function copySlot(from: number, to: number, end: number): void {
  select(from);
  const src = page;
  const at = base;
  select(to);
  headOf = NaN;
  copyBytes(src, at, at + end, page, base);
}

/**
 * Makes the small form of a full stream that one can hold (one node
 * without deleted entries or none, no consumer groups, every ID and count
 * exact as a number, short enough) for storeSmall() and returns true,
 * smallEnd its end; else false.
 */
export function smallOfBody(body: StreamBody): boolean {
  const nodes = body.nodes;
  const node = nodes[0];
  if (nodes.length > 1 || body.hasGroups || (node !== undefined && node.deleted > 0)) {
    return false;
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
    if (body.firstId !== node.master) return false;
    numbers.push(exactNumber(idMs(node.master)), exactNumber(idSeq(node.master)));
    numbers.push(node.fields.length);
  } else if (body.firstId !== ID_MIN) return false;
  if (!numbers.every(Number.isSafeInteger)) return false;
  // At most 11 varints of 8 bytes, then names and the node while under the limit.
  let p = 0;
  for (const n of numbers) p = writeVarint(scratch, p, n);
  for (const field of node?.fields ?? []) {
    if (p + 8 + field.length > SMALL_STREAM_MAX) return false;
    p = writeVarint(scratch, p, field.length);
    for (let j = 0; j < field.length; j++) scratch[p++] = field.charCodeAt(j);
  }
  if (node !== undefined) {
    if (p + node.end - node.start > SMALL_STREAM_MAX) return false;
    copyBytes(node.buf, node.start, node.end, scratch, p);
    p += node.end - node.start;
  }
  if (p > SMALL_STREAM_MAX) return false;
  smallEnd = p;
  return true;
}

/** Writes the small form smallOfBody() just made into `slot`. */
export function storeSmall(slot: number): void {
  select(slot);
  headOf = NaN;
  copyBytes(scratch, 0, smallEnd, page, base);
}
