/**
 * Replication for one server: its role (master, or replica of host:port),
 * the master side that serves its own replicas (a replica can have replicas
 * too: it forwards its master's stream to them), and the link to its master.
 *
 * Role changes follow Redis's replicationSetMaster / replicationUnsetMaster:
 * - becoming a replica keeps the server's own history (replid, offset) to ask
 *   the new master for a partial resync (PSYNC2), and keeps its replicas;
 * - REPLICAOF NO ONE starts a new history, keeping the inherited one valid as
 *   replid2 up to the current offset, and drops the replicas so that they
 *   reconnect and continue from here.
 * FAILOVER (failover.ts) makes the same two changes, on both sides.
 */
import type { Database, ExpiryPolicy } from "../db.ts";
import { replicationTlsOptions } from "../tls_config.ts";
import { type LinkOptions, MasterLink, type ReplicaHost } from "./master_link.ts";
import { Failover } from "./failover.ts";
import { type MasterHost, ReplicationMaster } from "./master.ts";
import type { ReplicationStream } from "./stream.ts";
import { ordinaryChanged } from "../ordinary.ts";
import { OwnExpires } from "./own_expires.ts";
import type { LoadingState } from "../persistence/loading.ts";

/** What replication needs from the server, beyond the master side's needs. */
export interface ReplicationHost extends MasterHost {
  readonly dbs: readonly Database[];
  /** The port clients connect to (REPLCONF listening-port without replica-announce-port). */
  listeningPort(): number;
  /** Readies what the master's data may need (the Lua VM: functions may come). */
  prepareForMaster(): Promise<void>;
  /** A full resync: the dataset becomes this RDB. Throws on a malformed one. */
  loadRdb(rdb: Uint8Array): void;
  /** The server's loading state (INFO loading / async_loading, -LOADING replies). */
  readonly loading: LoadingState;
  /** Runs one command of the master's stream as the master's client; its reply is dropped. */
  applyFromMaster(argv: string[]): void;
  /** The database the master's client has selected (0 before its first command). */
  masterStreamDb(): number;
  /** A master's client that starts in `dbIndex`, as a restarted replica's stream continues there. */
  resumeMasterStream(dbIndex: number): void;
  /** Ends every blocked client's wait with an error and closes it (becoming a replica). */
  failBlockedClients(): void;
  /** Holds or releases clients' writes for FAILOVER (its own pause, apart from CLIENT PAUSE). */
  pauseWrites(paused: boolean): void;
  /** The `replicaof` parameter follows a role change not made by REPLICAOF ("" as a master). */
  recordMaster(address: string): void;
}

export class Replication {
  readonly master: ReplicationMaster;
  readonly failover: Failover;
  link: MasterLink | undefined;
  masterHost: string | undefined;
  masterPort = 0;
  /** True while a command of the master's stream runs. */
  #applying = false;
  /** A full resync's payload is loaded as it arrives (repl-diskless-load): the server is loading. */
  #loadingPayload = false;
  /** Keys this writable replica's own clients gave a TTL. */
  readonly #ownExpires = new OwnExpires();

  constructor(readonly host: ReplicationHost) {
    this.master = new ReplicationMaster(host);
    this.failover = new Failover({
      replicas: () => this.master.replicas,
      offset: () => this.stream.offset,
      becomeReplica: (masterHost, port) => {
        this.replicaOf(masterHost, port);
        host.recordMaster(`${masterHost} ${port}`);
      },
      becomeMaster: () => {
        this.promote();
        host.recordMaster("");
      },
      pauseWrites: (paused) => host.pauseWrites(paused),
      log: (message) => host.log(message),
    });
  }

  get stream(): ReplicationStream {
    return this.master.stream;
  }

  get isReplica(): boolean {
    return this.masterHost !== undefined;
  }

  /** How expired keys behave here (see KeyspaceHooks.expiryPolicy). */
  get expiryPolicy(): ExpiryPolicy {
    if (this.masterHost === undefined) return "delete";
    return this.#applying ? "keep" : "hide";
  }

