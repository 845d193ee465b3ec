/**
 * The shape of a command-table row. Every command is one row: name, handler,
 * arity (Redis convention: N exact, -N at least N, counting the name), flags,
 * key positions, and the documentation COMMAND INFO/DOCS and the REPL's hints
 * are generated from.
 */
import type { CommandContext } from "./context.ts";
import { RENAME_NO_SUCH_COMMAND, RENAME_TARGET_EXISTS } from "./errors.ts";

export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "allow_busy"
  | "no_multi"
  | "movablekeys"
  | "no_async_loading"
  | "asking";

export type CommandGroup =
  | "generic"
  | "string"
  | "list"
  | "set"
  | "sorted-set"
  | "hash"
  | "pubsub"
  | "transactions"
  | "connection"
  | "server"
  | "scripting"
  | "bitmap"
  | "stream"
  | "hyperloglog"
  | "geo"
  | "cluster";

/** A handler writes its reply to `ctx.out` and throws CommandError on failure. */
export type Handler = (ctx: CommandContext, argv: string[]) => void;

/**
 * Redis 7's key specification: where a command's keys begin (an argument
 * index, or the argument after a keyword searched from `from`; negative
 * searches backwards from the end) and how many follow (a range, or a count
 * argument), with Redis's flags (RO/RW/OW/RM, access/update/insert/delete).
 */
export interface KeySpec {
  flags: readonly string[];
  begin: { index: number } | { keyword: string; from: number };
  find:
    | { range: { lastkey: number; step: number; limit: number } }
    | { keynum: { at: number; first: number; step: number } };
}

export interface CommandSpec {
  /** Lower-case name; for subcommands just the subcommand ("get" of config|get). */
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first, last (negative counts from the end), step; 0 when keyless. */
  keys?: readonly [first: number, last: number, step: number];
  /** Key specs for commands a range cannot describe (see server/key_specs.ts). */
  keySpecs?: readonly KeySpec[];
  /**
   * Where the keys are when a spec is "incomplete" (Redis's getkeys_proc,
   * MIGRATE's): the extractor uses it in place of the specs.
   */
  getKeys?: (argv: readonly string[]) => number[];
  group: CommandGroup;
  /** Redis version the command first appeared in (COMMAND DOCS). */
  since: string;
  summary: string;
  /** Argument syntax after the name, as Redis documents it: "key value [NX | XX]". */
  syntax: string;
  complexity?: string;
  /**
   * Redis's names for arguments whose generated name differs, keyed by that
   * name: a block Redis names itself (FAILOVER's `[TO host port [FORCE]]` is
   * "target", not "host_port_force"). COMMAND DOCS only.
   */
  docNames?: Readonly<Record<string, string>>;
  /**
   * Our own flag, for a command Redis does not flag fast: here it costs O(1)
   * plus copying its arguments and reply, whatever the data (SET: an old
   * value it replaces is dropped, not freed element by element, as Redis
   * may). Timed as fast commands are (see Command.timedBySampling). A
   * function says it of one call (SRANDMEMBER without a count).
   */
  boundedByArgs?: boolean | ((argv: readonly string[]) => boolean);
  /**
   * ACL categories as Redis's command JSON lists them, in place of the one its
   * group implies; its flags imply the rest (["keyspace", "dangerous"] for KEYS).
   */
  acl?: readonly string[];
  /** Redis's command tips for clients ("nondeterministic_output", "request_policy:all_shards"). */
  tips?: readonly string[];
  /**
   * Runs in the Lua VM (or may load functions), which loads on first use:
   * dispatch holds the request until it has. A container's subcommands inherit it.
   */
  needsLua?: boolean;
  /** Absent on container commands, which only route to their subcommands. */
  handler?: Handler;
  subcommands?: readonly CommandSpec[];
}

/** boundedByArgs of the random picks (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): one, without a count. */
export const withoutCount = (argv: readonly string[]): boolean => argv.length === 2;

/**
 * Offsets and range ends of up to this many characters (under 10^6 bits or
 * bytes) bound what a bit or range command grows, reads or zero-fills to
 * about a megabyte: well under a millisecond.
 */
const SHORT_OFFSET = 6;

/**
 * boundedByArgs of SETRANGE and SETBIT: an offset (argument `at`) of at most
 * SHORT_OFFSET characters. As for APPEND, which Redis flags fast, a long
 * value stored as text may be copied to bytes once.
 */
export const offsetAt = (at: number) => (argv: readonly string[]): boolean =>
  argv[at]!.length <= SHORT_OFFSET;

