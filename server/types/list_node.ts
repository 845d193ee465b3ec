/**
 * The middle nodes of a chunked list (list.ts): NODE_SIZE elements packed
 * into one binary string of `len bytes` records, like a listpack, or kept as
 * an array when they are long; and the packing of a small list's elements.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { flat, lengthPrefix, PackedReader } from "./packed_record.ts";
import type { Ring } from "./ring.ts";

/** Nodes whose elements average more than this stay arrays (packing would only copy). */
export const PACK_MAX_AVERAGE = 64;

/** A middle node: packed `len bytes` records, or an array for long elements. */
export interface ListNode {
  data: string | string[];
  count: number;
}

/** Where pack() writes a node of short elements before it becomes one string; grown for a node that needs more. */
let scratch = new Uint8Array(16384);

/**
 * Up to this average length a node is written as bytes and read back in one
 * native call; longer elements are joined with `+` and flattened once.
 * Reading a string's chars costs ~1.4 ns each (a 60-byte element 87 ns)
 * while a join costs ~11 ns an element whatever its length (joining 256
 * parts with Array.prototype.join cost ~30). Measured, 128 elements a node:
 * 3 bytes 7 against 13 ns an element, 8 bytes 16 against 12, 20 bytes 32
 * against 11, 60 bytes 87 against 11.
 */
const BYTES_MAX_AVERAGE = 5;

/**
 * `len bytes` records of the `n` items from `start` of `items`, as one flat
 * string. `mask` wraps the index (a ring's capacity - 1; -1 for an array).
 */
function pack(
  items: readonly (string | undefined)[],
  start: number,
  n: number,
  mask: number,
  chars: number,
): string {
  if (chars > BYTES_MAX_AVERAGE * n) {
    let joined = "";
    for (let i = 0; i < n; i++) {
      const value = items[(start + i) & mask]!;
      joined += lengthPrefix(value.length) + value;
    }
    return flat(joined);
  }
  // A varint length takes at most 5 bytes (values are under 2^32 bytes).
  const bound = chars + 5 * n;
  if (bound > scratch.length) scratch = new Uint8Array(Math.max(bound, 2 * scratch.length));
  const out = scratch;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const value = items[(start + i) & mask]!;
    let length = value.length;
    while (length >= 0x80) {
      out[p++] = (length & 0x7f) | 0x80;
      length = Math.floor(length / 0x80);
    }
    out[p++] = length;
    p = writeBinary(out, p, value);
  }
  return bytesToBinary(out, 0, p);
}

/** The values of a packed string of `count` records. */
export function unpack(data: string, count: number): string[] {
  const out = new Array<string>(count);
  const r = new PackedReader();
  for (let i = 0; i < count; i++) {
    const length = r.readLength(data);
    out[i] = data.substring(r.pos, r.pos + length);
    r.pos += length;
  }
  return out;
}

export function makeNode(values: string[]): ListNode {
  return nodeOf(values, 0, values.length, -1);
}

/**
 * A node of the `n` items from `start` of `items` (`mask` as pack's): a
 * ring's spill reads them where they lie, with no array taken out first.
 */
function nodeOf(
  items: readonly (string | undefined)[],
  start: number,
  n: number,
  mask: number,
): ListNode {
  let chars = 0;
  for (let i = 0; i < n; i++) chars += items[(start + i) & mask]!.length;
  if (chars <= PACK_MAX_AVERAGE * n) return { data: pack(items, start, n, mask, chars), count: n };
  const values = new Array<string>(n);
  for (let i = 0; i < n; i++) values[i] = items[(start + i) & mask]!;
  return { data: values, count: n };
}

/**
 * Takes the `n` elements at the front of `ring` (its back when `fromBack`)
 * out as one node, read where they lie: a full ring's spill.
 */
export function takeNode(ring: Ring<string>, n: number, fromBack: boolean): ListNode {
  const items = ring.items;
  const start = fromBack ? ring.start + ring.count - n : ring.start;
  const node = nodeOf(items, start, n, items.length - 1);
  if (fromBack) ring.dropBack(n);
  else ring.dropFront(n);
  return node;
}

export function nodeValues(node: ListNode): string[] {
  const data = node.data;
  return typeof data === "string" ? unpack(data, node.count) : data.slice();
}

export function nodeGet(node: ListNode, index: number): string {
  const data = node.data;
  if (typeof data !== "string") return data[index]!;
  const r = new PackedReader();
  for (let i = 0; i < index; i++) r.skipPart(data);
  const length = r.readLength(data);
  return data.substring(r.pos, r.pos + length);
}

/** Elements of a node from `from` on, in order. */
export function* nodeForward(node: ListNode, from = 0): IterableIterator<string> {
  const data = node.data;
  if (typeof data !== "string") {
    for (let i = from; i < data.length; i++) yield data[i]!;
    return;
  }
  const r = new PackedReader();
  for (let i = 0; i < node.count; i++) {
    const length = r.readLength(data);
    if (i >= from) yield data.substring(r.pos, r.pos + length);
    r.pos += length;
  }
}

/** Visits up to `count` elements of a node from `from` on; returns how many it visited. */
export function nodeRange(
  node: ListNode,
  from: number,
  count: number,
  visit: (value: string) => void,
): number {
  const data = node.data;
  const end = Math.min(node.count, from + count);
  if (typeof data !== "string") {
    for (let i = from; i < end; i++) visit(data[i]!);
    return Math.max(0, end - from);
  }
  const r = new PackedReader();
  for (let i = 0; i < end; i++) {
    const length = r.readLength(data);
    if (i >= from) visit(data.substring(r.pos, r.pos + length));
    r.pos += length;
  }
  return Math.max(0, end - from);
}

export function cloneNode(node: ListNode): ListNode {
  const data = node.data;
  return { data: typeof data === "string" ? data : data.slice(), count: node.count };
}
