import { equal, match } from "node:assert/strict";
import {
  exposedGc,
  GROWTH_BYTES,
  IDLE_MS,
  MemoryReducer,
  QUIET_PER_PAUSE,
  RATE_MIN_HEAP_BYTES,
} from "./memory_reducer.ts";

const MB = 1024 * 1024;

/** A host whose activity, heap and GC the test moves by hand. */
function fakeHost(heap = 8 * MB) {
  const host = {
    requests: 0,
    heap,
    collected: 0,
    logged: [] as string[],
    activity: () => host.requests,
    heapTotal: () => host.heap,
    collect: (() => {
      host.collected++;
      host.heap = heap;
    }) as (() => void) | undefined,
    log: (message: string) => host.logged.push(message),
  };
  return host;
}

Deno.test("memory reducer: the first quiet spell collects, then only a heap that grew again", () => {
  const host = fakeHost();
  const reducer = new MemoryReducer(host, 0);
  host.heap += MB;
  reducer.tick(0);
  reducer.tick(IDLE_MS - 1);
  equal(host.collected, 0, "not quiet long enough");
  reducer.tick(IDLE_MS);
  equal(host.collected, 1, "start-up's slack");
  match(host.logged[0]!, /^Memory reducer: V8 heap 9\.0 MB -> 8\.0 MB \(\d+ ms\)$/);
  reducer.tick(IDLE_MS * 4);
  equal(host.collected, 1, "nothing new to give back");
  host.heap += GROWTH_BYTES - MB;
  reducer.tick(IDLE_MS * 8);
  equal(host.collected, 1, "growth under the threshold");
  host.heap += MB;
  reducer.tick(IDLE_MS * 9);
  equal(host.collected, 2);
  match(host.logged[1]!, /^Memory reducer: V8 heap 24\.0 MB -> 8\.0 MB/);
});

Deno.test("memory reducer: never while requests arrive", () => {
  const host = fakeHost();
  const reducer = new MemoryReducer(host, 0);
  host.heap += GROWTH_BYTES;
  for (let t = 0; t < 100 * IDLE_MS; t += 100) {
    host.requests++;
    reducer.tick(t);
  }
  equal(host.collected, 0);
  reducer.tick(100 * IDLE_MS + IDLE_MS);
  equal(host.collected, 1, "the first quiet spell after them");
});

Deno.test("memory reducer: a big heap waits a quiet time in proportion to the pause", () => {
  const host = fakeHost(1024 * MB);
  const reducer = new MemoryReducer(host, 0);
  host.heap += GROWTH_BYTES;
  reducer.tick(0);
  // Before any measurement, 1 ms of pause is expected per MB.
  const needed = QUIET_PER_PAUSE * host.heap / MB;
  reducer.tick(needed - 1);
  equal(host.collected, 0);
  reducer.tick(needed);
  equal(host.collected, 1);
});

Deno.test("memory reducer: a small heap's pause does not set the rate a big one waits by", () => {
  const host = fakeHost();
  const collect = host.collect!;
  host.collect = () => {
    const end = performance.now() + 40; // 5 ms per MB of the 8 MB heap
    while (performance.now() < end);
    collect();
  };
  const reducer = new MemoryReducer(host, 0);
  reducer.tick(0);
  reducer.tick(IDLE_MS);
  equal(host.collected, 1);
  host.heap = RATE_MIN_HEAP_BYTES * 2;
  host.requests++;
  reducer.tick(1000);
  // Still 1 ms of pause expected per MB.
  reducer.tick(1000 + QUIET_PER_PAUSE * host.heap / MB);
  equal(host.collected, 2);
});

Deno.test("memory reducer: without an exposed GC it does nothing", () => {
  const host = fakeHost();
  host.collect = undefined;
  const reducer = new MemoryReducer(host, 0);
  host.heap += 4 * GROWTH_BYTES;
  reducer.tick(0);
  reducer.tick(10 * IDLE_MS);
  equal(reducer.reduce(), false);
  // Every reduction logs a line.
  equal(host.logged.length, 0);
});

Deno.test("memory reducer: the exposed GC runs V8's last-resort GC, then malloc's trim where allowed", () => {
  const global = globalThis as { gc?: unknown };
  const saved = global.gc;
  const calls: unknown[] = [];
  try {
    global.gc = undefined;
    equal(exposedGc(), undefined);
    global.gc = (options: unknown) => calls.push(options);
    exposedGc()!(); // the trim is skipped without FFI permission, made with it
    equal(JSON.stringify(calls), '[{"type":"major","execution":"sync","flavor":"last-resort"}]');
  } finally {
    global.gc = saved;
  }
});
