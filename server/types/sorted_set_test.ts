import { deepEqual, equal, ok } from "node:assert/strict";
import { prng } from "./prng_testing.ts";
import { bytesToBinary } from "../../protocol/bytes.ts";
import { RespWriter } from "../../protocol/writer.ts";
import { objectBytes, stringBytes } from "./memory.ts";
import { SortedSet } from "./sorted_set.ts";

type Entry = [member: string, score: number];

function before(a: Entry, b: Entry): boolean {
  return a[1] < b[1] || (a[1] === b[1] && a[0] < b[0]);
}

/** The reference model: a plain array kept sorted by (score, member). */
class Model {
  entries: Entry[] = [];
  scores = new Map<string, number>();

  position(entry: Entry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.entries[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.remove(member);
      this.insert(member, score);
      return false;
    }
    this.insert(member, score);
    return true;
  }

  insert(member: string, score: number): void {
    this.entries.splice(this.position([member, score]), 0, [member, score]);
    this.scores.set(member, score);
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.entries.splice(this.position([member, score]), 1);
    this.scores.delete(member);
    return true;
  }

  countByScore(score: number, inclusive: boolean): number {
    return this.entries.filter(([, s]) => s < score || (inclusive && s === score)).length;
  }

  countByMember(member: string, inclusive: boolean): number {
    return this.entries.filter(([m]) => m < member || (inclusive && m === member)).length;
  }
}

/** Members whose byte order differs from naive text order: empty, NUL, high bytes. */
const BINARY_MEMBERS = ["", "\x00", "\x00\x00", "a\x00", "a", "\x7f", "\x80", "\xff", "\xff\x00"];

const SCORES = [0, -0, 1, 1.5, -2, Infinity, -Infinity, 3, 1e-300, 7];

let sameScore = false;

function randomScore(rand: () => number): number {
  if (sameScore) return 0;
  return rand() < 0.6 ? SCORES[Math.floor(rand() * SCORES.length)]! : Math.floor(rand() * 50);
}

/** Adds to both; a listpack-encoded set stores -0 as 0, as Redis 7.0 does. */
function addBoth(set: SortedSet, model: Model, member: string, score: number): void {
  const added = set.add(member, score);
  const stored = set.encoding() === "listpack" && score === 0 ? 0 : score;
  equal(added, model.add(member, stored), `add ${member} ${score}`);
}

function collect(set: SortedSet, from: number, to: number): Entry[] {
  const out: Entry[] = [];
  set.visitRange(from, to, (m, s) => out.push([m, s]));
  return out;
}

/** Ranks from..to (from ≤ to) as writeFrom writes them: from the first place, `from` ranks on. */
function written(set: SortedSet, from: number, to: number): Entry[] {
  return queried(set, -Infinity, "", from, to - from + 1)[1];
}

/** A PairWriter of pairs into `out`, array headers to `array`. */
function pairsInto(out: Entry[], array: (n: number) => void) {
  return {
    array,
    bulkAndDouble: (m: string, s: number) => out.push([m, s]),
    bulkSpanAndDouble: (m: string, start: number, length: number, s: number) =>
      out.push([m.substring(start, start + length), s]),
    bulkBytesAndDouble: (b: Uint8Array, _v: DataView, start: number, length: number, s: number) =>
      out.push([bytesToBinary(b, start, start + length), s]),
  };
}

/** ZQUERY's reply as writeFrom writes it: its array header's length, then the pairs. */
function queried(
  set: SortedSet,
  score: number,
  member: string,
  offset: number,
  pairs: number,
): [number, Entry[]] {
  const out: Entry[] = [];
  let header = -1;
  set.writeFrom(score, member, offset, pairs, pairsInto(out, (n) => header = n));
  return [header, out];
}

/** The book's ZQUERY over the model: seek (score, member), move by offset, at most `pairs`. */
function modelQuery(
  model: Model,
  score: number,
  member: string,
  offset: number,
  pairs: number,
): [number, Entry[]] {
  const entries = model.entries;
  const seek = entries.filter(([m, s]) => s < score || (s === score && m < member)).length;
  const start = seek + offset;
  if (seek >= entries.length || start < 0 || start >= entries.length || pairs <= 0) return [0, []];
  const found = entries.slice(start, start + pairs);
  return [found.length * 2, found];
}

