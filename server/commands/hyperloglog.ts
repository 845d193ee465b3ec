/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. A
 * HyperLogLog is a string holding Redis's own bytes (server/types/hyperloglog.ts),
 * so GET, SET, DUMP and RDB files carry it unchanged.
 */
import { arg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  HLL_INVALID,
  HLL_NO_KEY,
  HLL_NOT_SPARSE,
  HLL_WRONGTYPE,
  selfTestFailed,
  unknownPfdebug,
  WRONGTYPE,
} from "../errors.ts";
import { keyRange, READ_KEY } from "../key_specs.ts";
import { NotifyClass } from "../notify.ts";
import {
  cachedCardinalityAt,
  CorruptHllError,
  firstRaiseAt,
  HLL_REGISTERS,
  hllSelfTest,
  HyperLogLog,
  isDenseAt,
  isHllAt,
  MergedRegisters,
  raiseDense,
} from "../types/hyperloglog.ts";
import { ByteString, StringForm } from "../types/string.ts";
import { typed, WRONG_TYPE } from "../db.ts";

/** No keyspace event: PFCOUNT's cache refresh and PFDEBUG's conversions only count as changes. */
const NO_EVENT = 0 as NotifyClass;

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.server.config.getNumber("hll-sparse-max-bytes");
}

/** A value as a HyperLogLog, or Redis's WRONGTYPE errors (another type, or not an HLL). */
function asHll(value: unknown): HyperLogLog {
  if (typeof value !== "string") throw new CommandError(WRONGTYPE);
  const hll = HyperLogLog.fromBinary(value);
  if (hll === undefined) throw new CommandError(HLL_WRONGTYPE);
  return hll;
}

/**
 * The HyperLogLog over a stored string's bytes, edited in place (a dense one
 * is 12 KB: copying it in and out cost PFADD ~45 µs); HLL_WRONGTYPE if the
 * bytes are not one.
 */
function hllOver(value: ByteString): HyperLogLog {
  const hll = HyperLogLog.over(value);
  if (hll === undefined) throw new CommandError(HLL_WRONGTYPE);
  return hll;
}

/** The HyperLogLog in a value only to read (HyperLogLog.view); HLL_WRONGTYPE if it is not one. */
function hllView(value: ByteString): HyperLogLog {
  const hll = HyperLogLog.view(value);
  if (hll === undefined) throw new CommandError(HLL_WRONGTYPE);
  return hll;
}

/**
 * Hands an edited HyperLogLog back to its key (its TTL stays), where it was `was` bytes long.
 * A sparse one stays in the key's record: kept as a ByteString, a GET or PFCOUNT of it among 100k
 * keys cost 1.3× Redis's CPU, and the key 2.4× Redis's memory.
 */
function storeInPlace(ctx: CommandContext, key: string, hll: HyperLogLog, was: number) {
  if (hll.encoding === "dense") return ctx.db.replace(key, hll.toByteString(), StringForm.Raw);
  // Grown or as long: over the old bytes, in a record with room to grow (as APPEND's).
  const bytes = hll.bytes;
  if (bytes.length >= was && ctx.db.editInline(key, 0, bytes) !== undefined) return;
  ctx.db.replace(key, hll.toBinary(), StringForm.Raw);
}

/** Runs a step that may find the registers corrupt, answering INVALIDOBJ. */
function checked<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof CorruptHllError) throw new CommandError(HLL_INVALID);
    throw err;
  }
}

/** Stores a HyperLogLog back at an existing key (its TTL stays). */
function storeBack(ctx: CommandContext, key: string, hll: HyperLogLog): void {
  ctx.db.replace(key, hll.toBinary(), StringForm.Raw);
}

