/**
 * Server commands: COMMAND, INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB,
 * TIME, DEBUG, LOLWUT; and the INFO sections whose figures live in the
 * server itself (server, clients, memory, stats, replication, cpu, modules,
 * commandstats, errorstats, cluster, keyspace).
 */
import process from "node:process";
import { parseDouble, parseInteger } from "../args.ts";
import type { Client } from "../client.ts";
import type { Command, CommandSpec } from "../command.ts";
import {
  ACL_CATEGORIES,
  aclCategories,
  commandKeyPositions,
  hasKeys,
  writeCommandDocs,
  writeCommandInfo,
} from "../command_docs.ts";
import { ConfigError } from "../config.ts";
import type { Database } from "../db.ts";
import {
  CommandError,
  DB_INDEX_OUT_OF_RANGE,
  NOT_INTEGER,
  subcommandSyntax,
  SYNTAX,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import {
  bytesToHuman,
  errorStatsOf,
  type InfoField,
  registerInfoSection,
  renderInfo,
  resetErrorStats,
} from "../info.ts";
import { RedisServer, VERSION } from "../server.ts";
import { allCommands, lookupCommand } from "./table.ts";

function writeHelp(client: Client, lines: readonly string[]): void {
  client.out.array(lines.length);
  for (const line of lines) client.out.simple(line);
}

/** Whether the request came over loopback (enable-*-command local). */
function isLocal(client: Client): boolean {
  const addr = client.transport.remoteAddr;
  return addr.startsWith("127.") || addr.startsWith("::1") || addr.startsWith("[::1]");
}

// ---- COMMAND --------------------------------------------------------------

/** A command or subcommand by name, "config|get" style for subcommands. */
function findCommand(name: string): Command | undefined {
  const bar = name.indexOf("|");
  if (bar < 0) return lookupCommand(name);
  const parent = lookupCommand(name.slice(0, bar));
  return parent?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** Every command then its subcommands, as COMMAND LIST names them. */
function* everyCommand(): Generator<Command> {
  for (const command of allCommands()) {
    yield command;
    if (command.subcommands) yield* command.subcommands.values();
  }
}

const COMMAND_HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];

function writeAllCommandInfo(client: Client): void {
  const commands = allCommands();
  client.out.array(commands.length);
  for (const command of commands) writeCommandInfo(client.out, command);
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS: the keys of the command in argv[2...]. */
function getKeys(client: Client, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  let command = lookupCommand(target[0]);
  if (command?.subcommands !== undefined && target.length >= 2) {
    command = command.subcommands.get(target[1].toLowerCase());
  }
  if (command === undefined) throw new CommandError("ERR Invalid command specified");
  if (!hasKeys(command)) throw new CommandError("ERR The command has no key arguments");
  const arity = command.arity;
  if ((arity > 0 && target.length !== arity) || target.length < -arity) {
    throw new CommandError("ERR Invalid number of arguments specified for command");
  }
  const positions = commandKeyPositions(command, target);
  if (positions === undefined) {
    if (command.spec.flags.includes("no_mandatory_keys")) return client.out.array(0);
    throw new CommandError("ERR Invalid arguments specified for command");
  }
  const flags = command.isWrite ? ["RW", "update"] : ["RO", "access"];
  client.out.array(positions.length);
  for (const at of positions) {
    if (!withFlags) {
      client.out.bulk(target[at]);
      continue;
    }
    client.out.array(2);
    client.out.bulk(target[at]);
    client.out.set(flags.length);
    for (const flag of flags) client.out.simple(flag);
  }
}

const commandSub = {
  flags: ["loading", "stale"],
  group: "server",
  acl: ["connection"],
} as const;

const commandSubcommands: CommandSpec[] = [
  {
    ...commandSub,
    name: "count",
    arity: 2,
    since: "2.8.13",
    summary: "Returns a count of commands.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      client.out.int(allCommands().length);
    },
  },
  {
    ...commandSub,
    name: "info",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "2.8.13",
    summary: "Returns information about one, multiple or all commands.",
    syntax: "[command-name [command-name ...]]",
    complexity: "O(N) where N is the number of commands to look up",
    handler(client, argv) {
      if (argv.length === 2) return writeAllCommandInfo(client);
      client.out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) writeCommandInfo(client.out, findCommand(argv[i]));
    },
  },
  {
    ...commandSub,
    name: "docs",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "7.0.0",
    summary: "Returns documentary information about one, multiple or all commands.",
    syntax: "[command-name [command-name ...]]",
    complexity: "O(N) where N is the number of commands to look up",
    handler(client, argv) {
      const chosen = argv.length === 2
        ? allCommands()
        : argv.slice(2).map(findCommand).filter((c): c is Command => c !== undefined);
      client.out.map(chosen.length);
      for (const command of chosen) {
        client.out.bulk(command.fullName);
        writeCommandDocs(client.out, command);
      }
    },
  },
  {
    ...commandSub,
    name: "list",
    arity: -2,
    tips: ["nondeterministic_output_order"],
    since: "7.0.0",
    summary: "Returns a list of command names.",
    syntax: "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
    complexity: "O(N) where N is the total number of Redis commands",
    handler(client, argv) {
      let keep: (command: Command) => boolean = () => true;
      if (argv.length !== 2) {
        if (argv.length !== 5 || argv[2].toLowerCase() !== "filterby") {
          throw new CommandError(SYNTAX);
        }
        const kind = argv[3].toLowerCase();
        const value = argv[4];
        if (kind === "module") keep = () => false;
        else if (kind === "aclcat") {
          const category = value.toLowerCase();
          keep = ACL_CATEGORIES.includes(category)
            ? (c) => aclCategories(c.spec).includes(category)
            : () => false;
        } else if (kind === "pattern") keep = (c) => globMatch(value, c.fullName, true);
        else throw new CommandError(SYNTAX);
      }
      const names: string[] = [];
      for (const command of everyCommand()) if (keep(command)) names.push(command.fullName);
      client.out.bulkArray(names);
    },
  },
  {
    ...commandSub,
    name: "getkeys",
    arity: -4,
    since: "2.8.13",
    summary: "Extracts the key names from an arbitrary command.",
    syntax: "command [arg [arg ...]]",
    complexity: "O(N) where N is the number of arguments to the command",
    handler(client, argv) {
      getKeys(client, argv, false);
    },
  },
  {
    ...commandSub,
    name: "getkeysandflags",
    arity: -4,
    since: "7.0.0",
    summary: "Extracts the key names and access flags for an arbitrary command.",
    syntax: "command [arg [arg ...]]",
    complexity: "O(N) where N is the number of arguments to the command",
    handler(client, argv) {
      getKeys(client, argv, true);
    },
  },
  {
    ...commandSub,
    name: "help",
    arity: 2,
    since: "5.0.0",
    summary: "Returns helpful text about the different subcommands.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      writeHelp(client, COMMAND_HELP);
    },
  },
];

