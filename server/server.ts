/**
 * The server: databases, clients, configuration, the shared registries
 * (blocking, WATCH, pub/sub), the periodic cron (active expiry, idle
 * timeouts), and the accept loop.
 */
import { ShutdownWait } from "./shutdown_wait.ts";
import { Acl } from "./acl/acl.ts";
import { holdsDeferred, resolveDeferred } from "../protocol/bytes.ts";
import { releaseSpare } from "../protocol/writer.ts";
import { admissionError } from "./admission.ts";
import { Listeners } from "./listeners.ts";
import type { SocketConn } from "./tls_config.ts";
import { aclCommandsOf } from "./acl/table.ts";
import { BlockingRegistry } from "./blocking.ts";
import { Client, type ClientTransport } from "./client.ts";
import type { Command, CommandTable } from "./command.ts";
import { Config } from "./config.ts";
import { checkDir } from "./config_params.ts";
import { Connection } from "./connection.ts";
import type {
  CommandContext,
  PropagationTarget,
  Propagator,
  ServerContext,
  WriteWatcher,
} from "./context.ts";
import { Database } from "./db.ts";
import type { KeyBytes } from "./types/page_bytes.ts";
import { call } from "./dispatch.ts";
import { applyLfuConfig, type MaxMemory } from "./maxmemory.ts";
import type { MemoryReducer } from "./memory_reducer.ts";
import type { Persistence } from "./persistence/manager.ts";
import type { Scripting } from "./scripting/runner.ts";
import { isReplicaClient, peerOf } from "./replication/client_peer.ts";
import type { Replication } from "./replication/replication.ts";
import { LatencyMonitor } from "./latency.ts";
import { ClientPause } from "./pause.ts";
import { SlowLog } from "./slowlog.ts";
import { ServerStats } from "./stats.ts";
import { advanceAccessClock } from "./types/access_clock.ts";
import { NotifyClass, parseNotifyFlags } from "./notify.ts";
import { Poller } from "./poller.ts";
import { PubSub } from "./pubsub.ts";
import { Tracking } from "./tracking.ts";
import { WatchRegistry } from "./watch.ts";
import { Watchdog } from "./watchdog.ts";

/** The transport of a client with no socket (AOF replay, scripts): replies go nowhere. */
const NO_SOCKET: ClientTransport = {
  flushSoon() {},
  close() {},
  resume() {},
  outputBytes: 0,
  inputBytes: 0,
  remoteAddr: "",
  localAddr: "",
};

