import { deepEqual, equal, throws } from "node:assert/strict";
import { binaryToBytes, bytesToBinary } from "../../protocol/bytes.ts";
import { Stream } from "../types/stream.ts";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from "../types/stream_groups.ts";
import { encodeIdBytes, ID_MAX, ID_MIN, makeId, type StreamId } from "../types/stream_id.ts";
import { FormatError } from "./format_error.ts";
import { ListpackBuilder } from "./listpack.ts";
import { RdbDecoder, readDumpPayload } from "./rdb_reader.ts";
import { readStream, writeStream } from "./rdb_stream.ts";
import { dumpPayload, RdbEncoder, RdbType } from "./rdb_writer.ts";

/** Everything RDB keeps of a stream, as plain data. */
function snapshot(s: Stream): unknown {
  return {
    entries: [...s.range(ID_MIN, ID_MAX)],
    length: s.length,
    lastId: s.lastId,
    firstId: s.firstId,
    maxDeletedId: s.maxDeletedId,
    entriesAdded: s.entriesAdded,
    groups: [...s.groups.values()].map((g) => ({
      name: g.name,
      lastId: g.lastId,
      entriesRead: g.entriesRead,
      pel: [...g.pel.entries()].map((
        [id, n],
      ) => [id, n.deliveryTime, n.deliveryCount, n.consumer.name]),
      consumers: [...g.consumers.values()].map((
        c,
      ) => [c.name, c.seenTime, [...c.pel.entries()].map(([id]) => id)]),
    })).sort((a, b) => a.name < b.name ? -1 : 1),
  };
}

function roundTrip(s: Stream, compression: boolean): Stream {
  const enc = new RdbEncoder({ compression, checksum: false });
  writeStream(enc, s);
  const dec = new RdbDecoder(enc.bytes());
  const back = readStream(dec, true);
  equal(dec.pos, enc.bytes().length);
  return back;
}

function sample(): Stream {
  const s = new Stream();
  const limits = { maxBytes: 200, maxEntries: 4 };
  for (let i = 1; i <= 40; i++) {
    const pairs = i % 5 === 0
      ? ["other", "x".repeat(i * 3), "n", String(-i)]
      : ["f", String(i * 1000)];
    s.add(pairs, { kind: "auto" }, 1700000000000 + Math.floor(i / 3), limits);
  }
  s.add(
    ["big", "\u00ff\u0000".repeat(40)],
    { kind: "explicit", id: makeId(1n << 62n, 7n) },
    0,
    limits,
  );
  s.add(["f", "1"], { kind: "explicit", id: makeId(1n << 62n, (1n << 64n) - 1n) }, 0, limits);
  const ids = [...s.range(ID_MIN, ID_MAX)].map((e) => e.id);
  s.delete(ids[5]!);
  s.delete(ids[6]!);
  s.trim({ strategy: "maxlen", maxlen: 35, approx: false, limit: 0 });
  const g1 = new ConsumerGroup("workers", ids[20]!, 21);
  const g2 = new ConsumerGroup("\u00e9-empty", ID_MIN, ENTRIES_READ_UNKNOWN);
  s.addGroup(g1);
  s.addGroup(g2);
  const alice = g1.consumer("alice", 1700000000123).consumer;
  const bob = g1.consumer("bob", 1700000000456).consumer;
  g1.consumer("idle", 1700000000789);
  for (let i = 8; i < 20; i++) g1.deliver(ids[i]!, i % 2 ? alice : bob, 1700000001000 + i);
  g1.pel.get(ids[9]!)!.deliveryCount = 5;
  return s;
}

Deno.test("streams round-trip through RDB with nodes, tombstones, groups, consumers and PELs", () => {
  const s = sample();
  deepEqual(snapshot(roundTrip(s, false)), snapshot(s));
  deepEqual(snapshot(roundTrip(s, true)), snapshot(s));
  const empty = new Stream();
  empty.lastId = makeId(5n, 5n);
  empty.entriesAdded = 3;
  empty.maxDeletedId = makeId(5n, 5n);
  deepEqual(snapshot(roundTrip(empty, false)), snapshot(empty));
});

Deno.test("DUMP payloads of streams decode to the same stream", () => {
  const s = sample();
  const decoded = readDumpPayload(binaryToBytes(dumpPayload(s, true)));
  if (typeof decoded !== "object" || decoded?.type !== "stream") throw new Error("not a stream");
  deepEqual(snapshot(decoded.stream), snapshot(s));
});

function idKey(id: StreamId): string {
  const b = new Uint8Array(16);
  encodeIdBytes(id, b);
  return bytesToBinary(b);
}