function assertSame(set: SortedSet, model: Model, rand: () => number): void {
  const n = model.entries.length;
  equal(set.size(), n);
  deepEqual([...set.entries()], model.entries);
  for (let probe = 0; probe < 5 && n > 0; probe++) {
    const rank = Math.floor(rand() * n);
    const [member, score] = model.entries[rank]!;
    deepEqual(set.at(rank), [member, score]);
    equal(set.rank(member), rank);
    ok(Object.is(set.score(member), score));
    const bound = randomScore(rand);
    equal(set.countByScore(bound, true), model.countByScore(bound, true));
    equal(set.countByScore(bound, false), model.countByScore(bound, false));
    equal(set.countBelow(score, member), rank);
    equal(set.countBelow(bound, ""), model.countByScore(bound, false));
    if (sameScore) {
      const probe = `m${Math.floor(rand() * 100)}`;
      equal(set.countByMember(probe, true), model.countByMember(probe, true));
      equal(set.countByMember(probe, false), model.countByMember(probe, false));
    }
    const end = Math.floor(rand() * n);
    const expected = model.entries.slice(Math.min(rank, end), Math.max(rank, end) + 1);
    if (rank > end) expected.reverse();
    deepEqual(collect(set, rank, end), expected);
    const offset = Math.floor(rand() * 400) - 200;
    const pairs = Math.floor(rand() * 200) - 5;
    for (const [s, m] of [[score, member], [bound, ""], [score, ""], [bound, member]] as const) {
      deepEqual(queried(set, s, m, offset, pairs), modelQuery(model, s, m, offset, pairs));
    }
  }
}

Deno.test("sorted set matches a sorted-array model under random operations", () => {
  // Seed 5 starts from 12,000 members: enough leaves for two inner levels.
  for (
    const [seed, universe] of [[1, 40], [2, 400], [3, 3000], [4, 20_000], [5, 30_000]] as const
  ) {
    const rand = prng(seed);
    sameScore = seed === 4;
    const set = new SortedSet();
    const model = new Model();
    for (let i = 0; seed === 5 && i < 12_000; i++) {
      const score = randomScore(rand);
      addBoth(set, model, `m${i}`, score);
    }
    for (let step = 0; step < 12_000; step++) {
      const member = rand() < 0.05
        ? BINARY_MEMBERS[Math.floor(rand() * BINARY_MEMBERS.length)]!
        : `m${Math.floor(rand() * universe)}`;
      const op = rand();
      if (op < 0.55) {
        const score = randomScore(rand);
        addBoth(set, model, member, score);
      } else if (op < 0.8) {
        equal(set.remove(member), model.remove(member));
      } else if (op < 0.805 && model.entries.length > 0) {
        const from = Math.floor(rand() * model.entries.length);
        const to = Math.min(model.entries.length - 1, from + Math.floor(rand() * 100));
        set.removeRange(from, to);
        for (const [m] of model.entries.slice(from, to + 1)) model.remove(m);
      } else if (op < 0.81) {
        const copy = set.clone();
        deepEqual([...copy.entries()], model.entries);
        copy.add("only-in-copy", 1);
        equal(set.score("only-in-copy"), undefined);
      }
      const score = model.scores.get(member);
      equal(set.rank(member), score === undefined ? undefined : model.position([member, score]));
      if (step % (seed === 5 ? 1500 : 200) === 0) assertSame(set, model, rand);
    }
    assertSame(set, model, rand);
  }
});

Deno.test("equal scores order by member bytes; -0 as Redis 7.0 keeps it", () => {
  const set = new SortedSet();
  set.add("b", 1);
  set.add("a", 1);
  set.add("\xff", 1);
  set.add("B", 1);
  set.add("ab", 1);
  deepEqual([...set.entries()].map(([m]) => m), ["B", "a", "ab", "b", "\xff"]);
  const bytes = new SortedSet();
  for (const member of ["\xff", "a\x00", "a", "", "\x00", "b"]) bytes.add(member, 7);
  deepEqual([...bytes.entries()].map(([m]) => m), ["", "\x00", "a", "a\x00", "b", "\xff"]);
  equal(set.countByMember("a", false), 1);
  equal(set.countByMember("a", true), 2);
  equal(set.countByMember("aa", true), 2);
  set.add("z", -0);
  ok(Object.is(set.score("z"), 0), "a listpack stores -0 as the integer 0");
  const large = new SortedSet();
  large.add("x".repeat(65), 1);
  large.add("z", -0);
  ok(Object.is(large.score("z"), -0), "a skip list keeps -0");
  large.add("z", 0);
  ok(Object.is(large.score("z"), -0), "0 == -0: no update, as Redis");
  set.add("inf", Infinity);
  set.add("-inf", -Infinity);
  deepEqual(set.at(0), ["-inf", -Infinity]);
  deepEqual(set.at(set.size() - 1), ["inf", Infinity]);
});

