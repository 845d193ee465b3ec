/**
 * The parameter table: every parameter the server honours, plus Redis's
 * common tuning parameters that are accepted and reported but have no effect
 * here (marked `noop`), with Redis 7's names, aliases, defaults, ranges and
 * the checks of their values. `Config` (config.ts) holds the values.
 */
import {
  CONFIG_BAD_EVENT_CLASS,
  CONFIG_BAD_OOM_SCORE,
  CONFIG_BAD_PERCENTILES,
  CONFIG_BAD_SAVE,
  CONFIG_BUFFER_LIMIT_ARITY,
  CONFIG_BUFFER_LIMIT_CLASS,
  CONFIG_BUFFER_LIMIT_VALUES,
  CONFIG_NOT_MEMORY_OR_PERCENT,
  CONFIG_PERCENT_OVER_100,
  CONFIG_PERCENTILES_RANGE,
  CONFIG_SAVE_AND_NOSAVE,
  CONFIG_TOO_MANY_BIND,
  CONFIG_WRONG_ARITY,
  configNotOneOf,
} from "./errors.ts";
import { MAX_BIND_ADDRESSES } from "./bind.ts";
import { EVICTION_POLICIES } from "./eviction.ts";
import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";

export type ParamType = "int" | "memory" | "bool" | "string" | "enum";

export interface ParamSpec {
  name: string;
  type: ParamType;
  default: string;
  /** Inclusive bounds of int and memory parameters (bigint where a JS number cannot hold them). */
  min?: number | bigint;
  max?: number | bigint;
  values?: readonly string[];
  /** Accepted and reported for compatibility; does nothing in redis-home. */
  noop?: boolean;
  /** Only settable at start-up (command line or redis.conf). */
  immutable?: boolean;
  /** CONFIG SET needs enable-protected-configs (as dir and dbfilename in Redis 7). */
  protected?: boolean;
  /**
   * A memory parameter that also takes `N%` (of maxmemory), stored as -N as
   * Redis's PERCENT_CONFIG does (getNumber returns -N).
   */
  percent?: boolean;
  /** An int written and reported in octal (Redis's OCTAL_CONFIG: unixsocketperm). */
  octal?: boolean;
  /** Extra validation; returns an error text for a bad value. */
  validate?: (value: string) => string | undefined;
  /**
   * The value as stored and reported, from an already valid one and the
   * current value (save spacing, notify flag order, merged buffer classes).
   */
  canonical?: (value: string, current: string) => string;
  aliases?: readonly string[];
  /** Left out of CONFIG GET patterns (Redis's HIDDEN_CONFIG); an exact name still answers. */
  hidden?: boolean;
}

const MB = 1024 * 1024;
/**
 * The least proto-max-bulk-len accepted, as Redis's config.c: lengths and bit
 * offsets under it pass its check whatever the setting, with no lookup.
 */
export const PROTO_MAX_BULK_LEN_MIN = MB;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
export const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

type Extra = Partial<ParamSpec>;

function int(name: string, def: number, min: number | bigint, max: number | bigint, extra?: Extra) {
  return { name, type: "int", default: String(def), min, max, ...extra } satisfies ParamSpec;
}

function memory(name: string, def: number, min: number | bigint, max: bigint, extra?: Extra) {
  return { name, type: "memory", default: String(def), min, max, ...extra } satisfies ParamSpec;
}

function bool(name: string, def: boolean, extra?: Extra) {
  return { name, type: "bool", default: def ? "yes" : "no", ...extra } satisfies ParamSpec;
}

function str(name: string, def: string, extra?: Extra) {
  return { name, type: "string", default: def, ...extra } satisfies ParamSpec;
}

function oneOf(name: string, def: string, values: readonly string[], extra?: Extra) {
  return { name, type: "enum", default: def, values, ...extra } satisfies ParamSpec;
}

const noop = { noop: true } as const;

const SHUTDOWN_FLAGS = ["default", "save", "nosave", "now", "force"];

/**
 * shutdown-on-sigint/-sigterm: SHUTDOWN's flags, several at once (Redis's
 * MULTI_ARG enum), reported in the table's order, "default" for none.
 */
