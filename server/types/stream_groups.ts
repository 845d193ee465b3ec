/**
 * Consumer groups of a stream: each group has a last-delivered ID, a
 * logical read counter (entries-read, for lag), a pending entries list (PEL)
 * of delivered but unacknowledged IDs, and named consumers each holding the
 * subset of the PEL delivered to them. A pending entry (`Nack`) is one object
 * shared by the group's PEL and its owner's, as in Redis.
 *
 * PELs are `IdIndex`es: ordered by ID for XPENDING/XCLAIM/XAUTOCLAIM scans.
 */
import type { StreamId } from "./stream_id.ts";

/** entries-read when the group's position is unknown (Redis's SCG_INVALID_ENTRIES_READ). */
export const ENTRIES_READ_UNKNOWN = -1;

/**
 * A map from stream IDs to values with ordered range scans: IDs in a sorted
 * array, values in a parallel one, found by binary search. (A Map keyed by
 * bigint IDs costs microseconds per lookup in V8: it hashes a BigInt through
 * the runtime, and badly for IDs, whose low 64 bits are the small seq.) A
 * deleted ID keeps its slot, with an undefined value, until dead slots are
 * half the array, so acks anywhere cost amortised O(log n) and appends in
 * ID order O(1).
 */
export class IdIndex<V> {
  #keys: StreamId[] = [];
  #values: (V | undefined)[] = [];
  #size = 0;
  #dead = 0;

  get size(): number {
    return this.#size;
  }

  get(id: StreamId): V | undefined {
    const keys = this.#keys;
    const last = keys.length - 1;
    // Lookups at or past the newest entry (deliveries) skip the search.
    if (last < 0 || id > keys[last]!) return undefined;
    if (keys[last] === id) return this.#values[last];
    const at = this.#lowerBound(id);
    return keys[at] === id ? this.#values[at] : undefined;
  }

  has(id: StreamId): boolean {
    return this.get(id) !== undefined;
  }

  set(id: StreamId, value: V): void {
    const keys = this.#keys;
    if (keys.length === 0 || id > keys[keys.length - 1]!) {
      keys.push(id);
      this.#values.push(value);
      this.#size++;
      return;
    }
    const at = this.#lowerBound(id);
    if (keys[at] === id) {
      if (this.#values[at] === undefined) {
        this.#dead--;
        this.#size++;
      }
      this.#values[at] = value;
      return;
    }
    keys.splice(at, 0, id);
    this.#values.splice(at, 0, value);
    this.#size++;
  }

  delete(id: StreamId): boolean {
    const at = this.#lowerBound(id);
    if (this.#keys[at] !== id || this.#values[at] === undefined) return false;
    this.#values[at] = undefined;
    this.#size--;
    this.#dead++;
    if (this.#dead > 16 && this.#dead * 2 > this.#keys.length) this.#compact();
    return true;
  }

  #compact(): void {
    const keys: StreamId[] = [];
    const values: V[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      const v = this.#values[i];
      if (v === undefined) continue;
      keys.push(this.#keys[i]!);
      values.push(v);
    }
    this.#keys = keys;
    this.#values = values;
    this.#dead = 0;
  }

  /** The lowest live ID (the index is not empty), found without a range's arrays. */
  first(): StreamId {
    let i = 0;
    while (this.#values[i] === undefined) i++;
    return this.#keys[i]!;
  }

  /** The highest live ID (the index is not empty). */
  last(): StreamId {
    let i = this.#keys.length - 1;
    while (this.#values[i] === undefined) i--;
    return this.#keys[i]!;
  }

  /** Up to `count` entries with start <= id <= end, ascending (or descending). */
  range(start: StreamId, end: StreamId, count = Infinity, reverse = false): [StreamId, V][] {
    const out: [StreamId, V][] = [];
    const keys = this.#keys;
    if (!reverse) {
      for (let i = this.#lowerBound(start); i < keys.length && out.length < count; i++) {
        const id = keys[i]!;
        if (id > end) break;
        const v = this.#values[i];
        if (v !== undefined) out.push([id, v]);
      }
    } else {
      for (let i = this.#lowerBound(end + 1n) - 1; i >= 0 && out.length < count; i--) {
        const id = keys[i]!;
        if (id < start) break;
        const v = this.#values[i];
        if (v !== undefined) out.push([id, v]);
      }
    }
    return out;
  }

  /** All entries in ID order. */
  *entries(): IterableIterator<[StreamId, V]> {
    for (let i = 0; i < this.#keys.length; i++) {
      const v = this.#values[i];
      if (v !== undefined) yield [this.#keys[i]!, v];
    }
  }

  /** Index of the first key >= id. */
  #lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keys[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A delivered, not yet acknowledged entry. */
export interface Nack {
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

export class Consumer {
  readonly pel = new IdIndex<Nack>();

  /**
   * @param seenTime Unix ms of the consumer's last attempted interaction
   * @param activeTime Unix ms of its last successful one (-1: never)
   */
  constructor(readonly name: string, public seenTime: number, public activeTime = -1) {}
}

export class ConsumerGroup {
  readonly pel = new IdIndex<Nack>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /** The named consumer, created (seen now) if absent; `created` says which. */
  consumer(name: string, now: number): { consumer: Consumer; created: boolean } {
    const found = this.consumers.get(name);
    if (found !== undefined) return { consumer: found, created: false };
    const consumer = new Consumer(name, now);
    this.consumers.set(name, consumer);
    return { consumer, created: true };
  }

  /** Removes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return 0;
    const pending = consumer.pel.size;
    for (const [id] of consumer.pel.entries()) this.pel.delete(id);
    this.consumers.delete(name);
    return pending;
  }

  /**
   * Records a delivery of `id` to `consumer` and returns its pending entry: new with count 1,
   * or (already pending) moved to `consumer` with count and time reset, as
   * XREADGROUP does for `>` reads.
   */
  deliver(id: StreamId, consumer: Consumer, now: number): Nack {
    const existing = this.pel.get(id);
    if (existing !== undefined) {
      existing.consumer.pel.delete(id);
      existing.consumer = consumer;
      existing.deliveryTime = now;
      existing.deliveryCount = 1;
      consumer.pel.set(id, existing);
      return existing;
    }
    const nack: Nack = { deliveryTime: now, deliveryCount: 1, consumer };
    this.pel.set(id, nack);
    consumer.pel.set(id, nack);
    return nack;
  }

  /** Moves a pending entry to another consumer (XCLAIM, XAUTOCLAIM). */
  transfer(id: StreamId, nack: Nack, consumer: Consumer): void {
    if (nack.consumer === consumer) return;
    nack.consumer.pel.delete(id);
    nack.consumer = consumer;
    consumer.pel.set(id, nack);
  }

  /** Acknowledges `id`: true if it was pending. */
  ack(id: StreamId): boolean {
    const nack = this.pel.get(id);
    if (nack === undefined) return false;
    this.pel.delete(id);
    nack.consumer.pel.delete(id);
    return true;
  }

  /** A deep copy (COPY, snapshots). */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    for (const [name, c] of this.consumers) {
      copy.consumers.set(name, new Consumer(name, c.seenTime, c.activeTime));
    }
    for (const [id, nack] of this.pel.entries()) {
      const owner = copy.consumers.get(nack.consumer.name)!;
      const n: Nack = {
        deliveryTime: nack.deliveryTime,
        deliveryCount: nack.deliveryCount,
        consumer: owner,
      };
      copy.pel.set(id, n);
      owner.pel.set(id, n);
    }
    return copy;
  }
}
