import { deepEqual, equal, ok as assert, throws } from "node:assert/strict";
import { BLOCK_OVERHEAD, MIN_BACKLOG_SIZE, ReplicationBacklog } from "./backlog.ts";

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

Deno.test("the backlog keeps at least its size and at most one block more", () => {
  const size = MIN_BACKLOG_SIZE;
  const backlog = new ReplicationBacklog(size, 0);
  let offset = 0;
  // Appends of awkward sizes, including ones larger than a block.
  for (const n of [1000, size - 7, 3, size + 123, 5000, 1, 3 * size]) {
    if (backlog.append(streamBytes(offset + 1, offset + n))) backlog.trim(Infinity);
    offset += n;
    equal(backlog.offset, offset);
    assert(backlog.histlen >= Math.min(offset, size));
    assert(backlog.histlen <= size + 16 * 1024);
    const first = backlog.firstByteOffset;
    deepEqual(backlog.copyFrom(first), streamBytes(first, offset));
    deepEqual(backlog.copyFrom(offset - 10), streamBytes(offset - 10, offset));
    equal(backlog.canServe(first - 1), false);
  }
  throws(() => backlog.copyFrom(1), RangeError);
});

Deno.test("blocks are 16 KB, or up to a sixteenth of the size for a large write", () => {
  const small = new ReplicationBacklog(MIN_BACKLOG_SIZE, 0);
  small.append(streamBytes(1, 10));
  equal(small.memory, 16 * 1024 + BLOCK_OVERHEAD);
  // The rest of the block is filled before a new one is made.
  equal(small.append(streamBytes(11, 16 * 1024)), false);
  equal(small.append(streamBytes(16 * 1024 + 1, 16 * 1024 + 1)), true);
  equal(small.memory, 2 * (16 * 1024 + BLOCK_OVERHEAD));
  const large = new ReplicationBacklog(1 << 20, 0);
  large.append(streamBytes(1, 100_000));
  // A block of at most 65536 bytes (1 MB / 16), then one sized to the rest.
  equal(large.memory, 100_000 + 2 * BLOCK_OVERHEAD);
});

Deno.test("a block a replica still needs is kept, past the backlog's size", () => {
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE, 0);
  for (let at = 0; at < 200_000; at += 10_000) {
    if (backlog.append(streamBytes(at + 1, at + 10_000))) backlog.trim(5000);
  }
  // A replica that needs byte 5000 holds everything since.
  equal(backlog.histlen, 200_000);
  equal(backlog.canServe(1), true);
  equal(backlog.outputBytes(5000), backlog.memory);
  // Once it goes, trimming gets back to the size, a bounded number of blocks a call.
  backlog.trim(Infinity, 3);
  equal(backlog.firstByteOffset, 3 * 16 * 1024 + 1);
  backlog.trim(Infinity);
  assert(backlog.histlen > MIN_BACKLOG_SIZE && backlog.histlen <= 2 * MIN_BACKLOG_SIZE);
  equal(backlog.memory, 2 * (16 * 1024 + BLOCK_OVERHEAD));
  deepEqual(
    backlog.copyFrom(backlog.firstByteOffset),
    streamBytes(backlog.firstByteOffset, 200_000),
  );
  // A caught-up replica holds the last block (Redis's omem for it).
  equal(backlog.outputBytes(200_001), 16 * 1024 + BLOCK_OVERHEAD);
});

Deno.test("sizes below the minimum are raised to it", () => {
  equal(new ReplicationBacklog(10, 0).size, MIN_BACKLOG_SIZE);
});

Deno.test("a smaller size takes effect at the next trim", () => {
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE * 4, 0);
  backlog.append(streamBytes(1, 70000));
  backlog.trim(Infinity);
  equal(backlog.firstByteOffset, 1);
  backlog.resize(MIN_BACKLOG_SIZE);
  backlog.trim(Infinity);
  equal(backlog.offset, 70000);
  // Whole blocks go while what stays is over the size: 70000 - 3 x 16384 = 20848 bytes.
  equal(backlog.firstByteOffset, 3 * 16 * 1024 + 1);
  deepEqual(backlog.copyFrom(backlog.firstByteOffset), streamBytes(3 * 16 * 1024 + 1, 70000));
});
