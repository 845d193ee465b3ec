/**
 * The one key extractor: Redis 7's key specifications, derived from each
 * command-table row, and `keysOf(command, argv)`, which finds a call's keys
 * with them. COMMAND INFO/GETKEYS, WATCH-free copy-on-write snapshots, and
 * (next) ACL key checks and cluster slots all ask this module.
 *
 * A row states its keys one of three ways: `keys: [first, last, step]` (a
 * range; `last` negative counts from the end), a `numkeys` argument in its
 * syntax (ZUNION, EVAL, LMPOP...: the count is found from the syntax), or
 * explicit `keySpecs` for the rest (SORT ... STORE, a destination written
 * while the sources are read). Writes default to read-write keys.
 */
import type { Command, CommandSpec, KeySpec } from "./command.ts";
import { docArguments } from "./command_syntax.ts";

export type { KeySpec };

/** A key found in a call: its argv index, whether the command may write it, and its spec. */
export interface KeyRef {
  index: number;
  write: boolean;
  /** The key spec that found it, one of keySpecsOf(command.spec). */
  spec: KeySpec;
}

const specCache = new WeakMap<CommandSpec, readonly KeySpec[]>();

/** The command's key specs, in Redis's order (cached per row). */
export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  let specs = specCache.get(spec);
  if (specs === undefined) specCache.set(spec, specs = deriveKeySpecs(spec));
  return specs;
}

/**
 * Redis 7.0's key flags where they say more than a row's default (RW update
 * for a write): how each command uses its keys, as COMMAND INFO and
 * GETKEYSANDFLAGS report it and ACL key permissions read it. One entry per
 * key spec of the command.
 */
const REDIS_KEY_FLAGS = new Map<string, readonly (readonly string[])[]>();
for (
  const [flags, names] of [
    [[["RW", "insert"]], "append hsetnx linsert lpush lpushx rpush rpushx sadd"],
    [
      [["RW", "access", "delete"]],
      "blmpop blpop brpop bzmpop bzpopmax bzpopmin getdel lmpop lpop rpop spop zmpop zpopmax zpopmin",
    ],
    [
      [["RW", "access", "update"]],
      "decr decrby getex getset hincrby hincrbyfloat incr incrby incrbyfloat move setbit zincrby",
    ],
    [[["RM", "delete"]], "del unlink"],
    [
      [["RW", "delete"]],
      "hdel lrem ltrim srem zrem zremrangebylex zremrangebyrank zremrangebyscore",
    ],
    [[["OW", "update"]], "mset psetex restore restore-asking setex"],
    [[["OW", "insert"]], "msetnx setnx"],
    // SET's and BITFIELD's depend on their arguments (COMMAND GETKEYSANDFLAGS resolves them).
    [[["RW", "access", "update", "variable_flags"]], "set bitfield"],
    [[["RW", "update"], ["RO", "access"]], "sinterstore"],
    [[["RO", "access"]], "xreadgroup"],
  ] as const
) {
  for (const name of names.split(" ")) REDIS_KEY_FLAGS.set(name, flags);
}

/**
 * Commands moving from a source key (read, emptied) to a destination: two
 * specs, the destination's flags here (LMOVE, RENAME...).
 */
const MOVE_DESTINATIONS = new Map<string, readonly string[]>([
  ...["lmove", "blmove", "rpoplpush", "brpoplpush", "smove"].map((name) =>
    [name, ["RW", "insert"]] as const
  ),
  ["rename", ["OW", "update"]],
  ["renamenx", ["OW", "insert"]],
]);

function deriveKeySpecs(spec: CommandSpec): KeySpec[] {
  const destination = MOVE_DESTINATIONS.get(spec.name);
  if (destination !== undefined && spec.keys?.[0] === 1 && spec.keys[1] === 2) {
    return [keyRange(["RW", "access", "delete"], 1), keyRange(destination, 2)];
  }
  const specs = rowKeySpecs(spec);
  const flags = REDIS_KEY_FLAGS.get(spec.name);
  // Only where the specs line up: a subcommand may share a name (CONFIG SET) but not its keys.
  if (flags === undefined || flags.length !== specs.length) return specs;
  return specs.map((keySpec, i) => ({ ...keySpec, flags: flags[i]! }));
}

function rowKeySpecs(spec: CommandSpec): KeySpec[] {
  if (spec.handler === undefined) return [];
  if (spec.keySpecs !== undefined) return [...spec.keySpecs];
  const flags: KeySpec["flags"] = spec.flags.includes("write")
    ? ["RW", "update"]
    : spec.flags.includes("readonly")
    ? ["RO", "access"]
    : ["RW"];
  const specs: KeySpec[] = [];
  const keys = spec.keys;
  if (keys !== undefined && keys[0] > 0) {
    const [first, last, step] = keys;
    specs.push({
      flags,
      begin: { index: first },
      find: { range: { lastkey: last < 0 ? last : last - first, step, limit: 0 } },
    });
  }
  const numkeys = numkeysPosition(spec);
  if (numkeys !== undefined) {
    specs.push({
      flags,
      begin: { index: numkeys },
      find: { keynum: { at: 0, first: 1, step: 1 } },
    });
  }
  return specs;
}

