/**
 * The stream type. A stream is kept as its bytes with room (stream_small.ts)
 * while it is one node of a few entries without deleted entries or consumer
 * groups: XADD to a new key then makes one Uint8Array instead of a node
 * array, a node and boxed numbers (~380 bytes that the collector copied to
 * the old generation, XADD's tail latency over many keys), and XADD to it
 * appends in place. Anything else runs on the full form (stream_body.ts),
 * made from the bytes: a read keeps it beside them, a write keeps it
 * instead. The key table keeps the stream as it is (no packed string: each
 * use would make the bytes again).
 */
import { objectBytes } from "./memory.ts";
import type { RedisObject } from "./value.ts";
import { type AddFailure, type IdRequest, msId, StreamBody, type TrimSpec } from "./stream_body.ts";
import type { ConsumerGroup } from "./stream_groups.ts";
import { ID_MAX, ID_MIN, idMs, idSeq, makeId, type StreamId } from "./stream_id.ts";
import {
  DEFAULT_NODE_LIMITS,
  exactNumber,
  type NodeLimits,
  STREAM_LISTPACK_MAX_SIZE,
  type StreamEntry,
  type StreamNode,
} from "./stream_node.ts";
import {
  ADDED,
  appendSmall,
  bodyOfSmall,
  copySlot,
  EMPTY_END,
  head,
  LAST_MS,
  LAST_SEQ,
  LENGTH,
  masterOf,
  maxDeletedOf,
  NO_SLOT,
  readHeader,
  SMALL_BYTES_OVERHEAD,
  SMALL_STREAM_MAX,
  smallEnd,
  smallOfBody,
  storeSmall,
  takeSlot,
} from "./stream_small.ts";

export type { AddFailure, IdRequest, TrimSpec } from "./stream_body.ts";
export { FLAG_DELETED, FLAG_SAMEFIELDS, type NodeLimits, type StreamEntry } from "./stream_node.ts";

/** The groups of a stream without any (read only: groups are added through addGroup). */
const NO_GROUPS: ReadonlyMap<string, ConsumerGroup> = new Map();

export class Stream implements RedisObject {
  /** The pool slot of the small form's bytes (stream_small.ts), NO_SLOT before the first entry. */
  #slot = NO_SLOT;
  /** Where the small form's bytes end in the slot; 0 when the full form holds the stream. */
  #end = EMPTY_END;
  /** The full form: made from the small one for a read, or the stream itself. */
  #body: StreamBody | undefined;

  /** A stream of this full form; an empty one without. */
  constructor(body?: StreamBody) {
    if (body !== undefined) {
      this.#body = body;
      this.#end = 0;
    }
  }

  get type(): "stream" {
    return "stream";
  }

  encoding(): string {
    return "stream";
  }

  /** Whether the small form holds the stream. */
  isSmall(): boolean {
    return this.#end !== 0;
  }

