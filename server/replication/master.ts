/**
 * The master side of replication (Redis's syncCommand,
 * masterTryPartialResynchronization, the RDB-for-replication job and the
 * master half of replicationCron):
 *
 * - PSYNC/SYNC: a partial resync from the backlog when possible, else the
 *   replica waits for the next full-sync transfer. Replicas queued within
 *   `repl-diskless-sync-delay` seconds share one diskless transfer, as in
 *   Redis; a disk-based transfer writes the snapshot to a file in `dir`
 *   first and sends it to each of them.
 * - A transfer is a KeyspaceSnapshot (point in time, no fork): its offset is
 *   the stream's offset when it starts, which +FULLRESYNC announces, and the
 *   stream from there on is held by each replica until its payload is through.
 * - Once a second: PING into the stream every `repl-ping-replica-period`
 *   seconds, a newline to replicas still waiting for their payload, replicas
 *   silent for `repl-timeout` or over their output limit are dropped, and the
 *   backlog is freed after `repl-backlog-ttl` seconds without replicas.
 * - WAIT and min-replicas-to-write count acknowledged offsets and lags.
 */
import { binaryToBytes } from "../../protocol/bytes.ts";
import type { Database } from "../db.ts";
import { KeyspaceSnapshot } from "../persistence/snapshot.ts";
import { type SnapshotEncoder, SnapshotFileJob } from "../persistence/snapshot_file.ts";
import { TRIM_BLOCKS_PER_CALL } from "./backlog.ts";
import { answerPsync } from "./ids.ts";
import { type PayloadSink, sendDiskless, sendFile } from "./rdb_transfer.ts";
import type { OutputLimits, PeerSource, ReplicaPeer } from "./replica_peer.ts";
import { ReplicationStream } from "./stream.ts";

/** What the master side needs from the server. */
export interface MasterHost {
  readonly dbs: readonly Database[];
  readonly config: {
    get(name: string): string;
    getNumber(name: string): number;
    getBool(name: string): boolean;
    live(name: string): { readonly value: number };
  };
  /** An RDB encoder with the server's options (rdbcompression, rdbchecksum) and these aux fields. */
  rdbEncoder(aux: [string, string][], write: (chunk: Uint8Array) => void): SnapshotEncoder;
  /** Sends copy-on-write notices to `snapshot` until the returned function is called. */
  watchWrites(snapshot: KeyspaceSnapshot): () => void;
  log(message: string): void;
}

/**
 * Disk-based full syncs this process has written: their files' names. One
 * count for every master in the process (tests run several in one, sharing
 * a directory: each master's own count gave two of them the same file).
 */
let fileTransfers = 0;

export class ReplicationMaster {
  readonly stream = new ReplicationStream();
  /** Every replica, in the order they attached (INFO's slave0, slave1...). */
  readonly replicas = new Set<ReplicaPeer>();
  /** Replicas waiting for the next full-sync transfer. */
  #queued: ReplicaPeer[] = [];
  #queuedSince = 0;
  #transfer: Promise<void> | undefined;
  /**
   * The snapshot a full sync is writing (Redis's RDB child for replicas:
   * INFO rdb_bgsave_in_progress and current_save_keys_* report it).
   */
  savingSnapshot: KeyspaceSnapshot | undefined;
  #noReplicasSince = Date.now();
  #ticks = 0;
  /** Set while this server is a replica: its backlog lives on without replicas (Redis too). */
  keepBacklog = false;
  /** The disk-based snapshot being written for replicas, and the replicas it is for. */
  #fileJob: { job: SnapshotFileJob; peers: ReplicaPeer[] } | undefined;
  /** INFO stats: sync_full, sync_partial_ok, sync_partial_err. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;

  /** CONFIG RESETSTAT's share (Redis's resetServerStats zeroes these too). */
  resetStats(): void {
    this.syncFull = this.syncPartialOk = this.syncPartialErr = 0;
  }

  readonly #minReplicas: { readonly value: number };
  #limits = { setting: "", limits: replicaOutputLimits("") };
  /** The shared buffer and the replica class's limits, read when checked (CONFIG SET applies at once). */
  readonly #peerSource: PeerSource;