function shutdownOnSignal(name: string) {
  return str(name, "default", {
    ...noop,
    validate(value) {
      const given = words(value.toLowerCase());
      if (given.length === 0 || given.some((w) => !SHUTDOWN_FLAGS.includes(w))) {
        return configNotOneOf(SHUTDOWN_FLAGS);
      }
      return given.includes("save") && given.includes("nosave")
        ? CONFIG_SAVE_AND_NOSAVE
        : undefined;
    },
    canonical(value) {
      const given = new Set(words(value.toLowerCase()));
      const flags = SHUTDOWN_FLAGS.filter((f) => f !== "default" && given.has(f));
      return flags.length === 0 ? "default" : flags.join(" ");
    },
  });
}
const fixed = { immutable: true } as const;

/** Parameters and their defaults (Redis 7.0's, where Redis has the parameter). */
export const PARAMS: ParamSpec[] = [
  // Network and clients.
  // Both re-listen when set at run time (the server's apply; a failure rolls CONFIG SET back).
  str("bind", "127.0.0.1", {
    validate: (v) => words(v).length > MAX_BIND_ADDRESSES ? CONFIG_TOO_MANY_BIND : undefined,
    canonical: (v) => words(v).join(" "),
  }),
  int("port", 6379, 0, 65535),
  int("timeout", 0, 0, INT_MAX),
  int("tcp-keepalive", 300, 0, INT_MAX, noop),
  int("tcp-backlog", 511, 0, INT_MAX, { ...noop, ...fixed }),
  bool("protected-mode", true, noop),
  int("maxclients", 10000, 1, 4294967295),
  memory("proto-max-bulk-len", 512 * MB, PROTO_MAX_BULK_LEN_MIN, LONG_MAX),
  memory("client-query-buffer-limit", 1024 * MB, MB, LONG_MAX),
  str(
    "client-output-buffer-limit",
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    {
      validate: validateOutputBufferLimit,
      canonical: mergeOutputBufferLimit,
    },
  ),
  str("requirepass", ""),
  str("unixsocket", "", fixed),
  int("unixsocketperm", 0, 0, 0o777, { ...fixed, octal: true }),
  int("io-threads", 1, 1, 128, { ...noop, ...fixed }),
  bool("io-threads-do-reads", false, { ...noop, ...fixed }),
  // General.
  int("databases", 16, 1, INT_MAX, fixed),
  int("hz", 10, 0, INT_MAX, { canonical: (v) => String(Math.min(500, Math.max(1, Number(v)))) }),
  bool("dynamic-hz", true, noop),
  oneOf("loglevel", "notice", ["debug", "verbose", "notice", "warning"], noop),
  str("logfile", "", { ...noop, ...fixed }),
  str("pidfile", "", { ...noop, ...fixed }),
  bool("daemonize", false, { ...noop, ...fixed }),
  oneOf("supervised", "no", ["upstart", "systemd", "auto", "no"], { ...noop, ...fixed }),
  bool("always-show-logo", false, { ...noop, ...fixed }),
  bool("set-proc-title", true, { ...noop, ...fixed }),
  str("proc-title-template", "{title} {listen-addr} {server-mode}", noop),
  bool("syslog-enabled", false, { ...noop, ...fixed }),
  str("syslog-ident", "redis", { ...noop, ...fixed }),
  str("notify-keyspace-events", "", {
    validate: (v) => parseNotifyFlags(v) === undefined ? CONFIG_BAD_EVENT_CLASS : undefined,
    canonical: (v) => formatNotifyFlags(parseNotifyFlags(v)!),
  }),
  oneOf("enable-protected-configs", "no", ["no", "yes", "local"], fixed),
  oneOf("enable-debug-command", "no", ["no", "yes", "local"], fixed),
  oneOf("enable-module-command", "no", ["no", "yes", "local"], fixed),
  str("ignore-warnings", "", noop),
  shutdownOnSignal("shutdown-on-sigint"),
  shutdownOnSignal("shutdown-on-sigterm"),
  int("shutdown-timeout", 10, 0, INT_MAX),
  bool("crash-log-enabled", true, noop),
  bool("crash-memcheck-enabled", true, noop),
  bool("disable-thp", true, { ...noop, ...fixed }),
  str("oom-score-adj-values", "0 200 800", { ...noop, validate: validateOomScoreValues }),
  oneOf("oom-score-adj", "no", ["no", "yes", "relative", "absolute"], noop),
  // Snapshotting and the append-only file (their effects belong to persistence).
  str("save", "", { validate: validateSave, canonical: (v) => words(v).join(" ") }),
  bool("stop-writes-on-bgsave-error", true),
  bool("rdbcompression", true),
  bool("rdbchecksum", true, fixed),
  str("dbfilename", "dump.rdb", { protected: true, validate: validateFileName }),
  bool("rdb-del-sync-files", false, noop),
  str("dir", ".", { protected: true }),
  bool("appendonly", false),
  str("appendfilename", "appendonly.aof", { immutable: true, validate: validateFileName }),
  str("appenddirname", "appendonlydir", { immutable: true, validate: validateFileName }),
  oneOf("appendfsync", "everysec", ["everysec", "always", "no"]),
  bool("no-appendfsync-on-rewrite", false, noop),
  int("auto-aof-rewrite-percentage", 100, 0, INT_MAX),
  memory("auto-aof-rewrite-min-size", 64 * MB, 0, LONG_MAX),
  bool("aof-load-truncated", true),
  bool("aof-use-rdb-preamble", true),
  bool("aof-timestamp-enabled", false),
  bool("aof-rewrite-incremental-fsync", true, noop),
  bool("rdb-save-incremental-fsync", true, noop),
  bool("aof-disable-auto-gc", false, noop),
  // Memory management (maxmemory.ts, eviction.ts); the policy also picks LRU or LFU access data.
  memory("maxmemory", 0, 0, ULLONG_MAX, noop),
  oneOf("maxmemory-policy", "noeviction", EVICTION_POLICIES),
  int("maxmemory-samples", 5, 1, INT_MAX, noop),
  int("maxmemory-eviction-tenacity", 10, 0, 100, noop),
  memory("maxmemory-clients", 0, 0, LONG_MAX, { percent: true }),
  bool("lazyfree-lazy-eviction", false, noop),
  bool("lazyfree-lazy-expire", false, noop),
  bool("lazyfree-lazy-server-del", false, noop),
  bool("lazyfree-lazy-user-del", false, noop),
  bool("lazyfree-lazy-user-flush", false),
  int("lfu-log-factor", 10, 0, INT_MAX, noop),
  int("lfu-decay-time", 1, 0, INT_MAX, noop),
  bool("activerehashing", true, noop),
  bool("activedefrag", false, noop),
  memory("active-defrag-ignore-bytes", 100 * MB, 1, LONG_MAX, noop),
  int("active-defrag-threshold-lower", 10, 0, 1000, noop),
  int("active-defrag-threshold-upper", 100, 0, 1000, noop),
  int("active-defrag-cycle-min", 1, 1, 99, noop),
  int("active-defrag-cycle-max", 25, 1, 99, noop),
  int("active-defrag-max-scan-fields", 1000, 1, LONG_MAX, noop),
  int("active-expire-effort", 1, 1, 10, noop),
  bool("jemalloc-bg-thread", true, noop),
  // Encodings of small collections.
  int("hash-max-listpack-entries", 512, 0, LONG_MAX, { aliases: ["hash-max-ziplist-entries"] }),
  memory("hash-max-listpack-value", 64, 0, LONG_MAX, { aliases: ["hash-max-ziplist-value"] }),
  int("list-max-listpack-size", -2, INT_MIN, INT_MAX, {
    ...noop,
    aliases: ["list-max-ziplist-size"],
  }),
  int("list-compress-depth", 0, 0, INT_MAX, noop),
  int("set-max-intset-entries", 512, 0, LONG_MAX),
  int("zset-max-listpack-entries", 128, 0, LONG_MAX, {
    ...noop,
    aliases: ["zset-max-ziplist-entries"],
  }),
  memory("zset-max-listpack-value", 64, 0, LONG_MAX, {
    ...noop,
    aliases: ["zset-max-ziplist-value"],
  }),
  memory("hll-sparse-max-bytes", 3000, 0, LONG_MAX, noop),
  memory("stream-node-max-bytes", 4096, 0, LONG_MAX, noop),
  int("stream-node-max-entries", 100, 0, LONG_MAX, noop),
  // Monitoring.
  int("slowlog-log-slower-than", 10000, -1, LONG_MAX, noop),
  int("slowlog-max-len", 128, 0, LONG_MAX, noop),
  int("latency-monitor-threshold", 0, 0, LONG_MAX, noop),
  bool("latency-tracking", true, noop),
  str("latency-tracking-info-percentiles", "50 99 99.9", {
    ...noop,
    validate: validatePercentiles,
    canonical: (v) => words(v).map((p) => String(Number(p))).join(" "),
  }),
  int("watchdog-period", 0, 0, INT_MAX, { hidden: true }),
  // tls-port, like port and bind, re-listens when set at run time (Listeners).
  int("tls-port", 0, 0, 65535),
  str("tls-cert-file", ""),
  str("tls-key-file", ""),
  str("tls-ca-cert-file", ""),
  oneOf("tls-auth-clients", "yes", ["yes", "no", "optional"]),
  str("tls-ca-cert-dir", ""),
  bool("tls-replication", false),
  str("tls-client-cert-file", ""),
  str("tls-client-key-file", ""),
  // rustls offers only ECDHE key exchange: no DH parameters to load. No cluster bus either.
  str("tls-dh-params-file", "", noop),
  bool("tls-cluster", false, noop),
  str("tls-protocols", ""),
  // rustls offers only AEAD suites with forward secrecy and keeps no OpenSSL session cache.
  str("tls-ciphers", "", noop),
  str("tls-ciphersuites", "", noop),
  bool("tls-prefer-server-ciphers", false, noop),
  bool("tls-session-caching", true, noop),
  int("tls-session-cache-size", 20480, 0, INT_MAX, noop),
  int("tls-session-cache-timeout", 300, 0, INT_MAX, noop),
  int("busy-reply-threshold", 5000, 0, LONG_MAX, { aliases: ["lua-time-limit"] }),
  int("tracking-table-max-keys", 1000000, 0, LONG_MAX, noop),
  int("acllog-max-len", 128, 0, LONG_MAX),
  str("aclfile", "", fixed),
  oneOf("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"]),
  // Replication (server/replication/); cluster mode does not exist.
  str("replicaof", "", { ...fixed, aliases: ["slaveof"] }),
  str("masterauth", ""),
  str("masteruser", ""),
  bool("replica-serve-stale-data", true, { aliases: ["slave-serve-stale-data"] }),
  bool("replica-read-only", true, { aliases: ["slave-read-only"] }),
  int("replica-priority", 100, 0, INT_MAX, { aliases: ["slave-priority"] }),
  bool("replica-lazy-flush", false, { ...noop, aliases: ["slave-lazy-flush"] }),
  bool("repl-diskless-sync", true),
  int("repl-diskless-sync-delay", 5, 0, INT_MAX),
  oneOf("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"], noop),
  int("repl-timeout", 60, 1, INT_MAX),
  memory("repl-backlog-size", MB, 1, LONG_MAX),
  int("repl-backlog-ttl", 3600, 0, LONG_MAX),
  int("min-replicas-to-write", 0, 0, INT_MAX, { aliases: ["min-slaves-to-write"] }),
  int("min-replicas-max-lag", 10, 0, INT_MAX, { aliases: ["min-slaves-max-lag"] }),
  int("repl-ping-replica-period", 10, 1, INT_MAX, { aliases: ["repl-ping-slave-period"] }),
  int("repl-diskless-sync-max-replicas", 0, 0, INT_MAX),
  bool("repl-disable-tcp-nodelay", false, noop),
  str("replica-announce-ip", "", { aliases: ["slave-announce-ip"] }),
  int("replica-announce-port", 0, 0, 65535, { aliases: ["slave-announce-port"] }),
  bool("replica-announced", true),
  oneOf("propagation-error-behavior", "ignore", ["ignore", "panic", "panic-on-replicas"], noop),
  bool("cluster-enabled", false, { ...noop, ...fixed }),
  int("cluster-node-timeout", 15000, 0, LONG_MAX, noop),
  str("cluster-config-file", "nodes.conf", { ...noop, ...fixed }),
  bool("sanitize-dump-payload", false, noop),
  ...compatibilityParams(),
];

