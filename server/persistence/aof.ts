/**
 * The append-only file, in Redis 7's multi-part layout: a directory
 * (`appenddirname`) holding a manifest, one base file (a snapshot, RDB or
 * commands) and incremental files of RESP write commands, so that a Redis 7
 * started on the same directory loads the same data, and the reverse.
 *
 * Every write command reaches `propagate` after it ran and is buffered; the
 * buffer goes to the file before any reply is sent (`beforeReply`). With
 * appendfsync always it is also fsynced then, so no client hears "OK" for a
 * write the disk does not have; everysec fsyncs from the cron (off the main
 * thread) once a second; no leaves it to the OS.
 */
import { sleepSync } from "./debug_delay.ts";
import type { ServerContext } from "../context.ts";
import { CommandBuffer } from "./command_buffer.ts";
import { type AofFileInfo, Manifest } from "./manifest.ts";
import { syncDirectoryOf, writeFileAtomically } from "./snapshot_file.ts";

export type AofState = "off" | "on" | "wait_rewrite";

/** Paths and names of the AOF files, from the current configuration. */
export class AofPaths {
  constructor(readonly server: ServerContext) {}

  get dir(): string {
    return joinPath(this.server.config.get("dir"), this.server.config.get("appenddirname"));
  }

  get prefix(): string {
    return this.server.config.get("appendfilename");
  }

  /** A file inside the AOF directory. */
  file(name: string): string {
    return joinPath(this.dir, name);
  }

  get manifest(): string {
    return this.file(`${this.prefix}.manifest`);
  }

  get tempManifest(): string {
    return this.file(`temp-${this.prefix}.manifest`);
  }

  /** Where writes go while the first rewrite after enabling AOF runs. */
  get tempIncr(): string {
    return this.file(`temp-${this.prefix}.incr`);
  }

  /** An old-style single AOF in `dir` (Redis < 7), upgraded on start. */
  get legacy(): string {
    return joinPath(this.server.config.get("dir"), this.prefix);
  }
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * The open incremental file that writes go to, and the buffer in front of
 * it. fsyncs run off the main thread, one at a time; writers that need
 * durability while one runs share the next one (group commit, as Redis
 * fsyncs once per event loop iteration for every client).
 */
export class AofWriter {
  readonly #pending = new CommandBuffer();
  #file: Deno.FsFile | undefined;
  #selectedDb = -1;
  /** Bytes written to the current file, and how many of them are known to be on disk. */
  #written = 0;
  #synced = 0;
  #syncing: Promise<void> | undefined;
  #nextSync: PromiseWithResolvers<void> | undefined;
  lastFsync = Date.now();
  /** Whether the last write succeeded (INFO aof_last_write_status). */
  lastWriteOk = true;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds the whole server sleeps before each write of a non-empty buffer. */
  flushSleepUs = 0;
  /** aof-timestamp-enabled: whether commands are preceded by `#TS:<unix seconds>` once a second. */
  annotates: () => boolean = () => false;
  /** The second the last annotation named. */
  #annotated = 0;
  /**
   * Milliseconds a write took, under Redis's event names: "aof-write", and
   * "aof-write-pending-fsync" or "aof-write-alone" by whether an fsync was running.
   */
  onWrite: (event: string, ms: number) => void = () => {};
  /** Milliseconds an fsync of the file took (on or off the main thread). */
  onFsync: (ms: number) => void = () => {};
  /** Told when the file opens (true) or closes (false): isOpen as a field, for propagation. */
  onOpenChange: (open: boolean) => void = () => {};

  get isOpen(): boolean {
    return this.#file !== undefined;
  }

  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Whether bytes written to the file may not be on disk yet. */
  get hasUnsynced(): boolean {
    return this.#written > this.#synced;
  }

  /** Starts writing to `path` (appending), with a SELECT before the next command. */
  open(path: string): void {
    this.#file = Deno.openSync(path, { append: true, create: true });
    this.#selectedDb = -1;
    this.#written = this.#synced = 0;
    this.onOpenChange(true);
  }

  /** Writes and fsyncs what is buffered, then closes the file. */
  close(): void {
    const file = this.#file;
    if (file === undefined) return;
    try {
      this.write();
      this.syncNow();
    } finally {
      file.close();
      this.#file = undefined;
      this.#pending.consume(this.#pending.length);
      this.onOpenChange(false);
    }
  }

  /** Buffers one command, preceded by SELECT when the database changes. */
  append(dbIndex: number, argv: readonly string[]): void {
    if (this.annotates()) {
      // As Redis's genAofTimestampAnnotationIfNeeded: the first command of each new second.
      const now = Math.floor(Date.now() / 1000);
      if (now > this.#annotated) {
        this.#annotated = now;
        this.#pending.appendLine(`#TS:${now}`);
      }
    }
    if (dbIndex !== this.#selectedDb) {
      this.#pending.append(["SELECT", String(dbIndex)]);
      this.#selectedDb = dbIndex;
    }
    this.#pending.append(argv);
  }

