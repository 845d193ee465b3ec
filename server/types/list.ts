/**
 * The list type, a chunked deque in the spirit of Redis's quicklist.
 *
 * Elements near each end sit loose in a small ring buffer (push and pop are O(1), no
 * Array.shift, no copying). Everything in between is cut into nodes of NODE_SIZE elements; a
 * node of short elements is packed into one binary string (`len bytes` records, like a
 * listpack), which costs each element its bytes plus one instead of a V8 string header and a
 * pointer (~16 bytes per "element:123456" against ~40 loose). A ring spills its inner half into
 * a node when it reaches twice NODE_SIZE and refills from the nearest node when it runs dry, so
 * at least NODE_SIZE pushes or pops separate two spills or refills: O(1) amortised at any length.
 *
 * Index access walks nodes from the nearer end (as quicklist does), then
 * decodes within one node: LINDEX, LSET and LRANGE cost O(n / NODE_SIZE) to
 * get there.
 */
import { flat, PackedKind, sameChars } from "./packed_record.ts";
import {
  countListEntries,
  cursorOver,
  joinPacked,
  ListCursor,
  packedListEntry,
  packList,
  removedEntries,
  removeFromPacked,
  unpackList,
} from "./list_packed.ts";
import { arrayBytes, objectBytes, stringBytes } from "./memory.ts";
import {
  cloneNode,
  type ListNode,
  makeNode,
  nodeForward,
  nodeGet,
  nodeRange,
  nodeValues,
  PACK_MAX_AVERAGE,
  takeNode,
} from "./list_node.ts";
import { Ring } from "./ring.ts";
import type { RedisObject } from "./value.ts";

/** RedisList's #count once chunked. */
const CHUNKED = -1;
/** Elements per middle node. */
const NODE_SIZE = 128;
/** A ring spills NODE_SIZE elements into the middle when it would exceed this. */
const RING_MAX = 2 * NODE_SIZE;
/** A list stays one packed string up to this many elements (Redis's listpack node size)... */
const SMALL_MAX_ENTRIES = NODE_SIZE;
/** ...and bytes (list-max-listpack-size -2: 8 KB). */
const SMALL_MAX_BYTES = 8192;

/** Total length of the first `n` values. */
function charsOf(values: Iterator<string>, n: number): number {
  let chars = 0;
  for (let i = 0; i < n; i++) chars += values.next().value!.length;
  return chars;
}

/** Shared by every list without elements at that end; replaced on the first write. */
const NO_ELEMENTS = new Ring<string>(0);

/** The list once it outgrows one packed string: rings at the ends, nodes between. */
class ChunkedList {
  // Rings are created on first use: many lists only ever use one end.
  #head = NO_ELEMENTS;
  #middle: Ring<ListNode> | undefined;
  #tail = NO_ELEMENTS;
  #length = 0;
  /** Total length of the elements, for memory accounting. */
  #chars = 0;

