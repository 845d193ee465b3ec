/**
 * The stream type, laid out as Redis lays it out (t_stream.c): entries are
 * packed into nodes of at most `stream-node-max-entries` entries and
 * `stream-node-max-bytes` bytes (measured as the listpack Redis would build),
 * and the nodes sit in an array ordered by their master ID, so seeking an ID
 * is a binary search plus a scan of one node, and a range read is
 * sequential.
 *
 * A node is a byte range of a slab: the stream packs its nodes one after
 * another into shared Uint8Arrays (128 bytes for a new stream, doubling up
 * to 64 KB), because every ArrayBuffer costs V8 about 500 bytes beside its
 * bytes (measured: 10k buffers of 540 bytes take 15 MB of RSS, slabs holding
 * them 5.5 MB). Only the newest node
 * grows, at the end of the newest slab; when the slab is full the node
 * moves to a fresh one. A node's first entry's ID is its master ID and its
 * first entry's field names are the master fields; every entry stores
 *
 *   flags | ms delta | seq delta | values            (SAMEFIELDS: fields = master's)
 *   flags | ms delta | seq delta | n | field value... (otherwise)
 *
 * with deltas against the master ID as zigzag varints and strings as varint
 * length + bytes: "XADD s * f v" costs about six bytes, no JS object per entry.
 * XDEL and exact trimming only set the DELETED flag; a node whose entries are
 * all deleted is dropped. Like Redis 7.0, nodes are not otherwise compacted.
 */
import { MAP_ENTRY_BYTES, objectBytes } from "./memory.ts";
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { listpackElementSize, listpackIntSize } from "../persistence/listpack.ts";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from "./stream_groups.ts";
import { encodeIdBytes, ID_MAX, ID_MIN, idMs, idSeq, SEQ_MAX, type StreamId } from "./stream_id.ts";
import type { RedisObject } from "./value.ts";

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** Integers up to here are exact as numbers. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A node's entries may be this far from its master ID (zigzag varints stay exact). */
const MAX_DELTA = 1n << 51n;
const MAX_NUMBER_DELTA = 2 ** 51;
/** The deltas of the last fits() that said yes (every caller appends right after). */
let deltaMs = 0;
let deltaSeq = 0;
/** STREAM_LISTPACK_MAX_SIZE: no listpack may pass 1 GB. */
export const STREAM_LISTPACK_MAX_SIZE = 1 << 30;
/** Listpack bytes of a node's fixed parts: header, end byte, and the master entry's terminator. */
const LISTPACK_BASE = 7 + 2;
/**
 * Slabs double from the first's size to the last's, so a small stream holds
 * a small slab; a node too large for a slab gets one of its own.
 */
const FIRST_SLAB_BYTES = 128;
const SLAB_BYTES = 64 * 1024;
/** The most bytes a varint takes here (values below 2^53). */
const VARINT_MAX = 8;

