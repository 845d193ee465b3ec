/**
 * One stream node (see stream.ts for how nodes sit in slabs): a master ID,
 * master field names, and entries packed into a byte range of a slab. A
 * node's first entry's ID is its master ID and its first entry's field names
 * are the master fields; every entry stores
 *
 *   flags | ms delta | seq delta | values            (SAMEFIELDS: fields = master's)
 *   flags | ms delta | seq delta | n | field value... (otherwise)
 *
 * with deltas against the master ID as zigzag varints and strings as varint
 * length + bytes: "XADD s * f v" costs about six bytes, no JS object per entry.
 * An entry more than 2^51 from the master in a part (Redis's deltas are any
 * 64-bit integers; ours stay exact as numbers) is WIDE: its full ID, 16
 * bytes, in place of the deltas, so nodes split where Redis's do.
 * XDEL and exact trimming only set the DELETED flag. Also here: the field-name
 * arrays nodes share, and the count of radix-tree nodes Redis would keep
 * for the nodes' master IDs.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { listpackElementSize, listpackIntSize } from "../persistence/listpack.ts";
import {
  decodeIdBytes,
  encodeIdBytes,
  idMs,
  idSeq,
  narrowSeq,
  partHigh,
  partLow,
  partOf,
  type StreamId,
  WIDE_SEQ,
} from "./stream_id.ts";

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;
/** Ours only (flags() leaves it out): the entry holds its ID in full. */
const FLAG_WIDE = 4;
/** The ID a wide entry's 16 bytes and its flag take, past the flag byte. */
const WIDE_BYTES = 16;

/** Integers up to here are exact as numbers. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A node's entries may be this far from its master ID (zigzag varints stay exact). */
const MAX_DELTA = 1n << 51n;
const MAX_NUMBER_DELTA = 2 ** 51;
/** The deltas of the last fits() that said yes (every caller appends right after). */
let deltaMs = 0;
let deltaSeq = 0;
/** The ID of the last fits() when too far for deltas (its entry is wide), else undefined. */
let wideId: StreamId | undefined;
/** A wide entry's listpack bytes for its two deltas (Redis's int64 deltas). */
let wideDeltaBytes = 0;
/** STREAM_LISTPACK_MAX_SIZE: no listpack may pass 1 GB. */
export const STREAM_LISTPACK_MAX_SIZE = 1 << 30;
/** Listpack bytes of a node's fixed parts: header, end byte, and the master entry's terminator. */
const LISTPACK_BASE = 7 + 2;
/** The most bytes a varint takes here (values below 2^53). */
const VARINT_MAX = 8;

/** One stream entry: its ID and field/value pairs, flattened. */
export interface StreamEntry {
  id: StreamId;
  pairs: string[];
  /** The ID as text, once a reader formatted it (replies reuse it). */
  text?: string;
}

/**
 * An entry read by numbers (its ID's parts exact as numbers): the bigint ID
 * is made only when asked, since a range's replies need only the text.
 */
class NumberedEntry implements StreamEntry {
  #id: StreamId | undefined;

  constructor(
    readonly ms: number,
    readonly seq: number,
    readonly pairs: string[],
    public text: string,
  ) {}

  get id(): StreamId {
    return this.#id ??= (BigInt(this.ms) << 64n) | BigInt(this.seq);
  }
}

/** The ID parts numbersAt last read (NaN where not exact as a number). */
export let atMs = 0;
export let atSeq = 0;

/** Node size limits (stream-node-max-bytes, stream-node-max-entries; 0 = no limit). */
export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_NODE_LIMITS: NodeLimits = { maxBytes: 4096, maxEntries: 100 };

/**
 * One node: a master ID, master fields, and its packed entries in
 * `buf[start, end)`. Entry positions are offsets into `buf`.
 */