// ---- CONFIG ---------------------------------------------------------------

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Prints this help.",
];

const configSub = {
  flags: ["admin", "noscript", "loading", "stale"],
  group: "server",
} as const;

const configSubcommands: CommandSpec[] = [
  {
    ...configSub,
    name: "get",
    arity: -3,
    since: "2.0.0",
    summary: "Returns the effective values of configuration parameters.",
    syntax: "parameter [parameter ...]",
    complexity: "O(N) when N is the number of configuration parameters provided",
    handler(client, argv) {
      const found = client.server.config.match(argv.slice(2));
      client.out.map(found.length);
      for (const [name, value] of found) {
        client.out.bulk(name);
        client.out.bulk(value);
      }
    },
  },
  {
    ...configSub,
    name: "set",
    arity: -4,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    since: "2.0.0",
    summary: "Sets configuration parameters in-flight.",
    syntax: "parameter value [parameter value ...]",
    complexity: "O(N) when N is the number of configuration parameters provided",
    handler(client, argv) {
      if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
      const pairs: [string, string][] = [];
      for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
      try {
        client.server.config.setMany(pairs, false, isLocal(client));
      } catch (err) {
        if (err instanceof ConfigError) throw new CommandError(`ERR ${err.message}`);
        throw err;
      }
      client.out.ok();
    },
  },
  {
    ...configSub,
    name: "resetstat",
    arity: 2,
    since: "2.0.0",
    summary: "Resets the server's statistics.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      resetStats(client.server);
      client.out.ok();
    },
  },
  {
    ...configSub,
    name: "rewrite",
    arity: 2,
    since: "2.8.0",
    summary: "Persists the effective configuration to file.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      const config = client.server.config;
      if (config.configFile === undefined) {
        throw new CommandError("ERR The server is running without a config file");
      }
      try {
        config.rewrite(config.configFile);
      } catch (err) {
        throw new CommandError(`ERR Rewriting config file: ${(err as Error).message}`);
      }
      client.out.ok();
    },
  },
  {
    ...configSub,
    flags: ["loading", "stale"],
    name: "help",
    arity: 2,
    since: "5.0.0",
    summary: "Returns helpful text about the different subcommands.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      writeHelp(client, CONFIG_HELP);
    },
  },
];

