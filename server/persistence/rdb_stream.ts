/**
 * Streams in RDB (rdb.c, RDB_TYPE_STREAM_LISTPACKS and _2):
 *
 *   node count, then per node: master ID (16 bytes big-endian) and a listpack
 *     [live, deleted, n, master fields..., 0, entries...], each entry
 *     [flags, ms delta, seq delta, (n, field, value...) | values..., element count]
 *   length, last ID (ms, seq)
 *   _2 only: first ID, max deleted ID, entries added
 *   group count, then per group (name order): name, last ID,
 *     _2 only: entries read (-1 as 2^64-1),
 *     PEL: count, then raw ID, delivery time (ms, LE), delivery count,
 *     consumers (name order): name, seen time, PEL IDs (owned entries)
 *
 * We write _2 as Redis 7.0 does, one listpack per node, deleted entries
 * included; loading re-packs the live entries into nodes of our own limits.
 */
import { binaryToBytes, bytesToBinary } from "../../protocol/bytes.ts";
import { FLAG_DELETED, FLAG_SAMEFIELDS, type NodeLimits, Stream } from "../types/stream.ts";
import {
  type Consumer,
  ConsumerGroup,
  ENTRIES_READ_UNKNOWN,
  IdIndex,
  type Nack,
} from "../types/stream_groups.ts";
import {
  decodeIdBytes,
  encodeIdBytes,
  idMs,
  idSeq,
  makeId,
  type StreamId,
} from "../types/stream_id.ts";
import { check } from "./format_error.ts";
import { decodeListpack, ListpackBuilder } from "./listpack.ts";
import type { RdbDecoder } from "./rdb_reader.ts";
import type { RdbEncoder } from "./rdb_writer.ts";

const U64 = 1n << 64n;

/** rdbSaveLen for any unsigned 64-bit value. */
function writeLen64(enc: RdbEncoder, v: bigint): void {
  if (v <= 0xffffffffn) return enc.len(Number(v));
  enc.byte(0x81);
  for (let shift = 56n; shift >= 0n; shift -= 8n) enc.byte(Number((v >> shift) & 0xffn));
}

function writeId(enc: RdbEncoder, id: StreamId): void {
  writeLen64(enc, idMs(id));
  writeLen64(enc, idSeq(id));
}

function rawId(id: StreamId): Uint8Array {
  const out = new Uint8Array(16);
  encodeIdBytes(id, out);
  return out;
}

/** Writes a stream's value as RDB_TYPE_STREAM_LISTPACKS_2 (without the type byte). */
export function writeStream(enc: RdbEncoder, s: Stream): void {
  enc.len(s.nodes.length);
  for (const node of s.nodes) {
    enc.string(bytesToBinary(rawId(node.master)));
    const lp = new ListpackBuilder();
    lp.append(String(node.live));
    lp.append(String(node.deleted));
    lp.append(String(node.fields.length));
    for (const f of node.fields) lp.append(f);
    lp.append("0");
    for (const p of node.offsets()) {
      const flags = node.flags(p);
      const { id, pairs } = node.entryAt(p);
      lp.append(String(flags));
      lp.append(String(BigInt.asIntN(64, idMs(id) - idMs(node.master))));
      lp.append(String(BigInt.asIntN(64, idSeq(id) - idSeq(node.master))));
      const same = (flags & FLAG_SAMEFIELDS) !== 0;
      if (!same) lp.append(String(pairs.length / 2));
      for (let i = same ? 1 : 0; i < pairs.length; i += same ? 2 : 1) lp.append(pairs[i]!);
      lp.append(String(3 + (same ? pairs.length / 2 : pairs.length + 1)));
    }
    enc.blob(lp.finish());
  }
  enc.len(s.length);
  writeId(enc, s.lastId);
  writeId(enc, s.firstId);
  writeId(enc, s.maxDeletedId);
  enc.len(s.entriesAdded);
  enc.len(s.groups.size);
  for (const name of [...s.groups.keys()].sort()) {
    const group = s.groups.get(name)!;
    enc.string(name);
    writeId(enc, group.lastId);
    writeLen64(enc, BigInt.asUintN(64, BigInt(group.entriesRead)));
    enc.len(group.pel.size);
    for (const [id, nack] of group.pel.entries()) {
      enc.raw(rawId(id));
      enc.millis(nack.deliveryTime);
      enc.len(nack.deliveryCount);
    }
    enc.len(group.consumers.size);
    for (const cname of [...group.consumers.keys()].sort()) {
      const consumer = group.consumers.get(cname)!;
      enc.string(cname);
      enc.millis(consumer.seenTime);
      enc.len(consumer.pel.size);
      for (const [id] of consumer.pel.entries()) enc.raw(rawId(id));
    }
  }
}

/** rdbLoadLen for any unsigned 64-bit value. */
function readLen64(dec: RdbDecoder): bigint {
  const first = dec.buf[dec.pos];
  if (first !== 0x81) return BigInt(dec.length());
  dec.byte();
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(dec.byte());
  return v;
}

function readId(dec: RdbDecoder): StreamId {
  const ms = readLen64(dec);
  return makeId(ms, readLen64(dec));
}

function readRawId(dec: RdbDecoder): StreamId {
  check(dec.pos + 16 <= dec.end, "Stream short read reading PEL streamID.");
  const id = decodeIdBytes(dec.buf, dec.pos);
  dec.pos += 16;
  return id;
}

function safeNumber(v: bigint, what: string): number {
  check(v <= BigInt(Number.MAX_SAFE_INTEGER), `${what} too large`);
  return Number(v);
}

