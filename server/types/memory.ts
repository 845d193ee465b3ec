/**
 * What V8 objects cost, for memory accounting (used_memory, MEMORY USAGE).
 *
 * Deno's V8 is built without pointer compression, so a tagged field is 8
 * bytes. Measured on Deno 2.9.6 (heapUsed after a full GC, 1M instances): a
 * class instance with one field 32 bytes and with four 56 (a 24-byte header:
 * map, properties, elements); a one-byte string of 11 chars 32 (16-byte
 * header: map, hash, length; rounded to 8). Arrays are a 32-byte JSArray and
 * a FixedArray backing store of a 16-byte header and 8 bytes a slot.
 */

/** Bytes of an object with `fields` in-object fields. */
export function objectBytes(fields: number): number {
  return 24 + 8 * fields;
}

/** Bytes of a flat one-byte string of `length` chars. */
export function stringBytes(length: number): number {
  return (16 + length + 7) & ~7;
}

/** Bytes of an array with `capacity` slots. */
export function arrayBytes(capacity: number): number {
  return 48 + 8 * capacity;
}

/** Bytes of a Map entry beyond its key and value (V8's OrderedHashMap: 3 slots and a bucket). */
export const MAP_ENTRY_BYTES = 32;
