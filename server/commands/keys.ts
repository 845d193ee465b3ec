/** Generic keyspace commands: existence, types, renames, copies, expiry, scans, OBJECT. */
import {
  CREATED_KEY,
  keyRange,
  OVERWRITTEN_KEY,
  READ_DELETED_KEY,
  READ_KEY,
  READ_UPDATED_KEY,
} from "../key_specs.ts";
import { arg, ArgCursor, isWord, parseInt64, parseInteger } from "../args.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec } from "../command.ts";
import type { Database } from "../db.ts";
import {
  CommandError,
  DB_INDEX_OUT_OF_RANGE,
  EXPIRE_GT_LT_CONFLICT,
  EXPIRE_NX_CONFLICT,
  invalidExpire,
  LFU_NOT_SELECTED,
  LFU_SELECTED,
  NO_SUCH_KEY,
  NOT_INT32,
  NOT_INTEGER,
  SAME_OBJECT,
  SYNTAX,
  unsupportedOption,
} from "../errors.ts";
import { noteKeyArgument, takeKey, takesKeyBytes } from "../../protocol/bytes.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { HELP_SUMMARY, helpRow } from "./help.ts";
import { parseCursor32, parseScanOptions, writeScanReply } from "../scan.ts";
import {
  ByteString,
  isSharedInteger,
  SHARED_REFCOUNT,
  stringEncoding,
  StringForm,
} from "../types/string.ts";
import { storedType, type StoredValue, valueOf } from "../types/box_bytes.ts";
import { freedLazily } from "../lazyfree.ts";
import { commandTime, reportTime } from "../types/access_clock.ts";
import { scanTable, tableKeys } from "../types/keytable_keys.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A database index argument, as Redis's getIntFromObjectOrReply then selectDb check it. */
function dbIndexOf(ctx: CommandContext, arg: string): Database {
  const index = parseInteger(arg);
  if (index === undefined) throw new CommandError(NOT_INTEGER);
  if (index < -(2 ** 31) || index >= 2 ** 31) throw new CommandError(NOT_INT32);
  const db = ctx.server.dbs[index];
  if (db === undefined) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
  return db;
}

/**
 * How the string `value` at `key` was made (Encoded for other types), read
 * right after the key's lookup, which the key table and its hash still remember.
 */
function formOf(db: Database, key: string, value: StoredValue): StringForm {
  return storedType(value) === "string" ? db.stringForm(key) : StringForm.Encoded;
}

/** Puts a value at `newKey` in `to` with the form and TTL it had at its old key. */
function place(
  to: Database,
  newKey: string,
  value: StoredValue,
  form: StringForm,
  when: number | undefined,
): void {
  to.set(newKey, value, form);
  if (when !== undefined) to.setExpire(newKey, when);
}

function deleteKeys(ctx: CommandContext, argv: string[], lazily = false): void {
  const db = ctx.db;
  // DEL key deletes its key from the request's bytes (takesKeyBytes below) while no TTL is set.
  const held = takeKey(argv, 1);
  const gone = held === undefined || lazily ? undefined : db.deleteAt(held);
  if (gone !== undefined) {
    if (gone) ctx.server.keyChangedAt(db, held!, NotifyClass.Generic, "del", 1, true);
    return ctx.out.int(gone ? 1 : 0);
  }
  held?.string();
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!; // i < argv.length
    noteKeyArgument(argv, i);
    // has() first so that a key whose TTL passed counts as expired, not deleted.
    if (!db.has(key)) continue;
    if (lazily && freedLazily(valueOf(db.dict.peek(key))!)) ctx.server.stats.lazyfreedObjects++;
    if (db.delete(key)) {
      deleted++;
      // Nothing left to account again.
      ctx.server.keyChanged(db, key, NotifyClass.Generic, "del", 1, true);
    }
  }
  ctx.out.int(deleted);
}

function rename(ctx: CommandContext, argv: string[], onlyIfAbsent: boolean): void {
  const key = arg(argv, 1);
  const newKey = arg(argv, 2);
  const db = ctx.db;
  // A string kept as bytes moves as it is (no text made of it).
  const value = db.getStored(key);
  if (value === undefined) throw new CommandError(NO_SUCH_KEY);
  if (key === newKey) return onlyIfAbsent ? ctx.out.int(0) : ctx.out.ok();
  const form = formOf(db, key, value);
  const when = db.getExpire(key);
  if (db.has(newKey)) {
    if (onlyIfAbsent) return ctx.out.int(0);
    db.delete(newKey);
  }
  place(db, newKey, value, form, when);
  db.delete(key);
  // One change, as Redis counts it, with both events.
  ctx.server.keyChanged(db, key, NotifyClass.Generic, "rename_from", 0);
  ctx.server.keyChanged(db, newKey, NotifyClass.Generic, "rename_to");
  if (onlyIfAbsent) ctx.out.int(1);
  else ctx.out.ok();
}

