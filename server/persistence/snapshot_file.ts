/**
 * Writes a KeyspaceSnapshot to a file safely: into a temporary file in the
 * same directory, fsynced, then renamed over the target (and the directory
 * fsynced), so a crash at any moment leaves either the old file or the new
 * one, never a torn one. The same job serves SAVE (all at once) and BGSAVE /
 * BGREWRITEAOF (in slices of a few milliseconds between client requests).
 */
import { binaryToBytes } from "../../protocol/bytes.ts";
import { formatDouble } from "../../protocol/double.ts";
import type { Stream } from "../types/stream.ts";
import type { RedisObject, RedisValue } from "../types/value.ts";
import { streamCommands } from "./aof_stream.ts";
import { CommandBuffer } from "./command_buffer.ts";
import { sleepSync } from "./debug_delay.ts";
import { RdbEncoder, type RdbWriteOptions } from "./rdb_writer.ts";
import type { KeyspaceSnapshot, SnapshotSink } from "./snapshot.ts";

/** Receives a snapshot and produces a file format. */
export interface SnapshotEncoder extends SnapshotSink {
  /** Writes the trailer and hands over the last bytes. */
  end(): void;
}

/** The snapshot as an RDB file (dump.rdb, or an AOF base with the RDB preamble). */
export function rdbEncoder(
  options: RdbWriteOptions,
  aux: readonly [string, string][],
  write: (chunk: Uint8Array) => void,
  libraries: readonly string[] = [],
): SnapshotEncoder {
  const enc = new RdbEncoder(options, write);
  enc.header(aux);
  for (const code of libraries) enc.functionLibrary(code);
  return {
    beginDb: (index, keys, expires) => enc.selectDb(index, keys, expires),
    entry: (key, value, expireAt) => enc.keyValue(key, value, expireAt),
    end: () => enc.end(),
  };
}

/** Items per command when a collection is rewritten as commands (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const ITEMS_PER_COMMAND = 64;

interface ListView extends RedisObject {
  values(): Iterable<string>;
}
interface SetView extends RedisObject {
  members(): Iterable<string>;
}
interface HashView extends RedisObject {
  entries(): Iterable<[string, string]>;
}
interface SortedSetView extends RedisObject {
  entries(): Iterable<[string, number]>;
}

/**
 * The snapshot as commands (an AOF base with aof-use-rdb-preamble no), as
 * Redis's rewriteAppendOnlyFileRio: SELECT, then SET / RPUSH / SADD / HMSET /
 * ZADD in batches of 64 items, and PEXPIREAT for keys with a TTL; `timestamp`
 * (aof-timestamp-enabled) goes first as a `#TS:` annotation.
 */
export function commandEncoder(
  write: (chunk: Uint8Array) => void,
  libraries: readonly string[] = [],
  timestamp?: number,
): SnapshotEncoder {
  const buffer = new CommandBuffer();
  if (timestamp !== undefined) buffer.appendLine(`#TS:${timestamp}`);
  const flush = () => {
    write(buffer.view());
    buffer.consume(buffer.length);
  };
  const emit = (argv: string[]) => {
    buffer.append(argv);
    if (buffer.length >= 1 << 20) flush();
  };
  const batched = (command: string, key: string, items: Iterable<string[]>) => {
    let argv = [command, key];
    for (const item of items) {
      argv.push(...item);
      if ((argv.length - 2) / item.length >= ITEMS_PER_COMMAND) {
        emit(argv);
        argv = [command, key];
      }
    }
    if (argv.length > 2) emit(argv);
  };
  // Functions first, as Redis's rewriteFunctions.
  for (const code of libraries) emit(["FUNCTION", "LOAD", code]);
  return {
    beginDb: (index) => emit(["SELECT", String(index)]),
    entry: (key, value, expireAt) => {
      writeValueAsCommands(key, value, emit, batched);
      if (expireAt !== undefined) emit(["PEXPIREAT", key, String(expireAt)]);
    },
    end: flush,
  };
}

function writeValueAsCommands(
  key: string,
  value: RedisValue,
  emit: (argv: string[]) => void,
  batched: (command: string, key: string, items: Iterable<string[]>) => void,
): void {
  if (typeof value === "string") return emit(["SET", key, value]);
  switch (value.type) {
    case "list":
      return batched("RPUSH", key, map((value as ListView).values(), (v) => [v]));
    case "set":
      return batched("SADD", key, map((value as SetView).members(), (m) => [m]));
    case "hash":
      return batched("HMSET", key, map((value as HashView).entries(), ([f, v]) => [f, v]));
    case "zset":
      return batched(
        "ZADD",
        key,
        map((value as SortedSetView).entries(), ([m, s]) => [formatDouble(s), m]),
      );
    case "stream":
      for (const argv of streamCommands(key, value as Stream)) emit(argv);
      return;
    default:
      throw new Error(`cannot persist values of type ${value.type}`);
  }
}

