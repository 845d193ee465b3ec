/**
 * Loading data into the databases, at start-up and for DEBUG RELOAD and
 * DEBUG LOADAOF: an RDB image, one AOF file (its RDB preamble, then its
 * commands replayed), and the move of a Redis 6 single appendonly.aof into
 * an AOF directory. Damage Redis would refuse to load is a LoadError.
 */
import type { ServerContext } from "../context.ts";
import { type Database, databaseAt } from "../db.ts";
import { type AofPaths, ensureDir, fileSize, writeManifest } from "./aof.ts";
import { AofFormatError, parseAof } from "./aof_load.ts";
import { debugDelay } from "./debug_delay.ts";
import { FormatError } from "./format_error.ts";
import { Manifest } from "./manifest.ts";
import type { LoadingState } from "./loading.ts";
import { isRdb, type RdbVisitor, readRdbInSteps } from "./rdb_reader.ts";
import { REPLAY_STEP, replaySteps } from "./replay.ts";
import { loadLimits, materialize } from "./values.ts";
import { LuaNotLoaded, restoreLibrary } from "../scripting/runner.ts";

/**
 * Runs a start-up load. The Lua VM loads on first use: files that need it
 * (functions, scripts in an old AOF) throw LuaNotLoaded, and the load runs
 * again with the VM on emptied databases.
 */
export async function withLuaVm<T>(server: ServerContext, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof LuaNotLoaded)) throw err;
    await server.scripting.load();
    for (const db of server.dbs) db.clear();
    return await load();
  }
}

/** A file that cannot be loaded: the server must not start. */
export class LoadError extends Error {}

/** What an RDB image held: the keys loaded, those skipped as expired, and where it ended. */
export interface RdbLoaded {
  loaded: number;
  expired: number;
  end: number;
}

/** The database an RDB's SELECTDB names; a file made for more databases is refused. */
export function rdbDatabase(dbs: readonly Database[], index: number): Database {
  if (index >= dbs.length) {
    throw new FormatError(
      `Data file was created with a Redis server configured to handle more than ${dbs.length} databases`,
    );
  }
  return databaseAt(dbs, index);
}

/** How many keys an RDB image held: loaded, skipped as expired, skipped as empty. */
interface RdbCounts {
  loaded: number;
  expired: number;
  emptySkipped: number;
}

/**
 * The visitor that loads an RDB image into the databases. An AOF base
 * (`aofBase`) keeps its expired keys: the commands after it assume that
 * keyspace. A key already present is a FormatError unless `merge` (then the
 * image's wins).
 */
function rdbLoader(
  server: ServerContext,
  keepExpired: boolean,
  merge: boolean,
  expired?: (dbIndex: number, key: string) => void,
): { visitor: RdbVisitor; counts: RdbCounts } {
  const config = server.config;
  const dbs = server.dbs;
  let db: Database = databaseAt(dbs, 0);
  const now = Date.now();
  const limits = loadLimits(config);
  const counts: RdbCounts = { loaded: 0, expired: 0, emptySkipped: 0 };
  const visitor: RdbVisitor = {
    selectDb(index) {
      db = rdbDatabase(dbs, index);
    },
    entry(key, value, expireAt) {
      if (!keepExpired && expireAt !== undefined && expireAt < now) {
        counts.expired++;
        expired?.(db.index, key);
        return;
      }
      if (!merge && db.dict.has(key)) {
        throw new FormatError(`Duplicated key '${key}' in DB ${db.index}`);
      }
      db.set(key, materialize(value, limits), undefined, expireAt);
      if (expireAt !== undefined) db.loadExpire(key, expireAt);
      counts.loaded++;
    },
    functionLibrary: (code) => {
      const error = restoreLibrary(server, code, merge);
      if (error !== undefined) throw new FormatError(`Failed loading library: ${error}`);
    },
    skippedEmpty: () => counts.emptySkipped++,
  };
  return { visitor, counts };
}

