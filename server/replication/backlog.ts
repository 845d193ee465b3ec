/**
 * The replication buffer: the replication stream in blocks, shared by the
 * backlog and every replica (Redis 7's replBufBlock list, replication.c).
 *
 * The backlog is the buffer from its first block on. Replicas do not copy the
 * stream while they wait for their RDB: each needs the bytes from an offset
 * on (`neededFrom`), and the first block is dropped only when histlen passes
 * `repl-backlog-size` by more than that block and no replica still needs it.
 * So a slow replica makes the backlog outgrow its setting, and a replica that
 * reconnects can continue from anywhere in what is held (PSYNC → +CONTINUE).
 * mem_total_replication_buffers, repl_backlog_histlen and a replica's omem
 * are Redis's figures over these blocks.
 *
 * Offsets are Redis's: the stream's bytes are numbered from 1, and the
 * master's `master_repl_offset` is the number of the last byte produced. A
 * replica that has processed up to offset N asks for N + 1. The backlog holds
 * the bytes numbered `firstByteOffset` .. `offset` (its `histlen` bytes).
 */

/** Redis's CONFIG_REPL_BACKLOG_MIN_SIZE: a smaller repl-backlog-size is raised to this. */
export const MIN_BACKLOG_SIZE = 16 * 1024;
/** PROTO_REPLY_CHUNK_BYTES: the smallest block. */
const CHUNK_BYTES = 16 * 1024;
/** Redis's replBufBlock header: refcount, id, repl_offset, size, used. */
const BLOCK_HEADER = 40;
/**
 * What Redis counts per block beyond its bytes: the block's header and its
 * list node (24 bytes).
 */
export const BLOCK_OVERHEAD = BLOCK_HEADER + 24;

/**
 * jemalloc's usable size for a request of `n` bytes (its size classes: 8,
 * then steps of 16 to 128, then four classes per doubling). Redis's blocks
 * take over the whole allocation, so their sizes, and with them histlen and
 * the memory figures, follow these classes.
 */
