/** Bit operations on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD. */
import { keyRange, OVERWRITTEN_KEY, READ_KEY, READ_UPDATED_KEY } from "../key_specs.ts";
import { arg, intArg, isWord, parseInt64, parseInteger } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { type CommandSpec, offsetAt, rangeEndAt, shortNumbersFrom } from "../command.ts";
import {
  BIT_ARGUMENT,
  BIT_OFFSET,
  BIT_VALUE,
  BITFIELD_OVERFLOW_TYPE,
  BITFIELD_RO_GET_ONLY,
  BITFIELD_TYPE,
  BITOP_NOT_ONE_KEY,
  CommandError,
  NOT_INTEGER,
  SYNTAX,
  WRONGTYPE,
} from "../errors.ts";
import { typed, WRONG_TYPE, type WrongType } from "../db.ts";
import type { PageBytes } from "../types/page_bytes.ts";
import { NotifyClass } from "../notify.ts";
import { StringForm } from "../types/string.ts";
import { checkStringLength } from "./strings_edit.ts";
import { countBits, POPCOUNT } from "../types/popcount.ts";
import { type BitOp, foldedBytes, foldFirst, foldNext } from "../types/bit_fold.ts";
import { PROTO_MAX_BULK_LEN_MIN } from "../config_params.ts";

const EMPTY = new Uint8Array(0);

/**
 * A bit offset as Redis's getBitOffsetFromArgument takes it: non-negative,
 * addressing a byte below proto-max-bulk-len; with `bits`, "#n" means n x bits.
 * -1 for one it refuses (BIT_OFFSET), which its handler ends by ctx.fail.
 */
function bitOffset(ctx: CommandContext, arg: string, bits = 0): number {
  const hashed = bits > 0 && arg.charCodeAt(0) === 35; // #
  // A number is exact to 2^53, far past any offset allowed; beyond, it only needs to be big.
  const parsed = parseInteger(hashed ? arg.slice(1) : arg);
  if (parsed === undefined) return -1;
  const offset = hashed ? parsed * bits : parsed;
  if (offset < 0) return -1;
  // Under proto-max-bulk-len's least value, an offset needs no config lookup.
  if (offset < SMALL_OFFSET) return offset;
  const maxBytes = ctx.server.config.getNumber("proto-max-bulk-len");
  return Math.floor(offset / 8) >= maxBytes ? -1 : offset;
}

/** Bit offsets within the least proto-max-bulk-len allowed. */
const SMALL_OFFSET = 8 * PROTO_MAX_BULK_LEN_MIN;

/**
 * The string at `key` as bytes to write, zero-padded to hold bit `maxBit`
 * (Redis's lookupStringForBitCommand). The database's `editGrew` then says
 * whether the key was created or lengthened, which counts as a change even
 * if no bit flips.
 */
function bytesForWrite(ctx: CommandContext, key: string, maxBit: number): PageBytes | WrongType {
  const needed = Math.floor(maxBit / 8) + 1;
  // No length under 1 MB is too long (see SMALL_OFFSET).
  if (needed > SMALL_OFFSET / 8) checkStringLength(ctx, needed);
  return ctx.db.editBytes(key, needed);
}

