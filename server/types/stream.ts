/**
 * The stream type. A stream is kept as one string (stream_small.ts) while
 * it is one node of a few entries without deleted entries or consumer
 * groups: XADD to a new key then makes one string instead of a stream
 * object, a node array, a node and boxed numbers (~380 bytes that the
 * collector copied to the old generation, XADD's tail latency over many
 * keys), and the key table keeps the string alone when the stream is not in
 * use (packed_value.ts). Anything else runs on the full form
 * (stream_body.ts), made from the string: a read keeps it beside the string
 * (the key table drops it with the object), a write keeps it instead.
 */
import { stringBytes } from "./memory.ts";
import { PackedKind } from "./packed_record.ts";
import type { Packable } from "./packed_value.ts";
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
  EMPTY_SMALL,
  head,
  LAST_MS,
  LAST_SEQ,
  LENGTH,
  masterOf,
  maxDeletedOf,
  readHeader,
  smallOfBody,
} from "./stream_small.ts";

export type { AddFailure, IdRequest, TrimSpec } from "./stream_body.ts";
export { FLAG_DELETED, FLAG_SAMEFIELDS, type NodeLimits, type StreamEntry } from "./stream_node.ts";

/** The groups of a stream without any (read only: groups are added through addGroup). */
const NO_GROUPS: ReadonlyMap<string, ConsumerGroup> = new Map();

export class Stream implements Packable {
  /** The small form, while it holds the stream. */
  #small: string | undefined;
  /** The full form: made from the small one for a read, or the stream itself. */
  #body: StreamBody | undefined;

  /** A stream of this small string or full form; an empty one without. */
  constructor(form: string | StreamBody = EMPTY_SMALL) {
    if (typeof form === "string") this.#small = form;
    else this.#body = form;
  }

  /** The stream a key table kept packed (packedData()). */
  static fromPacked(data: string): Stream {
    return new Stream(data);
  }

  get type(): "stream" {
    return "stream";
  }

  encoding(): string {
    return "stream";
  }

  packedKind(): PackedKind {
    return this.#small === undefined ? PackedKind.NotPackable : PackedKind.Stream;
  }

  packedData(): string {
    return this.#small!;
  }

  /** The full form, for a read: made from the small one and kept beside it. */
  #read(): StreamBody {
    return this.#body ??= bodyOfSmall(this.#small!);
  }

  /** The full form, for a write: from now on it is the stream. */
  #write(): StreamBody {
    const body = this.#read();
    this.#small = undefined;
    return body;
  }

  /** Bytes on the V8 heap (see memory.ts): a small stream's string, or the full form's estimate. */
  memoryUsage(): number {
    const small = this.#small;
    return small === undefined ? this.#body!.memoryUsage() : stringBytes(small.length);
  }

  get length(): number {
    const small = this.#small;
    if (small === undefined) return this.#body!.length;
    readHeader(small);
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
    const small = this.#small;
    if (small === undefined) return this.#body!.lastId;
    readHeader(small);
    return head[LAST_SEQ]! === 0
      ? msId(head[LAST_MS]!)
      : makeId(BigInt(head[LAST_MS]!), BigInt(head[LAST_SEQ]!));
  }

  set lastId(id: StreamId) {
    this.#write().lastId = id;
  }

  /** lastId's ms and seq as numbers, NaN past 2^53 (replies write them without a string). */
  get lastMs(): number {
    const small = this.#small;
    if (small === undefined) return this.#body!.lastMs;
    readHeader(small);
    return head[LAST_MS]!;
  }

  get lastSeq(): number {
    const small = this.#small;
    if (small === undefined) return this.#body!.lastSeq;
    readHeader(small);
    return head[LAST_SEQ]!;
  }

  /** formatId(lastId), from the numbers when they are exact. */
  lastIdText(): string {
    const small = this.#small;
    if (small === undefined) return this.#body!.lastIdText();
    readHeader(small);
    return `${head[LAST_MS]!}-${head[LAST_SEQ]!}`;
  }

  /** Whether the last ID is the largest there is (XADD can add nothing after it). */
  exhausted(): boolean {
    return this.#small === undefined && this.#body!.exhausted();
  }

  /** First live entry's ID (0-0 when empty). */
  get firstId(): StreamId {
    const small = this.#small;
    if (small === undefined) return this.#body!.firstId;
    readHeader(small);
    return head[LENGTH]! === 0 ? ID_MIN : masterOf(small);
  }

  set firstId(id: StreamId) {
    this.#write().firstId = id;
  }

  get maxDeletedId(): StreamId {
    const small = this.#small;
    if (small === undefined) return this.#body!.maxDeletedId;
    readHeader(small);
    return maxDeletedOf(small);
  }

  set maxDeletedId(id: StreamId) {
    this.#write().maxDeletedId = id;
  }

  get entriesAdded(): number {
    const small = this.#small;
    if (small === undefined) return this.#body!.entriesAdded;
    readHeader(small);
    return head[ADDED]!;
  }

  set entriesAdded(n: number) {
    this.#write().entriesAdded = n;
  }

  /** Consumer groups by name (added and removed through addGroup and deleteGroup). */
  get groups(): ReadonlyMap<string, ConsumerGroup> {
    return this.#small === undefined ? this.#body!.groups : NO_GROUPS;
  }

  addGroup(group: ConsumerGroup): void {
    this.#write().groups.set(group.name, group);
  }

  /** Removes a group; whether there was one. */
  deleteGroup(name: string): boolean {
    return this.#small === undefined && this.#body!.groups.delete(name);
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
    const small = this.#small;
    if (small === undefined) return this.#body!.addFrom(pairs, from, request, now, limits);
    readHeader(small);
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
    const next = Number.isSafeInteger(ms) && Number.isSafeInteger(seq) &&
        total <= STREAM_LISTPACK_MAX_SIZE
      ? appendSmall(small, pairs, from, ms, seq, total, limits)
      : undefined;
    if (next === undefined) return this.#write().addFrom(pairs, from, request, now, limits);
    this.#small = next;
    this.#body = undefined;
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
    const small = this.#small;
    if (small === undefined) return this.#body!.nodes[0]?.master ?? ID_MAX;
    readHeader(small);
    return head[LENGTH]! === 0 ? ID_MAX : masterOf(small);
  }

  /** Trims from the head as streamTrim does; returns how many entries went. */
  trim(spec: TrimSpec): number {
    const small = this.#small;
    if (small !== undefined) {
      readHeader(small);
      if (head[LENGTH]! === 0) return 0;
      if (spec.strategy === "maxlen" && head[LENGTH]! <= spec.maxlen!) return 0;
      if (spec.strategy === "minid" && masterOf(small) >= spec.minid!) return 0;
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
    const small = this.#small ?? smallOfBody(this.#body!);
    if (small === undefined) return;
    this.#small = small;
    this.#body = undefined;
  }

  clone(): Stream {
    const small = this.#small;
    return small === undefined ? new Stream(this.#body!.clone()) : new Stream(small);
  }
}
