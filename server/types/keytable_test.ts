import { deepEqual, equal, ok } from "node:assert/strict";
import { advanceAccessClock, enterCommand, leaveCommand } from "./access_clock.ts";
import { KeyTable } from "./keytable.ts";
import { hashKey } from "./key_hash.ts";
import { frequency, idleSeconds, setKeyAccess, stringForm } from "./keytable_access.ts";
import { keyUsage } from "./keytable_usage.ts";
import { BoxStates } from "./box_states.ts";
import { PackedKind } from "./packed_record.ts";
import { type ByteString, StringForm } from "./string.ts";
import { PageBytes, pageString } from "./page_bytes.ts";
import { binary, bytesKey, list, rng } from "./keytable_testing.ts";
import type { RedisObject } from "./value.ts";
import { valueOf } from "./box_bytes.ts";
import { RedisHash } from "./hash.ts";
import { RedisList } from "./list.ts";
import { RedisSet } from "./set.ts";
import { SortedSet } from "./sorted_set.ts";
import {
  randomTableKey,
  sampleScored,
  scanTable,
  tableEntries,
  tableKeys,
} from "./keytable_keys.ts";

function scanAll(table: KeyTable, count: number): string[] {
  const keys: string[] = [];
  let cursor = 0;
  do cursor = scanTable(table, cursor, count, (k) => keys.push(k)); while (cursor !== 0);
  return keys;
}

Deno.test("KeyTable agrees with a Map under random lookups, sets, overwrites and deletes", () => {
  const random = rng(42);
  const table = new KeyTable();
  const model = new Map<string, string | RedisObject>();
  const keyPool = Array.from({ length: 1000 }, (_, i) => `k${i}:` + binary(random, i % 7));
  keyPool.push("x".repeat(2000), "y".repeat(1025), "");
  for (let op = 0; op < 60_000; op++) {
    const key = keyPool[Math.floor(random() * keyPool.length)]!;
    const r = random();
    if (r < 0.55) {
      // Mostly short values, sometimes long (boxed) ones, sometimes objects.
      const kind = random();
      const value = kind < 0.05 ? list() : binary(
        random,
        kind < 0.3 ? 900 + Math.floor(random() * 200) : Math.floor(random() * 40),
      );
      // Commands look a key up before writing it (the table reuses that lookup).
      if (random() < 0.5) equal(valueOf(table.get(key)), model.get(key));
      equal(table.set(key, value), !model.has(key));
      model.set(key, value);
    } else if (r < 0.9) {
      equal(table.delete(key), model.delete(key));
    } else if (r < 0.92) {
      // Bit commands turn long strings into ByteStrings in place.
      const bytes = table.bytes(key);
      const expected = model.get(key);
      if (typeof expected === "string") equal((bytes as ByteString).text, expected);
      else equal(bytes, expected);
    } else if (r < 0.95) {
      // SETBIT's edit: a short string grown in its record (moving it), one byte written there.
      const expected = model.get(key);
      const length = Math.floor(random() * 80);
      const view = table.editBytes(key, length);
      if (typeof expected !== "string") equal(view, expected);
      else if (view instanceof PageBytes) {
        equal(table.editGrew, expected.length < length);
        const text = expected.padEnd(length, "\0");
        equal(pageString(view.page, view.start, view.end), text);
        if (text.length === 0) continue;
        const at = Math.floor(random() * text.length);
        view.page[view.start + at] = 65 + (at % 26);
        model.set(
          key,
          text.slice(0, at) + String.fromCharCode(65 + (at % 26)) + text.slice(at + 1),
        );
      }
    } else if (r < 0.96) {
      // APPEND's edit after db's TTL check (a second lookup of the key, taken from the first),
      // sometimes with another key's lookup by its bytes between (a probe that remembers nothing).
      equal(table.refOf(key) !== 0, model.has(key));
      if (random() < 0.5) {
        const other = keyPool[Math.floor(random() * keyPool.length)]!;
        equal(table.refAt(bytesKey(other)) !== 0, model.has(other));
      }
      const expected = model.get(key);
      const length = table.editInline(key, -1, "ab");
      if (length !== undefined) model.set(key, (expected as string) + "ab");
      if (length !== undefined) equal(length, (expected as string).length + 2);
    } else {
      // A lookup as db makes one: the TTL check's probe, then the read (or a presence check).
      if (random() < 0.5) equal(table.refOf(key) !== 0, model.has(key));
      const read = random();
      if (read < 0.3) equal(table.has(key), model.has(key));
      else if (read < 0.5) equal(valueOf(table.peek(key)), model.get(key));
      else equal(valueOf(table.get(key)), model.get(key));
    }
    equal(table.size, model.size);
  }
  for (const [key, value] of model) equal(valueOf(table.get(key)), value);
  deepEqual(new Set(tableKeys(table)), new Set(model.keys()));
  deepEqual(new Map(tableEntries(table)), model);
});