/** Reads a stream value of RDB type STREAM_LISTPACKS (`v2` false) or STREAM_LISTPACKS_2. */
export function readStream(dec: RdbDecoder, v2: boolean): Stream {
  const s = new Stream();
  const nodes = dec.length();
  let previous: StreamId | undefined;
  for (let i = 0; i < nodes; i++) {
    const key = dec.string();
    check(key.length === 16, "Stream node key entry is not the size of a stream ID");
    const master = decodeIdBytes(binaryToBytes(key));
    check(previous === undefined || master > previous, "Listpack re-added with existing key");
    previous = readNode(s, master, decodeListpack(dec.blob()), previous);
  }
  const length = safeNumber(readLen64(dec), "stream length");
  check(length === s.length, "Stream length inconsistent with its entries");
  s.lastId = readId(dec);
  check(previous === undefined || previous <= s.lastId, "Stream last ID below its entries");
  // The first ID is recomputed from the entries rather than trusted.
  s.firstId = s.edge(false)?.id ?? 0n;
  if (v2) {
    readId(dec);
    s.maxDeletedId = readId(dec);
    s.entriesAdded = safeNumber(readLen64(dec), "stream entries added");
  } else {
    s.entriesAdded = s.length;
  }
  const groups = dec.length();
  for (let i = 0; i < groups; i++) readGroup(dec, s, v2);
  s.compact();
  return s;
}

/**
 * The file's nodes are kept as they are (the writer applied its limits):
 * each listpack's live entries become one node.
 */
const FILE_NODES: NodeLimits = { maxBytes: 0, maxEntries: 0 };

/** Appends a node's live entries as one node; returns the last ID it holds. */
function readNode(
  s: Stream,
  master: StreamId,
  items: string[],
  previous: StreamId | undefined,
): StreamId {
  check(items.length > 0, "Empty listpack inside stream");
  // This listpack's entries start a node of their own, as in the file.
  s.closeTail();
  const int = (i: number): bigint => {
    check(
      i < items.length && /^-?[0-9]+$/.test(items[i]!),
      "Stream listpack integrity check failed.",
    );
    return BigInt(items[i]!);
  };
  const live = Number(int(0));
  const deleted = Number(int(1));
  const fieldCount = Number(int(2));
  const fields = items.slice(3, 3 + fieldCount);
  let p = 3 + fieldCount;
  check(int(p++) === 0n, "Stream listpack integrity check failed.");
  let seen = 0;
  let seenLive = 0;
  let last = previous;
  while (p < items.length) {
    const flags = Number(int(p));
    const ms = BigInt.asUintN(64, idMs(master) + int(p + 1));
    const seq = BigInt.asUintN(64, idSeq(master) + int(p + 2));
    const id = makeId(ms, seq);
    p += 3;
    let pairs: string[];
    if (flags & FLAG_SAMEFIELDS) {
      pairs = [];
      // A listpack cut short fails the integrity check after the entry.
      for (const f of fields) pairs.push(f, items[p++]!);
    } else {
      const n = Number(int(p++));
      pairs = items.slice(p, p + n * 2);
      p += n * 2;
    }
    check(p < items.length, "Stream listpack integrity check failed.");
    p++;
    check(last === undefined || id > last, "Stream IDs out of order");
    last = id;
    seen++;
    if (flags & FLAG_DELETED) continue;
    seenLive++;
    s.appendEntry(id, pairs, FILE_NODES);
  }
  check(seen === live + deleted && seenLive === live, "Stream listpack integrity check failed.");
  // A node without deleted entries is Redis's node again, which XADD
  // appends to (streamAppendItem); one that lost deleted entries is not.
  if (deleted > 0) s.closeTail();
  return last ?? master;
}

function readGroup(dec: RdbDecoder, s: Stream, v2: boolean): void {
  const name = dec.string();
  const lastId = readId(dec);
  let entriesRead: number;
  if (v2) {
    const raw = readLen64(dec);
    entriesRead = raw === U64 - 1n ? ENTRIES_READ_UNKNOWN : safeNumber(raw, "entries read");
  } else {
    entriesRead = s.estimateEntriesRead(lastId);
  }
  check(!s.groups.has(name), `Duplicated consumer group name ${name}`);
  const group = new ConsumerGroup(name, lastId, entriesRead);
  s.addGroup(group);
  // The group PEL comes first without owners; each consumer then names its entries.
  const pending = new IdIndex<
    { deliveryTime: number; deliveryCount: number; consumer?: Consumer }
  >();
  const pelSize = dec.length();
  for (let i = 0; i < pelSize; i++) {
    const id = readRawId(dec);
    const deliveryTime = dec.millis();
    const deliveryCount = safeNumber(readLen64(dec), "delivery count");
    check(!pending.has(id), "Duplicated global PEL entry loading stream consumer group");
    pending.set(id, { deliveryTime, deliveryCount });
  }
  const consumers = dec.length();
  for (let i = 0; i < consumers; i++) {
    const cname = dec.string();
    check(!group.consumers.has(cname), "Duplicate stream consumer detected.");
    const consumer: Consumer = group.consumer(cname, dec.millis()).consumer;
    const owned = dec.length();
    for (let j = 0; j < owned; j++) {
      const id = readRawId(dec);
      const nack = pending.get(id);
      check(nack !== undefined, "Consumer entry not found in group global PEL");
      check(
        nack.consumer === undefined,
        "Duplicated consumer PEL entry loading a stream consumer group",
      );
      nack.consumer = consumer;
      consumer.pel.set(id, nack as Nack);
    }
  }
  for (const [id, nack] of pending.entries()) {
    check(nack.consumer !== undefined, "Stream CG PEL entry without consumer");
    group.pel.set(id, nack as Nack);
  }
}
