/** LCS: the longest common subsequence of two strings, with Redis's reply forms. */
import { bytesToBinary } from "../../protocol/bytes.ts";
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

/** Tables up to this many cells are reused: a fresh typed array costs more than a short LCS. */
const LCS_KEPT_CELLS = 1 << 16;
let keptLcsTable = new Uint32Array(256);
/** The common bytes of short LCS replies, collected last to first. */
const keptLcsBytes = new Uint8Array(4096);

function lcsTable(cells: number): Uint32Array {
  if (cells > LCS_KEPT_CELLS) return new Uint32Array(cells);
  if (cells > keptLcsTable.length) keptLcsTable = new Uint32Array(LCS_KEPT_CELLS);
  return keptLcsTable;
}

/** The LCS table and the reply for LCS, following Redis's traceback exactly. */
function lcs(ctx: CommandContext, argv: string[]): void {
  const a = ctx.db.lookupRead(arg(argv, 1));
  const b = ctx.db.lookupRead(arg(argv, 2));
  if ((a !== undefined && typeof a !== "string") || (b !== undefined && typeof b !== "string")) {
    throw new CommandError(LCS_NOT_STRINGS);
  }
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
  const x = a ?? "";
  const y = b ?? "";
  const width = y.length + 1;
  const cells = (x.length + 1) * width;
  if (cells * 4 > ctx.server.config.getNumber("proto-max-bulk-len")) {
    throw new CommandError(LCS_TOO_MUCH_MEMORY);
  }
  const table = lcsTable(cells);
  // A reused table holds old numbers: only row 0 and column 0 are read before being written.
  table.fill(0, 0, width);
  for (let i = 1; i <= x.length; i++) {
    const xc = x.charCodeAt(i - 1);
    table[i * width] = 0;
    for (let j = 1; j <= y.length; j++) {
      table[i * width + j] = xc === y.charCodeAt(j - 1)
        ? table[(i - 1) * width + j - 1]! + 1
        : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  const length = table[x.length * width + y.length]!;
  if (getLen) return ctx.out.int(length);

  // Walk back from the end, collecting the common bytes and, for IDX, the
  // ranges of consecutive matches (reported last to first, as Redis does).
  const common = length <= keptLcsBytes.length ? keptLcsBytes : new Uint8Array(length);
  const ranges: [number, number, number, number, number][] = [];
  let k = length;
  let i = x.length;
  let j = y.length;
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (x.charCodeAt(i - 1) === y.charCodeAt(j - 1)) {
      common[--k] = x.charCodeAt(i - 1);
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
  if (!getIdx) return ctx.out.bulk(bytesToBinary(common, 0, length));
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
