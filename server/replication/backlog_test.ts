import { deepEqual, equal, ok as assert, throws } from "node:assert/strict";
import { allocationSize, BLOCK_OVERHEAD, MIN_BACKLOG_SIZE, ReplicationBacklog } from "./backlog.ts";

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

/** A 16 KB block as jemalloc gives it: 16384 + 40 header bytes round up to 20480. */
const BLOCK = 20480 - 40;

Deno.test("blocks take jemalloc's size classes, as Redis's", () => {
  deepEqual(
    [1, 9, 17, 129, 161, 16384, 16424, 20481, 65576].map(allocationSize),
    [8, 16, 32, 160, 192, 16384, 20480, 24576, 81920],
  );
});

Deno.test("the backlog keeps at least its size, and trims when a block is added", () => {
  const size = MIN_BACKLOG_SIZE;
  const backlog = new ReplicationBacklog(size, 0);
  let offset = 0;
  // Appends of awkward sizes, including ones larger than a block.
  for (const n of [1000, size - 7, 3, size + 123, 5000, 1, 3 * size]) {
    if (backlog.append(streamBytes(offset + 1, offset + n))) backlog.trim(Infinity);
    offset += n;
    equal(backlog.offset, offset);
    assert(backlog.histlen >= Math.min(offset, size));
    // Trimmed down to size + one block when a block is added; the new one fills up till the next.
    assert(backlog.histlen <= size + 2 * BLOCK);
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
  equal(small.memory, BLOCK + BLOCK_OVERHEAD);
  // The rest of the block is filled before a new one is made.
  equal(small.append(streamBytes(11, BLOCK)), false);
  equal(small.append(streamBytes(BLOCK + 1, BLOCK + 1)), true);
  equal(small.memory, 2 * (BLOCK + BLOCK_OVERHEAD));
  const large = new ReplicationBacklog(1 << 20, 0);
  large.append(streamBytes(1, 100_000));
  // A block of at most 65536 bytes (1 MB / 16; 65536 + 40 → 81920, so it takes 81880), then
  // one for the rest (18120 + 40 → 20480).
  equal(large.memory, 81920 + 20480 + 2 * 24);
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
  equal(backlog.firstByteOffset, 3 * BLOCK + 1);
  backlog.trim(Infinity);
  assert(backlog.histlen > MIN_BACKLOG_SIZE && backlog.histlen <= MIN_BACKLOG_SIZE + BLOCK);
  deepEqual(
    backlog.copyFrom(backlog.firstByteOffset),
    streamBytes(backlog.firstByteOffset, 200_000),
  );
  // A caught-up replica holds the last block (Redis's omem for it).
  equal(backlog.outputBytes(200_001), BLOCK + BLOCK_OVERHEAD);
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
  // Whole blocks go while what stays is over the size: 70000 - 2 x 20440 = 29120 bytes (one
  // more would leave 8680).
  equal(backlog.firstByteOffset, 2 * BLOCK + 1);
  deepEqual(backlog.copyFrom(backlog.firstByteOffset), streamBytes(2 * BLOCK + 1, 70000));
});