Deno.test("KeyTable values are binary safe and keep every byte", () => {
  const table = new KeyTable();
  let all = "";
  for (let b = 0; b < 256; b++) all += String.fromCharCode(b);
  table.set(all, all);
  table.set("short\x00\xff", "\x80\x9f");
  equal(table.get(all), all);
  equal(table.get("short\x00\xff"), "\x80\x9f");
  equal(table.get("short\x00\xfe"), undefined);
});

Deno.test("KeyTable reclaims arena pages when most keys are deleted", () => {
  const table = new KeyTable();
  const value = (i: number) => `value:${i}:`.padEnd(40, "-");
  for (let i = 0; i < 200_000; i++) table.set(`key:${i}`, value(i));
  const full = table.allocatedBytes;
  for (let i = 0; i < 200_000; i++) if (i % 100 !== 0) table.delete(`key:${i}`);
  ok(table.allocatedBytes * 4 < full, `${table.allocatedBytes} vs ${full}`);
  equal(table.size, 2000);
  for (let i = 0; i < 200_000; i += 100) equal(table.get(`key:${i}`), value(i));
});

Deno.test("KeyTable scan returns every key present throughout, across growth and shrinking", () => {
  const table = new KeyTable();
  const stable: string[] = [];
  for (let i = 0; i < 100; i++) {
    stable.push(`stable:${i}`);
    table.set(`stable:${i}`, "v");
  }
  const churn: string[] = [];
  const capacities = [table.allocatedBytes];
  for (const phase of ["grow", "shrink"]) {
    const seen = new Set<string>();
    let cursor = 0;
    let step = 0;
    do {
      cursor = scanTable(table, cursor, 5, (k) => seen.add(k));
      step++;
      // 1,600 keys added 40 at a time, then deleted 100 at a time: the index
      // doubles twice and shrinks back while the scan runs.
      if (phase === "grow" && step <= 40) {
        for (let i = 0; i < 40; i++) {
          churn.push(`churn:${step}:${i}`);
          table.set(`churn:${step}:${i}`, "x");
        }
      } else if (phase === "shrink") {
        for (const key of churn.splice(0, 100)) table.delete(key);
      }
    } while (cursor !== 0);
    for (const key of stable) ok(seen.has(key), `missed ${key} while the table could ${phase}`);
    capacities.push(table.allocatedBytes);
  }
  // The index grew during the first scan and shrank during the second.
  ok(capacities[1]! > capacities[0]! && capacities[2]! < capacities[1]!, `${capacities}`);
  deepEqual(new Set(scanAll(table, 1)), new Set(tableKeys(table)));
});

/** How many slots past its home slot `key` sits in `table`'s index. */
function displacement(table: KeyTable, key: string): number {
  const slots = table.slots;
  const mask = (slots.length >>> 1) - 1;
  const home = hashKey(key) >>> table.shift;
  for (let i = home;; i = (i + 1) & mask) {
    if (slots[i * 2] !== 0 && table.keyOf(slots[i * 2]!) === key) return (i - home) & mask;
  }
}

Deno.test("KeyTable filled in another table's hash order keeps its keys near their home slots", () => {
  // DEBUG RELOAD and LOADAOF load what this process wrote in its hash order: into a smaller,
  // growing index those keys all home in the part their hashes cover, one cluster each new key
  // walked to its end (750k keys loaded in ~2 minutes).
  const source = new KeyTable();
  for (let i = 0; i < 60_000; i++) source.set(`key:${i}`, "v");
  const copy = new KeyTable();
  let worst = 0;
  let n = 0;
  for (const key of tableKeys(source)) {
    copy.set(key, "v");
    if (++n % 64 === 0) worst = Math.max(worst, displacement(copy, key));
  }
  equal(copy.size, 60_000);
  ok(worst <= 1024, `a key ${worst} slots past its home`);
  // No larger than the index the same keys make in any order.
  equal(copy.allocatedBytes, source.allocatedBytes);
});

