/**
 * A stream's full form (stream.ts keeps a small stream as one string until
 * it needs this), laid out as Redis lays it out (t_stream.c): entries are
 * packed into nodes (stream_node.ts) of at most `stream-node-max-entries`
 * entries and `stream-node-max-bytes` bytes (measured as the listpack Redis
 * would build), and the nodes sit in an array ordered by their master ID
 * (made with the second node: one node is the body's tail alone), so
 * seeking an ID is a binary search plus a scan of one node, and a range read
 * is sequential.
 *
 * A node is a byte range of a slab: the stream packs its nodes one after
 * another into shared Uint8Arrays (128 bytes for a new stream, doubling up
 * to 64 KB), because every ArrayBuffer costs V8 about 500 bytes beside its
 * bytes (measured: 10k buffers of 540 bytes take 15 MB of RSS, slabs holding
 * them 5.5 MB). Slabs up to 512 bytes are windows of an 8 KB pool shared by
 * all streams, for the same reason and because allocating an ArrayBuffer
 * takes about 1 µs (measured alone), which XADD to a new key paid. Only the
 * newest node grows, at the end of the newest slab; when the slab is full
 * the node moves to a fresh one. A node whose entries are all deleted is
 * dropped. Like Redis 7.0, nodes are not otherwise compacted.
 */
import { MAP_ENTRY_BYTES, objectBytes } from "./memory.ts";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from "./stream_groups.ts";
import {
  encodeIdBytes,
  formatId,
  ID_MAX,
  ID_MIN,
  idMs,
  idSeq,
  makeId,
  NAN_HIGH,
  narrowSeq,
  partHigh,
  partLow,
  partOf,
  SEQ_MAX,
  type StreamId,
  WIDE_SEQ,
} from "./stream_id.ts";
import {
  atMs,
  atSeq,
  DEFAULT_NODE_LIMITS,
  exactNumber,
  fieldsOf,
  FLAG_DELETED,
  type NodeLimits,
  raxNodes,
  STREAM_LISTPACK_MAX_SIZE,
  type StreamEntry,
  StreamNode,
} from "./stream_node.ts";

/**
 * A bound's ID part as a number to compare exact parts with: Infinity past
 * 2^53, above every exact part as the bigint is.
 */
function boundPart(part: bigint): number {
  return part <= SAFE_PART ? Number(part) : Infinity;
}

const SAFE_PART = BigInt(Number.MAX_SAFE_INTEGER);

/** 2^64: a millisecond time times this is its ID with seq 0, exactly as a double. */
const SEQ_SPAN = 2 ** 64;
/** The ms msId last turned into an ID, and that ID (XADDs to many keys in one ms share it). */
let cachedMs = -1;
let cachedMsId: StreamId = ID_MIN;
/**
 * Slabs double from the first's size to the last's, so a small stream holds
 * a small slab; a node too large for a slab gets one of its own.
 */
const FIRST_SLAB_BYTES = 128;
const SLAB_BYTES = 64 * 1024;
/**
 * Slabs this small are cut from a shared pool. A pool lives while any of its
 * windows does, so a few long-lived small streams may hold a whole pool; a
 * window a stream outgrew stays unused until then (at most 128 + 256 bytes
 * per stream, less than an ArrayBuffer's own cost).
 */
const POOLED_SLAB_BYTES = 512;
const POOL_BYTES = 8 * 1024;
/** Nodes up to this size move by a loop of stores: set() of a subarray makes a view object. */
const COPY_LOOP_BYTES = 1024;
let pool = new Uint8Array(0);
let poolUsed = 0;
/** Where in its buffer the slab newSlab last returned starts. */
let slabAt = 0;
/** The slab of a stream that has none yet (nothing is ever written to it). */
const NO_SLAB = new Uint8Array(0);

/**
 * The buffer of a fresh slab of `size` bytes, which starts at `slabAt`: a
 * window of the pool when small (no view object of its own).
 */
function newSlab(size: number): Uint8Array {
  slabAt = 0;
  if (size > POOLED_SLAB_BYTES) return new Uint8Array(size);
  if (poolUsed + size > pool.length) {
    pool = new Uint8Array(POOL_BYTES);
    poolUsed = 0;
  }
  slabAt = poolUsed;
  poolUsed += size;
  return pool;
}

/** `ms`-0 for an integer ms below 2^53 (one bigint shared while the ms lasts). */
export function msId(ms: number): StreamId {
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedMsId = BigInt(ms * SEQ_SPAN);
  }
  return cachedMsId;
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

