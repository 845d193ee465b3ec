/**
 * Persistence for one server: RDB snapshots (SAVE, BGSAVE, `save` rules,
 * load on start) and the append-only file (propagation, fsync policy,
 * replay on start, BGREWRITEAOF and automatic rewrites), with Redis's rules
 * for which background job may run when, and its INFO persistence fields.
 * Reading the files into the databases is load.ts.
 *
 * There is no fork: a background job is a KeyspaceSnapshot written in slices
 * between requests, and while one runs, `server.writeWatchers` lets the
 * snapshot copy each key before a command first changes it.
 */
import type { ServerContext, WriteWatcher } from "../context.ts";
import { resolveDeferred } from "../../protocol/bytes.ts";
import {
  AofPaths,
  type AofState,
  AofWriter,
  deleteHistory,
  ensureDir,
  fileSize,
  joinPath,
  manifestSize,
  readManifest,
  removeQuietly,
  writeManifest,
} from "./aof.ts";
import { FormatError } from "./format_error.ts";
import { type AofFileInfo, Manifest } from "./manifest.ts";
import {
  aofFileSteps,
  LoadError,
  loadRdbAtStart,
  loadRdbData,
  type RdbLoaded,
  reloadRdbInSteps,
  runInSteps,
  upgradeLegacyAof,
  withLuaVm,
} from "./load.ts";
import { LoadingState } from "./loading.ts";
import { KeyspaceSnapshot } from "./snapshot.ts";
import { SnapshotFileJob } from "./snapshot_file.ts";
import { snapshotEncoder } from "./snapshot_encoder.ts";
import { reportWrites, type WriteTarget } from "./write_keys.ts";

/** A failed save leaves automatic saves paused this long (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_SECONDS = 5;

/** A background snapshot: BGSAVE ("rdb") or an AOF rewrite ("aof"). */
interface Job {
  kind: "rdb" | "aof";
  snapshot: KeyspaceSnapshot;
  file: SnapshotFileJob;
  startedAt: number;
  /** server.dirty when the job started: what a successful BGSAVE has saved. */
  dirtyAtStart: number;
  aborted: boolean;
  /** Settles when the job has finished, failed or been aborted (and cleaned up). */
  settled: Promise<void>;
  /** Its copy-on-write hook in server.writeWatchers while it runs. */
  watcher: WriteWatcher;
}

export interface ShutdownFlags {
  save?: boolean;
  nosave?: boolean;
  force?: boolean;
}

const unixSeconds = () => Math.floor(Date.now() / 1000);

export class Persistence {
  readonly aofPaths: AofPaths;
  readonly aof = new AofWriter();
  /** Start-up loading of the RDB file (INFO loading, -LOADING replies). */
  readonly loading = new LoadingState();
  aofState: AofState = "off";
  manifest = new Manifest();
  #job: Job | undefined;

  lastSave = unixSeconds();
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  #lastBgsaveTry = 0;
  bgsaveScheduled = false;
  saves = 0;
  loadedKeys = 0;
  expiredOnLoad = 0;

  rewriteScheduled = false;
  /** True while a command of an append-only file is replayed: keys do not expire meanwhile. */
  replaying = false;
  lastRewriteOk = true;
  lastRewriteSeconds = -1;
  rewrites = 0;
  rewriteFailuresInARow = 0;
  /** Bytes in the base and incremental files, and that figure after the last rewrite. */
  aofCurrentSize = 0;
  aofBaseSize = 0;

