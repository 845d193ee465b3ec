/** What a key table's boxed values cost on the V8 heap (used_memory's dataset part). */
import { objectBytes, stringBytes } from "./memory.ts";
import { PackedKind } from "./packed_record.ts";
import { isPackable, type Packable } from "./packed_value.ts";
import { ByteString } from "./string.ts";
import type { RedisObject, RedisValue } from "./value.ts";

/** What a key holds as stored: a ByteString is a string kept as mutable bytes. */
export type StoredValue = RedisValue | ByteString;

/** A stored value as commands see it: a string kept as bytes as its text (made once per edit). */
export function valueOf(value: StoredValue | undefined): RedisValue | undefined {
  return value instanceof ByteString ? value.text : value;
}

/** Whether a stored value is a collection of `type` (a string, as text or ByteString, is none). */
export function hasType(value: StoredValue, type: string): value is RedisObject {
  return typeof value !== "string" && !(value instanceof ByteString) && value.type === type;
}

/** TYPE's answer for a stored value. */
export function storedType(value: StoredValue): string {
  return typeof value === "string" || value instanceof ByteString ? "string" : value.type;
}

/** A key too long to inline keeps its name and value here. */
export interface BigKeyBox {
  key: string;
  value: StoredValue;
}

/** A Uint8Array and its ArrayBuffer, beyond the bytes (measured: 1M of them, heapUsed). */
const TYPED_ARRAY_BYTES = 160;
/** What an object without memoryUsage() is taken to cost per element. */
const FALLBACK_ELEMENT_BYTES = 64;

/** Bytes a boxed value holds on the V8 heap (see memory.ts). */
export function valueBytes(value: StoredValue | BigKeyBox): number {
  if (typeof value === "string") return stringBytes(value.length);
  if (isPackable(value)) return packableBytes(value, value.packedKind() !== PackedKind.NotPackable);
  if (value instanceof ByteString) {
    return objectBytes(2) + TYPED_ARRAY_BYTES + value.bytes.byteLength;
  } else if ("key" in value) {
    return objectBytes(2) + stringBytes(value.key.length) + valueBytes(value.value);
  }
  return value.memoryUsage?.() ?? objectBytes(4) + value.size() * FALLBACK_ELEMENT_BYTES;
}

/** valueBytes of a collection with a packed form; `packed`: it has one now (packedKind()). */
export function packableBytes(value: Packable, packed: boolean): number {
  // What it costs kept packed, whether or not its object is live just now.
  return packed ? stringBytes(value.packedData().length) : value.memoryUsage!();
}
