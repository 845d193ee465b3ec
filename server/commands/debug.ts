/**
 * DEBUG: the subcommands client libraries' and Redis's own test suites use
 * (ERROR, RELOAD, OBJECT, DIGEST, PROTOCOL, SET-ACTIVE-EXPIRE, SLEEP...),
 * allowed as enable-debug-command says. DIGEST is Redis's own algorithm
 * (SHA-1 mixing of keys and values), so equal datasets digest equally.
 */
import { keyHashTableStats } from "./debug_htstats.ts";
import { sleepSync } from "../persistence/debug_delay.ts";
import { rewriteConfigFile } from "./config.ts";
import { arg, parseDouble } from "../args.ts";
import { positiveLong } from "./collections.ts";
import { parseMemory } from "../config_params.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  DEBUG_AOF_LOAD_FAILED,
  DEBUG_NOT_ALLOWED,
  DEBUG_PACKED_THRESHOLD,
  DEBUG_PROTOCOL_TYPES,
  DEBUG_PUSH_RESP2,
  DEBUG_RELOAD_FAILED,
  DEBUG_RELOAD_OPTIONS,
  DEBUG_SAVE_FAILED,
  internalError,
  NO_SUCH_KEY,
  NOT_INTEGER,
  notEncodedAs,
  subcommandSyntax,
} from "../errors.ts";
import { LoadError } from "../persistence/load.ts";
import { dumpPayload } from "../persistence/rdb_writer.ts";
import type { RedisList } from "../types/list.ts";
import { isSharedInteger, SHARED_REFCOUNT, stringEncoding } from "../types/string.ts";
import type { RedisValue } from "../types/value.ts";
import { writeHelp } from "./help.ts";
import { datasetDigest, valueDigestHex } from "./digest.ts";
import { valueOf } from "../types/box_bytes.ts";

const DEBUG_HELP = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "HTSTATS-KEY <key>",
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  "LOADAOF",
  "    Flush the AOF buffers on disk and reload the AOF in memory.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "QUICKLIST-PACKED-THRESHOLD <size>",
  "    Sets the threshold for elements to be inserted as plain vs packed nodes",
  "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "STRINGMATCH-TEST",
  "    Run a fuzz tester against the stringmatchlen() function.",
  "LISTPACK <key>",
  "    Show low level info about the listpack encoding of <key>.",
  "QUICKLIST <key> [<0|1>]",
  "    Show low level info about the quicklist encoding of <key>.",
  "    The optional argument (0 by default) sets the level of detail",
  "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
  "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
  "    In case NEVER is provided the last observed peak will never be reset",
  "    In case RESET is provided the peak reset time will be restored to the default value",
  "REPLYBUFFER RESIZING <0|1>",
  "    Enable or disable the reply buffer resize cron job",
  "HELP",
  "    Prints this help.",
];

// ---- OBJECT -------------------------------------------------------------------------

function encodingOf(ctx: CommandContext, key: string, value: RedisValue): string {
  return typeof value === "string"
    ? stringEncoding(value, ctx.db.stringForm(key))
    : value.encoding();
}

/** Redis's quicklist figures for a list, from redis-home's packed layout. */
function quicklistInfo(ctx: CommandContext, list: RedisList): string {
  let bytes = 0;
  for (const v of list.values()) bytes += v.length + 2;
  const fill = ctx.server.config.getNumber("list-max-listpack-size");
  const nodeBytes = fill < 0 ? 4096 * 2 ** (-fill - 1) : Infinity;
  const nodes = Math.max(1, Math.ceil(bytes / nodeBytes));
  const compressed = ctx.server.config.getNumber("list-compress-depth") !== 0 ? 1 : 0;
  return ` ql_nodes:${nodes} ql_avg_node:${(list.size() / nodes).toFixed(2)}` +
    ` ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${bytes}`;
}

function debugObject(ctx: CommandContext, key: string): void {
  // As Redis's, straight from the dictionary: a key whose TTL passed is still described.
  const value = ctx.db.dict.peek(key) as RedisValue | undefined;
  if (value === undefined) throw new CommandError(NO_SUCH_KEY);
  const config = ctx.server.config;
  const shared = typeof value === "string" &&
    isSharedInteger(
      value,
      ctx.db.stringForm(key),
      config.getNumber("maxmemory"),
      config.get("maxmemory-policy"),
    );
  const serialized = dumpPayload(value, config.getBool("rdbcompression")).length - 11;
  const idle = ctx.db.idleSeconds(key) ?? 0;
  const lru = (Math.floor(Date.now() / 1000) - idle) & 0xffffff;
  let address = 0x7f0000000000;
  for (let i = 0; i < key.length; i++) address = (address + key.charCodeAt(i) * 4099) % 2 ** 44;
  const extra = typeof value !== "string" && value.type === "list"
    ? quicklistInfo(ctx, value as RedisList)
    : "";
  ctx.out.simple(
    `Value at:0x${(0x7f0000000000 + address % 2 ** 40).toString(16)} refcount:${
      shared ? SHARED_REFCOUNT : 1
    } encoding:${
      encodingOf(ctx, key, value)
    } serializedlength:${serialized} lru:${lru} lru_seconds_idle:${idle}${extra}`,
  );
}

