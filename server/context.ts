/**
 * What a command handler sees: the one context it is given, and through it
 * the server's services. This module is a leaf (type-only imports), so
 * command modules depend on it and never on server.ts, connection.ts or
 * dispatch.ts; the composition root (compose.ts) wires the real objects.
 *
 *   handler(ctx, argv): ctx.out (the reply writer), ctx.db (the selected
 *   database and its keyspace API), ctx.keyChanged (after every write),
 *   ctx.server (configuration, statistics, registries), ctx.execute (run
 *   another command through the one dispatch path: EXEC, scripts).
 */
import type { ReplyWriter } from "../protocol/writer.ts";
import type { Acl } from "./acl/acl.ts";
import type { BlockingRegistry } from "./blocking.ts";
import type { Client, Protocol } from "./client.ts";
import type { Command, CommandTable } from "./command.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";
import type { KeyBytes } from "./types/page_bytes.ts";
import type { MaxMemory } from "./maxmemory.ts";
import type { MemoryReducer } from "./memory_reducer.ts";
import type { NotifyClass } from "./notify.ts";
import type { ClientPause } from "./pause.ts";
import type { Persistence } from "./persistence/manager.ts";
import type { PubSub } from "./pubsub.ts";
import type { Scripting } from "./scripting/runner.ts";
import type { Replication } from "./replication/replication.ts";
import type { LatencyMonitor } from "./latency.ts";
import type { SlowLog } from "./slowlog.ts";
import type { Tracking } from "./tracking.ts";
import type { ServerStats } from "./stats.ts";
import type { WatchRegistry } from "./watch.ts";
import type { Watchdog } from "./watchdog.ts";
import type { ShutdownWait } from "./shutdown_wait.ts";

/** Records write commands after they run (the AOF; replicas next). */
export interface Propagator {
  /** Which of Redis's two targets it is (redis.set_repl picks among them); unset: either. */
  readonly target?: PropagationTarget;
  /**
   * False while it records nothing (AOF off; no backlog, no replica); unset: always records.
   * The server reads it before every write's propagation: a field kept current, not a getter.
   */
  readonly active?: boolean;
  /**
   * Whether it calls resolveDeferred (protocol/bytes.ts) on argv itself before it records it;
   * unset: the server resolves argv before calling it.
   */
  readonly resolves?: boolean;
  /** `only`, when given, is told to the script collector, which records it as the write's target. */
  propagate(dbIndex: number, argv: readonly string[], only?: PropagationTarget): void;
}

/** Where a write may go (Redis's PROPAGATE_AOF and PROPAGATE_REPL). */
export type PropagationTarget = "aof" | "replicas";

/** Told about a write command before it runs. */
export type WriteWatcher = (ctx: CommandContext, command: Command, argv: string[]) => void;

/** The server as commands, persistence and INFO see it. */
export interface ServerContext {
  readonly config: Config;
  readonly dbs: readonly Database[];
  readonly clients: ReadonlyMap<number, Client>;
  /** CLIENT PAUSE: whether commands wait, and the clients waiting. */
  readonly pause: ClientPause;
  /** Clients in MONITOR mode: dispatch's call sends each of them every command. */
  readonly monitors: Set<Client>;
  readonly commands: CommandTable;
  readonly stats: ServerStats;
  /** SLOWLOG's entries and thresholds (dispatch's call records into it). */
  readonly slowlog: SlowLog;
  /** LATENCY's events (latency-monitor-threshold). */
  readonly latency: LatencyMonitor;
  readonly blocking: BlockingRegistry;
  readonly watches: WatchRegistry;
  readonly pubsub: PubSub;
  /** Client-side caching: the keys tracking clients read, and their invalidations. */
  readonly tracking: Tracking;
  readonly persistence: Persistence;
  /** A shutdown waiting for its replicas (SHUTDOWN, SIGTERM, shutdown-timeout). */
  readonly shutdownWait: ShutdownWait;
  /** The script cache, functions and the running script (server/scripting/). */
  readonly scripting: Scripting;
  /** Users, permissions and the ACL log. */
  readonly acl: Acl;
  /** Role, replicas, the link to a master (server/replication/). */
  readonly replication: Replication;
  /** used_memory accounting and eviction under maxmemory. */
  readonly maxmemory: MaxMemory;
  /** Returns the heap's free pages to the OS when idle, and on MEMORY PURGE. */
  readonly memoryReducer: MemoryReducer;
  /** watchdog-period: logs a command that holds the event loop too long. */
  readonly watchdog: Watchdog;
  readonly startedAt: number;
  /** A random 40-hex id made at start (INFO run_id). */
  readonly runId: string;
  /** INFO's multiplexing_api: "epoll" when the poller serves client sockets, else "deno". */
  readonly multiplexingApi: string;
  /** The bound TCP port (the configured one before listen). */
  readonly port: number;
  /** The TLS port, 0 without tls-port. */
  readonly tlsPort: number;
  /** Changes since the last save, as Redis's server.dirty. */
  dirty: number;
  /** Whether the cron expires keys in the background (DEBUG SET-ACTIVE-EXPIRE turns it off). */
  activeExpire: boolean;
  /** DEBUG PAUSE-CRON: the cron's ticks do nothing while set. */
  cronPaused: boolean;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript (tests only). */
  scriptDenyDisabled: boolean;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE takes payloads whatever their CRC-64. */
  skipChecksumValidation: boolean;
  /**
   * Set to "pending" by EXEC while it runs its queue: a lone write goes out
   * bare, two or more inside MULTI ... EXEC (see endExecPropagation).
   */
  execPropagation: "off" | "pending" | "held" | "sent";
  /**
   * While a script runs past busy-reply-threshold: the -BUSY error every
   * command without the allow_busy flag gets (server/scripting/runner.ts).
   */
  busyScriptError: string | undefined;
  readonly propagators: Propagator[];
  /**
   * While a script runs: takes every write in the propagators' place, for
   * them to get when it ends (server/scripting/runner.ts).
   */
  scriptPropagator: Propagator | undefined;
  /** Hooks run by the cron every tick. */
  readonly cronHooks: (() => void)[];
  /** Hooks run at shutdown, before connections close (final save, AOF fsync). */
  readonly shutdownHooks: (() => Promise<void> | void)[];
  /**
   * Called before each write command runs: the copy-on-write of every
   * snapshot being written (BGSAVE, AOF rewrite, replicas' full syncs).
   */
  readonly writeWatchers: Set<WriteWatcher>;
  /** Called with each batch of replies before it is sent (the AOF's fsync policy). */
  beforeReply: (() => Promise<void> | undefined) | undefined;