/**
 * boundedByArgs of BITCOUNT: a range whose end (argument `at`) is
 * given, not negative (counted from the value's end) and short; whatever the
 * start, at most `end + 1` bytes (or bits) are read.
 */
export const rangeEndAt = (at: number) => (argv: readonly string[]): boolean => {
  const end = argv[at];
  return end !== undefined && end.length <= SHORT_OFFSET && end.charCodeAt(0) !== 45; // "-"
};

/**
 * boundedByArgs of BITFIELD: every number after the key short (words such as
 * OVERFLOW may be long), so each offset (and `#index` times a width of at
 * most 64) stays under ~1 MB of value, and the operations are as many as
 * the arguments.
 */
export const shortNumbersFrom = (from: number) => (argv: readonly string[]): boolean => {
  for (let i = from; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.length > SHORT_OFFSET && !isLetter(word.charCodeAt(0))) return false;
  }
  return true;
};

const isLetter = (c: number): boolean => ((c | 0x20) >= 97 && (c | 0x20) <= 122);

/**
 * A resolved table entry: the spec plus what dispatch needs on the hot path,
 * and the command's statistics. Each server builds its own entries from the
 * rows (CommandTable), so two servers in one process count separately.
 */
export class Command {
  readonly fullName: string;
  /**
   * The spec's arity and handler, read on every call: specs are object
   * literals of many shapes, so reading them from the spec is a megamorphic
   * load once a server has run a mix of commands (V8's megamorphic stub
   * cache: ~3% of a warmed server's samples under native ZQUERY).
   */
  readonly arity: number;
  readonly handler: Handler | undefined;
  readonly isWrite: boolean;
  readonly isBlocking: boolean;
  /** Redis's "fast" flag: O(1) or O(log N); timed by sampling under usual thresholds. */
  readonly isFast: boolean;
  /**
   * Fast, or bounded by its arguments: its time is sampled under usual slow
   * log thresholds instead of read around every call (server/dispatch.ts).
   */
  readonly timedBySampling: boolean;
  /** For a command bounded by some calls' arguments: whether this call's are. */
  readonly sampledWhen: ((argv: readonly string[]) => boolean) | undefined;
  /** Not recorded in the slow log and latency monitor itself (EXEC: its commands are). */
  readonly skipSlowlog: boolean;
  readonly allowedInSubscribedRESP2: boolean;
  readonly allowedUnauthenticated: boolean;
  readonly needsLua: boolean;
  /**
   * Cannot change what makes a client's requests ordinary (dispatch.ts
   * isOrdinary: authentication, ACL user, MULTI, subscriptions, pause,
   * configuration, scripts...): no control command (noscript, admin, pubsub).
   */
  readonly keepsPlain: boolean;
  readonly subcommands?: Map<string, Command>;
  /** The subcommands by upper-case name: what clients send, found with no toLowerCase. */
  readonly #upperSubcommands?: Map<string, Command>;
  calls = 0;
  failedCalls = 0;
  rejectedCalls = 0;
  microseconds = 0;
  /** Timed calls by power-of-two microseconds (LATENCY HISTOGRAM, INFO latencystats). */
  #latency: number[] | undefined;
  /** Whether that histogram is empty: dispatch times the next call in full. */
  latencyEmpty = true;

