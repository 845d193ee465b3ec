/**
 * HyperLogLog in Redis's own representation, byte for byte, so that a value
 * moves between redis-home and Redis as the plain string it is (GET, SET,
 * DUMP, RDB) and the same elements give the same registers and estimates.
 *
 * Layout: a 16-byte header ("HYLL", encoding 0 dense / 1 sparse, 3 zero
 * bytes, the cached cardinality as a little-endian uint64 whose top bit
 * marks it stale) followed by the registers: 16384 six-bit registers packed
 * LSB first (dense, always 12304 bytes), or a run-length code (sparse):
 * ZERO `00xxxxxx` (1-64 zero registers), XZERO `01xxxxxx yyyyyyyy` (1-16384
 * zero registers), VAL `1vvvvvxx` (1-4 registers of value 1-32). A sparse
 * value grows until a register needs more than 32 or its length would pass
 * hll-sparse-max-bytes; then it becomes dense for good.
 *
 * The sparse editing follows Redis's steps exactly (which opcode is split
 * how, which neighbours are merged) because those choices decide the bytes.
 * A sparse value whose opcodes do not cover exactly 16384 registers is
 * corrupt (INVALIDOBJ) wherever it is read whole; Redis 7.0.15 as patched
 * for CVE-2025-32023 (Debian's redis-server, our reference) also refuses
 * opcodes past the last register, which older builds ignored.
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import {
  HLL_DENSE_SPARSE_DISAGREE,
  HLL_SPARSE_NOT_USED,
  hllErrorTooBig,
  hllRegisterMismatch,
} from "../errors.ts";
import { murmurHash64AWord } from "./murmur.ts";
import { ByteString } from "./string.ts";
import {
  CARD_AT,
  DENSE,
  denseGet,
  denseGetAt,
  denseRaise,
  denseSet,
  ENCODING_AT,
  HDR,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  hllPattern,
  isXzero,
  isZero,
  markStale,
  P,
  patternOfHash,
  Q,
  SEED,
  SPARSE,
  splitOpcode,
  splitSeq,
  VAL_MAX_LEN,
  VAL_MAX_VALUE,
  valLen,
  valOp,
  valValue,
  XZERO_MAX_LEN,
  xzeroLen,
  zeroLen,
} from "./hll_layout.ts";

export { HLL_DENSE_SIZE, HLL_REGISTERS, hllPattern } from "./hll_layout.ts";

/** Thrown when a value passes the header checks but its registers are corrupt (INVALIDOBJ). */
export class CorruptHllError extends Error {
  constructor() {
    super("corrupted HyperLogLog");
  }
}

/** 0.5 / ln(2), the bias constant of the estimator for m -> infinity. */
const ALPHA_INF = 0.721347520444481703680;
/** What llroundl gives on x86-64 when the estimate does not fit an int64. */
const LLONG_MIN = -(1n << 63n);

// ---- the estimator -----------------------------------------------------------

/* Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"
 * (arXiv:1702.01284), as Redis 7 computes it. */

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrev !== z);
  return z / 3;
}

/** The cardinality estimate from a histogram of register values (64 slots). */
function estimate(histogram: Float64Array): bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[Q + 1]!) / m);
  for (let j = Q; j >= 1; j--) {
    z += histogram[j]!;
    z *= 0.5;
  }
  z += m * sigma(histogram[0]! / m);
  const e = Math.round(ALPHA_INF * m * m / z);
  return e < 2 ** 63 ? BigInt(e) : LLONG_MIN;
}

/** Scratch for MergedRegisters.estimate: counting in integers first ran ~10x faster. */
const counts = new Uint32Array(64);
const histogram = new Float64Array(64);

/**
 * The registers of several HyperLogLogs merged, each the max over the
 * sources (PFCOUNT and PFMERGE of several keys). Reused from call to call:
 * it remembers which registers rose from zero, so that estimating, writing
 * and clearing visit those alone, a few hundred of the 16384 for small
 * sparse values, instead of a fresh 16 KB array scanned whole.
 */
