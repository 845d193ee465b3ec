/**
 * MEMORY USAGE of a key in the key table: its share of the index, its record
 * (key and any inline value), and a boxed value at the account usedBytes
 * keeps of it. Cold (one command reads it), so it sits apart from the table's
 * hot paths and reads the table through its public accessors, as
 * keytable_access.ts does.
 */
import { OFFSET_MASK } from "./arena.ts";
import type { KeyTable } from "./keytable.ts";
import { boxIndex, KIND_INLINE, KIND_MASK, recordSize } from "./record_format.ts";

/** A box's bookkeeping (BoxTable.overheadBytes: a slot and an account), and a pointer to it. */
const BOX_BYTES = 12;

/** What `key` costs in the table's usedBytes (MEMORY USAGE); undefined if absent. */
export function keyUsage(table: KeyTable, key: string): number | undefined {
  const ref = table.refOf(key);
  if (ref === 0) return undefined;
  const page = table.pageOf(ref);
  const off = ref & OFFSET_MASK;
  const slot = table.slots.byteLength / table.size;
  const record = recordSize(page, off);
  // `off` is a record's first byte in its page, and a boxed record has an account.
  if ((page[off]! & KIND_MASK) === KIND_INLINE) return Math.round(slot + record);
  return Math.round(slot + record + BOX_BYTES + table.boxes.accounted(boxIndex(page, off)));
}