export class StreamBody {
  /**
   * Nodes ordered by master ID, or undefined while they are the tail alone
   * (or none): a small stream's conversion makes no array, the second node
   * does (see `nodes`).
   */
  #nodes: StreamNode[] | undefined;
  length = 0;
  /**
   * The last ID, or undefined until asked while #lastMs and #lastSeq are
   * exact (an XADD makes no bigint).
   */
  #lastId: StreamId | undefined = ID_MIN;
  /**
   * The last ID's ms and seq as numbers (NaN past 2^53), so XADD picks and
   * formats the next ID without bigint arithmetic.
   */
  #lastMsHigh = 0;
  #lastMsLow = 0;
  #lastSeq = 0;
  /**
   * First live entry's ID (0-0 when empty), or undefined while it is the
   * first node's master ID (adoptNode: no bigint until asked).
   */
  #firstId: StreamId | undefined = ID_MIN;
  maxDeletedId: StreamId = ID_MIN;
  entriesAdded = 0;
  /** Consumer groups by name, made on first use (most streams have none). */
  #groups: Map<string, ConsumerGroup> | undefined;
  /** The buffer holding the slab new entries go to; the slab's first free byte, end and size. */
  #slab: Uint8Array = NO_SLAB;
  #slabUsed = 0;
  #slabEnd = 0;
  #slabSize = 0;
  /**
   * The newest node while appends go to it: undefined when there is none or
   * closeTail() said the next entry starts a node. An XADD reaches it
   * without the array and its elements (two dependent cache misses over
   * many streams).
   */
  #tail: StreamNode | undefined;