/**
 * Redis 7.0 parameters for features redis-home does not have (cluster, TLS
 * key passphrases, CPU affinity), accepted and reported so that CONFIG GET * and
 * redis.conf files match Redis's; and the hidden ones Redis's tests set.
 */
function compatibilityParams(): ParamSpec[] {
  const port = (name: string, extra?: Extra) => int(name, 0, 0, 65535, { ...noop, ...extra });
  return [
    ...["aof_rewrite_cpulist", "bgsave_cpulist", "bio_cpulist", "server_cpulist"]
      .map((name) => str(name, "", { ...noop, ...fixed })),
    str("bind-source-addr", "", noop),
    int("socket-mark-id", 0, 0, 4294967295, { ...noop, ...fixed }),
    oneOf("syslog-facility", "local0", [
      "user",
      ...Array.from({ length: 8 }, (_, i) => `local${i}`),
    ], { ...noop, ...fixed }),
    bool("replica-ignore-disk-write-errors", false, noop),
    bool("replica-ignore-maxmemory", true, { ...noop, aliases: ["slave-ignore-maxmemory"] }),
    bool("cluster-allow-pubsubshard-when-down", true, noop),
    bool("cluster-allow-reads-when-down", false, noop),
    bool("cluster-allow-replica-migration", true, noop),
    port("cluster-announce-bus-port"),
    str("cluster-announce-hostname", "", noop),
    str("cluster-announce-ip", "", noop),
    port("cluster-announce-port"),
    port("cluster-announce-tls-port"),
    memory("cluster-link-sendbuf-limit", 0, 0, ULLONG_MAX, noop),
    int("cluster-migration-barrier", 1, 0, INT_MAX, noop),
    port("cluster-port", fixed),
    oneOf("cluster-preferred-endpoint-type", "ip", ["ip", "hostname", "unknown-endpoint"], noop),
    bool("cluster-replica-no-failover", false, { ...noop, aliases: ["cluster-slave-no-failover"] }),
    int("cluster-replica-validity-factor", 10, 0, INT_MAX, {
      ...noop,
      aliases: ["cluster-slave-validity-factor"],
    }),
    bool("cluster-require-full-coverage", true, noop),
    // The other TLS parameters are with tls-port's.
    str("tls-client-key-file-pass", "", noop),
    str("tls-key-file-pass", "", noop),
    // Background saves' pace (persistence/snapshot.ts, debug_delay.ts KeyPace).
    int("rdb-key-save-delay", 0, INT_MIN, INT_MAX, { hidden: true }),
    // Start-up loading's pace (persistence/load.ts loadRdbAtStart).
    int("key-load-delay", 0, INT_MIN, INT_MAX, { hidden: true }),
    int("loading-process-events-interval-bytes", 2 * MB, 1024, INT_MAX, { hidden: true }),
    bool("use-exit-on-panic", false, { ...noop, hidden: true }),
  ];
}

