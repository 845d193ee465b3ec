/**
 * The replication backlog: the last `repl-backlog-size` bytes of the
 * replication stream, kept so that a replica that lost its link can continue
 * from its offset (PSYNC → +CONTINUE) instead of loading a new RDB.
 *
 * Offsets are Redis's: the stream's bytes are numbered from 1, and the
 * master's `master_repl_offset` is the number of the last byte produced. A
 * replica that has processed up to offset N asks for N + 1. The backlog holds
 * the bytes numbered `firstByteOffset` .. `offset` (its `histlen` bytes).
 */

/** Redis's CONFIG_REPL_BACKLOG_MIN_SIZE: a smaller repl-backlog-size is raised to this. */
export const MIN_BACKLOG_SIZE = 16 * 1024;

export class ReplicationBacklog {
  #buf: Uint8Array;
  /** Bytes of history held (at most the buffer's size). */
  #histlen = 0;
  /** Number of the last byte appended: the master replication offset. */
  #offset: number;

  /** A backlog that continues a stream whose last byte so far is `offset`. */
  constructor(size: number, offset: number) {
    this.#buf = new Uint8Array(Math.max(size, MIN_BACKLOG_SIZE));
    this.#offset = offset;
  }

  get size(): number {
    return this.#buf.length;
  }

  /** master_repl_offset: the number of the last byte of the stream. */
  get offset(): number {
    return this.#offset;
  }

  get histlen(): number {
    return this.#histlen;
  }

  /** repl_backlog_first_byte_offset: the oldest byte still held. */
  get firstByteOffset(): number {
    return this.#offset - this.#histlen + 1;
  }

  /** Adds bytes at the end of the stream, dropping the oldest beyond the size. */
  append(bytes: Uint8Array): void {
    const size = this.#buf.length;
    this.#offset += bytes.length;
    this.#histlen = Math.min(size, this.#histlen + bytes.length);
    // Only the last `size` bytes can survive.
    const keep = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    // Byte number n lives at index (n - 1) % size.
    const at = (this.#offset - keep.length) % size;
    const first = Math.min(keep.length, size - at);
    this.#buf.set(keep.subarray(0, first), at);
    if (first < keep.length) this.#buf.set(keep.subarray(first), 0);
  }

  /** Whether a replica asking for the bytes from `from` on can be served (+CONTINUE). */
  canServe(from: number): boolean {
    return from >= this.firstByteOffset && from <= this.#offset + 1;
  }

  /**
   * Copies the bytes numbered `from` .. `offset` (empty when `from` is
   * `offset` + 1). Throws RangeError when `canServe(from)` is false.
   */
  copyFrom(from: number): Uint8Array {
    if (!this.canServe(from)) throw new RangeError(`offset ${from} is not in the backlog`);
    const length = this.#offset + 1 - from;
    const out = new Uint8Array(length);
    const size = this.#buf.length;
    const at = (from - 1) % size;
    const first = Math.min(length, size - at);
    out.set(this.#buf.subarray(at, at + first));
    if (first < length) out.set(this.#buf.subarray(0, length - first), first);
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps as much recent history as the new size allows. */
  resize(size: number): void {
    size = Math.max(size, MIN_BACKLOG_SIZE);
    if (size === this.#buf.length) return;
    const kept = Math.min(this.#histlen, size);
    const tail = this.copyFrom(this.#offset - kept + 1);
    this.#buf = new Uint8Array(size);
    this.#histlen = 0;
    this.#offset -= kept;
    this.append(tail);
  }
}
