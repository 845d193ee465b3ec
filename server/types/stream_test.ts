import { deepEqual, equal, ok } from "node:assert/strict";
import { type IdRequest, Stream, type StreamEntry, type TrimSpec } from "./stream.ts";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN, IdIndex } from "./stream_groups.ts";
import { formatId, ID_MAX, ID_MIN, makeId, parseId, SEQ_MAX } from "./stream_id.ts";

/** A small deterministic PRNG (mulberry32) so failures replay. */
function rng(seed: number): (n: number) => number {
  let a = seed;
  return (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const limits = { maxBytes: 300, maxEntries: 6 };

/** A range as plain {id, pairs}, after checking each entry's ID text where a read set one. */
function read(s: Stream, start = ID_MIN, end = ID_MAX, reverse = false): StreamEntry[] {
  return [...s.range(start, end, reverse)].map(({ id, pairs, text }) => {
    if (text !== undefined) equal(text, formatId(id));
    return { id, pairs };
  });
}

function pairsFor(rand: (n: number) => number, i: number): string[] {
  switch (rand(4)) {
    case 0:
      return ["f", String(i)];
    case 1:
      return ["f", "x".repeat(rand(80)), "g", String(-i * 1000)];
    case 2:
      return ["other", `v${i}`];
    default:
      return ["f", "\u00ff\u0000bin", "f", "dup-field"];
  }
}

function modelRange(model: StreamEntry[], start: bigint, end: bigint, rev: boolean): StreamEntry[] {
  const out = model.filter((e) => e.id >= start && e.id <= end);
  return rev ? out.reverse() : out;
}

Deno.test("stream matches an array model under random adds, deletes, trims and ranges", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rand = rng(seed);
    const s = new Stream();
    let model: StreamEntry[] = [];
    let now = 1000;
    for (let step = 0; step < 400; step++) {
      const op = rand(10);
      if (op < 5) {
        now += rand(3);
        const pairs = pairsFor(rand, step);
        const kind = rand(3);
        const request = kind === 0
          ? { kind: "auto" as const }
          : kind === 1
          ? { kind: "partial" as const, ms: BigInt(now) }
          : { kind: "explicit" as const, id: makeId(BigInt(now), BigInt(rand(3))) };
        const last = s.lastId;
        const id = s.add(pairs, request, now, limits);
        if (typeof id === "string") {
          equal(id, "order");
          ok(kind === 2 && makeId(BigInt(now), 0n) <= last + 2n);
        } else {
          ok(id > last);
          model.push({ id, pairs });
        }
      } else if (op < 7 && model.length > 0) {
        const victim = model[rand(model.length)]!.id;
        equal(s.delete(victim), true);
        equal(s.delete(victim), false);
        model = model.filter((e) => e.id !== victim);
        ok(s.maxDeletedId >= victim);
      } else if (op === 7) {
        const spec: TrimSpec = rand(2) === 0
          ? { strategy: "maxlen", maxlen: rand(model.length + 2), approx: rand(2) === 0, limit: 0 }
          : {
            strategy: "minid",
            minid: model.length ? model[rand(model.length)]!.id : 0n,
            approx: rand(2) === 0,
            limit: 0,
          };
        const removed = s.trim(spec);
        if (!spec.approx) {
          const keep = spec.strategy === "maxlen"
            ? model.slice(Math.max(0, model.length - spec.maxlen!))
            : model.filter((e) => e.id >= spec.minid!);
          equal(removed, model.length - keep.length);
        }
        model = model.slice(removed);
      } else {
        const a = model.length ? model[rand(model.length)]!.id + BigInt(rand(3) - 1) : 0n;
        const b = model.length ? model[rand(model.length)]!.id : ID_MAX;
        const [start, end] = a <= b ? [a, b] : [b, a];
        const rev = rand(2) === 0;
        deepEqual(read(s, start, end, rev), modelRange(model, start, end, rev));
        const found = s.get(a);
        deepEqual(found && { id: found.id, pairs: found.pairs }, model.find((e) => e.id === a));
      }
      equal(s.length, model.length);
      equal(s.firstId, model.length ? model[0]!.id : ID_MIN);
    }
    deepEqual(read(s), model);
    deepEqual(read(s, ID_MIN, ID_MAX, true), model.slice().reverse());
    deepEqual(read(s.clone()), model);
    for (const node of s.nodes) ok(node.live > 0 && node.live + node.deleted <= limits.maxEntries);
  }
});

