/**
 * Strings of zero to two bytes made without a new string: a request's short
 * arguments (counts, limits, options, one-char keys) come from these tables.
 */
/**
 * The 256 one-char strings, for one-byte arguments: a look-up where making
 * one went through bytesToBinary's call (a native ZQUERY's four one-byte
 * arguments cost ~20 ns more that way).
 */
export const ONE_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => String.fromCharCode(i),
);

/**
 * Two-char strings of ASCII bytes (first * 128 + second), each made on
 * first use: counts, limits and options ("10", "-1", "ex") come from here
 * instead of a new string each (decode-only, a 2-byte argument cost ~15 ns
 * more than a 1-byte one). 16,384 slots, made with the first one asked.
 */
let twoAscii: string[] | undefined;

/** Bytes [at, at + len) of `buf` for a len of 0, 1 or 2, without making a string when it can. */
export function shortArgument(buf: Uint8Array, at: number, len: number): string {
  if (len === 1) return ONE_BYTE[buf[at]!]!;
  if (len === 0) return "";
  return twoBytes(buf[at]!, buf[at + 1]!);
}

/** The string of bytes `first` and `second`. */
export function twoBytes(first: number, second: number): string {
  if ((first | second) > 0x7f) return String.fromCharCode(first, second);
  const table = twoAscii ??= Array.from({ length: 128 * 128 }, () => "");
  const i = first * 128 + second;
  const s = table[i]!;
  return s.length !== 0 ? s : table[i] = String.fromCharCode(first, second);
}
