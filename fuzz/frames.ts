/**
 * Hostile request frames for the fuzzer: valid requests of both protocols
 * built from the server's own command names with arguments drawn from
 * values that sit at or around its limits, then mutated (bytes flipped,
 * frames cut short, lengths lied about, garbage appended). Pure and seeded:
 * the same seed gives the same frames, so a failure can be replayed.
 */
import { binaryToBytes } from "../protocol/bytes.ts";
import { encodeNativeRequest, MAX_ARGS, MAX_MSG_LEN } from "../protocol/native.ts";
import { encodeRespRequest } from "../protocol/resp.ts";

export type FuzzProtocol = "resp" | "native";

/** A small fast PRNG (mulberry32), so runs are reproducible from a seed. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Numbers at and around the limits the server checks. */
const NUMBERS = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "10",
  "-10",
  "100",
  "1000",
  "65535",
  "65536",
  "2147483647",
  "2147483648",
  "-2147483648",
  "4294967295",
  "4294967296",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "536870911",
  "536870912",
  "1048576",
  "16777216",
  "-16777217",
  "1e308",
  "-1e308",
  "inf",
  "-inf",
  "+inf",
  "nan",
  "0.5",
  "-0.0",
  "1.7976931348623157e309",
  "0x10",
  "",
  " 1",
  "1 ",
  "007",
];

/** Option words many commands take, so random calls get past argument parsing. */
const WORDS = [
  "EX",
  "PX",
  "EXAT",
  "PXAT",
  "NX",
  "XX",
  "GT",
  "LT",
  "CH",
  "INCR",
  "KEEPTTL",
  "GET",
  "WITHSCORES",
  "LIMIT",
  "COUNT",
  "MATCH",
  "TYPE",
  "BLOCK",
  "STREAMS",
  "BYSCORE",
  "BYLEX",
  "REV",
  "MAXLEN",
  "MINID",
  "ID",
  "*",
  "$",
  ">",
  "-",
  "+",
  "(1",
  "[a",
  "LEFT",
  "RIGHT",
  "BEFORE",
  "AFTER",
  "ALPHA",
  "DESC",
  "STORE",
  "WEIGHTS",
  "AGGREGATE",
  "MIN",
  "MAX",
  "SUM",
  "IDLE",
  "RETRYCOUNT",
  "FORCE",
  "JUSTID",
  "MKSTREAM",
  "ENTRIESREAD",
  "WITHVALUES",
  "RANK",
  "MAXAGE",
  "LEN",
  "IDX",
  "MINMATCHLEN",
  "WITHMATCHLEN",
  "BIT",
  "BYTE",
  "OVERFLOW",
  "WRAP",
  "SAT",
  "FAIL",
  "u8",
  "i64",
  "#0",
  "FROMMEMBER",
  "FROMLONLAT",
  "BYRADIUS",
  "BYBOX",
  "km",
  "ASC",
  "WITHCOORD",
  "WITHDIST",
  "WITHHASH",
  "ANY",
  "SCHEDULE",
  "ASYNC",
  "SYNC",
  "REPLACE",
  "ABSTTL",
  "FREQ",
  "DB",
  "COPY",
  "FULL",
  "SAMPLES",
  "USAGE",
  "ENCODING",
  "HELP",
  "RESETSTAT",
  "LOAD",
  "FLUSH",
  "EXISTS",
  "NOSAVE",
  "*[a-z]*?",
  "a*a*a*a*a*a*a*a*a*a*b",
  "[^",
  "\\",
];

/**
 * Commands left out: they would stop, reconfigure or pause the server under
 * test, or turn a connection into something other than a client; and
 * PFSELFTEST, a self-test meant to be slow (about half a second a call, as
 * in Redis), which back to back from many connections would read as stalls.
 */
export const EXCLUDED_COMMANDS = new Set([
  "shutdown",
  "debug",
  "config",
  "acl",
  "client",
  "replicaof",
  "slaveof",
  "sync",
  "psync",
  "failover",
  "migrate",
  "monitor",
  "save",
  "bgsave",
  "bgrewriteaof",
  "module",
  "cluster",
  "pfselftest",
]);

