/**
 * The RDB payload of a full resynchronisation, both ends.
 *
 * Master: after `+FULLRESYNC replid offset`, the snapshot goes out in one of
 * Redis's two forms. Disk-based: `$<length>\r\n` then the file's bytes (the
 * length must be known first, so the snapshot is written to a file). Diskless:
 * `$EOF:<40 random hex>\r\n`, the RDB as it is produced, then the same 40
 * bytes; the replica recognises the end by that mark, and the master holds the
 * command stream back until the replica's first REPLCONF ACK says it loaded
 * the RDB (so no stream bytes can follow the mark in the same read). Newlines
 * may precede either form: they keep the link alive while the snapshot starts.
 *
 * Replica: `RdbPayloadReceiver` takes the bytes as they arrive and hands back
 * the complete RDB and whatever followed it.
 */
import { binaryToBytes, bytesToBinary } from "../../protocol/bytes.ts";
import type { KeyspaceSnapshot } from "../persistence/snapshot.ts";
import type { SnapshotEncoder } from "../persistence/snapshot_file.ts";
import { betweenSlices, SLICE_MS } from "../persistence/snapshot_file.ts";
import { newReplicationId, REPLID_LENGTH } from "./ids.ts";

/** Where a payload goes: the replica's connection. */
export interface PayloadSink {
  /** Queues bytes for the replica (the sink may keep the array). */
  write(bytes: Uint8Array): void;
  /** Bytes queued and not yet written to the socket. */
  readonly pendingBytes: number;
  /** The replica went away: stop producing. */
  readonly closed: boolean;
}

/**
 * Output a transfer lets pile up before it waits for the socket: a slow
 * replica must not make the master hold the whole RDB in memory.
 */
export const PAYLOAD_HIGH_WATER = 4 * 1024 * 1024;
/** Bytes read from the snapshot file per write (disk-based transfers). */
const FILE_CHUNK = 256 * 1024;

/** Why a transfer stopped early. */
export class TransferAborted extends Error {
  override readonly name = "TransferAborted";
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function waitForRoom(sink: PayloadSink): Promise<void> {
  while (sink.pendingBytes > PAYLOAD_HIGH_WATER && !sink.closed) await yieldToEventLoop();
  if (sink.closed) throw new TransferAborted("the replica disconnected during the transfer");
}

/** A new random end-of-payload mark for a diskless transfer. */
export function newEofMark(): string {
  return newReplicationId();
}

/**
 * Streams `snapshot` to `sink` in the diskless form, a slice of SLICE_MS at a
 * time between client requests (and at rdb-key-save-delay's pace). `makeEncoder` builds the RDB encoder (header
 * and aux fields) over the write function it is given.
 */
export async function sendDiskless(
  snapshot: KeyspaceSnapshot,
  makeEncoder: (write: (chunk: Uint8Array) => void) => SnapshotEncoder,
  sink: PayloadSink,
  mark = newEofMark(),
): Promise<void> {
  sink.write(binaryToBytes(`$EOF:${mark}\r\n`));
  // The encoder reuses its buffer: each chunk is copied before it is queued.
  const encoder = makeEncoder((chunk) => sink.write(chunk.slice()));
  for (;;) {
    await waitForRoom(sink);
    if (snapshot.step(encoder, performance.now() + SLICE_MS)) break;
    await betweenSlices(snapshot);
  }
  encoder.end();
  sink.write(binaryToBytes(mark));
}

/** Sends an RDB file in the disk-based form: `$<length>\r\n` and its bytes. */
export async function sendFile(path: string, sink: PayloadSink): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  sink.write(binaryToBytes(`$${size}\r\n`));
  let sent = 0;
  while (sent < size) {
    await waitForRoom(sink);
    const chunk = new Uint8Array(Math.min(FILE_CHUNK, size - sent));
    let filled = 0;
    while (filled < chunk.length) {
      const n = await file.read(chunk.subarray(filled));
      if (n === null) throw new TransferAborted(`${path} ended after ${sent + filled} bytes`);
      filled += n;
    }
    sink.write(chunk);
    sent += filled;
  }
}

/** A malformed payload from the master (Redis logs these and drops the link). */
export class PayloadError extends Error {
  override readonly name = "PayloadError";
}

/**
 * The replica's end: feed it bytes from the master until `done`, then take
 * `rdb()` and the bytes that followed the payload (`rest`).
 */