  static from(values: string[]): ChunkedList {
    const list = new ChunkedList();
    for (const value of values) list.pushRight(value);
    return list;
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes on the V8 heap, estimated in O(1) from the counts and #chars (see memory.ts). */
  memoryUsage(): number {
    const head = this.#head;
    const tail = this.#tail;
    const middle = this.#middle;
    let bytes = objectBytes(5) + this.#chars;
    // Runs after every write (used_memory): two ifs, not a loop over a fresh array.
    if (head !== NO_ELEMENTS) bytes += objectBytes(3) + arrayBytes(head.items.length);
    if (tail !== NO_ELEMENTS) bytes += objectBytes(3) + arrayBytes(tail.items.length);
    let loose = head.count + tail.count;
    const middleLength = this.#length - loose;
    if (middle !== undefined) {
      bytes += objectBytes(3) + arrayBytes(middle.items.length);
      bytes += middle.count * (objectBytes(2) + stringBytes(0));
      // Nodes of long elements stay arrays of strings (see makeNode).
      if (this.#chars > PACK_MAX_AVERAGE * this.#length) loose += middleLength;
      else bytes += middleLength;
    }
    return bytes + loose * (stringBytes(0) + 8);
  }

  pushLeft(value: string): void {
    this.#chars += value.length;
    const head = this.#writableHead();
    if (head.count === RING_MAX) this.#middleRing().pushFront(takeNode(head, NODE_SIZE, true));
    head.pushFront(value);
    this.#length++;
  }

  pushRight(value: string): void {
    this.#chars += value.length;
    const tail = this.#writableTail();
    if (tail.count === RING_MAX) this.#middleRing().pushBack(takeNode(tail, NODE_SIZE, false));
    tail.pushBack(value);
    this.#length++;
  }

  popLeft(): string | undefined {
    const value = this.#popLeft();
    if (value !== undefined) this.#chars -= value.length;
    return value;
  }

  popRight(): string | undefined {
    const value = this.#popRight();
    if (value !== undefined) this.#chars -= value.length;
    return value;
  }

  #popLeft(): string | undefined {
    if (this.#length === 0) return undefined;
    this.#length--;
    if (this.#head.count > 0) return this.#head.popFront();
    const middle = this.#middle;
    if (middle !== undefined && middle.count > 0) {
      const head = this.#writableHead();
      head.assign(nodeValues(middle.popFront()));
      return head.popFront();
    }
    return this.#tail.popFront();
  }

  #popRight(): string | undefined {
    if (this.#length === 0) return undefined;
    this.#length--;
    if (this.#tail.count > 0) return this.#tail.popBack();
    const middle = this.#middle;
    if (middle !== undefined && middle.count > 0) {
      const tail = this.#writableTail();
      tail.assign(nodeValues(middle.popBack()));
      return tail.popBack();
    }
    return this.#head.popBack();
  }

  /** The element at `index` (0-based, negative from the end), or undefined. */
  at(index: number): string | undefined {
    if (index < 0) index += this.#length;
    if (index < 0 || index >= this.#length) return undefined;
    const head = this.#head;
    if (index < head.count) return head.get(index);
    index -= head.count;
    const middleLength = this.#middleLength();
    if (index >= middleLength) return this.#tail.get(index - middleLength);
    const [node, offset] = this.#findNode(index, middleLength);
    return nodeGet(this.#middle!.get(node), offset);
  }

  /** Replaces the element at `index` (negative from the end); false if out of range. */
  set(index: number, value: string): boolean {
    const old = this.at(index);
    if (old === undefined) return false;
    this.#chars += value.length - old.length;
    if (index < 0) index += this.#length;
    const head = this.#head;
    if (index < head.count) {
      head.set(index, value);
      return true;
    }
    index -= head.count;
    const middleLength = this.#middleLength();
    if (index >= middleLength) {
      this.#tail.set(index - middleLength, value);
      return true;
    }
    const [position, offset] = this.#findNode(index, middleLength);
    const node = this.#middle!.get(position);
    if (typeof node.data === "string") {
      const values = nodeValues(node);
      values[offset] = value;
      this.#middle!.set(position, makeNode(values));
    } else {
      node.data[offset] = value;
    }
    return true;
  }

  /** Inserts `value` before position `index` (0..length). */
  insert(index: number, value: string): void {
    const headCount = this.#head.count;
    const middleLength = this.#middleLength();
    this.#length++;
    this.#chars += value.length;
    if (index <= headCount && (headCount > 0 || middleLength > 0 || this.#tail.count === 0)) {
      const head = this.#writableHead();
      head.insert(index, value);
      if (head.count > RING_MAX) this.#middleRing().pushFront(takeNode(head, NODE_SIZE, true));
      return;
    }
    index -= headCount;
    if (index >= middleLength) {
      const tail = this.#writableTail();
      tail.insert(index - middleLength, value);
      if (tail.count > RING_MAX) this.#middleRing().pushBack(takeNode(tail, NODE_SIZE, false));
      return;
    }
    const middle = this.#middle!;
    const [position, offset] = this.#findNode(index, middleLength);
    const values = nodeValues(middle.get(position));
    values.splice(offset, 0, value);
    if (values.length <= RING_MAX) {
      middle.set(position, makeNode(values));
    } else {
      middle.set(position, makeNode(values.slice(0, NODE_SIZE)));
      middle.insert(position + 1, makeNode(values.slice(NODE_SIZE)));
    }
  }

  /**
   * Removes up to `limit` elements equal to `value` (0: all), scanning from
   * the head, or from the tail when `fromTail`. Returns how many went.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    const done = () => limit > 0 && removed >= limit;
    const keep = (v: string): boolean => {
      if (v !== value || done()) return true;
      removed++;
      return false;
    };
    const filtered = (values: string[]): string[] =>
      fromTail ? values.reverse().filter(keep).reverse() : values.filter(keep);
    const filterRing = (ring: Ring<string>): void => {
      if (done() || ring.count === 0) return;
      const values = ring.toArray();
      const kept = filtered(values);
      if (kept.length !== values.length) ring.assign(kept);
    };
    filterRing(fromTail ? this.#tail : this.#head);
    const middle = this.#middle;
    if (middle !== undefined) {
      let changed = false;
      for (let k = 0; k < middle.count && !done(); k++) {
        const position = fromTail ? middle.count - 1 - k : k;
        const values = nodeValues(middle.get(position));
        const kept = filtered(values);
        if (kept.length === values.length) continue;
        changed = true;
        if (kept.length > 0) {
          middle.set(position, makeNode(kept));
        } else {
          middle.remove(position);
          k--;
        }
      }
      if (changed) this.#repackIfSparse();
    }
    filterRing(fromTail ? this.#head : this.#tail);
    this.#length -= removed;
    this.#chars -= removed * value.length;
    return removed;
  }

  /** Keeps elements [start, stop] (0 <= start, stop < length); stop < start keeps none. */
  trim(start: number, stop: number): void {
    const keep = Math.max(0, stop - start + 1);
    const front = Math.min(start, this.#length);
    const back = Math.max(0, this.#length - front - keep);
    this.#chars -= charsOf(this.values(), front) + charsOf(this.reversed(), back);
    this.#dropFront(front);
    this.#dropBack(this.#length - keep);
  }

  /** Elements head to tail. */
  values(): IterableIterator<string> {
    return this.valuesFrom(0);
  }

  /**
   * Visits `count` elements from `index` on (0 <= index, index + count <=
   * length): LRANGE's walk, without a generator's object per element.
   */
  forRange(index: number, count: number, visit: (value: string) => void): void {
    const head = this.#head;
    for (let i = index; i < head.count && count > 0; i++, count--) visit(head.get(i));
    index = Math.max(0, index - head.count);
    const middle = this.#middle;
    if (middle !== undefined && middle.count > 0 && count > 0) {
      const middleLength = this.#middleLength();
      let position = middle.count;
      let offset = 0;
      if (index < middleLength) [position, offset] = this.#findNode(index, middleLength);
      for (; position < middle.count && count > 0; position++) {
        count -= nodeRange(middle.get(position), offset, count, visit);
        offset = 0;
      }
      index = Math.max(0, index - middleLength);
    }
    const tail = this.#tail;
    for (let i = index; i < tail.count && count > 0; i++, count--) visit(tail.get(i));
  }

  /** Elements from `index` (0 <= index) to the tail. */
  *valuesFrom(index: number): IterableIterator<string> {
    const head = this.#head;
    for (let i = index; i < head.count; i++) yield head.get(i);
    index = Math.max(0, index - head.count);
    const middle = this.#middle;
    if (middle !== undefined && middle.count > 0) {
      const middleLength = this.#middleLength();
      let position = middle.count;
      let offset = 0;
      if (index < middleLength) [position, offset] = this.#findNode(index, middleLength);
      for (; position < middle.count; position++) {
        yield* nodeForward(middle.get(position), offset);
        offset = 0;
      }
      index = Math.max(0, index - middleLength);
    }
    const tail = this.#tail;
    for (let i = index; i < tail.count; i++) yield tail.get(i);
  }

  /** Elements tail to head. */
  *reversed(): IterableIterator<string> {
    const tail = this.#tail;
    for (let i = tail.count - 1; i >= 0; i--) yield tail.get(i);
    const middle = this.#middle;
    if (middle !== undefined) {
      for (let position = middle.count - 1; position >= 0; position--) {
        const values = nodeValues(middle.get(position));
        for (let i = values.length - 1; i >= 0; i--) yield values[i]!;
      }
    }
    const head = this.#head;
    for (let i = head.count - 1; i >= 0; i--) yield head.get(i);
  }

  clone(): ChunkedList {
    const copy = new ChunkedList();
    if (this.#head.count > 0) copy.#head = this.#head.clone((v) => v);
    copy.#middle = this.#middle?.clone(cloneNode);
    if (this.#tail.count > 0) copy.#tail = this.#tail.clone((v) => v);
    copy.#length = this.#length;
    copy.#chars = this.#chars;
    return copy;
  }

  // ---- internals -------------------------------------------------------

  #writableHead(): Ring<string> {
    if (this.#head === NO_ELEMENTS) this.#head = new Ring();
    return this.#head;
  }

  #writableTail(): Ring<string> {
    if (this.#tail === NO_ELEMENTS) this.#tail = new Ring();
    return this.#tail;
  }

  #middleRing(): Ring<ListNode> {
    return this.#middle ??= new Ring();
  }

  #middleLength(): number {
    return this.#length - this.#head.count - this.#tail.count;
  }

  /** Node position and offset of middle element `index`, walking from the nearer end. */
  #findNode(index: number, middleLength: number): [position: number, offset: number] {
    const middle = this.#middle!;
    if (index < middleLength / 2) {
      let position = 0;
      for (;;) {
        const count = middle.get(position).count;
        if (index < count) return [position, index];
        index -= count;
        position++;
      }
    }
    let position = middle.count - 1;
    let fromEnd = middleLength - 1 - index;
    for (;;) {
      const count = middle.get(position).count;
      if (fromEnd < count) return [position, count - 1 - fromEnd];
      fromEnd -= count;
      position--;
    }
  }

  #dropFront(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const head = this.#head;
      if (head.count > 0) {
        const k = Math.min(n, head.count);
        if (k === head.count) this.#head = NO_ELEMENTS;
        else for (let i = 0; i < k; i++) head.popFront();
        n -= k;
        continue;
      }
      const middle = this.#middle;
      if (middle !== undefined && middle.count > 0) {
        const node = middle.popFront();
        if (node.count <= n) n -= node.count;
        else this.#writableHead().assign(nodeValues(node));
        continue;
      }
      const tail = this.#tail;
      if (n === tail.count) this.#tail = NO_ELEMENTS;
      else for (let i = 0; i < n; i++) tail.popFront();
      n = 0;
    }
  }

  #dropBack(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const tail = this.#tail;
      if (tail.count > 0) {
        const k = Math.min(n, tail.count);
        if (k === tail.count) this.#tail = NO_ELEMENTS;
        else for (let i = 0; i < k; i++) tail.popBack();
        n -= k;
        continue;
      }
      const middle = this.#middle;
      if (middle !== undefined && middle.count > 0) {
        const node = middle.popBack();
        if (node.count <= n) n -= node.count;
        else this.#writableTail().assign(nodeValues(node));
        continue;
      }
      const head = this.#head;
      if (n === head.count) this.#head = NO_ELEMENTS;
      else for (let i = 0; i < n; i++) head.popBack();
      n = 0;
    }
  }

  /** After removals, re-cuts the middle into full nodes if they are mostly empty. */
  #repackIfSparse(): void {
    const middle = this.#middle!;
    let middleLength = 0;
    for (let position = 0; position < middle.count; position++) {
      middleLength += middle.get(position).count;
    }
    if (middle.count < 2 || middleLength * 2 > middle.count * NODE_SIZE) return;
    const values: string[] = [];
    for (let position = 0; position < middle.count; position++) {
      for (const v of nodeForward(middle.get(position))) values.push(v);
    }
    const nodes: ListNode[] = [];
    for (let i = 0; i < values.length; i += NODE_SIZE) {
      nodes.push(makeNode(values.slice(i, i + NODE_SIZE)));
    }
    middle.assign(nodes);
  }
}

/**
 * A Redis list. While small (SMALL_MAX_ENTRIES elements, SMALL_MAX_BYTES
 * bytes) it is one packed string, as Redis keeps a small list in a single
 * listpack: ~40 bytes for three short elements where rings would take ~200.
 * Each write then copies that string, which stays cheap at this size; past
 * either limit the list moves to a ChunkedList for good.
 */
export class RedisList implements RedisObject {
  // Two fields (8 bytes each) for the many small lists.
  /** The packed elements while small, then the chunked list. */
  #data: string | ChunkedList = "";
  /**
   * Elements while small; CHUNKED after. Told apart by this number, not by
   * the type of #data: a list read among many (LPUSH over random keys, or
   * packed when it leaves the recent ring) does not reach into its string
   * (a cache miss) until it reads the elements.
   */
  #count = 0;

  // Methods, not getters: V8 runs a private getter several times slower (size() on a
  // long list: 13 → 6 ns).
  #chunked(): ChunkedList | undefined {
    return this.#count === CHUNKED ? this.#data as ChunkedList : undefined;
  }

  #packed(): string {
    return this.#data as string;
  }

  get type(): "list" {
    return "list";
  }

  /** Redis 7.0 encodes every list as a quicklist (listpack lists came in 7.2). */
  encoding(): string {
    return "quicklist";
  }

  size(): number {
    return this.#count === CHUNKED ? (this.#data as ChunkedList).length : this.#count;
  }

  /** Bytes on the V8 heap, estimated in O(1) (see memory.ts): what used_memory counts. */
  memoryUsage(): number {
    return objectBytes(2) +
      (this.#count === CHUNKED
        ? (this.#data as ChunkedList).memoryUsage()
        : stringBytes((this.#data as string).length));
  }

  get length(): number {
    return this.size();
  }

  pushLeft(value: string): void {
    if (this.#count !== CHUNKED) {
      const packed = this.#data as string;
      if (fits(packed, this.#count, value)) {
        this.#data = flat(packedListEntry(value) + packed);
        this.#count++;
        return;
      }
      this.#chunk();
    }
    (this.#data as ChunkedList).pushLeft(value);
  }

  pushRight(value: string): void {
    if (this.#count !== CHUNKED) {
      const packed = this.#data as string;
      if (fits(packed, this.#count, value)) {
        this.#data = flat(packed + packedListEntry(value));
        this.#count++;
        return;
      }
      this.#chunk();
    }
    (this.#data as ChunkedList).pushRight(value);
  }

  popLeft(): string | undefined {
    if (this.#count === CHUNKED) return (this.#data as ChunkedList).popLeft();
    if (this.#count === 0) return undefined;
    const packed = this.#packed();
    const entry = cursorOver(packed);
    entry.readForward(0);
    const value = entry.value();
    this.#data = packed.slice(entry.end);
    this.#count--;
    return value;
  }

  popRight(): string | undefined {
    if (this.#count === CHUNKED) return (this.#data as ChunkedList).popRight();
    if (this.#count === 0) return undefined;
    const packed = this.#packed();
    const entry = cursorOver(packed);
    entry.readBackward(packed.length);
    const value = entry.value();
    this.#data = packed.slice(0, entry.start);
    this.#count--;
    return value;
  }

  /**
   * Moves the element at one end to the other and returns it (undefined when
   * empty): LMOVE l l RIGHT LEFT. A small list is copied once, the entry's
   * bytes moved as they are.
   */
  rotate(fromTail: boolean): string | undefined {
    const chunked = this.#chunked();
    if (chunked !== undefined) {
      const value = fromTail ? chunked.popRight() : chunked.popLeft();
      if (value !== undefined && fromTail) chunked.pushLeft(value);
      else if (value !== undefined) chunked.pushRight(value);
      return value;
    }
    if (this.#count === 0) return undefined;
    const packed = this.#packed();
    const entry = cursorOver(packed);
    if (fromTail) entry.readBackward(packed.length);
    else entry.readForward(0);
    const cut = fromTail ? entry.start : entry.end;
    const value = entry.value();
    this.#data = flat(packed.slice(cut) + packed.slice(0, cut));
    return value;
  }

  /** The element at `index` (0-based, negative from the end), or undefined. */
  at(index: number): string | undefined {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.at(index);
    if (index < 0) index += this.#count;
    if (index < 0 || index >= this.#count) return undefined;
    const entry = cursorOver(this.#packed());
    entry.seek(index, this.#count);
    return entry.value();
  }

  /** Replaces the element at `index` (negative from the end); false if out of range. */
  set(index: number, value: string): boolean {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.set(index, value);
    if (index < 0) index += this.#count;
    if (index < 0 || index >= this.#count) return false;
    const packed = this.#packed();
    const entry = cursorOver(packed);
    entry.seek(index, this.#count);
    // The value it already holds: nothing to copy.
    if (entry.length === value.length && sameChars(packed, entry.valueStart, value)) return true;
    // In place while it still fits: LSET on a small list copies the string once.
    if (packed.length - (entry.end - entry.start) + value.length + 6 <= SMALL_MAX_BYTES) {
      this.#data = joinPacked(
        packed.slice(0, entry.start),
        packedListEntry(value),
        packed.slice(entry.end),
      );
      return true;
    }
    const values = this.#values();
    values[index] = value;
    this.#assign(values);
    return true;
  }

  /** Inserts `value` before position `index` (0..length). */
  insert(index: number, value: string): void {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.insert(index, value);
    const values = this.#values();
    values.splice(index, 0, value);
    this.#assign(values);
  }

  /**
   * Removes up to `limit` elements equal to `value` (0: all), scanning from
   * the head, or from the tail when `fromTail`. Returns how many went.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.removeMatching(value, limit, fromTail);
    const left = removeFromPacked(this.#packed(), this.#count, value, limit, fromTail);
    if (left === undefined) return 0;
    this.#data = left;
    this.#count -= removedEntries;
    return removedEntries;
  }

  /** Keeps elements [start, stop] (0 <= start, stop < length); stop < start keeps none. */
  trim(start: number, stop: number): void {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.trim(start, stop);
    this.#assign(this.#values().slice(start, Math.max(start, stop + 1)));
  }

  /** Elements head to tail. */
  values(): IterableIterator<string> {
    return this.valuesFrom(0);
  }

  /** Visits `count` elements from `index` on (0 <= index, index + count <= length). */
  forRange(index: number, count: number, visit: (value: string) => void): void {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.forRange(index, count, visit);
    const entry = new ListCursor(this.#packed());
    const end = Math.min(this.#count, index + count);
    let p = 0;
    for (let i = 0; i < end; i++) {
      entry.readForward(p);
      if (i >= index) visit(entry.value());
      p = entry.end;
    }
  }

  /** Elements from `index` (0 <= index) to the tail. */
  *valuesFrom(index: number): IterableIterator<string> {
    const chunked = this.#chunked();
    if (chunked !== undefined) return yield* chunked.valuesFrom(index);
    const entry = new ListCursor(this.#packed());
    let p = 0;
    for (let i = 0; i < this.#count; i++) {
      entry.readForward(p);
      if (i >= index) yield entry.value();
      p = entry.end;
    }
  }

  /**
   * LPOS: the indexes of elements equal to `value` in scan order, past the
   * first `skip` matches; at most `limit` (0: all) among the first `maxlen`
   * elements scanned (0: all), from the tail when `fromTail`.
   */
  positions(
    value: string,
    skip: number,
    limit: number,
    maxlen: number,
    fromTail: boolean,
  ): number[] {
    const found: number[] = [];
    const length = this.length;
    const n = maxlen === 0 ? length : Math.min(length, maxlen);
    const chunked = this.#chunked();
    if (chunked !== undefined) {
      const values = fromTail ? chunked.reversed() : chunked.values();
      for (let i = 0; i < n; i++) {
        if (values.next().value !== value || skip-- > 0) continue;
        if (found.push(fromTail ? length - 1 - i : i) === limit) break;
      }
      return found;
    }
    // Compared in place: no string made for an element that does not match.
    const packed = this.#packed();
    const entry = cursorOver(packed);
    let p = fromTail ? packed.length : 0;
    for (let i = 0; i < n; i++) {
      if (fromTail) entry.readBackward(p);
      else entry.readForward(p);
      p = fromTail ? entry.start : entry.end;
      if (entry.length !== value.length || !sameChars(packed, entry.valueStart, value)) continue;
      if (skip-- > 0) continue;
      if (found.push(fromTail ? length - 1 - i : i) === limit) break;
    }
    return found;
  }

  /** Elements tail to head. */
  reversed(): IterableIterator<string> {
    const chunked = this.#chunked();
    if (chunked !== undefined) return chunked.reversed();
    return this.#values().reverse().values();
  }

  /** See packed_value.ts: packable while small. */
  packedKind(): PackedKind {
    return this.#count !== CHUNKED ? PackedKind.List : PackedKind.NotPackable;
  }

  /** The packed string, while packedKind() is not NotPackable. */
  packedData(): string {
    return this.#packed();
  }

  /** A list from its packedData() and, if known, its element count, made in `into` (a view). */
  static fromPacked(data: string, count?: number, into = new RedisList()): RedisList {
    into.#data = data;
    into.#count = count ?? countListEntries(data);
    return into;
  }

  clone(): RedisList {
    const copy = new RedisList();
    copy.#data = this.#chunked()?.clone() ?? this.#packed();
    copy.#count = this.#count;
    return copy;
  }

  #values(): string[] {
    return unpackList(this.#packed(), this.#count);
  }

  /** Replaces the content, packed if it still fits, chunked otherwise. */
  #assign(values: string[]): void {
    let bytes = 0;
    for (const v of values) bytes += v.length + 6;
    if (values.length <= SMALL_MAX_ENTRIES && bytes <= SMALL_MAX_BYTES) {
      this.#data = packList(values);
      this.#count = values.length;
    } else {
      this.#data = ChunkedList.from(values);
      this.#count = CHUNKED;
    }
  }

  /** Moves to the chunked form. */
  #chunk(): void {
    this.#data = ChunkedList.from(this.#values());
    this.#count = CHUNKED;
  }
}

/** Whether one more element keeps a packed list of `count` within its limits. */
function fits(packed: string, count: number, value: string): boolean {
  return count < SMALL_MAX_ENTRIES && packed.length + value.length + 6 <= SMALL_MAX_BYTES;
}