Deno.test("encoding follows Redis 7.0's listpack limits and never converts back", () => {
  const set = new SortedSet();
  for (let i = 0; i < 128; i++) set.add(`m${i}`, i);
  equal(set.encoding(), "listpack");
  set.add("m128", 128);
  equal(set.encoding(), "skiplist");
  for (let i = 0; i < 129; i++) set.remove(`m${i}`);
  equal(set.size(), 0);
  equal(set.encoding(), "skiplist");

  const long = new SortedSet();
  long.add("x".repeat(64), 1);
  equal(long.encoding(), "listpack");
  long.add("x".repeat(65), 1);
  equal(long.encoding(), "skiplist");
  equal(long.clone().encoding(), "skiplist");
  equal(long.size(), 2);
});

Deno.test("large sets: ascending and descending loads, ranks across many levels", () => {
  const n = 300_000;
  const up = new SortedSet();
  for (let i = 0; i < n; i++) up.add(`m${i}`, i);
  const down = new SortedSet();
  for (let i = n - 1; i >= 0; i--) down.add(`m${i}`, i);
  for (const set of [up, down]) {
    equal(set.size(), n);
    for (const rank of [0, 1, 127, 128, 8191, 8192, 150_000, n - 1]) {
      deepEqual(set.at(rank), [`m${rank}`, rank]);
      equal(set.rank(`m${rank}`), rank);
      equal(set.countByScore(rank, false), rank);
      equal(set.countByScore(rank, true), rank + 1);
    }
  }
  // Remove nine in ten at random-ish positions, then everything.
  const rand = prng(9);
  for (let i = 0; i < n; i++) if (rand() < 0.9) up.remove(`m${i}`);
  let expected = 0;
  for (const [member, score] of up.entries()) {
    equal(up.rank(member), expected++);
    equal(member, `m${score}`);
  }
  equal(up.size(), expected);
  up.removeRange(0, up.size() - 1);
  equal(up.size(), 0);
  deepEqual([...up.entries()], []);
  up.add("again", 5);
  deepEqual([...up.entries()], [["again", 5]]);
});

Deno.test("small sets keep every score exactly through their packed form", () => {
  const set = new SortedSet();
  const scores = [-Infinity, -1e300, -0.1, 0, 5e-324, 1 / 3, 2 ** 53 + 2, 1e21, Infinity];
  scores.forEach((score, i) => set.add(`m${i}`, score));
  set.add("neg-zero", -0);
  equal(set.encoding(), "listpack");
  scores.forEach((score, i) => equal(set.score(`m${i}`), score));
  ok(Object.is(set.score("neg-zero"), 0));
  equal(set.rank("m8"), scores.length);
  set.add("m0", 7);
  deepEqual(set.at(6), ["m0", 7]);
  ok(set.remove("m3"));
  ok(!set.remove("m3"));
  equal(set.size(), scores.length);
  equal(set.encoding(), "listpack");
});

/** Integers of 1 to 53 bits either side of 0, and doubles of many digits: packed as bytes. */
function wideScore(rand: () => number): number {
  const integer = Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53)));
  return rand() < 0.7 ? integer : integer + rand();
}

