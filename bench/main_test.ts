import { deepEqual, equal, throws } from "node:assert/strict";
import { matrixPlan } from "./main.ts";
import type { MatrixPlan } from "./matrix.ts";
import { MATRIX_TESTS } from "./matrix_tests.ts";

const BASE: MatrixPlan = {
  tests: MATRIX_TESTS,
  pipelines: [1, 16],
  keyspaces: ["single", "random"],
  rounds: 3,
  runSec: 1.5,
  warmupSec: 0.3,
  bookSource: undefined,
  pin: true,
};

Deno.test("matrixPlan applies the matrix options", () => {
  const plan = matrixPlan(BASE, {
    tests: "set,get",
    pipeline: "16",
    keys: "random",
    rounds: "1",
    seconds: "0.5",
    "book-src": "/src/book",
    "no-pin": true,
  });
  deepEqual(plan.tests.map((t) => t.name), ["SET", "GET", "set", "get"]);
  deepEqual(plan.pipelines, [16]);
  deepEqual(plan.keyspaces, ["random"]);
  equal(plan.rounds, 1);
  equal(plan.runSec, 0.5);
  equal(plan.bookSource, "/src/book");
  equal(plan.pin, false);
  equal(matrixPlan(BASE, {}).tests.length, MATRIX_TESTS.length);
});

Deno.test("matrixPlan rejects bad values", () => {
  throws(() => matrixPlan(BASE, { pipeline: "0" }), /--pipeline takes positive numbers/);
  throws(() => matrixPlan(BASE, { keys: "all" }), /--keys takes single and\/or random/);
  throws(() => matrixPlan(BASE, { tests: "sett" }), /unknown matrix test/);
});
