/**
 * The modes that walk the keyspace with SCAN, printing what redis-cli 7.0
 * prints (scanMode, findBigKeys, findHotKeys): `--scan`, `--bigkeys`,
 * `--memkeys` (MEMORY USAGE) and `--hotkeys` (OBJECT FREQ). Ctrl-C stops the
 * walk and still prints the summary.
 */
import type { RespValue } from "../protocol/resp.ts";
import type { ServerConnection } from "./connection.ts";
import { cFixed, ModeError } from "./mode_util.ts";
import { quoteString } from "./render.ts";
import type { Output } from "./session.ts";

export interface ScanOptions {
  pattern?: string;
  count?: number;
  /** Seconds to sleep: after each batch (--scan), after each 100 batches (the others). */
  interval: number;
}

/** What a walk sees of Ctrl-C: whether it came, and a pause (-i) that it cuts short. */
interface Interrupt {
  stopped(): boolean;
  pause(seconds: number): Promise<void>;
}

/** Runs `walk` with Ctrl-C stopping it (as redis-cli's SIGINT handler does) instead of the process. */
async function interruptible(walk: (interrupt: Interrupt) => Promise<void>): Promise<void> {
  let stop = false;
  let wake = () => {};
  const onSignal = () => {
    stop = true;
    wake();
  };
  const pause = (seconds: number) =>
    stop ? Promise.resolve() : new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    await walk({ stopped: () => stop, pause });
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

const text = (v: RespValue): string => "value" in v ? String(v.value) : "";

/** One SCAN call: the next cursor and the keys (sendScan). */
async function scanBatch(
  conn: ServerConnection,
  cursor: string,
  options: ScanOptions,
): Promise<[string, string[]]> {
  const argv = ["SCAN", cursor];
  if (options.pattern !== undefined) argv.push("MATCH", options.pattern);
  if (options.count !== undefined) argv.push("COUNT", String(options.count));
  const reply = await conn.call(argv);
  if (reply.type === "error") throw new ModeError(`SCAN error: ${reply.value}`);
  if (reply.type !== "array") throw new ModeError("Non ARRAY response from SCAN!");
  if (reply.values.length !== 2) throw new ModeError("Invalid element count from SCAN!");
  const [next, keys] = reply.values;
  if (next === undefined || keys?.type !== "array") {
    throw new ModeError("Non ARRAY response from SCAN!");
  }
  return [text(next), keys.values.map(text)];
}

async function dbSize(conn: ServerConnection): Promise<number> {
  const reply = await conn.call(["DBSIZE"]);
  if (reply.type === "error") throw new ModeError(`Couldn't determine DBSIZE: ${reply.value}`);
  if (reply.type !== "int") throw new ModeError("Non INTEGER response from DBSIZE!");
  return Number(reply.value);
}

/** --scan: every key, one a line (quoted on a terminal). */
export async function scanMode(
  conn: ServerConnection,
  out: Output,
  options: ScanOptions,
  quoted: boolean,
): Promise<void> {
  await interruptible(async ({ stopped, pause }) => {
    let cursor = "0";
    do {
      const [next, keys] = await scanBatch(conn, cursor, options);
      cursor = next;
      let lines = "";
      for (const key of keys) lines += (quoted ? quoteString(key) : key) + "\n";
      await out.stdout(lines);
      if (options.interval > 0) await pause(options.interval);
    } while (!stopped() && cursor !== "0");
  });
}

interface TypeInfo {
  name: string;
  sizeCommand?: string;
  unit: string;
  biggest: number;
  biggestKey?: string;
  count: number;
  total: number;
}

function knownTypes(): Map<string, TypeInfo> {
  const types: [string, string, string][] = [
    ["string", "STRLEN", "bytes"],
    ["list", "LLEN", "items"],
    ["set", "SCARD", "members"],
    ["hash", "HLEN", "fields"],
    ["zset", "ZCARD", "members"],
    ["stream", "XLEN", "entries"],
  ];
  return new Map(types.map(([name, sizeCommand, unit]) => [
    name,
    { name, sizeCommand, unit, biggest: 0, count: 0, total: 0 },
  ]));
}

/**
 * The order redis-cli's summary lists the types in: its dictionary's, which
 * depends on how far the dictionary's incremental rehash (one step per
 * lookup, a lookup per key scanned) got; two lookups finish it.
 */
const SUMMARY_ORDER = [
  ["hash", "list", "string", "stream", "set", "zset"],
  ["string", "list", "hash", "stream", "set", "zset"],
  ["list", "hash", "string", "stream", "set", "zset"],
];

/** The types in summary order after `lookups` lookups; types redis-cli does not know come last. */
function summaryOrder(types: Map<string, TypeInfo>, lookups: number): TypeInfo[] {
  const known = SUMMARY_ORDER[Math.min(lookups, SUMMARY_ORDER.length - 1)]!;
  const rest = [...types.keys()].filter((name) => !known.includes(name));
  return [...known, ...rest].map((name) => types.get(name)!);
}

/** Percent of the way through, as redis-cli shows it: "[05.20%]". */
const progress = (pct: number) => `[${cFixed(pct, 2).padStart(5, "0")}%]`;

/** The types of `keys`, by one pipelined TYPE each; undefined for keys gone meanwhile. */
async function keyTypes(
  conn: ServerConnection,
  keys: string[],
  types: Map<string, TypeInfo>,
): Promise<(TypeInfo | undefined)[]> {
  await conn.sendMany(keys.map((key) => ["TYPE", key]));
  const found: (TypeInfo | undefined)[] = [];
  for (const key of keys) {
    const reply = await conn.read();
    if (reply.type === "error") throw new ModeError(`TYPE returned an error: ${reply.value}`);
    if (reply.type !== "simple" && reply.type !== "bulk") {
      throw new ModeError(`Invalid reply type for TYPE on key '${key}'!`);
    }
    let type = types.get(reply.value);
    if (type === undefined && reply.value !== "none") {
      type = { name: reply.value, unit: "?", biggest: 0, count: 0, total: 0 };
      types.set(reply.value, type);
    }
    found.push(type);
  }
  return found;
}

/** Each key's size: its type's length command, or MEMORY USAGE for --memkeys. */
async function keySizes(
  conn: ServerConnection,
  out: Output,
  keys: string[],
  types: (TypeInfo | undefined)[],
  memkeys: number | undefined,
): Promise<number[]> {
  const sized = keys.map((_, i) =>
    types[i] !== undefined && (memkeys !== undefined || types[i]!.sizeCommand !== undefined)
  );
  const requests: string[][] = [];
  keys.forEach((key, i) => {
    if (!sized[i]) return;
    if (memkeys === undefined) requests.push([types[i]!.sizeCommand!, key]);
    else if (memkeys === 0) requests.push(["MEMORY", "USAGE", key]);
    else requests.push(["MEMORY", "USAGE", key, "SAMPLES", String(memkeys)]);
  });
  if (requests.length > 0) await conn.sendMany(requests);
  const sizes: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (!sized[i]) {
      sizes.push(0);
      continue;
    }
    const reply = await conn.read();
    if (reply.type === "int") {
      sizes.push(Number(reply.value));
    } else {
      const command = memkeys === undefined ? types[i]!.sizeCommand : "MEMORY USAGE";
      await out.stderr(`Warning:  ${command} on '${keys[i]}' failed (may have changed type)\n`);
      sizes.push(0);
    }
  }
  return sizes;
}