/** The Redis 5 form (STREAM_LISTPACKS): one hand-built node, one group. */
function legacyStream(): Uint8Array {
  const enc = new RdbEncoder({ compression: false, checksum: false });
  enc.len(1);
  enc.string(idKey(makeId(100n, 5n)));
  const lp = new ListpackBuilder();
  for (const item of ["2", "1", "1", "name", "0"]) lp.append(item);
  // 100-5 (same fields), 100-6 deleted, 101-0 with other fields (seq delta -5).
  for (const item of ["2", "0", "0", "ann", "4"]) lp.append(item);
  for (const item of ["3", "0", "1", "bea", "4"]) lp.append(item);
  for (const item of ["0", "1", "-5", "2", "a", "1", "b", "2", "8"]) lp.append(item);
  enc.blob(lp.finish());
  enc.len(2);
  enc.len(101);
  enc.len(0);
  enc.len(1);
  enc.string("g");
  enc.len(100);
  enc.len(5);
  enc.len(1);
  enc.raw(binaryToBytes(idKey(makeId(100n, 5n))));
  enc.millis(1234);
  enc.len(2);
  enc.len(1);
  enc.string("c");
  enc.millis(999);
  enc.len(1);
  enc.raw(binaryToBytes(idKey(makeId(100n, 5n))));
  return enc.bytes();
}

Deno.test("STREAM_LISTPACKS (Redis 5/6) loads with entries-added and entries-read derived", () => {
  const s = readStream(new RdbDecoder(legacyStream()), false);
  // Entries come as the stream's own objects (their bigint ID made on demand): compare the fields.
  deepEqual([...s.range(ID_MIN, ID_MAX)].map(({ id, pairs, text }) => ({ id, pairs, text })), [
    { id: makeId(100n, 5n), pairs: ["name", "ann"], text: "100-5" },
    { id: makeId(101n, 0n), pairs: ["a", "1", "b", "2"], text: "101-0" },
  ]);
  equal(s.entriesAdded, 2);
  equal(s.firstId, makeId(100n, 5n));
  const g = s.groups.get("g")!;
  equal(g.entriesRead, 1);
  equal(g.pel.get(makeId(100n, 5n))?.consumer.name, "c");
  equal(g.pel.get(makeId(100n, 5n))?.deliveryCount, 2);
  equal(g.consumers.get("c")?.seenTime, 999);
  const v2 = new RdbEncoder({ compression: false, checksum: false });
  v2.byte(RdbType.STREAM_LISTPACKS_2);
  writeStream(v2, s);
  const dec = new RdbDecoder(v2.bytes());
  equal(dec.byte(), RdbType.STREAM_LISTPACKS_2);
  deepEqual(snapshot(readStream(dec, true)), snapshot(s));
});

Deno.test("corrupt stream data is refused", () => {
  const good = legacyStream();
  const truncated = good.subarray(0, good.length - 3);
  throws(() => readStream(new RdbDecoder(truncated), false), FormatError);
  const badLength = good.slice();
  // The stream length (2) sits right after the listpack; claim 3.
  const at = badLength.lastIndexOf(2, badLength.length - 40);
  badLength[at] = 3;
  throws(() => readStream(new RdbDecoder(badLength), false), FormatError);
});

Deno.test("loading keeps the file's node boundaries", () => {
  const s = sample();
  const shape = s.nodes.map((n) => [n.live, n.lastId]);
  deepEqual(roundTrip(s, false).nodes.map((n) => [n.live, n.lastId]), shape);
  const wide = new Stream();
  const limits = { maxBytes: 0, maxEntries: 300 };
  for (let i = 1; i <= 500; i++) wide.add(["f", String(i)], { kind: "auto" }, i, limits);
  deepEqual(roundTrip(wide, true).nodes.map((n) => n.live), [300, 200]);
});

Deno.test("XADD after loading appends to the last node as Redis does, unless deleted entries went", () => {
  const limits = { maxBytes: 4096, maxEntries: 4 };
  for (const deleteOne of [false, true]) {
    const s = new Stream();
    for (let i = 1; i <= 6; i++) {
      s.add(["f", "v"], { kind: "explicit", id: makeId(7n, BigInt(i)) }, 0, limits);
    }
    if (deleteOne) s.delete(makeId(7n, 6n));
    const back = roundTrip(s, false);
    back.add(["f", "w"], { kind: "explicit", id: makeId(8n, 1n) }, 0, limits);
    s.add(["f", "w"], { kind: "explicit", id: makeId(8n, 1n) }, 0, limits);
    // Redis 7.0: nodes of 4 and 2 entries, then the XADD's entry joins the second; a node
    // whose deleted entry the load dropped is no longer Redis's, and the entry starts one.
    deepEqual(back.nodes.map((n) => n.live), deleteOne ? [4, 1, 1] : [4, 3]);
    if (!deleteOne) deepEqual(back.nodes.map((n) => n.lpBytes), s.nodes.map((n) => n.lpBytes));
  }
});
