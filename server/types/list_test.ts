import { deepEqual, equal, ok } from "node:assert/strict";
import { RedisList } from "./list.ts";

function listOf(...values: string[]): RedisList {
  const list = new RedisList();
  for (const v of values) list.pushRight(v);
  return list;
}

/** A small deterministic generator, so a failure replays. */
function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

Deno.test("list: pushes and pops at both ends, index access, quicklist encoding", () => {
  const list = listOf("b", "c");
  list.pushLeft("a");
  list.pushRight("d");
  deepEqual([...list.values()], ["a", "b", "c", "d"]);
  deepEqual([...list.reversed()], ["d", "c", "b", "a"]);
  equal(list.at(0), "a");
  equal(list.at(-1), "d");
  equal(list.at(-4), "a");
  equal(list.at(4), undefined);
  equal(list.at(-5), undefined);
  equal(list.popLeft(), "a");
  equal(list.popRight(), "d");
  equal(list.size(), 2);
  equal(list.encoding(), "quicklist");
  equal(list.type, "list");
  equal(new RedisList().popLeft(), undefined);
  equal(new RedisList().popRight(), undefined);
});

Deno.test("list: set, insert, removeMatching from either end, trim", () => {
  const list = listOf("a", "x", "b", "x", "c", "x");
  equal(list.set(-1, "y"), true);
  equal(list.set(6, "z"), false);
  list.insert(0, "first");
  list.insert(list.size(), "last");
  deepEqual([...list.values()], ["first", "a", "x", "b", "x", "c", "y", "last"]);
  equal(list.removeMatching("x", 1, true), 1);
  deepEqual([...list.values()], ["first", "a", "x", "b", "c", "y", "last"]);
  equal(list.removeMatching("x", 0, false), 1);
  equal(list.removeMatching("nothing", 0, false), 0);
  list.trim(1, 3);
  deepEqual([...list.values()], ["a", "b", "c"]);
  list.trim(0, -1);
  equal(list.size(), 0);
  deepEqual([...list.values()], []);
});

Deno.test("list: matches an array model across node boundaries", () => {
  const next = random(42);
  for (const long of [false, true]) {
    const list = new RedisList();
    const model: string[] = [];
    const value = () => long && next(8) === 0 ? "v".repeat(70 + next(200)) : `e${next(40)}`;
    for (let step = 0; step < 6000; step++) {
      const op = next(100);
      if (op < 30) {
        // Bursts cross the 128-element nodes and the ring spill points.
        for (let k = next(300); k > 0; k--) {
          const v = value();
          if (op < 15) {
            list.pushRight(v);
            model.push(v);
          } else {
            list.pushLeft(v);
            model.unshift(v);
          }
        }
      } else if (op < 45) {
        for (let k = next(200); k > 0; k--) equal(list.popLeft(), model.shift());
      } else if (op < 60) {
        for (let k = next(200); k > 0; k--) equal(list.popRight(), model.pop());
      } else if (op < 72) {
        const i = next(model.length + 2) - 1;
        equal(list.at(i), model.at(i));
      } else if (op < 80 && model.length > 0) {
        const i = next(model.length);
        const v = value();
        list.set(i, v);
        model[i] = v;
      } else if (op < 88) {
        const i = next(model.length + 1);
        const v = value();
        list.insert(i, v);
        model.splice(i, 0, v);
      } else if (op < 92) {
        const v = value();
        const limit = next(3);
        const fromTail = next(2) === 1;
        let removed = 0;
        const indexes = model.map((_, i) => i);
        if (fromTail) indexes.reverse();
        const doomed = new Set<number>();
        for (const i of indexes) {
          if (model[i] === v && (limit === 0 || removed < limit)) {
            doomed.add(i);
            removed++;
          }
        }
        equal(list.removeMatching(v, limit, fromTail), removed);
        model.splice(0, model.length, ...model.filter((_, i) => !doomed.has(i)));
      } else if (op < 94 && model.length > 0) {
        const start = next(model.length);
        const stop = start + next(model.length - start);
        list.trim(start, stop);
        model.splice(stop + 1);
        model.splice(0, start);
      } else {
        const from = next(model.length + 1);
        deepEqual([...list.valuesFrom(from)], model.slice(from));
        const count = next(model.length - from + 1);
        const visited: string[] = [];
        list.forRange(from, count, (value) => visited.push(value));
        deepEqual(visited, model.slice(from, from + count));
      }
      equal(list.size(), model.length);
    }
    deepEqual([...list.values()], model);
    deepEqual([...list.reversed()], model.slice().reverse());
    // The accounted size follows every write: it covers the elements, and
    // nothing is left over once they are gone.
    const chars = model.reduce((sum, v) => sum + v.length, 0);
    const used = list.memoryUsage();
    ok(used >= chars && used < chars + 64 * model.length + 8192, `${used} for ${chars}`);
    while (list.popLeft() !== undefined);
    ok(list.memoryUsage() > 0 && list.memoryUsage() < 4096, `${list.memoryUsage()} when empty`);
  }
});

