import { deepEqual, notDeepEqual, ok } from "node:assert/strict";
import { mutate, Random, randomFrame, randomRequest, splitFrame } from "./frames.ts";

const options = { names: ["get", "set", "zadd"], maxBulk: 1024 * 1024 };

Deno.test("frames are reproducible from the seed and differ between seeds", () => {
  const run = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 50 }, () => randomFrame(r, "resp", options).bytes);
  };
  deepEqual(run(7), run(7));
  notDeepEqual(run(7), run(8));
});

Deno.test("requests draw names from the table; splits cover the frame exactly", () => {
  const r = new Random(1);
  let mangled = 0;
  for (let i = 0; i < 500; i++) {
    const [name] = randomRequest(r, options.names);
    if (!options.names.includes(name!.toLowerCase())) mangled++;
    const frame = randomFrame(r, i % 2 === 0 ? "resp" : "native", options).bytes;
    const pieces = splitFrame(r, frame);
    deepEqual(new Uint8Array(pieces.flatMap((p) => [...p])), frame);
    ok(pieces.every((p) => p.length > 0) || frame.length === 0);
  }
  ok(mangled > 0 && mangled < 100, `mangled names: ${mangled}`);
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  let changed = 0;
  for (let i = 0; i < 20; i++) if (mutate(r, bytes).join() !== bytes.join()) changed++;
  ok(changed >= 15);
});