/** CONFIG RESETSTAT: the counters INFO stats, commandstats and errorstats show. */
function resetStats(server: RedisServer): void {
  server.stats = RedisServer.emptyStats();
  for (const command of everyCommand()) {
    command.calls = 0;
    command.failedCalls = 0;
    command.rejectedCalls = 0;
    command.microseconds = 0;
  }
  resetErrorStats(server);
  peakMemory.delete(server);
}

// ---- keyspace commands ------------------------------------------------------

/** FLUSHDB/FLUSHALL's optional ASYNC | SYNC (both empty the data at once here). */
function checkFlushMode(argv: string[]): void {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 2) {
    const mode = argv[1].toLowerCase();
    if (mode !== "async" && mode !== "sync") throw new CommandError(SYNTAX);
  }
}

/** Empties a database; WATCHers of keys it held fail their EXEC. Returns the keys removed. */
function flushDatabase(server: RedisServer, db: Database): number {
  const removed = db.size;
  server.watches.touchDb(db.index, (key) => db.dict.has(key));
  db.clear();
  return removed;
}

function dbIndexArg(server: RedisServer, value: string, invalid: string): number {
  const index = parseInteger(value);
  if (index === undefined) throw new CommandError(invalid);
  if (index < 0 || index >= server.dbs.length) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
  return index;
}

/**
 * SWAPDB: the two databases trade contents (clients stay on their index).
 * Watchers of a key present in either fail; clients blocked on a key that
 * now exists are woken.
 */
function swapDatabases(server: RedisServer, a: Database, b: Database): void {
  const inEither = (key: string) => a.dict.has(key) || b.dict.has(key);
  server.watches.touchDb(a.index, inEither);
  server.watches.touchDb(b.index, inEither);
  a.swapWith(b);
  if (server.blocking.blockedClients === 0) return;
  for (const client of server.clients.values()) {
    for (const waiting of client.blocked?.keys ?? []) {
      const split = waiting.indexOf("\0");
      const index = Number(waiting.slice(0, split));
      const key = waiting.slice(split + 1);
      if ((index === a.index || index === b.index) && server.dbs[index].has(key)) {
        server.blocking.signalReady(index, key);
      }
    }
  }
}

// ---- DEBUG ----------------------------------------------------------------

const DEBUG_HELP = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "HELP",
  "    Prints this help.",
];