  /**
   * REPLICAOF host port. Returns false when already a replica of exactly
   * that master (Redis then answers "+OK Already connected to specified
   * master" and does nothing).
   */
  replicaOf(host: string, port: number): boolean {
    if (this.masterHost?.toLowerCase() === host.toLowerCase() && this.masterPort === port) {
      return false;
    }
    this.link?.stop();
    this.host.failBlockedClients();
    this.masterHost = host;
    ordinaryChanged();
    this.masterPort = port;
    this.stream.forwarding = true;
    this.master.keepBacklog = true;
    this.link = new MasterLink(host, port, this.#replicaHost(), this.#linkOptions());
    return true;
  }

  /**
   * REPLICAOF NO ONE: a master again, with a new history, at once. The
   * promise settles when the old link has closed.
   */
  promote(): Promise<void> {
    if (this.masterHost === undefined) return Promise.resolve();
    const closed = this.link?.stop() ?? Promise.resolve();
    this.link = undefined;
    this.masterHost = undefined;
    this.masterPort = 0;
    const stream = this.stream;
    stream.ids.shift(stream.offset);
    stream.forwarding = false;
    stream.forceSelect();
    this.master.keepBacklog = false;
    this.master.disconnectAll();
    return closed;
  }

  /** A command gave `key` a TTL: the replica expires it itself unless its master sent it. */
  noteOwnExpire(db: Database, key: string): void {
    if (!this.#applying) this.#ownExpires.add(db.index, key);
  }

  /** How many keys this replica expires itself (INFO's slave_expires_tracked_keys). */
  get ownExpiresTracked(): number {
    return this.#ownExpires.size;
  }

  /** From the replica's active expiry: its own keys whose TTL passed go (expireSlaveKeys). */
  expireOwnKeys(now: number, budgetMs: number): void {
    this.#ownExpires.expire(this.host.dbs, now, budgetMs);
  }

  /**
   * What an RDB saved here records of the replication history (Redis's
   * rdbPopulateSaveInfo): a master with a backlog saves its ID and offset,
   * so that after a restart its replicas can continue (resumeFromRdb); a
   * replica that has synced saves its master's, and the database the stream
   * has selected, so that it can continue itself.
   */
  saveInfo(): [string, string][] {
    const stream = this.stream;
    if (stream.backlog === undefined) return [];
    const streamDb = this.isReplica ? this.host.masterStreamDb() : 0;
    return [
      ["repl-stream-db", String(streamDb)],
      ["repl-id", stream.ids.replid],
      ["repl-offset", String(stream.offset)],
    ];
  }

  /**
   * A server starting from an RDB that recorded a history (Redis 7.0's
   * loadDataFromDisk). A master keeps it as replid2 up to `offset`, and a
   * backlog starts there, so its replicas continue with a partial resync. A
   * replica (`asReplica`: replicaof is set) takes it as its own, so its first
   * PSYNC asks to continue from there, the master's stream in `streamDb`
   * (replicationCacheMasterUsingMyself).
   */
  resumeFromRdb(replid: string, offset: number, streamDb: number, asReplica: boolean): void {
    if (!/^[0-9a-f]{40}$/.test(replid)) return;
    if (!Number.isSafeInteger(offset) || offset < 0) return;
    const stream = this.stream;
    const backlogSize = this.host.config.getNumber("repl-backlog-size");
    if (asReplica) {
      if (!Number.isSafeInteger(streamDb) || streamDb < 0 || streamDb >= this.host.dbs.length) {
        return;
      }
      stream.ids.replid = replid;
      stream.ids.clearSecond();
      stream.resetTo(offset, backlogSize);
      this.host.resumeMasterStream(streamDb);
      return;
    }
    if (this.isReplica) return;
    stream.ids.replid2 = replid;
    stream.ids.secondOffset = offset + 1;
    stream.resetTo(offset, backlogSize);
  }

  /** Once a second, from the server's cron. */
  cron(): void {
    // As Redis: no PING while a failover with a deadline holds writes (offsets must stay put).
    this.master.cron(Date.now(), this.failover.endTime === 0);
  }

  /** Every cron tick (Redis runs its replication cron every 100 ms while failing over). */
  tick(): void {
    if (this.failover.active) this.failover.check();
  }

  /** Shutdown: the link closes and replicas are dropped. */
  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.master.disconnectAll();
    await link?.stop();
  }

  /**
   * Read at each connection, as Redis reads server.masterauth and the rest:
   * CONFIG SET masterauth after REPLICAOF applies to the next attempt.
   */
  #linkOptions(): LinkOptions {
    const host = this.host;
    const config = host.config;
    const text = (name: string) => config.get(name) || undefined;
    return {
      get listeningPort() {
        return config.getNumber("replica-announce-port") || host.listeningPort();
      },
      get announceIp() {
        return text("replica-announce-ip");
      },
      get masterUser() {
        return text("masteruser");
      },
      get masterAuth() {
        return text("masterauth");
      },
      get timeoutSeconds() {
        return config.getNumber("repl-timeout");
      },
      get tls() {
        return config.getBool("tls-replication") ? replicationTlsOptions(config) : undefined;
      },
      get sourceAddress() {
        return text("bind-source-addr");
      },
    };
  }

  #replicaHost(): ReplicaHost {
    const stream = this.stream;
    const host = this.host;
    const backlogSize = () => host.config.getNumber("repl-backlog-size");
    return {
      prepare: () => host.prepareForMaster(),
      history: () => ({ replid: stream.ids.replid, offset: stream.offset }),
      transferStarted: (replid) => {
        // Redis's useDisklessLoad: the payload is loaded as it arrives, so the server is loading
        // meanwhile; from the same history (swapdb) its clients keep the old dataset (async).
        const mode = host.config.get("repl-diskless-load");
        const empty = host.dbs.every((db) => db.size === 0);
        if (mode !== "swapdb" && !(mode === "on-empty-db" && empty)) return;
        this.#loadingPayload = true;
        host.loading.start(0, mode === "swapdb" && replid === stream.ids.replid);
      },
      transferProgress: (read, total) => {
        if (!this.#loadingPayload) return;
        host.loading.totalBytes = total;
        host.loading.loadedBytes = read;
      },
      transferEnded: () => {
        if (!this.#loadingPayload) return;
        this.#loadingPayload = false;
        host.loading.end();
      },
      loadRdb: (rdb, replid, offset) => {
        host.loadRdb(rdb);
        this.#ownExpires.clear();
        stream.ids.replid = replid;
        stream.ids.clearSecond();
        stream.resetTo(offset, backlogSize());
        // Our replicas had another dataset: they must resync from the new one.
        this.master.disconnectAll();
      },
      continued: (replid, offset) => {
        if (stream.backlog === undefined) stream.resetTo(offset, backlogSize());
        if (replid !== undefined && replid !== stream.ids.replid) {
          stream.ids.adoptMasterId(replid, offset);
          // Our replicas must learn the new ID: they reconnect and continue.
          this.master.disconnectAll();
        }
      },
      apply: (argv) => {
        this.#applying = true;
        try {
          host.applyFromMaster(argv);
        } finally {
          this.#applying = false;
        }
      },
      streamed: (bytes) => stream.forward(bytes),
      failingOver: () => this.failover.inProgress,
      failoverAnswered: (accepted) => this.failover.answered(accepted),
      log: (message) => host.log(message),
    };
  }
}
