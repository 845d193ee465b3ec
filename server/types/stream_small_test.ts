import { deepEqual, equal, ok } from "node:assert/strict";
import { type IdRequest, Stream, type TrimSpec } from "./stream.ts";
import { StreamBody } from "./stream_body.ts";
import { ConsumerGroup } from "./stream_groups.ts";
import { ID_MAX, ID_MIN, makeId } from "./stream_id.ts";
import type { NodeLimits, StreamNode } from "./stream_node.ts";

/** mulberry32, so failures replay. */
function rng(seed: number): (n: number) => number {
  let a = seed;
  return (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** What a stream shows: counters, entries and its nodes as RDB and XINFO see them. */
function state(s: Stream | StreamBody): unknown {
  const nodes = (s.nodes as readonly StreamNode[]).map((n) => ({
    master: n.master,
    fields: n.fields,
    lpBytes: n.lpBytes,
    live: n.live,
    deleted: n.deleted,
    lastId: n.lastId,
    lastLive: n.live > 0 ? n.lastLiveId() : undefined,
    bytes: [...n.buf.subarray(n.start, n.end)],
  }));
  return {
    length: s.length,
    lastId: s.lastId,
    lastText: s.lastIdText(),
    firstId: s.firstId,
    maxDeletedId: s.maxDeletedId,
    entriesAdded: s.entriesAdded,
    radix: s.radixTreeNodes(),
    entries: [...s.range(ID_MIN, ID_MAX)].map((e) => [e.id, e.pairs]),
    nodes,
  };
}

function pairsFor(rand: (n: number) => number): string[] {
  const pairs: string[] = [];
  for (let i = 1 + rand(3); i > 0; i--) {
    pairs.push(rand(3) ? "f" : `g${rand(3)}`, "v".repeat(rand(4) ? rand(6) : rand(60)));
  }
  return pairs;
}

Deno.test("a small stream answers as the full form does under random adds, trims, deletes and packing", () => {
  let smallSeeds = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed);
    let s = new Stream();
    const body = new StreamBody();
    let now = 2 ** 40 + rand(1000);
    let wasSmall = false;
    for (let step = 0; step < 150; step++) {
      const op = rand(20);
      const limits: NodeLimits = rand(4) === 0
        ? { maxBytes: 30 + rand(100), maxEntries: 2 + rand(4) }
        : { maxBytes: 4096, maxEntries: 100 };
      if (op < 12) {
        now += rand(3);
        const kind = rand(4);
        const request: IdRequest = kind < 2
          ? { kind: "auto" }
          : kind === 2
          ? { kind: "partial", ms: BigInt(now - rand(2)) }
          : { kind: "explicit", id: makeId(BigInt(now - rand(2)), BigInt(rand(3))) };
        const pairs = pairsFor(rand);
        // XADD passes its argv and where the pairs start (addFrom), not a copy.
        const argv = ["XADD", "k", "*"].slice(0, rand(4)).concat(pairs);
        const failed = s.addFrom(argv, argv.length - pairs.length, request, now, limits);
        equal(failed ?? s.lastId, body.addFrom(pairs, 0, request, now, limits) ?? body.lastId);
      } else if (op < 14) {
        const spec: TrimSpec = rand(2)
          ? { strategy: "maxlen", maxlen: rand(6), approx: rand(2) === 0, limit: 0 }
          : {
            strategy: "minid",
            minid: makeId(BigInt(now - rand(6)), 0n),
            approx: false,
            limit: 0,
          };
        equal(s.trim(spec), body.trim(spec));
      } else if (op < 15) {
        const id = makeId(BigInt(now - rand(4)), BigInt(rand(2)));
        equal(s.delete(id), body.delete(id));
      } else if (op < 17) {
        // A clone holds the same stream (its own bytes).
        s = s.clone();
      } else if (op < 18) {
        s = rand(2) ? s.clone() : s;
        s.compact();
      } else {
        deepEqual(state(s), state(body));
      }
      wasSmall ||= s.isSmall() && s.length > 1;
    }
    deepEqual(state(s), state(body));
    s.compact();
    deepEqual(state(s), state(body));
    if (wasSmall) smallSeeds++;
  }
  ok(smallSeeds >= 30, `${smallSeeds} of 40 runs held a small stream of entries`);
});

Deno.test("a stream is small until it needs its full form, and compact() brings one back", () => {
  const s = new Stream();
  s.add(["f", "v"], { kind: "auto" }, 1000);
  s.add(["f", "v"], { kind: "auto" }, 1000);
  ok(s.isSmall());
  equal(s.lastIdText(), "1000-1");
  // A read keeps the small form beside the full one.
  equal([...s.range(ID_MIN, ID_MAX)].length, 2);
  ok(s.isSmall());
  s.addGroup(new ConsumerGroup("g", ID_MIN, 0));
  ok(!s.isSmall());
  s.compact();
  ok(!s.isSmall(), "a stream with a group stays full");
  ok(s.deleteGroup("g"));
  s.compact();
  ok(s.isSmall());
  equal(s.groups.size, 0);
  for (let i = 0; i < 100; i++) s.add(["f", "v".repeat(10)], { kind: "auto" }, 2000);
  ok(!s.isSmall(), "a long stream grows into its full form");
  equal(s.length, 102);
});

Deno.test("a clone of a small stream has its own bytes: appends to either leave the other", () => {
  const s = new Stream();
  s.add(["f", "v"], { kind: "auto" }, 1000);
  const copy = s.clone();
  s.add(["f", "w"], { kind: "auto" }, 1001);
  copy.add(["g", "x"], { kind: "auto" }, 1002);
  ok(s.isSmall() && copy.isSmall());
  deepEqual([...s.range(ID_MIN, ID_MAX)].map((e) => e.pairs), [["f", "v"], ["f", "w"]]);
  deepEqual([...copy.range(ID_MIN, ID_MAX)].map((e) => e.pairs), [["f", "v"], ["g", "x"]]);
  equal(new Stream().clone().length, 0);
});
