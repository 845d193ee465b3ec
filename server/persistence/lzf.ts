/**
 * LZF, the compression Redis uses for strings in RDB files (and for
 * compressed quicklist nodes). The format:
 *
 *   000LLLLL + L+1 literal bytes                   (1..32 literals)
 *   LLLooooo oooooooo                               back reference, length L+2 (L < 7)
 *   111ooooo LLLLLLLL oooooooo                      back reference, length L+9
 *
 * where the offset o+1 counts back from the output position (1..8192).
 * Any valid encoding decompresses the same, so the compressor's hash need
 * not match Redis's.
 */

const HASH_LOG = 14;
const HASH_SIZE = 1 << HASH_LOG;
const MAX_LITERAL = 32;
const MAX_OFFSET = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Last position (plus `generation`) where each 3-byte hash was seen. Instead
 * of clearing it per call, each call adds a fresh generation base: entries
 * below the base are from older calls and are ignored.
 */
const table = new Int32Array(HASH_SIZE);
let generation = 0;

function hash3(v: number): number {
  return ((v >>> (24 - HASH_LOG)) - v * 5) & (HASH_SIZE - 1);
}

/**
 * Compresses `input[0, length)` into `out`, using at most `outLimit` bytes.
 * Returns the compressed size, or 0 when it would not fit (as lzf_compress).
 */
export function lzfCompress(
  input: Uint8Array,
  length: number,
  out: Uint8Array,
  outLimit: number,
): number {
  if (length === 0 || outLimit === 0) return 0;
  if (generation + length + 1 > 0x7fff0000) {
    table.fill(0);
    generation = 0;
  }
  const base = generation;
  generation += length + 1;

  let ip = 0;
  let op = 1; // room for the first literal run's control byte
  let lit = 0;
  const inEnd = length;
  let hval = length > 1 ? (input[0]! << 8) | input[1]! : 0;
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]!) & 0xffffff;
    const slot = hash3(hval);
    const seen = table[slot]! - base - 1;
    table[slot] = base + ip + 1;
    const off = ip - seen - 1;
    if (
      seen >= 0 && off < MAX_OFFSET && input[seen] === input[ip] &&
      input[seen + 1] === input[ip + 1] && input[seen + 2] === input[ip + 2]
    ) {
      let len = 2;
      const maxLen = Math.min(inEnd - ip - len, MAX_REF);
      if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLimit) return 0;
      out[op - lit - 1] = lit - 1; // close the literal run
      if (lit === 0) op--; // an empty run takes no byte
      do len++; while (len < maxLen && input[seen + len] === input[ip + len]);
      len -= 2; // now the stored length
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a new literal run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // Hash the last two positions of the match so later data can refer to them.
      ip -= 2;
      hval = (input[ip]! << 8) | input[ip + 1]!;
      for (let k = 0; k < 2; k++) {
        hval = ((hval << 8) | input[ip + 2]!) & 0xffffff;
        table[hash3(hval)] = base + ip + 1;
        ip++;
      }
    } else {
      if (op >= outLimit) return 0;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LITERAL) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLimit) return 0;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return op;
}

/**
 * Decompresses `input[start, end)` into `out`, which must be exactly the
 * original size. Returns false on malformed data (as lzf_decompress's 0).
 */
export function lzfDecompress(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
): boolean {
  let ip = start;
  let op = 0;
  const outEnd = out.length;
  while (ip < end) {
    let ctrl = input[ip++]!;
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outEnd || ip + ctrl > end) return false;
      out.set(input.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
      continue;
    }
    let len = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (ip >= end) return false;
    if (len === 7) {
      len += input[ip++]!;
      if (ip >= end) return false;
    }
    ref -= input[ip++]!;
    len += 2;
    if (op + len > outEnd || ref < 0) return false;
    if (op >= ref + len) {
      out.copyWithin(op, ref, ref + len);
      op += len;
    } else {
      // Overlapping copy repeats the pattern byte by byte.
      while (len-- > 0) out[op++] = out[ref++]!;
    }
  }
  return op === outEnd;
}
