/**
 * The ring buffer a list keeps at each end (server/types/list.ts): elements
 * pushed and popped there never move the list's middle nodes.
 */

/** A growable ring buffer with O(1) access at both ends and by index. */
export class Ring<T> {
  items: (T | undefined)[];
  start = 0;
  count = 0;

  constructor(capacity = 4) {
    this.items = new Array(capacity);
  }

  get(i: number): T {
    return this.items[(this.start + i) & (this.items.length - 1)]!;
  }

  set(i: number, value: T): void {
    this.items[(this.start + i) & (this.items.length - 1)] = value;
  }

  pushBack(value: T): void {
    if (this.count === this.items.length) this.#resize(this.items.length * 2);
    this.items[(this.start + this.count) & (this.items.length - 1)] = value;
    this.count++;
  }

  pushFront(value: T): void {
    if (this.count === this.items.length) this.#resize(this.items.length * 2);
    this.start = (this.start - 1) & (this.items.length - 1);
    this.items[this.start] = value;
    this.count++;
  }

  popFront(): T {
    const value = this.items[this.start]!;
    this.items[this.start] = undefined;
    this.start = (this.start + 1) & (this.items.length - 1);
    this.count--;
    this.#shrinkIfSparse();
    return value;
  }

  popBack(): T {
    const i = (this.start + this.count - 1) & (this.items.length - 1);
    const value = this.items[i]!;
    this.items[i] = undefined;
    this.count--;
    this.#shrinkIfSparse();
    return value;
  }

  /** Removes the first `n` items (n <= count). */
  dropFront(n: number): void {
    const items = this.items;
    const mask = items.length - 1;
    for (let i = 0; i < n; i++) items[(this.start + i) & mask] = undefined;
    this.start = (this.start + n) & mask;
    this.count -= n;
    this.#shrinkIfSparse();
  }

  /** Removes the last `n` items (n <= count). */
  dropBack(n: number): void {
    const items = this.items;
    const mask = items.length - 1;
    for (let i = this.count - n; i < this.count; i++) items[(this.start + i) & mask] = undefined;
    this.count -= n;
    this.#shrinkIfSparse();
  }

  /** Inserts before position `i` (0..count), shifting the shorter side. */
  insert(i: number, value: T): void {
    if (i < this.count / 2) {
      this.pushFront(value);
      for (let j = 0; j < i; j++) this.set(j, this.get(j + 1));
    } else {
      this.pushBack(value);
      for (let j = this.count - 1; j > i; j--) this.set(j, this.get(j - 1));
    }
    this.set(i, value);
  }

  /** Removes the item at position `i`. */
  remove(i: number): void {
    if (i < this.count / 2) {
      for (let j = i; j > 0; j--) this.set(j, this.get(j - 1));
      this.popFront();
    } else {
      for (let j = i; j < this.count - 1; j++) this.set(j, this.get(j + 1));
      this.popBack();
    }
  }

  /**
   * Replaces the content with `values` (in order), taking the array itself
   * when its length is a power of two: the caller gives it up (a list's
   * refill from a node of 128 elements copies nothing more).
   */
  assign(values: T[]): void {
    const n = values.length;
    if (n >= 4 && (n & (n - 1)) === 0) {
      this.items = values;
      this.start = 0;
      this.count = n;
      return;
    }
    let capacity = 4;
    while (capacity < values.length) capacity *= 2;
    this.items = new Array(capacity);
    for (let i = 0; i < values.length; i++) this.items[i] = values[i];
    this.start = 0;
    this.count = values.length;
  }

  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i);
    return out;
  }

  clone(copyItem: (item: T) => T): Ring<T> {
    const copy = new Ring<T>(this.items.length);
    for (let i = 0; i < this.count; i++) copy.items[i] = copyItem(this.get(i));
    copy.count = this.count;
    return copy;
  }

  #shrinkIfSparse(): void {
    if (this.items.length > 16 && this.count < this.items.length / 4) {
      this.#resize(this.items.length / 2);
    }
  }

  #resize(capacity: number): void {
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.count; i++) items[i] = this.get(i);
    this.items = items;
    this.start = 0;
  }
}