/**
 * Parses a memory amount as Redis's memtoull: digits and an optional unit
 * (b, k = 1000, kb = 1024, m, mb, g, gb; any case).
 */
export function parseMemory(value: string): number | undefined {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value);
  if (!m) return undefined;
  const mult: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: MB,
    g: 1000 * 1000 * 1000,
    gb: 1024 * MB,
  };
  // The pattern admits only the units listed.
  return Number(m[1]) * mult[(m[2] ?? "b").toLowerCase()]!;
}

export function memoryBig(value: string): bigint | undefined {
  const m = /^(\d{1,20})(b|k|kb|m|mb|g|gb)?$/i.exec(value);
  if (!m) return undefined;
  const [, digits = "", unit = "b"] = m;
  const mult: Record<string, bigint> = {
    b: 1n,
    k: 1000n,
    kb: 1024n,
    m: 1000000n,
    mb: 1048576n,
    g: 1000000000n,
    gb: 1073741824n,
  };
  // The pattern admits only the units listed.
  return BigInt(digits) * mult[unit.toLowerCase()]!;
}

/** `N%` of a percent parameter (Redis's numericParseString): at most 100; `0%` is 0. */
export function normalizePercent(value: string): string {
  const m = /^(0|[1-9]\d{0,18})%$/.exec(value);
  if (!m) throw new ConfigError(CONFIG_NOT_MEMORY_OR_PERCENT);
  const n = Number(m[1]);
  if (n > 100) throw new ConfigError(CONFIG_PERCENT_OVER_100);
  return n === 0 ? "0" : `${n}%`;
}

