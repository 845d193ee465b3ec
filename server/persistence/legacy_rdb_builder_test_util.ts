/**
 * Test-only: writes RDB files of versions 3 to 9 (Redis 2.6 development
 * builds to 6.2), with the encodings Redis 7 no longer writes but loads:
 * zipmaps, ziplists, intsets, quicklists of ziplists, text-encoded scores,
 * plain lists, expiry in seconds. Written from the format descriptions in
 * Redis's rdb.h, ziplist.c, zipmap.c and intset.c, so the reader's legacy
 * paths are tested without committing files taken from elsewhere.
 *
 * A key is described by its value and the encoding the file uses for it;
 * `intendedValue` says what a loader must read back. Strings, keys and
 * blobs are written as rdbSaveRawString does (integer encodings, LZF).
 */
import { binaryToBytes } from "../../protocol/bytes.ts";
import { crc64 } from "./crc64.ts";
import { canonicalInteger } from "./listpack.ts";
import { lzfCompress } from "./lzf.ts";
import type { DecodedValue } from "./rdb_reader.ts";
import { Opcode, RdbType } from "./rdb_writer.ts";

/** A value and the encoding the file stores it in. */
export type LegacyValue =
  | { type: "string"; value: string }
  /** RDB_TYPE_LIST: linked lists (Redis < 3.2). */
  | { type: "list"; items: string[] }
  | { type: "set"; members: string[] }
  | { type: "hash"; pairs: [string, string][] }
  /** RDB_TYPE_ZSET: scores as text (RDB < 8). */
  | { type: "zset-text"; entries: [string, number][] }
  /** RDB_TYPE_ZSET_2: binary scores (RDB 8, 9). */
  | { type: "zset-binary"; entries: [string, number][] }
  /** `free` unused bytes (0xff, to trip a careless reader) after each value. */
  | { type: "hash-zipmap"; pairs: [string, string][]; free?: number }
  /** `widePrevlens`: 5-byte prevlen fields even for short entries, as cascade updates left them. */
  | { type: "list-ziplist"; items: string[]; widePrevlens?: boolean }
  /** `width` overrides the smallest one (Redis never narrows an intset). */
  | { type: "set-intset"; members: bigint[]; width?: 2 | 4 | 8 }
  /** Stored sorted by score then member, as Redis kept them. */
  | { type: "zset-ziplist"; entries: [string, number][] }
  | { type: "hash-ziplist"; pairs: [string, string][] }
  | { type: "list-quicklist"; nodes: string[][] };

export interface LegacyKey {
  db: number;
  key: string;
  value: LegacyValue;
  /** Absolute expiry in ms; with `expireSeconds`, whole seconds in the old opcode. */
  expireAt?: number;
  expireSeconds?: boolean;
  /** LRU idle time / LFU counter, written under an LRU or LFU maxmemory-policy. */
  idle?: number;
  freq?: number;
}

export interface LegacyFile {
  name: string;
  version: number;
  /** rdbcompression: LZF for strings and blobs over 20 bytes that compress. */
  compression: boolean;
  aux: [string, string][];
  /** Grouped by database. */
  keys: LegacyKey[];
}

/** What a loader must read for `value`: undefined for an empty collection (skipped). */
export function intendedValue(value: LegacyValue): DecodedValue | undefined {
  switch (value.type) {
    case "string":
      return value.value;
    case "list":
    case "list-ziplist":
      return value.items.length === 0 ? undefined : { type: "list", items: value.items };
    case "list-quicklist": {
      const items = value.nodes.flat();
      return items.length === 0 ? undefined : { type: "list", items };
    }
    case "set":
      return { type: "set", members: value.members };
    case "set-intset":
      return { type: "set", members: value.members.map(String) };
    case "hash":
    case "hash-zipmap":
    case "hash-ziplist":
      return value.pairs.length === 0 ? undefined : { type: "hash", pairs: value.pairs.flat() };
    case "zset-text":
    case "zset-binary":
    case "zset-ziplist": {
      const entries = value.type === "zset-ziplist" ? scoreOrder(value.entries) : value.entries;
      return entries.length === 0 ? undefined : {
        type: "zset",
        members: entries.map((e) => e[0]),
        scores: entries.map((e) => e[1]),
      };
    }
  }
}