// ---- RELOAD and PROTOCOL ----------------------------------------------------------------

function reload(ctx: CommandContext, options: string[]): void {
  let flush = true;
  let save = true;
  let merge = false;
  for (const option of options) {
    const o = option.toLowerCase();
    if (o === "merge") merge = true;
    else if (o === "noflush") flush = false;
    else if (o === "nosave") save = false;
    else throw new CommandError(DEBUG_RELOAD_OPTIONS);
  }
  const server = ctx.server;
  const persistence = server.persistence;
  if (save && !persistence.save()) throw new CommandError(DEBUG_SAVE_FAILED);
  if (flush) emptyAll(ctx);
  const reloaded = () => {
    server.log("DB reloaded by DEBUG RELOAD");
    ctx.out.ok();
  };
  if (!ctx.inExec) {
    return replyWhenLoaded(ctx, persistence.reloadRdbWhileServing(merge), {
      loaded: reloaded,
      failed: DEBUG_RELOAD_FAILED,
    });
  }
  try {
    if (!persistence.reloadRdb(merge)) throw new CommandError(DEBUG_RELOAD_FAILED);
  } catch (err) {
    if (err instanceof LoadError) throw new CommandError(DEBUG_RELOAD_FAILED);
    throw err;
  }
  reloaded();
}

/**
 * DEBUG RELOAD's and LOADAOF's load, as Redis's processes events as it goes:
 * the caller is parked while `load` runs (other clients are answered
 * meanwhile: -LOADING) and then answered, with `failed` if the load found no
 * file or a damaged one. Inside EXEC, where the caller cannot be parked, the
 * callers load at once instead.
 */
function replyWhenLoaded(
  ctx: CommandContext,
  load: Promise<boolean>,
  { loaded, failed }: { loaded: () => void; failed: string },
): void {
  const server = ctx.server;
  const client = ctx.client;
  const noop = () => false;
  server.blocking.block(client, {
    keys: [],
    deadline: 0,
    running: true,
    tryServe: noop,
    onTimeout: noop,
  });
  const command = client.resolved;
  const reply = (error?: string) => {
    client.out.beginReply();
    if (error === undefined) loaded();
    else {
      // The call was counted when the caller was parked; its failure is known only now.
      server.stats.countError(error);
      if (command !== undefined) command.failedCalls++;
      client.out.error(error);
    }
    client.out.endReply();
    server.blocking.unblock(client);
  };
  load.then((found) => reply(found ? undefined : failed), (err) => {
    if (err instanceof LoadError) return reply(failed);
    server.log(`error in 'debug': ${err instanceof Error ? err.stack : err}`);
    reply(internalError("debug"));
  });
}

/**
 * Empties every database and drops the function libraries, as Redis's
 * emptyData (WATCHers of its keys fail their EXEC).
 */
function emptyAll(ctx: CommandContext): void {
  const server = ctx.server;
  server.scripting.flushFunctions();
  for (const db of server.dbs) {
    server.watches.touchDb(db);
    db.clear();
  }
  if (server.tracking.engaged) server.tracking.invalidateAll();
}

/**
 * DEBUG LOADAOF: the AOF written out, the data emptied and loaded back from
 * it while other clients get -LOADING (replyWhenLoaded).
 */
function loadAof(ctx: CommandContext): void {
  const server = ctx.server;
  const persistence = server.persistence;
  if (server.config.getBool("appendonly")) persistence.flushAof();
  emptyAll(ctx);
  if (!ctx.inExec) {
    // No AOF files is no failure: the data stays empty, as Redis's AOF_EMPTY.
    const load = persistence.reloadAofWhileServing().then(() => true);
    return replyWhenLoaded(ctx, load, {
      loaded: () => aofLoaded(ctx),
      failed: DEBUG_AOF_LOAD_FAILED,
    });
  }
  try {
    persistence.reloadAof();
  } catch (err) {
    if (err instanceof LoadError) throw new CommandError(DEBUG_AOF_LOAD_FAILED);
    throw err;
  }
  aofLoaded(ctx);
}