Deno.test("KeyTable keeps the string form and LFU counter across overwrites", () => {
  advanceAccessClock(Date.now());
  const table = new KeyTable();
  table.set("a", "1", StringForm.Raw);
  equal(stringForm(table, "a"), StringForm.Raw);
  table.set("a", "2");
  equal(stringForm(table, "a"), StringForm.Encoded);
  table.set("a", "3", StringForm.Plain);
  equal(stringForm(table, "a"), StringForm.Plain);
  equal(frequency(table, "a"), 5);
  table.trackFrequency = true;
  table.get("a");
  equal(frequency(table, "a"), 6);
  table.set("a", "a longer value");
  equal(frequency(table, "a"), 6);
  equal(idleSeconds(table, "a"), 0);
});

Deno.test("KeyTable randomKey returns only present keys", () => {
  const table = new KeyTable();
  equal(randomTableKey(table), undefined);
  for (let i = 0; i < 100; i++) table.set(`k${i}`, "v");
  for (let i = 0; i < 100; i += 2) table.delete(`k${i}`);
  for (let i = 0; i < 200; i++) {
    const key = randomTableKey(table)!;
    ok(table.has(key));
  }
});

Deno.test("usedBytes follows sets, overwrites, in-place changes and deletes", () => {
  const table = new KeyTable();
  const empty = table.usedBytes;
  table.set("short", "0123456789");
  const withShort = table.usedBytes;
  // One inline record: a 5-byte header, two length bytes, key and value.
  equal(withShort - empty, 5 + 2 + 5 + 10);
  const hash = new RedisHash();
  table.set("hash", hash);
  const withHash = table.usedBytes;
  for (let i = 0; i < 100; i++) hash.set(`field${i}`, "value");
  equal(table.usedBytes, withHash);
  const before = keyUsage(table, "hash")!;
  const grown = table.reaccount("hash");
  equal(keyUsage(table, "hash"), before + grown);
  equal(keyUsage(table, "missing"), undefined);
  ok(grown > 100 * "field00value".length, `grew by ${grown}`);
  equal(table.usedBytes, withHash + grown);
  table.set("hash", "x".repeat(2000));
  ok(table.usedBytes - withShort > 2000 && table.usedBytes - withShort < 2100);
  table.delete("hash");
  // The freed box's slot (8 bytes) stays for the next boxed value.
  equal(table.usedBytes, withShort + 8);
  table.delete("short");
  equal(table.usedBytes, empty);
});

Deno.test("sampleScored gives distinct present keys, as many as asked when there are enough", () => {
  const table = new KeyTable();
  for (let i = 0; i < 1000; i++) table.set(`k${i}`, "v");
  for (let i = 0; i < 990; i++) table.delete(`k${i}`);
  for (let round = 0; round < 20; round++) {
    const seen: string[] = [];
    sampleScored(table, 5, false, () => true, (key) => seen.push(key));
    equal(new Set(seen).size, 5);
    ok(seen.every((key) => table.has(key)));
  }
  const all: string[] = [];
  sampleScored(table, 50, false, () => true, (key) => all.push(key));
  equal(all.length, 10);
});

Deno.test("sampleScored scores records as idleSeconds and frequency do, and visits only what is wanted", () => {
  const table = new KeyTable();
  const now = Date.now();
  advanceAccessClock(now);
  for (let i = 0; i < 20; i++) {
    table.set(`k${i}`, "v".repeat(i * 10));
    setKeyAccess(table, `k${i}`, i * 7, i, now);
  }
  for (const byFrequency of [false, true]) {
    const scored: [string, number][] = [];
    const offered: number[] = [];
    sampleScored(table, 20, byFrequency, (score) => {
      offered.push(score);
      return score % 2 === 0;
    }, (key, score) => scored.push([key, score]));
    equal(offered.length, 20);
    for (const [key, score] of scored) {
      const expected = byFrequency
        ? 255 - frequency(table, key, now)!
        : idleSeconds(table, key, now)!;
      equal(score, expected);
      equal(score % 2, 0);
    }
    equal(scored.length, offered.filter((score) => score % 2 === 0).length);
  }
});

