/**
 * The encodings Redis 7 no longer writes but still loads from older RDB
 * files: ziplists (lists, hashes and sorted sets before 7.0) and zipmaps
 * (hashes before 2.6).
 *
 *   ziplist: u32 bytes | u32 tail offset | u16 count | entries | 0xFF
 *   entry:   prevlen (1 byte, or 0xFE + u32) | encoding (+ length) | data
 *   zipmap:  u8 count | (len key len free value <free bytes>)* | 0xFF
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { check } from "./format_error.ts";

const HEADER_SIZE = 10;
const END = 0xff;

/** The entries of a ziplist, integers as their decimal text. Throws FormatError. */
export function decodeZiplist(zl: Uint8Array): string[] {
  check(zl.length >= HEADER_SIZE + 1, "ziplist too short");
  const view = new DataView(zl.buffer, zl.byteOffset, zl.byteLength);
  check(view.getUint32(0, true) === zl.length, "ziplist size mismatch");
  const declared = view.getUint16(8, true);
  const out: string[] = [];
  const end = zl.length - 1;
  let p = HEADER_SIZE;
  while (p < end) {
    p += zl[p] === 254 ? 5 : 1; // skip prevlen
    check(p < end, "ziplist entry past the end");
    const enc = zl[p]!;
    if (enc < 0xc0) {
      let len: number;
      const kind = enc >> 6;
      if (kind === 0) {
        len = enc & 0x3f;
        p += 1;
      } else if (kind === 1) {
        check(p + 2 <= end, "ziplist entry past the end");
        len = ((enc & 0x3f) << 8) | zl[p + 1]!;
        p += 2;
      } else {
        check(p + 5 <= end, "ziplist entry past the end");
        len = view.getUint32(p + 1, false);
        p += 5;
      }
      check(p + len <= end, "ziplist string past the end");
      out.push(bytesToBinary(zl, p, p + len));
      p += len;
      continue;
    }
    p += 1;
    let width: number;
    let value: number | bigint;
    switch (enc) {
      case 0xc0:
        width = 2;
        check(p + width <= end, "ziplist int past the end");
        value = view.getInt16(p, true);
        break;
      case 0xd0:
        width = 4;
        check(p + width <= end, "ziplist int past the end");
        value = view.getInt32(p, true);
        break;
      case 0xe0:
        width = 8;
        check(p + width <= end, "ziplist int past the end");
        value = view.getBigInt64(p, true);
        break;
      case 0xf0:
        width = 3;
        check(p + width <= end, "ziplist int past the end");
        value = ((zl[p]! | (zl[p + 1]! << 8) | (zl[p + 2]! << 16)) << 8) >> 8;
        break;
      case 0xfe:
        width = 1;
        check(p + width <= end, "ziplist int past the end");
        value = view.getInt8(p);
        break;
      default:
        check(enc >= 0xf1 && enc <= 0xfd, `ziplist bad encoding byte ${enc}`);
        width = 0;
        value = (enc & 0x0f) - 1;
    }
    out.push(String(value));
    p += width;
  }
  check(p === end && zl[end] === END, "ziplist not terminated");
  check(declared === 0xffff || declared === out.length, "ziplist count mismatch");
  return out;
}

/** A zipmap's fields and values, alternating. Throws FormatError. */
export function decodeZipmap(zm: Uint8Array): string[] {
  const out: string[] = [];
  const view = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
  let p = 1;
  const readLen = (): number => {
    check(p < zm.length, "zipmap past the end");
    const b = zm[p]!;
    if (b < 254) {
      p += 1;
      return b;
    }
    check(b === 254 && p + 5 <= zm.length, "zipmap bad length");
    const len = view.getUint32(p + 1, true);
    p += 5;
    return len;
  };
  for (;;) {
    check(p < zm.length, "zipmap not terminated");
    if (zm[p] === END) break;
    const fieldLen = readLen();
    check(p + fieldLen <= zm.length, "zipmap field past the end");
    out.push(bytesToBinary(zm, p, p + fieldLen));
    p += fieldLen;
    const valueLen = readLen();
    check(p < zm.length, "zipmap past the end");
    const free = zm[p++]!;
    check(p + valueLen + free <= zm.length, "zipmap value past the end");
    out.push(bytesToBinary(zm, p, p + valueLen));
    p += valueLen + free;
  }
  return out;
}