function setBit(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  const offset = bitOffset(ctx, arg(argv, 2));
  if (offset < 0) return ctx.fail(BIT_OFFSET);
  const on = parseInteger(arg(argv, 3));
  if (on !== 0 && on !== 1) return ctx.fail(BIT_VALUE);
  // Redis unshares the string (making it raw) even when no bit changes.
  const view = bytesForWrite(ctx, key, offset);
  if (view === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const grew = ctx.db.editGrew;
  const bytes = view.page;
  // Offsets reach 2^32: `>> 3` would wrap.
  const byte = view.start + Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  // bytesForWrite grew the string to hold `offset`.
  const old = bytes[byte]!;
  const was = (old & mask) !== 0;
  bytes[byte] = on === 1 ? old | mask : old & ~mask;
  if (grew || was !== (on === 1)) {
    ctx.keyChanged(key, NotifyClass.String, "setbit");
  }
  ctx.out.int(was ? 1 : 0);
}

function getBit(ctx: CommandContext, argv: string[]): void {
  const offset = bitOffset(ctx, arg(argv, 2));
  if (offset < 0) return ctx.fail(BIT_OFFSET);
  const value = ctx.db.viewBytes(arg(argv, 1));
  if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const byte = Math.floor(offset / 8);
  const bit = value !== undefined && byte < value.end - value.start
    ? (value.page[value.start + byte]! >> (7 - (offset & 7))) & 1
    : 0;
  ctx.out.int(bit);
}

/** BITCOUNT/BITPOS's optional BYTE|BIT unit. */
function isBitUnit(arg: string): boolean {
  if (isWord(arg, "bit")) return true;
  if (isWord(arg, "byte")) return false;
  throw new CommandError(SYNTAX);
}

/** clampRange's result, in place of a pair allocated per call (past 2^31 bits: doubles). */
const range = new Float64Array(2);

/**
 * Clamps a [start, end] range the way BITCOUNT and BITPOS do: negative
 * indexes from the end, end capped at the last index, into `range`. False
 * for an empty range.
 */
function clampRange(start: number, end: number, total: number): boolean {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  range[0] = start;
  range[1] = end;
  return start <= end;
}

function bitCount(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.viewBytes(arg(argv, 1));
  if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (value === undefined) return ctx.out.int(0);
  // Offsets below are into the string; `at` adds where it lies in `bytes`.
  const { page: bytes, start: at, end } = value;
  if (argv.length === 2) return ctx.out.int(countBits(bytes, at, end - 1));
  if (argv.length > 5 || argv.length === 3) throw new CommandError(SYNTAX);
  const start = intArg(arg(argv, 2));
  const last = intArg(arg(argv, 3));
  if (start < 0 && last < 0 && start > last) return ctx.out.int(0);
  const bits = argv.length === 5 && isBitUnit(arg(argv, 4));
  const length = end - at;
  if (!clampRange(start, last, bits ? length * 8 : length)) return ctx.out.int(0);
  if (!bits) return ctx.out.int(countBits(bytes, at + range[0]!, at + range[1]!));
  const firstBit = range[0]!;
  const lastBit = range[1]!;
  const firstByte = at + (firstBit >> 3);
  const lastByte = at + (lastBit >> 3);
  let n = countBits(bytes, firstByte, lastByte);
  // Take back the bits of the edge bytes that lie outside the range.
  n -= POPCOUNT[bytes[firstByte]! & ~((1 << (8 - (firstBit & 7))) - 1) & 0xff]!;
  n -= POPCOUNT[bytes[lastByte]! & ((1 << (7 - (lastBit & 7))) - 1)]!;
  ctx.out.int(n);
}

function bitPos(ctx: CommandContext, argv: string[]): void {
  const bit = intArg(arg(argv, 2));
  if (bit !== 0 && bit !== 1) throw new CommandError(BIT_ARGUMENT);
  const value = ctx.db.viewBytes(arg(argv, 1));
  if (value === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  // A missing key is an endless run of zero bits.
  if (value === undefined) return ctx.out.int(bit ? -1 : 0);
  if (argv.length > 6) throw new CommandError(SYNTAX);
  const bytes = value.page;
  const at = value.start;
  const byteLength = value.end - at;
  let start = 0;
  let end = byteLength - 1;
  let bits = false;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    start = intArg(arg(argv, 3));
    if (argv.length === 6) bits = isBitUnit(arg(argv, 5));
    if (endGiven) end = intArg(arg(argv, 4));
    else end = bits ? byteLength * 8 + 7 : byteLength - 1;
  }
  if (!clampRange(start, end, argv.length >= 4 && bits ? byteLength * 8 : byteLength)) {
    return ctx.out.int(-1);
  }
  // Work in bits from here: the range in bit positions (under 2^32: `>>> 3` is exact).
  const first = bits ? range[0]! : range[0]! * 8;
  const last = bits ? range[1]! : range[1]! * 8 + 7;
  for (let pos = first; pos <= last; pos++) {
    const byte = bytes[at + (pos >>> 3)]!;
    if ((pos & 7) === 0 && pos + 7 <= last && byte === (bit ? 0 : 0xff)) {
      // Skip a whole byte that cannot hold the bit we look for.
      pos += 7;
      continue;
    }
    if (((byte >> (7 - (pos & 7))) & 1) === bit) return ctx.out.int(pos);
  }
  // No clear bit in the string: without an explicit end, the zero padding past it counts.
  ctx.out.int(bit === 0 && !endGiven ? last + 1 : -1);
}

/** BITOP's operation in any case (no lower-case copy); SYNTAX for another word. */
function bitOpOf(word: string): BitOp {
  if (isWord(word, "and")) return "and";
  if (isWord(word, "or")) return "or";
  if (isWord(word, "xor")) return "xor";
  if (isWord(word, "not")) return "not";
  throw new CommandError(SYNTAX);
}

function bitOp(ctx: CommandContext, argv: string[]): void {
  const op = bitOpOf(arg(argv, 1));
  if (op === "not" && argv.length !== 4) throw new CommandError(BITOP_NOT_ONE_KEY);
  const db = ctx.db;
  // Each source is viewed where it is stored and folded in before the next
  // lookup (which might expire a key and move records), and the result is
  // stored from the fold's memory.
  for (let k = 3; k < argv.length; k++) {
    const value = typed(db.viewBytes(arg(argv, k)));
    const page = value === undefined ? EMPTY : value.page;
    const start = value === undefined ? 0 : value.start;
    const end = value === undefined ? 0 : value.end;
    if (k === 3) foldFirst(op, page, start, end);
    else foldNext(op, page, start, end);
  }
  const result = foldedBytes();
  const target = arg(argv, 2);
  if (result.length === 0) {
    if (db.delete(target)) ctx.server.keyChanged(db, target, NotifyClass.Generic, "del");
    return ctx.out.int(0);
  }
  db.setBytes(target, result, StringForm.Raw);
  ctx.server.keyChanged(db, target, NotifyClass.String, "set");
  ctx.out.int(result.length);
}

// ---- BITFIELD ---------------------------------------------------------------

type Overflow = "wrap" | "sat" | "fail";

interface FieldOp {
  kind: "get" | "set" | "incrby";
  signed: boolean;
  bits: number;
  offset: number;
  /**
   * SET's value or INCRBY's increment. An argument under 16 chars is a
   * number (exact below 2^50, so a sum with a field of up to 32 bits stays
   * exact) and `big` is undefined; a longer one is in `big`.
   */
  value: number;
  big: bigint | undefined;
  overflow: Overflow;
}

/** i1..i64 or u1..u63, as Redis's getBitfieldTypeFromArgument (string2ll: no sign, no leading 0). */
function fieldType(arg: string): number {
  const sign = arg.charCodeAt(0);
  const signed = sign === 105; // i
  if (!signed && sign !== 117 /* u */) throw new CommandError(BITFIELD_TYPE);
  const d1 = arg.charCodeAt(1) - 48;
  const d2 = arg.length === 3 ? arg.charCodeAt(2) - 48 : 0;
  const bits = arg.length === 2 ? d1 : d1 * 10 + d2;
  if (
    arg.length < 2 || arg.length > 3 || !(d1 >= 1 && d1 <= 9) || !(d2 >= 0 && d2 <= 9) ||
    bits > (signed ? 64 : 63)
  ) {
    throw new CommandError(BITFIELD_TYPE);
  }
  return signed ? -bits : bits;
}

function parseFieldOps(ctx: CommandContext, argv: string[]): number {
  // A call's operations are done before the next call parses its own.
  if (parsedOps.length > KEPT_OPS) parsedOps.length = KEPT_OPS;
  let count = 0;
  let overflow: Overflow = "wrap";
  // fieldOpKind checks that a subcommand's arguments are there.
  let i = 2;
  while (i < argv.length) {
    const sub = argv[i++]!;
    const remaining = argv.length - i;
    if (isWord(sub, "overflow") && remaining >= 1) {
      overflow = overflowType(argv[i++]!);
      continue;
    }
    const kind = fieldOpKind(sub, remaining);
    if (kind === undefined) throw new CommandError(SYNTAX);
    const type = fieldType(argv[i++]!);
    const bits = type < 0 ? -type : type;
    const offset = bitOffset(ctx, argv[i++]!, bits);
    if (offset < 0) throw new CommandError(BIT_OFFSET);
    let value = 0;
    let big: bigint | undefined;
    if (kind !== "get") {
      const text = argv[i++]!;
      const n = text.length < 16 ? parseInteger(text) : undefined;
      if (n !== undefined) value = n;
      else if ((big = parseInt64(text)) === undefined) throw new CommandError(NOT_INTEGER);
    }
    const op = parsedOps[count] ?? newFieldOp();
    op.kind = kind;
    op.signed = type < 0;
    op.bits = bits;
    op.offset = offset;
    op.value = value;
    op.big = big;
    op.overflow = overflow;
    count++;
  }
  return count;
}

/** BITFIELD's parsed operations: records reused by every call, up to KEPT_OPS kept between calls. */
const parsedOps: FieldOp[] = [];
const KEPT_OPS = 64;

function newFieldOp(): FieldOp {
  const op: FieldOp = {
    kind: "get",
    signed: false,
    bits: 0,
    offset: 0,
    value: 0,
    big: undefined,
    overflow: "wrap",
  };
  parsedOps.push(op);
  return op;
}

function overflowType(arg: string): Overflow {
  if (isWord(arg, "wrap")) return "wrap";
  if (isWord(arg, "sat")) return "sat";
  if (isWord(arg, "fail")) return "fail";
  throw new CommandError(BITFIELD_OVERFLOW_TYPE);
}

/** A BITFIELD subcommand with the arguments it needs still there. */
function fieldOpKind(sub: string, remaining: number): FieldOp["kind"] | undefined {
  if (isWord(sub, "get")) return remaining >= 2 ? "get" : undefined;
  if (remaining < 3) return undefined;
  if (isWord(sub, "set")) return "set";
  if (isWord(sub, "incrby")) return "incrby";
  return undefined;
}

/** Widest field read and written with numbers (exact), not bigints. */
const NUMBER_BITS = 32;

/** 2^i for i in 0..64: `2 ** bits` with a variable exponent is a call to Math.pow. */
const POW2 = Float64Array.from({ length: 65 }, (_, i) => 2 ** i);

/**
 * A field of up to NUMBER_BITS bits; bits past the end of `bytes` read as
 * zero. The (at most 5) bytes it spans are read as one number and the field
 * cut out of it: in int32 arithmetic when they are 4 or fewer (the usual
 * case), else as a double (exact to 40 bits).
 */
function readSmallField(bytes: Uint8Array, offset: number, bits: number, signed: boolean): number {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  const tail = 7 - ((offset + bits - 1) & 7);
  if (last - first < 4) {
    let v = 0;
    for (let i = first; i <= last; i++) v = (v << 8) | (bytes[i] ?? 0);
    // Move the field to the top bits, then back down with (signed) or without sign.
    v <<= 32 - bits - tail;
    return signed ? v >> (32 - bits) : v >>> (32 - bits);
  }
  let v = 0;
  for (let i = first; i <= last; i++) v = v * 256 + (bytes[i] ?? 0);
  const span = POW2[bits]!;
  v = Math.floor(v / POW2[tail]!) % span;
  return signed && v >= span / 2 ? v - span : v;
}

/** Stores `value` (an integer within the field's signed or unsigned range) in a field of up to NUMBER_BITS bits. */
function writeSmallField(bytes: Uint8Array, offset: number, bits: number, value: number): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  const tail = 7 - ((offset + bits - 1) & 7);
  if (last - first < 4) {
    let v = 0;
    for (let i = first; i <= last; i++) v = (v << 8) | bytes[i]!;
    // `<<` takes the value modulo 2^32, which keeps its low `bits` bits.
    const mask = (-1 >>> (32 - bits)) << tail;
    v = (v & ~mask) | ((value << tail) & mask);
    for (let i = last; i >= first; i--) {
      bytes[i] = v;
      v >>>= 8;
    }
    return;
  }
  let v = 0;
  for (let i = first; i <= last; i++) v = v * 256 + bytes[i]!;
  const span = POW2[bits]!;
  const unit = POW2[tail]!;
  const field = value < 0 ? value + span : value;
  v = (Math.floor(v / (unit * span)) * span + field) * unit + (v % unit);
  for (let i = last; i >= first; i--) {
    bytes[i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** A field of any width (up to 64 bits) as a bigint; bits past the end of `bytes` read as zero. */
function readField(bytes: Uint8Array, offset: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = bytes[Math.floor(pos / 8)] ?? 0;
    v = (v << 1n) | BigInt((byte >> (7 - (pos & 7))) & 1);
  }
  return signed ? BigInt.asIntN(bits, v) : v;
}

function writeField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = Math.floor(pos / 8);
    const mask = 1 << (7 - (pos & 7));
    if ((u >> BigInt(bits - 1 - i)) & 1n) bytes[byte]! |= mask;
    else bytes[byte]! &= ~mask;
  }
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * The value a SET/INCRBY stores, or undefined when OVERFLOW FAIL refuses it,
 * decided as Redis's check{Signed,Unsigned}BitfieldOverflow decide: SET is
 * an increment of 0 from its argument (taken as a uint64 for unsigned
 * fields), and the headroom `max - value` is an int64 that can wrap, so a
 * signed SET of a value near -2^63 overflows upwards and saturates to max.
 */
function fieldResult(op: FieldOp, old: bigint): bigint | undefined {
  const arg = op.big ?? BigInt(op.value);
  const set = op.kind === "set";
  const bits = BigInt(op.bits);
  const incr = set ? 0n : arg;
  let value: bigint;
  let max: bigint;
  let min: bigint;
  let direction = 0;
  if (op.signed) {
    value = set ? arg : old;
    max = op.bits === 64 ? INT64_MAX : (1n << (bits - 1n)) - 1n;
    min = -max - 1n;
    const maxIncr = BigInt.asIntN(64, max - value);
    const minIncr = BigInt.asIntN(64, min - value);
    const narrow = op.bits !== 64;
    if (value > max || (narrow && incr > maxIncr) || (value >= 0n && incr > maxIncr && incr > 0n)) {
      direction = 1;
    } else if (
      value < min || (narrow && incr < minIncr) || (value < 0n && incr < minIncr && incr < 0n)
    ) {
      direction = -1;
    }
  } else {
    value = set ? BigInt.asUintN(64, arg) : old;
    max = (1n << bits) - 1n;
    min = 0n;
    if (value > max || (incr > 0n && incr > BigInt.asIntN(64, max - value))) direction = 1;
    else if (incr < 0n && incr < BigInt.asIntN(64, -value)) direction = -1;
  }
  if (direction === 0) return value + incr;
  if (op.overflow === "fail") return undefined;
  if (op.overflow === "sat") return direction > 0 ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, value + incr) : BigInt.asUintN(op.bits, value + incr);
}

