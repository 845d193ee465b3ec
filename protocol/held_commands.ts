/**
 * Which commands' handlers take arguments as bytes, left in the query buffer
 * by the decoders (protocol/bytes.ts holds them): a value deferred
 * (takesBytes), a key (takesKeyBytes), a script's sha (takesNameBytes), or
 * every argument (takesArgumentBytes, MSET). Each command registers its own
 * forms where its handler is defined.
 */
import { SHORT_MAX } from "./binary.ts";

/** A command whose handler takes argument `index` as bytes when it has `count` arguments. */
interface BytesArgument {
  upper: string;
  index: number;
  count: number;
}

const registered: BytesArgument[] = [];

/**
 * Registers that `name`'s handler takes argument `index` with takeDeferred
 * when the request has exactly `count` arguments (handlers of other forms
 * never see the mark).
 */
export function takesBytes(name: string, index: number, count: number): void {
  if (index < 2 || index > 31 || index >= count) {
    throw new RangeError(`takesBytes: ${name} ${index}`);
  }
  const upper = name.toUpperCase();
  if (!registered.some((r) => r.upper === upper)) registered.push({ upper, index, count });
}

/** The argument `name` (as sent, any case) leaves as bytes with `count` arguments; 0 for none. */
export function deferredIndex(name: string, count: number): number {
  for (const r of registered) {
    if (r.count === count && sameWord(name, r.upper)) return r.index;
  }
  return 0;
}

/**
 * The form in which `name` (as sent, any case) leaves an argument as bytes:
 * its argument count times 32 plus the argument's index (under 32); 0 for none.
 */
export function deferredForm(name: string): number {
  for (const r of registered) {
    if (sameWord(name, r.upper)) return r.count * 32 + r.index;
  }
  return 0;
}

/** ASCII case-insensitive equality with an upper-case word (command names are ASCII). */
export function sameWord(name: string, upper: string): boolean {
  if (name.length !== upper.length) return false;
  if (name === upper) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 97 && c <= 122 ? c - 32 : c) !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Shortest key left as bytes: a 1-byte key's string costs ~10 ns, less than
 * holding it does for a write (INCR k: ~15 ns slower held, level at 4 bytes,
 * 15-20 ns faster at 8 and 12, ~30-45 at 20).
 */
export const KEY_BYTES_MIN = 4;
/** Longest key left as bytes (longer ones are made natively, and rare). */
export const KEY_BYTES_MAX = SHORT_MAX;

/** Commands whose handler takes a key as bytes: upper-case name, then a bit per argument count. */
const keyCommands: { upper: string; counts: number }[] = [];

/**
 * Registers that `name`'s handler takes its key (argument 1) with takeKey
 * when the request has exactly `count` arguments (at most 31; handlers of
 * other forms never see the mark).
 */
export function takesKeyBytes(name: string, count: number): void {
  if (count > 31) throw new RangeError(`takesKeyBytes: ${count} arguments`);
  const upper = name.toUpperCase();
  const known = keyCommands.find((c) => c.upper === upper);
  if (known !== undefined) known.counts |= 1 << count;
  else keyCommands.push({ upper, counts: 1 << count });
}

/**
 * keyByteCounts' bit 0 (no request of 0 arguments has a key): the command's
 * handler takes all its arguments as bytes, with any odd count (takeArguments).
 */
export const HOLDS_ARGUMENTS = 1;

/** Registers that `name`'s handler takes its key-value pairs with takeArguments (MSET). */
export function takesArgumentBytes(name: string): void {
  const upper = name.toUpperCase();
  const known = keyCommands.find((c) => c.upper === upper);
  if (known !== undefined) known.counts |= HOLDS_ARGUMENTS;
  else keyCommands.push({ upper, counts: HOLDS_ARGUMENTS });
}

/**
 * Whether keyByteCounts' `counts` hold the key of a request of `count`
 * arguments. A shift takes its count modulo 32: SADD k with 33 members (35
 * arguments) was taken as SADD k m (3), and added one.
 */
export function holdsKeyWith(counts: number, count: number): boolean {
  return count < 32 && ((counts >>> count) & 1) === 1;
}

/**
 * Longest argument 1 left as bytes for a command registered by takesNameBytes:
 * a script's sha1 in hex. EVALSHA made the 40 chars' string natively (~50 ns)
 * only to look the script up; its handler looks it up from the bytes instead.
 */
export const NAME_BYTES_MAX = 40;
/**
 * keyByteCounts' bit 1 (a request of 1 argument has no argument 1; bit 0 is HOLDS_ARGUMENTS'):
 * its argument 1 is a name.
 */
const NAME_BIT = 2;

/**
 * Registers that `name`'s handler takes argument 1, a name of up to
 * NAME_BYTES_MAX bytes (a script's sha), with takeKey, with `from` to 30
 * arguments (bit 31 would make the counts negative: unknown to RepeatedString).
 */
export function takesNameBytes(name: string, from: number): void {
  for (let count = from; count <= 30; count++) takesKeyBytes(name, count);
  keyCommands.find((c) => c.upper === name.toUpperCase())!.counts |= NAME_BIT;
}

/** Whether a request of `count` arguments, argument 1 of `length` bytes, leaves it as bytes. */
export function holdsArgument(counts: number, count: number, length: number): boolean {
  return length >= KEY_BYTES_MIN &&
    (length <= KEY_BYTES_MAX || (length <= NAME_BYTES_MAX && (counts & NAME_BIT) !== 0)) &&
    holdsKeyWith(counts, count);
}

/** The argument counts (a bit each) with which `name` (as sent, any case) takes its key as bytes. */
export function keyByteCounts(name: string): number {
  for (const c of keyCommands) {
    if (c.upper.length === name.length && sameWord(name, c.upper)) return c.counts;
  }
  return 0;
}