/** Multi-argument values are split on single spaces, as CONFIG SET does. */
function words(value: string): string[] {
  return value === "" ? [] : value.split(" ");
}

function validateSave(value: string): string | undefined {
  const parts = words(value);
  if (parts.length % 2 !== 0) return CONFIG_BAD_SAVE;
  for (const [i, part] of parts.entries()) {
    const n = /^-?\d+$/.test(part) ? Number(part) : NaN;
    if (Number.isNaN(n) || (i % 2 === 0 ? n < 1 : n < 0)) return CONFIG_BAD_SAVE;
  }
  return undefined;
}

const BUFFER_CLASSES: Record<string, string> = {
  normal: "normal",
  slave: "slave",
  replica: "slave",
  pubsub: "pubsub",
};

/** A client-output-buffer-limit value's `class hard soft seconds` groups. */
function limitGroups(parts: readonly string[]): [string, string, string, string][] {
  const groups: [string, string, string, string][] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const [name = "", hard = "", soft = "", seconds = ""] = parts.slice(i, i + 4);
    groups.push([name, hard, soft, seconds]);
  }
  return groups;
}

function validateOutputBufferLimit(value: string): string | undefined {
  const parts = words(value);
  if (parts.length % 4 !== 0) return CONFIG_BUFFER_LIMIT_ARITY;
  for (const [name, hard, soft, seconds] of limitGroups(parts)) {
    if (BUFFER_CLASSES[name.toLowerCase()] === undefined) {
      return CONFIG_BUFFER_LIMIT_CLASS;
    }
    if (
      memoryBig(hard) === undefined || memoryBig(soft) === undefined || !/^\d+$/.test(seconds)
    ) {
      return CONFIG_BUFFER_LIMIT_VALUES;
    }
  }
  return undefined;
}

