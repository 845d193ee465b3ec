/**
 * DEBUG DIGEST and DIGEST-VALUE: Redis's debug.c algorithm (SHA-1 mixing of
 * keys and values), so equal datasets digest equally, here and in Redis.
 *
 * A digest is kept as SHA-1's five big-endian words, not 20 bytes: XORing a
 * hash into it is five word XORs, and mixing (the SHA-1 of the digest) is one
 * block compressed straight from the words. Nothing is allocated per key: two
 * 20-byte arrays for each SHA-1 and one per key made the collector a seventh
 * of a DIGEST.
 */
import type { Database } from "../db.ts";
import { type Message, sha1OfWords, sha1Words, toHex } from "../sha.ts";
import type { RedisHash } from "../types/hash.ts";
import type { RedisList } from "../types/list.ts";
import type { RedisSet } from "../types/set.ts";
import type { SortedSet } from "../types/sorted_set.ts";
import type { Stream } from "../types/stream.ts";
import { ID_MAX, ID_MIN, idMs, idSeq } from "../types/stream_id.ts";
import type { RedisValue } from "../types/value.ts";
import { tableEntries } from "../types/keytable_keys.ts";

/** digest ^= SHA1(data). */
function xorDigest(digest: Int32Array, data: Message): void {
  const hash = sha1Words(data);
  for (let i = 0; i < 5; i++) digest[i]! ^= hash[i]!;
}

/** digest = SHA1(digest ^ SHA1(data)): order matters. */
function mixDigest(digest: Int32Array, data: Message): void {
  xorDigest(digest, data);
  sha1OfWords(digest);
}

const hashed = new Int32Array(5);

/** xorDigest of another digest's 20 bytes: digest ^= SHA1(other). */
function xorDigestOf(digest: Int32Array, other: Int32Array): void {
  hashed.set(other);
  sha1OfWords(hashed);
  for (let i = 0; i < 5; i++) digest[i]! ^= hashed[i]!;
}

/** A 32-bit number as Redis hashes it (htonl'd), as a binary string. */
const bigEndian32 = (n: number) =>
  String.fromCharCode(n >>> 24, n >>> 16 & 255, n >>> 8 & 255, n & 255);

/** Redis's object type codes (OBJ_STRING ... OBJ_STREAM), as bigEndian32 gives them. */
const TYPE_CODE: Record<string, string> = {
  string: bigEndian32(0),
  list: bigEndian32(1),
  set: bigEndian32(2),
  zset: bigEndian32(3),
  hash: bigEndian32(4),
  stream: bigEndian32(6),
};

/** C's "%.17g". */
export function formatG17(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (!Number.isFinite(d)) return d < 0 ? "-inf" : "inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const [mantissa = "", exp] = d.toExponential(16).split("e");
  const exponent = Number(exp);
  const trim = (s: string) => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  if (exponent < -4 || exponent >= 17) {
    const sign = exponent < 0 ? "-" : "+";
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return trim(d.toFixed(16 - exponent));
}

/** A hash field's or sorted set member's own digest, XORed into its value's. */
const element = new Int32Array(5);

/** A key's value mixed into `digest` as Redis's xorObjectDigest. */
function valueDigest(digest: Int32Array, value: RedisValue, hasExpire: boolean): void {
  if (typeof value === "string") {
    mixDigest(digest, TYPE_CODE.string!);
    mixDigest(digest, value);
  } else {
    mixDigest(digest, TYPE_CODE[value.type] ?? TYPE_CODE.stream!);
    if (value.type === "list") {
      for (const v of (value as RedisList).values()) mixDigest(digest, v);
    } else if (value.type === "set") {
      for (const m of (value as RedisSet).members()) xorDigest(digest, m);
    } else if (value.type === "zset") {
      for (const [member, score] of (value as SortedSet).entries()) {
        element.fill(0);
        mixDigest(element, member);
        mixDigest(element, formatG17(score));
        xorDigestOf(digest, element);
      }
    } else if (value.type === "hash") {
      for (const [field, v] of (value as RedisHash).entries()) {
        element.fill(0);
        mixDigest(element, field);
        mixDigest(element, v);
        xorDigestOf(digest, element);
      }
    } else if (value.type === "stream") {
      // Entries only, each ID as "ms.seq" (Redis leaves consumer groups out too).
      for (const entry of (value as Stream).range(ID_MIN, ID_MAX)) {
        mixDigest(digest, `${idMs(entry.id)}.${idSeq(entry.id)}`);
        for (const part of entry.pairs) mixDigest(digest, part);
      }
    }
  }
  if (hasExpire) xorDigest(digest, "!!expire!!");
}

/** DEBUG DIGEST-VALUE of one value (undefined: a missing key, all zeros), as hex. */
export function valueDigestHex(value: RedisValue | undefined, hasExpire: boolean): string {
  const digest = new Int32Array(5);
  if (value !== undefined) valueDigest(digest, value, hasExpire);
  return toHex(digest, 5);
}

/** DEBUG DIGEST of every database, as hex (40 zeros when all are empty). */
export function datasetDigest(dbs: readonly Database[]): string {
  const final = new Int32Array(5);
  const key = new Int32Array(5);
  for (const db of dbs) {
    if (db.size === 0) continue;
    mixDigest(final, bigEndian32(db.index));
    const expires = db.expires;
    for (const [name, value] of tableEntries(db.dict)) {
      key.fill(0);
      mixDigest(key, name);
      valueDigest(key, value, expires.size !== 0 && expires.has(name));
      xorDigestOf(final, key);
    }
  }
  return toHex(final, 5);
}