  /** Attaches to `server`: its propagators, cron, shutdown and reply hooks (compose.ts). */
  constructor(readonly server: ServerContext) {
    this.aofPaths = new AofPaths(server);
    this.aof.onWrite = (event, ms) => server.latency.addIfNeeded(event, ms);
    this.aof.annotates = () => server.config.getBool("aof-timestamp-enabled");
    // Redis fsyncs on the main thread only under always; here that fsync is what replies wait for.
    this.aof.onFsync = (ms) => {
      if (this.#fsyncAlways) server.latency.addIfNeeded("aof-fsync-always", ms);
    };
    // `active` is a field the AOF keeps current: the server reads it on every write.
    const propagator = {
      target: "aof" as const,
      active: this.aof.isOpen,
      resolves: true,
      propagate: (dbIndex: number, argv: readonly string[]) => {
        if (!this.aof.isOpen) return;
        resolveDeferred(argv);
        this.aof.append(dbIndex, argv);
      },
    };
    this.aof.onOpenChange = (open) => propagator.active = open;
    server.propagators.push(propagator);
    server.cronHooks.push(() => this.cron());
    server.shutdownHooks.push(() => this.#closeAll());
    server.beforeReply = () => this.#beforeReply();
    const previous = server.config.onChange;
    server.config.onChange = (name, value) => {
      previous(name, value);
      if (name === "appendonly") this.#appendonlyChanged(value === "yes");
    };
  }

  get #config() {
    return this.server.config;
  }

  get rdbPath(): string {
    return joinPath(this.#config.get("dir"), this.#config.get("dbfilename"));
  }

  get #rdbTempPath(): string {
    return joinPath(this.#config.get("dir"), `temp-${Deno.pid}.rdb`);
  }

  /** Where a rewrite writes the new base before it is renamed into place. */
  get #rewriteTempPath(): string {
    return this.aofPaths.file(`temp-rewriteaof-bg-${Deno.pid}.aof`);
  }

  get bgsaveInProgress(): boolean {
    return this.#job?.kind === "rdb";
  }

  get rewriteInProgress(): boolean {
    return this.#job?.kind === "aof";
  }

  get job(): Readonly<Job> | undefined {
    return this.#job;
  }

  #log(message: string): void {
    this.server.log(message);
  }

  // ---- loading ---------------------------------------------------------

  /**
   * Loads the data at start-up, before clients connect: the AOF when
   * appendonly is on (as Redis 7, the RDB file is then ignored), else the
   * RDB file. Throws LoadError when a file is damaged beyond what Redis
   * would load. The Lua VM loads on first use: when the files need it
   * (functions, scripts in an old AOF), the databases are emptied and the
   * files loaded again with it.
   */
  loadAtStart(): Promise<void> {
    return withLuaVm(this.server, () => this.#loadOnStart());
  }

  #loadOnStart(): void {
    const started = performance.now();
    if (this.#config.getBool("appendonly")) {
      const loaded = this.#loadAof();
      this.#openAofOnStart();
      if (loaded) {
        this.#log(`DB loaded from append only file: ${seconds(started)} seconds`);
      }
    } else {
      this.#readManifestForRewrites();
      if (this.#loadRdb(false, true)) this.#log(`DB loaded from disk: ${seconds(started)} seconds`);
    }
    this.server.dirty = 0;
  }

  /**
   * `serve`'s start-up load, once it listens (as Redis): loadOnStart, but
   * the files are read in steps and clients connecting meanwhile get -LOADING.
   */
  async loadWhileServing(): Promise<void> {
    const started = performance.now();
    if (this.#config.getBool("appendonly")) {
      const loading = this.loading;
      const loaded = await this.#whileLoading(() =>
        runInSteps(this.#aofSteps(loading), (bytes) => loading.loadedBytes = bytes)
      );
      this.#openAofOnStart();
      if (loaded) this.#log(`DB loaded from append only file: ${seconds(started)} seconds`);
    } else {
      this.#readManifestForRewrites();
      if (await this.#loadRdbAtStart()) {
        this.#log(`DB loaded from disk: ${seconds(started)} seconds`);
      }
    }
    this.server.dirty = 0;
  }

  /** The RDB file read in steps. */
  async #loadRdbAtStart(): Promise<boolean> {
    const data = this.#readRdbFile();
    if (data === undefined) return false;
    this.loading.start(data.length);
    try {
      this.#loaded(await this.#whileLoading(() => loadRdbAtStart(this.server, data, this.loading)));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      throw new LoadError(`Fatal error loading the DB ${this.rdbPath}: ${err.message}`);
    }
    return true;
  }

