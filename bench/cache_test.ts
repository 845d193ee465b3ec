import { equal, ok } from "node:assert/strict";
import { cacheKey, mixCommands, Zipf } from "./cache.ts";

/** A seeded generator (mulberry32), so the figures replay. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("Zipf ranks: rank 0 is twice as likely as rank 1 at s = 1", () => {
  const zipf = new Zipf(1000, 1, seeded(1));
  const counts = new Array(1000).fill(0);
  for (let i = 0; i < 100_000; i++) counts[zipf.next()]++;
  const ratio = counts[0] / counts[1];
  ok(ratio > 1.8 && ratio < 2.2, `rank 0 / rank 1 = ${ratio}`);
  ok(counts.slice(0, 10).reduce((a, b) => a + b) > counts.slice(500).reduce((a, b) => a + b));
});

Deno.test("the mix has the planned share of GETs, SETs carrying the value", () => {
  const plan = {
    maxmemoryMb: 1,
    keys: 100,
    valueBytes: 7,
    fillKeys: 0,
    requests: 10_000,
    getShare: 0.9,
    zipf: 0.99,
  };
  const mix = mixCommands(plan, seeded(2));
  equal(mix.length, 10_000);
  const gets = mix.filter((argv) => argv[0] === "GET").length;
  ok(gets > 8800 && gets < 9200, `${gets} GETs`);
  const set = mix.find((argv) => argv[0] === "SET")!;
  equal(set[2], "vvvvvvv");
  ok(mix.every((argv) => argv[1]!.startsWith(cacheKey(0).slice(0, 6))));
});
