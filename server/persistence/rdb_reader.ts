/**
 * Decodes Redis RDB data: whole files (versions 1-10, as Redis 7.0 loads
 * them) and single serialized values (DUMP payloads). Every encoding Redis
 * 7.0 writes is read, and the older ones it still loads: ziplists, zipmaps,
 * ziplist quicklists, text-encoded scores, second-resolution expiry times.
 *
 * Values come out as plain arrays (`DecodedValue`); `materialize` in
 * values.ts turns them into the server's types. Malformed input throws
 * FormatError with the byte offset; nothing here trusts a length it read.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { parseDouble } from "../args.ts";
import type { Stream } from "../types/stream.ts";
import { crc64 } from "./crc64.ts";
import { check, FormatError } from "./format_error.ts";
import { decodeIntset } from "./intset.ts";
import { decodeListpack } from "./listpack.ts";
import { lzfDecompress } from "./lzf.ts";
import { readStream } from "./rdb_stream.ts";
import { Opcode, QUICKLIST_PACKED, QUICKLIST_PLAIN, RDB_VERSION, RdbType } from "./rdb_writer.ts";
import { decodeZiplist, decodeZipmap } from "./ziplist.ts";

/** A value as read from RDB: a string, or a collection's elements. */
export type DecodedValue =
  | string
  | { type: "list"; items: string[] }
  | { type: "set"; members: string[] }
  // packed: saved as a listpack or ziplist, which a load converts by its length alone.
  | { type: "hash"; pairs: string[]; packed?: boolean }
  | { type: "zset"; members: string[]; scores: number[]; packed?: boolean }
  | { type: "stream"; stream: Stream };

/** Receives what a file holds, in order. */
export interface RdbVisitor {
  /** SELECTDB: keys that follow belong to database `index`. */
  selectDb(index: number): void;
  /** A key, its value and its absolute expiry time in ms (if any). */
  entry(key: string, value: DecodedValue, expireAt: number | undefined): void;
  /** An aux field (redis-ver, ctime, aof-base, ...). */
  aux?(name: string, value: string): void;
  /** A function library (Redis 7 FUNCTION): its code, `#!lua name=...` included. */
  functionLibrary?(code: string): void;
  /** A key whose collection was empty (Redis skips these too). */
  skippedEmpty?(key: string): void;
}

export interface RdbReadResult {
  version: number;
  /** Offset just past the file's checksum (an AOF tail may follow). */
  end: number;
}