Deno.test("scores packed as bytes read back exactly, in order, and never longer than as text", () => {
  const rand = prng(23);
  const edges = [99, -99, 100, -100, 255, 256, 65535, 65536, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53];
  const more = [1e21, -1e21, 0.1, 123.456, 2 ** 52 + 0.5, 1e-300, -Infinity, Infinity];
  const scores = [...edges, ...more, ...Array.from({ length: 200 }, () => wideScore(rand))];
  for (let first = 0; first < scores.length; first += 100) {
    const chunk = scores.slice(first, first + 100);
    const packed = new SortedSet();
    chunk.forEach((score, i) => packed.add(`m${i}`, score));
    equal(packed.encoding(), "listpack");
    chunk.forEach((score, i) => equal(packed.score(`m${i}`), score));
    const sorted = chunk.map((score, i): Entry => [`m${i}`, score]).sort((a, b) =>
      before(a, b) ? -1 : 1
    );
    deepEqual([...packed.entries()], sorted);
    const values = new Float64Array(chunk.length);
    const refs = new Int32Array(chunk.length);
    ok(packed.scoresInto(values, refs));
    deepEqual([...values], sorted.map((entry) => entry[1]));
    deepEqual(sorted.map((_, i) => packed.memberOf(refs[i]!)), sorted.map((entry) => entry[0]));
    // Each record as text: 1 + member + 1 + digits + 1 bytes.
    const asText = sorted.reduce((sum, [m, score]) => sum + m.length + String(score).length + 3, 0);
    ok(packed.memoryUsage() <= objectBytes(2) + stringBytes(asText));
  }
});

Deno.test("a packed set's in-place walks answer as the tree does (member lengths past one byte too)", () => {
  // The packed walks read one-byte lengths inline and take another path for
  // longer ones: raised limits let members of 128+ bytes stay packed.
  const packedLimits = { entries: 128, value: 300 };
  const treeLimits = { entries: 0, value: 0 };
  for (let seed = 11; seed < 17; seed++) {
    const rand = prng(seed);
    const long = seed % 2 === 0;
    // ZRANGEBYLEX's counts assume equal scores.
    const lex = seed >= 15;
    const packed = new SortedSet();
    const tree = new SortedSet();
    const member = () => {
      const i = Math.floor(rand() * 50);
      return long && rand() < 0.5 ? `m${i}` + "x".repeat(100 + 3 * i) : `m${i}`;
    };
    const score = () =>
      lex
        ? 0
        : rand() < 0.2
        ? SCORES[Math.floor(rand() * SCORES.length)]!
        : rand() < 0.4
        ? Math.floor(rand() * 20)
        : rand() < 0.5
        ? wideScore(rand)
        : Math.floor(rand() * 2000) / 8;
    for (let step = 0; step < 1500; step++) {
      const m = member();
      const op = rand();
      if (op < 0.5) {
        // ZADD/ZINCRBY's order: the score lookup, then the move.
        const s = score();
        const old = packed.score(m);
        equal(old, tree.score(m));
        if (old === undefined) {
          packed.addNew(m, s, packedLimits);
          tree.addNew(m, s === 0 ? 0 : s, treeLimits);
        } else if (s !== old) {
          packed.changeScore(m, old, s);
          tree.changeScore(m, old, s === 0 ? 0 : s);
        }
      } else if (op < 0.65) {
        equal(packed.remove(m), tree.remove(m));
      }
      equal(packed.encoding(), "listpack");
      const n = tree.size();
      equal(packed.size(), n);
      equal(packed.rank(m), tree.rank(m));
      const a = score();
      const b = rand() < 0.5 ? a : score();
      for (const [x, y] of [[true, true], [true, false], [false, true], [false, false]] as const) {
        deepEqual(packed.countByScores(a, x, b, y), tree.countByScores(a, x, b, y));
      }
      equal(packed.countByScore(b, false), tree.countByScore(b, false));
      if (lex) {
        equal(packed.countByMember(m, true), tree.countByMember(m, true));
        equal(packed.countByMember(m, false), tree.countByMember(m, false));
      }
      equal(packed.countBelow(a, m), tree.countBelow(a, m));
      equal(packed.countBelow(a, ""), tree.countBelow(a, ""));
      // ZQUERY: a packed set writes from where its seek stopped, or from a rank past it.
      for (const offset of [0, Math.floor(rand() * 8) - 2]) {
        const pairs = Math.floor(rand() * 8);
        deepEqual(queried(packed, a, m, offset, pairs), queried(tree, a, m, offset, pairs));
      }
      if (n === 0) continue;
      const from = Math.floor(rand() * n);
      const to = Math.floor(rand() * n);
      deepEqual(packed.at(from), tree.at(from));
      deepEqual(collect(packed, from, to), collect(tree, from, to));
      const lo = Math.min(from, to);
      deepEqual(written(packed, lo, Math.max(from, to)), collect(tree, lo, Math.max(from, to)));
      deepEqual(written(tree, lo, Math.max(from, to)), collect(tree, lo, Math.max(from, to)));
    }
    deepEqual([...packed.entries()], [...tree.entries()]);
  }
});

