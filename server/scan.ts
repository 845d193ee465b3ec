/**
 * Cursors for SCAN, HSCAN, SSCAN and ZSCAN.
 *
 * Redis's guarantee is that a full iteration returns every element present
 * for its whole duration, even while the table grows or shrinks. JS Map and
 * Set iterators give exactly that: they stay valid across inserts, deletes and
 * rehashes, visit live entries in insertion order, and never visit a deleted
 * entry. So a cursor names a live iterator kept here. Cursors are bounded in
 * number (least recently used dropped); an unknown or dropped cursor starts
 * the iteration over, which can repeat elements (allowed by Redis's contract)
 * but never misses one.
 */
import { ArgCursor, parseInt64 } from "./args.ts";
import type { ReplyWriter } from "../protocol/writer.ts";
import { CommandError, INVALID_CURSOR, NOT_INTEGER, SYNTAX } from "./errors.ts";
import type { PackedDict } from "./types/packed_dict.ts";

const MAX_CURSORS = 10_000;

interface OpenCursor {
  source: object;
  iterator: Iterator<unknown>;
}

const open = new Map<bigint, OpenCursor>();
/** Bucket cursors (scanDict) are 32-bit: kept iterators are named above them. */
const BUCKET_CURSOR_END = 1n << 32n;
let nextCursor = BUCKET_CURSOR_END;
/** Redis's maxiterations: buckets visited per requested element, at most. */
const BUCKETS_PER_ELEMENT = 10;

/** Parses a cursor argument as Redis does (an unsigned 64-bit integer). */
export function parseCursor(arg: string): bigint {
  if (/^[0-9]+$/.test(arg)) {
    const v = BigInt(arg);
    if (v <= 18446744073709551615n) return v;
  }
  const signed = parseInt64(arg);
  if (signed === undefined) throw new CommandError(INVALID_CURSOR);
  return BigInt.asUintN(64, signed);
}

/**
 * parseCursor for the keyspace's 32-bit cursors (the value mod 2^32): up to
 * 15 digits are read without a BigInt and a regular expression.
 */
export function parseCursor32(arg: string): number {
  const length = arg.length;
  if (length > 0 && length <= 15) {
    let value = 0;
    let i = 0;
    for (; i < length; i++) {
      const digit = arg.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === length) return value % 2 ** 32;
  }
  return Number(BigInt.asUintN(32, parseCursor(arg)));
}

/**
 * Advances a scan over `source` (the collection being scanned) by about
 * `count` steps, calling `emit` for each element, and returns the next cursor
 * (0n when the iteration is complete).
 *
 * @param makeIterator a fresh iterator over `source`, used for cursor 0
 */
export function scanStep<T>(
  source: object,
  makeIterator: () => Iterator<T>,
  cursor: bigint,
  count: number,
  emit: (item: T) => void,
): bigint {
  let entry = cursor === 0n ? undefined : open.get(cursor);
  if (entry !== undefined) open.delete(cursor);
  if (entry === undefined || entry.source !== source) {
    entry = { source, iterator: makeIterator() };
  }
  const iterator = entry.iterator as Iterator<T>;
  for (let i = 0; i < count; i++) {
    const step = iterator.next();
    if (step.done) return 0n;
    emit(step.value);
  }
  // Peek is impossible on JS iterators, so a finished iteration may take one
  // more call that returns nothing and cursor 0, as Redis sometimes does too.
  const next = nextCursor++;
  open.set(next, entry);
  if (open.size > MAX_CURSORS) dropOldest();
  return next;
}

/**
 * A scan step over a hashtable-encoded hash or set with Redis's own cursor
 * (dictScan's reverse-binary bucket cursor), which needs nothing kept between
 * calls: kept iterators cost a scan at cursor 0 its garbage (two thirds of
 * SSCAN's time). A dict holding entries outside its buckets, or a cursor
 * naming a kept iterator, still goes through scanStep; a bucket cursor that
 * lands there restarts the scan, which may repeat elements but never skips one.
 */
export function scanDict(
  dict: PackedDict,
  cursor: bigint,
  count: number,
  emit: (field: string, value: string) => void,
): bigint {
  if (cursor >= BUCKET_CURSOR_END || dict.hasLargeEntries) {
    return scanStep(dict, () => dict.scanIterator(), cursor, count, ([f, v]) => emit(f, v));
  }
  let v = Number(cursor);
  let visited = 0;
  let buckets = count * BUCKETS_PER_ELEMENT;
  const visit = (bucket: string) => visited += dict.visitBucket(bucket, emit);
  do v = dict.scanBuckets(v, visit); while (v !== 0 && visited < count && --buckets > 0);
  return BigInt(v);
}

/**
 * Drops the oldest tenth of the open cursors in one pass. Dropping one per
 * call cost O(cursors dropped so far): a Map's iterator walks the holes that
 * deletes at its front leave until the table is rebuilt.
 */
function dropOldest(): void {
  let drop = MAX_CURSORS / 10;
  for (const cursor of open.keys()) {
    open.delete(cursor);
    if (--drop === 0) return;
  }
}

/** Parses SCAN's MATCH / COUNT / TYPE options starting at argv[from]. */
export function parseScanOptions(
  argv: readonly string[],
  from: number,
  allowType: boolean,
): { match?: string; count: number; type?: string } {
  let match: string | undefined;
  let count = 10;
  let type: string | undefined;
  const args = new ArgCursor(argv, from);
  while (args.hasMore()) {
    const opt = args.nextOption();
    const more = args.hasMore();
    if (opt === "count" && more) {
      const n = parseInt64(args.next());
      if (n === undefined) throw new CommandError(NOT_INTEGER);
      if (n < 1n) throw new CommandError(SYNTAX);
      count = Number(n);
    } else if (opt === "match" && more) {
      match = args.next();
    } else if (opt === "type" && more && allowType) {
      type = args.next().toLowerCase();
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return { match, count, type };
}

/** Writes a SCAN-family reply: the next cursor (0 when done) and this step's items. */
export function writeScanReply(
  out: ReplyWriter,
  cursor: bigint | number,
  items: readonly string[],
): void {
  out.array(2);
  out.bulk(String(cursor));
  out.bulkArray(items);
}
