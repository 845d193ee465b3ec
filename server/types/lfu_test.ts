import { equal } from "node:assert/strict";
import { LFU_INIT, lfuDecay, lfuIncrement, lfuSettings } from "./lfu.ts";

Deno.test("the LFU counter grows with probability 1 / ((counter - 5) * factor + 1)", () => {
  equal(lfuIncrement(LFU_INIT, 0.999), LFU_INIT + 1);
  equal(lfuIncrement(15, 1 / 101 - 1e-9), 16);
  equal(lfuIncrement(15, 1 / 101 + 1e-9), 15);
  equal(lfuIncrement(255, 0), 255);
  lfuSettings.logFactor = 0;
  try {
    equal(lfuIncrement(100, 0.999), 101);
  } finally {
    lfuSettings.logFactor = 10;
  }
});

Deno.test("the LFU counter decays one step per lfu-decay-time idle minutes; 0 never", () => {
  equal(lfuDecay(10, 3), 7);
  equal(lfuDecay(2, 30), 0);
  lfuSettings.decayTime = 2;
  try {
    equal(lfuDecay(10, 5), 8);
    lfuSettings.decayTime = 0;
    equal(lfuDecay(10, 1000), 10);
  } finally {
    lfuSettings.decayTime = 1;
  }
});