Deno.test("a packed set finds a member only where a record starts, not inside other bytes", () => {
  const rand = prng(21);
  const alphabet = "\x01\x02\x03ab";
  for (let round = 0; round < 300; round++) {
    const set = new SortedSet();
    const model = new Map<string, number>();
    const n = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) {
      let member = "";
      const length = Math.floor(rand() * 12);
      for (let j = 0; j < length; j++) member += alphabet[Math.floor(rand() * alphabet.length)];
      const score = Math.floor(rand() * 6) - 2;
      set.add(member, score);
      model.set(member, score);
    }
    equal(set.encoding(), "listpack");
    for (let probe = 0; probe < 30; probe++) {
      let member = "";
      const length = Math.floor(rand() * 5);
      for (let j = 0; j < length; j++) member += alphabet[Math.floor(rand() * alphabet.length)];
      equal(set.score(member), model.get(member), JSON.stringify(member));
    }
    for (const [member, score] of model) equal(set.score(member), score);
  }
  // A member whose bytes hold another's length and bytes, more often than findScore tries.
  const set = new SortedSet();
  set.add("\x02ab".repeat(12), 1);
  equal(set.score("ab"), undefined);
  set.add("ab", 2);
  equal(set.score("ab"), 2);
  ok(set.remove("ab"));
  equal(set.score("ab"), undefined);
  // A set of 64 bytes or less is searched for the member's bytes alone: occurrences inside
  // another member (more than findScore tries), after a byte equal to its length, in a score.
  const short = new SortedSet();
  short.add("a".repeat(12), 1);
  equal(short.score("a"), undefined);
  equal(short.score("\x0ca"), undefined);
  short.add("a", 3);
  equal(short.score("a"), 3);
  short.add("\x01a\x01a", 4);
  equal(short.score("\x01a"), undefined);
  short.add("x", 0x61626364);
  equal(short.score("cb"), undefined);
  equal(short.score("x"), 0x61626364);
  equal(short.score("a"), 3);
});

Deno.test("a packed set finds members of one length at every rank, and past a long record", () => {
  for (const count of [1, 2, 3, 8, 99, 100]) {
    const set = new SortedSet();
    for (let i = 0; i < count; i++) set.add(`user:${1000 + i}`, (i * 37) % count);
    equal(set.encoding(), "listpack");
    const order = [...Array(count).keys()].map((i) => ({
      member: `user:${1000 + i}`,
      score: (i * 37) % count,
    }))
      .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : 1));
    order.forEach(({ member, score }, rank) => {
      equal(set.score(member), score, member);
      equal(set.rank(member), rank, member);
    });
    // Misses of the same length, of the same last byte, longer and shorter.
    for (const miss of ["user:0999", `user:${1000 + count}`, "user:10000", "user:100"]) {
      equal(set.score(miss), undefined, miss);
      equal(set.rank(miss), undefined, miss);
    }
    // A long record (two-byte lengths, under raised limits) makes the walk give way.
    const long = "y".repeat(130);
    set.add(long, count / 2, { entries: 128, value: 200 });
    equal(set.encoding(), "listpack");
    equal(set.score(long), count / 2);
    order.forEach(({ member, score }) => equal(set.score(member), score, member));
    equal(set.score("user:0999"), undefined);
    const merged = [...order, { member: long, score: count / 2 }]
      .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : 1));
    merged.forEach(({ member }, rank) => equal(set.rank(member), rank, member));
    ok(set.remove(order[order.length - 1]!.member));
    equal(set.score(order[order.length - 1]!.member), undefined);
  }
});

