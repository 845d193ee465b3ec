/**
 * Stored strings are "binary strings": JS strings whose every char code is one
 * byte (0-255). V8 keeps them in its compact one-byte representation, which
 * measured far smaller per value than a Uint8Array (no ArrayBuffer and backing
 * store per value), and they hash and compare natively as Map keys.
 *
 * These helpers convert between bytes and binary strings without TextDecoder:
 * the WHATWG "latin1" decoder is really windows-1252 and would corrupt
 * 0x80-0x9F.
 */

const APPLY_CHUNK = 8192;

/** Bytes [start, end) of `buf` as a binary string. */
export function bytesToBinary(buf: Uint8Array, start = 0, end = buf.length): string {
  const len = end - start;
  if (len <= 12) {
    // Short strings (most keys and small values): a loop beats apply().
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  if (len <= APPLY_CHUNK) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  const parts: string[] = [];
  for (let i = start; i < end; i += APPLY_CHUNK) {
    const stop = Math.min(end, i + APPLY_CHUNK);
    parts.push(String.fromCharCode.apply(null, buf.subarray(i, stop) as unknown as number[]));
  }
  return parts.join("");
}

/** Writes binary string `s` into `buf` at `offset`; returns the offset after it. */
export function writeBinary(buf: Uint8Array, offset: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) buf[offset + i] = s.charCodeAt(i);
  return offset + len;
}

/** A binary string as a fresh Uint8Array. */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeBinary(out, 0, s);
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Text (any Unicode) as a binary string of its UTF-8 bytes. */
export function utf8ToBinary(text: string): string {
  // Pure ASCII is already its own UTF-8 encoding.
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return bytesToBinary(utf8Encoder.encode(text));
}

/** A binary string of UTF-8 bytes as text (invalid sequences become U+FFFD). */
export function binaryToUtf8(s: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return utf8Decoder.decode(binaryToBytes(s));
}
