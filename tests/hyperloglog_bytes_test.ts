/**
 * server/types/hyperloglog.ts against the real redis-server: the same
 * elements must give the same bytes (sparse edits, promotion, cached
 * cardinality), the same estimates, and the same verdict on corrupt values.
 * The PFADD/PFCOUNT/PFMERGE steps are replayed here on the module alone.
 */
import { deepEqual, equal } from "node:assert/strict";
import {
  CorruptHllError,
  HLL_REGISTERS,
  HyperLogLog,
  MergedRegisters,
} from "../server/types/hyperloglog.ts";
import { pipeline, withRedis } from "./persistence_helpers.ts";
import type { RespClient } from "./helpers.ts";
import { xorshift } from "./xorshift.ts";

/** PFADD as Redis does it, on the module: the new value and the reply. */
function pfaddReply(value: string | undefined, elements: string[], maxBytes: number) {
  const hll = value === undefined ? HyperLogLog.create() : HyperLogLog.fromBinary(value)!;
  let updated = value === undefined;
  for (const e of elements) if (hll.add(e, maxBytes)) updated = true;
  if (updated) hll.invalidateCache();
  return { value: hll.toBinary(), reply: updated ? 1 : 0 };
}

function pfadd(value: string | undefined, elements: string[], maxBytes: number): string {
  return pfaddReply(value, elements, maxBytes).value;
}

/** PFCOUNT of one key as Redis does it: the reply and the value afterwards. */
function pfcount(value: string): { reply: unknown; value: string } {
  const hll = HyperLogLog.fromBinary(value);
  if (hll === undefined) return { reply: "WRONGTYPE", value };
  const cached = hll.cachedCardinality();
  if (cached !== undefined) return { reply: asReply(cached), value };
  try {
    const card = hll.count();
    hll.setCachedCardinality(card);
    return { reply: asReply(card), value: hll.toBinary() };
  } catch (err) {
    if (err instanceof CorruptHllError) return { reply: "INVALIDOBJ", value };
    throw err;
  }
}

/** An integer as the test client returns it: a number when safe, else its digits. */
function asReply(n: number | bigint): unknown {
  return Number.isSafeInteger(Number(n)) ? Number(n) : String(n);
}

function verdict(reply: unknown): unknown {
  if (typeof reply === "object" && reply !== null && "error" in reply) {
    return String(reply.error).split(" ")[0];
  }
  return reply;
}

/** Sends many commands at once; their replies in order, errors as their first word. */
async function pipelineVerdicts(redis: RespClient, commands: string[][]): Promise<unknown[]> {
  return (await pipeline(redis, commands)).map(verdict);
}

Deno.test("HyperLogLog bytes and estimates equal redis-server's, sparse through dense", async () => {
  await withRedis(async (redis) => {
    const next = xorshift(7);
    for (const maxBytes of [3000, 200, 16, 20000]) {
      await redis.cmd("CONFIG", "SET", "hll-sparse-max-bytes", maxBytes);
      await redis.cmd("DEL", "h");
      let ours: string | undefined;
      let total = 0;
      for (const batch of [0, 1, 1, 2, 5, 10, 30, 100, 300, 1000, 3000, 10000]) {
        const elements = Array.from({ length: batch }, () => `el:${next()}`);
        total += batch;
        await redis.cmd("PFADD", "h", ...elements);
        ours = pfadd(ours, elements, maxBytes);
        equal(ours, await redis.cmd("GET", "h"), `after ${total} elements (max ${maxBytes})`);
        const counted = pfcount(ours);
        equal(counted.reply, await redis.cmd("PFCOUNT", "h"), `estimate of ${total}`);
        ours = counted.value;
        equal(ours, await redis.cmd("GET", "h"), `cached cardinality after ${total}`);
      }
    }
  });
});

Deno.test("HyperLogLog: binary and empty elements hash as in redis-server", async () => {
  await withRedis(async (redis) => {
    const elements = [""];
    for (let len = 1; len <= 40; len++) {
      let s = "";
      for (let i = 0; i < len; i++) s += String.fromCharCode((len * 37 + i * 101) & 0xff);
      elements.push(s);
    }
    for (const e of elements) {
      await redis.cmd("DEL", "h");
      await redis.cmd("PFADD", "h", e);
      equal(
        pfadd(undefined, [e], 3000),
        await redis.cmd("GET", "h"),
        `element of ${e.length} bytes`,
      );
    }
  });
});