/**
 * --bigkeys (sizes in elements) and --memkeys (sizes in bytes, `samples` for
 * MEMORY USAGE ... SAMPLES, 0 for the server's default).
 */
export async function bigKeysMode(
  conn: ServerConnection,
  out: Output,
  options: ScanOptions,
  memkeys?: number,
): Promise<void> {
  const types = knownTypes();
  const total = await dbSize(conn);
  await out.stdout(
    "\n# Scanning the entire keyspace to find biggest keys as well as\n" +
      "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
      "# per 100 SCAN commands (not usually needed).\n\n",
  );
  let sampled = 0;
  let scanned = 0;
  let totalLength = 0;
  let pct = 0;
  let interrupted = false;
  await interruptible(async ({ stopped, pause }) => {
    let cursor = "0";
    let loops = 0;
    do {
      pct = 100 * sampled / total;
      const [next, keys] = await scanBatch(conn, cursor, options);
      cursor = next;
      loops++;
      scanned += keys.length;
      const found = await keyTypes(conn, keys, types);
      const sizes = await keySizes(conn, out, keys, found, memkeys);
      let lines = "";
      keys.forEach((key, i) => {
        const type = found[i];
        // One size per key.
        const size = sizes[i]!;
        if (type === undefined) return;
        type.total += size;
        type.count++;
        totalLength += key.length;
        sampled++;
        if (type.biggest < size) {
          type.biggestKey = quoteString(key);
          const unit = memkeys === undefined ? type.unit : "bytes";
          lines +=
            `${progress(pct)} Biggest ${type.name.padEnd(6)} found so far '${type.biggestKey}' ` +
            `with ${size} ${unit}\n`;
          type.biggest = size;
        }
        if (sampled % 1_000_000 === 0) lines += `${progress(pct)} Sampled ${sampled} keys so far\n`;
      });
      await out.stdout(lines);
      if (options.interval > 0 && loops % 100 === 0) await pause(options.interval);
    } while (!(interrupted = stopped()) && cursor !== "0");
  });
  await out.stdout(
    bigKeysSummary(
      summaryOrder(types, scanned),
      sampled,
      totalLength,
      memkeys !== undefined,
      interrupted ? pct : undefined,
    ),
  );
}