Deno.test("XADD ID rules: auto, partial and explicit IDs, and their failures", () => {
  const s = new Stream();
  equal(s.add(["a", "1"], { kind: "auto" }, 5), makeId(5n, 0n));
  equal(s.add(["a", "1"], { kind: "auto" }, 4), makeId(5n, 1n));
  equal(s.add(["a", "1"], { kind: "partial", ms: 5n }, 9), makeId(5n, 2n));
  equal(s.add(["a", "1"], { kind: "partial", ms: 7n }, 9), makeId(7n, 0n));
  equal(s.add(["a", "1"], { kind: "partial", ms: 6n }, 9), "order");
  equal(s.add(["a", "1"], { kind: "explicit", id: makeId(7n, 0n) }, 9), "order");
  equal(s.add(["a", "1"], { kind: "explicit", id: makeId(7n, SEQ_MAX) }, 9), makeId(7n, SEQ_MAX));
  equal(s.add(["a", "1"], { kind: "partial", ms: 7n }, 9), "size");
  equal(s.add(["a", "1"], { kind: "auto" }, 1), makeId(8n, 0n));
  equal(s.add(["a", "1"], { kind: "explicit", id: ID_MAX }, 1), ID_MAX);
  equal(s.add(["a", "1"], { kind: "auto" }, 1), "order");
  equal(s.entriesAdded, 7);
  equal(s.length, 7);
  equal(formatId(s.lastId), "18446744073709551615-18446744073709551615");
  deepEqual(
    [...s.range(ID_MIN, ID_MAX)].map((e) => formatId(e.id)),
    ["5-0", "5-1", "5-2", "7-0", "7-18446744073709551615", "8-0", formatId(ID_MAX)],
  );
});

Deno.test("auto IDs and their text past 2^53 and after XSETID match the bigint rules", () => {
  const s = new Stream();
  const added: string[] = [];
  const auto = (now: number) => {
    const id = s.add(["f", "v"], { kind: "auto" }, now);
    equal(typeof id, "bigint");
    equal(s.lastIdText(), formatId(s.lastId));
    added.push(s.lastIdText());
  };
  auto(0);
  auto(3);
  s.lastId = makeId(3n, 2n ** 53n - 2n);
  auto(2);
  auto(3);
  auto(3);
  s.lastId = makeId(2n ** 53n, 7n);
  auto(4);
  s.lastId = makeId(2n ** 60n, SEQ_MAX);
  auto(5);
  deepEqual(added, [
    "0-1",
    "3-0",
    "3-9007199254740991",
    "3-9007199254740992",
    "3-9007199254740993",
    "9007199254740992-8",
    "1152921504606846977-0",
  ]);
  deepEqual([...s.range(ID_MIN, ID_MAX)].map((e) => formatId(e.id)), added);
});

Deno.test("seqs of 2^30 and more (kept as WIDE_SEQ beside the bigint) read back exactly", () => {
  const s = new Stream();
  const texts: string[] = [];
  const add = (request: IdRequest, now = 0) => {
    equal(s.add(["f", "v"], request, now), s.lastId);
    equal(s.lastIdText(), formatId(s.lastId));
    const seq = s.lastId & (2n ** 64n - 1n);
    equal(s.lastSeq, seq < 2n ** 53n ? Number(seq) : NaN);
    texts.push(s.lastIdText());
  };
  add({ kind: "explicit", id: makeId(5n, 2n ** 30n - 2n) });
  add({ kind: "auto" });
  add({ kind: "auto" });
  add({ kind: "partial", ms: 5n });
  add({ kind: "explicit", id: makeId(5n, 2n ** 31n) });
  add({ kind: "explicit", id: makeId(6n, 2n ** 53n + 1n) });
  add({ kind: "auto" });
  add({ kind: "auto" }, 7);
  s.lastId = makeId(7n, 2n ** 40n);
  add({ kind: "auto" });
  deepEqual(texts, [
    "5-1073741822",
    "5-1073741823",
    "5-1073741824",
    "5-1073741825",
    "5-2147483648",
    "6-9007199254740993",
    "6-9007199254740994",
    "7-0",
    "7-1099511627777",
  ]);
  deepEqual([...s.range(ID_MIN, ID_MAX)].map((e) => formatId(e.id)), texts);
  deepEqual(read(s.clone()).map((e) => formatId(e.id)), texts);
});