Deno.test("HyperLogLog: merged registers (PFMERGE, multi-key PFCOUNT) equal redis-server's", async () => {
  await withRedis(async (redis) => {
    const next = xorshift(11);
    const sizes = { a: 50, b: 700, c: 5000 };
    const values: Record<string, string> = {};
    for (const [key, n] of Object.entries(sizes)) {
      const elements = Array.from({ length: n }, () => String(next() % 20000));
      await redis.cmd("PFADD", key, ...elements);
      values[key] = pfadd(undefined, elements, 3000);
    }
    for (const sources of [["a"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["c", "a"]]) {
      const merged = new MergedRegisters();
      for (const k of sources) HyperLogLog.fromBinary(values[k]!)!.mergeInto(merged);
      equal(Number(merged.estimate()), await redis.cmd("PFCOUNT", ...sources), `${sources}`);
      const dest = HyperLogLog.create();
      if (merged.dense) dest.toDense();
      dest.raiseAll(merged, 3000);
      await redis.cmd("DEL", "dest");
      await redis.cmd("PFMERGE", "dest", ...sources);
      equal(dest.toBinary(), await redis.cmd("GET", "dest"), `PFMERGE of ${sources}`);
    }
    // PFCOUNT a (above) cached a's cardinality.
    const a = HyperLogLog.fromBinary(pfcount(values.a!).value)!;
    equal(a.decode(), await redis.cmd("PFDEBUG", "DECODE", "a"));
    a.toDense();
    deepEqual(a.registers(), await redis.cmd("PFDEBUG", "GETREG", "a"));
    equal(a.toBinary(), await redis.cmd("GET", "a"));
  });
});

Deno.test("HyperLogLog: corrupt values are refused exactly where redis-server refuses them", async () => {
  await withRedis(async (redis) => {
    const next = xorshift(3);
    const cases: { value: string; elements: string[] }[] = [];
    for (let j = 0; j < 300; j++) {
      const n = next() % (j < 150 ? 300 : 3000);
      let value = pfadd(undefined, Array.from({ length: n }, () => `x${next()}`), 3000);
      for (let i = 0; i < 1 + (next() % 4); i++) {
        // A quarter of the cases hit the header, the rest anywhere (or just past the end).
        const pos = next() % (j % 4 === 0 ? 16 : value.length + 2);
        const byte = String.fromCharCode(next() & 0xff);
        value = value.slice(0, pos).padEnd(pos, "\0") + byte + value.slice(pos + 1);
      }
      cases.push({ value, elements: [`y${next()}`, `y${next()}`, `y${next()}`] });
    }
    const commands = cases.flatMap(({ value, elements }, i) => [
      ["SET", `k${i}`, value],
      ["PFCOUNT", `k${i}`],
      ["GET", `k${i}`],
      ["SET", `k${i}`, value],
      ["PFADD", `k${i}`, ...elements],
      ["GET", `k${i}`],
    ]);
    const replies = await pipelineVerdicts(redis, commands);
    let refused = 0;
    let wrongtype = 0;
    cases.forEach(({ value, elements }, i) => {
      const [, count, afterCount, , add, afterAdd] = replies.slice(i * 6, i * 6 + 6);
      const ours = pfcount(value);
      equal(ours.reply, count, `PFCOUNT of case ${i}`);
      if (typeof count === "number") {
        equal(ours.value, afterCount, `value after PFCOUNT, case ${i}`);
      } else if (count === "INVALIDOBJ") refused++;
      else wrongtype++;
      const oursAdd = tryPfadd(value, elements);
      equal(oursAdd.reply, add, `PFADD of case ${i}`);
      equal(oursAdd.value, afterAdd, `value after PFADD, case ${i}`);
    });
    equal(refused > 10 && wrongtype > 10, true, `refused ${refused}, wrong type ${wrongtype}`);
  });
});

/** PFADD on a possibly corrupt value; Redis keeps what earlier elements changed before a refusal. */
function tryPfadd(value: string, elements: string[]): { reply: unknown; value: string } {
  const hll = HyperLogLog.fromBinary(value);
  if (hll === undefined) return { reply: "WRONGTYPE", value };
  let updated = false;
  try {
    for (const e of elements) if (hll.add(e, 3000)) updated = true;
  } catch (err) {
    if (err instanceof CorruptHllError) return { reply: "INVALIDOBJ", value: hll.toBinary() };
    throw err;
  }
  if (updated) hll.invalidateCache();
  return { reply: updated ? 1 : 0, value: hll.toBinary() };
}

Deno.test("HyperLogLog: an estimate past int64 gives Redis's LLONG_MIN and stays uncached", async () => {
  await withRedis(async (redis) => {
    const dense = HyperLogLog.create();
    dense.toDense();
    dense.invalidateCache();
    for (let i = 0; i < HLL_REGISTERS; i++) dense.raise(i, i % 2 === 0 ? 63 : 50, 3000);
    await redis.cmd("SET", "h", dense.toBinary());
    const ours = pfcount(dense.toBinary());
    equal(await redis.cmd("PFCOUNT", "h"), "-9223372036854775808");
    equal(ours.reply, "-9223372036854775808");
    equal(ours.value, await redis.cmd("GET", "h"));
  });
});

Deno.test("HyperLogLog: promotion happens at exactly hll-sparse-max-bytes", async () => {
  await withRedis(async (redis) => {
    const commands: string[][] = [];
    const expected: unknown[] = [];
    for (let maxBytes = 24; maxBytes <= 64; maxBytes++) {
      commands.push(["CONFIG", "SET", "hll-sparse-max-bytes", String(maxBytes)], ["DEL", "h"]);
      expected.push("OK", null);
      let value: string | undefined;
      for (let i = 0; i < 30; i++) {
        const step = pfaddReply(value, [`p${i}`], maxBytes);
        value = step.value;
        commands.push(["PFADD", "h", `p${i}`], ["GET", "h"]);
        expected.push(step.reply, value);
      }
    }
    const replies = await pipelineVerdicts(redis, commands);
    replies.forEach((reply, i) => {
      if (expected[i] !== null) equal(reply, expected[i], `${commands[i]!.join(" ")}`);
    });
  });
});

Deno.test("HyperLogLog: hand-made corrupt sparse values behave as in redis-server", async () => {
  await withRedis(async (redis) => {
    const valid = pfadd(undefined, ["a", "b", "c"], 3000);
    const header = valid.slice(0, 16);
    const values = [
      valid + "hello",
      valid + "\x80", // a VAL past the last register
      valid + "\x00",
      valid + "\x7f",
      valid.slice(0, -1),
      header,
      header + "\x7f", // an XZERO cut short: its second byte reads as 0
      header + "\x7f\xfe\x81", // 16383 zeros and a VAL of 2 overflowing
      header + "\x7f\xff\x40\x00",
      header + "\x83".repeat(4097),
    ];
    for (const [i, value] of values.entries()) {
      const commands = [
        ["PFCOUNT", "k"],
        ["PFCOUNT", "k", "missing"],
        ["PFMERGE", "d", "k"],
        ["PFDEBUG", "TODENSE", "k"],
        ["PFADD", "k", "zz"],
      ];
      const replies = await pipelineVerdicts(
        redis,
        commands.flatMap((c) => [["DEL", "d"], ["SET", "k", value], c, ["GET", "k"]]),
      );
      const got = commands.map((_, j) => [replies[j * 4 + 2], replies[j * 4 + 3]] as const);
      const hll = () => HyperLogLog.fromBinary(value)!;
      equal(pfcount(value).reply, got[0]![0], `PFCOUNT of value ${i}`);
      equal(
        outcome(() => Number(estimateMergedOf([hll()]))),
        got[1]![0],
        `PFCOUNT k missing, ${i}`,
      );
      equal(
        outcome(() => {
          estimateMergedOf([hll()]);
          return "OK";
        }),
        got[2]![0],
        `PFMERGE of value ${i}`,
      );
      const dense = hll();
      equal(outcome(() => dense.toDense() ? 1 : 0), got[3]![0], `TODENSE of value ${i}`);
      if (got[3]![0] === 1) equal(dense.toBinary(), got[3]![1], `dense form of value ${i}`);
      deepEqual(Object.values(tryPfadd(value, ["zz"])), got[4], `PFADD to value ${i}`);
    }
  });
});

/** The registers of several values merged, estimated (multi-key PFCOUNT). */
function estimateMergedOf(hlls: HyperLogLog[]): bigint {
  const merged = new MergedRegisters();
  for (const h of hlls) h.mergeInto(merged);
  return merged.estimate();
}

/** What a step replies: its result, or INVALIDOBJ when the value is corrupt. */
function outcome(step: () => unknown): unknown {
  try {
    return step();
  } catch (err) {
    if (err instanceof CorruptHllError) return "INVALIDOBJ";
    throw err;
  }
}