function bigKeysSummary(
  types: TypeInfo[],
  sampled: number,
  totalLength: number,
  memkeys: boolean,
  stoppedAt: number | undefined,
): string {
  let s = "\n-------- summary -------\n\n";
  if (stoppedAt !== undefined) s += `${progress(stoppedAt)} `;
  s += `Sampled ${sampled} keys in the keyspace!\n`;
  s += `Total key length in bytes is ${totalLength} (avg len ${
    cFixed(totalLength ? totalLength / sampled : 0, 2)
  })\n\n`;
  for (const type of types) {
    if (type.biggestKey === undefined) continue;
    s += `Biggest ${type.name.padStart(6)} found '${type.biggestKey}' has ${type.biggest} ${
      memkeys ? "bytes" : type.unit
    }\n`;
  }
  s += "\n";
  for (const type of types) {
    const share = cFixed(sampled ? 100 * type.count / sampled : 0, 2).padStart(5, "0");
    const average = cFixed(type.count ? type.total / type.count : 0, 2);
    s += `${type.count} ${type.name}s with ${type.total} ${memkeys ? "bytes" : type.unit} ` +
      `(${share}% of keys, avg size ${average})\n`;
  }
  return s;
}

const HOTKEYS_SAMPLE = 16;

/** --hotkeys: the keys with the highest LFU counters (OBJECT FREQ), as findHotKeys keeps them. */
export async function hotKeysMode(
  conn: ServerConnection,
  out: Output,
  options: ScanOptions,
): Promise<void> {
  const counters: number[] = new Array(HOTKEYS_SAMPLE).fill(0);
  const names: (string | undefined)[] = new Array(HOTKEYS_SAMPLE).fill(undefined);
  const total = await dbSize(conn);
  await out.stdout(
    "\n# Scanning the entire keyspace to find hot keys as well as\n" +
      "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n" +
      "# per 100 SCAN commands (not usually needed).\n\n",
  );
  let sampled = 0;
  let pct = 0;
  let interrupted = false;
  await interruptible(async ({ stopped, pause }) => {
    let cursor = "0";
    let loops = 0;
    do {
      pct = 100 * sampled / total;
      const [next, keys] = await scanBatch(conn, cursor, options);
      cursor = next;
      loops++;
      await conn.sendMany(keys.map((key) => ["OBJECT", "FREQ", key]));
      let lines = "";
      for (const key of keys) {
        const reply = await conn.read();
        if (reply.type === "error") throw new ModeError(`Error: ${reply.value}`);
        const freq = reply.type === "int" ? Number(reply.value) : 0;
        sampled++;
        if (sampled % 1_000_000 === 0) lines += `${progress(pct)} Sampled ${sampled} keys so far\n`;
        // An ascending pool of the hottest keys seen: drop the coldest to make room.
        let k = 0;
        while (k < HOTKEYS_SAMPLE && freq > counters[k]!) k++;
        if (k === 0) continue;
        k--;
        if (k !== 0 && counters[k] !== 0) {
          counters.splice(0, 1);
          counters.splice(k, 0, 0);
          names.splice(0, 1);
          names.splice(k, 0, undefined);
        }
        counters[k] = freq;
        names[k] = quoteString(key);
        lines += `${progress(pct)} Hot key '${names[k]}' found so far with counter ${freq}\n`;
      }
      await out.stdout(lines);
      if (options.interval > 0 && loops % 100 === 0) await pause(options.interval);
    } while (!(interrupted = stopped()) && cursor !== "0");
  });
  let s = "\n-------- summary -------\n\n";
  if (interrupted) s += `${progress(pct)} `;
  s += `Sampled ${sampled} keys in the keyspace!\n`;
  for (let k = HOTKEYS_SAMPLE - 1; k >= 0; k--) {
    if (counters[k]! > 0) s += `hot key found with counter: ${counters[k]}\tkeyname: ${names[k]}\n`;
  }
  await out.stdout(s);
}