/**
 * Where a `numkeys` count sits in argv (ZUNION, EVAL, LMPOP...): after the
 * required single arguments before it. Its keys follow it.
 */
function numkeysPosition(spec: CommandSpec): number | undefined {
  if (!spec.flags.includes("movablekeys")) return undefined;
  const args = docArguments(spec);
  for (const [i, arg] of args.entries()) {
    if (arg.name === "numkeys" && arg.token === undefined) return i + 1;
    if (arg.flags.length > 0 || arg.type === "block" || arg.type === "oneof") return undefined;
  }
  return undefined;
}

/** Whether a key spec lets the command change or delete the key. */
export function isWriteSpec(spec: KeySpec): boolean {
  return spec.flags.some((f) => f === "RW" || f === "OW" || f === "RM");
}

/**
 * The keys of one call, or undefined when the arguments do not fit the
 * command's specs (COMMAND GETKEYS then answers "Invalid arguments").
 * A keyword spec that finds no keyword contributes nothing, as in Redis.
 */
export function keysOf(command: Command, argv: readonly string[]): KeyRef[] | undefined {
  const refs: KeyRef[] = [];
  const specs = keySpecsOf(command.spec);
  const positions = command.spec.getKeys;
  if (positions !== undefined && specs[0] !== undefined) {
    const spec = specs[0];
    return positions(argv).map((index) => ({ index, write: isWriteSpec(spec), spec }));
  }
  for (const spec of specs) {
    const begin = beginIndex(spec, argv);
    if (begin === undefined) continue;
    if (begin >= argv.length) return undefined;
    const write = isWriteSpec(spec);
    const find = spec.find;
    if ("range" in find) {
      const { lastkey, step, limit } = find.range;
      let last = lastkey >= 0 ? begin + lastkey : argv.length + lastkey;
      if (lastkey < 0 && limit > 1) last = begin + Math.floor((argv.length - begin) / limit) - 1;
      if (last >= argv.length || last < begin) return undefined;
      for (let i = begin; i <= last; i += step) refs.push({ index: i, write, spec });
    } else {
      const { at, first, step } = find.keynum;
      const countArg = argv[begin + at];
      const count = countArg !== undefined && /^\d{1,9}$/.test(countArg) ? Number(countArg) : -1;
      const start = begin + first;
      if (count < 0 || start + (count - 1) * step >= argv.length) return undefined;
      for (let i = 0; i < count; i++) refs.push({ index: start + i * step, write, spec });
    }
  }
  return refs;
}

function beginIndex(spec: KeySpec, argv: readonly string[]): number | undefined {
  const begin = spec.begin;
  if ("index" in begin) return begin.index;
  const { keyword, from } = begin;
  const wanted = keyword.toLowerCase();
  if (from >= 0) {
    for (let i = from; i < argv.length; i++) {
      if (argv[i]?.toLowerCase() === wanted) return i + 1;
    }
  } else {
    for (let i = argv.length + from; i > 0; i--) {
      if (argv[i]?.toLowerCase() === wanted) return i + 1;
    }
  }
  return undefined;
}

/** Whether COMMAND GETKEYS has anything to find in this command. */
export function hasKeys(command: Command): boolean {
  return keySpecsOf(command.spec).length > 0;
}

// ---- building key specs for rows ---------------------------------------------

/** Redis's flags for a key only read. */
export const READ_KEY = ["RO", "access"] as const;
/** Redis's flags for a destination overwritten without being read (SINTERSTORE's). */
export const OVERWRITTEN_KEY = ["OW", "update"] as const;
/** Redis's flags for a key read and changed. */
export const UPDATED_KEY = ["RW", "update"] as const;

/** Keys from argv[index] to `lastkey` past it (negative: from the end), every `step`. */
export function keyRange(
  flags: readonly string[],
  index: number,
  lastkey = 0,
  step = 1,
): KeySpec {
  return { flags, begin: { index }, find: { range: { lastkey, step, limit: 0 } } };
}

/** Keys counted by argv[index], following it (ZUNIONSTORE's sources, EVAL's keys). */
export function countedKeys(flags: readonly string[], index: number): KeySpec {
  return { flags, begin: { index }, find: { keynum: { at: 0, first: 1, step: 1 } } };
}

/** The key after `keyword`, searched from argv[from] (negative: backwards from the end). */
export function keyAfter(flags: readonly string[], keyword: string, from: number): KeySpec {
  return { flags, begin: { keyword, from }, find: { range: { lastkey: 0, step: 1, limit: 0 } } };
}

/** Redis's flags for a key read, then changed (INCR, GETSET): ACL needs read and write. */
export const READ_UPDATED_KEY = ["RW", "access", "update"] as const;
/** Redis's flags for a key read, then taken from (LPOP, SPOP, GETDEL, a move's source). */
export const READ_DELETED_KEY = ["RW", "access", "delete"] as const;
/** Redis's flags for a key only added to (a move's destination). */
export const INSERTED_KEY = ["RW", "insert"] as const;
/** Redis's flags for a destination created only when missing (RENAMENX's). */
export const CREATED_KEY = ["OW", "insert"] as const;