/** Stops the whole server, as Redis's DEBUG SLEEP does, without spinning the CPU. */
function sleepServer(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---- the rows -------------------------------------------------------------

export const serverAdminCommands: CommandSpec[] = [
  {
    name: "command",
    arity: -1,
    flags: ["loading", "stale"],
    group: "server",
    acl: ["connection"],
    tips: ["nondeterministic_output_order"],
    since: "2.8.13",
    summary: "Returns detailed information about all commands.",
    syntax: "",
    complexity: "O(N) where N is the total number of Redis commands",
    handler: writeAllCommandInfo,
    subcommands: commandSubcommands,
  },
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    group: "server",
    acl: ["dangerous"],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    since: "1.0.0",
    summary: "Returns information and statistics about the server.",
    syntax: "[section [section ...]]",
    complexity: "O(1)",
    handler(client, argv) {
      client.out.verbatim(renderInfo(client.server, argv.slice(1)));
    },
  },
  {
    name: "config",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: configSubcommands,
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    group: "server",
    acl: ["keyspace"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    since: "1.0.0",
    summary: "Returns the number of keys in the database.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      client.out.int(client.db.size);
    },
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "1.0.0",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Removes all keys from the current database.",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) where N is the number of keys in the selected database",
    handler(client, argv) {
      checkFlushMode(argv);
      // Counted as at least one change so that even an empty FLUSHDB reaches the AOF, as Redis forces.
      client.server.dirty += Math.max(1, flushDatabase(client.server, client.db));
      client.out.ok();
    },
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "1.0.0",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Removes all keys from all databases.",
    syntax: "[ASYNC | SYNC]",
    complexity: "O(N) where N is the total number of keys in all databases",
    handler(client, argv) {
      checkFlushMode(argv);
      const server = client.server;
      let removed = 0;
      for (const db of server.dbs) removed += flushDatabase(server, db);
      server.dirty += removed + 1;
      client.out.ok();
    },
  },
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    group: "server",
    acl: ["keyspace", "dangerous"],
    since: "4.0.0",
    summary: "Swaps two Redis databases.",
    syntax: "index1 index2",
    complexity:
      "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    handler(client, argv) {
      const server = client.server;
      const a = dbIndexArg(server, argv[1], "ERR invalid first DB index");
      const b = dbIndexArg(server, argv[2], "ERR invalid second DB index");
      if (a !== b) {
        swapDatabases(server, server.dbs[a], server.dbs[b]);
        server.dirty++;
      }
      client.out.ok();
    },
  },
  {
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    since: "2.6.0",
    tips: ["nondeterministic_output"],
    summary: "Returns the server time.",
    syntax: "",
    complexity: "O(1)",
    handler(client) {
      const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      client.out.bulkArray([String(Math.floor(micros / 1e6)), String(micros % 1e6)]);
    },
  },
  {
    name: "debug",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    handler(client, argv) {
      if (!client.server.config.allows("enable-debug-command", isLocal(client))) {
        throw new CommandError(
          'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
        );
      }
      const sub = argv[1].toLowerCase();
      if (sub === "help" && argv.length === 2) return writeHelp(client, DEBUG_HELP);
      if (sub !== "sleep" || argv.length !== 3) throw new CommandError(subcommandSyntax(argv));
      // strtod as Redis: a malformed number sleeps for as long as its valid prefix says.
      const seconds = parseDouble(/^[+-]?\d*\.?\d*(e[+-]?\d+)?/i.exec(argv[2])![0]) ?? 0;
      sleepServer(seconds * 1000);
      client.out.ok();
    },
  },
  {
    name: "lolwut",
    arity: -1,
    flags: ["readonly", "fast"],
    group: "server",
    since: "5.0.0",
    summary: "Displays computer art and the Redis version",
    syntax: "[VERSION version]",
    handler(client, argv) {
      for (let i = 1; i < argv.length; i++) {
        if (argv[i].toLowerCase() === "version" && i + 1 < argv.length) {
          if (parseInteger(argv[++i]) === undefined) throw new CommandError(NOT_INTEGER);
        }
      }
      client.out.verbatim(`Redis ver. ${VERSION}\n`);
    },
  },
];

