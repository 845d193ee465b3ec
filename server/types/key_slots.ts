/**
 * The key table's index: slot i of a Uint32Array is [2i] (a record ref, 0
 * when empty) and [2i+1] (the key's hash); a key's home slot is the top bits
 * of its hash (hash >>> shift). Linear probing with backward-shift deletion,
 * so every key sits between its home slot and the next empty slot. Scanning
 * by home slot in Redis's reverse-binary cursor order therefore keeps
 * Redis's SCAN guarantee: a full iteration returns every key present for its
 * whole duration, even across resizes. Lookups stay in keytable.ts (they
 * compare keys with records); these are the moves that need no key.
 */

/** Puts `ref` (hash `h`) in the first empty slot from its home; returns the slot. */
export function placeSlot(
  slots: Uint32Array,
  mask: number,
  shift: number,
  h: number,
  ref: number,
): number {
  let i = h >>> shift;
  while (slots[i * 2] !== 0) i = (i + 1) & mask;
  slots[i * 2] = ref;
  slots[i * 2 + 1] = h;
  return i;
}

/** Empties `slot` by backward shift: no tombstones, clusters stay contiguous. */
export function removeSlot(slots: Uint32Array, mask: number, shift: number, slot: number): void {
  let hole = slot;
  slots[hole * 2] = 0;
  for (let j = (hole + 1) & mask; slots[j * 2] !== 0; j = (j + 1) & mask) {
    const home = slots[j * 2 + 1]! >>> shift;
    // Move j into the hole unless its home lies cyclically in (hole, j].
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      slots[hole * 2] = slots[j * 2]!;
      slots[hole * 2 + 1] = slots[j * 2 + 1]!;
      slots[j * 2] = 0;
      hole = j;
    }
  }
}

/** The slot holding the live record `ref` whose key hashes to `h`. */
export function slotOfRef(
  slots: Uint32Array,
  mask: number,
  shift: number,
  ref: number,
  h: number,
): number {
  let i = h >>> shift;
  while (slots[i * 2] !== ref) i = (i + 1) & mask;
  return i;
}

/** A new index of `capacity` slots (a power of two) holding `old`'s entries. */
export function rehashedSlots(old: Uint32Array, capacity: number): Uint32Array {
  const slots = new Uint32Array(capacity * 2);
  const mask = capacity - 1;
  const shift = slotShift(capacity);
  for (let i = 0; i < old.length; i += 2) {
    if (old[i] !== 0) placeSlot(slots, mask, shift, old[i + 1]!, old[i]!);
  }
  return slots;
}

/** The shift that makes a hash's top bits a slot of an index of `capacity` (key hashes have 30 bits). */
export function slotShift(capacity: number): number {
  return 30 - Math.log2(capacity);
}

/** The capacity to shrink to below 10% fill (as Redis resizes its dicts), or 0 to stay. */
export function shrunkCapacity(capacity: number, count: number, minCapacity: number): number {
  if (capacity <= minCapacity || count * 10 >= capacity) return 0;
  let target = minCapacity;
  while (target * 3 < count * 8) target *= 2;
  return target;
}

/**
 * A new key placed this many slots past its home doubles the index at once, whatever its fill.
 * Keys added in the hash order of another table of this process (one seed for all: DEBUG RELOAD
 * and LOADAOF load what this server wrote, walked in hash order; a SCAN copied into another
 * database) home in the part of a smaller, growing index that their hashes cover, more keys there
 * than slots: one cluster, walked to its end by each insert (750k keys: ~2 minutes to load).
 * Keys added in any other order stay far below it (the longest ~20 slots at 100k-400k keys).
 */
const MAX_DISPLACEMENT = 1024;
/** No early growth below 1/SPARSEST full: a longer index does not part keys of one hash. */
const SPARSEST = 64;

/** Whether a new key of hash `h` placed at `slot` is so far from its home that the index doubles now. */
export function crowded(
  slot: number,
  h: number,
  mask: number,
  shift: number,
  count: number,
): boolean {
  return ((slot - (h >>> shift)) & mask) >= MAX_DISPLACEMENT && count * SPARSEST >= mask + 1;
}