function* map<T, U>(items: Iterable<T>, fn: (item: T) => U): Iterable<U> {
  for (const item of items) yield fn(item);
}

/** Milliseconds of work per slice of a background save, between client requests. */
export const SLICE_MS = 2;

/** Longest wait between slices under rdb-key-save-delay, so a gone replica is noticed. */
const MAX_WAIT_MS = 50;

/**
 * Lets the event loop run before the next slice of `snapshot`: a turn, or
 * the time rdb-key-save-delay asks for (at most MAX_WAIT_MS; `wake` ends it early).
 * A turn is setImmediate: it runs after the turn's I/O (clients are answered
 * between slices) without setTimeout(0)'s ~1-3 ms wait when the server is idle.
 */
export function betweenSlices(
  snapshot: KeyspaceSnapshot,
  wake?: (resolve: () => void) => void,
): Promise<void> {
  const ms = Math.min(snapshot.waitMs(), MAX_WAIT_MS);
  if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake?.(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Writes a snapshot to `path` through a temporary file in the same directory. */
export class SnapshotFileJob {
  readonly #file: Deno.FsFile;
  readonly #encoder: SnapshotEncoder;
  #aborted = false;
  #closed = false;
  /** Ends the wait between slices (abort). */
  #wake: (() => void) | undefined;
  /** Each background slice's time on the main thread, in milliseconds (the latency monitor). */
  onSlice: (ms: number) => void = () => {};

  constructor(
    readonly snapshot: KeyspaceSnapshot,
    readonly tempPath: string,
    readonly path: string,
    makeEncoder: (write: (chunk: Uint8Array) => void) => SnapshotEncoder,
  ) {
    this.#file = Deno.openSync(tempPath, { write: true, create: true, truncate: true });
    try {
      this.#encoder = makeEncoder((chunk) => this.#write(chunk));
    } catch (err) {
      this.#cleanUp();
      throw err;
    }
  }

  #write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) off += this.#file.writeSync(chunk.subarray(off));
  }

  /**
   * Writes everything now (SAVE, SHUTDOWN), sleeping for rdb-key-save-delay
   * as Redis's SAVE does. Throws on I/O errors, leaving `path` untouched.
   */
  runSync(): void {
    try {
      while (!this.snapshot.step(this.#encoder, Infinity)) sleepSync(this.snapshot.waitMs());
      this.#encoder.end();
      this.#file.syncSync();
      this.#finish();
    } catch (err) {
      this.#cleanUp();
      throw err;
    }
  }

  /**
   * Writes in slices of SLICE_MS, yielding to the event loop between them
   * (waiting as long as rdb-key-save-delay asks), then fsyncs off the main thread. Resolves when `path` holds the new
   * file; rejects on I/O errors or abort (the old file is left as it was).
   */
  async runInBackground(): Promise<void> {
    try {
      for (;;) {
        if (this.#aborted) throw new Error("aborted");
        const started = performance.now();
        const done = this.snapshot.step(this.#encoder, started + SLICE_MS);
        this.onSlice(performance.now() - started);
        if (done) break;
        await betweenSlices(this.snapshot, (wake) => this.#wake = wake);
        this.#wake = undefined;
      }
      this.#encoder.end();
      await this.#file.sync();
      if (this.#aborted) throw new Error("aborted");
      this.#file.close();
      this.#closed = true;
      // Renaming over a large old file frees its blocks: off the main thread, as in Redis's child.
      await Deno.rename(this.tempPath, this.path);
      const dir = await Deno.open(directoryOf(this.path), { read: true });
      try {
        await dir.sync();
      } finally {
        dir.close();
      }
    } catch (err) {
      this.#cleanUp();
      throw err;
    }
  }

  /** Stops a background run; its promise rejects and the temporary file is removed. */
  abort(): void {
    this.#aborted = true;
    this.#wake?.();
  }

  #finish(): void {
    this.#file.close();
    this.#closed = true;
    Deno.renameSync(this.tempPath, this.path);
    syncDirectoryOf(this.path);
  }

  #cleanUp(): void {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#file.close();
      } catch {
        // Already closed.
      }
    }
    try {
      Deno.removeSync(this.tempPath);
    } catch {
      // Never created, or already renamed.
    }
  }
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/** fsyncs the directory holding `path`, so a rename in it survives a power loss. */
export function syncDirectoryOf(path: string): void {
  const handle = Deno.openSync(directoryOf(path), { read: true });
  try {
    handle.syncSync();
  } finally {
    handle.close();
  }
}

/** Writes `text` to `path` through a fsynced temporary file and a rename (AOF manifest). */
export function writeFileAtomically(path: string, tempPath: string, text: string): void {
  const file = Deno.openSync(tempPath, { write: true, create: true, truncate: true });
  try {
    const bytes = binaryToBytes(text);
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
    file.syncSync();
  } finally {
    file.close();
  }
  Deno.renameSync(tempPath, path);
  syncDirectoryOf(path);
}