export class StreamNode {
  /** Entries not flagged deleted / flagged deleted. */
  live = 0;
  deleted = 0;
  /** lastId, or undefined until asked after an append (an XADD makes no bigint). */
  #lastId: StreamId | undefined;
  /** Size of the listpack Redis would hold for this node. */
  lpBytes: number;
  /** Where the last entry starts, from `start` (nodes move between slabs). */
  lastAt = 0;
  /**
   * The master ID's ms (in two fields, see partHigh) and seq as numbers (NaN
   * past 2^53), to format IDs without bigints.
   */
  readonly #msHigh: number;
  readonly #msLow: number;
  readonly #seq: number;
  /**
   * The master ID, or undefined until asked when made from exact numbers
   * (a node a small stream's conversion makes keeps no young bigint).
   */
  #master: StreamId | undefined;

  /** A node of master ID `master`, or of `ms`-`seq` (exact numbers) when `master` is undefined. */
  constructor(
    master: StreamId | undefined,
    readonly fields: string[],
    public buf: Uint8Array,
    public start: number,
    public end = start,
    ms = exactNumber(idMs(master!)),
    seq = exactNumber(idSeq(master!)),
  ) {
    this.#seq = narrowSeq(seq);
    this.#master = master ??
      (this.#seq === WIDE_SEQ ? (BigInt(ms) << 64n) | BigInt(seq) : undefined);
    this.#lastId = master;
    this.#msHigh = partHigh(ms);
    this.#msLow = partLow(ms, this.#msHigh);
    this.lpBytes = nodeBaseBytes(fields);
  }

  /** The master ID's seq (NaN past 2^53): #seq, or the master's when WIDE_SEQ. */
  #seqOf(): number {
    return this.#seq !== WIDE_SEQ ? this.#seq : exactNumber(idSeq(this.#master!));
  }

  /** The first entry's ID. */
  get master(): StreamId {
    return this.#master ??= (BigInt(partOf(this.#msHigh, this.#msLow)) << 64n) | BigInt(this.#seq);
  }

  /** The last entry is at `lastAt`: lastId is made from it when asked. */
  forgetLastId(): void {
    this.#lastId = undefined;
  }

  /** ID of the node's last entry, deleted or not. */
  get lastId(): StreamId {
    return this.#lastId ??= this.idAt(this.start + this.lastAt);
  }

  set lastId(id: StreamId) {
    this.#lastId = id;
  }