  /**
   * After a write changed `key`: dirty count, WATCH, keyspace events, blocked
   * clients. `changes` 0 says the value was not edited in place (a no-op
   * LTRIM, a deleted key): it is not accounted again; nor is it when
   * `accounted` says its account is right already (an edit that kept its
   * size, as HINCRBY's step in place, or one the caller accounted).
   */
  keyChanged(
    db: Database,
    key: string,
    eventClass: NotifyClass,
    event: string,
    changes?: number,
    accounted?: boolean,
  ): void;
  /**
   * keyChanged of a key given as its bytes (a request's) whose value is
   * stored inline, or was `accounted` again by the caller (Database.reaccountAt):
   * its string is made only for those keyChanged tells (WATCH, tracking,
   * keyspace events, blocked clients).
   */
  keyChangedAt(
    db: Database,
    key: KeyBytes,
    eventClass: NotifyClass,
    event: string,
    changes?: number,
    accounted?: boolean,
  ): void;
  /** Publishes a keyspace notification if its class is enabled. */
  notify(eventClass: NotifyClass, event: string, key: string, dbIndex: number): void;
  /** Sends a write to every propagator (AOF, replicas), or only to those of `only`. */
  propagate(dbIndex: number, argv: readonly string[], only?: PropagationTarget): void;
  /** Ends EXEC's propagation: its one held write goes out alone, or EXEC closes its MULTI. */
  endExecPropagation(dbIndex: number): void;
  /**
   * Whether any propagator (of `only`'s target, when given) records writes
   * now: a command may skip building what it would propagate (XREADGROUP's
   * XCLAIMs) when none does.
   */
  recordsWrites(only?: PropagationTarget): boolean;
  /** The one path a command runs by: handler, statistics, propagation (dispatch.ts's call). */
  call(ctx: CommandContext, command: Command, argv: string[]): void;
  /** A client for commands run without a connection (AOF replay, scripts). */
  createInternalClient(): Client;
  /** Drops every subscription of a client (disconnect, RESET). */
  unsubscribeAll(client: Client): void;
  /** Whether a client's pending output passed its client-output-buffer-limit. */
  outputOverLimit(client: Client): boolean;
  log(message: string): void;
  shutdown(): Promise<void>;
}

/** The one interface a command handler sees (a Client implements it). */
export interface CommandContext {
  /** The reply writer: exactly one reply per command, or throw CommandError. */
  readonly out: ReplyWriter;
  /** The selected database, with the keyspace API (lookups, type checks, create, delete). */
  readonly db: Database;
  readonly server: ServerContext;
  /** This connection's own state (CLIENT, MULTI, WATCH, subscriptions, blocking). */
  readonly client: Client;
  /** The reply format: 2, 3 (HELLO) or "native". */
  readonly protocol: Protocol;
  readonly isNative: boolean;
  /** Set by a command to change what the AOF records for it (EXPIRE → PEXPIREAT). */
  propagateAs: string[][] | undefined;
  /** True while EXEC (or a script) runs commands: blocking commands must not block. */
  readonly inExec: boolean;
  /** After a write changed `key` in the selected database (see ServerContext.keyChanged). */
  keyChanged(key: string, eventClass: NotifyClass, event: string, changes?: number): void;
  /** Runs a resolved command for this client through the one dispatch path. */
  execute(command: Command, argv: string[]): void;
  /**
   * Ends the command with error reply `message` as a thrown CommandError
   * does (its reply so far rolled back, the call counted as failed), without
   * the throw: V8 takes ~1 µs to unwind one through frames it has not
   * optimized, which a handler that keeps failing often is. The handler
   * returns right after (`return ctx.fail(...)`).
   */
  fail(message: string): void;
  /** The error fail() ended the running command with, until dispatch replies it. */
  failure: string | undefined;
}
