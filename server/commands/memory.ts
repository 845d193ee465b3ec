/**
 * MEMORY: USAGE estimates what a key costs in redis-home's own layout (V8
 * one-byte strings, packed collections), sampling collections as Redis does;
 * STATS, DOCTOR, MALLOC-STATS and PURGE report on the V8 heap.
 */
import { arg, parseInteger } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { keyRange } from "../key_specs.ts";
import type { CommandContext } from "../context.ts";
import { CommandError, NOT_INTEGER, SYNTAX } from "../errors.ts";
import { memoryFigures } from "../info/memory.ts";
import type { RedisHash } from "../types/hash.ts";
import type { RedisList } from "../types/list.ts";
import type { RedisSet } from "../types/set.ts";
import type { SortedSet } from "../types/sorted_set.ts";
import type { Stream } from "../types/stream.ts";
import { ID_MAX, ID_MIN } from "../types/stream_id.ts";
import { isIntegerEncodable } from "../types/string.ts";
import type { RedisValue } from "../types/value.ts";
import { writeHelp } from "./help.ts";

/** Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;
/** A V8 one-byte string: a 12-byte header (map, hash, length), 8-byte aligned. */
const stringBytes = (s: string) => Math.ceil((12 + s.length) / 8) * 8;
/** A key's slot in the key table and its share of the table's growth slack. */
const KEY_ENTRY = 24;
/** An object's own fields (the JS object, its encoding state). */
const OBJECT_HEADER = 64;
/**
 * What an element costs beyond its bytes: collections keep elements packed
 * (server/types/packed_dict.ts, list.ts), 3 bytes of framing in a small one,
 * plus a share of bucket headers and slack once it has grown.
 */
const packedOverhead = (small: boolean) => (small ? 3 : 12);

function* sampled<T>(items: Iterable<T>, limit: number, cost: (item: T) => number) {
  let n = 0;
  for (const item of items) {
    if (n++ >= limit) return;
    yield cost(item);
  }
}

/** The element count of a collection and the estimated bytes of its first `samples` elements. */
function collectionCost(
  samples: number,
  value: RedisValue,
): { size: number; sample: Iterable<number> } {
  if (typeof value === "string") return { size: 0, sample: [] };
  const overhead = packedOverhead(value.encoding() === "listpack" || value.encoding() === "intset");
  const one = (s: string) => s.length + overhead;
  switch (value.type) {
    case "list":
      return { size: value.size(), sample: sampled((value as RedisList).values(), samples, one) };
    case "set":
      return { size: value.size(), sample: sampled((value as RedisSet).members(), samples, one) };
    case "hash":
      return {
        size: value.size(),
        sample: sampled((value as RedisHash).entries(), samples, ([f, v]) => one(f) + one(v)),
      };
    case "zset":
      return {
        size: value.size(),
        sample: sampled((value as SortedSet).entries(), samples, ([m]) => one(m) + 8),
      };
    case "stream":
      return {
        size: value.size(),
        sample: sampled(
          (value as Stream).range(ID_MIN, ID_MAX),
          samples,
          (entry) => 16 + entry.pairs.reduce((n, part) => n + one(part), 0),
        ),
      };
  }
  return { size: value.size(), sample: [] };
}

/** MEMORY USAGE's figure: the key, its slot, and the value (collections extrapolated from samples). */
export function estimateUsage(key: string, value: RedisValue, samples: number): number {
  const base = stringBytes(key) + KEY_ENTRY;
  if (typeof value === "string") {
    return base + (isIntegerEncodable(value) ? 8 : stringBytes(value));
  }
  const { size, sample } = collectionCost(samples, value);
  let total = 0;
  let count = 0;
  for (const cost of sample) {
    total += cost;
    count++;
  }
  const elements = count === 0 ? 0 : Math.round(total / count * size);
  return base + OBJECT_HEADER + elements;
}