export class MergedRegisters {
  /** Register i's highest value among the sources merged. */
  readonly max = new Uint8Array(HLL_REGISTERS);
  /** The registers whose max is not zero: the first `size` entries. */
  readonly raised = new Uint16Array(HLL_REGISTERS);
  size = 0;
  /** Whether a source was dense (PFMERGE's result is then dense). */
  dense = false;

  /** Back to no sources merged. */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.max[this.raised[i]!] = 0;
    this.size = 0;
    this.dense = false;
  }

  /** Raises register `reg` to `value` (not zero) if that is higher. */
  raise(reg: number, value: number): void {
    const old = this.max[reg]!;
    if (value <= old) return;
    if (old === 0) this.raised[this.size++] = reg;
    this.max[reg] = value;
  }

  /** The estimate of the merged registers, as Redis counts its HLL_RAW value. */
  estimate(): bigint {
    counts.fill(0);
    for (let i = 0; i < this.size; i++) counts[this.max[this.raised[i]!]!]!++;
    counts[0] = HLL_REGISTERS - this.size;
    for (let j = 0; j < 64; j++) histogram[j] = counts[j]!;
    return estimate(histogram);
  }
}

// ---- the value ---------------------------------------------------------------

/**
 * Whether bytes[start, start + len) pass Redis's HyperLogLog checks (magic,
 * encoding, dense length), read where they lie: PFCOUNT's cached count needs
 * no copy and no HyperLogLog.
 */
export function isHllAt(b: Uint8Array, start: number, len: number): boolean {
  // The magic "HYLL", then the encoding.
  if (len < HDR || b[start] !== 0x48 || b[start + 1] !== 0x59) return false;
  if (b[start + 2] !== 0x4c || b[start + 3] !== 0x4c) return false;
  const encoding = b[start + ENCODING_AT];
  return encoding === SPARSE || (encoding === DENSE && len === HLL_DENSE_SIZE);
}

/** Whether the valid HyperLogLog at b[start] is dense. */
export const isDenseAt = (b: Uint8Array, start: number) => b[start + ENCODING_AT] === DENSE;

/**
 * PFADD of elements[from..] to a valid dense value, raised where its bytes lie (no
 * HyperLogLog made); its cached count made stale if a register rose. How many rose, or -1
 * when `value` is not a valid dense HyperLogLog (sparse, or not one at all).
 */
export function raiseDense(value: ByteString, elements: readonly string[], from: number): number {
  const b = value.bytes;
  if (!isHllAt(b, 0, value.length) || b[ENCODING_AT] !== DENSE) return -1;
  let raised = 0;
  // The last register's high bits lie past the data: masked off whatever is there (denseGet).
  for (let i = from; i < elements.length; i++) {
    const pattern = hllPattern(elements[i]!);
    if (denseRaise(b, pattern & (HLL_REGISTERS - 1), pattern >>> P)) raised++;
  }
  if (raised > 0) {
    markStale(b);
    value.adopt(b, value.length);
  }
  return raised;
}

/**
 * The first of PFADD's elements[from..] that could change the valid HyperLogLog at b[start,
 * start + len), read where it lies: one whose register is lower than its count, or whose sparse
 * walk finds no register. -1 when every register already holds its count (Redis's no-change
 * answer); adding the elements before the one returned would change nothing either.
 */
export function firstRaiseAt(
  b: Uint8Array,
  start: number,
  len: number,
  elements: readonly string[],
  from: number,
): number {
  const dense = b[start + ENCODING_AT] === DENSE;
  for (let i = from; i < elements.length; i++) {
    const pattern = hllPattern(elements[i]!);
    const reg = pattern & (HLL_REGISTERS - 1);
    const held = dense ? denseGetAt(b, start, reg) : sparseValAt(b, start, start + len, reg);
    if (held < pattern >>> P) return i;
  }
  return -1;
}

/**
 * The value of the VAL opcode covering `reg` in the sparse opcodes b[start + HDR, end), or 0
 * when a ZERO/XZERO covers it or the walk finds none (a corrupt value: PFADD's edit reports it).
 */
