/**
 * A key table's boxes: the values its records point to instead of holding
 * (collections, long strings, the holder of a long key), each accounted at
 * its valueBytes. A small collection outside the ring of recent ones is kept
 * as its packed string (box_states.ts) and made again on its next use.
 */
import { BoxStates } from "./box_states.ts";
import {
  type BigKeyBox,
  packableBytes,
  storedType,
  type StoredValue,
  valueBytes,
} from "./box_bytes.ts";
import { PackedKind } from "./packed_record.ts";
import { isPackable, type Packable, unpackValue } from "./packed_value.ts";

export class BoxTable {
  /** Each box's value as stored (a packed string for a packed one); read only outside. */
  values: (StoredValue | BigKeyBox | undefined)[] = [];
  #free: number[] = [];
  /** The sum of the accounts (each box's valueBytes when last accounted: BoxStates.accounted). */
  valueBytes = 0;
  /** Which boxes hold live small collections and which their packed strings; their accounts. */
  readonly states = new BoxStates((box) => this.#pack(box));

  /** Bytes the boxes' bookkeeping takes (a slot and an account a box). */
  get overheadBytes(): number {
    return 8 * this.values.length + 4 * this.states.capacity;
  }

  /** What `box` is accounted at. */
  accounted(box: number): number {
    return this.states.accounted(box);
  }

  /** A new box for `value`; returns its index. */
  add(value: StoredValue | BigKeyBox): number {
    let box = this.#free.pop();
    if (box === undefined) {
      box = this.values.length;
      this.values.push(undefined);
      if (box === this.states.capacity) this.states.grow(box * 2);
    }
    this.set(box, value);
    return box;
  }

  /** Stores a box's value and accounts for it; `inRing`: it is live in the recent ring already. */
  set(box: number, value: StoredValue | BigKeyBox, inRing = false): void {
    this.values[box] = value;
    this.#account(box, accountOf(value));
    if (inRing) return;
    this.states.live(box);
    if (isPackable(value)) this.states.used(box);
  }

  /** A box's value, its object made again if it was packed; recording the use. */
  unbox(box: number): StoredValue | BigKeyBox {
    const states = this.states;
    if (states.usedAsLive(box)) return this.values[box]!;
    const kind = states.packedKind(box);
    if (kind !== undefined) {
      this.values[box] = unpackValue(kind, this.values[box] as string, states.packedCount(box));
    }
    states.used(box);
    return this.values[box]!;
  }

  /** TYPE's answer for a box's value: a packed one's from its kind, its object not made again. */
  typeOf(box: number): string {
    const kind = this.states.packedKind(box);
    return kind === undefined ? storedType(this.values[box] as StoredValue) : PACKED_TYPES[kind]!;
  }

  /** The element count a packed box was packed with (HLEN, SCARD...); -1 for a live box or a count not kept. */
  packedCountOf(box: number): number {
    return this.states.packedKind(box) === undefined ? -1 : this.states.packedCount(box);
  }

  /**
   * Accounts again for a box's value after it changed in place; returns the
   * change in bytes. A packed value has not changed since it was packed.
   */
  reaccount(box: number): number {
    if (this.states.packedKind(box) !== undefined) return 0;
    // The value stays where it is (no store into the big array: no write barrier).
    return this.reaccountHeld(box, this.values[box]!);
  }

  /** reaccount() of a box known to hold `value` as stored (not a packed string in its place). */
  reaccountHeld(box: number, value: StoredValue | BigKeyBox): number {
    if (!isPackable(value)) return this.#account(box, accountOf(value));
    const packable = value.packedKind() !== PackedKind.NotPackable;
    const change = this.#account(box, Math.min(packableBytes(value, packable), 0xffffffff));
    // One in the recent ring was marked used by its lookup: only its size is new. A big
    // collection leaves the ring (nothing to pack: its lookups skip the ring) until a write
    // makes it small.
    if (!packable) this.states.live(box);
    else if (this.states.isLiveOutsideRing(box)) this.states.used(box);
    return change;
  }

  /** Records `bytes` as what `box` is accounted at; returns the change. */
  #account(box: number, bytes: number): number {
    const change = bytes - this.states.accounted(box);
    this.valueBytes += change;
    this.states.account(box, bytes);
    return change;
  }

  /** Empties a box for reuse. */
  free(box: number): void {
    this.values[box] = undefined;
    this.#account(box, 0);
    this.states.freed(box);
    this.#free.push(box);
  }

  /**
   * Forgets the boxes if every one is free (the key table emptied by deletes): as if each were
   * taken from the free list again, their states stay. False, nothing done, otherwise.
   */
  trimFreed(): boolean {
    if (this.#free.length !== this.values.length) return false;
    this.values.length = 0;
    this.#free.length = 0;
    return true;
  }

  clear(): void {
    this.values = [];
    this.#free = [];
    this.valueBytes = 0;
    this.states.clear();
  }

  /** Keeps a box's collection as its packed string, if it still has one. */
  #pack(box: number): void {
    const value = this.values[box];
    const kind = isPackable(value) ? value.packedKind() : PackedKind.NotPackable;
    if (kind === PackedKind.NotPackable) return this.states.live(box);
    this.values[box] = (value as Packable).packedData();
    // The count is kept: the object made again would walk the string for it.
    this.states.packed(box, kind, (value as Packable).size());
  }
}

/** The type of each PackedKind's collection, by kind. */
const PACKED_TYPES = ["hash", "hash", "set", "set", "zset", "list", "stream"];

/** What a value is accounted at: its valueBytes, within the 32 bits an account holds. */
function accountOf(value: StoredValue | BigKeyBox): number {
  return Math.min(valueBytes(value), 0xffffffff);
}