function pfadd(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  const view = ctx.db.viewBytesToWrite(key);
  // Ended by ctx.fail: a handler left by a throw stays in V8's baseline code.
  if (view === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (view === undefined) return addTo(ctx, key, argv, 2, HyperLogLog.create(), -1);
  const { page, start } = view;
  const len = view.end - start;
  if (!isHllAt(page, start, len)) return ctx.fail(HLL_WRONGTYPE);
  // Most PFADDs of elements seen before change nothing: answered where the value lies, no copy.
  const from = firstRaiseAt(page, start, len, argv, 2);
  if (from < 0) return ctx.out.int(0);
  if (!isDenseAt(page, start)) {
    return addTo(ctx, key, argv, from, HyperLogLog.copiedFrom(page, start, len), len);
  }
  // A dense value (past a few thousand elements) is raised where it lies, no HyperLogLog made.
  const current = ctx.db.getBytes(key)!;
  denseAdded(ctx, key, current, raiseDense(current, argv, from));
}

/**
 * PFADD's elements argv[from..] added to a sparse HyperLogLog, stored if one counted; `was`: the
 * stored value's length (-1: a new key's HyperLogLog).
 */
function addTo(
  ctx: CommandContext,
  key: string,
  argv: string[],
  from: number,
  hll: HyperLogLog,
  was: number,
) {
  const created = was < 0;
  let updated = created ? 1 : 0;
  const maxBytes = sparseMaxBytes(ctx);
  try {
    for (let i = from; i < argv.length; i++) if (hll.add(arg(argv, i), maxBytes)) updated++;
  } catch (err) {
    // Redis edits in place: what the elements before the corrupt spot changed stays.
    if (err instanceof CorruptHllError && !created) storeInPlace(ctx, key, hll, was);
    throw err instanceof CorruptHllError ? new CommandError(HLL_INVALID) : err;
  }
  if (updated > 0) {
    hll.invalidateCache();
    if (created) ctx.db.setBytes(key, hll.bytes, StringForm.Raw);
    else storeInPlace(ctx, key, hll, was);
    ctx.keyChanged(key, NotifyClass.String, "pfadd", updated);
  }
  ctx.out.int(updated > 0 ? 1 : 0);
}

/** The end of a PFADD to a dense value (raiseDense): `raised` registers rose. */
function denseAdded(ctx: CommandContext, key: string, value: ByteString, raised: number): void {
  if (raised > 0) {
    ctx.db.replace(key, value, StringForm.Raw);
    ctx.keyChanged(key, NotifyClass.String, "pfadd", raised);
  }
  ctx.out.int(raised > 0 ? 1 : 0);
}

/** Reused by every PFCOUNT and PFMERGE of several keys (handlers run one at a time). */
const merged = new MergedRegisters();

/** The registers of the existing keys argv[1..] merged (max of each) into `merged`. */
function mergeKeys(ctx: CommandContext, argv: string[]): MergedRegisters {
  merged.clear();
  for (let i = 1; i < argv.length; i++) {
    const value = typed(ctx.db.viewBytes(argv[i]!));
    if (value === undefined) continue;
    const hll = hllView(new ByteString(value.page.subarray(value.start, value.end)));
    checked(() => hll.mergeInto(merged));
  }
  return merged;
}

function pfcount(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 2) return ctx.out.int(mergeKeys(ctx, argv).estimate());
  const key = arg(argv, 1);
  const view = ctx.db.viewBytes(key);
  if (view === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (view === undefined) return ctx.out.int(0);
  // A cached count is read where the value lies: nothing copied, nothing changes.
  if (!isHllAt(view.page, view.start, view.end - view.start)) return ctx.fail(HLL_WRONGTYPE);
  const cached = cachedCardinalityAt(view.page, view.start);
  if (cached !== undefined) return ctx.out.int(cached);
  const len = view.end - view.start;
  const hll = HyperLogLog.copiedFrom(view.page, view.start, len);
  const card = checked(() => hll.count());
  hll.setCachedCardinality(card);
  storeInPlace(ctx, key, hll, len);
  ctx.keyChanged(key, NO_EVENT, "");
  ctx.out.int(card);
}

function pfmerge(ctx: CommandContext, argv: string[]): void {
  mergeKeys(ctx, argv);
  const key = arg(argv, 1);
  // The destination was read as a source, so it is missing or a valid HyperLogLog.
  const current = ctx.db.getBytes(key);
  const hll = current === undefined ? HyperLogLog.create() : hllOver(current);
  if (merged.dense) checked(() => hll.toDense());
  hll.raiseAll(merged, sparseMaxBytes(ctx));
  if (current === undefined) ctx.db.setBytes(key, hll.bytes, StringForm.Raw);
  else storeInPlace(ctx, key, hll, current.length);
  ctx.keyChanged(key, NotifyClass.String, "pfadd");
  ctx.out.ok();
}

function pfdebug(ctx: CommandContext, argv: string[]): void {
  const sub = arg(argv, 1);
  const key = arg(argv, 2);
  const value = ctx.db.get(key);
  if (value === undefined) throw new CommandError(HLL_NO_KEY);
  const hll = asHll(value);
  const toDense = () => {
    if (!checked(() => hll.toDense())) return false;
    storeBack(ctx, key, hll);
    ctx.server.dirty++;
    return true;
  };
  switch (sub.toLowerCase()) {
    case "getreg":
      toDense();
      ctx.out.array(HLL_REGISTERS);
      for (const register of hll.registers()) ctx.out.int(register);
      return;
    case "decode":
      if (hll.encoding !== "sparse") throw new CommandError(HLL_NOT_SPARSE);
      return ctx.out.bulk(hll.decode());
    case "encoding":
      return ctx.out.simple(hll.encoding);
    case "todense":
      return ctx.out.int(toDense() ? 1 : 0);
  }
  throw new CommandError(unknownPfdebug(sub));
}

function pfselftest(ctx: CommandContext): void {
  const failure = hllSelfTest(sparseMaxBytes(ctx));
  if (failure !== undefined) throw new CommandError(selfTestFailed(failure));
  ctx.out.ok();
}

export const hyperloglogCommands: CommandSpec[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(["RW", "insert"], 1)],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Adds the specified elements to the specified HyperLogLog.",
    syntax: "key [element [element ...]]",
    complexity: "O(1) to add every element.",
    handler: pfadd,
  },
  {
    name: "pfcount",
    arity: -2,
    flags: ["readonly", "may_replicate"],
    // One key's count is O(1) (its 16384 registers at most), several keys' O(keys).
    boundedByArgs: true,
    keys: [1, -1, 1],
    keySpecs: [keyRange(["RW", "access"], 1, -1)],
    group: "hyperloglog",
    since: "2.8.9",
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    syntax: "key [key ...]",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    handler: pfcount,
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    keySpecs: [keyRange(["RW", "access", "insert"], 1), keyRange(READ_KEY, 2, -1)],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Merge N different HyperLogLogs into a single one.",
    syntax: "destkey [sourcekey [sourcekey ...]]",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    handler: pfmerge,
  },
  {
    name: "pfdebug",
    arity: 3,
    flags: ["write", "denyoom", "admin"],
    keys: [2, 2, 1],
    keySpecs: [keyRange(["RW", "access"], 2)],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Internal commands for debugging HyperLogLog values",
    syntax: "subcommand key",
    complexity: "N/A",
    handler: pfdebug,
  },
  {
    name: "pfselftest",
    arity: 1,
    flags: ["admin"],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "An internal command for testing HyperLogLog values",
    syntax: "",
    complexity: "N/A",
    handler: pfselftest,
  },
];
