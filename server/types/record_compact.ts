/**
 * Compacting an arena page of the key table: its live records move to the
 * page being filled, their index slots follow, and the page is retired
 * (keytable.ts asks once deaths leave a page mostly dead, as arena.ts decides).
 */
import type { Arena } from "./arena.ts";
import { OFFSET_MASK, PAGE_BITS } from "./arena.ts";
import type { BigKeyBox } from "./box_bytes.ts";
import type { BoxTable } from "./box_table.ts";
import { hashBytes, hashKey } from "./key_hash.ts";
import { slotOfRef } from "./key_slots.ts";
import {
  boxIndex,
  FLAG_DEAD,
  FLAG_ROOM,
  HEADER,
  KIND_BIG_KEY,
  KIND_INLINE,
  KIND_MASK,
  recordSize,
} from "./record_format.ts";

/** The hash of the key of the record at `off` of `page` (its slot is found by it). */
function recordHash(boxes: BoxTable, page: Uint8Array, off: number): number {
  const kind = page[off]! & KIND_MASK;
  if (kind === KIND_BIG_KEY) return hashKey((boxes.values[boxIndex(page, off)] as BigKeyBox).key);
  let p = off + HEADER;
  let keyLen = page[p++]!;
  if (keyLen & 0x80) keyLen = (keyLen & 0x7f) | (page[p++]! << 7);
  // Between the two: an inline value's length (1 or 2 bytes) and any capacity (2), or a box index (4).
  if (kind !== KIND_INLINE || page[off]! & FLAG_ROOM) p += 4;
  else p += page[p]! & 0x80 ? 2 : 1;
  return hashBytes(page, p, p + keyLen);
}

/** Moves page `pageIndex`'s live records and repoints their slots in the index `slots`; retires it. */
export function compactPage(
  arena: Arena,
  boxes: BoxTable,
  slots: Uint32Array,
  mask: number,
  shift: number,
  pageIndex: number,
): void {
  const used = arena.usedIn(pageIndex);
  const page = arena.pages[pageIndex]!;
  for (let off = 0; off < used;) {
    const size = recordSize(page, off);
    if ((page[off]! & FLAG_DEAD) === 0) {
      const ref = (((pageIndex + 1) << PAGE_BITS) | off) >>> 0;
      const slot = slotOfRef(slots, mask, shift, ref, recordHash(boxes, page, off));
      const moved = arena.reserve(size);
      arena.pages[(moved >>> PAGE_BITS) - 1]!.set(
        page.subarray(off, off + size),
        moved & OFFSET_MASK,
      );
      slots[slot * 2] = moved;
    }
    off += size;
  }
  arena.retire(pageIndex);
}
