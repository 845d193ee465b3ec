import { deepEqual, equal, ok } from "node:assert/strict";
import { KeyTable } from "./keytable.ts";
import { countOf, typeOf, valueToRead } from "./keytable_access.ts";
import { PackedKind } from "./packed_record.ts";
import { boxIndex } from "./record_format.ts";
import { OFFSET_MASK } from "./arena.ts";
import type { RedisObject } from "./value.ts";
import { storedType } from "./box_bytes.ts";
import { RedisHash } from "./hash.ts";
import { RedisList } from "./list.ts";
import { RedisSet } from "./set.ts";
import { SortedSet } from "./sorted_set.ts";

function packedBoxes(table: KeyTable): number {
  let n = 0;
  for (let box = 0; box < table.boxes.values.length; box++) {
    if (table.boxes.states.packedKind(box) !== undefined) n++;
  }
  return n;
}

Deno.test("typeOf and countOf read packed collections without unpacking them", () => {
  const table = new KeyTable();
  const kinds = ["hash", "set", "zset", "list", "string"];
  const keys: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const kind = kinds[i % kinds.length]!;
    // Some keys too long to inline: their records hold a box with key and value.
    const key = i % 7 === 0 ? `${kind}:${i}:${"k".repeat(300)}` : `${kind}:${i}`;
    keys.push(key);
    const n = 1 + (i % 9);
    if (kind === "string") table.set(key, i % 2 === 0 ? "short" : "long".repeat(100));
    else if (kind === "hash") {
      const hash = new RedisHash();
      for (let j = 0; j < n; j++) hash.set(`f${j}`, "v");
      table.set(key, hash);
    } else if (kind === "set") {
      const set = new RedisSet();
      for (let j = 0; j < n; j++) set.add(i % 2 === 0 ? String(j) : `m${j}`);
      table.set(key, set);
    } else if (kind === "zset") {
      const zset = new SortedSet();
      for (let j = 0; j < n; j++) zset.add(`m${j}`, j);
      table.set(key, zset);
    } else {
      const list = new RedisList();
      for (let j = 0; j < n; j++) list.pushRight(`e${j}`);
      table.set(key, list);
    }
  }
  const packed = packedBoxes(table);
  ok(packed > 1000, `${packed} packed`);
  for (const [i, key] of keys.entries()) {
    const ref = table.refOf(key);
    const kind = kinds[i % kinds.length]!;
    equal(typeOf(table, ref), kind, key);
    for (const asked of kinds.slice(0, 4)) {
      equal(countOf(table, ref, asked), asked === kind ? 1 + (i % 9) : -1, `${key} as ${asked}`);
    }
  }
  equal(packedBoxes(table), packed, "none unpacked");
  // Unpacked and live, each gives the same answers as the object itself.
  for (const [i, key] of keys.entries()) {
    const value = table.get(key)!;
    const ref = table.refOf(key);
    equal(typeOf(table, ref), storedType(value));
    const count = countOf(table, ref, kinds[i % kinds.length]!);
    equal(count, typeof value === "string" ? -1 : (value as RedisObject).size());
  }
});

Deno.test("valueToRead reads a packed small collection in place, and gives any other as stored", () => {
  const table = new KeyTable();
  const n = 2000;
  // Each kind's value i, and what a read of it must see: every packed kind.
  const makers: [string, (i: number) => RedisObject, (v: RedisObject, i: number) => unknown][] = [
    ["hl", (i) => filled(new RedisHash(), i, (h, j) => h.set(`f${j}`, `v${i}:${j}`)), hashView],
    [
      "ht",
      (i) => filled(new RedisHash(), i, (h, j) => h.set(`f${j}`, "x".repeat(70 + j))),
      hashView,
    ],
    ["si", (i) => filled(new RedisSet(), i, (s, j) => s.add(`${i * 10 + j}`)), setView],
    ["st", (i) => filled(new RedisSet(), i, (s, j) => s.add(`m${i}:${j}`)), setView],
    ["z", (i) => filled(new SortedSet(), i, (z, j) => z.add(`m${j}`, i + j / 4)), zsetView],
    ["l", (i) => filled(new RedisList(), i, (l, j) => l.pushRight(`e${i}:${j}`)), listView],
  ];
  const expected = new Map<string, unknown>();
  for (let i = 0; i < n; i++) {
    for (const [prefix, make, view] of makers) {
      const value = make(i);
      expected.set(`${prefix}${i}`, view(value, i));
      table.set(`${prefix}${i}`, value);
    }
  }
  const kindOf = (key: string) => {
    const ref = table.refOf(key);
    return table.boxes.states.packedKind(boxIndex(table.pageOf(ref), ref & OFFSET_MASK));
  };
  const packedKinds = () => new Set([...expected.keys()].map(kindOf));
  // Every kind is met packed: the ring holds only the last keys written.
  deepEqual(
    [...packedKinds()].filter((k) => k !== undefined).sort(),
    [0, 1, 2, 3, 4, 5].map((k) => k as PackedKind),
  );
  const packed = [...expected.keys()].filter((key) => kindOf(key) !== undefined).length;
  ok(packed > expected.size / 2, `${packed} packed`);
  for (let i = 0; i < n; i++) {
    for (const [prefix, , view] of makers) {
      const key = `${prefix}${i}`;
      const wasKind = kindOf(key);
      const value = valueToRead(table, table.refOf(key)) as RedisObject;
      equal(kindOf(key), wasKind, key);
      deepEqual(view(value, i), expected.get(key), key);
    }
  }
  // No read unpacked a box.
  equal([...expected.keys()].filter((key) => kindOf(key) !== undefined).length, packed);
  // A live value is the stored object itself; the views are shared.
  const live = table.get("hl0") as RedisHash;
  equal(valueToRead(table, table.refOf("hl0")), live);
  equal(valueToRead(table, table.refOf("hl1")) === live, false);
});

function filled<T>(value: T, i: number, add: (value: T, j: number) => unknown): T {
  for (let j = 0; j <= i % 5; j++) add(value, j);
  return value;
}

function hashView(value: RedisObject, i: number): unknown {
  const hash = value as RedisHash;
  return [hash.size(), hash.get(`f${i % 5}`), hash.get("nofield"), [...hash.entries()]];
}

function setView(value: RedisObject): unknown {
  const set = value as RedisSet;
  const members = [...set.members()];
  return [set.size(), members, members.map((m) => set.has(m)), set.has("nomember")];
}

function zsetView(value: RedisObject, i: number): unknown {
  const zset = value as SortedSet;
  return [zset.size(), [...zset.entries()], zset.score(`m${i % 5}`), zset.rank("m0")];
}

function listView(value: RedisObject): unknown {
  const list = value as RedisList;
  return [list.length, [...list.values()], list.at(-1)];
}