Deno.test("a big set shrunk by deletes (its member ids compacted) answers as the model", () => {
  const rand = prng(11);
  sameScore = false;
  const set = new SortedSet();
  const model = new Model();
  // Binary members, and ones past 255 bytes (a record's long length form).
  const member = (i: number) =>
    i % 7 === 0
      ? String.fromCharCode(0xff, i & 0xff, 0, 0x80) + "x".repeat(250 + (i % 13)) + i
      : `m${i}\xe9`;
  for (let i = 0; i < 5000; i++) addBoth(set, model, member(i), Math.floor(rand() * 300));
  for (let round = 0; round < 3; round++) {
    // Down to a few (the index compacts and renumbers its ids), then grow again.
    while (model.entries.length > 40) {
      const from = Math.floor(rand() * (model.entries.length - 20));
      set.removeRange(from, from + 9);
      for (const [m] of model.entries.slice(from, from + 10)) model.remove(m);
      const [m] = model.entries[Math.floor(rand() * model.entries.length)]!;
      equal(set.remove(m), model.remove(m));
    }
    assertSame(set, model, rand);
    for (let i = 0; i < 2000; i++) {
      addBoth(set, model, member(Math.floor(rand() * 6000)), Math.floor(rand() * 300));
    }
    assertSame(set, model, rand);
  }
  equal(set.encoding(), "skiplist");
});

Deno.test("writeRanks writes a set's members as visitRange hands them out, each way, small or big", () => {
  for (const size of [5, 3000]) {
    const set = new SortedSet();
    for (let i = 0; i < size; i++) set.add(i % 5 === 0 ? `\xff\x00${i}` : `m${i}`, i % 17);
    for (const [from, to] of [[0, size - 1], [size - 1, 0], [1, Math.min(size - 1, 300)]]) {
      for (const withScores of [false, true]) {
        for (const nested of [false, true]) {
          const fromBytes = new RespWriter(3);
          const fromStrings = new RespWriter(3);
          set.writeRanks(from!, to!, fromBytes, withScores, nested);
          set.visitRange(from!, to!, (member, score) => {
            if (nested) fromStrings.array(2);
            fromStrings.bulk(member);
            if (withScores) fromStrings.double(score);
          });
          equal(
            bytesToBinary(fromBytes.buf, 0, fromBytes.pos),
            bytesToBinary(fromStrings.buf, 0, fromStrings.pos),
          );
        }
      }
    }
  }
});

/** scoreOfBytes of `member` given as bytes inside a larger buffer, as a request holds it. */
function scoreOfBytes(set: SortedSet, member: string): number | undefined {
  const bytes = new Uint8Array(member.length + 5).fill(0x78);
  for (let i = 0; i < member.length; i++) bytes[3 + i] = member.charCodeAt(i);
  return set.scoreOfBytes({ bytes, start: 3, end: 3 + member.length, string: () => member });
}

Deno.test("a member given as bytes finds what its string finds, packed (walked or searched) or big", () => {
  const next = prng(21);
  for (const count of [1, 2, 7, 100, 128, 129, 400]) {
    const set = new SortedSet();
    const members: string[] = [];
    for (let i = 0; i < count; i++) {
      // Lengths common (walked by bytes) and not (searched by string), bytes over 0x7f too.
      const length = next() < 0.7 ? 20 : 1 + Math.floor(next() * 40);
      let m = "";
      for (let j = 0; j < length; j++) m += String.fromCharCode(next() < 0.9 ? 97 + (j % 5) : 0xe9);
      members.push(m + i);
      set.add(m + i, Math.floor(next() * 10));
    }
    equal(set.encoding(), count <= 128 ? "listpack" : "skiplist");
    for (const m of members) equal(scoreOfBytes(set, m), set.score(m), `${count} ${m}`);
    for (const miss of ["", "a", members[0]!.slice(1), members[0]! + "x", "z".repeat(20)]) {
      equal(scoreOfBytes(set, miss), set.score(miss), `${count} miss ${miss}`);
    }
  }
  // Past a long record (two-byte lengths under raised limits) the walk gives way to the string.
  const set = new SortedSet();
  set.add("y".repeat(20), 1);
  set.add("z".repeat(130), 2, { entries: 128, value: 200 });
  set.add("w".repeat(20), 3, { entries: 128, value: 200 });
  equal(set.encoding(), "listpack");
  equal(scoreOfBytes(set, "w".repeat(20)), 3);
  equal(scoreOfBytes(set, "z".repeat(130)), 2);
  equal(scoreOfBytes(set, "v".repeat(20)), undefined);
});