  /** Runs a start-up load; no cron runs meanwhile (Redis runs none while loading). */
  async #whileLoading<T>(load: () => Promise<T>): Promise<T> {
    const server = this.server;
    const cronPaused = server.cronPaused;
    server.cronPaused = true;
    try {
      // Clients are still told -LOADING while the Lua VM loads, if the files need it.
      return await withLuaVm(server, load);
    } finally {
      this.loading.end();
      server.cronPaused = cronPaused;
    }
  }

  #readRdbFile(): Uint8Array | undefined {
    try {
      return Deno.readFileSync(this.rdbPath);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw new LoadError(`Fatal error loading the DB ${this.rdbPath}: ${(err as Error).message}`);
    }
  }

  /**
   * DEBUG RELOAD's load: the RDB file into the databases as they are; a key
   * already present is an error unless `merge` (then the file's wins). False
   * if there is no file; throws LoadError when it is damaged.
   */
  reloadRdb(merge: boolean): boolean {
    return this.#loadRdb(merge);
  }

  /**
   * reloadRdb while serving, as Redis's rdbLoad processes events as it reads:
   * the file is read in steps, and clients meanwhile get -LOADING.
   */
  async reloadRdbWhileServing(merge: boolean): Promise<boolean> {
    const data = this.#readRdbFile();
    if (data === undefined) return false;
    const loading = this.loading;
    loading.start(data.length);
    try {
      this.#loaded(
        await this.#whileLoading(() => reloadRdbInSteps(this.server, data, merge, loading)),
      );
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      throw new LoadError(`Fatal error loading the DB ${this.rdbPath}: ${err.message}`);
    }
    return true;
  }

  /**
   * DEBUG LOADAOF's load: the AOF files the manifest names, replayed into
   * the databases (emptied by the caller). False if there are none; throws
   * LoadError when they are damaged.
   */
  reloadAof(): boolean {
    try {
      return this.#loadAof(this.loading);
    } finally {
      this.loading.end();
    }
  }

  /**
   * reloadAof while serving, as Redis's DEBUG LOADAOF processes events as it
   * loads: the files are read in steps, and clients meanwhile get -LOADING.
   */
  reloadAofWhileServing(): Promise<boolean> {
    const loading = this.loading;
    return this.#whileLoading(() =>
      runInSteps(this.#aofSteps(loading), (bytes) => loading.loadedBytes = bytes)
    );
  }

  /** With the AOF off, a later BGREWRITEAOF or CONFIG SET appendonly continues its numbering. */
  #readManifestForRewrites(): void {
    try {
      this.manifest = readManifest(this.aofPaths);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      this.#log(`Ignoring the unreadable AOF manifest (appendonly is off): ${err.message}`);
    }
  }

  #loadRdb(merge = false, atStart = false): boolean {
    const data = this.#readRdbFile();
    if (data === undefined) return false;
    try {
      this.#loaded(loadRdbData(this.server, data, false, merge, atStart));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      throw new LoadError(`Fatal error loading the DB ${this.rdbPath}: ${err.message}`);
    }
    return true;
  }

  /** Loads the AOF files the manifest names; false if there are none. */
  #loadAof(loading?: LoadingState): boolean {
    const steps = this.#aofSteps(loading);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * #loadAof a step at a time (aofFileSteps), for the start-up load
   * (`loading`, started here once the files' total size is known): yields
   * the bytes read so far across the files.
   */
  *#aofSteps(loading?: LoadingState): Generator<number, boolean> {
    const paths = this.aofPaths;
    try {
      this.manifest = readManifest(paths);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      throw new LoadError(`Fatal error reading the AOF manifest: ${err.message}`);
    }
    this.manifest = upgradeLegacyAof(this.server, paths, this.manifest);
    const manifest = this.manifest;
    if (manifest.isEmpty) return false;
    const files = [...(manifest.base ? [manifest.base] : []), ...manifest.incrs];
    const sizes = files.map((info) => {
      try {
        return Deno.statSync(paths.file(info.name)).size;
      } catch {
        throw new LoadError(
          `The append log file ${info.name} doesn't exist: No such file or directory`,
        );
      }
    });
    loading?.start(sizes.reduce((sum, size) => sum + size, 0));
    let before = 0;
    for (const [i, info] of files.entries()) {
      const steps = aofFileSteps(this.server, paths, info.name, i === files.length - 1, loading);
      let step = steps.next();
      for (; !step.done; step = steps.next()) yield before + step.value;
      if (step.value !== undefined) this.#loaded(step.value);
      before += sizes[i]!;
    }
    this.aofCurrentSize = manifestSize(paths, manifest);
    this.aofBaseSize = manifest.base ? fileSize(paths.file(manifest.base.name)) : 0;
    return true;
  }

  /** INFO's figures of the last RDB image loaded. */
  #loaded(rdb: RdbLoaded): void {
    this.loadedKeys = rdb.loaded;
    this.expiredOnLoad = rdb.expired;
  }

  /** Opens the last incremental file for appending, creating a base first if there is none. */
  #openAofOnStart(): void {
    const paths = this.aofPaths;
    ensureDir(paths);
    const manifest = this.manifest;
    if (manifest.isEmpty) {
      const base = manifest.nextBase(paths.prefix, this.#config.getBool("aof-use-rdb-preamble"));
      this.#writeSnapshotSync(paths.file(base.name), this.#rewriteTempPath, "aof");
      manifest.installBase(base);
      this.#log(`Creating AOF base file ${base.name} on server start`);
    }
    const incr = manifest.incrs.at(-1) ?? manifest.newIncr(paths.prefix);
    this.aof.open(paths.file(incr.name));
    writeManifest(paths, manifest);
    this.aofState = "on";
    this.aofCurrentSize = manifestSize(paths, manifest);
    if (this.aofBaseSize === 0) this.aofBaseSize = this.aofCurrentSize;
  }

  // ---- RDB saving ------------------------------------------------------

  #writeSnapshotSync(path: string, tempPath: string, kind: "rdb" | "aof"): void {
    const snapshot = new KeyspaceSnapshot(
      this.server.dbs,
      this.#config.getNumber("rdb-key-save-delay"),
    );
    new SnapshotFileJob(
      snapshot,
      tempPath,
      path,
      (write) => snapshotEncoder(this.server, kind, write),
    ).runSync();
  }

  /** SAVE: a synchronous snapshot. Returns false (and logs why) on failure. */
  save(): boolean {
    const dirty = this.server.dirty;
    try {
      this.#writeSnapshotSync(this.rdbPath, this.#rdbTempPath, "rdb");
    } catch (err) {
      this.#log(`Failed saving the DB: ${(err as Error).message}`);
      this.lastBgsaveOk = false;
      return false;
    }
    this.#log("DB saved on disk");
    this.server.dirty -= dirty;
    this.lastSave = unixSeconds();
    this.lastBgsaveOk = true;
    this.saves++;
    return true;
  }

  /**
   * FLUSHALL (Redis's flushAllDataAndResetRDB): a running BGSAVE stops, its
   * data gone, and with save rules the empty dataset is saved at once, so
   * the flush is on disk and rdb_changes_since_last_save is 0.
   */
  flushedAll(): void {
    if (this.bgsaveInProgress) this.#abortJob();
    if (this.hasSaveRules) this.save();
  }

  /** Starts BGSAVE; false if it could not start (logged). */
  startBgsave(): boolean {
    this.#lastBgsaveTry = unixSeconds();
    const job = this.#startJob("rdb", this.rdbPath, this.#rdbTempPath);
    if (job === undefined) {
      this.lastBgsaveOk = false;
      return false;
    }
    this.#log("Background saving started");
    this.#runJob(job, () => {
      this.#log("Background saving terminated with success");
      this.server.dirty -= job.dirtyAtStart;
      this.lastSave = unixSeconds();
      this.lastBgsaveOk = true;
      this.saves++;
    }, (err) => {
      this.#log(`Background saving error: ${err.message}`);
      this.lastBgsaveOk = false;
    }, (elapsed) => this.lastBgsaveSeconds = elapsed);
    return true;
  }

  #startJob(kind: "rdb" | "aof", path: string, tempPath: string): Job | undefined {
    const snapshot = new KeyspaceSnapshot(
      this.server.dbs,
      this.#config.getNumber("rdb-key-save-delay"),
    );
    let file: SnapshotFileJob;
    try {
      file = new SnapshotFileJob(
        snapshot,
        tempPath,
        path,
        (write) => snapshotEncoder(this.server, kind, write),
      );
    } catch (err) {
      this.#log(`Can't start the background ${kind === "rdb" ? "save" : "AOF rewrite"}: ${err}`);
      return undefined;
    }
    // No fork: each slice of the job holds the main thread (Redis's nearest event is "fork").
    const event = kind === "rdb" ? "rdb-save-slice" : "aof-rewrite-slice";
    file.onSlice = (ms) => this.server.latency.addIfNeeded(event, ms);
    const target: WriteTarget = {
      key: (dbIndex, key) => snapshot.beforeWrite(dbIndex, key),
      database: (dbIndex, moved) => snapshot.freeze(dbIndex, moved),
    };
    const job: Job = {
      kind,
      snapshot,
      file,
      startedAt: Date.now(),
      dirtyAtStart: this.server.dirty,
      aborted: false,
      settled: Promise.resolve(),
      watcher: (ctx, command, argv) => reportWrites(ctx, command, argv, target),
    };
    this.#job = job;
    this.server.writeWatchers.add(job.watcher);
    return job;
  }

  #runJob(
    job: Job,
    succeeded: () => void,
    failed: (err: Error) => void,
    finished: (elapsedSeconds: number) => void,
  ): void {
    job.settled = job.file.runInBackground().then(
      () => {
        if (!job.aborted) succeeded();
      },
      (err) => {
        if (!job.aborted) failed(err as Error);
      },
    ).finally(() => {
      if (this.#job === job) this.#job = undefined;
      this.server.writeWatchers.delete(job.watcher);
      finished(Math.round((Date.now() - job.startedAt) / 1000));
    });
  }

  /** Stops the running job, if any (its temporary file is removed). */
  #abortJob(): void {
    const job = this.#job;
    if (job === undefined) return;
    job.aborted = true;
    job.file.abort();
    this.#job = undefined;
    this.server.writeWatchers.delete(job.watcher);
  }

  // ---- AOF ---------------------------------------------------------------

  get #fsyncAlways(): boolean {
    return this.#config.get("appendfsync") === "always";
  }

  /** Writes buffered commands to the AOF file (the OS has them: a crash of this process keeps them). */
  flushAof(): void {
    if (!this.aof.isOpen || this.aof.bufferedBytes === 0) return;
    try {
      this.aofCurrentSize += this.aof.write();
    } catch (err) {
      this.#log(`Error writing to the AOF file: ${(err as Error).message}`);
      // As Redis: with fsync always, a write that may not be on disk cannot be acknowledged.
      if (this.#fsyncAlways) this.#exitOnAofError();
    }
  }

  /**
   * Before a batch of replies goes out: the AOF is written, and under
   * appendfsync always the batch waits for an fsync covering it.
   */
  #beforeReply(): Promise<void> | undefined {
    if (!this.aof.isOpen) return undefined;
    this.flushAof();
    if (!this.#fsyncAlways || !this.aof.hasUnsynced) return undefined;
    return this.#durable();
  }

  #durable(): Promise<void> {
    return this.aof.durable().catch((err) => {
      this.#log(`Error fsyncing the AOF file: ${(err as Error).message}`);
      this.#exitOnAofError();
    });
  }

  #exitOnAofError(): never {
    this.#log(
      "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...",
    );
    Deno.exit(1);
  }

  /** BGREWRITEAOF; false if it could not start (logged). */
  startRewrite(): boolean {
    this.rewriteScheduled = false;
    const paths = this.aofPaths;
    try {
      ensureDir(paths);
      this.flushAof();
      if (this.aofState === "on") {
        // Writes from now on go to a new incremental file; the base will hold everything before.
        const manifest = this.manifest.clone();
        const incr = manifest.newIncr(paths.prefix);
        this.aof.close();
        this.aof.open(paths.file(incr.name));
        writeManifest(paths, manifest);
        this.manifest = manifest;
        this.#log(`Creating AOF incr file ${incr.name} on background rewrite`);
      } else if (this.aofState === "wait_rewrite") {
        removeQuietly(paths.tempIncr);
        this.aof.open(paths.tempIncr);
      }
    } catch (err) {
      this.#log(`Can't open a new AOF incr file: ${(err as Error).message}`);
      this.#rewriteFailed();
      return false;
    }
    const base = this.manifest.nextBase(paths.prefix, this.#config.getBool("aof-use-rdb-preamble"));
    const job = this.#startJob("aof", paths.file(base.name), this.#rewriteTempPath);
    if (job === undefined) {
      this.#rewriteFailed();
      return false;
    }
    this.#log("Background append only file rewriting started");
    this.#runJob(job, () => this.#rewriteDone(base), (err) => {
      this.#log(`Background AOF rewrite terminated with error: ${err.message}`);
      this.#rewriteFailed();
    }, (elapsed) => this.lastRewriteSeconds = elapsed);
    return true;
  }

  #rewriteFailed(): void {
    this.lastRewriteOk = false;
    this.rewriteFailuresInARow++;
    if (this.aofState === "wait_rewrite") {
      this.aof.close();
      removeQuietly(this.aofPaths.tempIncr);
      this.rewriteScheduled = true;
    }
  }

  /** Installs a finished rewrite (its base file is written): history cleared, manifest persisted. */
  #rewriteDone(base: AofFileInfo): void {
    const paths = this.aofPaths;
    const manifest = this.manifest.clone();
    manifest.installBase(base);
    try {
      if (this.aofState === "wait_rewrite") {
        this.flushAof();
        const incr = manifest.newIncr(paths.prefix);
        this.aof.close();
        Deno.renameSync(paths.tempIncr, paths.file(incr.name));
        this.aof.open(paths.file(incr.name));
      }
      manifest.retireIncrs(this.aof.isOpen);
      writeManifest(paths, manifest);
    } catch (err) {
      this.#log(`Error installing the rewritten AOF: ${(err as Error).message}`);
      removeQuietly(paths.file(base.name));
      this.#rewriteFailed();
      return;
    }
    this.manifest = manifest;
    if (this.aofState === "wait_rewrite") this.aofState = "on";
    deleteHistory(paths, manifest);
    this.aofCurrentSize = manifestSize(paths, manifest);
    this.aofBaseSize = this.aofCurrentSize;
    this.lastRewriteOk = true;
    this.rewriteFailuresInARow = 0;
    this.rewrites++;
    this.#log("Background AOF rewrite finished successfully");
  }

  /** CONFIG SET appendonly yes/no at runtime (Redis's startAppendOnly / stopAppendOnly). */
  #appendonlyChanged(on: boolean): void {
    if (on && this.aofState === "off") {
      this.aofState = "wait_rewrite";
      if (this.#job !== undefined) {
        if (this.#job.kind === "aof") {
          this.#abortJob();
          this.startRewrite();
        } else {
          this.rewriteScheduled = true;
        }
      } else {
        this.startRewrite();
      }
    } else if (!on && this.aofState !== "off") {
      try {
        this.flushAof();
        this.aof.close();
      } catch (err) {
        this.#log(`Error closing the AOF: ${(err as Error).message}`);
      }
      if (this.rewriteInProgress) {
        // Redis's words, which tools watch for; the rewrite here is a job, not a child process.
        this.#log("Killing running AOF rewrite child (an in-process job here)");
        this.#abortJob();
      }
      if (this.aofState === "wait_rewrite") removeQuietly(this.aofPaths.tempIncr);
      this.aofState = "off";
      this.rewriteScheduled = false;
    }
  }

  // ---- cron, shutdown ------------------------------------------------------

  /** Every tick: AOF write and everysec fsync, scheduled jobs, save rules, automatic rewrites. */
  cron(): void {
    this.flushAof();
    if (this.aof.isOpen) {
      // Writes no reply waits for (expired keys' DELs) are made durable here.
      const policy = this.#config.get("appendfsync");
      if (policy === "always" && this.aof.hasUnsynced) this.#durable();
      if (policy === "everysec") {
        this.aof.syncEverySecond(Date.now())?.catch((err) =>
          this.#log(`Error fsyncing the AOF file: ${(err as Error).message}`)
        );
      }
    }
    if (this.#job !== undefined) return;
    if (this.rewriteScheduled) {
      this.startRewrite();
      return;
    }
    if (this.bgsaveScheduled) {
      this.bgsaveScheduled = false;
      this.startBgsave();
      return;
    }
    const now = unixSeconds();
    const rules = this.#config.get("save").split(" ").filter((w) => w !== "").map(Number);
    for (let i = 0; i + 1 < rules.length; i += 2) {
      const secs = rules[i]!;
      const changes = rules[i + 1]!;
      if (
        this.server.dirty >= changes && now - this.lastSave > secs &&
        (now - this.#lastBgsaveTry > BGSAVE_RETRY_SECONDS || this.lastBgsaveOk)
      ) {
        this.#log(`${changes} changes in ${secs} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
    this.#maybeAutoRewrite();
  }

  #maybeAutoRewrite(): void {
    const percent = this.#config.getNumber("auto-aof-rewrite-percentage");
    if (this.aofState !== "on" || percent === 0) return;
    if (this.aofCurrentSize <= this.#config.getNumber("auto-aof-rewrite-min-size")) return;
    const base = this.aofBaseSize > 0 ? this.aofBaseSize : 1;
    const growth = Math.floor(this.aofCurrentSize * 100 / base) - 100;
    if (growth >= percent) {
      this.#log(`Starting automatic rewriting of AOF on ${growth}% growth`);
      this.startRewrite();
    }
  }

  get hasSaveRules(): boolean {
    return this.#config.get("save").trim() !== "";
  }

  /**
   * What SHUTDOWN and SIGTERM do before the server stops (Redis's
   * prepareForShutdown): stop a background job, flush and fsync the AOF,
   * and save a snapshot if there are save rules (or SAVE) and not NOSAVE.
   * Returns false, with nothing stopped, when that fails and FORCE is not
   * given.
   */
  prepareShutdown(flags: ShutdownFlags = {}): boolean {
    if (this.aofState === "wait_rewrite" && !flags.force) {
      this.#log("Writing initial AOF, can't exit.");
      return false;
    }
    this.#abortJob();
    try {
      this.flushAof();
      this.aof.syncNow();
    } catch (err) {
      this.#log(`Error flushing the AOF at shutdown: ${(err as Error).message}`);
    }
    // As Redis: a dataset still loading is never saved.
    const save = (this.hasSaveRules && !flags.nosave) || flags.save;
    if (save && !this.loading.active) {
      this.#log("Saving the final RDB snapshot before exiting.");
      if (!this.save() && !flags.force) {
        this.#log("Error trying to save the DB, can't exit.");
        return false;
      }
    }
    return true;
  }

  /** Server shutdown hook: no job left running, the AOF written, fsynced and closed. */
  async #closeAll(): Promise<void> {
    const job = this.#job;
    this.#abortJob();
    try {
      this.flushAof();
      this.aof.close();
    } catch (err) {
      this.#log(`Error closing the AOF: ${(err as Error).message}`);
    }
    await job?.settled;
  }
}

function seconds(startedMs: number): string {
  return ((performance.now() - startedMs) / 1000).toFixed(3);
}