  /**
   * Sets the last ID's ms's two fields (read as partOf(#lastMsHigh, #lastMsLow):
   * private accessors for it were not inlined, and each call boxed the
   * number it returned or took).
   */
  #setLastMs(ms: number): void {
    const high = partHigh(ms);
    this.#lastMsHigh = high;
    this.#lastMsLow = partLow(ms, high);
  }

  /** Nodes ordered by master ID (the array made on first use). */
  get nodes(): StreamNode[] {
    return this.#nodes ??= this.#tail === undefined ? [] : [this.#tail];
  }

  /** How many nodes there are, without making the array. */
  #nodeCount(): number {
    return this.#nodes === undefined ? (this.#tail === undefined ? 0 : 1) : this.#nodes.length;
  }

  /** The first node, if any (without making the array). */
  get firstNode(): StreamNode | undefined {
    return this.#nodes === undefined ? this.#tail : this.#nodes[0];
  }

  /** The newest node, if any (without making the array). */
  #lastNode(): StreamNode | undefined {
    return this.#nodes === undefined ? this.#tail : this.#nodes[this.#nodes.length - 1];
  }

  /** First live entry's ID (0-0 when empty). */
  get firstId(): StreamId {
    return this.#firstId ?? this.firstNode!.master;
  }

  set firstId(id: StreamId) {
    this.#firstId = id;
  }

  /** The last ID XADD added or XSETID set (0-0 for none). */
  get lastId(): StreamId {
    return this.#lastId ??= (BigInt(partOf(this.#lastMsHigh, this.#lastMsLow)) << 64n) |
      BigInt(this.#lastSeq);
  }

  set lastId(id: StreamId) {
    this.#lastId = id;
    this.#setLastMs(exactNumber(idMs(id)));
    this.#lastSeq = narrowSeq(exactNumber(idSeq(id)));
  }

  /** Sets the last ID by its parts, exact numbers (no bigint until lastId is asked). */
  setLastNumbers(ms: number, seq: number): void {
    this.#setLastMs(ms);
    this.#lastSeq = narrowSeq(seq);
    this.#lastId = this.#lastSeq === WIDE_SEQ ? makeId(BigInt(ms), BigInt(seq)) : undefined;
  }

  /** Whether the last ID is the largest there is (XADD can add nothing after it). */
  exhausted(): boolean {
    // ID_MAX's parts are not exact as numbers.
    return this.#lastMsHigh === NAN_HIGH && this.#lastId === ID_MAX;
  }

  /** lastId's ms and seq as numbers, NaN past 2^53 (replies write them without a string). */
  get lastMs(): number {
    return partOf(this.#lastMsHigh, this.#lastMsLow);
  }

  get lastSeq(): number {
    const seq = this.#lastSeq;
    return seq !== WIDE_SEQ ? seq : exactNumber(idSeq(this.#lastId!));
  }

  /** formatId(lastId), from the numbers when they are exact. */
  lastIdText(): string {
    const seq = this.lastSeq;
    return Number.isNaN(partOf(this.#lastMsHigh, this.#lastMsLow)) || Number.isNaN(seq)
      ? formatId(this.lastId)
      : `${partOf(this.#lastMsHigh, this.#lastMsLow)}-${seq}`;
  }

  get groups(): Map<string, ConsumerGroup> {
    return this.#groups ??= new Map();
  }

  /** Whether the stream has a consumer group. */
  get hasGroups(): boolean {
    return this.#groups !== undefined && this.#groups.size > 0;
  }

  /**
   * Bytes on the V8 heap, estimated in O(1) but for the (few) groups, so it
   * stays current after every write: entries at the newest node's bytes per
   * entry (nodes are packed alike), a fixed cost per node, and per group, per
   * consumer and per pending entry (one small object and its index slot).
   */
  memoryUsage(): number {
    const last = this.#lastNode();
    const perEntry = last === undefined
      ? 0
      : (last.end - last.start) / Math.max(1, last.live + last.deleted);
    let groups = 0;
    // Runs after every XADD: no iterator for the usual stream without groups.
    if (this.#groups !== undefined && this.#groups.size > 0) {
      for (const group of this.#groups.values()) {
        groups += objectBytes(8) + group.consumers.size * objectBytes(6) +
          group.pel.size * (objectBytes(4) + MAP_ENTRY_BYTES);
      }
    }
    return objectBytes(8) + this.#nodeCount() * objectBytes(8) +
      Math.round(perEntry * (this.length)) + groups;
  }

  size(): number {
    return this.length;
  }

  /**
   * Adds an entry as XADD does (streamAppendItem), its pairs `pairs[from...]`
   * (XADD's argv, not copied): picks its ID per `request` (auto: the current
   * ms `now`, or last + 1), refuses IDs not above the last one ("order") and
   * entries over 1 GB ("size"; also, as Redis 7.0 replies, for `ms-*` after
   * the last seq of that ms). `now` is an integer. The new ID is then lastId
   * (lastMs, lastSeq without a bigint); undefined when added.
   */
  addFrom(
    pairs: readonly string[],
    from: number,
    request: IdRequest,
    now: number,
    limits = DEFAULT_NODE_LIMITS,
  ): AddFailure | undefined {
    let id: StreamId | undefined;
    let ms: number;
    let seq: number;
    // Auto IDs by numbers while the last ms and seq are exact (both tests
    // are false for NaN), so XADD builds at most one bigint.
    // An exact ID stays numbers (lastId makes the bigint when asked): a
    // young bigint stored into an old stream would survive the next scavenge.
    if (request.kind === "auto" && now > partOf(this.#lastMsHigh, this.#lastMsLow)) {
      ms = now;
      seq = 0;
    } else if (request.kind === "auto" && this.#lastSeq !== WIDE_SEQ) {
      ms = partOf(this.#lastMsHigh, this.#lastMsLow);
      seq = this.#lastSeq + 1;
      // The bigint only where ms is not exact (NaN).
      id = ms === ms ? undefined : this.lastId + 1n;
    } else {
      const picked = this.#pickId(request, now);
      if (picked === "size") return picked;
      if (picked === undefined || picked <= this.lastId) return "order";
      id = picked;
      ms = exactNumber(idMs(id));
      seq = exactNumber(idSeq(id));
    }
    let total = 0;
    for (let i = from; i < pairs.length; i++) total += pairs[i]!.length;
    if (total > STREAM_LISTPACK_MAX_SIZE) return "size";
    this.#append(id, ms, seq, pairs, from, limits, total);
    this.entriesAdded++;
    this.#setLastMs(ms);
    this.#lastSeq = narrowSeq(seq);
    this.#lastId = id ?? (this.#lastSeq === WIDE_SEQ ? makeId(BigInt(ms), BigInt(seq)) : undefined);
    if (this.length === 1) this.firstId = this.lastId;
    return undefined;
  }

  /** The ID `request` asks for, by bigints. */
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
  appendEntry(id: StreamId, pairs: string[], limits: NodeLimits): void {
    let total = 0;
    for (const s of pairs) total += s.length;
    this.#append(id, exactNumber(idMs(id)), exactNumber(idSeq(id)), pairs, 0, limits, total);
  }

  /**
   * appendEntry of the pairs `pairs[from...]`, with the ID's parts as
   * numbers (NaN past 2^53; `id` may be undefined where they are exact) and
   * the pairs' total length.
   */
  #append(
    id: StreamId | undefined,
    ms: number,
    seq: number,
    pairs: readonly string[],
    from: number,
    limits: NodeLimits,
    total: number,
  ): void {
    let tail = this.#tail;
    if (tail !== undefined) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > STREAM_LISTPACK_MAX_SIZE
        ? STREAM_LISTPACK_MAX_SIZE
        : limits.maxBytes;
      if (
        tail.lpBytes + total >= maxBytes ||
        (limits.maxEntries > 0 && tail.live + tail.deleted >= limits.maxEntries)
      ) {
        this.#seal(tail);
        tail = undefined;
      }
    }
    // Without `id` where ms and seq are exact: the node makes its master when asked.
    if (tail === undefined) tail = this.#startNode(id, ms, seq, pairs, from);
    // Sets the deltas append() writes (0 and 0 when the ID is a new node's master).
    tail.prepare(id, ms, seq);
    this.#reserve(tail, StreamNode.bound(pairs, from));
    tail.append(pairs, from);
    if (tail.buf === this.#slab) this.#slabUsed = tail.end;
    this.length++;
  }

  /**
   * Makes an empty stream's one node of `count` live entries from the node
   * bytes `src[from, to)` (stream_node.ts's format, as a small stream
   * keeps them: stream_small.ts), master ID `ms`-`seq` (exact numbers) and
   * these master field names: the bytes are copied as they are, where
   * appending the entries again decoded and encoded each (3.3 us for 14
   * short entries). The counters but length stay the caller's.
   */
  adoptNode(
    ms: number,
    seq: number,
    names: readonly string[],
    src: Uint8Array,
    from: number,
    to: number,
    count: number,
    lpBytes: number,
  ): void {
    const slab = this.#slab;
    const node = new StreamNode(
      undefined,
      fieldsOf(names, 0, 1),
      slab,
      this.#slabUsed,
      this.#slabUsed,
      ms,
      seq,
    );
    this.#tail = node;
    // A slab twice the first's: the append that made the full form needs
    // room after the bytes, and the first slab would be left at once.
    this.#slabSize = FIRST_SLAB_BYTES;
    this.#reserve(node, to - from);
    const buf = node.buf;
    let p = node.end;
    for (let i = from; i < to; i++) buf[p++] = src[i]!;
    node.end = p;
    this.#slabUsed = p;
    let last = node.start;
    for (let i = 1; i < count; i++) last = node.next(last);
    node.lastAt = last - node.start;
    node.forgetLastId();
    node.live = count;
    node.lpBytes = lpBytes;
    this.length = count;
    this.#firstId = undefined;
  }

  /** Makes the next appended entry start a new node (RDB loading keeps Redis's node boundaries). */
  closeTail(): void {
    if (this.#tail === undefined) return;
    // The nodes are no longer the tail alone.
    this.#nodes ??= [this.#tail];
    this.#seal(this.#tail);
    this.#tail = undefined;
  }

  /** Whether closeTail() holds: the next entry starts a node. */
  get tailClosed(): boolean {
    return this.#tail === undefined && this.#nodeCount() > 0;
  }

  /** A new newest node at the free end of the slab; its field names shared with the previous node's when equal. */
  #startNode(
    id: StreamId | undefined,
    ms: number,
    seq: number,
    pairs: readonly string[],
    from: number,
  ): StreamNode {
    const previous = this.#lastNode();
    const fields = previous?.hasFields(pairs, from) ? previous.fields : fieldsOf(pairs, from, 2);
    const node = new StreamNode(id, fields, this.#slab, this.#slabUsed, this.#slabUsed, ms, seq);
    // The first node alone needs no array (unless one was made already).
    if (previous !== undefined || this.#nodes !== undefined) this.nodes.push(node);
    this.#tail = node;
    return node;
  }

  /** A node that will not grow again gives back the spare bytes of a slab of its own. */
  #seal(node: StreamNode): void {
    if (node.buf.length <= SLAB_BYTES || node.start !== 0) return;
    if (node.buf === this.#slab) {
      this.#slab = NO_SLAB;
      this.#slabUsed = this.#slabEnd = this.#slabSize = 0;
    }
    node.buf = node.buf.slice(0, node.end);
  }

  /** Room for `extra` more bytes after the newest node, which moves to a new slab when its own is full. */
  #reserve(node: StreamNode, extra: number): void {
    const inPlace = node.buf === this.#slab && node.end === this.#slabUsed;
    if (inPlace && node.end + extra <= this.#slabEnd) return;
    this.#place(node, extra);
  }

  /** Copies `node` to the slab's free space, or to a new slab, leaving `extra` bytes after it. */
  #place(node: StreamNode, extra: number): void {
    const size = node.end - node.start;
    if (this.#slabUsed + size + extra > this.#slabEnd) {
      const need = size + extra;
      // A large node that may still grow gets half its size to spare.
      const spare = extra > 0 ? need >> 1 : 0;
      const next = Math.min(SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.#slabSize * 2));
      this.#slabSize = need <= next ? next : need + spare;
      this.#slab = newSlab(this.#slabSize);
      this.#slabUsed = slabAt;
      this.#slabEnd = slabAt + this.#slabSize;
    }
    const to = this.#slab;
    const from = node.buf;
    if (size > COPY_LOOP_BYTES) to.set(from.subarray(node.start, node.end), this.#slabUsed);
    else for (let i = 0, p = this.#slabUsed, q = node.start; i < size; i++) to[p++] = from[q++]!;
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

  /**
   * Live entries with start <= id <= end, ascending or (reverse) descending.
   * IDs are compared as numbers where they are exact (any clock time): a
   * bigint per entry cost more than the rest of reading it.
   */
  *range(start: StreamId, end: StreamId, reverse = false): Generator<StreamEntry> {
    if (start > end || this.length === 0) return;
    const startMs = boundPart(idMs(start));
    const startSeq = boundPart(idSeq(start));
    const endMs = boundPart(idMs(end));
    const endSeq = boundPart(idSeq(end));
    if (!reverse) {
      for (let n = this.#nodeFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n]!;
        if (node.master > end) return;
        if (node.lastId < start) continue;
        for (let p = node.seek(start); p < node.end; p = node.next(p)) {
          if (node.flags(p) & FLAG_DELETED) continue;
          node.numbersAt(p);
          if (atMs === atMs) {
            if (atMs > endMs || (atMs === endMs && atSeq > endSeq)) return;
            yield node.numberedEntryAt(p);
            continue;
          }
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
          node.numbersAt(p);
          if (atMs === atMs) {
            if (atMs > endMs || (atMs === endMs && atSeq > endSeq)) continue;
            if (atMs < startMs || (atMs === startMs && atSeq < startSeq)) return;
            yield node.numberedEntryAt(p);
            continue;
          }
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
    if (this.length === 0) return undefined;
    const node = this.nodes[this.#nodeFor(id)]!;
    if (node.lastId < id) return undefined;
    const p = node.find(id);
    if (p < 0 || node.flags(p) & FLAG_DELETED) return undefined;
    return node.entryAt(p, id);
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
    const node = this.nodes[n];
    if (node === undefined) return false;
    const p = node.find(id);
    if (p < 0 || node.flags(p) & FLAG_DELETED) return false;
    // Asked before the node changes (firstId may be its master, made when asked).
    const first = id === this.firstId;
    if (node.live === 1) {
      this.nodes.splice(n, 1);
      // Appends go on to the node before, as they would after a new one.
      if (node === this.#tail) this.#tail = this.nodes.at(-1);
    } else node.markDeleted(p);
    this.length--;
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    if (this.length === 0) this.firstId = ID_MIN;
    else if (first) this.firstId = this.edge(false)!.id;
    return true;
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
    // Through firstNode: an XADD with MAXLEN makes no array for one node.
    while (this.#nodeCount() > 0) {
      if (spec.strategy === "maxlen" && this.length <= spec.maxlen!) break;
      const node = this.firstNode!;
      const entries = node.live;
      if (spec.limit > 0 && deleted + entries > spec.limit) break;
      const removeNode = spec.strategy === "maxlen"
        ? this.length - entries >= spec.maxlen!
        : node.lastId < spec.minid!;
      if (removeNode) {
        this.#dropHead();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      deleted += this.#trimInside(node, spec);
      if (node.live === 0) this.#dropHead();
      break;
    }
    if (this.length === 0) this.firstId = ID_MIN;
    else if (deleted > 0) this.firstId = this.edge(false)!.id;
    return deleted;
  }

  /** Removes the first node (the tail's too when it is the only one). */
  #dropHead(): void {
    if (this.nodes.shift() === this.#tail) this.#tail = undefined;
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

  clone(): StreamBody {
    const copy = new StreamBody();
    for (const node of this.nodes) {
      const moved = node.copy();
      copy.#place(moved, 0);
      copy.nodes.push(moved);
    }
    copy.#tail = copy.#lastNode();
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    if (this.#groups === undefined) return copy;
    for (const [name, group] of this.#groups) copy.groups.set(name, group.clone());
    return copy;
  }
}
