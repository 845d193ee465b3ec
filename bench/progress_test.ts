import { deepEqual, equal } from "node:assert/strict";
import { formatDuration, timeLeft } from "./progress.ts";

Deno.test("formatDuration", () => {
  deepEqual([formatDuration(0), formatDuration(44.6), formatDuration(125), formatDuration(-3)], [
    "0s",
    "45s",
    "2m 05s",
    "0s",
  ]);
});

Deno.test("timeLeft counts the current step's rest and every later step, at the measured pace", () => {
  equal(timeLeft([10, 20, 30], 1, 5, 1), 15 + 30);
  equal(timeLeft([10, 20, 30], 1, 5, 2), 35 + 60);
  // A step running over its estimate adds nothing of its own.
  equal(timeLeft([10, 20], 0, 50, 1), 20);
});