export class RedisServer implements ServerContext {
  readonly config: Config;
  readonly dbs: Database[];
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly connections = new Set<Connection>();
  readonly blocking = new BlockingRegistry();
  readonly pause = new ClientPause(this.blocking);
  readonly shutdownWait: ShutdownWait = new ShutdownWait(this);
  readonly watches = new WatchRegistry();
  readonly pubsub = new PubSub();
  readonly tracking: Tracking = new Tracking(this);
  readonly startedAt = Date.now();
  readonly runId = randomHex(20);
  readonly stats = new ServerStats();
  readonly watchdog = new Watchdog();
  /** Users, permissions and the ACL log. */
  readonly acl: Acl;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  /** Attached by the composition root (compose.ts) right after construction. */
  persistence!: Persistence;
  scripting!: Scripting;
  replication!: Replication;
  /** Attached by the composition root (compose.ts) right after construction. */
  maxmemory!: MaxMemory;
  memoryReducer!: MemoryReducer;
  /** Changes since the last save, as Redis's server.dirty. */
  dirty = 0;
  activeExpire = true;
  cronPaused = false;
  scriptDenyDisabled = false;
  skipChecksumValidation = false;
  notifyMask = 0;
  /**
   * Set by EXEC while it runs its queue. Its first write is held ("held"):
   * alone it goes out bare, as in Redis 7.0; a second one sends MULTI, the
   * held write and itself ("sent"), so the AOF and replicas keep the
   * transaction whole, and endExecPropagation closes it with EXEC.
   */
  execPropagation: "off" | "pending" | "held" | "sent" = "off";
  #heldDb = 0;
  #heldArgv: readonly string[] = [];
  #heldOnly: PropagationTarget | undefined = undefined;
  busyScriptError: string | undefined = undefined;
  /** client-output-buffer-limit by class: hard bytes, soft bytes, soft seconds. */
  #outputLimits = new Map<string, OutputLimit>();
  /** The least positive limit of the normal and pubsub classes; -1 while one has none set. */
  #outputFloor = -1;
  /** Write commands go here after they run (set by persistence). */
  propagators: Propagator[] = [];
  scriptPropagator: Propagator | undefined = undefined;
  /** Hooks run by the cron every tick (persistence's save rules, ...). */
  cronHooks: (() => void)[] = [() => this.shutdownWait.tick()];
  /** Hooks run at shutdown, before connections close (final save, AOF fsync). */
  shutdownHooks: (() => Promise<void> | void)[] = [];
  /**
   * Called before a write command runs, while background snapshots are
   * written (BGSAVE, AOF rewrite, replicas' full syncs): each copies the keys
   * the command is about to change.
   */
  readonly writeWatchers = new Set<WriteWatcher>();
  /**
   * Called with each batch of replies before it is sent: persistence writes
   * the AOF, and under appendfsync always returns a promise of the fsync the
   * batch must wait for, so that no reply outruns its record.
   */
  beforeReply: (() => Promise<void> | undefined) | undefined;
  readonly #listeners: Listeners;
  #cronTimer: ReturnType<typeof setInterval> | undefined;
  #shuttingDown: Promise<void> | undefined;
  /** Opened with the first connection; null until then, undefined where none can serve. */
  #poller: Poller | undefined | null = null;
  quiet = false;

  constructor(config: Config, readonly commands: CommandTable) {
    this.config = config;
    this.blocking.wrapServe = (client, serve) => this.tracking.serveAs(client, serve);
    this.slowlog = new SlowLog(config);
    this.#listeners = new Listeners(config, (l) => this.#acceptLoop(l), (m) => this.log(m));
    this.latency = new LatencyMonitor(config);
    const hooks = {
      expired: (db: Database, key: string) => this.#expired(db, key),
      added: (db: Database, key: string) => {
        if (this.notifyMask & NotifyClass.New) this.notify(NotifyClass.New, "new", key, db.index);
      },
      emptied: (db: Database, key: string) =>
        this.keyChanged(db, key, NotifyClass.Generic, "del", 0),
      expireSet: (db: Database, key: string) => {
        if (this.replication.isReplica) this.replication.noteOwnExpire(db, key);
      },
      // CLIENT PAUSE keeps the dataset as is: expired keys are hidden, not deleted.
      expiryPolicy: () => {
        if (this.persistence.replaying) return "keep";
        const policy = this.replication.expiryPolicy;
        return policy === "delete" && this.pause.active ? "hide" : policy;
      },
    };
    this.dbs = Array.from(
      { length: config.getNumber("databases") },
      (_, i) => new Database(i, hooks, this.stats),
    );
    this.acl = new Acl(aclCommandsOf(commands));
    this.#applyConfig("acl-pubsub-default", config.get("acl-pubsub-default"));
    this.#applyConfig("requirepass", config.get("requirepass"));
    this.#applyConfig("notify-keyspace-events", config.get("notify-keyspace-events"));
    this.#applyConfig("maxmemory-policy", config.get("maxmemory-policy"));
    this.#applyConfig("lfu-log-factor", config.get("lfu-log-factor"));
    this.#applyConfig("lfu-decay-time", config.get("lfu-decay-time"));
    this.#applyConfig("client-output-buffer-limit", config.get("client-output-buffer-limit"));
    this.#applyConfig("watchdog-period", config.get("watchdog-period"));
    const previous = config.onChange;
    config.onChange = (name, value) => {
      previous(name, value);
      this.#applyConfig(name, value);
    };
    const previousApply = config.onApply;
    config.onApply = (names) => previousApply(names) ?? this.#listeners.reloadTls(names);
  }