/** One stream entry: its ID and field/value pairs, flattened. */
export interface StreamEntry {
  id: StreamId;
  pairs: string[];
  /** The ID as text, once a reader formatted it (replies reuse it). */
  text?: string;
}

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
  /** ID of the node's last entry, deleted or not. */
  lastId: StreamId;
  /** Size of the listpack Redis would hold for this node. */
  lpBytes: number;
  /** Where the last entry starts, from `start` (nodes move between slabs). */
  lastAt = 0;
  /** The master ID's ms and seq as numbers (NaN past 2^53), to format IDs without bigints. */
  readonly #ms: number;
  readonly #seq: number;

  constructor(
    readonly master: StreamId,
    readonly fields: string[],
    public buf: Uint8Array,
    public start: number,
    public end = start,
  ) {
    this.lastId = master;
    const ms = idMs(master);
    const seq = idSeq(master);
    this.#ms = ms <= SAFE ? Number(ms) : NaN;
    this.#seq = seq <= SAFE ? Number(seq) : NaN;
    let bytes = LISTPACK_BASE + 2 + 2 + listpackIntSize(fields.length);
    for (const f of fields) bytes += listpackElementSize(f);
    this.lpBytes = bytes;
  }

  /**
   * Whether `id` can be delta-encoded exactly in this node; if so, leaves
   * its deltas in deltaMs/deltaSeq for append(). Through numbers when the
   * IDs are exact as numbers (any millisecond clock time): the bigint path
   * allocates at each step of an XADD.
   */
  fits(id: StreamId): boolean {
    const ms = Number(idMs(id));
    const seq = Number(idSeq(id));
    const exact = ms <= Number.MAX_SAFE_INTEGER && seq <= Number.MAX_SAFE_INTEGER;
    if (exact && !Number.isNaN(this.#ms) && !Number.isNaN(this.#seq)) {
      deltaMs = ms - this.#ms;
      deltaSeq = seq - this.#seq;
      return deltaMs >= 0 && deltaMs <= MAX_NUMBER_DELTA && deltaSeq <= MAX_NUMBER_DELTA &&
        deltaSeq >= -MAX_NUMBER_DELTA;
    }
    const msDelta = idMs(id) - idMs(this.master);
    const seqDelta = idSeq(id) - idSeq(this.master);
    deltaMs = Number(msDelta);
    deltaSeq = Number(seqDelta);
    return msDelta >= 0n && msDelta <= MAX_DELTA && seqDelta <= MAX_DELTA &&
      seqDelta >= -MAX_DELTA;
  }

  /** The most bytes `append` may write for these pairs. */
  static bound(pairs: string[]): number {
    let need = 1 + 3 * VARINT_MAX;
    for (const s of pairs) need += s.length + VARINT_MAX;
    return need;
  }

  /** Appends an entry (`fits(id)` was just true, and made room for `bound(pairs)` bytes). */
  append(id: StreamId, pairs: string[]): void {
    const msDelta = deltaMs;
    const seqDelta = deltaSeq;
    const same = this.#sameFields(pairs);
    const buf = this.buf;
    let p = this.end;
    this.lastAt = p - this.start;
    buf[p++] = same ? FLAG_SAMEFIELDS : 0;
    p = writeVarint(buf, p, msDelta * 2);
    p = writeVarint(buf, p, seqDelta < 0 ? -seqDelta * 2 - 1 : seqDelta * 2);
    let bytes = 2 + listpackIntSize(msDelta) + listpackIntSize(seqDelta);
    const fieldCount = pairs.length / 2;
    if (!same) {
      p = writeVarint(buf, p, fieldCount);
      bytes += listpackIntSize(fieldCount);
    }
    for (let i = same ? 1 : 0; i < pairs.length; i += same ? 2 : 1) {
      const s = pairs[i]!;
      p = writeVarint(buf, p, s.length);
      p = writeBinary(buf, p, s);
      bytes += listpackElementSize(s);
    }
    bytes += listpackIntSize(fieldCount + 3 + (same ? 0 : fieldCount + 1));
    this.end = p;
    this.lpBytes += bytes;
    this.live++;
    this.lastId = id;
  }

  #sameFields(pairs: string[]): boolean {
    const fields = this.fields;
    if (pairs.length !== fields.length * 2) return false;
    for (let i = 0; i < fields.length; i++) if (pairs[i * 2] !== fields[i]) return false;
    return true;
  }

  /** Whether the node's entries have the field names of `pairs` as master fields. */
  hasFields(pairs: string[]): boolean {
    return this.#sameFields(pairs);
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
    p = skipVarint(buf, skipVarint(buf, p + 1));
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
      const entryMs = readVarint(buf, p + 1) / 2;
      if (entryMs > ms) return p;
      if (entryMs < ms) continue;
      if (unzigzag(readVarint(buf, varintEnd)) >= seq) return p;
    }
    return this.end;
  }

  flags(p: number): number {
    return this.buf[p]!;
  }

  /** Flags the entry at `p` deleted (it must be live). */
  markDeleted(p: number): void {
    this.buf[p]! |= FLAG_DELETED;
    this.live--;
    this.deleted++;
  }

  /** The ID of the entry at `p`. */
  idAt(p: number): StreamId {
    const msDelta = readVarint(this.buf, p + 1) / 2;
    const seqDelta = unzigzag(readVarint(this.buf, varintEnd));
    const id = seqDelta === 0 ? this.master : this.master + BigInt(seqDelta);
    return msDelta === 0 ? id : id + (BigInt(msDelta) << 64n);
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
    const same = (buf[p]! & FLAG_SAMEFIELDS) !== 0;
    const ms = this.#ms + readVarint(buf, p + 1) / 2;
    const seq = this.#seq + unzigzag(readVarint(buf, varintEnd));
    p = varintEnd;
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
    if (Number.isSafeInteger(ms) && Number.isSafeInteger(seq)) {
      return { id, pairs, text: `${ms}-${seq}` };
    }
    return { id, pairs };
  }

  /** A node with the same entries, over the same bytes until the caller moves it. */
  copy(): StreamNode {
    const copy = new StreamNode(this.master, this.fields, this.buf, this.start, this.end);
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.lastId = this.lastId;
    copy.lpBytes = this.lpBytes;
    copy.lastAt = this.lastAt;
    return copy;
  }
}

function writeVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    buf[p++] = (v % 128) | 128;
    v = Math.floor(v / 128);
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
 * Rax nodes under one node at `depth` holding sorted 16-byte keys [lo, hi)
 * (key i at keys[i * 16]): bytes all keys share make one compressed node, a
 * byte where they differ one branching node with a child per distinct byte,
 * the end of a key one leaf.
 */
function raxNodes(keys: Uint8Array, lo: number, hi: number, depth: number): number {
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

/** How XADD picks the new entry's ID. */
export type IdRequest =
  | { kind: "auto" }
  | { kind: "explicit"; id: StreamId }
  /** `ms-*`: the given ms, seq after the last entry's if ms is the same. */
  | { kind: "partial"; ms: bigint };

/** Why XADD could not add: the ID is not above the top item, or the entry is too large. */
export type AddFailure = "order" | "size";

export interface TrimSpec {
  strategy: "maxlen" | "minid";
  /** MAXLEN count (number) or MINID threshold (ID). */
  maxlen?: number;
  minid?: StreamId;
  /** `~`: only remove whole nodes. */
  approx: boolean;
  /** LIMIT: most entries removed (0 = no limit). */
  limit: number;
}

export class Stream implements RedisObject {
  readonly type = "stream" as const;
  /** Nodes ordered by master ID. */
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = ID_MIN;
  /** First live entry's ID (0-0 when empty). */
  firstId: StreamId = ID_MIN;
  maxDeletedId: StreamId = ID_MIN;
  entriesAdded = 0;
  /** Consumer groups by name. */
  groups = new Map<string, ConsumerGroup>();
  /** The slab new entries go to, and its first free byte. */
  #slab = new Uint8Array(0);
  #slabUsed = 0;
  #tailClosed = false;

  encoding(): string {
    return "stream";
  }

  /**
   * Bytes on the V8 heap, estimated in O(1) but for the (few) groups, so it
   * stays current after every write: entries at the newest node's bytes per
   * entry (nodes are packed alike), a fixed cost per node, and per group, per
   * consumer and per pending entry (one small object and its index slot).
   */
  memoryUsage(): number {
    const last = this.nodes.at(-1);
    const perEntry = last === undefined
      ? 0
      : (last.end - last.start) / Math.max(1, last.live + last.deleted);
    let groups = 0;
    // Runs after every XADD: no iterator for the usual stream without groups.
    if (this.groups.size > 0) {
      for (const group of this.groups.values()) {
        groups += objectBytes(8) + group.consumers.size * objectBytes(6) +
          group.pel.size * (objectBytes(4) + MAP_ENTRY_BYTES);
      }
    }
    return objectBytes(8) + this.nodes.length * objectBytes(8) +
      Math.round(perEntry * (this.length)) + groups;
  }

  size(): number {
    return this.length;
  }

  /**
   * Adds an entry as XADD does (streamAppendItem): picks its ID per `request`
   * (auto: the current ms `now`, or last + 1), refuses IDs not above the last
   * one ("order") and entries over 1 GB ("size"; also, as Redis 7.0 replies,
   * for `ms-*` after the last seq of that ms).
   */
  add(
    pairs: string[],
    request: IdRequest,
    now: number,
    limits = DEFAULT_NODE_LIMITS,
  ): StreamId | AddFailure {
    const id = this.#pickId(request, now);
    if (id === "size") return id;
    if (id === undefined || id <= this.lastId) return "order";
    let total = 0;
    for (const s of pairs) total += s.length;
    if (total > STREAM_LISTPACK_MAX_SIZE) return "size";
    this.appendEntry(id, pairs, limits, total);
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return id;
  }

  #pickId(request: IdRequest, now: number): StreamId | "size" | undefined {
    switch (request.kind) {
      case "explicit":
        return request.id;
      case "partial":
        if (request.ms !== idMs(this.lastId)) return request.ms << 64n;
        // Redis 7.0 fails this case without setting errno, and so replies
        // with its "too large" error.
        return idSeq(this.lastId) === SEQ_MAX ? "size" : this.lastId + 1n;
      case "auto": {
        const ms = BigInt(now);
        if (ms > idMs(this.lastId)) return ms << 64n;
        return this.lastId === ID_MAX ? undefined : this.lastId + 1n;
      }
    }
  }

  /**
   * Appends a live entry with an ID above every other, without touching
   * counters but length: to the newest node unless a node limit, the delta
   * range or `closeTail` says a new node starts.
   */
  appendEntry(id: StreamId, pairs: string[], limits: NodeLimits, total?: number): void {
    let tail = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : undefined;
    if (tail !== undefined) {
      const size = total ?? pairs.reduce((n, s) => n + s.length, 0);
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > STREAM_LISTPACK_MAX_SIZE
        ? STREAM_LISTPACK_MAX_SIZE
        : limits.maxBytes;
      if (
        this.#tailClosed || tail.lpBytes + size >= maxBytes ||
        (limits.maxEntries > 0 && tail.live + tail.deleted >= limits.maxEntries) ||
        !tail.fits(id)
      ) {
        this.#seal(tail);
        tail = undefined;
      }
    }
    if (tail === undefined) {
      tail = this.#startNode(id, pairs);
      // Sets the deltas append() writes (0 and 0: `id` is the new node's master).
      tail.fits(id);
    }
    this.#reserve(tail, StreamNode.bound(pairs));
    tail.append(id, pairs);
    if (tail.buf === this.#slab) this.#slabUsed = tail.end;
    this.length++;
  }

  /** Makes the next appended entry start a new node (RDB loading keeps Redis's node boundaries). */
  closeTail(): void {
    this.#tailClosed = this.nodes.length > 0;
  }

  /** A new newest node at the free end of the slab; its field names shared with the previous node's when equal. */
  #startNode(id: StreamId, pairs: string[]): StreamNode {
    this.#tailClosed = false;
    const previous = this.nodes.at(-1);
    let fields: string[];
    if (previous?.hasFields(pairs)) {
      fields = previous.fields;
    } else {
      fields = [];
      for (let i = 0; i < pairs.length; i += 2) fields.push(pairs[i]!);
    }
    const node = new StreamNode(id, fields, this.#slab, this.#slabUsed);
    this.nodes.push(node);
    return node;
  }

  /** A node that will not grow again gives back the spare bytes of a slab of its own. */
  #seal(node: StreamNode): void {
    if (node.buf.length <= SLAB_BYTES || node.start !== 0) return;
    if (node.buf === this.#slab) {
      this.#slab = new Uint8Array(0);
      this.#slabUsed = 0;
    }
    node.buf = node.buf.slice(0, node.end);
  }

  /** Room for `extra` more bytes after the newest node, which moves to a new slab when its own is full. */
  #reserve(node: StreamNode, extra: number): void {
    const inPlace = node.buf === this.#slab && node.end === this.#slabUsed;
    if (inPlace && node.end + extra <= this.#slab.length) return;
    this.#place(node, extra);
  }

  /** Copies `node` to the slab's free space, or to a new slab, leaving `extra` bytes after it. */
  #place(node: StreamNode, extra: number): void {
    const size = node.end - node.start;
    if (this.#slabUsed + size + extra > this.#slab.length) {
      const need = size + extra;
      // A large node that may still grow gets half its size to spare.
      const spare = extra > 0 ? need >> 1 : 0;
      const next = Math.min(SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.#slab.length * 2));
      this.#slab = new Uint8Array(need <= next ? next : need + spare);
      this.#slabUsed = 0;
    }
    this.#slab.set(node.buf.subarray(node.start, node.end), this.#slabUsed);
    node.buf = this.#slab;
    node.start = this.#slabUsed;
    node.end = node.start + size;
    this.#slabUsed = node.end;
  }

  /** Index of the node that may hold `id`: the last with master <= id (or 0). */
  #nodeFor(id: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.nodes[mid]!.master <= id) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  /** Live entries with start <= id <= end, ascending or (reverse) descending. */
  *range(start: StreamId, end: StreamId, reverse = false): Generator<StreamEntry> {
    if (start > end || this.length === 0) return;
    if (!reverse) {
      for (let n = this.#nodeFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n]!;
        if (node.master > end) return;
        if (node.lastId < start) continue;
        for (let p = node.seek(start); p < node.end; p = node.next(p)) {
          if (node.flags(p) & FLAG_DELETED) continue;
          const id = node.idAt(p);
          if (id > end) return;
          yield node.entryAt(p, id);
        }
      }
    } else {
      for (let n = this.#nodeFor(end); n >= 0; n--) {
        const node = this.nodes[n]!;
        if (node.lastId < start) return;
        const offsets = node.offsets();
        for (let i = offsets.length - 1; i >= 0; i--) {
          const p = offsets[i]!;
          if (node.flags(p) & FLAG_DELETED) continue;
          const id = node.idAt(p);
          if (id > end) continue;
          if (id < start) return;
          yield node.entryAt(p, id);
        }
      }
    }
  }

  /** The live entry with this ID, if any. */
  get(id: StreamId): StreamEntry | undefined {
    for (const entry of this.range(id, id)) return entry;
    return undefined;
  }

  /** The last live entry's ID (the stream is not empty), without decoding it. */
  lastLiveId(): StreamId {
    return this.nodes[this.nodes.length - 1]!.lastLiveId();
  }

  /** First or last live entry. */
  edge(last: boolean): StreamEntry | undefined {
    for (const entry of this.range(ID_MIN, ID_MAX, last)) return entry;
    return undefined;
  }

  /**
   * Deletes one live entry (flags it), as XDEL does for each ID: updates the
   * max deleted ID and the first ID. Returns whether it existed.
   */
  delete(id: StreamId): boolean {
    const n = this.#nodeFor(id);
    const node = this.nodes[n]!;
    if (node === undefined || node.lastId < id) return false;
    for (let p = node.start; p < node.end; p = node.next(p)) {
      if (node.idAt(p) !== id) continue;
      if (node.flags(p) & FLAG_DELETED) return false;
      if (node.live === 1) this.nodes.splice(n, 1);
      else node.markDeleted(p);
      this.length--;
      if (id > this.maxDeletedId) this.maxDeletedId = id;
      if (this.length === 0) this.firstId = ID_MIN;
      else if (id === this.firstId) this.firstId = this.edge(false)!.id;
      return true;
    }
    return false;
  }

  /**
   * How many nodes Redis's radix tree (rax) over the nodes' master IDs (16
   * big-endian bytes) has, as XINFO STREAM reports: O(nodes) to compute.
   */
  radixTreeNodes(): number {
    const keys = new Uint8Array(this.nodes.length * 16);
    this.nodes.forEach((node, i) => encodeIdBytes(node.master, keys, i * 16));
    return this.nodes.length === 0 ? 1 : raxNodes(keys, 0, this.nodes.length, 0);
  }

  /** Trims from the head as streamTrim does; returns how many entries went. */
  trim(spec: TrimSpec): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (spec.strategy === "maxlen" && this.length <= spec.maxlen!) break;
      const node = this.nodes[0]!;
      const entries = node.live;
      if (spec.limit > 0 && deleted + entries > spec.limit) break;
      const removeNode = spec.strategy === "maxlen"
        ? this.length - entries >= spec.maxlen!
        : node.lastId < spec.minid!;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      deleted += this.#trimInside(node, spec);
      if (node.live === 0) this.nodes.shift();
      break;
    }
    if (this.length === 0) this.firstId = ID_MIN;
    else if (deleted > 0) this.firstId = this.edge(false)!.id;
    return deleted;
  }

  /** Flags entries of the head node deleted until the spec is met. */
  #trimInside(node: StreamNode, spec: TrimSpec): number {
    let deleted = 0;
    for (let p = node.start; p < node.end; p = node.next(p)) {
      const stop = spec.strategy === "maxlen"
        ? this.length <= spec.maxlen!
        : node.idAt(p) >= spec.minid!;
      if (stop) break;
      if (node.flags(p) & FLAG_DELETED) continue;
      node.markDeleted(p);
      this.length--;
      deleted++;
    }
    return deleted;
  }

  /**
   * The logical read counter of `id` (how many entries were ever added up to
   * it), or ENTRIES_READ_UNKNOWN if it cannot be known
   * (streamEstimateDistanceFromFirstEverEntry).
   */
  estimateEntriesRead(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return ENTRIES_READ_UNKNOWN;
    if (this.maxDeletedId === ID_MIN || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return ENTRIES_READ_UNKNOWN;
  }

  /** Whether a deleted entry may lie in [start, end] (streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamId, end: StreamId = ID_MAX): boolean {
    if (this.length === 0 || this.maxDeletedId === ID_MIN) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** A group's lag: entries not yet delivered to it, or undefined if unknown. */
  lag(group: ConsumerGroup): number | undefined {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !this.rangeHasTombstones(group.lastId)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.estimateEntriesRead(group.lastId);
    return read === ENTRIES_READ_UNKNOWN ? undefined : this.entriesAdded - read;
  }

  /**
   * Updates a group's entries-read after delivering `id` to it, as
   * streamReplyWithRange does for `>` reads.
   */
  advanceGroup(group: ConsumerGroup, id: StreamId): void {
    if (id <= group.lastId) return;
    if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !this.rangeHasTombstones(id)) {
      group.entriesRead++;
    } else if (this.entriesAdded > 0) {
      group.entriesRead = this.estimateEntriesRead(id);
    }
    group.lastId = id;
  }

  clone(): Stream {
    const copy = new Stream();
    for (const node of this.nodes) {
      const moved = node.copy();
      copy.#place(moved, 0);
      copy.nodes.push(moved);
    }
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    return copy;
  }
}