/** Entries by score, then member bytes (binary strings compare as memcmp). */
function scoreOrder(entries: [string, number][]): [string, number][] {
  return [...entries].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Bytes appended one field at a time. */
class Bytes {
  #buf = new Uint8Array(1024);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.length + n));
    grown.set(this.#buf.subarray(0, this.length));
    this.#buf = grown;
  }

  u8(b: number): void {
    this.#room(1);
    this.#buf[this.length++] = b & 0xff;
  }

  /** Little-endian two's complement in `width` bytes. */
  intLE(v: number | bigint, width: number): void {
    let n = BigInt(v);
    for (let i = 0; i < width; i++, n >>= 8n) this.u8(Number(n & 0xffn));
  }

  u32BE(n: number): void {
    for (let shift = 24; shift >= 0; shift -= 8) this.u8(n >>> shift);
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buf.set(data, this.length);
    this.length += data.length;
  }

  binary(s: string): void {
    this.bytes(binaryToBytes(s));
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

const INT64_MIN = -(1n << 63n);

function fitsSigned(v: bigint, bits: number): boolean {
  const half = 1n << BigInt(bits - 1);
  return v >= -half && v < half;
}

/**
 * A ziplist: u32 total bytes, u32 offset of the last entry, u16 count
 * (0xffff when it does not fit), entries, 0xff. An entry is the previous
 * entry's size (1 byte, or 0xfe and u32 from 254 on), then the item as the
 * smallest integer encoding when it spells a canonical int64, else a string
 * with a 6-, 14- (big-endian) or 32-bit (big-endian) length.
 */
export function ziplist(items: readonly string[], widePrevlens = false): Uint8Array {
  const HEADER = 10;
  const body = new Bytes();
  let prevSize = 0;
  let tail = HEADER;
  for (const item of items) {
    const start = body.length;
    tail = HEADER + start;
    if (prevSize >= 254 || (widePrevlens && start > 0)) {
      body.u8(0xfe);
      body.intLE(prevSize, 4);
    } else {
      body.u8(prevSize);
    }
    ziplistItem(body, item);
    prevSize = body.length - start;
  }
  const out = new Bytes();
  out.intLE(HEADER + body.length + 1, 4);
  out.intLE(tail, 4);
  out.intLE(Math.min(items.length, 0xffff), 2);
  out.bytes(body.finish());
  out.u8(0xff);
  return out.finish();
}

function ziplistItem(out: Bytes, item: string): void {
  const n = canonicalInteger(item);
  if (n !== undefined) {
    const v = BigInt(n);
    if (v >= 0n && v <= 12n) return out.u8(0xf1 + Number(v));
    const [encoding, width] = fitsSigned(v, 8)
      ? [0xfe, 1]
      : fitsSigned(v, 16)
      ? [0xc0, 2]
      : fitsSigned(v, 24)
      ? [0xf0, 3]
      : fitsSigned(v, 32)
      ? [0xd0, 4]
      : [0xe0, 8];
    out.u8(encoding);
    return out.intLE(v, width);
  }
  const len = item.length;
  if (len < 64) {
    out.u8(len);
  } else if (len < 16384) {
    out.u8(0x40 | (len >> 8));
    out.u8(len);
  } else {
    out.u8(0x80);
    out.u32BE(len);
  }
  out.binary(item);
}

/**
 * A zipmap: u8 count (254: count it), then per pair the field length, the
 * field, the value length, a byte of free space, the value and the free
 * bytes, then 0xff. Lengths take 1 byte, or 0xfe and a little-endian u32
 * from 254 on.
 */
export function zipmap(pairs: readonly [string, string][], free = 0): Uint8Array {
  const out = new Bytes();
  const length = (n: number) => {
    if (n < 254) return out.u8(n);
    out.u8(254);
    out.intLE(n, 4);
  };
  out.u8(Math.min(pairs.length, 254));
  for (const [field, value] of pairs) {
    length(field.length);
    out.binary(field);
    length(value.length);
    out.u8(free);
    out.binary(value);
    for (let i = 0; i < free; i++) out.u8(0xff);
  }
  out.u8(0xff);
  return out.finish();
}

/** An intset: u32 width (2, 4, 8), u32 count, the members ascending, little-endian. */
export function intset(members: readonly bigint[], width?: 2 | 4 | 8): Uint8Array {
  const smallest = members.every((m) => fitsSigned(m, 16))
    ? 2
    : members.every((m) => fitsSigned(m, 32))
    ? 4
    : 8;
  const size = width ?? smallest;
  if (size < smallest) throw new Error("intset width too small for its members");
  if (members.some((m, i) => i > 0 && m <= members[i - 1]!)) {
    throw new Error("intset members must ascend");
  }
  const out = new Bytes();
  out.intLE(size, 4);
  out.intLE(members.length, 4);
  for (const m of members) out.intLE(m, size);
  return out.finish();
}

/**
 * A score as text, as Redis wrote it in zset ziplists and RDB_TYPE_ZSET:
 * integers in decimal, others with 17 significant digits (always exact).
 */
function scoreText(score: number): string {
  if (score === Infinity) return "inf";
  if (score === -Infinity) return "-inf";
  if (Object.is(score, -0)) return "-0";
  return Number.isSafeInteger(score) ? String(score) : score.toPrecision(17);
}

/** Writes RDB primitives (rdbSaveLen, rdbSaveRawString, ...). */
class RdbBytes extends Bytes {
  constructor(readonly compression: boolean) {
    super();
  }

  /** 6-bit, 14-bit (big-endian) or 32-bit (0x80, big-endian) length. */
  len(n: number): void {
    if (n < 64) {
      this.u8(n);
    } else if (n < 16384) {
      this.u8(0x40 | (n >> 8));
      this.u8(n);
    } else {
      this.u8(0x80);
      this.u32BE(n);
    }
  }

  /** As rdbSaveRawString: an INT8/16/32 encoding, LZF, or raw. */
  string(s: string): void {
    const n = s.length <= 11 ? canonicalInteger(s) : undefined;
    if (n !== undefined && fitsSigned(BigInt(n), 32)) {
      const v = BigInt(n);
      const [enc, width] = fitsSigned(v, 8) ? [0, 1] : fitsSigned(v, 16) ? [1, 2] : [2, 4];
      this.u8(0xc0 | enc);
      return this.intLE(v, width);
    }
    this.blob(binaryToBytes(s));
  }

  /** Bytes as a string: LZF (0xc3, compressed and original lengths) when it saves 4+ bytes. */
  blob(data: Uint8Array): void {
    if (this.compression && data.length > 20) {
      const out = new Uint8Array(data.length - 4);
      const size = lzfCompress(data, data.length, out, out.length);
      if (size > 0) {
        this.u8(0xc3);
        this.len(size);
        this.len(data.length);
        return this.bytes(out.subarray(0, size));
      }
    }
    this.len(data.length);
    this.bytes(data);
  }

  /** rdbSaveDoubleValue: a length byte and text; 253 nan, 254 inf, 255 -inf. */
  textDouble(d: number): void {
    if (d === Infinity) return this.u8(254);
    if (d === -Infinity) return this.u8(255);
    const text = scoreText(d);
    this.u8(text.length);
    this.binary(text);
  }

  binaryDouble(d: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, d, true);
    this.bytes(b);
  }
}

function rdbType(value: LegacyValue): number {
  switch (value.type) {
    case "string":
      return RdbType.STRING;
    case "list":
      return RdbType.LIST;
    case "set":
      return RdbType.SET;
    case "hash":
      return RdbType.HASH;
    case "zset-text":
      return RdbType.ZSET;
    case "zset-binary":
      return RdbType.ZSET_2;
    case "hash-zipmap":
      return RdbType.HASH_ZIPMAP;
    case "list-ziplist":
      return RdbType.LIST_ZIPLIST;
    case "set-intset":
      return RdbType.SET_INTSET;
    case "zset-ziplist":
      return RdbType.ZSET_ZIPLIST;
    case "hash-ziplist":
      return RdbType.HASH_ZIPLIST;
    case "list-quicklist":
      return RdbType.LIST_QUICKLIST;
  }
}

function writeValue(out: RdbBytes, value: LegacyValue): void {
  switch (value.type) {
    case "string":
      return out.string(value.value);
    case "list":
    case "set": {
      const items = value.type === "list" ? value.items : value.members;
      out.len(items.length);
      for (const item of items) out.string(item);
      return;
    }
    case "hash":
      out.len(value.pairs.length);
      for (const [field, v] of value.pairs) {
        out.string(field);
        out.string(v);
      }
      return;
    case "zset-text":
    case "zset-binary":
      out.len(value.entries.length);
      for (const [member, score] of value.entries) {
        out.string(member);
        if (value.type === "zset-text") out.textDouble(score);
        else out.binaryDouble(score);
      }
      return;
    case "hash-zipmap":
      return out.blob(zipmap(value.pairs, value.free));
    case "list-ziplist":
      return out.blob(ziplist(value.items, value.widePrevlens));
    case "set-intset":
      return out.blob(intset(value.members, value.width));
    case "zset-ziplist":
      return out.blob(ziplist(scoreOrder(value.entries).flatMap(([m, s]) => [m, scoreText(s)])));
    case "hash-ziplist":
      return out.blob(ziplist(value.pairs.flat()));
    case "list-quicklist":
      out.len(value.nodes.length);
      for (const node of value.nodes) out.blob(ziplist(node));
      return;
  }
}

/** The RDB file `file` describes: header, aux fields, databases, EOF, CRC-64 from version 5. */
export function buildLegacyRdb(file: LegacyFile): Uint8Array {
  const out = new RdbBytes(file.compression);
  out.binary(`REDIS${String(file.version).padStart(4, "0")}`);
  for (const [name, value] of file.aux) {
    out.u8(Opcode.AUX);
    out.string(name);
    out.string(value);
  }
  let db = -1;
  for (const k of file.keys) {
    if (k.db !== db) {
      db = k.db;
      out.u8(Opcode.SELECTDB);
      out.len(db);
      if (file.version >= 7) {
        const keys = file.keys.filter((other) => other.db === db);
        out.u8(Opcode.RESIZEDB);
        out.len(keys.length);
        out.len(keys.filter((other) => other.expireAt !== undefined).length);
      }
    }
    if (k.expireAt !== undefined && k.expireSeconds) {
      out.u8(Opcode.EXPIRETIME);
      out.intLE(k.expireAt / 1000, 4);
    } else if (k.expireAt !== undefined) {
      out.u8(Opcode.EXPIRETIME_MS);
      out.intLE(k.expireAt, 8);
    }
    if (k.idle !== undefined) {
      out.u8(Opcode.IDLE);
      out.len(k.idle);
    }
    if (k.freq !== undefined) {
      out.u8(Opcode.FREQ);
      out.u8(k.freq);
    }
    out.u8(rdbType(k.value));
    out.string(k.key);
    writeValue(out, k.value);
  }
  out.u8(Opcode.EOF);
  const data = out.finish();
  if (file.version < 5) return data;
  const withCrc = new Uint8Array(data.length + 8);
  withCrc.set(data);
  withCrc.set(crc64(data).bytes(), data.length);
  return withCrc;
}

// ---------------------------------------------------------------------------
// The files: every legacy encoding, at the versions that wrote it.

const BINARY = "\x00\xff\r\n\xfe\x80";

/** Both ends of every ziplist integer encoding: 4-bit immediate, 8, 16, 24, 32, 64 bits. */
const ZIPLIST_INTS = [
  "0",
  "12",
  "13",
  "-1",
  "127",
  "-128",
  "128",
  "-129",
  "32767",
  "-32768",
  "32768",
  "-32769",
  "8388607",
  "-8388608",
  "8388608",
  "-8388609",
  "2147483647",
  "-2147483648",
  "2147483648",
  "-2147483649",
  "9223372036854775807",
  String(INT64_MIN),
];

/** Text that is not a canonical int64, so ziplists keep it as a string. */
const NOT_INTS = ["-0", "007", "+1", " 1", "1.5", "9223372036854775808", "-9223372036854775809"];

/**
 * Strings at every ziplist length-encoding boundary (6, 14, 32 bits) and at
 * the prevlen boundary: after "y"*64, the "p" entry takes 253 bytes and the
 * "q" entry 254, so the entry after it needs a 5-byte prevlen.
 */
const ZIPLIST_STRINGS = [
  "",
  "a",
  "x".repeat(63),
  "y".repeat(64),
  "p".repeat(250),
  "q".repeat(251),
  BINARY,
  "z".repeat(16383),
  "w".repeat(16384),
  "after",
];

/** Deterministic pseudo-random bytes. */
function noise(length: number): string {
  let seed = 12345;
  let s = "";
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    s += String.fromCharCode(seed >> 16 & 0xff);
  }
  return s;
}

/** 2037-01-01: the seconds opcode holds an int32, so not past 2038. */
const FAR_FUTURE = 2114380800000;

/** Scores as Redis printed them: integers of every ziplist width, fractions, infinities, -0. */
const SCORED: [string, number][] = [
  ...ZIPLIST_INTS.map((n, i): [string, number] => [`int-${i}`, Number(n)]),
  ["-inf", -Infinity],
  ["inf", Infinity],
  ["minus-zero", -0],
  ["tenth", 0.1],
  ["huge", 1e300],
  ["tiny", -1e-300],
  ["42", 1.5],
  [BINARY, 2.5],
  ["", 3],
];

const strings = (db: number, pairs: [string, string][]): LegacyKey[] =>
  pairs.map(([key, value]) => ({ db, key, value: { type: "string", value } }));

export const LEGACY_FILES: LegacyFile[] = [
  {
    // Zipmap hashes as Redis 2.4 wrote them, millisecond expiry new in RDB 3; no checksum.
    name: "rdb-v3",
    version: 3,
    compression: false,
    aux: [],
    keys: [
      ...strings(0, [
        ["plain", "Hello World"],
        ["int8", "-100"],
        ["int16", "1000"],
        ["int32", "-100000"],
        ["beyond-int32", "3000000000"],
        ["leading-zero", "0123"],
        ["empty", ""],
        ["12345", "a key stored as an integer"],
        ["noise", noise(20000)], // over 16383 bytes: a 32-bit length
        [BINARY, BINARY],
      ]),
      {
        db: 0,
        key: "hash:zipmap",
        value: {
          type: "hash-zipmap",
          pairs: [["f1", "v1"], ["n", "42"], ["", "empty field"], [BINARY, "\xff"]],
          free: 4,
        },
      },
      {
        db: 0,
        key: "hash:zipmap-big",
        value: {
          type: "hash-zipmap",
          pairs: [
            ...Array.from({ length: 300 }, (_, i): [string, string] => [`field-${i}`, String(i)]),
            ["long", "v".repeat(300)],
            ["l".repeat(254), "long field"],
          ],
        },
      },
      {
        db: 0,
        key: "list:ziplist",
        value: { type: "list-ziplist", items: [...ZIPLIST_INTS, ...NOT_INTS, ...ZIPLIST_STRINGS] },
      },
      { db: 0, key: "set:intset16", value: { type: "set-intset", members: [-5n, 0n, 7n, 32767n] } },
      {
        db: 0,
        key: "set:intset32",
        value: { type: "set-intset", members: [-2147483648n, 1n, 70000n] },
      },
      {
        db: 0,
        key: "set:intset64",
        value: { type: "set-intset", members: [INT64_MIN, -1n, 1n << 40n, (1n << 63n) - 1n] },
      },
      { db: 0, key: "zset:ziplist", value: { type: "zset-ziplist", entries: SCORED } },
      { db: 0, key: "list:linked", value: { type: "list", items: ["a", "1", "-5", "70000", ""] } },
      { db: 0, key: "set:hashtable", value: { type: "set", members: ["a", "b", "1", BINARY] } },
      { db: 0, key: "zset:text", value: { type: "zset-text", entries: SCORED } },
      { db: 0, key: "hash:hashtable", value: { type: "hash", pairs: [["f", "v"], ["n", "1"]] } },
      {
        db: 0,
        key: "expire:seconds",
        value: { type: "string", value: "s" },
        expireAt: FAR_FUTURE,
        expireSeconds: true,
      },
      {
        db: 0,
        key: "expire:ms",
        value: { type: "list-ziplist", items: ["m"] },
        expireAt: FAR_FUTURE + 123,
      },
      ...strings(3, [["in-db-3", "three"]]),
    ],
  },
  {
    // Ziplist hashes replace zipmaps; the checksum only comes with RDB 5.
    name: "rdb-v4",
    version: 4,
    compression: true,
    aux: [],
    keys: [
      {
        db: 0,
        key: "hash:ziplist",
        value: {
          type: "hash-ziplist",
          pairs: [
            ["f1", "v1"],
            ["n", "42"],
            ["neg", String(INT64_MIN)],
            ["", ""],
            [BINARY, `${BINARY}v`],
            ["long", "L".repeat(300)],
            ...ZIPLIST_INTS.map((n, i): [string, string] => [`int-${i}`, n]),
          ],
        },
      },
      {
        db: 0,
        key: "hash:ziplist-big",
        value: {
          type: "hash-ziplist",
          pairs: Array.from({ length: 600 }, (_, i) => [`field-${i}`, String(i * 1000)]),
        },
      },
      {
        db: 0,
        key: "zset:ziplist-big",
        value: {
          type: "zset-ziplist",
          entries: Array.from({ length: 200 }, (_, i) => [`m-${i}`, (i - 100) / 4]),
        },
      },
      {
        db: 0,
        key: "set:intset-big",
        value: {
          type: "set-intset",
          members: Array.from({ length: 600 }, (_, i) => BigInt(i * 3 - 900)),
        },
      },
      {
        db: 0,
        key: "set:intset-wide",
        value: { type: "set-intset", members: [1n, 2n, 3n], width: 8 },
      },
      {
        // Over 65534 entries: the count field says 0xffff, "count them".
        db: 0,
        key: "list:ziplist-uncounted",
        value: {
          type: "list-ziplist",
          items: Array.from({ length: 70000 }, (_, i) => `${i % 13}`),
        },
      },
      {
        db: 0,
        key: "list:ziplist-wide-prevlens",
        value: { type: "list-ziplist", items: ["a", "bb", "1", "-1000", "c"], widePrevlens: true },
      },
      { db: 0, key: "list:ziplist-empty", value: { type: "list-ziplist", items: [] } },
      { db: 0, key: "hash:ziplist-empty", value: { type: "hash-ziplist", pairs: [] } },
      { db: 0, key: "zset:ziplist-empty", value: { type: "zset-ziplist", entries: [] } },
      ...strings(0, [["compressible", "abc".repeat(1000)], ["-300", "int16 key"], [
        "70000",
        "int32 key",
      ]]),
      {
        db: 0,
        key: "expire:ms",
        value: { type: "string", value: "later" },
        expireAt: FAR_FUTURE + 1,
      },
    ],
  },
  {
    // Redis 4.0: aux fields, RESIZEDB, quicklists, binary scores, checksum.
    name: "rdb-v8",
    version: 8,
    compression: true,
    aux: [
      ["redis-ver", "4.0.14"],
      ["redis-bits", "64"],
      ["ctime", "1700000000"],
      ["used-mem", "1048576"],
      ["aof-preamble", "0"],
      ["lua", "return 1"],
    ],
    keys: [
      {
        db: 0,
        key: "list:quicklist",
        value: { type: "list-quicklist", nodes: [ZIPLIST_INTS, NOT_INTS, ZIPLIST_STRINGS] },
      },
      { db: 0, key: "zset:skiplist", value: { type: "zset-binary", entries: SCORED } },
      {
        db: 0,
        key: "zset:ziplist",
        value: { type: "zset-ziplist", entries: [["a", 1], ["b", 2], ["c", 3]] },
      },
      { db: 0, key: "hash:ziplist", value: { type: "hash-ziplist", pairs: [["f", "v"]] } },
      { db: 0, key: "set:intset", value: { type: "set-intset", members: [1n, 2n, 3n] } },
      ...strings(0, [["plain", "four"], ["compressible", "xyz".repeat(100)]]),
      {
        db: 15,
        key: "in-db-15",
        value: { type: "hash", pairs: [["k", "v"]] },
        expireAt: FAR_FUTURE + 8,
      },
    ],
  },
  {
    // Redis 5 to 6.2: replication aux fields, LRU/LFU opcodes.
    name: "rdb-v9",
    version: 9,
    compression: true,
    aux: [
      ["redis-ver", "6.2.14"],
      ["redis-bits", "64"],
      ["ctime", "1700000000"],
      ["used-mem", "3000000000"],
      ["repl-stream-db", "0"],
      ["repl-id", "0123456789abcdef0123456789abcdef01234567"],
      ["repl-offset", "0"],
      ["aof-preamble", "0"],
    ],
    keys: [
      {
        // Redis 7 skips empty ziplist nodes.
        db: 0,
        key: "list:quicklist",
        value: {
          type: "list-quicklist",
          nodes: [["a", "b"], [], ["1", "2", "3"], ["x".repeat(300)]],
        },
      },
      { db: 0, key: "list:quicklist-empty", value: { type: "list-quicklist", nodes: [[]] } },
      { db: 0, key: "zset:ziplist", value: { type: "zset-ziplist", entries: SCORED } },
      {
        db: 0,
        key: "hash:ziplist",
        value: {
          type: "hash-ziplist",
          pairs: ZIPLIST_INTS.map((n, i) => [n, ZIPLIST_STRINGS[i % ZIPLIST_STRINGS.length]!]),
        },
      },
      { db: 0, key: "lru", value: { type: "string", value: "idle" }, idle: 1234 },
      { db: 0, key: "lfu", value: { type: "set", members: ["f"] }, freq: 5 },
      {
        db: 2,
        key: "expire:ms",
        value: { type: "zset-binary", entries: [["a", 1]] },
        expireAt: FAR_FUTURE + 9,
      },
    ],
  },
];
