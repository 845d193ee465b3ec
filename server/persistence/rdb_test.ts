import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { binaryToBytes } from "../../protocol/bytes.ts";
import type { RedisObject, RedisValue } from "../types/value.ts";
import { FormatError } from "./format_error.ts";
import {
  buildLegacyRdb,
  intendedValue,
  LEGACY_FILES,
} from "../../tests/fixtures/legacy_rdb_builder.ts";
import { decodeListpack, ListpackBuilder } from "./listpack.ts";
import { type DecodedValue, readDumpPayload, readRdb } from "./rdb_reader.ts";
import { dumpPayload, RdbEncoder } from "./rdb_writer.ts";

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Minimal collections with the documented APIs, so these tests need no type module. */
function fakeList(items: string[]): RedisObject {
  return {
    type: "list",
    encoding: () => "quicklist",
    clone: () => fakeList([...items]),
    size: () => items.length,
    values: () => items,
  } as RedisObject;
}
function fakeSet(members: string[]): RedisObject {
  return {
    type: "set",
    encoding: () => "hashtable",
    clone: () => fakeSet([...members]),
    size: () => members.length,
    members: () => members,
  } as RedisObject;
}
function fakeHash(entries: [string, string][]): RedisObject {
  return {
    type: "hash",
    encoding: () => "hashtable",
    clone: () => fakeHash([...entries]),
    size: () => entries.length,
    entries: () => entries,
  } as RedisObject;
}
function fakeZset(entries: [string, number][]): RedisObject {
  return {
    type: "zset",
    encoding: () => "skiplist",
    clone: () => fakeZset([...entries]),
    size: () => entries.length,
    entries: () => entries,
  } as RedisObject;
}

// DUMP payloads from redis-server 7.0.15.
const REDIS_DUMPS = {
  // RPUSH l a 1 -5 300 70000 -9000000 12345678901 ""
  list: "120102292900000008008161020101dffb02c12c02f270110104f3c0ab76ff05f4351cdcdf02000000" +
    "098001ff0a00071f5e1db24c1a61",
  // HSET h f1 v1 n 42
  hash: "10141400000004008266310382763103816e022a01ff0a003138f0c7327a23d3",
  // SADD si 1 2 3 -70000
  intset: "0b18040000000400000090eefeff0100000002000000030000000a00a8b63c622cbf2c9c",
  // SADD ss a b
  set: "0202016201610a0075d99d835ef85f65",
  // ZADD z 1.5 a -2 b inf c
  zset: "111d1d0000000600816202dffe0281610283312e350481630283696e6604ff0a007356ad6cc2484ad0",
  // SET i 12345
  int: "00c139300a009d94ea2793fc08b9",
  // SET big 123456789012
  bigint: "000c3132333435363738393031320a00911001b1d116e7ac",
};

const LIST_ITEMS = ["a", "1", "-5", "300", "70000", "-9000000", "12345678901", ""];

Deno.test("DUMP payloads from Redis 7 decode to their values", () => {
  const read = (h: string) => readDumpPayload(hex(h));
  deepEqual(read(REDIS_DUMPS.list), { type: "list", items: LIST_ITEMS });
  deepEqual(read(REDIS_DUMPS.hash), { type: "hash", pairs: ["f1", "v1", "n", "42"], packed: true });
  deepEqual(read(REDIS_DUMPS.intset), { type: "set", members: ["-70000", "1", "2", "3"] });
  deepEqual(read(REDIS_DUMPS.set), { type: "set", members: ["b", "a"] });
  deepEqual(read(REDIS_DUMPS.zset), {
    type: "zset",
    members: ["b", "a", "c"],
    scores: [-2, 1.5, Infinity],
    packed: true,
  });
  equal(read(REDIS_DUMPS.int), "12345");
  equal(read(REDIS_DUMPS.bigint), "123456789012");
});

Deno.test("our DUMP payloads are byte-identical to Redis's for lists and strings", () => {
  equal(toHex(binaryToBytes(dumpPayload(fakeList(LIST_ITEMS), true))), REDIS_DUMPS.list);
  equal(toHex(binaryToBytes(dumpPayload("12345", true))), REDIS_DUMPS.int);
  equal(toHex(binaryToBytes(dumpPayload("123456789012", true))), REDIS_DUMPS.bigint);
});

Deno.test("a payload with a wrong checksum or a newer RDB version is refused", () => {
  const good = hex(REDIS_DUMPS.hash);
  const flipped = good.slice();
  flipped[3]! ^= 1;
  equal(readDumpPayload(flipped), null);
  const newer = good.slice();
  newer[newer.length - 10] = 11;
  equal(readDumpPayload(newer), null);
  equal(readDumpPayload(good.subarray(0, 9)), null);
});

Deno.test("listpacks round-trip every integer width and string length class", () => {
  const items = [
    "0",
    "127",
    "128",
    "-1",
    "-4096",
    "4095",
    "-32768",
    "32767",
    "8388607",
    "-8388608",
    "2147483647",
    "-2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "007",
    "-0",
    "+1",
    "x".repeat(63),
    "y".repeat(64),
    "z".repeat(4095),
    "w".repeat(4096),
    "\x00\xff\r\n",
  ];
  const lp = new ListpackBuilder();
  for (const item of items) lp.append(item);
  deepEqual(decodeListpack(lp.finish()), items);
});