export class RdbPayloadReceiver {
  #head = "";
  /** Set once the `$` line arrived: the expected length, or -1 with an EOF mark. */
  #length: number | undefined;
  #mark = "";
  /** The last 40 bytes received (EOF form). */
  readonly #tail = new Uint8Array(REPLID_LENGTH);
  #chunks: Uint8Array[] = [];
  #received = 0;
  #rdb: Uint8Array | undefined;
  /** Bytes after the payload (the start of the command stream). */
  rest: Uint8Array = new Uint8Array(0);
  /** Called for each keep-alive newline before the payload (the master is alive). */
  onKeepAlive: (() => void) | undefined;

  get done(): boolean {
    return this.#rdb !== undefined;
  }

  /** master_sync_total_bytes as Redis reports it: the length, 0 for the EOF form, -1 before. */
  get totalBytes(): number {
    return this.#length === undefined ? -1 : Math.max(this.#length, 0);
  }

  /** master_sync_read_bytes. */
  get readBytes(): number {
    return this.#received;
  }

  /** The complete RDB (only once `done`). */
  rdb(): Uint8Array {
    if (this.#rdb === undefined) throw new Error("the payload is not complete");
    return this.#rdb;
  }

  /** Takes the next bytes from the master; throws PayloadError on a malformed preamble. */
  feed(bytes: Uint8Array): void {
    if (this.done) throw new Error("the payload is already complete");
    let at = 0;
    while (this.#length === undefined && at < bytes.length) at = this.#preamble(bytes, at);
    if (this.#length === undefined || at === bytes.length) return;
    if (this.#length >= 0) this.#takeCounted(bytes.subarray(at));
    else this.#takeMarked(bytes.subarray(at));
  }

  /** Reads preamble bytes from `at`; returns where it stopped. */
  #preamble(bytes: Uint8Array, at: number): number {
    const lf = bytes.indexOf(10, at);
    if (lf < 0) {
      this.#head += bytesToBinary(bytes, at);
      if (this.#head.length > 1024) throw new PayloadError("the RDB preamble is too long");
      return bytes.length;
    }
    const line = (this.#head + bytesToBinary(bytes, at, lf)).replace(/\r$/, "");
    this.#head = "";
    if (line === "") {
      this.onKeepAlive?.();
      return lf + 1;
    }
    if (line.startsWith("-")) throw new PayloadError(`the master replied ${line}`);
    if (!line.startsWith("$")) {
      throw new PayloadError(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${line.slice(0, 64)}')`,
      );
    }
    if (line.startsWith("$EOF:") && line.length >= 5 + REPLID_LENGTH) {
      this.#mark = line.slice(5, 5 + REPLID_LENGTH);
      this.#length = -1;
    } else {
      const length = Number(line.slice(1));
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new PayloadError(`bad RDB payload length '${line.slice(1, 64)}'`);
      }
      this.#length = length;
      if (length === 0) this.#finish(new Uint8Array(0), bytes.subarray(lf + 1));
    }
    return lf + 1;
  }

  #takeCounted(bytes: Uint8Array): void {
    const want = this.#length! - this.#received;
    const take = Math.min(want, bytes.length);
    this.#chunks.push(bytes.slice(0, take));
    this.#received += take;
    if (take === want) this.#finish(concat(this.#chunks, this.#length!), bytes.subarray(take));
  }

  /** The EOF form: the payload ends when the last 40 bytes received are the mark. */
  #takeMarked(bytes: Uint8Array): void {
    this.#chunks.push(bytes.slice());
    this.#received += bytes.length;
    const tail = this.#tail;
    if (bytes.length >= REPLID_LENGTH) {
      tail.set(bytes.subarray(bytes.length - REPLID_LENGTH));
    } else {
      tail.copyWithin(0, bytes.length);
      tail.set(bytes, REPLID_LENGTH - bytes.length);
    }
    if (this.#received < REPLID_LENGTH || bytesToBinary(tail) !== this.#mark) return;
    const all = concat(this.#chunks, this.#received);
    this.#finish(all.subarray(0, all.length - REPLID_LENGTH), new Uint8Array(0));
  }

  #finish(rdb: Uint8Array, rest: Uint8Array): void {
    this.#rdb = rdb;
    this.#chunks = [];
    this.rest = rest.slice();
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const [first] = chunks;
  if (chunks.length === 1 && first?.length === total) return first;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