Deno.test("small streams' slabs share pool buffers without overlapping", () => {
  const streams = Array.from({ length: 200 }, () => new Stream());
  const models: string[][] = streams.map(() => []);
  for (let round = 1; round <= 30; round++) {
    streams.forEach((s, i) => {
      const value = `${i}:${round}`.repeat(1 + (i + round) % 3);
      s.add(["f", value], { kind: "auto" }, round);
      models[i]!.push(value);
    });
  }
  streams.forEach((s, i) => deepEqual(read(s).map((e) => e.pairs[1]), models[i]));
  const buffers = new Set(streams.map((s) => s.nodes[0]!.buf.buffer));
  ok(buffers.size < streams.length, `${buffers.size} buffers for ${streams.length} streams`);
});

Deno.test("new nodes share field-name arrays with nodes of the same names only", () => {
  const fieldsAfter = (pairs: string[]) => {
    const s = new Stream();
    s.add(pairs, { kind: "auto" }, 1);
    deepEqual(read(s).map((e) => e.pairs), [pairs]);
    return s.nodes[0]!.fields;
  };
  const one = fieldsAfter(["f", "1"]);
  ok(fieldsAfter(["f", "2"]) === one);
  const two = fieldsAfter(["a", "1", "b", "2"]);
  ok(fieldsAfter(["a", "3", "b", "4"]) === two);
  deepEqual(two, ["a", "b"]);
  // A single name that spells another set's key, and sets that share a prefix.
  deepEqual(fieldsAfter(["1:a1:b", "v"]), ["1:a1:b"]);
  deepEqual(fieldsAfter(["a", "1"]), ["a"]);
  deepEqual(fieldsAfter(["a", "1", "b", "2", "c", "3"]), ["a", "b", "c"]);
  deepEqual(fieldsAfter(["ab", "1", "", "2"]), ["ab", ""]);
  const long = "n".repeat(300);
  ok(fieldsAfter([long, "1"]) !== fieldsAfter([long, "2"]), "long names are not kept");
});

Deno.test("entries keep exact IDs on both sides of 2^53, in one node and across nodes", () => {
  const s = new Stream();
  const ids = [
    makeId(2n ** 53n - 2n, 5n),
    makeId(2n ** 53n - 1n, 2n ** 53n - 1n),
    makeId(2n ** 53n - 1n, 2n ** 53n + 1n),
    makeId(2n ** 53n + 1n, 0n),
    makeId(2n ** 53n + 1n, 3n),
    makeId(2n ** 60n, 2n ** 63n),
    makeId(2n ** 60n + 1n, 1n),
  ];
  for (const id of ids) equal(s.add(["f", "v"], { kind: "explicit", id }, 0), id);
  deepEqual([...s.range(ID_MIN, ID_MAX)].map((e) => e.id), ids);
  deepEqual([...s.range(ID_MIN, ID_MAX, true)].map((e) => e.id), ids.toReversed());
  // Bounds on both sides of every ID: exact parts compare as numbers, the rest as bigints.
  const bounds = [ID_MIN, ID_MAX, ...ids.flatMap((id) => [id - 1n, id, id + 1n])];
  const model = ids.map((id) => ({ id, pairs: ["f", "v"] }));
  for (const start of bounds) {
    for (const end of bounds) {
      for (const rev of [false, true]) {
        deepEqual(read(s, start, end, rev), modelRange(model, start, end, rev));
      }
    }
    equal(s.get(start)?.id, ids.includes(start) ? start : undefined);
  }
  for (const id of ids) {
    ok(s.delete(id));
    ok(!s.delete(id));
    equal(s.get(id), undefined);
  }
  equal(s.length, 0);
});

Deno.test("ID parsing accepts what Redis accepts", () => {
  const opts = { missingSeq: 0n };
  deepEqual(parseId("5", opts), { id: makeId(5n, 0n), seqGiven: true });
  deepEqual(parseId("5", { missingSeq: SEQ_MAX }), { id: makeId(5n, SEQ_MAX), seqGiven: true });
  deepEqual(parseId("5-3", opts), { id: makeId(5n, 3n), seqGiven: true });
  deepEqual(parseId("5-*", { ...opts, allowAutoSeq: true }), {
    id: makeId(5n, 0n),
    seqGiven: false,
  });
  equal(parseId("5-*", opts), undefined);
  equal(parseId("-", opts), undefined);
  deepEqual(parseId("+", { ...opts, allowSpecial: true }), { id: ID_MAX, seqGiven: true });
  equal(parseId("18446744073709551616-0", opts), undefined);
  equal(parseId("1-2-3", opts), undefined);
  equal(parseId("-1", opts), undefined);
  equal(parseId("", opts), undefined);
  // Short IDs parse by numbers, long ones and `+` by bigints: both agree.
  const cases: [string, bigint, bigint][] = [
    ["999999999999999-999999999999999", 999999999999999n, 999999999999999n],
    ["1000000000000000-1000000000000000", 1000000000000000n, 1000000000000000n],
    ["007-0012", 7n, 12n],
    ["+7-+8", 7n, 8n],
    ["1733400000000-0", 1733400000000n, 0n],
    ["1733400000000-18446744073709551615", 1733400000000n, SEQ_MAX],
    ["9007199254740993", 9007199254740993n, 0n],
  ];
  for (const [text, ms, seq] of cases) {
    deepEqual(parseId(text, opts), { id: makeId(ms, seq), seqGiven: true }, text);
  }
  for (const bad of ["1-", "1--2", "1-2a", "a-1", "1 -2", " 1", "1-2-3", "-"]) {
    equal(parseId(bad, opts), undefined, bad);
  }
});

