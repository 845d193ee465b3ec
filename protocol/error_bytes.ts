/**
 * The bytes of error messages, kept for the next reply that sends the same
 * one. Nearly every error reply is one of a few constant messages (WRONGTYPE,
 * "ERR value is not an integer..."), 30-70 chars long: a regular expression
 * to find line breaks and encodeInto's view and call cost ~0.3 µs an error
 * reply, where copying kept bytes costs a few ns.
 */
import { writeBinary } from "./bytes.ts";

/** At most this many messages are kept; a full table starts again, so varied messages cannot grow it. */
const MAX_KEPT = 256;
/** Longer messages (a script's error with its source...) are written each time. */
const MAX_LENGTH = 200;

const kept = new Map<string, Uint8Array>();

/**
 * The bytes of `message` (one per char, as every binary string), or undefined
 * when it is long or holds a CR or LF: a RESP writer must replace those, and
 * the native protocol sends them as they are.
 */
export function errorBytes(message: string): Uint8Array | undefined {
  const bytes = kept.get(message);
  if (bytes !== undefined) return bytes;
  return keep(message);
}

function keep(message: string): Uint8Array | undefined {
  if (message.length > MAX_LENGTH || hasLineBreak(message)) return undefined;
  const bytes = new Uint8Array(message.length);
  writeBinary(bytes, 0, message);
  if (kept.size >= MAX_KEPT) kept.clear();
  kept.set(message, bytes);
  return bytes;
}

/** Whether `s` holds a CR or LF. */
export function hasLineBreak(s: string): boolean {
  return s.indexOf("\r") >= 0 || s.indexOf("\n") >= 0;
}
