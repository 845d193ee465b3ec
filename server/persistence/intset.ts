/**
 * Intsets, Redis's encoding for small sets of integers:
 *
 *   u32 width (2, 4 or 8) | u32 count | count sorted little-endian integers
 */
import { check } from "./format_error.ts";

/** The members of an intset as decimal strings. Throws FormatError if malformed. */
export function decodeIntset(data: Uint8Array): string[] {
  check(data.length >= 8, "intset too short");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  check(width === 2 || width === 4 || width === 8, "intset bad encoding");
  check(8 + count * width === data.length, "intset size mismatch");
  check(count > 0, "intset empty");
  const out = new Array<string>(count);
  for (let i = 0, at = 8; i < count; i++, at += width) {
    out[i] = width === 2
      ? String(view.getInt16(at, true))
      : width === 4
      ? String(view.getInt32(at, true))
      : String(view.getBigInt64(at, true));
  }
  return out;
}