Deno.test("sampleScored ranks keys equally idle by their page's dead share", () => {
  const table = new KeyTable();
  const value = "v".repeat(1000);
  // About three 1 MiB pages of 1 KB records, all stamped at the same second.
  for (let i = 0; i < 3000; i++) table.set(`key:${i}`, value);
  // 60 dead in the first page: 2% of the arena, under what compacts anything.
  for (let i = 0; i < 60; i++) table.delete(`key:${i}`);
  const scores = new Map<string, number>();
  sampleScored(table, 3000, false, () => true, (key, score) => scores.set(key, score));
  equal(scores.size, 2940);
  const firstPage = [...scores].filter(([key]) => Number(key.slice(4)) < 900);
  const laterPages = [...scores].filter(([key]) => Number(key.slice(4)) >= 1100);
  ok(firstPage.every(([, score]) => score > 0.02 && score < 0.05), "half of ~6% dead");
  ok(laterPages.every(([, score]) => score === 0));
  ok(Math.min(...firstPage.map(([, s]) => s)) > Math.max(...laterPages.map(([, s]) => s)));
});

Deno.test("small collections kept packed come back whole, with their encodings and writes", () => {
  const table = new KeyTable();
  const n = 5000;
  for (let i = 0; i < n; i++) {
    const hash = new RedisHash();
    table.set(`h${i}`, hash);
    // Written after it was stored, as commands do.
    hash.set("f", `v${i}`);
    const set = new RedisSet();
    table.set(`s${i}`, set);
    set.add(String(i));
    if (i % 2 === 0) set.add("member");
    const zset = new SortedSet();
    table.set(`z${i}`, zset);
    zset.add("m", i);
    const list = new RedisList();
    table.set(`l${i}`, list);
    list.pushRight("a");
    list.pushRight(`b${i}`);
  }
  const used = table.usedBytes;
  for (let i = 0; i < n; i++) {
    const hash = table.get(`h${i}`) as RedisHash;
    equal(hash.get("f"), `v${i}`);
    hash.set("g", "x");
    table.reaccount(`h${i}`);
  }
  for (let i = 0; i < n; i++) {
    const hash = table.get(`h${i}`) as RedisHash;
    deepEqual([...hash.entries()], [["f", `v${i}`], ["g", "x"]]);
    equal(hash.size(), 2);
    const set = table.get(`s${i}`) as RedisSet;
    equal(set.encoding(), i % 2 === 0 ? "hashtable" : "intset");
    equal(set.size(), i % 2 === 0 ? 2 : 1);
    ok(set.has(String(i)));
    const zset = table.get(`z${i}`) as SortedSet;
    equal(zset.score("m"), i);
    equal(zset.size(), 1);
    const list = table.get(`l${i}`) as RedisList;
    deepEqual([...list.values()], ["a", `b${i}`]);
    equal(list.length, 2);
  }
  ok(table.usedBytes > used, "the second field is accounted");
});

/** How many boxes of `table` hold packed collections now. */
Deno.test("a packed box keeps its element count, or says it has none past the largest recorded", () => {
  const states = new BoxStates(() => {});
  states.grow(2);
  states.packed(0, PackedKind.SetIntset, 0);
  states.packed(1, PackedKind.List, 128);
  equal(states.packedKind(0), PackedKind.SetIntset);
  equal(states.packedCount(0), 0);
  equal(states.packedKind(1), PackedKind.List);
  equal(states.packedCount(1), 128);
  states.packed(0, PackedKind.SetIntset, 2 ** 30);
  equal(states.packedKind(0), PackedKind.SetIntset);
  equal(states.packedCount(0), -1);
});

Deno.test("long inline values round-trip, ASCII or not, written fresh or over the same length", () => {
  const table = new KeyTable();
  const ascii = "a".repeat(999) + "z";
  const high = "a".repeat(999) + "\xff";
  const wide = "\x80" + "b".repeat(999);
  for (const value of [ascii, high, wide, ascii]) {
    table.set("k", value);
    equal(table.get("k"), value);
    table.set(`fresh${value.charCodeAt(0)}${value.charCodeAt(999)}`, value);
    equal(table.get(`fresh${value.charCodeAt(0)}${value.charCodeAt(999)}`), value);
  }
});

Deno.test("a collection one command holds stays live however many others it looks up", () => {
  const table = new KeyTable();
  for (let i = 0; i < 3000; i++) {
    const hash = new RedisHash();
    hash.set("f", "old");
    table.set(`h${i}`, hash);
  }
  enterCommand();
  try {
    const held = table.get("h0") as RedisHash;
    for (let i = 1; i < 3000; i++) table.get(`h${i}`);
    held.set("f", "new");
    table.reaccount("h0");
  } finally {
    leaveCommand();
  }
  // The next command (and a load, outside any command) finds the write.
  for (let i = 1; i < 3000; i++) table.get(`h${i}`);
  equal((table.get("h0") as RedisHash).get("f"), "new");
});