export function allocationSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** (Math.ceil(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}
/** REPL_BACKLOG_TRIM_BLOCKS_PER_CALL: blocks dropped at most per write. */
export const TRIM_BLOCKS_PER_CALL = 64;

interface Block {
  /** The offset of its first byte (replBufBlock's repl_offset). */
  readonly start: number;
  readonly buf: Uint8Array;
  used: number;
}

export class ReplicationBacklog {
  /** blocks[head] is the oldest; dropped blocks before it are cut off now and then. */
  #blocks: Block[] = [];
  #head = 0;
  #size: number;
  /** Number of the last byte appended: the master replication offset. */
  #offset: number;
  #memory = 0;

  /** A backlog that continues a stream whose last byte so far is `offset`. */
  constructor(size: number, offset: number) {
    this.#size = Math.max(size, MIN_BACKLOG_SIZE);
    this.#offset = offset;
  }

  /** repl-backlog-size, as raised to the minimum. */
  get size(): number {
    return this.#size;
  }

  /** master_repl_offset: the number of the last byte of the stream. */
  get offset(): number {
    return this.#offset;
  }

  get histlen(): number {
    return this.#offset - this.firstByteOffset + 1;
  }

  /** repl_backlog_first_byte_offset: the oldest byte still held. */
  get firstByteOffset(): number {
    return this.#head < this.#blocks.length ? this.#blocks[this.#head]!.start : this.#offset + 1;
  }

  /** mem_total_replication_buffers: every block with its overhead. */
  get memory(): number {
    return this.#memory;
  }

  /**
   * Adds bytes at the end of the stream: into the last block while it has
   * room, then into new blocks of 16 KB up to repl-backlog-size / 16 (Redis's
   * feedReplicationBuffer). Returns whether a block was added, after which
   * the caller trims (the stream) and checks replicas' output limits.
   */
  append(bytes: Uint8Array): boolean {
    let at = 0;
    const tail = this.#head < this.#blocks.length
      ? this.#blocks[this.#blocks.length - 1]
      : undefined;
    if (tail !== undefined && tail.used < tail.buf.length) {
      const n = Math.min(tail.buf.length - tail.used, bytes.length);
      tail.buf.set(bytes.subarray(0, n), tail.used);
      tail.used += n;
      at = n;
    }
    const added = at < bytes.length;
    const limit = Math.max(Math.floor(this.#size / 16), CHUNK_BYTES);
    while (at < bytes.length) {
      const rest = bytes.length - at;
      const wanted = Math.min(Math.max(rest, CHUNK_BYTES), limit);
      const buf = new Uint8Array(allocationSize(wanted + BLOCK_HEADER) - BLOCK_HEADER);
      const n = Math.min(buf.length, rest);
      buf.set(bytes.subarray(at, at + n));
      this.#blocks.push({ start: this.#offset + at + 1, buf, used: n });
      this.#memory += buf.length + BLOCK_OVERHEAD;
      at += n;
    }
    this.#offset += bytes.length;
    return added;
  }

  /** Whether a replica asking for the bytes from `from` on can be served (+CONTINUE). */
  canServe(from: number): boolean {
    return from >= this.firstByteOffset && from <= this.#offset + 1;
  }

  /**
   * The bytes numbered `from` .. `offset`, as views of the blocks (valid
   * until the next trim; copy them to keep them). Throws RangeError when
   * `canServe(from)` is false.
   */
  *chunksFrom(from: number): Generator<Uint8Array> {
    if (!this.canServe(from)) throw new RangeError(`offset ${from} is not in the backlog`);
    const blocks = this.#blocks;
    for (let i = this.#indexOf(from); i < blocks.length; i++) {
      const block = blocks[i]!;
      const skip = Math.max(0, from - block.start);
      if (skip < block.used) yield block.buf.subarray(skip, block.used);
    }
  }

  /** The bytes numbered `from` .. `offset`, copied (empty when `from` is `offset` + 1). */
  copyFrom(from: number): Uint8Array {
    const out = new Uint8Array(this.#offset + 1 - from);
    let at = 0;
    for (const chunk of this.chunksFrom(from)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /**
   * The output a replica whose next byte is `from` holds in the buffer:
   * Redis's getClientOutputBufferMemoryUsage for replicas, the blocks from
   * the one that byte is in to the last, at their full size and overhead
   * (CLIENT LIST omem, client-output-buffer-limit replica).
   */
  outputBytes(from: number): number {
    const blocks = this.#blocks;
    if (this.#head >= blocks.length) return 0;
    const first = this.#indexOf(Math.min(Math.max(from, this.firstByteOffset), this.#offset));
    const last = blocks[blocks.length - 1]!;
    return last.start + last.buf.length - blocks[first]!.start +
      BLOCK_OVERHEAD * (blocks.length - first);
  }

  /**
   * Drops blocks from the front while the backlog holds more than its size
   * without them (Redis's incrementalTrimReplicationBacklog): never the last
   * block, never one a replica still needs (`neededFrom` is the lowest
   * offset any replica needs), at most `maxBlocks` in one call.
   */
  trim(neededFrom: number, maxBlocks = TRIM_BLOCKS_PER_CALL): void {
    const blocks = this.#blocks;
    for (let trimmed = 0; trimmed < maxBlocks; trimmed++) {
      if (blocks.length - this.#head <= 1) break;
      const first = blocks[this.#head]!;
      if (neededFrom < first.start + first.buf.length) break;
      if (this.histlen - first.buf.length <= this.#size) break;
      this.#memory -= first.buf.length + BLOCK_OVERHEAD;
      this.#head++;
    }
    // Cut the dropped blocks off once they are half the array (no shift() per block).
    if (this.#head > 64 && this.#head * 2 > blocks.length) {
      this.#blocks = blocks.slice(this.#head);
      this.#head = 0;
    }
  }

  /** CONFIG SET repl-backlog-size: later trims keep to the new size. */
  resize(size: number): void {
    this.#size = Math.max(size, MIN_BACKLOG_SIZE);
  }

  /** Index of the block holding byte `n` (the last block when `n` is past the end). */
  #indexOf(n: number): number {
    const blocks = this.#blocks;
    let lo = this.#head;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blocks[mid]!.start <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