Deno.test("approximate trimming removes whole nodes only, within LIMIT", () => {
  const s = new Stream();
  for (let i = 1; i <= 100; i++) s.add(["f", String(i)], { kind: "auto" }, i, limits);
  equal(s.nodes.length, 17);
  equal(s.trim({ strategy: "maxlen", maxlen: 50, approx: true, limit: 0 }), 48);
  equal(s.length, 52);
  equal(s.trim({ strategy: "maxlen", maxlen: 0, approx: true, limit: 10 }), 6);
  equal(s.trim({ strategy: "minid", minid: makeId(70n, 0n), approx: true, limit: 0 }), 12);
  equal(formatId(s.firstId), "67-0");
  equal(s.trim({ strategy: "minid", minid: makeId(70n, 0n), approx: false, limit: 0 }), 3);
  equal(formatId(s.firstId), "70-0");
});

Deno.test("entries-read and lag follow Redis 7.0's rules", () => {
  const s = new Stream();
  const g = new ConsumerGroup("g", ID_MIN, 0);
  equal(s.lag(g), 0);
  for (let i = 1; i <= 5; i++) s.add(["f", "v"], { kind: "auto" }, i);
  equal(s.lag(g), 5);
  s.advanceGroup(g, makeId(1n, 0n));
  s.advanceGroup(g, makeId(2n, 0n));
  equal(g.entriesRead, 2);
  equal(s.lag(g), 3);
  s.delete(makeId(4n, 0n));
  equal(s.lag(g), undefined);
  s.advanceGroup(g, makeId(3n, 0n));
  equal(g.entriesRead, ENTRIES_READ_UNKNOWN);
  s.advanceGroup(g, makeId(5n, 0n));
  equal(g.entriesRead, 5);
  equal(s.lag(g), 0);
  equal(s.estimateEntriesRead(makeId(9n, 0n)), ENTRIES_READ_UNKNOWN);
});

Deno.test("IdIndex matches a sorted model under random sets and deletes", () => {
  const rand = rng(7);
  const index = new IdIndex<number>();
  const model = new Map<bigint, number>();
  for (let step = 0; step < 3000; step++) {
    const id = BigInt(rand(200));
    if (rand(3) === 0) {
      equal(index.delete(id), model.delete(id));
    } else {
      index.set(id, step);
      model.set(id, step);
    }
    if (step % 50 === 0) {
      const lo = BigInt(rand(200));
      const hi = lo + BigInt(rand(100));
      const want = [...model].filter(([k]) => k >= lo && k <= hi).sort((a, b) =>
        a[0] < b[0] ? -1 : 1
      );
      deepEqual(index.range(lo, hi), want);
      deepEqual(index.range(lo, hi, 3, true), want.reverse().slice(0, 3));
    }
    if (model.size > 0) {
      const ids = [...model.keys()].sort((a, b) => (a < b ? -1 : 1));
      equal(index.first(), ids[0]);
      equal(index.last(), ids.at(-1));
    }
  }
  equal(index.size, model.size);
});

Deno.test("consumer group PELs: deliver, redeliver to another consumer, ack, delete consumer", () => {
  const g = new ConsumerGroup("g", ID_MIN, 0);
  const alice = g.consumer("alice", 10).consumer;
  const bob = g.consumer("bob", 10).consumer;
  equal(g.consumer("bob", 11).created, false);
  g.deliver(1n, alice, 100);
  g.deliver(2n, alice, 100);
  g.deliver(1n, bob, 200);
  equal(alice.pel.size, 1);
  equal(bob.pel.get(1n)?.deliveryTime, 200);
  g.transfer(2n, g.pel.get(2n)!, bob);
  equal(alice.pel.size, 0);
  equal(g.ack(1n), true);
  equal(g.ack(1n), false);
  const copy = g.clone();
  equal(g.deleteConsumer("bob"), 1);
  equal(g.pel.size, 0);
  equal(copy.pel.get(2n)?.consumer, copy.consumers.get("bob"));
});