function aofLoaded(ctx: CommandContext): void {
  // What was just loaded is on disk already: nothing to save or propagate.
  ctx.server.dirty = 0;
  ctx.server.log("Append Only File loaded by DEBUG LOADAOF");
  ctx.out.ok();
}

function protocol(ctx: CommandContext, name: string): void {
  const out = ctx.out;
  const resp3 = ctx.protocol === 3;
  switch (name.toLowerCase()) {
    case "string":
      return out.bulk("Hello World");
    case "integer":
      return out.int(12345);
    case "double":
      return out.double(3.141);
    case "bignum":
      if (resp3) return out.raw("(1234567999999999999999999999999999999\r\n");
      return out.bulk("1234567999999999999999999999999999999");
    case "null":
      return out.nil();
    case "array":
    case "set":
      if (name.toLowerCase() === "set") out.set(3);
      else out.array(3);
      for (let j = 0; j < 3; j++) out.int(j);
      return;
    case "map":
      out.map(3);
      for (let j = 0; j < 3; j++) {
        out.int(j);
        out.bool(j === 1);
      }
      return;
    case "attrib":
      if (resp3) out.raw("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n");
      return out.bulk("Some real reply following the attribute");
    case "push":
      if (!resp3) throw new CommandError(DEBUG_PUSH_RESP2);
      out.push(2);
      out.bulk("server-cpu-usage");
      out.int(42);
      return out.bulk("Some real reply following the push reply");
    case "true":
      return out.bool(true);
    case "false":
      return out.bool(false);
    case "verbatim":
      return out.verbatim("This is a verbatim\nstring");
  }
  throw new CommandError(DEBUG_PROTOCOL_TYPES);
}

// ---- the command -----------------------------------------------------------------------

/**
 * DEBUG POPULATE count [prefix] [size]: keys `prefix:0` ... holding
 * `value:N`, cut or padded with zero bytes to `size`; a key that exists is
 * left alone. As Redis's, it marks keys modified (WATCH, tracking) but
 * sends no event and leaves the dirty count.
 */
function populate(ctx: CommandContext, argv: string[]): void {
  const count = positiveLong(arg(argv, 2));
  const size = argv.length === 5 ? positiveLong(arg(argv, 4)) : 0;
  const prefix = argv.length >= 4 ? arg(argv, 3) : "key";
  const { db, server } = ctx;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (db.has(key)) continue;
    const text = `value:${j}`;
    const value = size === 0 || size === text.length
      ? text
      : size < text.length
      ? text.slice(0, size)
      : text + "\0".repeat(size - text.length);
    db.set(key, value);
    server.watches.touch(db.index, key);
    if (server.tracking.engaged) server.tracking.invalidate(key, undefined);
  }
  ctx.out.ok();
}

/**
 * DEBUG REPLYBUFFER, checked as Redis checks it. A client's reply buffer here
 * comes from a shared pool per batch and goes back once written (writer.ts):
 * there is no per-client resizing or peak for these to set, so tests that
 * turn Redis's off to keep client sizes steady get that already.
 */
function replyBuffer(ctx: CommandContext, argv: string[]): void {
  const what = arg(argv, 2).toLowerCase();
  const value = arg(argv, 3).toLowerCase();
  if (what === "peak-reset-time") {
    if (value !== "never" && value !== "reset" && !/^-?\d+$/.test(value)) {
      throw new CommandError(NOT_INTEGER);
    }
  } else if (what !== "resizing") throw new CommandError(subcommandSyntax(argv));
  ctx.out.ok();
}

/** C's atoi: leading digits with a sign, 0 when none. */
const atoi = (s: string) => Number(/^\s*[+-]?\d+/.exec(s)?.[0] ?? 0) | 0;

/** The value at `key` for LISTPACK and QUICKLIST, with Redis's errors. */
function encodedValue(ctx: CommandContext, key: string, encoding: string, what: string): void {
  const value = ctx.db.peekRead(key);
  if (value === undefined) throw new CommandError(NO_SUCH_KEY);
  if (encodingOf(ctx, key, value) !== encoding) {
    throw new CommandError(notEncodedAs(what));
  }
}