/** An argument: a key from a small pool (so types collide), a number, a word or bytes. */
function argument(r: Random): string {
  const kind = r.below(10);
  if (kind < 3) return `k${r.below(8)}`;
  if (kind < 5) return r.pick(NUMBERS);
  if (kind < 7) return r.pick(WORDS);
  if (kind < 9) return randomBytes(r, r.below(16));
  return randomBytes(r, r.chance(0.1) ? 1 + r.below(64 * 1024) : r.below(512));
}

function randomBytes(r: Random, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(r.below(256));
  return s;
}

/** A request: a random command name (sometimes mangled) and 0..7 arguments. */
export function randomRequest(r: Random, names: readonly string[]): string[] {
  let name = r.pick(names);
  if (r.chance(0.03)) name = randomBytes(r, 1 + r.below(12));
  else if (r.chance(0.3)) name = name.toUpperCase();
  const argv = [name];
  const count = r.below(8);
  for (let i = 0; i < count; i++) argv.push(argument(r));
  return argv;
}

/** A RESP header that lies, or sits just around a limit. */
function respLie(r: Random, maxBulk: number): string {
  return r.pick([
    `*${r.pick(["-1", "0", "1048576", "1048577", "x", "", "99999999999999999999"])}\r\n`,
    `*1\r\n$${r.pick([maxBulk, maxBulk + 1, -2, -1, 0, "x", ""])}\r\n`,
    `*2\r\n$4\r\nECHO\r\n$3\r\nabcdef\r\n`,
    `*1\r\n:1\r\n`,
    `${"A".repeat(r.chance(0.5) ? 64 * 1024 + 1 : r.below(100))}\r\n`,
    `"unbalanced\r\n`,
    `\r\n\r\n\r\n`,
  ]);
}

/** A native header that lies: nstr 0, counts or lengths around the limits, short bodies. */
function nativeLie(r: Random): Uint8Array {
  const msgLen = r.pick([0, 3, 4, 8, MAX_MSG_LEN, MAX_MSG_LEN + 1, 0xffffffff]);
  const nstr = r.pick([0, 1, 2, MAX_ARGS, MAX_ARGS + 1, 0xffffffff]);
  const out = new Uint8Array(8 + r.below(16));
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.min(msgLen, 0xffffffff), true);
  view.setUint32(4, nstr, true);
  for (let i = 8; i < out.length; i++) out[i] = r.below(256);
  return out;
}

export interface FrameOptions {
  names: readonly string[];
  /** The server's proto-max-bulk-len, to lie around it. */
  maxBulk: number;
}

/**
 * One frame to send: mostly valid requests, else mutated ones or lies about
 * lengths; sometimes followed by garbage. `bad` marks frames after which the
 * server may answer with an error and close the connection.
 */
export function randomFrame(
  r: Random,
  protocol: FuzzProtocol,
  options: FrameOptions,
): { bytes: Uint8Array; bad: boolean } {
  const roll = r.below(100);
  if (roll < 8) {
    const lie = protocol === "resp" ? binaryToBytes(respLie(r, options.maxBulk)) : nativeLie(r);
    return { bytes: lie, bad: true };
  }
  const argv = randomRequest(r, options.names);
  const bytes = protocol === "resp" ? encodeRespRequest(argv) : encodeNativeRequest(argv);
  if (roll < 20) return { bytes: mutate(r, bytes), bad: true };
  if (roll < 23) {
    const garbage = binaryToBytes(randomBytes(r, 1 + r.below(32)));
    const joined = new Uint8Array(bytes.length + garbage.length);
    joined.set(bytes);
    joined.set(garbage, bytes.length);
    return { bytes: joined, bad: true };
  }
  return { bytes, bad: false };
}

/** Flips, drops or inserts a few bytes, or cuts the frame short. */
export function mutate(r: Random, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + r.below(3);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = r.below(out.length);
    const op = r.below(4);
    if (op === 0) out[at] = r.below(256);
    else if (op === 1) out.splice(at, 1);
    else if (op === 2) out.splice(at, 0, r.below(256));
    else out.length = at;
  }
  return new Uint8Array(out);
}

/**
 * Splits a frame into the pieces to write: whole, at one random point, or
 * (for small frames) one byte at a time.
 */
export function splitFrame(r: Random, bytes: Uint8Array): Uint8Array[] {
  const roll = r.below(10);
  if (roll < 6 || bytes.length < 2) return [bytes];
  if (roll < 9 || bytes.length > 256) {
    const at = 1 + r.below(bytes.length - 1);
    return [bytes.subarray(0, at), bytes.subarray(at)];
  }
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}