  /**
   * Readies the append() of `id` (not below the master): leaves its deltas
   * in deltaMs/deltaSeq, or, when a part is more than 2^51 away, `id` in
   * wideId for a wide entry. Through numbers when the IDs are exact as
   * numbers (any millisecond clock time): the bigint path allocates at
   * each step of an XADD. `ms` and `seq` are the ID's parts as numbers
   * (inexact or NaN past 2^53); `id` may be left undefined where they are
   * exact.
   */
  prepare(id: StreamId | undefined, ms: number, seq: number): void {
    wideId = undefined;
    const exact = ms <= Number.MAX_SAFE_INTEGER && seq <= Number.MAX_SAFE_INTEGER;
    const masterMs = partOf(this.#msHigh, this.#msLow);
    if (exact && !Number.isNaN(masterMs) && this.#seq !== WIDE_SEQ) {
      deltaMs = ms - masterMs;
      deltaSeq = seq - this.#seq;
      if (
        deltaMs <= MAX_NUMBER_DELTA && deltaSeq <= MAX_NUMBER_DELTA &&
        deltaSeq >= -MAX_NUMBER_DELTA
      ) return;
    }
    id ??= (BigInt(ms) << 64n) | BigInt(seq);
    const msDelta = idMs(id) - idMs(this.master);
    const seqDelta = idSeq(id) - idSeq(this.master);
    deltaMs = Number(msDelta);
    deltaSeq = Number(seqDelta);
    if (msDelta <= MAX_DELTA && seqDelta <= MAX_DELTA && seqDelta >= -MAX_DELTA) return;
    wideId = id;
    wideDeltaBytes = int64Bytes(msDelta) + int64Bytes(seqDelta);
  }

  /** The most bytes `append` may write for the pairs `pairs[from...]`. */
  static bound(pairs: readonly string[], from = 0): number {
    let need = 1 + 3 * VARINT_MAX;
    for (let i = from; i < pairs.length; i++) need += pairs[i]!.length + VARINT_MAX;
    return need;
  }

  /**
   * Appends the entry of the pairs `pairs[from...]` (`fits(id)` was just
   * true for its ID, and made room for `bound(pairs, from)` bytes).
   */
  append(pairs: readonly string[], from: number): void {
    this.lastAt = this.end - this.start;
    const same = this.hasFields(pairs, from);
    if (wideId === undefined) {
      this.end = encodeEntry(this.buf, this.end, pairs, from, same, deltaMs, deltaSeq);
    } else {
      // A wide entry: its ID in full, then what encodeEntry writes past 0 and 0.
      const p = this.end;
      // The flag and two one-byte varints end where the ID will.
      const end = encodeEntry(this.buf, p + WIDE_BYTES - 2, pairs, from, same, 0, 0);
      this.buf[p] = this.buf[p + WIDE_BYTES - 2]! | FLAG_WIDE;
      encodeIdBytes(wideId, this.buf, p + 1);
      this.end = end;
      entryBytes += wideDeltaBytes - 2 * listpackIntSize(0);
    }
    this.lpBytes += entryBytes;
    this.live++;
    this.#lastId = undefined;
  }

  /** Whether the node's master fields are the names of the pairs `pairs[from...]`. */
  hasFields(pairs: readonly string[], from = 0): boolean {
    const fields = this.fields;
    if (pairs.length - from !== fields.length * 2) return false;
    for (let i = 0; i < fields.length; i++) if (pairs[from + i * 2] !== fields[i]) return false;
    return true;
  }

  /** Positions of every entry (deleted ones included), in order. */
  offsets(): number[] {
    const out: number[] = [];
    for (let p = this.start; p < this.end; p = this.next(p)) out.push(p);
    return out;
  }

  /** The position just past the entry at `p` (`end` after the last). */
  next(p: number): number {
    const buf = this.buf;
    const same = (buf[p]! & FLAG_SAMEFIELDS) !== 0;
    p = buf[p]! & FLAG_WIDE ? p + 1 + WIDE_BYTES : skipVarint(buf, skipVarint(buf, p + 1));
    let strings = this.fields.length;
    if (!same) {
      strings = readVarint(buf, p) * 2;
      p = varintEnd;
    }
    for (let i = 0; i < strings; i++) p = readVarint(buf, p) + varintEnd;
    return p;
  }

  /**
   * Position of the first entry (deleted or not) with ID >= `id`, or `end`:
   * compares deltas as numbers, building no bigint per entry.
   */
  seek(id: StreamId): number {
    if (id <= this.master) return this.start;
    if (id > this.lastId) return this.end;
    const ms = Number(idMs(id) - idMs(this.master));
    const seq = Number(idSeq(id) - idSeq(this.master));
    const buf = this.buf;
    for (let p = this.start; p < this.end; p = this.next(p)) {
      if (buf[p]! & FLAG_WIDE) {
        if (this.idAt(p) >= id) return p;
        continue;
      }
      const entryMs = readVarint(buf, p + 1) / 2;
      if (entryMs > ms) return p;
      if (entryMs < ms) continue;
      if (unzigzag(readVarint(buf, varintEnd)) >= seq) return p;
    }
    return this.end;
  }

  /**
   * Position of the entry (deleted or not) whose ID is `id`, or -1: seek's
   * walk, comparing deltas as numbers, with no bigint made for an entry.
   */
  find(id: StreamId): number {
    if (id < this.master || id > this.lastId) return -1;
    const ms = Number(idMs(id) - idMs(this.master));
    const seq = Number(idSeq(id) - idSeq(this.master));
    const buf = this.buf;
    for (let p = this.start; p < this.end; p = this.next(p)) {
      if (buf[p]! & FLAG_WIDE) {
        const entry = this.idAt(p);
        if (entry >= id) return entry === id ? p : -1;
        continue;
      }
      const entryMs = readVarint(buf, p + 1) / 2;
      if (entryMs > ms) return -1;
      if (entryMs < ms) continue;
      const entrySeq = unzigzag(readVarint(buf, varintEnd));
      if (entrySeq >= seq) return entrySeq === seq ? p : -1;
    }
    return -1;
  }

  /** The entry's flags as Redis's (FLAG_DELETED, FLAG_SAMEFIELDS). */
  flags(p: number): number {
    return this.buf[p]! & (FLAG_DELETED | FLAG_SAMEFIELDS);
  }

  /** Flags the entry at `p` deleted (it must be live). */
  markDeleted(p: number): void {
    this.buf[p]! |= FLAG_DELETED;
    this.live--;
    this.deleted++;
  }

  /** The ID of the entry at `p`. */
  idAt(p: number): StreamId {
    if (this.buf[p]! & FLAG_WIDE) return decodeIdBytes(this.buf, p + 1);
    const msDelta = readVarint(this.buf, p + 1) / 2;
    const seqDelta = unzigzag(readVarint(this.buf, varintEnd));
    const id = seqDelta === 0 ? this.master : this.master + BigInt(seqDelta);
    return msDelta === 0 ? id : id + (BigInt(msDelta) << 64n);
  }

  /**
   * Reads the ID of the entry at `p` into atMs and atSeq as numbers, NaN
   * where a part is not exact (then idAt gives the ID).
   */
  numbersAt(p: number): void {
    if (this.buf[p]! & FLAG_WIDE) {
      const id = this.idAt(p);
      const [ms, seq] = [exactNumber(idMs(id)), exactNumber(idSeq(id))];
      const exact = !Number.isNaN(ms) && !Number.isNaN(seq);
      atMs = exact ? ms : NaN;
      atSeq = exact ? seq : NaN;
      return;
    }
    const ms = partOf(this.#msHigh, this.#msLow) + readVarint(this.buf, p + 1) / 2;
    const seq = this.#seqOf() + unzigzag(readVarint(this.buf, varintEnd));
    const exact = Number.isSafeInteger(ms) && Number.isSafeInteger(seq);
    atMs = exact ? ms : NaN;
    atSeq = exact ? seq : NaN;
  }

  /** The ID of the node's last live entry (the node has one). */
  lastLiveId(): StreamId {
    const last = this.start + this.lastAt;
    if (!(this.buf[last]! & FLAG_DELETED)) return this.lastId;
    let live = this.start;
    for (let p = this.start; p < last; p = this.next(p)) {
      if (!(this.buf[p]! & FLAG_DELETED)) live = p;
    }
    return this.idAt(live);
  }

  /** The entry at `p` (whose ID is `id`): ID, field/value pairs, and the ID's text when exact in numbers. */
  entryAt(p: number, id = this.idAt(p)): StreamEntry {
    const buf = this.buf;
    if (buf[p]! & FLAG_WIDE) return { id, pairs: this.#pairs(p, p + 1 + WIDE_BYTES) };
    const ms = partOf(this.#msHigh, this.#msLow) + readVarint(buf, p + 1) / 2;
    const seq = this.#seqOf() + unzigzag(readVarint(buf, varintEnd));
    const pairs = this.#pairs(p, varintEnd);
    if (Number.isSafeInteger(ms) && Number.isSafeInteger(seq)) {
      return { id, pairs, text: `${ms}-${seq}` };
    }
    return { id, pairs };
  }

  /** The entry at `p`, whose ID numbersAt just read as exact numbers (atMs, atSeq). */
  numberedEntryAt(p: number): StreamEntry {
    const buf = this.buf;
    const pairs = this.#pairs(
      p,
      buf[p]! & FLAG_WIDE ? p + 1 + WIDE_BYTES : skipVarint(buf, skipVarint(buf, p + 1)),
    );
    return new NumberedEntry(atMs, atSeq, pairs, `${atMs}-${atSeq}`);
  }

  /** The field/value pairs of the entry at `entry`, whose values start at `p`. */
  #pairs(entry: number, p: number): string[] {
    const buf = this.buf;
    const same = (buf[entry]! & FLAG_SAMEFIELDS) !== 0;
    const pairs: string[] = [];
    if (same) {
      for (const field of this.fields) {
        const len = readVarint(buf, p);
        pairs.push(field, bytesToBinary(buf, varintEnd, varintEnd + len));
        p = varintEnd + len;
      }
    } else {
      const n = readVarint(buf, p);
      p = varintEnd;
      for (let i = 0; i < n * 2; i++) {
        const len = readVarint(buf, p);
        pairs.push(bytesToBinary(buf, varintEnd, varintEnd + len));
        p = varintEnd + len;
      }
    }
    return pairs;
  }

  /** A node with the same entries, over the same bytes until the caller moves it. */
  copy(): StreamNode {
    const copy = new StreamNode(
      this.#master,
      this.fields,
      this.buf,
      this.start,
      this.end,
      partOf(this.#msHigh, this.#msLow),
      this.#seqOf(),
    );
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.lastId = this.lastId;
    copy.lpBytes = this.lpBytes;
    copy.lastAt = this.lastAt;
    return copy;
  }
}

/** Listpack bytes of a node with these master fields and no entries. */
export function nodeBaseBytes(fields: readonly string[]): number {
  let bytes = LISTPACK_BASE + 2 + 2 + listpackIntSize(fields.length);
  for (const f of fields) bytes += listpackElementSize(f);
  return bytes;
}

/** The listpack bytes the last encodeEntry's entry adds to its node. */
export let entryBytes = 0;

/**
 * Writes the entry of the pairs `pairs[from...]` at `buf[p]` in the node
 * format above (room for StreamNode.bound(pairs, from) bytes), its ID as
 * deltas from the node's master; `same`: its field names are the master
 * fields. Returns the end; leaves
 * the listpack bytes the entry adds in entryBytes. Small streams
 * (stream_small.ts) write their entries with it too, so their bytes are a
 * node's.
 */
export function encodeEntry(
  buf: Uint8Array,
  p: number,
  pairs: readonly string[],
  from: number,
  same: boolean,
  msDelta: number,
  seqDelta: number,
): number {
  buf[p++] = same ? FLAG_SAMEFIELDS : 0;
  p = writeVarint(buf, p, msDelta * 2);
  p = writeVarint(buf, p, seqDelta < 0 ? -seqDelta * 2 - 1 : seqDelta * 2);
  let bytes = 2 + listpackIntSize(msDelta) + listpackIntSize(seqDelta);
  const fieldCount = (pairs.length - from) / 2;
  if (!same) {
    p = writeVarint(buf, p, fieldCount);
    bytes += listpackIntSize(fieldCount);
  }
  for (let i = same ? from + 1 : from; i < pairs.length; i += same ? 2 : 1) {
    const s = pairs[i]!;
    p = writeVarint(buf, p, s.length);
    p = writeBinary(buf, p, s);
    bytes += listpackElementSize(s);
  }
  entryBytes = bytes + listpackIntSize(fieldCount + 3 + (same ? 0 : fieldCount + 1));
  return p;
}

/** The listpack bytes of a delta as Redis stores it: a 64-bit two's complement integer. */
function int64Bytes(delta: bigint): number {
  return listpackIntSize(Number(BigInt.asIntN(64, delta)));
}

/** An ID part as a number when exact, else NaN. */
export function exactNumber(v: bigint): number {
  return v <= SAFE ? Number(v) : NaN;
}

/**
 * Writes `v` (an integer below 2^53) as a varint at `buf[p]`; returns the
 * end. Most are one byte (counts, lengths, deltas): small enough to inline,
 * the longer ones in writeLongVarint (a new small stream wrote ~14 varints,
 * a sixth of its time in the calls).
 */
export function writeVarint(buf: Uint8Array, p: number, v: number): number {
  if (v < 128) {
    buf[p] = v;
    return p + 1;
  }
  return writeLongVarint(buf, p, v);
}

function writeLongVarint(buf: Uint8Array, p: number, v: number): number {
  if (v >= 2 ** 28) {
    // A millisecond time: its low 28 bits by integer steps. The high part by
    // an exact division and floor, not `%` (a double modulo is a C call).
    const high = Math.floor(v / 2 ** 28);
    const low = v - high * 2 ** 28;
    buf[p++] = (low & 127) | 128;
    buf[p++] = ((low >>> 7) & 127) | 128;
    buf[p++] = ((low >>> 14) & 127) | 128;
    buf[p++] = (low >>> 21) | 128;
    v = high;
  }
  while (v >= 128) {
    buf[p++] = (v & 127) | 128;
    v = v >>> 7;
  }
  buf[p++] = v;
  return p;
}

/**
 * Where the last `readVarint` stopped: a module variable rather than a
 * returned pair, so the hot loops (seeks, reads) allocate nothing.
 */
let varintEnd = 0;

function readVarint(buf: Uint8Array, p: number): number {
  let b = buf[p++]!;
  if (b < 128) {
    varintEnd = p;
    return b;
  }
  let v = b & 127;
  let scale = 128;
  for (;;) {
    b = buf[p++]!;
    v += (b & 127) * scale;
    if (b < 128) {
      varintEnd = p;
      return v;
    }
    scale *= 128;
  }
}

/** A zigzag varint's value. */
function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function skipVarint(buf: Uint8Array, p: number): number {
  while (buf[p]! >= 128) p++;
  return p + 1;
}

/**
 * Field-name arrays shared by every node whose entries have those names
 * (a node's fields are never changed): streams of one application mostly
 * use a few field sets, and a shared array is one object for the garbage
 * collector and hot in cache when an XADD to a cold stream compares its
 * fields. By the one name, and by length-prefixed names for several.
 * Bounded: cleared when full; names longer in all than SHARED_FIELDS_CHARS
 * get an array of their own.
 */
const sharedOneField = new Map<string, string[]>();
const sharedFieldSets = new Map<string, string[]>();
const SHARED_FIELD_SETS = 1024;
const SHARED_FIELDS_CHARS = 256;

/**
 * The field names of `pairs[from...]` (field, value, ...; `step` 2) or of
 * `names` (`step` 1) as an array nodes may share.
 */
export function fieldsOf(pairs: readonly string[], from: number, step: number): string[] {
  let chars = 0;
  for (let i = from; i < pairs.length; i += step) chars += pairs[i]!.length;
  const shareable = chars <= SHARED_FIELDS_CHARS;
  const count = (pairs.length - from) / step;
  const cache = count === 1 ? sharedOneField : sharedFieldSets;
  let key = pairs[from]!;
  if (shareable) {
    if (count > 1) {
      key = "";
      for (let i = from; i < pairs.length; i += step) key += `${pairs[i]!.length}:${pairs[i]}`;
    }
    const shared = cache.get(key);
    if (shared !== undefined) return shared;
  }
  // Sized up front: push() would give the array room for 17.
  const fields = new Array<string>(count);
  for (let i = 0; i < count; i++) fields[i] = pairs[from + i * step]!;
  if (shareable) {
    if (cache.size >= SHARED_FIELD_SETS) cache.clear();
    cache.set(key, fields);
  }
  return fields;
}

/**
 * Rax nodes under one node at `depth` holding sorted 16-byte keys [lo, hi)
 * (key i at keys[i * 16]): bytes all keys share make one compressed node, a
 * byte where they differ one branching node with a child per distinct byte,
 * the end of a key one leaf.
 */
export function raxNodes(keys: Uint8Array, lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  const first = lo * 16;
  const last = (hi - 1) * 16;
  let common = depth;
  while (common < 16 && keys[first + common] === keys[last + common]) common++;
  if (common > depth) return 1 + raxNodes(keys, lo, hi, common);
  let nodes = 1;
  for (let i = lo; i < hi;) {
    const byte = keys[i * 16 + depth];
    let j = i + 1;
    while (j < hi && keys[j * 16 + depth] === byte) j++;
    nodes += raxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return nodes;
}