function move(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  const source = ctx.db;
  const target = dbIndexOf(ctx, arg(argv, 2));
  if (target === source) throw new CommandError(SAME_OBJECT);
  const value = source.getStored(key);
  if (value === undefined || target.has(key)) return ctx.out.int(0);
  place(target, key, value, formOf(source, key, value), source.getExpire(key));
  source.delete(key);
  ctx.server.keyChanged(source, key, NotifyClass.Generic, "move_from", 0);
  ctx.server.keyChanged(target, key, NotifyClass.Generic, "move_to");
  ctx.out.int(1);
}

function copy(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  const newKey = arg(argv, 2);
  const source = ctx.db;
  let target = source;
  let replace = false;
  // Options matched in any case as they stand (isWord): no lower-case copies.
  for (let i = 3; i < argv.length; i++) {
    const word = argv[i]!;
    if (isWord(word, "replace")) replace = true;
    else if (isWord(word, "db") && i + 1 < argv.length) target = dbIndexOf(ctx, argv[++i]!);
    else throw new CommandError(SYNTAX);
  }
  if (target === source && key === newKey) throw new CommandError(SAME_OBJECT);
  const value = source.lookupRead(key);
  if (value === undefined) return ctx.out.int(0);
  const form = formOf(source, key, value);
  const when = source.getExpire(key);
  if (target.has(newKey)) {
    if (!replace) return ctx.out.int(0);
    // Written over (a same-length string in place) rather than deleted and
    // added, but announced as new as Redis's dbAdd after its dbDelete does.
    target.hooks.added?.(target, newKey);
  }
  place(target, newKey, typeof value === "string" ? value : value.clone(), form, when);
  ctx.server.keyChanged(target, newKey, NotifyClass.Generic, "copy_to");
  ctx.out.int(1);
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

function parseExpireFlags(argv: readonly string[]): number {
  if (argv.length === 3) return 0;
  let flags = 0;
  const args = new ArgCursor(argv, 3);
  while (args.hasMore()) {
    const word = args.next();
    const opt = word.toLowerCase();
    if (opt === "nx") flags |= EXPIRE_NX;
    else if (opt === "xx") flags |= EXPIRE_XX;
    else if (opt === "gt") flags |= EXPIRE_GT;
    else if (opt === "lt") flags |= EXPIRE_LT;
    else throw new CommandError(unsupportedOption(word));
  }
  if ((flags & EXPIRE_NX) && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
    throw new CommandError(EXPIRE_NX_CONFLICT);
  }
  if ((flags & EXPIRE_GT) && (flags & EXPIRE_LT)) throw new CommandError(EXPIRE_GT_LT_CONFLICT);
  return flags;
}

/** Whether NX/XX/GT/LT let a new expiry time replace `current` (-1 for none). */
function expireAllowed(flags: number, when: bigint, current: bigint): boolean {
  if ((flags & EXPIRE_NX) && current !== -1n) return false;
  if ((flags & EXPIRE_XX) && current === -1n) return false;
  // No TTL counts as infinite: GT always fails on it, LT always passes.
  if ((flags & EXPIRE_GT) && (when <= current || current === -1n)) return false;
  if ((flags & EXPIRE_LT) && current !== -1n && when >= current) return false;
  return true;
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis's expireGenericCommand). A time
 * already past deletes the key; otherwise the AOF gets an absolute PEXPIREAT.
 */
function expireGeneric(
  ctx: CommandContext,
  argv: string[],
  relative: boolean,
  seconds: boolean,
): void {
  const flags = parseExpireFlags(argv);
  const when = flags === 0 ? smallExpireTime(arg(argv, 2), relative, seconds) : undefined;
  if (when !== undefined) return setExpireTime(ctx, argv, 0, when);
  // Errors end it by ctx.fail: a handler left by a throw stays in V8's baseline code.
  const parsed = parseInt64(arg(argv, 2));
  if (parsed === undefined) return ctx.fail(NOT_INTEGER);
  let whenBig = parsed;
  const name = arg(argv, 0).toLowerCase();
  if (seconds) {
    if (whenBig > INT64_MAX / 1000n || whenBig < INT64_MIN / 1000n) {
      return ctx.fail(invalidExpire(name));
    }
    whenBig *= 1000n;
  }
  if (relative) {
    const now = BigInt(commandTime());
    if (whenBig > INT64_MAX - now) return ctx.fail(invalidExpire(name));
    whenBig += now;
  }
  setExpireTime(ctx, argv, flags, whenBig);
}

/**
 * The expiry time (ms) of an integer argument of up to 12 digits, as a
 * number (scaled to ms and added to now it stays an exact double);
 * undefined for others.
 */
function smallExpireTime(text: string, relative: boolean, seconds: boolean): number | undefined {
  const n = text.length <= 13 ? parseInteger(text) : undefined;
  if (n === undefined || n >= 1e12 || n <= -1e12) return undefined;
  const when = seconds ? n * 1000 : n;
  return relative ? when + commandTime() : when;
}

/** EXPIRE's effect once its time is known: a time already past deletes the key. */
function setExpireTime(
  ctx: CommandContext,
  argv: string[],
  flags: number,
  when: number | bigint,
): void {
  const key = arg(argv, 1);
  const db = ctx.db;
  if (!db.has(key)) return ctx.out.int(0);
  if (flags !== 0 && !expireAllowed(flags, BigInt(when), BigInt(db.getExpire(key) ?? -1))) {
    return ctx.out.int(0);
  }
  // As Redis's checkAlreadyExpired: a past time deletes, but not replayed from a file or sent
  // by a master (its own DEL follows), nor on a replica, where the key expires when that DEL comes.
  if (when <= commandTime() && !ctx.client.obeys && !ctx.server.replication.isReplica) {
    db.delete(key);
    ctx.propagateAs = [["DEL", key]];
    ctx.server.keyChanged(db, key, NotifyClass.Generic, "del");
  } else {
    db.setExpire(key, Number(when));
    // Formatting the time costs as much as the lookup: only for a recorder (AOF, replicas, a script).
    if (ctx.server.recordsWrites()) {
      ctx.propagateAs = [["PEXPIREAT", key, String(when), ...argv.slice(3)]];
    }
    // One change; the value is as it was, so nothing to account again (changes 0).
    ctx.server.dirty++;
    ctx.server.keyChanged(db, key, NotifyClass.Generic, "expire", 0);
  }
  ctx.out.int(1);
}

/** An int64 reply from a millisecond time kept as a double (clamped at 2^63 - 1). */
function int64(n: number): number | bigint {
  return n >= 2 ** 63 ? INT64_MAX : n;
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand). */
function ttlGeneric(ctx: CommandContext, key: string, inMs: boolean, absolute: boolean): void {
  const when = ctx.db.expiryRead(key);
  if (when === undefined) return ctx.out.int(-2);
  if (when === -1) return ctx.out.int(-1);
  const ttl = Math.max(0, absolute ? when : when - reportTime());
  ctx.out.int(int64(inMs ? ttl : Math.floor((ttl + 500) / 1000)));
}

function keys(ctx: CommandContext, pattern: string): void {
  const db = ctx.db;
  const all = pattern === "*";
  const now = Date.now();
  const found: string[] = [];
  for (const key of tableKeys(db.dict)) {
    if ((all || globMatch(pattern, key)) && !db.isExpired(key, now)) found.push(key);
  }
  ctx.out.bulkArray(found);
}

function scan(ctx: CommandContext, argv: string[]): void {
  const cursor = parseCursor32(arg(argv, 1));
  const { match, count, type } = parseScanOptions(argv, 2, true);
  const db = ctx.db;
  const found: string[] = [];
  const next = scanTable(db.dict, cursor, count, (key) => found.push(key));
  const pattern = match === "*" ? undefined : match;
  const keys: string[] = [];
  for (const key of found) {
    if (pattern !== undefined && !globMatch(pattern, key)) continue;
    if (type !== undefined && ctx.db.readType(key) !== type) continue;
    // Expired keys are deleted on the way, as Redis's expireIfNeeded does
    // (with no TTL in the database, every key just scanned is live).
    if (db.expires.size !== 0 && !db.has(key)) continue;
    keys.push(key);
  }
  writeScanReply(ctx.out, next, keys);
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

function lfuPolicy(ctx: CommandContext): boolean {
  return ctx.server.config.get("maxmemory-policy").endsWith("-lfu");
}

/** An OBJECT subcommand row: looks the key up without touching it, nil when missing. */
function objectRow(
  name: string,
  summary: string,
  reply: (
    ctx: CommandContext,
    key: string,
    value: StoredValue,
  ) => void,
): CommandSpec {
  return {
    name,
    arity: 3,
    flags: ["readonly"],
    keys: [2, 2, 1],
    boundedByArgs: true,
    keySpecs: [keyRange(["RO"], 2)],
    group: "generic",
    since: name === "freq" ? "4.0.0" : "2.2.3",
    summary,
    syntax: "key",
    handler(ctx, argv) {
      const key = arg(argv, 2);
      const value = ctx.db.peekReadStored(key);
      if (value === undefined) return ctx.out.nil();
      reply(ctx, key, value);
    },
  };
}

const objectSubcommands: CommandSpec[] = [
  objectRow(
    "encoding",
    "Returns the internal encoding of a Redis object.",
    (ctx, key, value) => {
      ctx.out.bulk(
        typeof value === "string" || value instanceof ByteString
          ? stringEncoding(value, ctx.db.stringForm(key))
          : value.encoding(),
      );
    },
  ),
  objectRow(
    "refcount",
    "Returns the reference count of a value of a key.",
    (ctx, key, value) => {
      const config = ctx.server.config;
      const shared = (typeof value === "string" || value instanceof ByteString) &&
        isSharedInteger(
          value,
          ctx.db.stringForm(key),
          config.getNumber("maxmemory"),
          config.get("maxmemory-policy"),
        );
      ctx.out.int(shared ? SHARED_REFCOUNT : 1);
    },
  ),
  objectRow(
    "idletime",
    "Returns the time since the last access to a Redis object.",
    (ctx, key) => {
      if (lfuPolicy(ctx)) throw new CommandError(LFU_SELECTED);
      ctx.out.int(ctx.db.idleSeconds(key) ?? 0);
    },
  ),
  objectRow(
    "freq",
    "Returns the logarithmic access frequency counter of a Redis object.",
    (ctx, key) => {
      if (!lfuPolicy(ctx)) throw new CommandError(LFU_NOT_SELECTED);
      ctx.out.int(ctx.db.frequency(key) ?? 0);
    },
  ),
  helpRow(OBJECT_HELP, { group: "generic", since: "6.2.0", summary: HELP_SUMMARY }),
];

/** Rows for the four EXPIRE variants. */
function expireRow(
  name: string,
  since: string,
  summary: string,
  unit: string,
  relative: boolean,
  seconds: boolean,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "generic",
    since,
    summary,
    syntax: `key ${unit} [NX | XX | GT | LT]`,
    handler: (ctx, argv) => expireGeneric(ctx, argv, relative, seconds),
  };
}

/** Rows for TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlRow(
  name: string,
  since: string,
  summary: string,
  inMs: boolean,
  absolute: boolean,
): CommandSpec {
  return {
    name,
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "generic",
    since,
    summary,
    syntax: "key",
    handler: (ctx, argv) => ttlGeneric(ctx, arg(argv, 1), inMs, absolute),
  };
}

// EXISTS of one key looks it up from the request's bytes (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("exists", 2);
// DEL and UNLINK of one key too (deleteKeys, KeyTable.deleteAt).
for (const name of ["del", "unlink"]) takesKeyBytes(name, 2);

export const keyCommands: CommandSpec[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    keys: [1, -1, 1],
    // A deleted value is dropped, not freed element by element as in Redis.
    boundedByArgs: true,
    group: "generic",
    since: "1.0.0",
    summary: "Deletes one or more keys.",
    syntax: "key [key ...]",
    handler: deleteKeys,
  },
  {
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, -1, 1],
    group: "generic",
    since: "4.0.0",
    summary: "Asynchronously deletes one or more keys.",
    syntax: "key [key ...]",
    handler: (ctx, argv) => deleteKeys(ctx, argv, true),
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1, -1)],
    group: "generic",
    since: "1.0.0",
    summary: "Determines whether one or more keys exist.",
    syntax: "key [key ...]",
    handler(ctx, argv) {
      // EXISTS key looks its key up from the request's bytes (takesKeyBytes below).
      const held = takeKey(argv, 1);
      if (held !== undefined) return ctx.out.int(ctx.db.existsReadAt(held) ? 1 : 0);
      let n = 0;
      for (let i = 1; i < argv.length; i++) {
        const key = argv[i]!; // i < argv.length
        noteKeyArgument(argv, i);
        if (ctx.db.existsRead(key)) n++;
      }
      ctx.out.int(n);
    },
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1)],
    group: "generic",
    since: "1.0.0",
    summary: "Determines the type of value stored at a key.",
    syntax: "key",
    handler(ctx, argv) {
      ctx.out.simple(ctx.db.readType(arg(argv, 1)));
    },
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    keys: [0, 0, 0],
    group: "generic",
    acl: ["keyspace", "dangerous"],
    since: "1.0.0",
    summary: "Returns all key names that match a pattern.",
    syntax: "pattern",
    handler: (ctx, argv) => keys(ctx, arg(argv, 1)),
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    keys: [0, 0, 0],
    group: "generic",
    since: "2.8.0",
    summary: "Iterates over the key names in the database.",
    syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
    handler: scan,
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    keys: [0, 0, 0],
    group: "generic",
    since: "1.0.0",
    summary: "Returns a random key name from the database.",
    syntax: "",
    handler(ctx) {
      const key = ctx.db.randomKey();
      if (key === undefined) ctx.out.nil();
      else ctx.out.bulk(key);
    },
  },
  {
    name: "rename",
    arity: 3,
    flags: ["write"],
    keys: [1, 2, 1],
    // The value moves (a short string's bytes, a collection's reference); one written over is dropped.
    boundedByArgs: true,
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(OVERWRITTEN_KEY, 2)],
    group: "generic",
    since: "1.0.0",
    summary: "Renames a key and overwrites the destination.",
    syntax: "key newkey",
    handler: (ctx, argv) => rename(ctx, argv, false),
  },
  {
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_DELETED_KEY, 1), keyRange(CREATED_KEY, 2)],
    group: "generic",
    since: "1.0.0",
    summary: "Renames a key only when the target key name doesn't exist.",
    syntax: "key newkey",
    handler: (ctx, argv) => rename(ctx, argv, true),
  },
  {
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(READ_KEY, 1), keyRange(OVERWRITTEN_KEY, 2)],
    group: "generic",
    since: "6.2.0",
    summary: "Copies the value of a key to a new key.",
    syntax: "source destination [DB destination-db] [REPLACE]",
    handler: copy,
  },
  {
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "generic",
    since: "1.0.0",
    summary: "Moves a key to another database.",
    syntax: "key db",
    handler: move,
  },
  {
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    // As in Redis, RO without "access": the value itself is not read.
    keySpecs: [keyRange(["RO"], 1, -1)],
    group: "generic",
    since: "3.2.1",
    summary:
      "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    syntax: "key [key ...]",
    handler(ctx, argv) {
      let n = 0;
      for (let i = 1; i < argv.length; i++) {
        const key = argv[i]!; // i < argv.length
        if (ctx.db.lookupStored(key) !== undefined) n++;
      }
      ctx.out.int(n);
    },
  },
  {
    name: "object",
    arity: -2,
    flags: [],
    group: "generic",
    since: "2.2.3",
    summary: "A container for object introspection commands.",
    syntax: "",
    subcommands: objectSubcommands,
  },
  expireRow(
    "expire",
    "1.0.0",
    "Sets the expiration time of a key in seconds.",
    "seconds",
    true,
    true,
  ),
  expireRow(
    "pexpire",
    "2.6.0",
    "Sets the expiration time of a key in milliseconds.",
    "milliseconds",
    true,
    false,
  ),
  expireRow(
    "expireat",
    "1.2.0",
    "Sets the expiration time of a key to a Unix timestamp.",
    "unix-time-seconds",
    false,
    true,
  ),
  expireRow(
    "pexpireat",
    "2.6.0",
    "Sets the expiration time of a key to a Unix milliseconds timestamp.",
    "unix-time-milliseconds",
    false,
    false,
  ),
  ttlRow("ttl", "1.0.0", "Returns the expiration time in seconds of a key.", false, false),
  ttlRow("pttl", "2.6.0", "Returns the expiration time in milliseconds of a key.", true, false),
  ttlRow(
    "expiretime",
    "7.0.0",
    "Returns the expiration time of a key as a Unix timestamp.",
    false,
    true,
  ),
  ttlRow(
    "pexpiretime",
    "7.0.0",
    "Returns the expiration time of a key as a Unix milliseconds timestamp.",
    true,
    true,
  ),
  {
    name: "persist",
    arity: 2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "generic",
    since: "2.2.0",
    summary: "Removes the expiration time of a key.",
    syntax: "key",
    handler(ctx, argv) {
      const db = ctx.db;
      const key = arg(argv, 1);
      // No TTL in the database: no lookup of the expiry (a V8 hash of the key's new string).
      if (db.expires.size !== 0 && db.has(key) && db.removeExpire(key)) {
        // One change; the value is as it was, so nothing to account again (changes 0).
        ctx.server.dirty++;
        ctx.server.keyChanged(db, key, NotifyClass.Generic, "persist", 0);
        return ctx.out.int(1);
      }
      ctx.out.int(0);
    },
  },
];