Deno.test("a collection deleted while its packing waits for the next command leaves its box clean", () => {
  const table = new KeyTable();
  for (let i = 0; i < 1500; i++) {
    const hash = new RedisHash();
    hash.set("f", "v");
    table.set(`h${i}`, hash);
  }
  // One command uses 1500 collections: the first it used leave the ring of
  // 1024 while it may still write them, so their packing waits.
  enterCommand();
  for (let i = 0; i < 1500; i++) table.get(`h${i}`);
  leaveCommand();
  // The next deletes one of them; its box goes to a new set.
  enterCommand();
  table.delete("h0");
  const set = new RedisSet();
  set.add("0");
  table.set("s", set);
  leaveCommand();
  const stored = table.get("s");
  ok(stored instanceof RedisSet, `the new set is still a set, not ${typeof stored}`);
  deepEqual([...(stored as RedisSet).members()], ["0"]);
  for (let i = 1; i < 1500; i++) equal((table.get(`h${i}`) as RedisHash).get("f"), "v");
});

Deno.test("a collection rewritten while in the recent ring is accounted as stored fresh", () => {
  const table = new KeyTable();
  table.set("l", new RedisList());
  for (let i = 0; i < 300; i++) {
    enterCommand();
    try {
      const list = table.get("l") as RedisList;
      if (i % 3 === 2) list.popLeft();
      else list.pushRight(`e${i}`);
      table.reaccount("l");
    } finally {
      leaveCommand();
    }
  }
  const fresh = new KeyTable();
  fresh.set("l", RedisList.fromPacked((table.get("l") as RedisList).packedData()));
  equal(keyUsage(table, "l"), keyUsage(fresh, "l"));
  // Pushed out of the ring by others' use, it is packed with every write.
  const values = [...(table.get("l") as RedisList).values()];
  for (let i = 0; i < 3000; i++) {
    table.set(`h${i}`, new RedisHash());
    fresh.set(`h${i}`, new RedisHash());
  }
  deepEqual([...(table.get("l") as RedisList).values()], values);
  equal(keyUsage(table, "l"), keyUsage(fresh, "l"));
});

Deno.test("a big collection's writes leave the ring of recent small ones as it is", () => {
  const table = new KeyTable();
  const write = (value: string) => {
    enterCommand();
    try {
      (table.get("l") as RedisList).pushRight(value);
      table.reaccount("l");
    } finally {
      leaveCommand();
    }
  };
  table.set("l", new RedisList());
  for (let i = 0; i < 300; i++) write(`e${i}`);
  // 1024 small hashes fill the ring of recent live collections; the big list leaves it.
  const hashes = Array.from({ length: 1024 }, (_, i) => {
    const hash = new RedisHash();
    table.set(`h${i}`, hash);
    return hash;
  });
  write("more");
  // The list has no packed form to keep: its write took no ring slot, so packed none.
  ok(table.get("h0") === hashes[0], "the oldest small hash is still the live object");
  equal((table.get("l") as RedisList).length, 301);
});

Deno.test("a page a quarter dead is compacted away, its live records kept", () => {
  const table = new KeyTable();
  const value = "v".repeat(1000);
  // About ten 1 MiB pages of 1 KB records.
  const count = 10_000;
  for (let i = 0; i < count; i++) table.set(`key:${i}`, value);
  const before = table.allocatedBytes;
  // Delete every third record of the first nine pages: each is a third dead.
  for (let i = 0; i < 9000; i += 3) table.delete(`key:${i}`);
  // Pages given back: a third dead is over the quarter that compacts (under a half, which did not).
  ok(table.allocatedBytes <= before - 1024 * 1024, `${table.allocatedBytes} < ${before}`);
  for (let i = 0; i < count; i++) {
    equal(table.has(`key:${i}`), !(i < 9000 && i % 3 === 0), `key:${i}`);
  }
  equal(table.get("key:1"), value);
});

