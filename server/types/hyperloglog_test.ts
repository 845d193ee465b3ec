import { deepEqual, equal, throws } from "node:assert/strict";
import {
  cachedCardinalityAt,
  CorruptHllError,
  firstRaiseAt,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  hllPattern,
  HyperLogLog,
  MergedRegisters,
  raiseDense,
} from "./hyperloglog.ts";
import { hash64, murmurHash64A } from "./murmur.ts";
import { ByteString } from "./string.ts";
import { xorshift } from "../../tests/xorshift.ts";

/** MurmurHash64A written plainly with BigInt, to check the 32-bit-halves version. */
function murmurReference(s: string, seed: number): bigint {
  const mask = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  const len = s.length;
  let h = (BigInt(seed) ^ (BigInt(len) * m)) & mask;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  if (len & 7) {
    for (let j = (len & 7) - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(blocks + j)) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

function binary(len: number, salt: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode((i * 131 + salt * 17 + (i >> 3)) & 0xff);
  return s;
}

Deno.test("murmurHash64A equals the 64-bit reference for every tail length and byte", () => {
  for (let len = 0; len <= 70; len++) {
    for (const salt of [0, 1, 255]) {
      const s = binary(len, salt);
      murmurHash64A(s, 0xadc83b19);
      equal(
        (BigInt(hash64[0]!) << 32n) | BigInt(hash64[1]!),
        murmurReference(s, 0xadc83b19),
        `${len}`,
      );
    }
  }
});

Deno.test("hllPattern: register is the hash's low 14 bits, count its trailing zeros + 1", () => {
  for (const e of ["", "a", "foo", binary(9, 3), binary(100, 7)]) {
    const h = murmurReference(e, 0xadc83b19);
    const rest = (h >> 14n) | (1n << 50n);
    let count = 1;
    while (((rest >> BigInt(count - 1)) & 1n) === 0n) count++;
    equal(hllPattern(e), (count << 14) | Number(h & 16383n), JSON.stringify(e));
  }
});

Deno.test("a new HyperLogLog is Redis's 18 bytes: sparse, one XZERO of 16384, cardinality 0", () => {
  const hll = HyperLogLog.create();
  equal(hll.toBinary(), "HYLL\x01" + "\0".repeat(11) + "\x7f\xff");
  equal(hll.encoding, "sparse");
  equal(hll.cachedCardinality(), 0);
  equal(hll.decode(), "Z:16384");
  equal(hll.count(), 0n);
});

Deno.test("isValid: magic, encoding and the dense length decide", () => {
  const sparse = HyperLogLog.create().toBinary();
  equal(HyperLogLog.isValid(sparse), true);
  equal(HyperLogLog.isValid(sparse.slice(0, 16)), true);
  equal(HyperLogLog.isValid(sparse.slice(0, 15)), false);
  equal(HyperLogLog.isValid("HYLX" + sparse.slice(4)), false);
  equal(HyperLogLog.isValid("HYLL\x02" + sparse.slice(5)), false);
  equal(HyperLogLog.isValid("HYLL\x00" + sparse.slice(5)), false);
  const dense = HyperLogLog.create();
  dense.toDense();
  equal(dense.toBinary().length, HLL_DENSE_SIZE);
  equal(HyperLogLog.isValid(dense.toBinary()), true);
  equal(HyperLogLog.isValid(dense.toBinary() + "x"), false);
  equal(HyperLogLog.fromBinary("12345"), undefined);
});

Deno.test("cached cardinality: the top bit marks it stale; PFCOUNT's value is stored little-endian", () => {
  const hll = HyperLogLog.create();
  hll.invalidateCache();
  equal(hll.cachedCardinality(), undefined);
  equal(hll.toBinary().charCodeAt(15), 0x80);
  hll.setCachedCardinality(0x0102030405n);
  equal(hll.cachedCardinality(), 0x0102030405);
  deepEqual([...hll.toBytes().subarray(8, 16)], [5, 4, 3, 2, 1, 0, 0, 0]);
  // A number while exact, a BigInt past 2^53.
  hll.setCachedCardinality(2n ** 53n - 1n);
  equal(hll.cachedCardinality(), 2 ** 53 - 1);
  hll.setCachedCardinality(0x7fedcba987654321n);
  equal(hll.cachedCardinality(), 0x7fedcba987654321n);
});

Deno.test("a register above 32 promotes a sparse value to dense, keeping the others", () => {
  const hll = HyperLogLog.create();
  equal(hll.raise(5, 3, 3000), true);
  equal(hll.raise(9000, 33, 3000), true);
  equal(hll.encoding, "dense");
  const regs = hll.registers();
  equal(regs[5], 3);
  equal(regs[9000], 33);
  equal(regs.filter((r) => r !== 0).length, 2);
  equal(hll.raise(9000, 20, 3000), false);
});

Deno.test("sparse edits: splits and merges of runs, as PFDEBUG DECODE shows them", () => {
  const hll = HyperLogLog.create();
  hll.raise(100, 2, 3000);
  equal(hll.decode(), "Z:100 v:2,1 Z:16283");
  hll.raise(101, 2, 3000);
  equal(hll.decode(), "Z:100 v:2,2 Z:16282");
  hll.raise(0, 1, 3000);
  equal(hll.decode(), "v:1,1 Z:99 v:2,2 Z:16282");
  hll.raise(102, 2, 3000);
  hll.raise(103, 2, 3000);
  hll.raise(104, 2, 3000);
  equal(hll.decode(), "v:1,1 Z:99 v:2,4 v:2,1 Z:16279");
  hll.raise(103, 5, 3000);
  equal(hll.decode(), "v:1,1 Z:99 v:2,3 v:5,1 v:2,1 Z:16279");
  hll.raise(1, 1, 3000);
  equal(hll.decode(), "v:1,2 Z:98 v:2,3 v:5,1 v:2,1 Z:16279");
  hll.raise(40, 1, 3000);
  equal(hll.decode(), "v:1,2 z:38 v:1,1 z:59 v:2,3 v:5,1 v:2,1 Z:16279");
});

Deno.test("sparse and dense values of the same elements give the same estimate", () => {
  for (const n of [0, 1, 10, 100, 1000, 5000]) {
    const sparse = HyperLogLog.create();
    const dense = HyperLogLog.create();
    dense.toDense();
    for (let i = 0; i < n; i++) {
      sparse.add(`e${i}`, 1 << 20);
      dense.add(`e${i}`, 1 << 20);
    }
    equal(sparse.encoding, "sparse");
    equal(sparse.count(), dense.count(), `${n} elements`);
    const error = Math.abs(Number(dense.count()) - n);
    equal(error <= Math.max(1, n * 0.05), true, `estimate of ${n}: ${dense.count()}`);
  }
});

Deno.test("dense registers keep their neighbours when set (6-bit packing)", () => {
  const hll = HyperLogLog.create();
  hll.toDense();
  const expected = Array.from({ length: HLL_REGISTERS }, (_, i) => (i * 7 + (i >> 5)) % 64);
  expected.forEach((v, i) => v !== 0 && hll.raise(i, v, 3000));
  deepEqual(hll.registers(), expected);
});

Deno.test("corrupt sparse values: counting, merging and converting all refuse them", () => {
  const header = HyperLogLog.create().toBinary().slice(0, 16);
  for (const body of ["", "\x7f\xfe", "\x7f\xff\x80", "\x7f\xff\x00", "\x7f"]) {
    const hll = HyperLogLog.fromBinary(header + body)!;
    throws(() => hll.count(), CorruptHllError, JSON.stringify(body));
    throws(() => hll.mergeInto(new MergedRegisters()), CorruptHllError);
    // A view of exactly the value's bytes reads no zero byte after them, and refuses alike.
    const exact = ByteString.from(header + body);
    throws(() => HyperLogLog.view(exact)!.mergeInto(new MergedRegisters()), CorruptHllError);
    throws(() => hll.toDense(), CorruptHllError);
    equal(hll.encoding, "sparse");
  }
  throws(() => HyperLogLog.fromBinary(header)!.add("x", 3000), CorruptHllError);
  // A last XZERO reads the byte after the data as zero (Redis's terminator): here 1 register.
  const bytes = ByteString.from(header + "\x7f\xfe\x40\xff").bytes;
  const merged = new MergedRegisters();
  HyperLogLog.view(new ByteString(bytes, 19))!.mergeInto(merged);
  equal(merged.estimate(), 0n);
  equal(HyperLogLog.fromBinary(header + "\x7f\xfe\x40")!.count(), 0n);
});

/** A sparse value with `n` registers raised, clustered so that runs of values form and merge. */
function randomSparse(next: () => number, n: number, maxValue: number): HyperLogLog {
  const hll = HyperLogLog.create();
  let reg = next() % HLL_REGISTERS;
  for (let i = 0; i < n; i++) {
    reg = next() % 3 === 0 ? next() % HLL_REGISTERS : (reg + 1 + (next() % 3)) % HLL_REGISTERS;
    hll.raise(reg, 1 + (next() % maxValue), 1 << 20);
  }
  return hll;
}

Deno.test("raiseAll resuming its walk writes the bytes of a walk from the start per register", () => {
  const next = xorshift(7);
  for (let round = 0; round < 400; round++) {
    const maxValue = round % 4 === 0 ? 40 : 1 + (next() % 32);
    const sources = Array.from(
      { length: 1 + (next() % 3) },
      () => randomSparse(next, next() % 300, maxValue),
    );
    const dest = round % 5 === 0 ? HyperLogLog.create() : randomSparse(next, next() % 200, 32);
    const maxBytes = round % 3 === 0 ? 3000 : 20 + (next() % 1000);
    const merged = new MergedRegisters();
    for (const hll of [dest, ...sources]) hll.mergeInto(merged);
    const fast = HyperLogLog.fromBinary(dest.toBinary())!;
    const slow = HyperLogLog.fromBinary(dest.toBinary())!;
    if (merged.dense) {
      fast.toDense();
      slow.toDense();
    }
    fast.raiseAll(merged, maxBytes);
    // The plain way: every register in order, each found by a walk from the first opcode.
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (merged.max[i] !== 0) slow.raise(i, merged.max[i]!, maxBytes);
    }
    slow.invalidateCache();
    equal(fast.toBinary(), slow.toBinary(), `round ${round}`);
  }
});

Deno.test("MergedRegisters: estimates as a dense value of the merged registers, reused after clear", () => {
  const next = xorshift(5);
  const merged = new MergedRegisters();
  for (let round = 0; round < 60; round++) {
    merged.clear();
    const sources = Array.from(
      { length: 1 + (next() % 3) },
      () => randomSparse(next, next() % 2000, 1 + (next() % 40)),
    );
    const plain = new Uint8Array(HLL_REGISTERS);
    const dense = HyperLogLog.create();
    dense.toDense();
    for (const hll of sources) {
      hll.mergeInto(merged);
      hll.toDense();
      hll.registers().forEach((v, i) => plain[i] = Math.max(plain[i]!, v));
    }
    plain.forEach((v, i) => v !== 0 && dense.raise(i, v, 3000));
    deepEqual(merged.max, plain, `round ${round}`);
    equal(merged.estimate(), dense.count(), `round ${round}`);
  }
  // A corrupt source stops the merge part way; clear still empties every register.
  const header = HyperLogLog.create().toBinary().slice(0, 16);
  throws(() => HyperLogLog.fromBinary(header + "\x80\x7f\xff")!.mergeInto(merged));
  merged.clear();
  deepEqual(merged.max, new Uint8Array(HLL_REGISTERS));
  equal(merged.estimate(), 0n);
});

Deno.test("a PFADD raised in place marks the cache stale as invalidateCache does, and only if a register rose", () => {
  const hll = HyperLogLog.create();
  hll.toDense();
  hll.add("a", 0);
  hll.setCachedCardinality(1n);
  const value = ByteString.from(hll.toBinary());
  equal(raiseDense(value, ["PFADD", "k", "a"], 2), 0);
  equal(cachedCardinalityAt(value.bytes, 0), 1);
  equal(raiseDense(value, ["PFADD", "k", "a", "b"], 2), 1);
  equal(cachedCardinalityAt(value.bytes, 0), undefined);
  hll.add("b", 0);
  hll.invalidateCache();
  deepEqual(value.bytes.subarray(0, value.length), hll.toBytes());
});

Deno.test("firstRaiseAt, read where the value lies, finds the first element add would count", () => {
  const next = xorshift(29);
  for (let round = 0; round < 60; round++) {
    const hll = HyperLogLog.create();
    const known: string[] = [];
    for (let n = next() % 400; n > 0; n--) known.push(`e${next() % 5000}`);
    for (const e of known) hll.add(e, 3000);
    if (round % 3 === 0) hll.toDense();
    const bytes = hll.toBytes();
    // Inside a bigger page, junk on both sides, as the key table keeps short values.
    const page = new Uint8Array(bytes.length + 40).fill(0xff);
    page.set(bytes, 17);
    for (let probe = 0; probe < 20; probe++) {
      const elements = ["PFADD", "k"];
      for (let n = next() % 4; n > 0; n--) {
        elements.push(next() % 2 ? known[next() % known.length] ?? "x" : `new${next()}`);
      }
      const copy = HyperLogLog.fromBytes(bytes)!;
      let changes = false;
      for (let i = 2; i < elements.length; i++) if (copy.add(elements[i]!, 3000)) changes = true;
      const first = firstRaiseAt(page, 17, bytes.length, elements, 2);
      equal(first >= 0, changes, `round ${round} ${elements}`);
      // The elements before the first one returned change nothing.
      const before = HyperLogLog.fromBytes(bytes)!;
      for (let i = 2; i < (first < 0 ? elements.length : first); i++) {
        equal(before.add(elements[i]!, 3000), false, `round ${round} ${elements} ${i}`);
      }
    }
  }
  // A sparse value whose opcodes stop short: no register found, so PFADD's edit must look.
  const header = HyperLogLog.create().toBinary().slice(0, 16);
  const short = Uint8Array.from(header + "\x80", (c) => c.charCodeAt(0));
  equal(firstRaiseAt(short, 0, short.length, ["PFADD", "k", "zzz"], 2), 2);
});