/** Reads RDB primitives from a byte array, bounds-checked. */
export class RdbDecoder {
  pos: number;
  readonly #view: DataView;
  /** Set by #lengthOrEncoding when the "length" was a special string encoding. */
  #encoded = false;

  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number): void {
    if (this.pos + n > this.end) throw new FormatError("unexpected end of data");
  }

  byte(): number {
    this.#need(1);
    return this.buf[this.pos++]!;
  }

  #lengthOrEncoding(): number {
    const first = this.byte();
    const kind = first >> 6;
    this.#encoded = false;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (kind === 3) {
      this.#encoded = true;
      return first & 0x3f;
    }
    if (first === 0x80) {
      this.#need(4);
      const n = this.#view.getUint32(this.pos, false);
      this.pos += 4;
      return n;
    }
    check(first === 0x81, `unknown length encoding ${first}`);
    this.#need(8);
    const n = this.#view.getBigUint64(this.pos, false);
    this.pos += 8;
    check(n <= BigInt(Number.MAX_SAFE_INTEGER), "length too large");
    return Number(n);
  }

  /** A plain length (rdbLoadLen). */
  length(): number {
    const n = this.#lengthOrEncoding();
    check(!this.#encoded, "unexpected string encoding where a length belongs");
    return n;
  }

  /** A string in any encoding, as a binary string. */
  string(): string {
    const n = this.#lengthOrEncoding();
    if (!this.#encoded) {
      this.#need(n);
      const s = bytesToBinary(this.buf, this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    switch (n) {
      case 0:
        this.#need(1);
        return String(this.#view.getInt8(this.pos++));
      case 1: {
        this.#need(2);
        const v = this.#view.getInt16(this.pos, true);
        this.pos += 2;
        return String(v);
      }
      case 2: {
        this.#need(4);
        const v = this.#view.getInt32(this.pos, true);
        this.pos += 4;
        return String(v);
      }
      case 3: {
        const bytes = this.#lzf();
        return bytesToBinary(bytes);
      }
      default:
        throw new FormatError(`unknown string encoding ${n}`);
    }
  }

  /** A string's bytes (listpacks, ziplists, intsets), decompressed if LZF. */
  blob(): Uint8Array {
    const n = this.#lengthOrEncoding();
    if (!this.#encoded) {
      this.#need(n);
      const bytes = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return bytes;
    }
    check(n === 3, "an integer where a listpack, ziplist or intset belongs");
    return this.#lzf();
  }

  #lzf(): Uint8Array {
    const compressed = this.length();
    const size = this.length();
    this.#need(compressed);
    check(size <= 512 * 1024 * 1024 * 8, "LZF string too large");
    const out = new Uint8Array(size);
    check(lzfDecompress(this.buf, this.pos, this.pos + compressed, out), "invalid LZF data");
    this.pos += compressed;
    return out;
  }

  /** A little-endian 64-bit millisecond time. */
  millis(): number {
    this.#need(8);
    const v = this.#view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }

  /** A little-endian 32-bit second time (RDB_OPCODE_EXPIRETIME). */
  seconds(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A binary double (ZSET_2). */
  binaryDouble(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A text double (ZSET, RDB < 8): length byte, 253 nan, 254 +inf, 255 -inf. */
  textDouble(): number {
    const len = this.byte();
    if (len === 253) return NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    this.#need(len);
    const text = bytesToBinary(this.buf, this.pos, this.pos + len);
    this.pos += len;
    const v = parseDouble(text);
    check(v !== undefined, `bad double '${text}'`);
    return v;
  }

  /** A value of RDB type `type` (rdbLoadObject); undefined for an empty collection. */
  value(type: number): DecodedValue | undefined {
    switch (type) {
      case RdbType.STRING:
        return this.string();
      case RdbType.LIST:
        return nonEmptyList(this.#strings(this.length()));
      case RdbType.SET:
        return nonEmptySet(this.#strings(this.length()));
      case RdbType.HASH:
        return nonEmptyHash(this.#strings(this.length() * 2));
      case RdbType.ZSET:
      case RdbType.ZSET_2: {
        const n = this.length();
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < n; i++) {
          members.push(this.string());
          const score = type === RdbType.ZSET_2 ? this.binaryDouble() : this.textDouble();
          check(!Number.isNaN(score), "Zset with NAN score detected");
          scores.push(score);
        }
        return n === 0 ? undefined : { type: "zset", members, scores };
      }
      case RdbType.HASH_ZIPMAP:
        return nonEmptyHash(decodeZipmap(this.blob()));
      case RdbType.LIST_ZIPLIST:
        return nonEmptyList(decodeZiplist(this.blob()));
      case RdbType.SET_INTSET:
        return nonEmptySet(decodeIntset(this.blob()));
      case RdbType.ZSET_ZIPLIST:
        return zsetFromPairs(decodeZiplist(this.blob()));
      case RdbType.ZSET_LISTPACK:
        return zsetFromPairs(decodeListpack(this.blob()));
      case RdbType.HASH_ZIPLIST:
        return nonEmptyHash(decodeZiplist(this.blob()), true);
      case RdbType.HASH_LISTPACK:
        return nonEmptyHash(decodeListpack(this.blob()), true);
      case RdbType.LIST_QUICKLIST:
      case RdbType.LIST_QUICKLIST_2: {
        const nodes = this.length();
        const items: string[] = [];
        for (let i = 0; i < nodes; i++) {
          let container = QUICKLIST_PACKED;
          if (type === RdbType.LIST_QUICKLIST_2) {
            container = this.length();
            check(
              container === QUICKLIST_PACKED || container === QUICKLIST_PLAIN,
              "Quicklist integrity check failed.",
            );
          }
          if (container === QUICKLIST_PLAIN) {
            items.push(this.string());
            continue;
          }
          const data = this.blob();
          check(data.length > 0, "empty quicklist node");
          const decoded = type === RdbType.LIST_QUICKLIST_2
            ? decodeListpack(data)
            : decodeZiplist(data);
          for (const item of decoded) items.push(item);
        }
        return nonEmptyList(items);
      }
      case RdbType.STREAM_LISTPACKS:
      case RdbType.STREAM_LISTPACKS_2:
        return { type: "stream", stream: readStream(this, type === RdbType.STREAM_LISTPACKS_2) };
      case RdbType.MODULE:
      case RdbType.MODULE_2:
        throw new FormatError("module values are not supported by redis-home");
      default:
        throw new FormatError(`unknown RDB type ${type}`);
    }
  }

  #strings(n: number): string[] {
    // Each string takes at least one byte: a huge count cannot be genuine.
    check(n <= this.end - this.pos, "collection length past the end of the data");
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string();
    return out;
  }
}

function nonEmptyList(items: string[]): DecodedValue | undefined {
  return items.length === 0 ? undefined : { type: "list", items };
}

function nonEmptySet(members: string[]): DecodedValue | undefined {
  return members.length === 0 ? undefined : { type: "set", members };
}

function nonEmptyHash(pairs: string[], packed = false): DecodedValue | undefined {
  check(pairs.length % 2 === 0, "hash with an odd number of elements");
  if (pairs.length === 0) return undefined;
  return packed ? { type: "hash", pairs, packed } : { type: "hash", pairs };
}

function zsetFromPairs(pairs: string[]): DecodedValue | undefined {
  check(pairs.length % 2 === 0, "sorted set with an odd number of elements");
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const score = parseDouble(pairs[i + 1]!);
    check(score !== undefined, `bad sorted set score '${pairs[i + 1]}'`);
    members.push(pairs[i]!);
    scores.push(score);
  }
  return members.length === 0 ? undefined : { type: "zset", members, scores, packed: true };
}

/** Whether bytes start like an RDB file ("REDIS"). */
export function isRdb(data: Uint8Array): boolean {
  return data.length >= 5 && data[0] === 0x52 && data[1] === 0x45 && data[2] === 0x44 &&
    data[3] === 0x49 && data[4] === 0x53;
}

/**
 * Reads a whole RDB file from `data`, reporting to `visitor`. Checks the
 * CRC-64 trailer (version >= 5) unless `verifyChecksum` is false or the file
 * was written with checksums off (trailer 0). Throws FormatError naming the
 * offset on malformed input.
 */
export function readRdb(
  data: Uint8Array,
  visitor: RdbVisitor,
  verifyChecksum = true,
): RdbReadResult {
  const steps = readRdbInSteps(data, visitor, verifyChecksum, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * readRdb a step at a time: yields the offset reached each time an entry
 * ends past another `stepBytes` of the file (loading at start-up answers
 * clients between steps, as Redis's loading_process_events_interval_bytes).
 */
export function* readRdbInSteps(
  data: Uint8Array,
  visitor: RdbVisitor,
  verifyChecksum: boolean,
  stepBytes: number,
): Generator<number, RdbReadResult> {
  const dec = new RdbDecoder(data);
  let nextStep = stepBytes;
  try {
    check(data.length >= 9 && isRdb(data), "Wrong signature trying to load DB from file");
    const versionText = bytesToBinary(data, 5, 9);
    const version = /^\d{4}$/.test(versionText) ? Number(versionText) : 0;
    check(version >= 1 && version <= RDB_VERSION, `Can't handle RDB format version ${versionText}`);
    dec.pos = 9;
    let expireAt: number | undefined;
    for (;;) {
      const type = dec.byte();
      switch (type) {
        case Opcode.EXPIRETIME:
          expireAt = dec.seconds() * 1000;
          continue;
        case Opcode.EXPIRETIME_MS:
          expireAt = dec.millis();
          continue;
        case Opcode.FREQ:
          dec.byte();
          continue;
        case Opcode.IDLE:
          dec.length();
          continue;
        case Opcode.SELECTDB:
          visitor.selectDb(dec.length());
          continue;
        case Opcode.RESIZEDB:
          dec.length();
          dec.length();
          continue;
        case Opcode.AUX: {
          const name = dec.string();
          const value = dec.string();
          visitor.aux?.(name, value);
          continue;
        }
        case Opcode.MODULE_AUX:
          throw new FormatError("module data is not supported by redis-home");
        case Opcode.FUNCTION:
          throw new FormatError("pre-release function data (Redis 7.0 rc) is not supported");
        case Opcode.FUNCTION2: {
          const code = dec.string();
          visitor.functionLibrary?.(code);
          continue;
        }
        case Opcode.EOF:
          break;
        default: {
          const key = dec.string();
          const value = dec.value(type);
          if (value === undefined) visitor.skippedEmpty?.(key);
          else visitor.entry(key, value, expireAt);
          expireAt = undefined;
          if (dec.pos >= nextStep) {
            nextStep = dec.pos + stepBytes;
            yield dec.pos;
          }
          continue;
        }
      }
      break;
    }
    const eofEnd = dec.pos;
    if (version >= 5) {
      check(dec.pos + 8 <= data.length, "unexpected end of data");
      const stored = data.subarray(dec.pos, dec.pos + 8);
      dec.pos += 8;
      if (verifyChecksum && stored.some((b) => b !== 0)) {
        const crc = crc64(data, 0, eofEnd);
        check(crc.matches(stored, 0), "RDB CRC error");
      }
    }
    return { version, end: dec.pos };
  } catch (err) {
    if (err instanceof FormatError) {
      throw new FormatError(`${err.message} (at offset ${dec.pos})`);
    }
    throw err;
  }
}

/**
 * Checks and decodes a DUMP payload (type, value, 2-byte RDB version, CRC-64;
 * the CRC left unchecked when `checksum` is false, as DEBUG
 * SET-SKIP-CHECKSUM-VALIDATION asks). Null if the version or checksum is
 * wrong, undefined for an empty collection; throws FormatError if the value
 * inside is malformed.
 */
export function readDumpPayload(
  payload: Uint8Array,
  checksum = true,
): DecodedValue | undefined | null {
  if (payload.length < 10) return null;
  const footer = payload.length - 10;
  const version = payload[footer]! | (payload[footer + 1]! << 8);
  if (version > RDB_VERSION) return null;
  const end = payload.length - 8;
  if (checksum && !crc64(payload, 0, end).matches(payload, end)) return null;
  const dec = new RdbDecoder(payload, 0, footer);
  return dec.value(dec.byte());
}