Deno.test("nodes share slabs: entries survive moves to new slabs, large entries, clones and closed tails", () => {
  const s = new Stream();
  const model: StreamEntry[] = [];
  const big = { maxBytes: 0, maxEntries: 3 };
  for (let i = 1; i <= 400; i++) {
    // Every 50th entry is larger than a slab; the others fill many slabs.
    const value = i % 50 === 0 ? "b".repeat(100_000 + i) : "v".repeat(i % 7) + i;
    const pairs = ["f", value];
    s.add(pairs, { kind: "auto" }, i, i % 3 === 0 ? big : limits);
    model.push({ id: makeId(BigInt(i), 0n), pairs });
    if (i % 40 === 0) s.closeTail();
  }
  deepEqual(read(s), model);
  const slabs = new Set(s.nodes.map((n) => n.buf));
  ok(slabs.size < s.nodes.length / 4, `${slabs.size} slabs for ${s.nodes.length} nodes`);
  ok(s.nodes.some((n) => n.master === makeId(41n, 0n)), "closeTail starts a node");
  const copy = s.clone();
  s.delete(makeId(2n, 0n));
  s.add(["f", "after"], { kind: "auto" }, 1000);
  deepEqual(read(copy), model);
  equal([...s.range(ID_MIN, ID_MAX)].length, model.length);
});

Deno.test("radix-tree node counts are those redis-server 7 reports for the same node keys", () => {
  const three = { maxBytes: 4096, maxEntries: 3 };
  const empty = new Stream();
  equal(empty.radixTreeNodes(), 1);
  const spread = new Stream();
  for (let i = 1; i <= 120; i++) {
    const id = makeId(BigInt((i * 7919) % 100000 + i * 100000), BigInt(i % 5));
    spread.add(["f", "v"], { kind: "explicit", id }, 0, three);
  }
  equal(spread.nodes.length, 40);
  equal(spread.radixTreeNodes(), 82);
  const times = new Stream();
  for (let i = 1; i <= 3000; i++) {
    const id = makeId(BigInt(1700000000000 + Math.floor(i / 4)), BigInt(i));
    times.add(["f", "v"], { kind: "explicit", id }, 0, three);
  }
  equal(times.radixTreeNodes(), 2005);
});

Deno.test("IDs over 2^51 apart in a part share a node as in redis-server 7.0.15 (XINFO, XTRIM ~)", () => {
  const top = (1n << 64n) - 1n;
  const s = new Stream();
  const far = [makeId(1n, 1n), makeId(1n, top - 1n), makeId(5n, 5n)];
  s.add(["f", "v"], { kind: "explicit", id: far[0]! }, 0);
  s.add(["f", "v"], { kind: "explicit", id: far[1]! }, 0);
  deepEqual([s.nodes.length, s.radixTreeNodes()], [1, 2]);
  equal(s.trim({ strategy: "maxlen", maxlen: 1, approx: true, limit: 0 }), 0);
  s.add(["f", "v"], { kind: "explicit", id: far[2]! }, 0);
  deepEqual(read(s).map((e) => e.id), far);
  deepEqual(read(s, far[1]!, ID_MAX, true).map((e) => e.id), [far[2], far[1]]);
  ok(s.delete(far[1]!) && !s.delete(far[1]!));
  deepEqual(read(s, makeId(1n, 2n)).map((e) => formatId(e.id)), ["5-5"]);
  // Wide entries among others, across node limits, and a copy of them.
  const three = { maxBytes: 4096, maxEntries: 3 };
  const mixed = new Stream();
  const model: StreamEntry[] = [];
  for (let i = 1n; i <= 7n; i++) {
    for (const id of [makeId(i * 1000n, i), makeId(i * 1000n + 1n, top - 5n)]) {
      const pairs = id & 1n ? ["f", "v"] : ["g", String(id)];
      mixed.add(pairs, { kind: "explicit", id }, 0, three);
      model.push({ id, pairs });
    }
  }
  deepEqual([mixed.nodes.length, mixed.radixTreeNodes()], [5, 12]);
  deepEqual(read(mixed.clone()), model);
  deepEqual(read(mixed, ID_MIN, ID_MAX, true), model.toReversed());
  equal(mixed.trim({ strategy: "maxlen", maxlen: 8, approx: true, limit: 0 }), 6);
  deepEqual([mixed.nodes.length, mixed.radixTreeNodes()], [3, 8]);
});