// ---- INFO sections ----------------------------------------------------------

/** Per server: a random 40-hex run id, as Redis makes at start. */
const runIds = new WeakMap<RedisServer, string>();
const peakMemory = new WeakMap<RedisServer, number>();

function runId(server: RedisServer): string {
  let id = runIds.get(server);
  if (id === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    id = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    runIds.set(server, id);
  }
  return id;
}

/** A figure that needs a permission we may not have: empty rather than a failed INFO. */
function tryOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Rates for instantaneous_* fields: a cron hook samples the counters each
 * tick (installed by the first INFO), and a rate is taken over the last 16.
 */
interface RateSamples {
  at: number[];
  commands: number[];
  input: number[];
  output: number[];
}
const RATE_SAMPLES = 16;
const rates = new WeakMap<RedisServer, RateSamples>();

function rateSamples(server: RedisServer): RateSamples {
  let samples = rates.get(server);
  if (samples === undefined) {
    const created: RateSamples = { at: [], commands: [], input: [], output: [] };
    samples = created;
    rates.set(server, created);
    server.cronHooks.push(() => {
      const stats = server.stats;
      created.at.push(performance.now());
      created.commands.push(stats.commandsProcessed);
      created.input.push(stats.netInputBytes);
      created.output.push(stats.netOutputBytes);
      if (created.at.length > RATE_SAMPLES) {
        for (const list of [created.at, created.commands, created.input, created.output]) {
          list.shift();
        }
      }
    });
  }
  return samples;
}

/** Per second over the sampled window; 0 until two samples exist. */
function rate(samples: RateSamples, series: number[]): number {
  const n = samples.at.length;
  if (n < 2) return 0;
  const seconds = (samples.at[n - 1] - samples.at[0]) / 1000;
  return seconds > 0 ? (series[n - 1] - series[0]) / seconds : 0;
}

function memoryFigures(server: RedisServer): { used: number; rss: number; peak: number } {
  const usage = Deno.memoryUsage();
  // Values packed off the V8 heap (array buffers) count as used memory too.
  const used = usage.heapUsed + usage.external;
  const peak = Math.max(peakMemory.get(server) ?? 0, used);
  peakMemory.set(server, peak);
  return { used, rss: usage.rss, peak };
}

registerInfoSection("server", (server): InfoField[] => {
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  const os = Deno.build.os;
  const hz = server.config.getNumber("hz");
  return [
    ["redis_version", VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    [
      "os",
      `${os[0].toUpperCase()}${os.slice(1)} ${
        tryOr(() => Deno.osRelease(), "")
      } ${Deno.build.arch}`,
    ],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", "deno"],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", runId(server)],
    ["tcp_port", tryOr(() => server.port, server.config.getNumber("port"))],
    ["server_time_usec", Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(Date.now() / 1000) & 0xffffff],
    ["executable", tryOr(() => Deno.execPath(), "")],
    ["config_file", server.config.configFile ?? ""],
    ["io_threads_active", 0],
  ];
});

registerInfoSection("clients", (server): InfoField[] => [
  ["connected_clients", server.clients.size],
  ["cluster_connections", 0],
  ["maxclients", server.config.getNumber("maxclients")],
  ["client_recent_max_input_buffer", 0],
  ["client_recent_max_output_buffer", 0],
  ["blocked_clients", server.blocking.blockedClients],
  ["tracking_clients", 0],
  ["clients_in_timeout_table", 0],
]);