Deno.test("list: a small list is counted as its object and one packed string", () => {
  const list = new RedisList();
  const empty = list.memoryUsage();
  list.pushRight("0123456789");
  list.pushRight("0123456789");
  // 2 x (1 length byte + 10), rounded up to 8 with the string header.
  equal(list.memoryUsage() - empty, 24);
});

Deno.test("list: a clone is independent", () => {
  const list = new RedisList();
  for (let i = 0; i < 1000; i++) list.pushRight(String(i));
  const copy = list.clone();
  list.set(500, "changed");
  list.popLeft();
  copy.pushRight("more");
  equal(copy.at(500), "500");
  equal(copy.size(), 1001);
  equal(list.size(), 999);
  equal(list.at(499), "changed");
});

Deno.test("list: a million pushes and pops at each end", () => {
  const n = 1_000_000;
  const list = new RedisList();
  for (let i = 0; i < n; i++) list.pushRight("x");
  for (let i = 0; i < n; i++) list.popLeft();
  for (let i = 0; i < n; i++) list.pushLeft("y");
  for (let i = 0; i < n; i++) list.popRight();
  equal(list.size(), 0);
  for (let i = 0; i < n; i++) list.pushLeft(String(i));
  equal(list.at(0), String(n - 1));
  equal(list.at(n / 2), String(n / 2 - 1));
  for (let i = 0; i < n; i++) equal(list.popLeft(), String(n - 1 - i));
  for (let i = 0; i < n; i++) list.pushRight(String(i));
  for (let i = n - 1; i >= 0; i--) equal(list.popRight(), String(i));
  equal(list.size(), 0);
});

Deno.test("list: set on a small list replaces one element in place, any length", () => {
  const list = listOf("a", "bb", "ccc", "dddd");
  const long = "L".repeat(300);
  equal(list.set(1, long), true);
  equal(list.set(0, ""), true);
  equal(list.set(-1, "z"), true);
  deepEqual([...list.values()], ["", long, "ccc", "z"]);
  list.pushRight("tail");
  equal(list.popRight(), "tail");
  equal(list.popRight(), "z");
  equal(list.set(1, "short"), true);
  deepEqual([...list.values()], ["", "short", "ccc"]);
});

/** LPOS's answer the slow way: every element, in scan order. */
function modelPositions(
  values: string[],
  value: string,
  skip: number,
  limit: number,
  maxlen: number,
  fromTail: boolean,
): number[] {
  const order = values.map((_, i) => i);
  if (fromTail) order.reverse();
  const scanned = maxlen === 0 ? order : order.slice(0, maxlen);
  const matches = scanned.filter((i) => values[i] === value).slice(skip);
  return limit === 0 ? matches : matches.slice(0, limit);
}