  /** The full form, for a read: made from the small one and kept beside it. */
  #read(): StreamBody {
    return this.#body ??= bodyOfSmall(this.#slot, this.#end);
  }

  /** The full form, for a write: from now on it is the stream. */
  #write(): StreamBody {
    const body = this.#read();
    this.#end = 0;
    return body;
  }

  /** Bytes on the V8 heap (see memory.ts): a small stream's object and bytes, or the full form's estimate. */
  memoryUsage(): number {
    const slot = this.#slot === NO_SLOT ? 0 : SMALL_STREAM_MAX + SMALL_BYTES_OVERHEAD;
    return this.#end === 0 ? this.#body!.memoryUsage() + slot : objectBytes(3) + slot;
  }

  get length(): number {
    if (this.#end === 0) return this.#body!.length;
    readHeader(this.#slot);
    return head[LENGTH]!;
  }

  size(): number {
    return this.length;
  }

  /** Nodes ordered by master ID. */
  get nodes(): readonly StreamNode[] {
    return this.#read().nodes;
  }

  /** The last ID XADD added or XSETID set (0-0 for none). */
  get lastId(): StreamId {
    if (this.#end === 0) return this.#body!.lastId;
    readHeader(this.#slot);
    return head[LAST_SEQ]! === 0
      ? msId(head[LAST_MS]!)
      : makeId(BigInt(head[LAST_MS]!), BigInt(head[LAST_SEQ]!));
  }

  set lastId(id: StreamId) {
    this.#write().lastId = id;
  }

  /** lastId's ms and seq as numbers, NaN past 2^53 (replies write them without a string). */
  get lastMs(): number {
    if (this.#end === 0) return this.#body!.lastMs;
    readHeader(this.#slot);
    return head[LAST_MS]!;
  }

  get lastSeq(): number {
    if (this.#end === 0) return this.#body!.lastSeq;
    readHeader(this.#slot);
    return head[LAST_SEQ]!;
  }

  /** formatId(lastId), from the numbers when they are exact. */
  lastIdText(): string {
    if (this.#end === 0) return this.#body!.lastIdText();
    readHeader(this.#slot);
    return `${head[LAST_MS]!}-${head[LAST_SEQ]!}`;
  }

  /** Whether the last ID is the largest there is (XADD can add nothing after it). */
  exhausted(): boolean {
    return this.#end === 0 && this.#body!.exhausted();
  }

  /** First live entry's ID (0-0 when empty). */
  get firstId(): StreamId {
    if (this.#end === 0) return this.#body!.firstId;
    readHeader(this.#slot);
    return head[LENGTH]! === 0 ? ID_MIN : masterOf();
  }

  set firstId(id: StreamId) {
    this.#write().firstId = id;
  }

  get maxDeletedId(): StreamId {
    if (this.#end === 0) return this.#body!.maxDeletedId;
    readHeader(this.#slot);
    return maxDeletedOf();
  }

  set maxDeletedId(id: StreamId) {
    this.#write().maxDeletedId = id;
  }

  get entriesAdded(): number {
    if (this.#end === 0) return this.#body!.entriesAdded;
    readHeader(this.#slot);
    return head[ADDED]!;
  }

  set entriesAdded(n: number) {
    this.#write().entriesAdded = n;
  }

  /** Consumer groups by name (added and removed through addGroup and deleteGroup). */
  get groups(): ReadonlyMap<string, ConsumerGroup> {
    return this.#end === 0 ? this.#body!.groups : NO_GROUPS;
  }

  addGroup(group: ConsumerGroup): void {
    this.#write().groups.set(group.name, group);
  }

  /** Removes a group; whether there was one. */
  deleteGroup(name: string): boolean {
    return this.#end === 0 && this.#body!.groups.delete(name);
  }

  /**
   * Adds an entry as XADD does: StreamBody.addFrom's rules, on the small form's
   * string while the stream stays small.
   */
  add(
    pairs: string[],
    request: IdRequest,
    now: number,
    limits = DEFAULT_NODE_LIMITS,
  ): StreamId | AddFailure {
    return this.addFrom(pairs, 0, request, now, limits) ?? this.lastId;
  }

  /**
   * add() of the pairs `pairs[from...]` (XADD's argv, not copied); the new
   * ID is then lastId (lastMs, lastSeq without a bigint); undefined when added.
   */
  addFrom(
    pairs: readonly string[],
    from: number,
    request: IdRequest,
    now: number,
    limits = DEFAULT_NODE_LIMITS,
  ): AddFailure | undefined {
    if (this.#end === 0) return this.#body!.addFrom(pairs, from, request, now, limits);
    readHeader(this.#slot);
    const lastMs = head[LAST_MS]!;
    const lastSeq = head[LAST_SEQ]!;
    let ms: number;
    let seq: number;
    if (request.kind === "auto" && now > lastMs) {
      ms = now;
      seq = 0;
    } else if (request.kind === "auto") {
      ms = lastMs;
      seq = lastSeq + 1;
    } else {
      if (request.kind === "explicit") {
        ms = exactNumber(idMs(request.id));
        seq = exactNumber(idSeq(request.id));
      } else {
        ms = exactNumber(request.ms);
        seq = ms === lastMs ? lastSeq + 1 : 0;
      }
      // Both false for NaN: the full form answers.
      if (ms < lastMs || (ms === lastMs && seq <= lastSeq)) return "order";
    }
    let total = 0;
    for (let i = from; i < pairs.length; i++) total += pairs[i]!.length;
    if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq) || !this.#fits(total)) {
      return this.#write().addFrom(pairs, from, request, now, limits);
    }
    if (!appendSmall(this.#end, pairs, from, ms, seq, total, limits)) {
      return this.#write().addFrom(pairs, from, request, now, limits);
    }
    this.#end = smallEnd;
    if (this.#body !== undefined) this.#body = undefined;
    return undefined;
  }

  /**
   * Appends a live entry with an ID above every other, without touching
   * counters but length (RDB loading).
   */
  appendEntry(id: StreamId, pairs: string[], limits: NodeLimits): void {
    this.#write().appendEntry(id, pairs, limits);
  }

  /** Makes the next appended entry start a new node (RDB loading keeps Redis's node boundaries). */
  closeTail(): void {
    this.#write().closeTail();
  }

  /** Live entries with start <= id <= end, ascending or (reverse) descending. */
  range(start: StreamId, end: StreamId, reverse = false): Generator<StreamEntry> {
    return this.#read().range(start, end, reverse);
  }

  /** The live entry with this ID, if any. */
  get(id: StreamId): StreamEntry | undefined {
    return this.#read().get(id);
  }

  /** The last live entry's ID (the stream is not empty), without decoding it. */
  lastLiveId(): StreamId {
    return this.#read().lastLiveId();
  }

  /** First or last live entry. */
  edge(last: boolean): StreamEntry | undefined {
    return this.#read().edge(last);
  }

  /** Deletes one live entry, as XDEL does for each ID; returns whether it existed. */
  delete(id: StreamId): boolean {
    return this.#read().get(id) !== undefined && this.#write().delete(id);
  }

  /** How many nodes Redis's radix tree over the nodes' master IDs has (XINFO STREAM). */
  radixTreeNodes(): number {
    return this.#read().radixTreeNodes();
  }

  /** The first node's master ID, ID_MAX with no node (XTRIM's MINID propagated). */
  firstMaster(): StreamId {
    if (this.#end === 0) return this.#body!.firstNode?.master ?? ID_MAX;
    readHeader(this.#slot);
    return head[LENGTH]! === 0 ? ID_MAX : masterOf();
  }

  /** Trims from the head as streamTrim does; returns how many entries went. */
  trim(spec: TrimSpec): number {
    if (this.#end !== 0) {
      readHeader(this.#slot);
      if (head[LENGTH]! === 0) return 0;
      if (spec.strategy === "maxlen" && head[LENGTH]! <= spec.maxlen!) return 0;
      if (spec.strategy === "minid" && masterOf() >= spec.minid!) return 0;
    }
    return this.#write().trim(spec);
  }

  /** The logical read counter of `id` (streamEstimateDistanceFromFirstEverEntry). */
  estimateEntriesRead(id: StreamId): number {
    return this.#read().estimateEntriesRead(id);
  }

  /** A group's lag: entries not yet delivered to it, or undefined if unknown. */
  lag(group: ConsumerGroup): number | undefined {
    return this.#read().lag(group);
  }

  /** Updates a group's entries-read after delivering `id` to it (streamReplyWithRange). */
  advanceGroup(group: ConsumerGroup, id: StreamId): void {
    this.#write().advanceGroup(group, id);
  }

  /** Goes back to the small form if the stream fits it (after RDB loading built the full one). */
  compact(): void {
    if (this.#end === 0) {
      if (!smallOfBody(this.#body!)) return;
      if (this.#slot === NO_SLOT) this.#slot = takeSlot(this);
      storeSmall(this.#slot);
      this.#end = smallEnd;
    }
    this.#body = undefined;
  }

  clone(): Stream {
    if (this.#end === 0) return new Stream(this.#body!.clone());
    const copy = new Stream();
    if (this.#slot !== NO_SLOT) {
      copy.#slot = takeSlot(copy);
      copySlot(this.#slot, copy.#slot, this.#end);
      copy.#end = this.#end;
    }
    return copy;
  }

  /**
   * Whether an entry of `total` bytes may go into the small form: the
   * stream has its slot then (it takes one for its first entry).
   */
  #fits(total: number): boolean {
    if (total > STREAM_LISTPACK_MAX_SIZE || total > SMALL_STREAM_MAX) return false;
    if (this.#slot === NO_SLOT) {
      this.#slot = takeSlot(this);
      readHeader(this.#slot);
    }
    return true;
  }
}