  /**
   * Writes the buffer to the file (to the OS: it survives a crash of this
   * process). Returns the bytes written. A failed write is retried on the
   * next call: what was not written stays buffered.
   */
  write(): number {
    const file = this.#file;
    if (file === undefined || this.#pending.length === 0) return 0;
    sleepSync(this.flushSleepUs / 1000);
    const bytes = this.#pending.view();
    const started = performance.now();
    let off = 0;
    try {
      while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
      this.lastWriteOk = true;
    } catch (err) {
      this.lastWriteOk = false;
      throw err;
    } finally {
      this.#pending.consume(off);
      this.#written += off;
      const ms = performance.now() - started;
      this.onWrite(this.#syncing === undefined ? "aof-write-alone" : "aof-write-pending-fsync", ms);
      this.onWrite("aof-write", ms);
    }
    return off;
  }

  /** fsyncs on the main thread (shutdown, closing a file). */
  syncNow(): void {
    if (this.#file === undefined || !this.hasUnsynced) return;
    const started = performance.now();
    this.#file.syncDataSync();
    this.onFsync(performance.now() - started);
    this.#synced = this.#written;
    this.lastFsync = Date.now();
  }

  /** Settles once everything written so far is on disk. */
  durable(): Promise<void> {
    if (this.#nextSync !== undefined) return this.#nextSync.promise;
    const next = Promise.withResolvers<void>();
    this.#nextSync = next;
    if (this.#syncing === undefined) this.#startSync();
    return next.promise;
  }

  #startSync(): void {
    const round = this.#nextSync!;
    this.#nextSync = undefined;
    const file = this.#file;
    if (file === undefined) {
      // close() fsynced everything it had written.
      round.resolve();
      return;
    }
    const target = this.#written;
    const started = performance.now();
    this.#syncing = file.syncData().then(
      () => {
        this.onFsync(performance.now() - started);
        if (this.#file === file) this.#synced = Math.max(this.#synced, target);
        this.lastFsync = Date.now();
        round.resolve();
      },
      (err) => {
        // A file closed meanwhile was fsynced by close(); any other failure is real.
        if (this.#file === file) round.reject(err);
        else round.resolve();
      },
    ).finally(() => {
      this.#syncing = undefined;
      if (this.#nextSync !== undefined) this.#startSync();
    });
  }

  /** appendfsync everysec: an fsync off the main thread once a second, if anything is new. */
  syncEverySecond(now: number): Promise<void> | undefined {
    if (!this.hasUnsynced || this.#syncing !== undefined || now - this.lastFsync < 1000) {
      return undefined;
    }
    return this.durable();
  }
}

/** Reads the manifest, or an empty one if the AOF directory or manifest does not exist. */
export function readManifest(paths: AofPaths): Manifest {
  let text: string;
  try {
    text = Deno.readTextFileSync(paths.manifest);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return new Manifest();
    throw err;
  }
  return Manifest.parse(text);
}

/** Persists a manifest through a temporary file and a rename, as Redis does. */
export function writeManifest(paths: AofPaths, manifest: Manifest): void {
  writeFileAtomically(paths.manifest, paths.tempManifest, manifest.format());
}

/**
 * Drops history files from the manifest (persisted first), then deletes them
 * off the main thread: unlinking a large file frees its blocks, which takes
 * a while (Redis's bg_unlink).
 */
export function deleteHistory(paths: AofPaths, manifest: Manifest): void {
  if (manifest.history.length === 0) return;
  const names = manifest.history.map((info) => info.name);
  manifest.history = [];
  writeManifest(paths, manifest);
  for (const name of names) Deno.remove(paths.file(name)).catch(() => {});
}

export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone.
  }
}

/** Size in bytes of a file, 0 if it does not exist. */
export function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** Total size of the base and incremental files a manifest names. */
export function manifestSize(paths: AofPaths, manifest: Manifest): number {
  let total = 0;
  const files: (AofFileInfo | undefined)[] = [manifest.base, ...manifest.incrs];
  for (const info of files) if (info !== undefined) total += fileSize(paths.file(info.name));
  return total;
}

/** Creates the AOF directory if needed (and makes its creation durable). */
export function ensureDir(paths: AofPaths): void {
  try {
    Deno.statSync(paths.dir);
    return;
  } catch {
    // Create below.
  }
  Deno.mkdirSync(paths.dir, { recursive: true });
  syncDirectoryOf(paths.dir);
}