  #applyConfig(name: string, value: string): void {
    // As Redis: requirepass is the default user's one password (or nopass when empty).
    if (name === "requirepass") this.acl.setDefaultPassword(value);
    if (name === "acl-pubsub-default") this.acl.env.allChannelsByDefault = value === "allchannels";
    if (name === "notify-keyspace-events") this.notifyMask = parseNotifyFlags(value) ?? 0;
    if (name === "client-output-buffer-limit") {
      this.#outputLimits = parseOutputLimits(value);
      this.#outputFloor = outputFloor(this.#outputLimits);
    }
    if (name === "hz" && this.#cronTimer !== undefined) this.#startCron();
    this.#listeners.apply(name);
    if (name === "dir") checkDir(value);
    if (name === "watchdog-period" || (name === "logfile" && this.watchdog.enabled)) {
      this.watchdog.configure(this.config.getNumber("watchdog-period"), this.config.get("logfile"));
    }
    if (name === "maxmemory-policy") {
      for (const db of this.dbs) db.trackFrequency = value.endsWith("-lfu");
    }
    applyLfuConfig(name, value);
    if (name === "maxmemory" || name === "maxmemory-clients") this.maxmemory?.configure();
    if (name === "maxmemory") this.maxmemory?.evictSoon();
  }

  log(message: string): void {
    if (!this.quiet) console.error(`${new Date().toISOString()} ${message}`);
  }

  // ---- keyspace events -------------------------------------------------

  /**
   * Every write command calls this after it changes `key` (Redis's
   * signalModifiedKey + notifyKeyspaceEvent + dirty++): WATCH invalidation,
   * keyspace notifications, and waking clients blocked on the key. With
   * `changes` 0 (a no-op LTRIM, a deleted key) the value is not accounted again.
   */
  keyChanged(
    db: Database,
    key: string,
    eventClass: NotifyClass,
    event: string,
    changes = 1,
    accounted = false,
  ): void {
    this.dirty += changes;
    // Values written in place (collections, edited strings) are accounted again.
    if (changes !== 0 && !accounted) db.dict.reaccount(key);
    this.watches.touch(db.index, key);
    if (this.tracking.engaged) this.tracking.invalidate(key, this.tracking.current);
    if (this.notifyMask !== 0) this.notify(eventClass, event, key, db.index);
    if (this.blocking.blockedClients > 0) this.blocking.signalReady(db.index, key);
  }

  /** keyChanged of a key given as its bytes: its string is made only if someone listens. */
  keyChangedAt(
    db: Database,
    key: KeyBytes,
    eventClass: NotifyClass,
    event: string,
    changes = 1,
    accounted = false,
  ): void {
    // Those keyChanged tells, all asked before the key's string is made.
    if (
      this.watches.watching() || this.tracking.engaged || this.notifyMask !== 0 ||
      this.blocking.blockedClients > 0
    ) {
      return this.keyChanged(db, key.string(), eventClass, event, changes, accounted);
    }
    this.dirty += changes;
  }

  /** Publishes a keyspace notification if its class is enabled. */
  notify(eventClass: NotifyClass, event: string, key: string, dbIndex: number): void {
    const mask = this.notifyMask;
    if ((mask & eventClass) === 0) return;
    if (mask & NotifyClass.Keyspace) {
      this.pubsub.publish(`__keyspace@${dbIndex}__:${key}`, event);
    }
    if (mask & NotifyClass.Keyevent) {
      this.pubsub.publish(`__keyevent@${dbIndex}__:${event}`, key);
    }
  }

