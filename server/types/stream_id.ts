/**
 * Stream entry IDs: two unsigned 64-bit numbers, `ms-seq`. One ID is one
 * bigint, ms * 2^64 + seq, so IDs compare with < and ===, and incrementing
 * carries from seq into ms exactly as Redis's streamIncrID does.
 */
export type StreamId = bigint;

const U64_MAX = (1n << 64n) - 1n;
/** 0-0, also "none" for last/first/max-deleted IDs. */
export const ID_MIN: StreamId = 0n;
/** 18446744073709551615-18446744073709551615. */
export const ID_MAX: StreamId = (1n << 128n) - 1n;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

export function idSeq(id: StreamId): bigint {
  return id & U64_MAX;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An ID part as a number (an integer below 2^53, or NaN) kept in two
 * fields of small integers, high and low: a field holding a time (above
 * 2^30) holds a boxed number, an object of its own that a stream made
 * young carries through its first scavenge. NAN_HIGH marks NaN.
 */
export const PART_SPLIT = 2 ** 26;
export const NAN_HIGH = -1;

/** The high field of `n` (see PART_SPLIT). */
export function partHigh(n: number): number {
  return n === n ? Math.floor(n / PART_SPLIT) | 0 : NAN_HIGH;
}

/** The low field of `n`, whose high field is `high`. */
export function partLow(n: number, high: number): number {
  return high === NAN_HIGH ? 0 : (n - high * PART_SPLIT) | 0;
}

/** The number of the fields `high` and `low`. */
export function partOf(high: number, low: number): number {
  return high === NAN_HIGH ? NaN : high * PART_SPLIT + low;
}

/**
 * A seq as a field of small integers holds it: a seq of 2^30 or more (or
 * NaN) stored as a number would turn that field into a boxed double in
 * every object of the class (every stream after one explicit ID). WIDE_SEQ
 * stands for such a seq, which the ID's bigint then holds.
 */
export const WIDE_SEQ = -1;

/** `seq` for a field of small integers: itself, or WIDE_SEQ (see there). */
export function narrowSeq(seq: number): number {
  return seq < 2 ** 30 ? seq : WIDE_SEQ;
}

/** "ms-seq" (through numbers when exact: a bigint's toString is several times slower). */
export function formatId(id: StreamId): string {
  const ms = id >> 64n;
  const seq = id & U64_MAX;
  return `${ms <= SAFE ? Number(ms) : ms}-${seq <= SAFE ? Number(seq) : seq}`;
}

/** The next ID, or undefined after ID_MAX. */
export function nextId(id: StreamId): StreamId | undefined {
  return id === ID_MAX ? undefined : id + 1n;
}

/** The previous ID, or undefined before 0-0. */
export function previousId(id: StreamId): StreamId | undefined {
  return id === ID_MIN ? undefined : id - 1n;
}

/** An unsigned 64-bit decimal as Redis's string2ull accepts it, or undefined. */
export function parseU64(text: string): bigint | undefined {
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  return v > U64_MAX ? undefined : v;
}

/** A parsed ID argument; `seqGiven` is false for XADD's `ms-*`. */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

export interface ParseIdOptions {
  /** Seq for a bare `ms` (0 for starts, U64 max for ends). */
  missingSeq: bigint;
  /** Accept `-` and `+` (range commands). */
  allowSpecial?: boolean;
  /** Accept `ms-*` (XADD). */
  allowAutoSeq?: boolean;
}

/**
 * text[from, to) as a number when it is 1 to 15 plain digits (exact as a
 * double), else -1: the usual IDs parse without a regex, slices or a
 * bigint from a string (measured: ~250 ns an ID that way).
 */
function shortDigits(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** The ms of the last numberId, shifted: IDs given in a row mostly share it. */
let shiftedFor = -1;
let shifted: StreamId = ID_MIN;

function numberId(ms: number, seq: bigint): StreamId {
  if (ms !== shiftedFor) {
    shifted = BigInt(ms) << 64n;
    shiftedFor = ms;
  }
  return seq === 0n ? shifted : shifted | seq;
}

/** Parses `ms`, `ms-seq`, and per options `-`, `+`, `ms-*`; undefined if invalid. */
export function parseId(text: string, options: ParseIdOptions): ParsedId | undefined {
  if (text.length > 127) return undefined;
  if (options.allowSpecial && text.length === 1) {
    if (text === "-") return { id: ID_MIN, seqGiven: true };
    if (text === "+") return { id: ID_MAX, seqGiven: true };
  }
  const dash = text.indexOf("-");
  const msNumber = shortDigits(text, 0, dash < 0 ? text.length : dash);
  if (msNumber >= 0) {
    if (dash < 0) return { id: numberId(msNumber, options.missingSeq), seqGiven: true };
    const seqNumber = shortDigits(text, dash + 1, text.length);
    if (seqNumber >= 0) return { id: numberId(msNumber, BigInt(seqNumber)), seqGiven: true };
  }
  // Long numbers, `+`, `*` and errors.
  const ms = parseU64(dash < 0 ? text : text.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash < 0) return { id: makeId(ms, options.missingSeq), seqGiven: true };
  const seqText = text.slice(dash + 1);
  if (options.allowAutoSeq && seqText === "*") return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(seqText);
  return seq === undefined ? undefined : { id: makeId(ms, seq), seqGiven: true };
}

/** The seq value meaning "largest" for a bare `ms` end bound. */
export const SEQ_MAX = U64_MAX;

/** 16 bytes big-endian (the rax key form Redis writes to RDB). */
export function encodeIdBytes(id: StreamId, out: Uint8Array, at = 0): void {
  let v = id;
  for (let i = 15; i >= 0; i--) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function decodeIdBytes(bytes: Uint8Array, at = 0): StreamId {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}
