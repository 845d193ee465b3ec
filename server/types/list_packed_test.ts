import { deepEqual, equal } from "node:assert/strict";
import { RedisList } from "./list.ts";
import { countListEntries, ListCursor, packList, unpackList } from "./list_packed.ts";

/** A value of 0 to ~300 bytes: one- and two-byte lengths, bytes over 0x7f. */
function randomValue(): string {
  const length = Math.random() < 0.7
    ? Math.floor(Math.random() * 20)
    : Math.floor(Math.random() * 300);
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(Math.random() * 256));
  return s;
}

Deno.test("packed list: read forward, backward and by index from either end", () => {
  for (let round = 0; round < 200; round++) {
    const values = Array.from({ length: Math.floor(Math.random() * 40) }, randomValue);
    const data = packList(values);
    deepEqual(unpackList(data, values.length), values);
    equal(countListEntries(data), values.length);
    const cursor = new ListCursor(data);
    let q = data.length;
    for (let i = values.length - 1; i >= 0; i--) {
      cursor.readBackward(q);
      equal(cursor.value(), values[i]);
      q = cursor.start;
    }
    equal(q, 0);
    for (let i = 0; i < values.length; i++) {
      cursor.seek(i, values.length);
      equal(cursor.value(), values[i]);
    }
  }
});

Deno.test("a small list matches an array model: pushes, pops, index reads and sets at both ends", () => {
  const list = new RedisList();
  const model: string[] = [];
  for (let step = 0; step < 20000; step++) {
    const op = Math.floor(Math.random() * 6);
    // Below 30 elements of ~300 bytes at most: the list stays one packed string.
    if (op === 0 && model.length < 25) {
      const v = randomValue();
      list.pushLeft(v);
      model.unshift(v);
    } else if (op === 1 && model.length < 25) {
      const v = randomValue();
      list.pushRight(v);
      model.push(v);
    } else if (op === 2) {
      equal(list.popLeft(), model.shift());
    } else if (op === 3) {
      equal(list.popRight(), model.pop());
    } else if (op === 4 && model.length > 0) {
      const i = Math.floor(Math.random() * model.length);
      equal(list.at(i), model[i]);
      equal(list.at(i - model.length), model[i]);
    } else if (op === 5 && model.length > 0) {
      const i = Math.floor(Math.random() * model.length);
      const v = randomValue();
      list.set(i, v);
      model[i] = v;
    }
    equal(list.size(), model.length);
  }
  deepEqual([...list.values()], model);
  equal(list.packedKind() >= 0, true);
  deepEqual([...RedisList.fromPacked(list.packedData()).values()], model);
});

/** LREM's straightforward meaning: filter the values, from the tail when `fromTail`. */
function removeModel(values: string[], value: string, limit: number, fromTail: boolean) {
  const walked = fromTail ? [...values].reverse() : [...values];
  let removed = 0;
  const kept = walked.filter((v) => {
    if (v !== value || (limit > 0 && removed >= limit)) return true;
    removed++;
    return false;
  });
  return { kept: fromTail ? kept.reverse() : kept, removed };
}

Deno.test("a packed list's LREM, compared in place, removes what filtering the values does", () => {
  // Few distinct values so matches are common; a prefix of a value must not match it.
  const pool = ["", "a", "ab", "abc", "\u00e9", "x".repeat(200), "x".repeat(201)];
  for (let round = 0; round < 3000; round++) {
    const values = Array.from(
      { length: Math.floor(Math.random() * 30) },
      () => pool[Math.floor(Math.random() * pool.length)]!,
    );
    const list = RedisList.fromPacked(packList(values));
    const value = pool[Math.floor(Math.random() * pool.length)]!;
    const limit = Math.floor(Math.random() * 4);
    const fromTail = Math.random() < 0.5;
    const { kept, removed } = removeModel(values, value, limit, fromTail);
    equal(list.removeMatching(value, limit, fromTail), removed);
    deepEqual([...list.values()], kept);
    equal(list.size(), kept.length);
    deepEqual(unpackList(list.packedData(), kept.length), kept);
  }
});
