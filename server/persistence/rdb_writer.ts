/**
 * Encodes values in Redis's RDB format (version 10, Redis 7.0): the snapshot
 * file, the AOF base file and DUMP payloads all use it.
 *
 * Encodings written, all of which Redis 7 loads:
 * - strings: integer form for short canonical integers that fit in 32 bits,
 *   LZF when `rdbcompression` is on and the string is over 20 bytes and
 *   compresses, raw otherwise (as rdbSaveRawString);
 * - lists: a quicklist of listpack nodes of up to 8 KB (as Redis's default
 *   list-max-listpack-size -2);
 * - sets, hashes and sorted sets: their hashtable/skiplist forms, which
 *   Redis converts back to intset/listpack on load when small;
 * - streams: STREAM_LISTPACKS_2 (rdb_stream.ts).
 */
import { bytesToBinary, writeBinary } from "../../protocol/bytes.ts";
import type { Stream } from "../types/stream.ts";
import type { RedisObject, RedisValue } from "../types/value.ts";
import { Crc64 } from "./crc64.ts";
import { canonicalInteger, ListpackBuilder } from "./listpack.ts";
import { lzfCompress } from "./lzf.ts";
import { writeStream } from "./rdb_stream.ts";

export const RDB_VERSION = 10;

/** Object types (rdb.h RDB_TYPE_*). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

/** Special opcodes (rdb.h RDB_OPCODE_*). */
export const Opcode = {
  FUNCTION2: 245,
  FUNCTION: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** list-max-listpack-size -2: nodes of at most 8 KB. */
const LIST_NODE_BYTES = 8192;
/** Output is handed to the sink in pieces of about this size. */
const FLUSH_AT = 1 << 20;

/** The collection APIs the encoder reads (docs/architecture.md). */
interface ListView extends RedisObject {
  values(): Iterable<string>;
}
interface SetView extends RedisObject {
  members(): Iterable<string>;
}
interface HashView extends RedisObject {
  entries(): Iterable<[string, string]>;
}
interface SortedSetView extends RedisObject {
  entries(): Iterable<[string, number]>;
}

export interface RdbWriteOptions {
  /** rdbcompression: LZF-compress strings over 20 bytes. */
  compression: boolean;
  /** rdbchecksum: a CRC-64 trailer (0 when off, which loaders skip). */
  checksum: boolean;
}

/**
 * Writes RDB encodings into a growing buffer. With a sink, full buffers are
 * checksummed and passed on (the sink must use the bytes before returning);
 * without one, `bytes()` returns everything written (DUMP).
 */
export class RdbEncoder {
  #buf = new Uint8Array(64 * 1024);
  #pos = 0;
  #view = new DataView(this.#buf.buffer);
  readonly #crc = new Crc64();
  #scratch = new Uint8Array(0);
  #compressed = new Uint8Array(0);

  constructor(
    readonly options: RdbWriteOptions,
    readonly sink?: (chunk: Uint8Array) => void,
  ) {}

  /** Everything written so far (only without a sink). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Checksums and hands the buffered bytes to the sink. */
  flush(): void {
    if (this.#pos === 0 || this.sink === undefined) return;
    const chunk = this.#buf.subarray(0, this.#pos);
    if (this.options.checksum) this.#crc.update(chunk);
    this.sink(chunk);
    this.#pos = 0;
  }

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }

  byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
  }

  raw(data: Uint8Array): void {
    this.#ensure(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }

  /** A length as rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian. */
  len(n: number): void {
    this.#ensure(9);
    const b = this.#buf;
    if (n < 64) {
      b[this.#pos++] = n;
    } else if (n < 16384) {
      b[this.#pos++] = 0x40 | (n >> 8);
      b[this.#pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.#pos++] = 0x80;
      this.#view.setUint32(this.#pos, n, false);
      this.#pos += 4;
    } else {
      b[this.#pos++] = 0x81;
      this.#view.setBigUint64(this.#pos, BigInt(n), false);
      this.#pos += 8;
    }
  }

  /** A string as rdbSaveRawString: integer form, LZF, or length and bytes. */
  string(s: string): void {
    const len = s.length;
    if (len <= 11 && this.#integer(s)) return;
    if (len > 20 && this.options.compression && this.#lzf(s)) return;
    this.len(len);
    this.#ensure(len);
    this.#pos = writeBinary(this.#buf, this.#pos, s);
  }

  /** A byte blob (a listpack) with the same rules as `string`. */
  blob(data: Uint8Array): void {
    if (data.length > 20 && this.options.compression && this.#lzfBytes(data, data.length)) return;
    this.len(data.length);
    this.raw(data);
  }

  #integer(s: string): boolean {
    const v = canonicalInteger(s);
    if (typeof v !== "number" || v < -2147483648 || v > 2147483647) return false;
    this.#ensure(5);
    const b = this.#buf;
    if (v >= -128 && v <= 127) {
      b[this.#pos++] = 0xc0;
      b[this.#pos++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[this.#pos++] = 0xc1;
      this.#view.setInt16(this.#pos, v, true);
      this.#pos += 2;
    } else {
      b[this.#pos++] = 0xc2;
      this.#view.setInt32(this.#pos, v, true);
      this.#pos += 4;
    }
    return true;
  }

  #lzf(s: string): boolean {
    if (this.#scratch.length < s.length) this.#scratch = new Uint8Array(s.length * 2);
    writeBinary(this.#scratch, 0, s);
    return this.#lzfBytes(this.#scratch, s.length);
  }

  /** LZF-encodes `data[0, length)` if that saves at least 4 bytes (as Redis). */
  #lzfBytes(data: Uint8Array, length: number): boolean {
    const limit = length - 4;
    if (this.#compressed.length < limit) this.#compressed = new Uint8Array(length * 2);
    const size = lzfCompress(data, length, this.#compressed, limit);
    if (size === 0) return false;
    this.byte(0xc3);
    this.len(size);
    this.len(length);
    this.raw(this.#compressed.subarray(0, size));
    return true;
  }

  /** A little-endian unsigned 64-bit millisecond time. */
  millis(ms: number): void {
    this.#ensure(8);
    this.#view.setBigInt64(this.#pos, BigInt(ms), true);
    this.#pos += 8;
  }

  /** A binary double (ZSET_2 scores). */
  double(d: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, d, true);
    this.#pos += 8;
  }

  /** The RDB type byte a value is written with. */
  static typeOf(value: RedisValue): number {
    if (typeof value === "string") return RdbType.STRING;
    switch (value.type) {
      case "list":
        return RdbType.LIST_QUICKLIST_2;
      case "set":
        return RdbType.SET;
      case "hash":
        return RdbType.HASH;
      case "zset":
        return RdbType.ZSET_2;
      case "stream":
        return RdbType.STREAM_LISTPACKS_2;
      default:
        throw new Error(`cannot persist values of type ${value.type}`);
    }
  }

  /** The serialized value, without its type byte (rdbSaveObject). */
  object(value: RedisValue): void {
    if (typeof value === "string") return this.string(value);
    switch (value.type) {
      case "list":
        return this.#list(value as ListView);
      case "set": {
        this.len(value.size());
        for (const member of (value as SetView).members()) this.string(member);
        return;
      }
      case "hash": {
        this.len(value.size());
        for (const [field, v] of (value as HashView).entries()) {
          this.string(field);
          this.string(v);
        }
        return;
      }
      case "zset": {
        this.len(value.size());
        for (const [member, score] of (value as SortedSetView).entries()) {
          this.string(member);
          this.double(score);
        }
        return;
      }
      case "stream":
        return writeStream(this, value as Stream);
      default:
        throw new Error(`cannot persist values of type ${value.type}`);
    }
  }

  #list(list: ListView): void {
    const nodes: Uint8Array[] = [];
    let node = new ListpackBuilder();
    for (const item of list.values()) {
      if (node.count > 0 && node.size + item.length + 11 > LIST_NODE_BYTES) {
        nodes.push(node.finish());
        node = new ListpackBuilder();
      }
      node.append(item);
    }
    if (node.count > 0) nodes.push(node.finish());
    this.len(nodes.length);
    for (const lp of nodes) {
      this.len(QUICKLIST_PACKED);
      this.blob(lp);
    }
  }

  /** One keyspace entry: optional expiry, type, key, value. */
  keyValue(key: string, value: RedisValue, expireAt: number | undefined): void {
    if (expireAt !== undefined) {
      this.byte(Opcode.EXPIRETIME_MS);
      this.millis(expireAt);
    }
    this.byte(RdbEncoder.typeOf(value));
    this.string(key);
    this.object(value);
    if (this.#pos >= FLUSH_AT) this.flush();
  }

  /** "REDIS0010" and the aux fields Redis 7.0 writes. */
  header(aux: readonly [string, string][]): void {
    this.raw(new TextEncoder().encode(`REDIS${String(RDB_VERSION).padStart(4, "0")}`));
    for (const [name, value] of aux) {
      this.byte(Opcode.AUX);
      this.string(name);
      this.string(value);
    }
  }

  selectDb(index: number, keys: number, expires: number): void {
    this.byte(Opcode.SELECTDB);
    this.len(index);
    this.byte(Opcode.RESIZEDB);
    this.len(keys);
    this.len(expires);
  }

  /** The EOF opcode and the checksum trailer; flushes everything. */
  end(): void {
    this.byte(Opcode.EOF);
    if (this.sink !== undefined) this.flush();
    else if (this.options.checksum) this.#crc.update(this.bytes());
    this.raw(this.options.checksum ? this.#crc.bytes() : new Uint8Array(8));
    if (this.sink !== undefined) {
      this.sink(this.#buf.subarray(0, this.#pos));
      this.#pos = 0;
    }
  }
}

/**
 * A DUMP payload: type byte, serialized value, RDB version (2 bytes LE) and
 * the CRC-64 of all that (8 bytes LE), as a binary string.
 */
export function dumpPayload(value: RedisValue, compression: boolean): string {
  const enc = new RdbEncoder({ compression, checksum: false });
  enc.byte(RdbEncoder.typeOf(value));
  enc.object(value);
  enc.byte(RDB_VERSION & 0xff);
  enc.byte(RDB_VERSION >> 8);
  const crc = new Crc64();
  crc.update(enc.bytes());
  enc.raw(crc.bytes());
  return bytesToBinary(enc.bytes());
}
