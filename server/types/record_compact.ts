/**
 * Compacting an arena page of the key table: its live records move to the
 * page being filled, their index slots follow, and the page is retired
 * (keytable.ts asks once deaths leave a page mostly dead, as arena.ts decides).
 */
import type { Arena } from "./arena.ts";
import { OFFSET_MASK, PAGE_BITS } from "./arena.ts";
import { slotOfRef } from "./key_slots.ts";
import { FLAG_DEAD, recordSize } from "./record_format.ts";

/** The hash of the key of the record at `off` of `page` (its slot is found by it). */
export type RecordHash = (page: Uint8Array, off: number) => number;

/** Moves page `pageIndex`'s live records and repoints their slots in the index `slots`; retires it. */
export function compactPage(
  arena: Arena,
  slots: Uint32Array,
  mask: number,
  shift: number,
  pageIndex: number,
  recordHash: RecordHash,
): void {
  const used = arena.usedIn(pageIndex);
  const page = arena.pages[pageIndex]!;
  for (let off = 0; off < used;) {
    const size = recordSize(page, off);
    if ((page[off]! & FLAG_DEAD) === 0) {
      const ref = (((pageIndex + 1) << PAGE_BITS) | off) >>> 0;
      const slot = slotOfRef(slots, mask, shift, ref, recordHash(page, off));
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
