/** LCS: the longest common subsequence of two strings, with Redis's reply forms. */
import { copyBytes } from "../../protocol/bytes.ts";
import { arg, ArgCursor } from "../args.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec } from "../command.ts";
import {
  CommandError,
  LCS_IDX_AND_LEN,
  LCS_NOT_STRINGS,
  LCS_TOO_MUCH_MEMORY,
  SYNTAX,
} from "../errors.ts";
import { PROTO_MAX_BULK_LEN_MIN } from "../config_params.ts";
import { PageBytes } from "../types/page_bytes.ts";

const EMPTY = new Uint8Array(0);

/** Tables up to this many cells are reused: a fresh typed array costs more than a short LCS. */
const LCS_KEPT_CELLS = 1 << 16;
let keptLcsTable = new Uint32Array(256);
/** The common bytes of short LCS replies, collected last to first. */
const keptLcsBytes = new Uint8Array(4096);
/** The first key's bytes, copied before the second lookup can move them. */
let keptFirst = new Uint8Array(256);

function lcsTable(cells: number): Uint32Array {
  if (cells > LCS_KEPT_CELLS) return new Uint32Array(cells);
  if (cells > keptLcsTable.length) keptLcsTable = new Uint32Array(LCS_KEPT_CELLS);
  return keptLcsTable;
}

/** The first key's bytes in a buffer of at least `length` bytes (kept when short). */
function firstBuffer(length: number): Uint8Array {
  if (length <= keptFirst.length) return keptFirst;
  if (length > LCS_KEPT_CELLS) return new Uint8Array(length);
  return keptFirst = new Uint8Array(LCS_KEPT_CELLS);
}

/** Tables of up to this many bytes are under any proto-max-bulk-len: no config lookup. */
const SMALL_TABLE_BYTES = PROTO_MAX_BULK_LEN_MIN;

/**
 * The LCS table and the reply for LCS, following Redis's traceback exactly.
 * Both strings are read as bytes where they are stored (the first copied
 * out before the second lookup): no string is made of either.
 */
function lcs(ctx: CommandContext, argv: string[]): void {
  const first = ctx.db.viewValue(arg(argv, 1));
  let x: Uint8Array = EMPTY;
  let n = 0;
  if (first instanceof PageBytes) {
    n = first.end - first.start;
    x = firstBuffer(n);
    copyBytes(x, 0, first.page, first.start, first.end);
  }
  const second = ctx.db.viewValue(arg(argv, 2));
  if (
    (first !== undefined && !(first instanceof PageBytes)) ||
    (second !== undefined && !(second instanceof PageBytes))
  ) {
    throw new CommandError(LCS_NOT_STRINGS);
  }
  // `y` is good until the next keyspace access: there is none before the reply.
  const y = second === undefined ? EMPTY : second.page;
  const at = second === undefined ? 0 : second.start;
  const m = second === undefined ? 0 : second.end - at;
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  const args = new ArgCursor(argv, 3);
  while (args.hasMore()) {
    const opt = args.nextOption();
    if (opt === "idx") getIdx = true;
    else if (opt === "len") getLen = true;
    else if (opt === "withmatchlen") withMatchLen = true;
    else if (opt === "minmatchlen" && args.hasMore()) minMatchLen = Math.max(0, args.nextInt());
    else throw new CommandError(SYNTAX);
  }
  if (getLen && getIdx) throw new CommandError(LCS_IDX_AND_LEN);
  const width = m + 1;
  const cells = (n + 1) * width;
  if (
    cells * 4 > SMALL_TABLE_BYTES &&
    cells * 4 > ctx.server.config.getNumber("proto-max-bulk-len")
  ) {
    throw new CommandError(LCS_TOO_MUCH_MEMORY);
  }
  const table = lcsTable(cells);
  // A reused table holds old numbers: only row 0 and column 0 are read before
  // being written. (A loop: TypedArray fill is a call into V8's runtime.)
  for (let j = 0; j < width; j++) table[j] = 0;
  for (let i = 1; i <= n; i++) {
    const xc = x[i - 1]!;
    const row = i * width;
    table[row] = 0;
    // The cells left of and above-left of (i, j) ride in locals: one load a cell.
    let left = 0;
    let diagonal = 0;
    for (let j = 1; j <= m; j++) {
      const up = table[row - width + j]!;
      left = xc === y[at + j - 1] ? diagonal + 1 : up > left ? up : left;
      table[row + j] = left;
      diagonal = up;
    }
  }
  const length = table[n * width + m]!;
  if (getLen) return ctx.out.int(length);

  // Walk back from the end, collecting the common bytes and, for IDX, the
  // ranges of consecutive matches (reported last to first, as Redis does).
  const common = length <= keptLcsBytes.length ? keptLcsBytes : new Uint8Array(length);
  const ranges: [number, number, number, number, number][] = [];
  let k = length;
  let i = n;
  let j = m;
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (x[i - 1] === y[at + j - 1]) {
      common[--k] = x[i - 1]!;
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart >= 0) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      }
      aStart = -1;
    }
  }
  if (!getIdx) return ctx.out.bulkBytes(common, 0, length);
  const out = ctx.out;
  out.map(2);
  out.bulk("matches");
  out.array(ranges.length);
  for (const [as, ae, bs, be, matchLen] of ranges) {
    out.array(withMatchLen ? 3 : 2);
    out.array(2);
    out.int(as);
    out.int(ae);
    out.array(2);
    out.int(bs);
    out.int(be);
    if (withMatchLen) out.int(matchLen);
  }
  out.bulk("len");
  out.int(length);
}

export const lcsCommand: CommandSpec = {
  name: "lcs",
  arity: -3,
  flags: ["readonly"],
  keys: [1, 2, 1],
  group: "string",
  since: "7.0.0",
  summary: "Finds the longest common substring.",
  syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
  handler: lcs,
};