function debug(ctx: CommandContext, argv: string[]): void {
  if (!ctx.server.config.allows("enable-debug-command", ctx.client.fromLoopback)) {
    throw new CommandError(DEBUG_NOT_ALLOWED);
  }
  const sub = arg(argv, 1).toLowerCase();
  const argc = argv.length;
  if (sub === "help" && argc === 2) return writeHelp(ctx, DEBUG_HELP);
  if (sub === "error" && argc === 3) {
    // The whole argument is the error, code included ("-ERR" is not added).
    return ctx.out.raw(`-${arg(argv, 2).replace(/[\r\n]/g, " ")}\r\n`);
  }
  if (sub === "reload") return reload(ctx, argv.slice(2));
  if (sub === "loadaof") return loadAof(ctx);
  if (sub === "object" && argc === 3) return debugObject(ctx, arg(argv, 2));
  if (sub === "htstats-key" && argc === 3) return keyHashTableStats(ctx, arg(argv, 2));
  if (sub === "digest" && argc === 2) return ctx.out.simple(datasetDigest(ctx.server.dbs));
  if (sub === "digest-value") {
    ctx.out.array(argc - 2);
    for (const key of argv.slice(2)) {
      // As Redis, a logically expired key still has its digest.
      ctx.out.simple(valueDigestHex(valueOf(ctx.db.dict.peek(key)), ctx.db.expires.has(key)));
    }
    return;
  }
  if (sub === "protocol" && argc === 3) return protocol(ctx, arg(argv, 2));
  if (sub === "populate" && argc >= 3 && argc <= 5) return populate(ctx, argv);
  if (sub === "sleep" && argc === 3) {
    // strtod as Redis: a malformed number sleeps for as long as its valid prefix says.
    const seconds = parseDouble(/^[+-]?\d*\.?\d*(e[+-]?\d+)?/i.exec(arg(argv, 2))![0]) ?? 0;
    // The whole server stops, as Redis's DEBUG SLEEP, without spinning the CPU.
    sleepSync(seconds * 1000);
    return ctx.out.ok();
  }
  if (sub === "replicate" && argc >= 3) {
    // To replicas only, in the stream's current database (Redis's replicationFeedSlaves).
    ctx.server.replication.stream.control(argv.slice(2));
    return ctx.out.ok();
  }
  if (sub === "aof-flush-sleep" && argc === 3) {
    ctx.server.persistence.aof.flushSleepUs = Math.max(0, atoi(arg(argv, 2)));
    return ctx.out.ok();
  }
  if (sub === "set-active-expire" && argc === 3) {
    ctx.server.activeExpire = atoi(arg(argv, 2)) !== 0;
    return ctx.out.ok();
  }
  if (sub === "set-disable-deny-scripts" && argc === 3) {
    ctx.server.scriptDenyDisabled = atoi(arg(argv, 2)) !== 0;
    return ctx.out.ok();
  }
  if (sub === "set-skip-checksum-validation" && argc === 3) {
    ctx.server.skipChecksumValidation = atoi(arg(argv, 2)) !== 0;
    return ctx.out.ok();
  }
  if (sub === "replybuffer" && argc === 4) return replyBuffer(ctx, argv);
  if (sub === "pause-cron" && argc === 3) {
    ctx.server.cronPaused = atoi(arg(argv, 2)) !== 0;
    return ctx.out.ok();
  }
  if (sub === "quicklist-packed-threshold" && argc === 3) {
    // Checked as Redis does; redis-home's lists have no plain nodes to size.
    const size = parseMemory(arg(argv, 2));
    if (size === undefined || size > 2 ** 32 - 2 ** 20) {
      throw new CommandError(DEBUG_PACKED_THRESHOLD);
    }
    return ctx.out.ok();
  }
  if (sub === "listpack" && argc === 3) {
    encodedValue(ctx, arg(argv, 2), "listpack", "listpack");
    return ctx.out.simple("Listpack structure printed on stdout");
  }
  if (sub === "quicklist" && (argc === 3 || argc === 4)) {
    encodedValue(ctx, arg(argv, 2), "quicklist", "quicklist");
    return ctx.out.simple("Quicklist structure printed on stdout");
  }
  if (sub === "log" && argc === 3) {
    ctx.server.log(`DEBUG LOG: ${argv[2]}`);
    return ctx.out.ok();
  }
  if (sub === "stringmatch-test" && argc === 2) {
    return ctx.out.simple("Apparently Redis did not crash: test passed");
  }
  if (sub === "config-rewrite-force-all" && argc === 2) {
    rewriteConfigFile(ctx, true);
    return ctx.out.ok();
  }
  if (sub === "change-repl-id" && argc === 2) {
    ctx.server.log("Changing replication IDs after receiving DEBUG change-repl-id");
    const ids = ctx.server.replication.stream.ids;
    ids.change();
    ids.clearSecond();
    return ctx.out.ok();
  }
  throw new CommandError(subcommandSyntax(argv));
}

export const debugCommands: CommandSpec[] = [
  {
    name: "debug",
    needsLua: true,
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    handler: debug,
  },
];
