/**
 * The middle nodes of a chunked list (list.ts): NODE_SIZE elements packed
 * into one binary string of `len bytes` records, like a listpack, or kept as
 * an array when they are long; and the packing of a small list's elements.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import { PackedReader } from "./packed_record.ts";

/** Nodes whose elements average more than this stay arrays (packing would only copy). */
export const PACK_MAX_AVERAGE = 64;

/** A middle node: packed `len bytes` records, or an array for long elements. */
export interface ListNode {
  data: string | string[];
  count: number;
}

/** Where pack() writes a node before it becomes one string; grown for a node that needs more. */
let scratch = new Uint8Array(16384);

/**
 * `len bytes` records of `values`, as one flat string: written as bytes and
 * read back in one native call (joining 256 parts cost ~30 ns an element,
 * the largest share of a push onto a long list).
 */
export function pack(values: readonly string[]): string {
  // A varint length takes at most 5 bytes (values are under 2^32 bytes).
  let bound = 0;
  for (let i = 0; i < values.length; i++) bound += values[i]!.length + 5;
  if (bound > scratch.length) scratch = new Uint8Array(Math.max(bound, 2 * scratch.length));
  const out = scratch;
  let p = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let n = value.length;
    while (n >= 0x80) {
      out[p++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[p++] = n;
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
  let bytes = 0;
  for (const v of values) bytes += v.length;
  if (bytes > PACK_MAX_AVERAGE * values.length) return { data: values, count: values.length };
  return { data: pack(values), count: values.length };
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