/**
 * fieldResult in numbers, for fields of up to NUMBER_BITS bits and a value
 * not in `big`: Redis's int64 headroom cannot wrap for such small values,
 * so the exact sum decides.
 */
function smallFieldResult(op: FieldOp, old: number): number | undefined {
  const span = POW2[op.bits]!;
  const max = op.signed ? span / 2 - 1 : span - 1;
  const min = op.signed ? -span / 2 : 0;
  const exact = op.kind === "set" ? op.value : old + op.value;
  if (exact >= min && exact <= max) return exact;
  if (op.overflow === "fail") return undefined;
  if (op.overflow === "sat") {
    // A negative unsigned SET value is a huge uint64.
    return exact > max || (op.kind === "set" && !op.signed) ? max : min;
  }
  const wrapped = exact - Math.floor(exact / span) * span;
  return op.signed && wrapped > max ? wrapped - span : wrapped;
}

function bitField(ctx: CommandContext, argv: string[], readOnly: boolean): void {
  const count = parseFieldOps(ctx, argv);
  const ops = parsedOps;
  const key = arg(argv, 1);
  const out = ctx.out;
  let maxBit = -1;
  for (let i = 0; i < count; i++) {
    const op = ops[i]!;
    if (op.kind !== "get") maxBit = Math.max(maxBit, op.offset + op.bits - 1);
  }
  if (maxBit < 0) {
    const value = typed(ctx.db.viewBytes(key));
    const bytes = value === undefined ? EMPTY : value.page.subarray(value.start, value.end);
    out.array(count);
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      out.int(
        op.bits <= NUMBER_BITS
          ? readSmallField(bytes, op.offset, op.bits, op.signed)
          : readField(bytes, op.offset, op.bits, op.signed),
      );
    }
    return;
  }
  if (readOnly) throw new CommandError(BITFIELD_RO_GET_ONLY);
  const view = typed(bytesForWrite(ctx, key, maxBit));
  const grew = ctx.db.editGrew;
  const bytes = view.page.subarray(view.start, view.end);
  let changes = 0;
  out.array(count);
  for (let i = 0; i < count; i++) {
    const op = ops[i]!;
    if (op.bits <= NUMBER_BITS && op.big === undefined) {
      const old = readSmallField(bytes, op.offset, op.bits, op.signed);
      if (op.kind === "get") {
        out.int(old);
        continue;
      }
      const stored = smallFieldResult(op, old);
      if (stored === undefined) {
        out.nil();
        continue;
      }
      out.int(op.kind === "set" ? old : stored);
      writeSmallField(bytes, op.offset, op.bits, stored);
      if (grew || stored !== old) changes++;
      continue;
    }
    const old = readField(bytes, op.offset, op.bits, op.signed);
    if (op.kind === "get") {
      out.int(old);
      continue;
    }
    const stored = fieldResult(op, old);
    if (stored === undefined) {
      out.nil();
      continue;
    }
    out.int(op.kind === "set" ? old : stored);
    writeField(bytes, op.offset, op.bits, stored);
    if (grew || stored !== old) changes++;
  }
  // Like Redis, the key exists (zero-filled) even if every write failed.
  if (changes > 0) {
    ctx.keyChanged(key, NotifyClass.String, "setbit", changes);
  }
}