registerInfoSection("memory", (server): InfoField[] => {
  const { used, rss, peak } = memoryFigures(server);
  const total = tryOr(() => Deno.systemMemoryInfo().total, 0);
  const maxmemory = server.config.getNumber("maxmemory");
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", rss],
    ["used_memory_rss_human", bytesToHuman(rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", bytesToHuman(peak)],
    ["used_memory_peak_perc", `${(used / peak * 100).toFixed(2)}%`],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["mem_fragmentation_ratio", (rss / used).toFixed(2)],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_allocator", "v8"],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
});

registerInfoSection("stats", (server): InfoField[] => {
  const stats = server.stats;
  const samples = rateSamples(server);
  const kbps = (series: number[]) => (rate(samples, series) / 1024).toFixed(2);
  return [
    ["total_connections_received", stats.connectionsReceived],
    ["total_commands_processed", stats.commandsProcessed],
    ["instantaneous_ops_per_sec", Math.round(rate(samples, samples.commands))],
    ["total_net_input_bytes", stats.netInputBytes],
    ["total_net_output_bytes", stats.netOutputBytes],
    ["instantaneous_input_kbps", kbps(samples.input)],
    ["instantaneous_output_kbps", kbps(samples.output)],
    ["rejected_connections", stats.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", stats.expiredKeys],
    ["evicted_keys", 0],
    ["evicted_clients", 0],
    ["keyspace_hits", stats.keyspaceHits],
    ["keyspace_misses", stats.keyspaceMisses],
    ["pubsub_channels", server.pubsub.channels.size],
    ["pubsub_patterns", server.pubsub.patterns.size],
    ["pubsubshard_channels", shardChannelCount(server)],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["unexpected_error_replies", 0],
    ["total_error_replies", errorStatsOf(server).total],
    ["total_rejected_calls", stats.rejectedCalls],
  ];
});

function shardChannelCount(server: RedisServer): number {
  const names = new Set<string>();
  for (const client of server.clients.values()) {
    for (const name of client.shardChannels ?? []) names.add(name);
  }
  return names.size;
}

registerInfoSection("replication", (): InfoField[] => [
  ["role", "master"],
  ["connected_slaves", 0],
  ["master_failover_state", "no-failover"],
  ["master_replid", "0000000000000000000000000000000000000000"],
  ["master_replid2", "0000000000000000000000000000000000000000"],
  ["master_repl_offset", 0],
  ["second_repl_offset", -1],
  ["repl_backlog_active", 0],
  ["repl_backlog_size", 1048576],
  ["repl_backlog_first_byte_offset", 0],
  ["repl_backlog_histlen", 0],
]);

registerInfoSection("cpu", (): InfoField[] => {
  const usage = process.cpuUsage();
  const seconds = (micros: number) => (micros / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", seconds(usage.system)],
    ["used_cpu_user", seconds(usage.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
  ];
});

registerInfoSection("modules", () => []);

registerInfoSection("commandstats", (): InfoField[] => {
  const fields: InfoField[] = [];
  for (const command of everyCommand()) {
    if (command.calls === 0 && command.failedCalls === 0 && command.rejectedCalls === 0) continue;
    const usec = Math.round(command.microseconds);
    const perCall = command.calls === 0 ? 0 : usec / command.calls;
    fields.push([
      `cmdstat_${command.fullName}`,
      `calls=${command.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)}` +
      `,rejected_calls=${command.rejectedCalls},failed_calls=${command.failedCalls}`,
    ]);
  }
  return fields;
});

registerInfoSection(
  "errorstats",
  (server): InfoField[] =>
    [...errorStatsOf(server).byCode].map((
      [code, count],
    ) => [`errorstat_${code}`, `count=${count}`]),
);

registerInfoSection("cluster", () => [["cluster_enabled", 0]]);

/** The mean remaining TTL of up to this many keys (Redis estimates it by sampling too). */
const TTL_SAMPLE = 10_000;

registerInfoSection("keyspace", (server): InfoField[] => {
  const fields: InfoField[] = [];
  const now = Date.now();
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    let sum = 0;
    let counted = 0;
    for (const when of db.expires.values()) {
      if (when > now) {
        sum += when - now;
        counted++;
      }
      if (counted === TTL_SAMPLE) break;
    }
    const avgTtl = counted === 0 ? 0 : Math.round(sum / counted);
    fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl}`]);
  }
  return fields;
});