Deno.test("addToInteger matches the generic read-parse-write on any short string", () => {
  const random = rng(11);
  const edited = new KeyTable();
  const generic = new KeyTable();
  const samples = ["0", "-0", "01", "+1", " 1", "1 ", "-", "", "9", "-1", "10", "-10", "99"];
  const strict = /^(0|-?[1-9][0-9]*)$/;
  for (let i = 0; i < 20000; i++) {
    const key = `k${i % 50}`;
    const digits = Math.floor(random() * 17);
    const n = Math.floor((random() - 0.5) * 2 * 10 ** digits);
    const value = random() < 0.2 ? samples[i % samples.length]! : String(n);
    const form = random() < 0.3 ? StringForm.Raw : StringForm.Encoded;
    edited.set(key, value, form);
    generic.set(key, value, form);
    const delta = Math.floor((random() - 0.5) * 2 * 10 ** Math.floor(random() * 16));
    const sum = edited.addToInteger(key, delta);
    if (!strict.test(value) || value.length > 15) {
      equal(sum, undefined, value);
      equal(stringForm(edited, key), form);
    } else {
      equal(sum, Number(value) + delta, value);
      generic.set(key, String(Number(value) + delta));
      equal(stringForm(edited, key), StringForm.Encoded);
    }
    equal(edited.get(key), generic.get(key), value);
    equal(edited.usedBytes, generic.usedBytes);
  }
  equal(edited.addToInteger("absent", 1), undefined);
  edited.set("list", list());
  equal(edited.addToInteger("list", 1), undefined);
});

/** The longest string value a record holds (record_format.ts's VALUE_INLINE_MAX). */
const INLINE_LIMIT = 16 * 1024;

/** SETRANGE's result on a plain string: zero-filled to `offset`, `patch` written there. */
function patched(value: string, offset: number, patch: string): string {
  const padded = value.padEnd(offset, "\0");
  return padded.slice(0, offset) + patch + padded.slice(offset + patch.length);
}

Deno.test("editInline matches the generic read-edit-write under appends, patches, sets, INCRs and compactions", () => {
  const random = rng(21);
  const table = new KeyTable();
  const model = new Map<string, string>();
  // Over 1 MiB of records rewritten at random, so pages fill and compact under the edits.
  const keys = 3000;
  for (let i = 0; i < 60_000; i++) {
    const key = `key:${Math.floor(random() * keys)}`;
    const current = model.get(key);
    const roll = random();
    if (roll < 0.1) {
      // Some values near and over the longest kept inline, most short.
      const value = random() < 0.2
        ? String(Math.floor(random() * 1000))
        : binary(random, Math.floor(random() * (random() < 0.02 ? INLINE_LIMIT + 200 : 1100)));
      table.set(key, value);
      model.set(key, value);
    } else if (roll < 0.15) {
      equal(table.delete(key), model.delete(key));
    } else if (roll < 0.2 && current !== undefined && /^[1-9][0-9]{0,9}$/.test(current)) {
      equal(table.addToInteger(key, 7), Number(current) + 7);
      model.set(key, String(Number(current) + 7));
    } else {
      const append = roll < 0.7;
      const far = random() < 0.1 ? (random() < 0.1 ? INLINE_LIMIT + 100 : 1100) : 80;
      const offset = append ? -1 : Math.floor(random() * far);
      const patch = binary(random, 1 + Math.floor(random() * (random() < 0.05 ? 400 : 6)));
      const result = current === undefined
        ? undefined
        : append
        ? current + patch
        : patched(current, offset, patch);
      const length = table.editInline(key, offset, patch);
      if (result === undefined || result.length > INLINE_LIMIT || current!.length > INLINE_LIMIT) {
        equal(length, undefined, key);
        if (result !== undefined) {
          table.set(key, result, StringForm.Raw);
          model.set(key, result);
        }
      } else {
        equal(length, result.length, key);
        equal(stringForm(table, key), StringForm.Raw);
        model.set(key, result);
      }
    }
    equal(table.get(key), model.get(key), key);
  }
  equal(table.size, model.size);
  for (const [key, value] of model) equal(table.get(key), value, key);
  const sizes = [...model.values()].reduce((n, v) => n + v.length, 0);
  ok(table.usedBytes > sizes, `${table.usedBytes} holds ${sizes} value bytes`);
});