export const bitmapCommands: CommandSpec[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    boundedByArgs: offsetAt(2),
    keySpecs: [keyRange(READ_UPDATED_KEY, 1)],
    group: "bitmap",
    since: "2.2.0",
    summary:
      "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
    syntax: "key offset value",
    handler: setBit,
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "bitmap",
    since: "2.2.0",
    summary: "Returns a bit value by offset.",
    syntax: "key offset",
    handler: getBit,
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: rangeEndAt(3),
    group: "bitmap",
    since: "2.6.0",
    summary: "Counts the number of set bits (population counting) in a string.",
    syntax: "key [start end [BYTE | BIT]]",
    handler: bitCount,
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "bitmap",
    since: "2.8.7",
    summary: "Finds the first set (1) or clear (0) bit in a string.",
    syntax: "key bit [start [end [BYTE | BIT]]]",
    handler: bitPos,
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [2, -1, 1],
    keySpecs: [keyRange(OVERWRITTEN_KEY, 2), keyRange(READ_KEY, 3, -1)],
    group: "bitmap",
    since: "2.6.0",
    summary: "Performs bitwise operations on multiple strings, and stores the result.",
    syntax: "AND | OR | XOR | NOT destkey key [key ...]",
    handler: bitOp,
  },
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    boundedByArgs: shortNumbersFrom(2),
    group: "bitmap",
    since: "3.2.0",
    summary: "Performs arbitrary bitfield integer operations on strings.",
    syntax:
      "key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset value | INCRBY encoding offset increment ...]",
    handler: (ctx, argv) => bitField(ctx, argv, false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "bitmap",
    since: "6.0.0",
    summary: "Performs arbitrary read-only bitfield integer operations on strings.",
    syntax: "key [GET encoding offset [GET encoding offset ...]]",
    handler: (ctx, argv) => bitField(ctx, argv, true),
  },
];
