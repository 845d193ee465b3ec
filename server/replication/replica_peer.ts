/**
 * A master's view of one replica: what it announced (REPLCONF listening-port,
 * ip-address, capa), where it is in its synchronisation, the offset it
 * acknowledged, and its share of the replication stream.
 *
 * While the replica waits for or receives its RDB, the stream produced since
 * the snapshot began stays in the master's shared replication buffer
 * (backlog.ts), which keeps it for this replica; it is written out after the
 * payload (or, for a diskless payload, on the replica's first ACK, which says
 * it has loaded the RDB; Redis's repl_start_cmd_stream_on_ack).
 */
import type { ReplicationBacklog } from "./backlog.ts";
import type { PayloadSink } from "./rdb_transfer.ts";
import type { StreamReceiver } from "./stream.ts";

/** The replica's socket, as the master sees it (a client connection). */
export interface PeerConnection extends PayloadSink {
  /**
   * Memory its queued output takes, the buffers' room included (eviction
   * leaves it out); pendingBytes when not given.
   */
  readonly outputMemory?: number;
  /** Memory its connection takes besides its queued output (a client's own); 0 when not given. */
  readonly baseMemory?: number;
  /** Closes the connection (timeouts, buffer limits, REPLICAOF on the master). */
  close(): void;
  /** The replica's address as seen from here (host only). */
  readonly remoteHost: string;
}

/** A client-output-buffer-limit class: hard and soft bytes (0: none), soft seconds. */
export interface OutputLimits {
  readonly hard: number;
  readonly soft: number;
  readonly seconds: number;
}

const NO_LIMITS: OutputLimits = { hard: 0, soft: 0, seconds: 0 };

/** What a peer reads from its master: the shared buffer, and the replica limits as configured now. */
export interface PeerSource {
  readonly backlog: ReplicationBacklog | undefined;
  readonly limits: OutputLimits;
}

/** INFO's names: wait_bgsave (queued or snapshot running), send_bulk, online. */
export type PeerState = "wait_bgsave" | "send_bulk" | "online";

export class ReplicaPeer implements StreamReceiver {
  state: PeerState = "wait_bgsave";
  /** PSYNC or SYNC was accepted: the client is a replica (Redis's CLIENT_SLAVE flag). */
  attached = false;
  /** REPLCONF listening-port; 0 until announced. */
  listeningPort = 0;
  /** REPLCONF ip-address (replica-announce-ip); the socket's address otherwise. */
  announcedIp = "";
  capaEof = false;
  capaPsync2 = false;
  /** Came with SYNC: never ACKs, gets no +FULLRESYNC line. */
  preSync = false;
  /** The offset of the snapshot this replica loads (+FULLRESYNC's). */
  initialOffset = -1;
  /** The last offset the replica acknowledged (REPLCONF ACK). */
  ackOffset = 0;
  /** Time of the last ACK, ms (INFO's lag); the start of the sync before any. */
  ackTime = Date.now();
  /** The master's side, set when the peer attaches. */
  source: PeerSource | undefined;
  /**
   * While the payload is prepared and sent, the offset the stream resumes
   * from: the bytes since stay in the shared buffer, not here. -1 once streaming.
   */
  #holdFrom = -1;
  /** The first stream byte written to the connection (none yet: Infinity), and the last. */
  #streamFrom = Infinity;
  #handed = 0;
  /** Receiving a diskless payload: a transfer the other replicas of it wait for. */
  disklessPayload = false;
  /** The payload output's size at the last look, and when it last moved (Redis's repl_last_partial_write). */
  #lastPending = 0;
  #movedAt = 0;
  /** Online but waiting for the first ACK before streaming (diskless payload). */
  #streamOnAck = false;
  /** When the output first passed the soft limit (0: it is under it). */
  #softSince = 0;

  constructor(readonly conn: PeerConnection) {}

  /** client-output-buffer-limit replica as set now: hard and soft bytes (0: none), soft seconds. */
  get limits(): OutputLimits {
    return this.source?.limits ?? NO_LIMITS;
  }

  /** ip= in INFO and ROLE. */
  get ip(): string {
    return this.announcedIp || this.conn.remoteHost;
  }

