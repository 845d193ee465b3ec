/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones
 * polynomial (0xad93d23594c935a9), reflected input and output, initial value
 * 0, no final xor. `crc64(0, "123456789")` is 0xe9c6d914c4b8d9ca.
 *
 * JS has no fast 64-bit integers (BigInt allocates), so the running value is
 * two 32-bit halves and the tables are split the same way. Slicing-by-8
 * consumes eight bytes per step, which matters when snapshots are hundreds of
 * megabytes.
 */

/** The reflected Jones polynomial, as high and low 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** TABLE_LO[k * 256 + b] / TABLE_HI[...]: the CRC of byte b followed by k zero bytes. */
const TABLE_LO = new Uint32Array(8 * 256);
const TABLE_HI = new Uint32Array(8 * 256);

for (let b = 0; b < 256; b++) {
  let lo = b;
  let hi = 0;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  TABLE_LO[b] = lo;
  TABLE_HI[b] = hi;
}
for (let k = 1; k < 8; k++) {
  for (let b = 0; b < 256; b++) {
    const prevLo = TABLE_LO[(k - 1) * 256 + b]!;
    const prevHi = TABLE_HI[(k - 1) * 256 + b]!;
    const i = prevLo & 0xff;
    TABLE_LO[k * 256 + b] = (TABLE_LO[i]! ^ ((prevLo >>> 8) | (prevHi << 24))) >>> 0;
    TABLE_HI[k * 256 + b] = (TABLE_HI[i]! ^ (prevHi >>> 8)) >>> 0;
  }
}

/** A running CRC-64, fed in pieces (a snapshot is checksummed as it is written). */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(data: Uint8Array, start = 0, end = data.length): void {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const t0 = 0, t1 = 256, t2 = 512, t3 = 768, t4 = 1024, t5 = 1280, t6 = 1536, t7 = 1792;
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      const b = hi ^
        (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
      const i7 = t7 + (a & 0xff), i6 = t6 + ((a >>> 8) & 0xff);
      const i5 = t5 + ((a >>> 16) & 0xff), i4 = t4 + (a >>> 24);
      const i3 = t3 + (b & 0xff), i2 = t2 + ((b >>> 8) & 0xff);
      const i1 = t1 + ((b >>> 16) & 0xff), i0 = t0 + (b >>> 24);
      lo = TABLE_LO[i7]! ^ TABLE_LO[i6]! ^ TABLE_LO[i5]! ^ TABLE_LO[i4]! ^ TABLE_LO[i3]! ^
        TABLE_LO[i2]! ^ TABLE_LO[i1]! ^ TABLE_LO[i0]!;
      hi = TABLE_HI[i7]! ^ TABLE_HI[i6]! ^ TABLE_HI[i5]! ^ TABLE_HI[i4]! ^ TABLE_HI[i3]! ^
        TABLE_HI[i2]! ^ TABLE_HI[i1]! ^ TABLE_HI[i0]!;
    }
    for (; i < end; i++) {
      const idx = (lo ^ data[i]!) & 0xff;
      lo = TABLE_LO[idx]! ^ ((lo >>> 8) | (hi << 24));
      hi = TABLE_HI[idx]! ^ (hi >>> 8);
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** The value as the 8 little-endian bytes Redis stores. */
  bytes(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.lo, true);
    view.setUint32(4, this.hi, true);
    return out;
  }

  /** Whether 8 little-endian bytes at `at` equal this value. */
  matches(data: Uint8Array, at: number): boolean {
    const view = new DataView(data.buffer, data.byteOffset + at, 8);
    return view.getUint32(0, true) === this.lo && view.getUint32(4, true) === this.hi;
  }

  toBigInt(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** CRC-64 of `data[start, end)`. */
export function crc64(data: Uint8Array, start = 0, end = data.length): Crc64 {
  const crc = new Crc64();
  crc.update(data, start, end);
  return crc;
}