function sparseValAt(b: Uint8Array, start: number, end: number, reg: number): number {
  let first = 0;
  for (let p = start + HDR; p < end;) {
    const op = b[p]!;
    if (op & 0x80) {
      const span = valLen(op);
      if (reg < first + span) return valValue(op);
      first += span;
      p++;
    } else if (op & 0x40) {
      const span = xzeroLen(op, p + 1 < end ? b[p + 1]! : 0);
      if (reg < first + span) return 0;
      first += span;
      p += 2;
    } else {
      const span = zeroLen(op);
      if (reg < first + span) return 0;
      first += span;
      p++;
    }
  }
  return 0;
}

/**
 * The cached cardinality in the header at bytes[start], or undefined when it
 * is stale: a number when it is exact as one (every real estimate), so that
 * the cached PFCOUNT makes no BigInt.
 */
export function cachedCardinalityAt(b: Uint8Array, start: number): number | bigint | undefined {
  const at = start + CARD_AT;
  if (b[at + 7]! & 0x80) return undefined;
  const lo = (b[at]! | b[at + 1]! << 8 | b[at + 2]! << 16 | b[at + 3]! << 24) >>> 0;
  const hi = b[at + 4]! | b[at + 5]! << 8 | b[at + 6]! << 16 | b[at + 7]! << 24;
  if (hi < 1 << 21) return hi * 2 ** 32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** copiedFrom's buffer, grown as values grow (a sparse one up to hll-sparse-max-bytes). */
let scratch = new Uint8Array(256);

/**
 * One HyperLogLog value being read or changed: the bytes of the string, with
 * spare room for sparse growth and always a zero byte after the data (Redis
 * reads that terminator when it decodes the last register or opcode).
 */
export class HyperLogLog {
  #b: Uint8Array;
  #len: number;
  /**
   * Where #sparseRaise's walk starts: an opcode (`#walkP`, covering registers
   * from `#walkFirst`) and the one before it (-1: none). Redis walks from
   * the first opcode for every register; raiseAll's ascending registers
   * resume from the last unchanged opcode instead, reaching the same opcode
   * with the same predecessor, so every edit is Redis's.
   */
  #walkP = HDR;
  #walkFirst = 0;
  #walkPrev = -1;

  private constructor(bytes: Uint8Array, len: number) {
    this.#b = bytes;
    this.#len = len;
  }

  /** A new, empty HyperLogLog: sparse, one XZERO covering every register, cardinality 0. */
  static create(): HyperLogLog {
    const hll = new HyperLogLog(new Uint8Array(HDR + 2 + 8), HDR + 2);
    writeBinary(hll.#b, 0, "HYLL");
    hll.#b[ENCODING_AT] = SPARSE;
    hll.#b[HDR] = 0x40 | ((XZERO_MAX_LEN - 1) >>> 8);
    hll.#b[HDR + 1] = (XZERO_MAX_LEN - 1) & 0xff;
    return hll;
  }

  /**
   * Whether a string value passes Redis's HyperLogLog checks (magic,
   * encoding, dense length); one that does not is answered with WRONGTYPE.
   */
  static isValid(s: string): boolean {
    if (s.length < HDR || !s.startsWith("HYLL")) return false;
    const encoding = s.charCodeAt(ENCODING_AT);
    return encoding === SPARSE || (encoding === DENSE && s.length === HLL_DENSE_SIZE);
  }

  /** The HyperLogLog stored in string `s`, or undefined when `isValid` refuses it. */
  static fromBinary(s: string): HyperLogLog | undefined {
    if (!HyperLogLog.isValid(s)) return undefined;
    const bytes = new Uint8Array(s.length + 8);
    writeBinary(bytes, 0, s);
    return new HyperLogLog(bytes, s.length);
  }

  /**
   * The HyperLogLog stored in `value`, edited in place (no copy): after a
   * change, `toByteString()` hands the bytes back. Undefined when the bytes
   * fail `isValid`'s checks.
   */
  static over(value: ByteString): HyperLogLog | undefined {
    const len = value.length;
    let b = value.bytes;
    if (!HyperLogLog.#isValidBytes(b, len)) return undefined;
    if (b.length <= len) {
      const grown = new Uint8Array(len + 8);
      grown.set(b.subarray(0, len));
      b = grown;
    }
    b[len] = 0;
    return new HyperLogLog(b, len);
  }

  /**
   * A HyperLogLog to edit over a copy of the valid one at page[start, start + len), made in a
   * buffer every call reuses (a copy of its own, over 64 bytes, cost PFADD a malloc and a free):
   * store it only through `bytes` copied in place or `toByteString`.
   */
  static copiedFrom(page: Uint8Array, start: number, len: number): HyperLogLog {
    if (scratch.length < len + 9) scratch = new Uint8Array(Math.max(len + 9, 2 * scratch.length));
    scratch.set(page.subarray(start, start + len));
    scratch[len] = 0;
    return new HyperLogLog(scratch, len);
  }

  /** The value as a ByteString to store (its own bytes: copied out of the reused buffer). */
  toByteString(): ByteString {
    const own = this.#b === scratch ? this.#b.slice(0, this.#len + 8) : this.#b;
    own.fill(0, this.#len);
    return new ByteString(own, this.#len);
  }

  /**
   * The HyperLogLog stored in `value`, only to read (`mergeInto`,
   * `cachedCardinality`): no copy and no zero byte written after the data,
   * so it may view bytes that stay where the key table keeps them.
   */
  static view(value: ByteString): HyperLogLog | undefined {
    if (!HyperLogLog.#isValidBytes(value.bytes, value.length)) return undefined;
    return new HyperLogLog(value.bytes, value.length);
  }

  /** isValid's checks on bytes. */
  static #isValidBytes(b: Uint8Array, len: number): boolean {
    return isHllAt(b, 0, len);
  }

  /** The value's bytes where they lie (to store: no copy, no string made). */
  get bytes(): Uint8Array {
    return this.#b.subarray(0, this.#len);
  }

  /** As `fromBinary`, from bytes (copied). */
  static fromBytes(bytes: Uint8Array): HyperLogLog | undefined {
    return HyperLogLog.fromBinary(bytesToBinary(bytes));
  }

  /** The value as a binary string, to store. */
  toBinary(): string {
    return bytesToBinary(this.#b, 0, this.#len);
  }

  /** The value's bytes (a copy). */
  toBytes(): Uint8Array {
    return this.#b.slice(0, this.#len);
  }

  get encoding(): "dense" | "sparse" {
    return this.#b[ENCODING_AT] === DENSE ? "dense" : "sparse";
  }

  /**
   * The cached cardinality, or undefined when it is stale: a number when it
   * is exact as one (every real estimate), so that the cached PFCOUNT makes
   * no BigInt.
   */
  cachedCardinality(): number | bigint | undefined {
    return cachedCardinalityAt(this.#b, 0);
  }

  /** Stores `card` (as uint64) as the cached cardinality. */
  setCachedCardinality(card: bigint): void {
    let v = BigInt.asUintN(64, card);
    for (let i = 0; i < 8; i++) {
      this.#b[CARD_AT + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }

  /** Marks the cached cardinality stale. */
  invalidateCache(): void {
    markStale(this.#b);
  }

  /**
   * Adds an element: true if a register rose (the estimate may have
   * changed). Throws CorruptHllError for a corrupt sparse value.
   */
  add(element: string, sparseMaxBytes: number): boolean {
    const pattern = hllPattern(element);
    return this.raise(pattern & (HLL_REGISTERS - 1), pattern >>> P, sparseMaxBytes);
  }

  /** Raises register `reg` to `count` if it is lower; true if it changed. */
  raise(reg: number, count: number, sparseMaxBytes: number): boolean {
    if (this.#b[ENCODING_AT] === DENSE) return denseRaise(this.#b, reg, count);
    this.#resetWalk();
    return this.#sparseRaise(reg, count, sparseMaxBytes);
  }

  /** The estimate of the number of distinct elements added. Throws CorruptHllError. */
  count(): bigint {
    const histogram = new Float64Array(64);
    if (this.#b[ENCODING_AT] === DENSE) this.#denseHistogram(histogram);
    else this.#sparseHistogram(histogram);
    return estimate(histogram);
  }

  /** Merges this value's registers into `into`. Throws CorruptHllError. */
  mergeInto(into: MergedRegisters): void {
    const b = this.#b;
    if (b[ENCODING_AT] === DENSE) return this.#mergeDense(into);
    const len = this.#len;
    let i = 0;
    for (let p = HDR; p < len;) {
      const op = b[p]!;
      if (isZero(op)) {
        i += zeroLen(op);
        p++;
      } else if (isXzero(op)) {
        // A view has no zero byte after the data: read it as Redis reads its terminator.
        i += xzeroLen(op, p + 1 < len ? b[p + 1]! : 0);
        p += 2;
      } else {
        const len = valLen(op);
        const value = valValue(op);
        if (i + len > HLL_REGISTERS) throw new CorruptHllError();
        for (const stop = i + len; i < stop; i++) into.raise(i, value);
        p++;
      }
    }
    if (i !== HLL_REGISTERS) throw new CorruptHllError();
  }

  /** mergeInto of a dense value, four registers from every three bytes (none past the data). */
  #mergeDense(into: MergedRegisters): void {
    const b = this.#b;
    into.dense = true;
    for (let at = HDR, i = 0; at < HLL_DENSE_SIZE; at += 3, i += 4) {
      const b0 = b[at]!;
      const b1 = b[at + 1]!;
      const b2 = b[at + 2]!;
      if ((b0 | b1 | b2) === 0) continue;
      const r0 = b0 & 63;
      const r1 = ((b0 >>> 6) | (b1 << 2)) & 63;
      const r2 = ((b1 >>> 4) | (b2 << 4)) & 63;
      const r3 = b2 >>> 2;
      if (r0 !== 0) into.raise(i, r0);
      if (r1 !== 0) into.raise(i + 1, r1);
      if (r2 !== 0) into.raise(i + 2, r2);
      if (r3 !== 0) into.raise(i + 3, r3);
    }
  }

  /**
   * Raises every register to its merged max (PFMERGE's write), then marks
   * the cache stale. A sparse value is edited register by register in
   * ascending order, as Redis does, since the order decides the bytes.
   */
  raiseAll(merged: MergedRegisters, sparseMaxBytes: number): void {
    const regs = merged.raised.subarray(0, merged.size);
    if (this.#b[ENCODING_AT] === SPARSE) regs.sort();
    this.#resetWalk();
    for (let i = 0; i < regs.length; i++) {
      const reg = regs[i]!;
      const count = merged.max[reg]!;
      if (this.#b[ENCODING_AT] === DENSE) denseRaise(this.#b, reg, count);
      else this.#sparseRaise(reg, count, sparseMaxBytes);
    }
    this.invalidateCache();
  }

  /** Converts a sparse value to dense; false if it was dense already. Throws CorruptHllError. */
  toDense(): boolean {
    const b = this.#b;
    if (b[ENCODING_AT] === DENSE) return false;
    const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
    dense.set(b.subarray(0, HDR));
    dense[ENCODING_AT] = DENSE;
    let reg = 0;
    for (let p = HDR; p < this.#len;) {
      const op = b[p]!;
      if (isZero(op)) {
        reg += zeroLen(op);
        p++;
      } else if (isXzero(op)) {
        reg += xzeroLen(op, b[p + 1]!);
        p += 2;
      } else {
        const len = valLen(op);
        const value = valValue(op);
        if (reg + len > HLL_REGISTERS) throw new CorruptHllError();
        for (const stop = reg + len; reg < stop; reg++) denseSet(dense, reg, value);
        p++;
      }
    }
    if (reg !== HLL_REGISTERS) throw new CorruptHllError();
    this.#b = dense;
    this.#len = HLL_DENSE_SIZE;
    return true;
  }

  /** Every register's value (the value must be dense: see `toDense`). */
  registers(): number[] {
    const out = new Array<number>(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(this.#b, i);
    return out;
  }

  /** PFDEBUG DECODE's listing of the sparse opcodes: "Z:16384", "z:3 v:2,1 ...". */
  decode(): string {
    const b = this.#b;
    const parts: string[] = [];
    for (let p = HDR; p < this.#len;) {
      const op = b[p]!;
      if (isZero(op)) {
        parts.push(`z:${zeroLen(op)}`);
        p++;
      } else if (isXzero(op)) {
        parts.push(`Z:${xzeroLen(op, b[p + 1]!)}`);
        p += 2;
      } else {
        parts.push(`v:${valValue(op)},${valLen(op)}`);
        p++;
      }
    }
    return parts.join(" ");
  }

  #denseHistogram(histogram: Float64Array): void {
    const b = this.#b;
    // Four registers in every three bytes.
    for (let at = HDR; at < HLL_DENSE_SIZE; at += 3) {
      const b0 = b[at]!;
      const b1 = b[at + 1]!;
      const b2 = b[at + 2]!;
      histogram[b0 & 63]!++;
      histogram[((b0 >>> 6) | (b1 << 2)) & 63]!++;
      histogram[((b1 >>> 4) | (b2 << 4)) & 63]!++;
      histogram[b2 >>> 2]!++;
    }
  }

  #sparseHistogram(histogram: Float64Array): void {
    const b = this.#b;
    let reg = 0;
    for (let p = HDR; p < this.#len;) {
      const op = b[p]!;
      if (isZero(op)) {
        reg += zeroLen(op);
        histogram[0]! += zeroLen(op);
        p++;
      } else if (isXzero(op)) {
        const len = xzeroLen(op, b[p + 1]!);
        reg += len;
        histogram[0]! += len;
        p += 2;
      } else {
        reg += valLen(op);
        histogram[valValue(op)]! += valLen(op);
        p++;
      }
    }
    if (reg !== HLL_REGISTERS) throw new CorruptHllError();
  }

  /** Makes room for `len` bytes of data and the zero byte after them. */
  #reserve(len: number): void {
    if (len + 1 <= this.#b.length) return;
    const grown = new Uint8Array(Math.max(len + 8, this.#b.length * 2));
    grown.set(this.#b.subarray(0, this.#len + 1));
    this.#b = grown;
  }

  /** Sets the data length and the zero byte after it. */
  #setLength(len: number): void {
    this.#len = len;
    this.#b[len] = 0;
  }

  /** Redis's hllSparseSet: find the opcode covering `reg`, split it, merge neighbours. */
  #sparseRaise(reg: number, count: number, sparseMaxBytes: number): boolean {
    if (count > VAL_MAX_VALUE) return this.#promote(reg, count);
    // Step 1: the opcode at p covers registers first .. first + span - 1.
    let b = this.#b;
    const end = this.#len;
    let p = this.#walkP;
    let prev = this.#walkPrev;
    let first = this.#walkFirst;
    // The opcode before prev and prev's first register, once the walk moves.
    let prevPrev = -2;
    let prevFirst = 0;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      // VAL, XZERO, ZERO: branching on the top bits once.
      let size = 1;
      if (op & 0x80) span = valLen(op);
      else if (op & 0x40) {
        span = xzeroLen(op, b[p + 1]!);
        size = 2;
      } else span = zeroLen(op);
      if (reg < first + span) break;
      prevPrev = prev;
      prev = p;
      prevFirst = first;
      p += size;
      first += span;
    }
    if (span === 0 || p >= end) throw new CorruptHllError();
    const op = b[p]!;
    const oldLen = isXzero(op) ? 2 : 1;
    const next = p + oldLen < end ? p + oldLen : -1;
    // An edit changes bytes from prev on only: prev stays an opcode start.
    if (prev === -1 || prevPrev === -2) this.#resetWalk();
    else this.#walkFrom(prev, prevFirst, prevPrev);

    // Step 2: the easy cases change one byte in place.
    if (!isZero(op) && !isXzero(op)) {
      if (valValue(op) >= count) {
        this.#walkFrom(p, first, prev);
        return false;
      }
      if (span === 1) return this.#updated(p, valOp(count, 1), prev);
    } else if (isZero(op) && span === 1) {
      return this.#updated(p, valOp(count, 1), prev);
    }

    // Otherwise the opcode splits in up to three.
    const seqLen = splitOpcode(op, first, first + span - 1, reg, count);
    const delta = seqLen - oldLen;
    if (delta > 0 && this.#len + delta > sparseMaxBytes) return this.#promote(reg, count);
    this.#reserve(end + delta);
    b = this.#b;
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    this.#setLength(end + delta);
    for (let i = 0; i < seqLen; i++) b[p + i] = splitSeq[i]!;
    return this.#mergeValues(prev);
  }

  #resetWalk(): void {
    this.#walkFrom(HDR, 0, -1);
  }

  #walkFrom(p: number, first: number, prev: number): void {
    this.#walkP = p;
    this.#walkFirst = first;
    this.#walkPrev = prev;
  }

  /** Step 2's one-byte update, then Step 4. */
  #updated(p: number, op: number, prev: number): boolean {
    this.#b[p] = op;
    return this.#mergeValues(prev);
  }

  /**
   * Step 4: join adjacent VAL opcodes of equal value (up to 4 registers),
   * looking at up to five opcodes from the one before the change.
   */
  #mergeValues(prev: number): boolean {
    const b = this.#b;
    let p = prev !== -1 ? prev : HDR;
    for (let scan = 5; p < this.#len && scan > 0; scan--) {
      const op = b[p]!;
      if (isXzero(op)) {
        p += 2;
        continue;
      }
      if (isZero(op)) {
        p++;
        continue;
      }
      const nextOp = b[p + 1]!;
      if (p + 1 < this.#len && (nextOp & 0x80) && valValue(op) === valValue(nextOp)) {
        const len = valLen(op) + valLen(nextOp);
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(valValue(op), len);
          b.copyWithin(p, p + 1, this.#len + 1);
          this.#setLength(this.#len - 1);
          continue;
        }
      }
      p++;
    }
    this.invalidateCache();
    return true;
  }

  /** Converts to dense and sets the register there (the reason for the promotion). */
  #promote(reg: number, count: number): boolean {
    this.toDense();
    denseRaise(this.#b, reg, count);
    return true;
  }
}

// ---- PFSELFTEST --------------------------------------------------------------------

/**
 * Redis's PFSELFTEST: dense registers keep random values without touching
 * their neighbours, and the estimates of 1 to 10^7 distinct elements stay
 * within 6 standard errors, sparse and dense agreeing while sparse. Returns
 * the failure text ("TESTFAILED ...") or undefined.
 */
export function hllSelfTest(sparseMaxBytes: number): string | undefined {
  const b = new Uint8Array(HLL_DENSE_SIZE + 1);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      expected[i] = Math.floor(Math.random() * 64);
      denseSet(b, i, expected[i]!);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(b, i);
      if (v !== expected[i]) {
        return hllRegisterMismatch(i, expected[i]!, v);
      }
    }
  }
  return estimateSelfTest(sparseMaxBytes);
}

function estimateSelfTest(sparseMaxBytes: number): string | undefined {
  const dense = HyperLogLog.create();
  dense.toDense();
  const hll = HyperLogLog.create();
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = Math.floor(Math.random() * 2 ** 32);
  const seedHi = Math.floor(Math.random() * 2 ** 32);
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    // The element is the 8 bytes of the uint64 j ^ seed.
    murmurHash64AWord((j ^ seedLo) >>> 0, seedHi, SEED);
    const pattern = patternOfHash();
    const reg = pattern & (HLL_REGISTERS - 1);
    dense.raise(reg, pattern >>> P, sparseMaxBytes);
    hll.raise(reg, pattern >>> P, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && hll.encoding !== "sparse") {
      return HLL_SPARSE_NOT_USED;
    }
    const estimate = dense.count();
    if (estimate !== hll.count()) return HLL_DENSE_SPARSE_DISAGREE;
    const maxError = j === 10 ? 1 : Math.ceil(relativeError * 6 * checkpoint);
    const error = Math.abs(checkpoint - Number(estimate));
    if (error > maxError) return hllErrorTooBig(checkpoint, error);
    checkpoint *= 10;
  }
  return undefined;
}
