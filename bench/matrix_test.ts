import { deepEqual, equal } from "node:assert/strict";
import type { LoadgenReport } from "./loadgen.ts";
import { medianFigures, rotation, runFigures, targetsFor } from "./matrix.ts";
import { MATRIX_TESTS } from "./matrix_tests.ts";
import type { MatrixFigures } from "./results.ts";

const report = (over: Partial<LoadgenReport> = {}): LoadgenReport => ({
  requests: 200_000,
  seconds: 2,
  opsPerSec: 100_000,
  p50Us: 400,
  p99Us: 1500,
  p999Us: 3000,
  errors: 0,
  firstError: "",
  serverCpuSec: 1.8,
  clientCpuSec: 0.9,
  serverCoreBusySec: 1.8,
  clientCoreBusySec: 0.9,
  ...over,
});

Deno.test("runFigures: CPU share of a core, CPU µs per request, latency in ms", () => {
  deepEqual(runFigures(report()), {
    opsPerSec: 100_000,
    p50Ms: 0.4,
    p99Ms: 1.5,
    serverCpu: 0.9,
    serverUsPerOp: 9,
    clientCpu: 0.45,
    serverCoreOthers: 0,
    clientCoreOthers: 0,
    samples: [100_000],
  });
  const unread = runFigures(report({ serverCpuSec: undefined })) as MatrixFigures;
  equal(unread.serverCpu, null);
  equal(unread.serverUsPerOp, null);
  equal(unread.serverCoreOthers, null);
});

Deno.test("runFigures: another process's share of a core is its busy time beyond our own", () => {
  const disturbed = runFigures(
    report({
      serverCpuSec: 1.5,
      serverCoreBusySec: 1.75,
      clientCpuSec: 0.5,
      clientCoreBusySec: 1.5,
    }),
  ) as MatrixFigures;
  equal(disturbed.serverCoreOthers, 0.125);
  equal(disturbed.clientCoreOthers, 0.5);
  const unpinned = runFigures(report({ clientCoreBusySec: undefined })) as MatrixFigures;
  equal(unpinned.clientCoreOthers, null);
});

Deno.test("runFigures turns error replies, or none at all, into a failed cell", () => {
  deepEqual(runFigures(report({ errors: 3, firstError: "ERR unknown command 'XADD'" })), {
    error: "ERR unknown command 'XADD'",
  });
  deepEqual(runFigures(report({ errors: 3 })), { error: "3 error replies" });
  deepEqual(runFigures(report({ requests: 0, opsPerSec: 0 })), {
    error: "no reply in the 2.0 s measured (server CPU 90%)",
  });
});

Deno.test("medianFigures keeps each figure's median and every round's ops/s", () => {
  const runs = [100, 300, 200].map((k) =>
    runFigures(report({ opsPerSec: k * 1000, p99Us: k * 10 }))
  );
  const median = medianFigures(runs) as MatrixFigures;
  equal(median.opsPerSec, 200_000);
  equal(median.p99Ms, 2);
  deepEqual(median.samples, [100_000, 300_000, 200_000]);
  equal((medianFigures(runs.slice(0, 2)) as MatrixFigures).opsPerSec, 200_000);
  deepEqual(medianFigures([...runs, { error: "boom" }]), { error: "boom" });
  deepEqual(medianFigures([]), { error: "not run" });
});

Deno.test("rotation lets each target lead in turn, across rounds and cells", () => {
  const targets = ["book", "home", "homeResp", "redis"];
  deepEqual(rotation(targets, 0, 0), targets);
  deepEqual(rotation(targets, 0, 1), ["home", "homeResp", "redis", "book"]);
  deepEqual(rotation(["redis", "home"], 3, 0), ["home", "redis"]);
  deepEqual(rotation(["redis", "home"], 3, 1), ["redis", "home"]);
});

Deno.test("targetsFor: RESP tests on both servers, native ones also on the book's and over RESP", () => {
  const set = MATRIX_TESTS.find((t) => t.name === "SET")!;
  const native = MATRIX_TESTS.find((t) => t.name === "set")!;
  deepEqual(targetsFor(set), ["redis", "home"]);
  deepEqual(targetsFor(native), ["book", "home", "homeResp", "redis"]);
});