interface Entry {
  db: number;
  key: string;
  value: DecodedValue;
  expireAt: number | undefined;
}

function readAll(data: Uint8Array): Entry[] {
  const entries: Entry[] = [];
  let db = -1;
  readRdb(data, {
    selectDb: (index) => db = index,
    entry: (key, value, expireAt) => entries.push({ db, key, value, expireAt }),
  });
  return entries;
}

function writeFile(
  dbs: [number, [string, RedisValue, number | undefined][]][],
  options = { compression: true, checksum: true },
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const enc = new RdbEncoder(options, (chunk) => chunks.push(chunk.slice()));
  enc.header([["redis-ver", "7.0.0"], ["redis-bits", "64"]]);
  for (const [index, entries] of dbs) {
    enc.selectDb(index, entries.length, entries.filter((e) => e[2] !== undefined).length);
    for (const [key, value, expireAt] of entries) enc.keyValue(key, value, expireAt);
  }
  enc.end();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

Deno.test("an RDB file round-trips every type, binary keys, expiry and databases", () => {
  const bigList = Array.from({ length: 5000 }, (_, i) => `item-${i}-${"x".repeat(i % 40)}`);
  const long = "compressible ".repeat(100);
  const file = writeFile([
    [0, [
      ["str", "hello", undefined],
      ["\x00bin\xff\r\n", "\x00\x01\x02\xfe\xff", 1893456000123],
      ["int", "-12345", undefined],
      ["long", long, undefined],
      ["list", fakeList(bigList), undefined],
    ]],
    [7, [
      ["set", fakeSet(["a", "1", "\xff"]), 1893456000000],
      ["hash", fakeHash([["f", "v"], ["n", "42"]]), undefined],
      ["zset", fakeZset([["a", -Infinity], ["b", 0.1], ["c", 3e300]]), undefined],
    ]],
  ]);
  ok(file.length < long.length + bigList.join("").length, "LZF made the file smaller");
  deepEqual(readAll(file), [
    { db: 0, key: "str", value: "hello", expireAt: undefined },
    { db: 0, key: "\x00bin\xff\r\n", value: "\x00\x01\x02\xfe\xff", expireAt: 1893456000123 },
    { db: 0, key: "int", value: "-12345", expireAt: undefined },
    { db: 0, key: "long", value: long, expireAt: undefined },
    { db: 0, key: "list", value: { type: "list", items: bigList }, expireAt: undefined },
    {
      db: 7,
      key: "set",
      value: { type: "set", members: ["a", "1", "\xff"] },
      expireAt: 1893456000000,
    },
    {
      db: 7,
      key: "hash",
      value: { type: "hash", pairs: ["f", "v", "n", "42"] },
      expireAt: undefined,
    },
    {
      db: 7,
      key: "zset",
      value: { type: "zset", members: ["a", "b", "c"], scores: [-Infinity, 0.1, 3e300] },
      expireAt: undefined,
    },
  ]);
});

Deno.test("a corrupt or truncated RDB file is refused with the offset", () => {
  const file = writeFile([[0, [["k", "value", undefined]]]]);
  const corrupt = file.slice();
  corrupt[corrupt.length - 12]! ^= 0x20;
  throws(
    () => readAll(corrupt),
    (err: Error) => err instanceof FormatError && /RDB CRC error/.test(err.message),
  );
  throws(
    () => readAll(file.subarray(0, file.length - 12)),
    (err: Error) =>
      err instanceof FormatError && /unexpected end of data \(at offset \d+\)/.test(err.message),
  );
  throws(
    () => readAll(new TextEncoder().encode("REDIS0011")),
    /Can't handle RDB format version 0011/,
  );
  throws(() => readAll(new TextEncoder().encode("NOTREDIS!")), /Wrong signature/);
});

Deno.test("with rdbchecksum off the trailer is zero and loaders skip the check", () => {
  const file = writeFile([[0, [["k", "v", undefined]]]], { compression: false, checksum: false });
  deepEqual([...file.subarray(file.length - 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  deepEqual(readAll(file).map((e) => e.key), ["k"]);
});

function unpacked(value: DecodedValue): DecodedValue {
  if (typeof value === "string" || !("packed" in value)) return value;
  const { packed: _, ...rest } = value;
  return rest as DecodedValue;
}

Deno.test("RDB 3 to 9 files in pre-7 encodings (zipmap, ziplist, intset, quicklist) read as intended", () => {
  for (const file of LEGACY_FILES) {
    const data = buildLegacyRdb(file);
    const entries: Entry[] = [];
    const aux: [string, string][] = [];
    let db = -1;
    const result = readRdb(data, {
      selectDb: (index) => db = index,
      // Contents only: whether a value was packed is the loader's business (values.ts).
      entry: (key, value, expireAt) => entries.push({ db, key, value: unpacked(value), expireAt }),
      aux: (name, value) => aux.push([name, value]),
    });
    deepEqual(result, { version: file.version, end: data.length }, file.name);
    deepEqual(aux, file.aux, file.name);
    const intended = file.keys.flatMap(({ db, key, value, expireAt }) => {
      const decoded = intendedValue(value);
      return decoded === undefined ? [] : [{ db, key, value: decoded, expireAt }];
    });
    deepEqual(entries, intended, file.name);
  }
});