  constructor(readonly spec: CommandSpec, readonly parent?: Command) {
    this.fullName = parent ? `${parent.spec.name}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.handler = spec.handler;
    this.isWrite = spec.flags.includes("write");
    this.isBlocking = spec.flags.includes("blocking");
    this.isFast = spec.flags.includes("fast");
    this.timedBySampling = this.isFast || spec.boundedByArgs === true;
    this.sampledWhen = typeof spec.boundedByArgs === "function" ? spec.boundedByArgs : undefined;
    this.skipSlowlog = spec.flags.includes("skip_slowlog");
    this.allowedUnauthenticated = spec.flags.includes("no_auth");
    this.needsLua = spec.needsLua ?? parent?.needsLua ?? false;
    this.keepsPlain = !spec.flags.some((flag) =>
      flag === "noscript" || flag === "admin" || flag === "pubsub"
    );
    this.allowedInSubscribedRESP2 = [
      "subscribe",
      "unsubscribe",
      "psubscribe",
      "punsubscribe",
      "ssubscribe",
      "sunsubscribe",
      "ping",
      "quit",
      "reset",
    ].includes(this.fullName);
    if (spec.subcommands) {
      this.subcommands = new Map();
      this.#upperSubcommands = new Map();
      for (const sub of spec.subcommands) {
        const command = new Command(sub, this);
        this.subcommands.set(sub.name, command);
        this.#upperSubcommands.set(sub.name.toUpperCase(), command);
      }
    }
  }

  /** The subcommand called `name` in any case; undefined if there is none. */
  subcommand(name: string): Command | undefined {
    return this.#upperSubcommands?.get(name) ?? this.subcommands?.get(name.toLowerCase());
  }

  get name(): string {
    return this.spec.name;
  }

  /** Records a timed call of `micros`, standing for `weight` calls when sampled. */
  recordLatency(micros: number, weight: number): void {
    const bucket = micros <= 1 ? 0 : Math.min(LATENCY_BUCKETS - 1, Math.ceil(Math.log2(micros)));
    this.#latency ??= new Array<number>(LATENCY_BUCKETS).fill(0);
    this.latencyEmpty = false;
    this.#latency[bucket] = (this.#latency[bucket] ?? 0) + weight;
  }

  /** The timed calls as [upper bound in µs, calls up to it] for each non-empty bucket. */
  latencyBuckets(): [micros: number, cumulative: number][] {
    const buckets: [number, number][] = [];
    let cumulative = 0;
    this.#latency?.forEach((count, bucket) => {
      if (count === 0) return;
      cumulative += count;
      buckets.push([2 ** bucket, cumulative]);
    });
    return buckets;
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.calls = 0;
    this.failedCalls = 0;
    this.rejectedCalls = 0;
    this.microseconds = 0;
    this.#latency = undefined;
    this.latencyEmpty = true;
  }

  /** Whether `argc` arguments (the name included) fit the arity. */
  arityFits(argc: number): boolean {
    const arity = this.arity;
    return arity > 0 ? argc === arity : argc >= -arity;
  }
}

/** Histogram buckets: 1 µs up to 2^39 µs. */
const LATENCY_BUCKETS = 40;

/** One server's command table: entries built from the command modules' rows. */
export class CommandTable {
  readonly #byName = new Map<string, Command>();
  readonly #all: Command[] = [];

  constructor(groups: readonly (readonly CommandSpec[])[]) {
    for (const group of groups) {
      for (const spec of group) {
        if (this.#byName.has(spec.name)) throw new Error(`command '${spec.name}' defined twice`);
        const command = new Command(spec);
        this.#all.push(command);
        this.#byName.set(spec.name, command);
        // Clients send upper case; registering it too skips a toLowerCase per request.
        this.#byName.set(spec.name.toUpperCase(), command);
      }
    }
  }

  lookup(name: string): Command | undefined {
    return this.#byName.get(name) ?? this.#byName.get(name.toLowerCase());
  }

  /**
   * The command or subcommand a request names, or undefined for an unknown
   * one. Alone, a container resolves to itself: COMMAND runs, CONFIG is an
   * arity error.
   */
  resolve(argv: readonly string[]): Command | undefined {
    const name = argv[0];
    const sub = argv[1];
    if (name === undefined) return undefined;
    const command = this.lookup(name);
    if (command?.subcommands === undefined || sub === undefined) return command;
    return command.subcommand(sub);
  }

  /** A command or subcommand by name, "config|get" style for subcommands. */
  find(name: string): Command | undefined {
    const bar = name.indexOf("|");
    if (bar < 0) return this.lookup(name);
    return this.lookup(name.slice(0, bar))?.subcommand(name.slice(bar + 1));
  }

  /**
   * redis.conf's rename-command: requests name the command `to` from now on,
   * or nothing when `to` is empty (it leaves COMMAND and commandstats then),
   * as Redis renames it in server.commands. It keeps its own name (COMMAND,
   * commandstats). Returns Redis's error, if any.
   */
  rename(from: string, to: string): string | undefined {
    const command = this.lookup(from);
    if (command === undefined) return RENAME_NO_SUCH_COMMAND;
    this.#byName.delete(from.toLowerCase());
    this.#byName.delete(from.toUpperCase());
    if (to === "") {
      this.#all.splice(this.#all.indexOf(command), 1);
      return undefined;
    }
    if (this.lookup(to) !== undefined) return RENAME_TARGET_EXISTS;
    this.#byName.set(to.toLowerCase(), command);
    this.#byName.set(to.toUpperCase(), command);
    return undefined;
  }

  /** Every top-level command, each once. */
  all(): readonly Command[] {
    return this.#all;
  }

  /** Every command and subcommand (COMMAND COUNT/LIST, commandstats). */
  *everyCommand(): Iterable<Command> {
    for (const command of this.#all) {
      yield command;
      if (command.subcommands) yield* command.subcommands.values();
    }
  }

  /** CONFIG RESETSTAT's part: every command's counters back to zero. */
  resetStats(): void {
    for (const command of this.everyCommand()) command.resetStats();
  }
}