Deno.test("an edited string grows into room for twice its length, and SET and INCR overwrite it within the record", () => {
  const table = new KeyTable();
  table.set("a", "12345");
  table.set("b", "x");
  equal(table.editInline("a", -1, "6"), 6);
  const withRoom = keyUsage(table, "a")!;
  // Room for twice the length: the next appends grow in place.
  equal(table.editInline("a", -1, "78"), 8);
  equal(keyUsage(table, "a"), withRoom);
  equal(table.editInline("a", 10, "z"), 11);
  equal(table.get("a"), "12345678\0\0z");
  equal(keyUsage(table, "a"), withRoom);
  equal(table.editInline("a", -1, "!"), 12);
  equal(keyUsage(table, "a"), withRoom);
  // A SET of the same length writes over the value and keeps the room.
  table.set("a", "abcdefghijkl");
  equal(table.get("a"), "abcdefghijkl");
  equal(keyUsage(table, "a"), withRoom);
  equal(table.editInline("a", -1, "?"), 13);
  ok(keyUsage(table, "a")! > withRoom);
  // A same-length SET and an INCR of unchanged length overwrite within the record.
  table.set("a", "999999999999");
  equal(table.get("a"), "999999999999");
  equal(stringForm(table, "a"), StringForm.Encoded);
  equal(table.addToInteger("a", -1), 999999999998);
  equal(table.get("a"), "999999999998");
  equal(table.get("b"), "x");
  equal(table.editInline("missing", -1, "x"), undefined);
  table.set("h", new RedisHash());
  equal(table.editInline("h", 0, "x"), undefined);
});

Deno.test("a small list kept packed comes back with its length, whatever it holds", () => {
  const table = new KeyTable();
  const n = 3000;
  for (let i = 0; i < n; i++) {
    const list = new RedisList();
    table.set(`l${i}`, list);
    for (let j = 0; j <= i % 128; j++) list.pushRight(`e${j}`);
  }
  // Each pass pushes the lists read before it out of the ring of recent ones (packed), then reads them again.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      const list = table.get(`l${i}`) as RedisList;
      equal(list.size(), 1 + i % 128, `l${i}`);
      equal([...list.values()].at(-1), `e${i % 128}`);
    }
  }
});

Deno.test("KeyTable emptied by deletes again and again keeps one page and stays right", () => {
  const table = new KeyTable();
  const random = rng(13);
  const grown = new RedisSet();
  grown.add("m");
  for (let round = 0; round < 2000; round++) {
    const key = binary(random, 1 + Math.floor(random() * 40));
    const value = round % 3 === 0 ? grown : binary(random, Math.floor(random() * 30));
    table.set(key, value);
    equal(table.size, 1);
    equal(table.get(key), value);
    ok(table.delete(key));
    equal(table.size, 0);
    equal(table.get(key), undefined);
  }
  // A big table emptied key by key gives its pages back but the one being filled.
  const keys = Array.from({ length: 30_000 }, (_, i) => `key:${i}:${"x".repeat(40)}`);
  for (const key of keys) table.set(key, "v".repeat(20));
  ok(table.allocatedBytes > 2 * 1024 * 1024);
  for (const key of keys) table.delete(key);
  equal(table.size, 0);
  ok(table.allocatedBytes <= 1024 * 1024 + 64, `${table.allocatedBytes}`);
  table.set("after", "it");
  equal(table.get("after"), "it");
  deepEqual([...tableKeys(table)], ["after"]);
});

Deno.test("KeyTable.setAt and deleteAt agree with set() and delete(): new keys, same and other lengths, boxed values, big keys", () => {
  const table = new KeyTable();
  const model = new Map<string, unknown>();
  const random = rng(29);
  const keys = Array.from({ length: 40 }, (_, i) => `key:${i}:${binary(random, i % 7)}`);
  keys.push("big:" + "b".repeat(1100), "");
  const asBytes = (key: string) => {
    const bytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
    return { bytes, start: 0, end: bytes.length, string: () => key };
  };
  for (let round = 0; round < 5000; round++) {
    const key = keys[Math.floor(random() * keys.length)]!;
    const pick = random();
    if (pick < 0.1) {
      const set = new RedisSet();
      set.add("m");
      table.set(key, set);
      model.set(key, set);
    } else if (pick < 0.13) {
      equal(table.delete(key), model.delete(key));
    } else if (pick < 0.16) {
      equal(table.deleteAt(asBytes(key)), model.delete(key));
    } else {
      const value = binary(random, Math.floor(random() * 6));
      equal(table.setAt(asBytes(key), value, StringForm.Encoded), !model.has(key));
      model.set(key, value);
    }
    equal(table.size, model.size);
  }
  for (const [key, value] of model) equal(table.get(key), value);
});