  constructor(readonly host: MasterHost) {
    this.#minReplicas = host.config.live("min-replicas-to-write");
    const stream = this.stream;
    const limits = () => this.#replicaLimits();
    this.#peerSource = {
      get backlog() {
        return stream.backlog;
      },
      get limits() {
        return limits();
      },
    };
  }

  get #config() {
    return this.host.config;
  }

  /**
   * PSYNC replid offset from `peer` (its REPLCONF fields already set).
   * Returns what was answered; a full resync's +FULLRESYNC line is written
   * when its transfer starts.
   */
  psync(peer: ReplicaPeer, replid: string, from: number): "continue" | "full" {
    const answer = answerPsync(this.stream.ids, this.stream.backlog, replid, from);
    if (answer.kind === "continue") {
      const line = peer.capaPsync2 ? `+CONTINUE ${this.stream.ids.replid}\r\n` : "+CONTINUE\r\n";
      peer.conn.write(binaryToBytes(line));
      this.#attach(peer);
      peer.continueFrom(from);
      this.stream.receivers.add(peer);
      this.syncPartialOk++;
      this.host.log(
        `Partial resynchronization request from ${peer.ip}:${peer.listeningPort} accepted, from offset ${from}.`,
      );
      return "continue";
    }
    if (replid !== "?") this.syncPartialErr++;
    this.host.log(`Partial resynchronization not accepted: ${answer.reason}`);
    this.#queueFullSync(peer);
    return "full";
  }

  /** SYNC (old replicas, redis-cli --replica): a full resync with no +FULLRESYNC and no ACKs. */
  sync(peer: ReplicaPeer): void {
    peer.preSync = true;
    this.#queueFullSync(peer);
  }

  /** The replica's connection closed. */
  detach(peer: ReplicaPeer): void {
    if (!this.replicas.delete(peer)) return;
    this.stream.receivers.delete(peer);
    // What only it needed can go now (Redis's freeReplicaReferencedReplBuffer).
    this.stream.trimBacklog();
    this.#queued = this.#queued.filter((p) => p !== peer);
    if (this.replicas.size === 0) this.#noReplicasSince = Date.now();
    this.host.log(`Connection with replica ${peer.ip}:${peer.listeningPort} lost.`);
    this.#dropUnwantedSnapshot(peer);
  }

  /**
   * The last replica a disk-based snapshot was for went away: it stops, unless
   * save rules make the file worth having (Redis kills its RDB child then,
   * freeing the memory and letting the next full sync start at once).
   */
  #dropUnwantedSnapshot(peer: ReplicaPeer): void {
    const running = this.#fileJob;
    if (running === undefined || !running.peers.includes(peer)) return;
    if (running.peers.some((p) => this.replicas.has(p) && !p.conn.closed)) return;
    if (this.#config.get("save").trim() !== "") return;
    this.host.log("Stopping the RDB for replication: no replica waits for it any more");
    running.job.abort();
  }

  /** Drops every replica: they reconnect and learn a new history (or the server shuts down). */
  disconnectAll(): void {
    for (const peer of [...this.replicas]) {
      peer.conn.close();
      this.detach(peer);
    }
    this.#noReplicasSince = Date.now();
  }

  #attach(peer: ReplicaPeer): void {
    peer.source = this.#peerSource;
    this.replicas.add(peer);
  }

  #replicaLimits(): OutputLimits {
    const setting = this.#config.get("client-output-buffer-limit");
    if (setting !== this.#limits.setting) {
      this.#limits = { setting, limits: replicaOutputLimits(setting) };
    }
    return this.#limits.limits;
  }

  #queueFullSync(peer: ReplicaPeer): void {
    this.syncFull++;
    this.#attach(peer);
    if (this.stream.backlog === undefined) {
      this.stream.createBacklog(this.#config.getNumber("repl-backlog-size"));
      this.host.log(
        `Replication backlog created, my new replication IDs are '${this.stream.ids.replid}' and '${this.stream.ids.replid2}'`,
      );
    }
    if (this.#queued.length === 0) this.#queuedSince = Date.now();
    this.#queued.push(peer);
    this.#maybeStartTransfer();
  }

  /** Starts the next transfer when none runs and the diskless delay (if any) has passed. */
  #maybeStartTransfer(): void {
    if (this.#transfer !== undefined || this.#queued.length === 0) return;
    const config = this.#config;
    const diskless = config.getBool("repl-diskless-sync") &&
      this.#queued.every((p) => p.capaEof);
    if (diskless) {
      const max = config.getNumber("repl-diskless-sync-max-replicas");
      const waited = Date.now() - this.#queuedSince;
      const full = max > 0 && this.#queued.length >= max;
      if (!full && waited < config.getNumber("repl-diskless-sync-delay") * 1000) return;
    }
    const peers = this.#queued;
    this.#queued = [];
    this.#transfer = this.#runTransfer(peers, diskless).finally(() => {
      this.#transfer = undefined;
      this.#maybeStartTransfer();
    });
  }

  async #runTransfer(peers: ReplicaPeer[], diskless: boolean): Promise<void> {
    const snapshot = new KeyspaceSnapshot(
      this.host.dbs,
      this.#config.getNumber("rdb-key-save-delay"),
    );
    const offset = this.stream.offset;
    const replid = this.stream.ids.replid;
    this.stream.forceSelect();
    for (const peer of peers) {
      peer.initialOffset = offset;
      if (!peer.preSync) peer.conn.write(binaryToBytes(`+FULLRESYNC ${replid} ${offset}\r\n`));
      peer.hold(offset);
      this.stream.receivers.add(peer);
    }
    this.host.log(
      `Starting ${
        diskless ? "diskless" : "disk-based"
      } full sync of ${peers.length} replica(s) at offset ${offset}`,
    );
    const aux: [string, string][] = [
      ["repl-stream-db", "0"],
      ["repl-id", replid],
      ["repl-offset", String(offset)],
    ];
    const unwatch = this.host.watchWrites(snapshot);
    this.savingSnapshot = snapshot;
    try {
      if (diskless) await this.#sendDiskless(snapshot, aux, peers);
      else await this.#sendViaFile(snapshot, aux, peers, unwatch);
    } catch (err) {
      this.host.log(`Full sync failed: ${(err as Error).message}`);
      for (const peer of peers) if (!peer.conn.closed) peer.conn.close();
    } finally {
      unwatch();
      if (this.savingSnapshot === snapshot) this.savingSnapshot = undefined;
    }
  }

  async #sendDiskless(
    snapshot: KeyspaceSnapshot,
    aux: [string, string][],
    peers: ReplicaPeer[],
  ): Promise<void> {
    // As Redis, a diskless payload's replicas stay wait_bgsave (the RDB is being produced)
    // until it is through; only a disk-based transfer is send_bulk.
    for (const peer of peers) peer.disklessPayload = true;
    await sendDiskless(snapshot, (write) => this.host.rdbEncoder(aux, write), fanOut(peers));
    for (const peer of peers) if (!peer.conn.closed) peer.payloadSent(true);
    this.host.log("Diskless full sync sent; the stream starts on each replica's ACK");
  }

  async #sendViaFile(
    snapshot: KeyspaceSnapshot,
    aux: [string, string][],
    peers: ReplicaPeer[],
    unwatch: () => void,
  ): Promise<void> {
    const dir = this.#config.get("dir");
    const name = `repl-${Deno.pid}-${++fileTransfers}.rdb`;
    const path = `${dir}/${name}`;
    const job = new SnapshotFileJob(
      snapshot,
      `${dir}/temp-${name}`,
      path,
      (write) => this.host.rdbEncoder(aux, write),
    );
    try {
      this.#fileJob = { job, peers };
      await job.runInBackground().finally(() => this.#fileJob = undefined);
      unwatch();
      this.savingSnapshot = undefined;
      await Promise.all(peers.map(async (peer) => {
        if (peer.conn.closed) return;
        peer.state = "send_bulk";
        await sendFile(path, peer.conn);
        peer.payloadSent(false);
      }));
      this.host.log("Disk-based full sync sent");
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }

  /** REPLCONF ACK from `peer`. */
  ack(peer: ReplicaPeer, offset: number): void {
    peer.ack(offset);
  }

  /** WAIT: replicas that acknowledged at least `offset`. */
  acknowledged(offset: number): number {
    let n = 0;
    for (const peer of this.replicas) {
      if (peer.state === "online" && peer.ackOffset >= offset) n++;
    }
    return n;
  }

  /** Asks every replica for its offset (WAIT): REPLCONF GETACK * in the stream. */
  requestAcks(): void {
    this.stream.control(["REPLCONF", "GETACK", "*"]);
  }

  /** min-replicas-to-write: online replicas whose last ACK is at most min-replicas-max-lag old. */
  goodReplicas(now = Date.now()): number {
    const maxLag = this.#config.getNumber("min-replicas-max-lag") * 1000;
    let n = 0;
    for (const peer of this.replicas) {
      if (peer.state === "online" && now - peer.ackTime <= maxLag) n++;
    }
    return n;
  }

  /** Whether min-replicas-to-write is set (without it tooFewReplicas is false). */
  get needsReplicas(): boolean {
    return this.#minReplicas.value !== 0;
  }

  /** Whether writes are refused for lack of good replicas (-NOREPLICAS). */
  tooFewReplicas(): boolean {
    const min = this.#minReplicas.value;
    if (min === 0) return false;
    const maxLag = this.#config.getNumber("min-replicas-max-lag");
    return maxLag > 0 && this.goodReplicas() < min;
  }

  /** The master half of replicationCron; call once a second. `ping` false skips the PING. */
  cron(now = Date.now(), ping = true): void {
    const config = this.#config;
    this.#ticks++;
    if (
      ping && this.replicas.size > 0 &&
      this.#ticks % config.getNumber("repl-ping-replica-period") === 0
    ) {
      this.stream.control(["PING"]);
    }
    const timeout = config.getNumber("repl-timeout") * 1000;
    const newline = new Uint8Array([10]);
    for (const peer of [...this.replicas]) {
      if (peer.conn.closed) {
        this.detach(peer);
        continue;
      }
      // A replica still waiting for its payload gets a newline: the link is alive (not amid a
      // diskless payload, which it would corrupt).
      if (peer.state === "wait_bgsave" && !peer.disklessPayload) peer.conn.write(newline);
      if (peer.overLimit(now)) {
        this.host.log(
          `Client ${peer.ip}:${peer.listeningPort} closed for overcoming of output buffer limits.`,
        );
        peer.conn.close();
        this.detach(peer);
        continue;
      }
      if (peer.state === "online" && !peer.preSync && now - peer.ackTime > timeout) {
        this.host.log(
          `Disconnecting timedout replica (streaming sync): ${peer.ip}:${peer.listeningPort}`,
        );
        peer.conn.close();
        this.detach(peer);
        continue;
      }
      // A replica that stops reading a diskless payload holds up the others that share it
      // (Redis: only diskless ones; a disk-based transfer is the replica's own).
      if (peer.disklessPayload && peer.payloadStalledFor(now) > timeout) {
        this.host.log(
          `Disconnecting timedout replica (full sync): ${peer.ip}:${peer.listeningPort}`,
        );
        peer.conn.close();
        this.detach(peer);
      }
    }
    // Blocks replicas no longer need, a bounded number a tick (Redis trims 10 x 64 blocks a
    // beforeSleep, ten times a second at the default hz): a large release costs no long pause.
    this.stream.trimBacklog(100 * TRIM_BLOCKS_PER_CALL);
    const ttl = config.getNumber("repl-backlog-ttl") * 1000;
    if (
      !this.keepBacklog && this.replicas.size === 0 && this.stream.backlog && ttl > 0 &&
      now - this.#noReplicasSince > ttl
    ) {
      // A new history starts with the next backlog (Redis changes the ID here too).
      this.stream.freeBacklog();
      this.stream.ids.change();
      this.stream.ids.clearSecond();
      this.host.log(
        `Replication backlog freed after ${ttl / 1000} seconds without connected replicas.`,
      );
    }
    this.#maybeStartTransfer();
  }

  /** ROLE's third element: [ip, port, offset] of each online replica. */
  roleReplicas(): [string, string, string][] {
    return [...this.replicas].filter((p) => p.state === "online")
      .map((p) => [p.ip, String(p.listeningPort), String(p.ackOffset)]);
  }
}

/** The `slave` class of client-output-buffer-limit ("normal 0 0 0 slave 268435456 ..."), in bytes. */
export function replicaOutputLimits(value: string): OutputLimits {
  const words = value.split(/\s+/);
  const at = words.indexOf("slave");
  if (at < 0 || at + 3 >= words.length) return { hard: 0, soft: 0, seconds: 0 };
  return {
    hard: Number(words[at + 1]),
    soft: Number(words[at + 2]),
    seconds: Number(words[at + 3]),
  };
}

/** One payload to several replicas: it waits for the slowest, and stops when all are gone. */
function fanOut(peers: ReplicaPeer[]): PayloadSink {
  const live = () => peers.filter((p) => !p.conn.closed);
  return {
    write: (bytes) => {
      for (const peer of live()) peer.conn.write(bytes);
    },
    get pendingBytes() {
      return Math.max(0, ...live().map((p) => p.conn.pendingBytes));
    },
    get closed() {
      return live().length === 0;
    },
  };
}