  /**
   * The lowest stream offset this replica still needs from the shared
   * buffer: where it resumes while held, else its next byte not yet on the
   * wire (the connection's pending output is taken for stream bytes).
   */
  get neededFrom(): number {
    // A closed connection (CLIENT KILL) needs nothing more, even before its peer is detached.
    if (this.conn.closed) return Infinity;
    if (this.#holdFrom >= 0) return this.#holdFrom;
    return Math.max(this.#streamFrom, this.#handed + 1 - this.conn.pendingBytes);
  }

  /**
   * Output the master holds for this replica, Redis's figure (CLIENT LIST
   * omem, client-output-buffer-limit replica): the shared buffer's blocks
   * from the one it needs next to the last.
   */
  get outputBytes(): number {
    return this.source?.backlog?.outputBytes(this.neededFrom) ?? 0;
  }

  /** The snapshot of offset `offset` starts now: the stream is sent from `offset` + 1 after the payload. */
  hold(offset: number): void {
    this.#holdFrom = offset + 1;
  }

  feed(bytes: Uint8Array, end: number): void {
    if (this.#holdFrom >= 0) return;
    this.conn.write(bytes);
    this.#handed = end;
  }

  checkLimits(): void {
    // Past the hard limit the replica is dropped at once (it will resync).
    const hard = this.#hardLimit();
    if (hard > 0 && this.outputBytes >= hard) this.conn.close();
  }

  /**
   * A hard limit under repl-backlog-size is raised to it (Redis's
   * checkClientOutputBufferLimits): a replica that continued from the backlog
   * would otherwise be dropped at once, and its output is the backlog's memory anyway.
   */
  #hardLimit(): number {
    const hard = this.limits.hard;
    return hard > 0 ? Math.max(hard, this.source?.backlog?.size ?? 0) : 0;
  }

  /** Whether the output is over the hard limit, or over the soft one for too long. */
  overLimit(now: number): boolean {
    const { soft, seconds } = this.limits;
    const hard = this.#hardLimit();
    const pending = this.outputBytes;
    if (hard > 0 && pending >= hard) return true;
    if (soft > 0 && pending >= soft) {
      if (this.#softSince === 0) this.#softSince = now;
      return now - this.#softSince > seconds * 1000;
    }
    this.#softSince = 0;
    return false;
  }

  /**
   * How long the diskless payload's output has been waiting without moving
   * (0: nothing is waiting). Called once a second: output that changed since
   * the last call moved.
   */
  payloadStalledFor(now: number): number {
    const pending = this.conn.pendingBytes;
    if (pending !== this.#lastPending || this.#movedAt === 0) this.#movedAt = now;
    this.#lastPending = pending;
    return pending === 0 ? 0 : now - this.#movedAt;
  }

  /**
   * The payload is through. A disk-based one is followed by the stream at
   * once; after a diskless one the stream waits for the replica's ACK.
   */
  payloadSent(diskless: boolean): void {
    this.state = "online";
    this.disklessPayload = false;
    this.ackTime = Date.now();
    if (diskless && !this.preSync) this.#streamOnAck = true;
    else this.#release();
  }

  /** Online right away (+CONTINUE): the backlog bytes from `from` go first, then the live stream. */
  continueFrom(from: number): void {
    this.state = "online";
    this.ackTime = Date.now();
    this.#holdFrom = from;
    this.#release();
  }

  /**
   * REPLCONF ACK offset. The first one after a diskless payload starts the
   * stream, written once the ACK's command is over: output made while a
   * replica's command runs is taken for a reply to it, for which the replica
   * is dropped (dispatch.ts). Redis's replicaStartCommandStream likewise
   * only queues the replica for writing.
   */
  ack(offset: number): void {
    if (offset > this.ackOffset) this.ackOffset = offset;
    this.ackTime = Date.now();
    if (this.#streamOnAck) {
      this.#streamOnAck = false;
      // Until then the stream stays held: the backlog keeps it from #holdFrom on.
      queueMicrotask(() => this.#release());
    }
  }

  /** Writes what the buffer holds from the resume offset on; the live stream follows. */
  #release(): void {
    const from = this.#holdFrom;
    if (from < 0) return;
    this.#holdFrom = -1;
    const backlog = this.source?.backlog;
    if (backlog === undefined || !backlog.canServe(from)) {
      // The history it needs is gone (the backlog was replaced): it must resync.
      this.conn.close();
      return;
    }
    for (const chunk of backlog.chunksFrom(from)) this.conn.write(chunk);
    this.#streamFrom = from;
    this.#handed = backlog.offset;
  }

  /** INFO replication's `slaveN:` value. */
  infoLine(now: number): string {
    // Redis reports a lag only for replicas that are online.
    const lag = this.state === "online" ? Math.floor((now - this.ackTime) / 1000) : 0;
    return `ip=${this.ip},port=${this.listeningPort},state=${this.state},offset=${this.ackOffset},lag=${lag}`;
  }
}