/** Classes not named keep their limits; sizes are reported in bytes. */
function mergeOutputBufferLimit(value: string, current: string): string {
  const limits = new Map<string, string>();
  for (const [name, ...rest] of limitGroups(words(current))) limits.set(name, rest.join(" "));
  // validateOutputBufferLimit accepted every group.
  for (const [name, hard, soft, seconds] of limitGroups(words(value))) {
    const limit = `${memoryBig(hard)!} ${memoryBig(soft)!} ${Number(seconds)}`;
    limits.set(BUFFER_CLASSES[name.toLowerCase()]!, limit);
  }
  return ["normal", "slave", "pubsub"].map((c) => `${c} ${limits.get(c) ?? "0 0 0"}`).join(" ");
}

function validateOomScoreValues(value: string): string | undefined {
  const parts = words(value);
  if (parts.length !== 3) return CONFIG_WRONG_ARITY;
  for (const p of parts) {
    if (!/^-?\d+$/.test(p) || Math.abs(Number(p)) > 2000) {
      return CONFIG_BAD_OOM_SCORE;
    }
  }
  return undefined;
}

function validatePercentiles(value: string): string | undefined {
  for (const p of words(value)) {
    const n = /^[0-9.eE+-]+$/.test(p) ? Number(p) : NaN;
    if (Number.isNaN(n)) return CONFIG_BAD_PERCENTILES;
    if (n < 0 || n > 100) {
      return CONFIG_PERCENTILES_RANGE;
    }
  }
  return undefined;
}

/**
 * CONFIG SET dir's check, as Redis's chdir: the directory must exist. (At
 * start a missing one is reported when a save needs it.)
 */
export function checkDir(value: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = Deno.statSync(value).isDirectory;
  } catch {
    throw new ConfigError("No such file or directory");
  }
  if (!isDirectory) throw new ConfigError("Not a directory");
}

function validateFileName(value: string): string | undefined {
  return value.includes("/") ? "File name can't be a path, just a filename" : undefined;
}

/**
 * A configuration failure. `message` is CONFIG SET's full error text (without
 * "ERR "); `reason` is the bare cause, as redis-server prints for a bad
 * redis.conf line.
 */
export class ConfigError extends Error {
  readonly reason: string;
  constructor(message: string, reason = message) {
    super(message);
    this.name = "ConfigError";
    this.reason = reason;
  }
}
