/**
 * MEMORY: USAGE reports what a key costs in used_memory's account (see
 * docs/memory.md); STATS, DOCTOR, MALLOC-STATS and PURGE report on the
 * server's memory figures.
 */
import { arg, ArgCursor } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { CommandError, SYNTAX } from "../errors.ts";
import { memoryFigures } from "../info/memory.ts";
import { keyRange } from "../key_specs.ts";
import { EXPIRE_ENTRY_BYTES } from "../maxmemory.ts";
import { writeHelp } from "./help.ts";
import { keyUsage } from "../types/keytable_usage.ts";

/**
 * MEMORY USAGE's figure is the key table's account of the key (index slot,
 * record, value at its memoryUsage(): see docs/memory.md), the same figure
 * used_memory sums, so it is exact and SAMPLES, parsed as Redis parses it,
 * changes nothing.
 */
function usage(ctx: CommandContext, argv: string[]): void {
  const args = new ArgCursor(argv, 3);
  while (args.hasMore()) {
    if (args.nextOption() !== "samples" || !args.hasMore()) throw new CommandError(SYNTAX);
    if (args.nextInt() < 0) throw new CommandError(SYNTAX);
  }
  const key = arg(argv, 2);
  if (ctx.db.peekStored(key) === undefined) return ctx.out.nil();
  ctx.out.int(keyUsage(ctx.db.dict, key) ?? 0);
}

/** A key's index slot (8 bytes) at the key table's load (at most 3/4). */
const INDEX_BYTES_PER_KEY = 16;

function stats(ctx: CommandContext): void {
  const server = ctx.server;
  const { used, rss, peak } = memoryFigures(server);
  const { startup, clients, replicas, replicaClients, backlog, replicationBuffers } = server
    .maxmemory.figures();
  const dbs = server.dbs.filter((db) => db.size > 0);
  const keys = dbs.reduce((n, db) => n + db.size, 0);
  const tables = dbs.reduce(
    (n, db) => n + db.size * INDEX_BYTES_PER_KEY + db.expires.size * EXPIRE_ENTRY_BYTES,
    0,
  );
  const overhead = startup + clients + replicaClients + replicationBuffers + tables;
  const dataset = Math.max(used - overhead, 0);
  const out = ctx.out;
  const ints: [string, number][] = [
    ["peak.allocated", peak],
    ["total.allocated", used],
    ["startup.allocated", startup],
    ["replication.backlog", backlog],
    ["clients.slaves", replicas],
    ["clients.normal", clients],
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
    out.int(db.size * INDEX_BYTES_PER_KEY);
    out.bulk("overhead.hashtable.expires");
    out.int(db.expires.size * EXPIRE_ENTRY_BYTES);
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
      memoryRow("purge", "Ask the allocator to release memory", (ctx) => {
        ctx.server.memoryReducer.reduce();
        ctx.out.ok();
      }, {
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