function rdbDone(server: ServerContext, counts: RdbCounts, end: number): RdbLoaded {
  const { loaded, expired, emptySkipped } = counts;
  server.log(
    `Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}` +
      (emptySkipped > 0 ? `, empty keys skipped: ${emptySkipped}.` : "."),
  );
  return { loaded, expired, end };
}

/**
 * Loads an RDB image into the databases (rdbLoader says how); `atStart`: the
 * server's own file as it starts, whose replication history it may resume.
 */
export function loadRdbData(
  server: ServerContext,
  data: Uint8Array,
  aofBase: boolean,
  merge = false,
  atStart = false,
): RdbLoaded {
  return drain(rdbSteps(server, data, aofBase, merge, undefined, atStart));
}

/**
 * loadRdbData a step at a time, for the start-up load (`loading`): yields
 * the offset reached each loading-process-events-interval-bytes, waits
 * key-load-delay microseconds after each key, as Redis's rdbLoad does.
 */
function* rdbSteps(
  server: ServerContext,
  data: Uint8Array,
  aofBase: boolean,
  merge: boolean,
  loading?: LoadingState,
  atStart = loading !== undefined,
): Generator<number, RdbLoaded> {
  const config = server.config;
  // A replica starting up keeps the keys its file holds expired, for its
  // master's DELs (Redis expires keys on load only as a master).
  const asReplica = atStart && config.get("replicaof") !== "";
  // At start-up a master that resumed its history streams a DEL for each key
  // the file holds expired, so its replicas drop them too (RDBFLAGS_FEED_REPL).
  const feedReplicas = !atStart ? undefined : (dbIndex: number, key: string) => {
    if (server.replication.stream.backlog !== undefined) server.propagate(dbIndex, ["DEL", key]);
  };
  const { visitor, counts } = rdbLoader(server, aofBase || asReplica, merge, feedReplicas);
  let replid: string | undefined;
  let streamDb = 0;
  visitor.aux = (name, value) => {
    if (name === "used-mem" && loading !== undefined) loading.rdbUsedMem = Number(value) || 0;
    else if (name === "repl-stream-db") streamDb = Number(value);
    else if (name === "repl-id") replid = value;
    else if (name === "repl-offset" && replid !== undefined && atStart) {
      server.replication.resumeFromRdb(replid, Number(value), streamDb, asReplica);
    }
  };
  let interval = Infinity;
  if (loading !== undefined) {
    interval = config.getNumber("loading-process-events-interval-bytes");
    const entry = visitor.entry;
    visitor.entry = (key, value, expireAt) => {
      entry(key, value, expireAt);
      debugDelay(config.getNumber("key-load-delay"));
    };
  }
  const { end } = yield* readRdbInSteps(data, visitor, config.getBool("rdbchecksum"), interval);
  return rdbDone(server, counts, end);
}

/** The RDB file at start-up, a step at a time (rdbSteps); `loading` follows the progress. */
export function loadRdbAtStart(
  server: ServerContext,
  data: Uint8Array,
  loading: LoadingState,
): Promise<RdbLoaded> {
  return runInSteps(rdbSteps(server, data, false, false, loading), (pos) => {
    loading.loadedBytes = pos;
  });
}

/** DEBUG RELOAD's load while serving: loadRdbData (merging or not) a step at a time. */
export function reloadRdbInSteps(
  server: ServerContext,
  data: Uint8Array,
  merge: boolean,
  loading: LoadingState,
): Promise<RdbLoaded> {
  return runInSteps(rdbSteps(server, data, false, merge, loading, false), (pos) => {
    loading.loadedBytes = pos;
  });
}

/**
 * Milliseconds of steps between two turns of the event loop (as a busy
 * script's slices, scripting/runner.ts). A turn is a setTimeout(0), ~1-2 ms:
 * one after every step (1024 commands) more than doubled the time a large
 * AOF took to load. setImmediate costs nothing but runs no I/O in Deno.
 */
const STEPS_MS = 20;

/**
 * Runs `steps`, letting the event loop run every STEPS_MS (clients connect
 * and are answered -LOADING meanwhile); `progress` gets each step's value.
 */
