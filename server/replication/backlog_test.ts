import { deepEqual, equal, throws } from "node:assert/strict";
import { MIN_BACKLOG_SIZE, ReplicationBacklog } from "./backlog.ts";

/** The stream's byte number n (1-based) is n % 251, so any slice can be checked. */
function streamBytes(from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from + 1);
  for (let n = from; n <= to; n++) out[n - from] = n % 251;
  return out;
}

Deno.test("a new backlog continues the stream after its creation offset", () => {
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE, 100);
  equal(backlog.offset, 100);
  equal(backlog.histlen, 0);
  equal(backlog.firstByteOffset, 101);
  equal(backlog.canServe(101), true);
  equal(backlog.canServe(100), false);
  deepEqual(backlog.copyFrom(101), new Uint8Array(0));
  backlog.append(streamBytes(101, 110));
  equal(backlog.offset, 110);
  deepEqual(backlog.copyFrom(105), streamBytes(105, 110));
  equal(backlog.canServe(112), false);
});

Deno.test("the backlog keeps the last size bytes across wrap-arounds", () => {
  const size = MIN_BACKLOG_SIZE;
  const backlog = new ReplicationBacklog(size, 0);
  let offset = 0;
  // Appends of awkward sizes, including one larger than the whole buffer.
  for (const n of [1000, size - 7, 3, size + 123, 5000, 1]) {
    backlog.append(streamBytes(offset + 1, offset + n));
    offset += n;
    equal(backlog.offset, offset);
    equal(backlog.histlen, Math.min(offset, size));
    const first = backlog.firstByteOffset;
    deepEqual(backlog.copyFrom(first), streamBytes(first, offset));
    deepEqual(backlog.copyFrom(offset - 10), streamBytes(offset - 10, offset));
    equal(backlog.canServe(first - 1), false);
  }
  throws(() => backlog.copyFrom(1), RangeError);
});

Deno.test("sizes below the minimum are raised to it", () => {
  equal(new ReplicationBacklog(10, 0).size, MIN_BACKLOG_SIZE);
});

Deno.test("resizing keeps the most recent history", () => {
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE * 2, 0);
  backlog.append(streamBytes(1, 40000));
  backlog.resize(MIN_BACKLOG_SIZE);
  equal(backlog.offset, 40000);
  equal(backlog.histlen, MIN_BACKLOG_SIZE);
  deepEqual(
    backlog.copyFrom(backlog.firstByteOffset),
    streamBytes(40001 - MIN_BACKLOG_SIZE, 40000),
  );
  backlog.resize(MIN_BACKLOG_SIZE * 4);
  equal(backlog.histlen, MIN_BACKLOG_SIZE);
  backlog.append(streamBytes(40001, 50000));
  deepEqual(
    backlog.copyFrom(40000 - MIN_BACKLOG_SIZE + 1),
    streamBytes(40001 - MIN_BACKLOG_SIZE, 50000),
  );
});
