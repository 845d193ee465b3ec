import { deepEqual, equal, ok } from "node:assert/strict";
import { Database } from "../db.ts";
import type { RedisObject, RedisValue } from "../types/value.ts";
import { KeyspaceSnapshot, type SnapshotSink } from "./snapshot.ts";
import { tableEntries } from "../types/keytable_keys.ts";

/** A mutable collection stand-in: clone() copies, so a kept copy must not change later. */
class Box implements RedisObject {
  readonly type = "list" as const;
  constructor(public items: string[]) {}
  encoding(): string {
    return "quicklist";
  }
  clone(): Box {
    return new Box([...this.items]);
  }
  size(): number {
    return this.items.length;
  }
}

type Row = [db: number, key: string, value: string, expireAt: number | undefined];

function rows(dbs: Database[]): Row[] {
  const out: Row[] = [];
  for (const db of dbs) {
    for (const [key, value] of tableEntries(db.dict)) {
      out.push([db.index, key, show(value), db.expires.get(key)]);
    }
  }
  return out.sort(byKey);
}

function show(value: RedisValue): string {
  return typeof value === "string" ? value : `box:${(value as Box).items.join(",")}`;
}

function byKey(a: Row, b: Row): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/** Collects what the snapshot emits; each database begins once, before its entries. */
class Collector implements SnapshotSink {
  rows: Row[] = [];
  begun: number[] = [];
  #db = -1;
  beginDb(index: number): void {
    this.begun.push(index);
    this.#db = index;
  }
  entry(key: string, value: RedisValue, expireAt: number | undefined): void {
    this.rows.push([this.#db, key, show(value), expireAt]);
  }
}

function makeDbs(n: number): Database[] {
  return Array.from({ length: n }, (_, i) => new Database(i, { expired() {} }));
}

/** Runs the snapshot in tiny slices, calling `meddle` between slices. */
function runWithWrites(
  snap: KeyspaceSnapshot,
  sink: Collector,
  meddle: (slice: number) => void,
): void {
  for (let slice = 0; !snap.step(sink, 0); slice++) meddle(slice);
}

Deno.test("a snapshot holds the state at its start despite writes, deletes and new keys", () => {
  const dbs = makeDbs(3);
  for (let i = 0; i < 3000; i++) dbs[0]!.set(`k${i}`, `v${i}`);
  for (let i = 0; i < 50; i++) dbs[0]!.set(`list${i}`, new Box([`a${i}`]));
  dbs[0]!.setExpire("k7", 1893456000000);
  dbs[2]!.set("other", "x");
  const before = rows(dbs);

  const snap = new KeyspaceSnapshot(dbs);
  const sink = new Collector();
  const write = (db: number, key: string, change: () => void) => {
    snap.beforeWrite(db, key);
    change();
  };
  runWithWrites(snap, sink, (slice) => {
    const db = dbs[0]!;
    const i = (slice * 37) % 3000;
    write(0, `k${i}`, () => db.set(`k${i}`, "changed"));
    write(0, `k${(i + 1) % 3000}`, () => db.delete(`k${(i + 1) % 3000}`));
    write(0, `new${slice}`, () => db.set(`new${slice}`, "fresh"));
    write(
      0,
      `list${slice % 50}`,
      () => (db.dict.peek(`list${slice % 50}`) as Box).items.push("more"),
    );
    write(0, "k7", () => db.removeExpire("k7"));
    write(2, "other", () => dbs[2]!.set("other", "y"));
    write(1, "created", () => dbs[1]!.set("created", "z"));
  });
  deepEqual(sink.rows.sort(byKey), before);
  deepEqual(sink.begun, [0, 2]);
  equal(snap.keysWritten, before.length);
});

Deno.test("a snapshot survives the table shrinking under it without duplicates", () => {
  const dbs = makeDbs(1);
  for (let i = 0; i < 20000; i++) dbs[0]!.set(`key:${i}`, String(i));
  const before = rows(dbs);
  const snap = new KeyspaceSnapshot(dbs);
  const sink = new Collector();
  let deleted = false;
  runWithWrites(snap, sink, () => {
    if (deleted) return;
    deleted = true;
    for (let i = 0; i < 19900; i++) {
      snap.beforeWrite(0, `key:${i}`);
      dbs[0]!.delete(`key:${i}`);
    }
  });
  deepEqual(sink.rows.sort(byKey), before);
});

Deno.test("FLUSHALL and SWAPDB during a snapshot do not reach it", () => {
  const dbs = makeDbs(2);
  for (let i = 0; i < 2000; i++) dbs[0]!.set(`a${i}`, new Box([String(i)]));
  for (let i = 0; i < 2000; i++) dbs[1]!.set(`b${i}`, String(i));
  const before = rows(dbs);
  const snap = new KeyspaceSnapshot(dbs);
  const sink = new Collector();
  runWithWrites(snap, sink, (slice) => {
    if (slice === 1) {
      // SWAPDB 0 1, done by moving contents: collections stay writable afterwards.
      snap.freeze(0, true);
      snap.freeze(1, true);
      const zero = [...tableEntries(dbs[0]!.dict)];
      const one = [...tableEntries(dbs[1]!.dict)];
      dbs[0]!.clear();
      dbs[1]!.clear();
      for (const [k, v] of one) dbs[0]!.set(k, v);
      for (const [k, v] of zero) dbs[1]!.set(k, v);
      for (const [, v] of zero) (v as Box).items.push("mutated");
    }
    if (slice === 3) {
      snap.freeze(0, false);
      snap.freeze(1, false);
      dbs[0]!.clear();
      dbs[1]!.clear();
    }
  });
  deepEqual(sink.rows.sort(byKey), before);
});

/** Blocks for `ms` (the tests below need time to pass between synchronous steps). */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

Deno.test("rdb-key-save-delay paces a snapshot: a key per delay, complete after the last one", () => {
  const dbs = makeDbs(2);
  for (let i = 0; i < 20; i++) dbs[0]!.set(`k${i}`, String(i));
  for (let i = 0; i < 10; i++) dbs[1]!.set(`j${i}`, new Box([String(i)]));
  const before = rows(dbs);
  const started = performance.now();
  const snap = new KeyspaceSnapshot(dbs, 2000);
  const sink = new Collector();
  // Key 1 goes at once (with the keys sharing its home slot), then each
  // waits for the delays of those before it.
  const early = (n: number) => n > 4 + (performance.now() - started) / 2;
  // With no time limit, only the pace can stop a step.
  equal(snap.step(sink, Infinity), false);
  ok(!early(snap.keysWritten), `${snap.keysWritten} keys`);
  // A SWAPDB's frozen rest keeps the pace too.
  snap.freeze(1, true);
  while (!snap.step(sink, Infinity)) {
    ok(!early(snap.keysWritten), `${snap.keysWritten} keys early`);
    busyWait(snap.waitMs());
  }
  ok(performance.now() - started >= 30 * 2, "complete only after every key's delay");
  deepEqual(sink.rows.sort(byKey), before);
});

Deno.test("a negative rdb-key-save-delay writes at full speed (1 µs once in -N keys)", () => {
  const dbs = makeDbs(1);
  for (let i = 0; i < 5000; i++) dbs[0]!.set(`k${i}`, String(i));
  const snap = new KeyspaceSnapshot(dbs, -10);
  const sink = new Collector();
  let steps = 1;
  while (!snap.step(sink, Infinity)) {
    busyWait(snap.waitMs());
    steps++;
  }
  equal(sink.rows.length, 5000);
  ok(steps <= 3, `${steps} steps`);
});