export async function runInSteps<T, R>(
  steps: Generator<T, R>,
  progress: (value: T) => void,
): Promise<R> {
  let until = performance.now() + STEPS_MS;
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    progress(step.value);
    if (performance.now() < until) continue;
    await new Promise((resolve) => setTimeout(resolve, 0));
    until = performance.now() + STEPS_MS;
  }
}

function drain<R>(steps: Generator<unknown, R>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Loads one AOF file, a step at a time: its RDB preamble if it has one
 * (returned), then its commands. A truncated last file is cut at its last
 * whole command when aof-load-truncated allows it. For the start-up load
 * (`loading`) it yields the offset reached in the file (during the replay,
 * in proportion to the commands run) every
 * loading-process-events-interval-bytes of the preamble and every
 * REPLAY_STEP commands (Redis's loop of 1024); otherwise never.
 */
export function* aofFileSteps(
  server: ServerContext,
  paths: AofPaths,
  name: string,
  last: boolean,
  loading?: LoadingState,
): Generator<number, RdbLoaded | undefined> {
  const path = paths.file(name);
  const data = Deno.readFileSync(path);
  if (data.length === 0) return undefined;
  let preamble: RdbLoaded | undefined;
  try {
    if (isRdb(data)) preamble = yield* rdbSteps(server, data, true, false, loading);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    throw new LoadError(
      `Error reading the RDB base file ${name}, AOF loading aborted: ${err.message}`,
    );
  }
  let parsed;
  try {
    parsed = parseAof(data, preamble?.end ?? 0);
  } catch (err) {
    if (!(err instanceof AofFormatError)) throw err;
    throw new LoadError(
      `Bad file format reading the append only file ${name} at offset ${err.offset}: ` +
        "make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>",
    );
  }
  if (parsed.truncated) {
    if (!last) {
      throw new LoadError(
        `Fatal error: the truncated file ${name} (at offset ${parsed.validUpTo}) is not the last file`,
      );
    }
    if (!server.config.getBool("aof-load-truncated")) {
      throw new LoadError(
        `Unexpected end of file reading the append only file ${name} at offset ${parsed.validUpTo}. ` +
          "You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. " +
          "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      );
    }
    server.log(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    server.log(`!!! Truncating the AOF ${name} at offset ${parsed.validUpTo} !!!`);
    Deno.truncateSync(path, parsed.validUpTo);
    server.log(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
  }
  const step = loading === undefined ? Infinity : REPLAY_STEP;
  const from = preamble?.end ?? 0;
  const perCommand = (parsed.validUpTo - from) / Math.max(1, parsed.commands.length);
  try {
    for (const done of replaySteps(server, parsed.commands, name, step)) {
      yield Math.floor(from + done * perCommand);
    }
  } catch (err) {
    if (err instanceof FormatError) throw new LoadError(err.message);
    // The caller loads the VM and starts over (Persistence.loadAtStart).
    if (err instanceof LuaNotLoaded) throw err;
    throw new LoadError(`Error replaying the append only file ${name}: ${(err as Error).stack}`);
  }
  return preamble;
}

/**
 * A Redis 6 style single appendonly.aof in `dir` becomes the base of a new
 * AOF directory; returns the manifest to use from now on.
 */
export function upgradeLegacyAof(
  server: ServerContext,
  paths: AofPaths,
  manifest: Manifest,
): Manifest {
  try {
    Deno.statSync(paths.legacy);
  } catch {
    return manifest;
  }
  const onlyLegacyBase = manifest.base?.name === paths.prefix && manifest.incrs.length === 0 &&
    fileSize(paths.file(paths.prefix)) === 0;
  if (!manifest.isEmpty && !onlyLegacyBase) return manifest;
  ensureDir(paths);
  const upgraded = new Manifest();
  upgraded.base = { name: paths.prefix, seq: 1, type: "b" };
  upgraded.baseSeq = 1;
  writeManifest(paths, upgraded);
  Deno.renameSync(paths.legacy, paths.file(paths.prefix));
  server.log(
    `Successfully migrated an old-style AOF file (${paths.prefix}) into the AOF directory (${paths.dir}).`,
  );
  return upgraded;
}