  #expired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.watches.touch(db.index, key);
    if (this.tracking.engaged) this.tracking.invalidate(key, undefined);
    // Replicas and the AOF see an expiry as a DEL, as in Redis.
    this.propagate(db.index, ["DEL", key]);
    if (this.notifyMask !== 0) this.notify(NotifyClass.Expired, "expired", key, db.index);
  }

  call(ctx: CommandContext, command: Command, argv: string[]): void {
    call(ctx, command, argv);
  }

  createInternalClient(): Client {
    return new Client(this, NO_SOCKET, 2);
  }

  propagate(dbIndex: number, argv: readonly string[], only?: PropagationTarget): void {
    // A value SET took as bytes goes to the AOF, replicas or a script's writes as its string.
    const script = this.scriptPropagator;
    if (script !== undefined) {
      if (holdsDeferred(argv)) resolveDeferred(argv);
      return script.propagate(dbIndex, argv, only);
    }
    const exec = this.execPropagation;
    // As Redis counts a transaction's writes: only those something records.
    if (exec !== "off" && exec !== "sent" && !this.recordsWrites(only)) return;
    if (exec === "pending") {
      if (holdsDeferred(argv)) resolveDeferred(argv);
      this.#heldDb = dbIndex;
      this.#heldArgv = argv.slice();
      this.#heldOnly = only;
      this.execPropagation = "held";
      return;
    }
    if (exec === "held") {
      this.execPropagation = "sent";
      this.#send(this.#heldDb, ["MULTI"], undefined);
      this.#send(this.#heldDb, this.#heldArgv, this.#heldOnly);
      this.#heldArgv = [];
    }
    this.#send(dbIndex, argv, only);
  }

  endExecPropagation(dbIndex: number): void {
    const exec = this.execPropagation;
    this.execPropagation = "off";
    if (exec === "sent") this.#send(dbIndex, ["EXEC"], undefined);
    else if (exec === "held") {
      this.#send(this.#heldDb, this.#heldArgv, this.#heldOnly);
      this.#heldArgv = [];
    }
  }

  #send(dbIndex: number, argv: readonly string[], only: PropagationTarget | undefined): void {
    // A deferred argument needs its string only where something records it: the AOF and
    // replication resolve it themselves once they know they do (`resolves`), so a write with
    // nothing recording makes no string and costs one field read per propagator (`active`).
    const propagators = this.propagators;
    for (let i = 0; i < propagators.length; i++) {
      const p = propagators[i]!;
      if (p.active === false) continue;
      if (only === undefined || p.target === undefined || p.target === only) {
        if (p.resolves !== true) resolveDeferred(argv);
        p.propagate(dbIndex, argv);
      }
    }
  }

  recordsWrites(only?: PropagationTarget): boolean {
    if (this.scriptPropagator !== undefined) return true;
    // A loop, not some(): XADD asks on every call.
    const propagators = this.propagators;
    for (let i = 0; i < propagators.length; i++) {
      const p = propagators[i]!;
      if (p.active === false) continue;
      if (only === undefined || p.target === undefined || p.target === only) return true;
    }
    return false;
  }

  // ---- clients ---------------------------------------------------------

  registerClient(client: Client): void {
    this.clients.set(client.id, client);
    this.stats.connectionsReceived++;
  }

  unregisterClient(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    client.inputTap?.closed();
    this.clients.delete(client.id);
    this.monitors.delete(client);
    this.pause.forget(client);
    this.watchdog.forget(client.id);
    this.maxmemory?.forget(client);
    this.blocking.unblock(client, false);
    this.watches.unwatchAll(client);
    this.unsubscribeAll(client);
    // At once, as Redis's freeClient: min-replicas-to-write counts only live replicas.
    if (isReplicaClient(client)) this.replication.master.detach(peerOf(client));
    if (client.tracking !== undefined) this.tracking.disable(client);
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  unsubscribeAll(client: Client): void {
    this.pubsub.unsubscribeAll(client);
  }

  /**
   * Pending output at or under this is within both classes' limits: with no
   * soft-limit timer running (softLimitSince 0), outputOverLimit would find
   * nothing, so a connection need not ask.
   */
  get outputFloor(): number {
    return this.#outputFloor;
  }

  /**
   * Whether a client's pending output passed its client-output-buffer-limit
   * class (normal or pubsub) hard limit, or its soft limit for too long. A
   * replica's class is `replica`, which its ReplicaPeer enforces (master.ts).
   */
  outputOverLimit(client: Client): boolean {
    if (isReplicaClient(client)) return false;
    const limits = this.#outputLimits.get(client.subscriptionCount() > 0 ? "pubsub" : "normal");
    if (limits === undefined) return false;
    const [hard, soft, seconds] = limits;
    const pending = client.transport.outputBytes;
    if (hard > 0 && pending > hard) return true;
    if (soft > 0 && pending > soft) {
      // Whole seconds, as Redis's server.unixtime: never sooner than `seconds` after passing.
      const now = Math.floor(Date.now() / 1000);
      client.softLimitSince ||= now;
      return now - client.softLimitSince > seconds;
    }
    client.softLimitSince = 0;
    return false;
  }

  // ---- lifecycle -------------------------------------------------------

  /** Starts listening; returns the bound port (useful with port 0). */
  listen(): number {
    const port = this.#listeners.listen();
    this.#startCron();
    return port;
  }

  /** The TLS port, 0 without tls-port. */
  get tlsPort(): number {
    return this.#listeners.tlsPort;
  }

  /** Settles when the TLS port is bound (at once without tls-port); rejects when it cannot be. */
  get tlsReady(): Promise<void> {
    return this.#listeners.tlsReady;
  }

  get port(): number {
    return this.#listeners.port;
  }

  /** What serves client sockets instead of Deno's reads and writes, when it can (poller.ts). */
  get poller(): Poller | undefined {
    if (this.#poller === null) this.#poller = this.#shuttingDown ? undefined : Poller.open();
    return this.#poller;
  }

  /** Every connection asks for the poller, so by the time anyone asks this it is decided. */
  get multiplexingApi(): string {
    return this.#poller ? "epoll" : "deno";
  }

  /** Pending while a listener CONFIG SET made is binding; replies wait for it. */
  get listenerBinding(): Promise<void> | undefined {
    return this.#listeners.binding;
  }

  async #acceptLoop(listener: AsyncIterable<SocketConn>): Promise<void> {
    try {
      for await (const conn of listener) {
        if (this.#shuttingDown) {
          conn.close();
          continue;
        }
        const refused = admissionError(
          this.config,
          this.connections.size,
          this.acl.defaultUser.nopass,
          conn.remoteAddr,
        );
        if (refused !== undefined) {
          this.stats.rejectedConnections++;
          // Best effort, as Redis: the error is written once, then the socket closes.
          const msg = new TextEncoder().encode(`-${refused}\r\n`);
          conn.write(msg).catch(() => {}).finally(() => conn.close());
          continue;
        }
        const connection = new Connection(this, conn);
        // The connection leaves the set as it ends (connection.ts).
        this.connections.add(connection);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.BadResource) && !this.#shuttingDown) throw err;
    }
  }

  #startCron(): void {
    if (this.#cronTimer !== undefined) clearInterval(this.#cronTimer);
    // Keys written before the first tick must not look idle since the module was loaded.
    advanceAccessClock(Date.now());
    const hz = this.config.getNumber("hz");
    this.#cronTimer = setInterval(() => this.cron(), Math.max(1, Math.floor(1000 / hz)));
  }

  /** One tick: active expiry within a time budget, idle timeouts, hooks. */
  cron(): void {
    if (this.cronPaused) return;
    advanceAccessClock(Date.now());
    this.stats.sampleRates(performance.now());
    this.activeExpireCycle();
    this.#closeIdleClients();
    const now = Date.now();
    for (const connection of this.connections) connection.resizeBuffers(now);
    releaseSpare();
    if (this.tracking.clients > 0) this.tracking.limitTable();
    for (const hook of this.cronHooks) hook();
  }

  /**
   * Redis's adaptive active expiry: per database, check 20 keys with a TTL at
   * a time, and keep going while more than a quarter of them had expired,
   * within 25% of the tick's time.
   */
  activeExpireCycle(): void {
    // CLIENT PAUSE holds expiry too: the dataset must not change.
    if (!this.activeExpire || this.pause.active) return;
    const budgetMs = 250 / this.config.getNumber("hz");
    const now = Date.now();
    // A replica's keys expire when its master's DEL arrives; only its own are its to expire.
    if (this.replication.isReplica) return this.replication.expireOwnKeys(now, budgetMs);
    const started = performance.now();
    this.#expireDatabases(now, started, budgetMs);
    this.latency.addIfNeeded("expire-cycle", performance.now() - started);
  }

  #expireDatabases(now: number, started: number, budgetMs: number): void {
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      for (;;) {
        const { checked, expired } = db.activeExpireStep(20, now);
        if (checked === 0 || expired * 4 <= checked) break;
        if (performance.now() - started > budgetMs) return;
      }
    }
  }

  #closeIdleClients(): void {
    const timeout = this.config.getNumber("timeout");
    if (timeout <= 0) return;
    const now = Date.now();
    for (const connection of this.connections) {
      const client = connection.client;
      // As Redis: blocked and subscribed clients are not idle.
      if (client && (client.blocked || client.subscriptionCount() > 0)) continue;
      const last = client?.lastInteraction ?? 0;
      if (client === undefined || now - last > timeout * 1000) {
        if (client === undefined && !connection.idleSince) {
          connection.idleSince = now;
          continue;
        }
        if (client !== undefined || now - connection.idleSince! > timeout * 1000) {
          connection.close();
        }
      }
    }
  }

  /** Stops accepting, lets in-flight replies finish, closes every connection. */
  shutdown(): Promise<void> {
    this.#shuttingDown ??= (async () => {
      if (this.#cronTimer !== undefined) clearInterval(this.#cronTimer);
      this.pause.dispose();
      this.watchdog.stop();
      this.#listeners.close();
      // As Redis, which exits: nobody can connect once a client sees its connection close.
      await this.#listeners.closed();
      for (const hook of this.shutdownHooks) await hook();
      for (const connection of this.connections) connection.stop();
      await Promise.all([...this.connections].map((c) => c.done));
      await this.#poller?.close();
    })();
    return this.#shuttingDown;
  }

  /** Statistics helper for INFO keyspace and DBSIZE. */
  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A class's hard limit, soft limit (bytes) and soft-limit seconds. */
type OutputLimit = readonly [hard: number, soft: number, seconds: number];

/** The least positive limit of the normal and pubsub classes (Infinity: none); -1 when one is absent. */
function outputFloor(limits: Map<string, OutputLimit>): number {
  let floor = Infinity;
  for (const name of ["normal", "pubsub"]) {
    const limit = limits.get(name);
    if (limit === undefined) return -1;
    for (const bytes of [limit[0], limit[1]]) if (bytes > 0 && bytes < floor) floor = bytes;
  }
  return floor;
}

/** "class hard soft seconds ..." (sizes in bytes, as the config stores them) by class. */
function parseOutputLimits(value: string): Map<string, OutputLimit> {
  const words = value.split(/\s+/);
  const limits = new Map<string, OutputLimit>();
  for (let i = 0; i + 3 < words.length; i += 4) {
    limits.set(words[i]!, [Number(words[i + 1]), Number(words[i + 2]), Number(words[i + 3])]);
  }
  return limits;
}