Deno.test("list: positions match a model, packed and chunked, from either end", () => {
  const next = random(11);
  // Prefixes of one another, empty, and long enough for two-byte lengths.
  const pool = ["", "a", "ab", "b", "a".repeat(130), "a".repeat(131), "a".repeat(129) + "b"];
  for (const size of [0, 1, 7, 100, 128, 129, 600]) {
    const values = Array.from({ length: size }, () => pool[next(pool.length)]!);
    const list = listOf(...values);
    for (let round = 0; round < 40; round++) {
      const value = pool[next(pool.length)]!;
      const [skip, limit, maxlen] = [next(3), next(4), next(3) * next(size + 2)];
      const fromTail = next(2) === 1;
      deepEqual(
        list.positions(value, skip, limit, maxlen, fromTail),
        modelPositions(values, value, skip, limit, maxlen, fromTail),
        `size ${size} value ${value.length} skip ${skip} limit ${limit} maxlen ${maxlen}`,
      );
    }
  }
});

Deno.test("list: setting an element to the value it holds keeps the list as it was", () => {
  const values = ["x", "xy", "y", "a".repeat(200), ""];
  const list = listOf(...values);
  for (const [i, v] of values.entries()) equal(list.set(i, v), true);
  deepEqual([...list.values()], values);
  // Same length, other bytes: written.
  equal(list.set(1, "xz"), true);
  equal(list.set(3, "a".repeat(199) + "b"), true);
  deepEqual([...list.values()], ["x", "xz", "y", "a".repeat(199) + "b", ""]);
  deepEqual([...list.reversed()], ["", "a".repeat(199) + "b", "y", "xz", "x"]);
});

Deno.test("list: rotate matches a pop and a push at the other end, packed and chunked", () => {
  const next = random(11);
  // Short and two-byte-length elements; 5 stays packed, 300 is chunked.
  for (const size of [1, 2, 5, 300]) {
    const values = Array.from({ length: size }, (_, i) => "x".repeat([1, 130][next(2)]!) + i);
    const list = listOf(...values);
    const model = values.slice();
    for (let i = 0; i < 500; i++) {
      const fromTail = next(2) === 0;
      const value = fromTail ? model.pop()! : model.shift()!;
      if (fromTail) model.unshift(value);
      else model.push(value);
      equal(list.rotate(fromTail), value);
      equal(list.length, model.length);
      equal(list.at(-1), model.at(-1));
    }
    deepEqual([...list.values()], model);
    deepEqual([...list.reversed()], model.slice().reverse());
  }
  equal(new RedisList().rotate(true), undefined);
});

Deno.test("list: nodes keep any bytes and lengths (one- to three-byte prefixes)", () => {
  const next = random(7);
  const lengths = [0, 1, 3, 127, 128, 300, 16383, 16384, 20000];
  const values = lengths.map((n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(next(256));
    return s;
  });
  // Many short elements around the long ones, so some nodes pack and some stay arrays.
  const list = new RedisList();
  const model: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const v = i % 40 === 0 ? values[next(values.length)]! : values[next(4)]!;
    if (i % 2 === 0) {
      list.pushRight(v);
      model.push(v);
    } else {
      list.pushLeft(v);
      model.unshift(v);
    }
  }
  deepEqual([...list.values()], model);
  for (let i = 0; i < model.length; i += 37) equal(list.at(i), model[i]);
});

Deno.test("list: nodes packed as bytes, joined, or kept as arrays read back alike", () => {
  const next = random(11);
  const binary = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(next(256));
    return s;
  };
  // Averages of ~2, ~20 and ~150 bytes an element, with the odd two-byte length among them.
  for (const size of [4, 40, 300]) {
    const list = new RedisList();
    const model: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = binary(i % 97 === 0 ? 200 : next(size));
      if (i % 3 === 0) {
        list.pushLeft(v);
        model.unshift(v);
      } else {
        list.pushRight(v);
        model.push(v);
      }
    }
    deepEqual([...list.values()], model);
    for (let i = 0; i < model.length; i += 29) equal(list.at(i), model[i]);
    for (let i = 0; i < 1400; i++) equal(list.popLeft(), model.shift());
    for (let i = 0; i < 1400; i++) equal(list.popRight(), model.pop());
    deepEqual([...list.values()], model);
  }
});