function usage(ctx: CommandContext, argv: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (arg(argv, j).toLowerCase() === "samples" && j + 1 < argv.length) {
      const n = parseInteger(arg(argv, ++j));
      if (n === undefined) throw new CommandError(NOT_INTEGER);
      if (n < 0) throw new CommandError(SYNTAX);
      samples = n === 0 ? Infinity : n;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const value = ctx.db.peek(arg(argv, 2));
  if (value === undefined) return ctx.out.nil();
  ctx.out.int(estimateUsage(arg(argv, 2), value, samples));
}

function stats(ctx: CommandContext): void {
  const server = ctx.server;
  const { used, rss, peak } = memoryFigures(server);
  const startup = 0;
  const dbs = server.dbs.filter((db) => db.size > 0);
  const keys = dbs.reduce((n, db) => n + db.size, 0);
  const overhead = dbs.reduce((n, db) => n + db.size * KEY_ENTRY + db.expires.size * 48, 0);
  const dataset = Math.max(used - overhead, 0);
  const out = ctx.out;
  const ints: [string, number][] = [
    ["peak.allocated", peak],
    ["total.allocated", used],
    ["startup.allocated", startup],
    ["replication.backlog", 0],
    ["clients.slaves", 0],
    ["clients.normal", server.clients.size * 1024],
    ["cluster.links", 0],
    ["aof.buffer", 0],
    ["lua.caches", 0],
    ["functions.caches", 0],
  ];
  out.map(27 + dbs.length);
  for (const [name, n] of ints) {
    out.bulk(name);
    out.int(n);
  }
  for (const db of dbs) {
    out.bulk(`db.${db.index}`);
    out.map(3);
    out.bulk("overhead.hashtable.main");
    out.int(db.size * KEY_ENTRY);
    out.bulk("overhead.hashtable.expires");
    out.int(db.expires.size * 48);
    out.bulk("overhead.hashtable.slot-to-keys");
    out.int(0);
  }
  const tail: [string, number, boolean][] = [
    ["overhead.total", overhead, false],
    ["keys.count", keys, false],
    ["keys.bytes-per-key", keys === 0 ? 0 : Math.floor((used - startup) / keys), false],
    ["dataset.bytes", dataset, false],
    ["dataset.percentage", used === 0 ? 0 : dataset * 100 / used, true],
    ["peak.percentage", used * 100 / peak, true],
    ["allocator.allocated", used, false],
    ["allocator.active", used, false],
    ["allocator.resident", rss, false],
    ["allocator-fragmentation.ratio", 1, true],
    ["allocator-fragmentation.bytes", 0, false],
    ["allocator-rss.ratio", rss / used, true],
    ["allocator-rss.bytes", rss - used, false],
    ["rss-overhead.ratio", 1, true],
    ["rss-overhead.bytes", 0, false],
    ["fragmentation", rss / used, true],
    ["fragmentation.bytes", rss - used, false],
  ];
  for (const [name, n, isDouble] of tail) {
    out.bulk(name);
    if (isDouble) out.double(n);
    else out.int(n);
  }
}

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const DOCTOR_FINE =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

const SHARD_TIPS = [
  "nondeterministic_output",
  "request_policy:all_shards",
  "response_policy:special",
];

function memoryRow(
  name: string,
  summary: string,
  handler: (ctx: CommandContext, argv: string[]) => void,
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return {
    name,
    arity: 2,
    flags: [],
    group: "server",
    since: "4.0.0",
    summary,
    syntax: "",
    tips: SHARD_TIPS,
    handler,
    ...extra,
  };
}

export const memoryCommands: CommandSpec[] = [
  {
    name: "memory",
    arity: -2,
    flags: [],
    group: "server",
    since: "4.0.0",
    summary: "A container for memory diagnostics commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: [
      memoryRow("doctor", "Outputs memory problems report", (ctx) => {
        const empty = ctx.server.dbs.every((db) => db.size === 0);
        ctx.out.verbatim(empty ? DOCTOR_EMPTY : DOCTOR_FINE);
      }),
      memoryRow("help", "Show helpful text about the different subcommands", (ctx) => {
        writeHelp(ctx, MEMORY_HELP);
      }, { flags: ["loading", "stale"], tips: undefined }),
      memoryRow("malloc-stats", "Show allocator internal stats", (ctx) => {
        ctx.out.bulk("Stats not supported for the current allocator");
      }),
      memoryRow("purge", "Ask the allocator to release memory", (ctx) => ctx.out.ok(), {
        tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
      }),
      memoryRow("stats", "Show memory usage details", stats),
      memoryRow("usage", "Estimate the memory usage of a key", usage, {
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        // As in Redis, RO without "access": the value itself is not read.
        keySpecs: [keyRange(["RO"], 2)],
        syntax: "key [SAMPLES count]",
        complexity: "O(N) where N is the number of samples.",
        tips: undefined,
      }),
    ],
  },
];
