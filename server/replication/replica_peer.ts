/**
 * A master's view of one replica: what it announced (REPLCONF listening-port,
 * ip-address, capa), where it is in its synchronisation, the offset it
 * acknowledged, and its share of the replication stream.
 *
 * While the replica waits for or receives its RDB, the stream produced since
 * the snapshot began is held here, then released after the payload (or,
 * for a diskless payload, on the replica's first ACK, which says it has
 * loaded the RDB; Redis's repl_start_cmd_stream_on_ack).
 */
import type { PayloadSink } from "./rdb_transfer.ts";
import type { StreamReceiver } from "./stream.ts";

/** The replica's socket, as the master sees it (a client connection). */
export interface PeerConnection extends PayloadSink {
  /** Closes the connection (timeouts, buffer limits, REPLICAOF on the master). */
  close(): void;
  /** The replica's address as seen from here (host only). */
  readonly remoteHost: string;
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
  /** Stream bytes held until the payload is through; undefined once streaming. */
  #held: Uint8Array[] | undefined;
  #heldBytes = 0;
  /** Online but waiting for the first ACK before streaming (diskless payload). */
  #streamOnAck = false;
  /** client-output-buffer-limit replica: hard and soft bytes (0: none), soft seconds. */
  limits = { hard: 0, soft: 0, seconds: 0 };
  /** When the output first passed the soft limit (0: it is under it). */
  #softSince = 0;

  constructor(readonly conn: PeerConnection) {}

  /** ip= in INFO and ROLE. */
  get ip(): string {
    return this.announcedIp || this.conn.remoteHost;
  }

  /** Output the master holds for this replica (client-output-buffer-limit replica). */
  get bufferedBytes(): number {
    return this.#heldBytes + this.conn.pendingBytes;
  }

  /** The snapshot starts now: stream bytes from here on are held for after the payload. */
  hold(): void {
    this.#held = [];
    this.#heldBytes = 0;
  }

  feed(bytes: Uint8Array): void {
    if (this.#held !== undefined) {
      this.#held.push(bytes);
      this.#heldBytes += bytes.length;
    } else {
      this.conn.write(bytes);
    }
    // Past the hard limit the replica is dropped at once (it will resync).
    if (this.limits.hard > 0 && this.bufferedBytes > this.limits.hard) this.conn.close();
  }

  /** Whether the output is over the hard limit, or over the soft one for too long. */
  overLimit(now: number): boolean {
    const { hard, soft, seconds } = this.limits;
    const pending = this.bufferedBytes;
    if (hard > 0 && pending > hard) return true;
    if (soft > 0 && pending > soft) {
      if (this.#softSince === 0) this.#softSince = now;
      return now - this.#softSince > seconds * 1000;
    }
    this.#softSince = 0;
    return false;
  }

  /**
   * The payload is through. A disk-based one is followed by the stream at
   * once; after a diskless one the stream waits for the replica's ACK.
   */
  payloadSent(diskless: boolean): void {
    this.state = "online";
    this.ackTime = Date.now();
    if (diskless && !this.preSync) this.#streamOnAck = true;
    else this.#release();
  }

  /** Online right away (+CONTINUE): the backlog bytes go first, then the live stream. */
  continueFrom(backlog: Uint8Array): void {
    this.state = "online";
    this.ackTime = Date.now();
    if (backlog.length > 0) this.conn.write(backlog);
  }

  /** REPLCONF ACK offset. */
  ack(offset: number): void {
    if (offset > this.ackOffset) this.ackOffset = offset;
    this.ackTime = Date.now();
    if (this.#streamOnAck) {
      this.#streamOnAck = false;
      this.#release();
    }
  }

  #release(): void {
    const held = this.#held;
    this.#held = undefined;
    this.#heldBytes = 0;
    for (const bytes of held ?? []) this.conn.write(bytes);
  }

  /** INFO replication's `slaveN:` value. */
  infoLine(now: number): string {
    // Redis reports a lag only for replicas that are online.
    const lag = this.state === "online" ? Math.floor((now - this.ackTime) / 1000) : 0;
    return `ip=${this.ip},port=${this.listeningPort},state=${this.state},offset=${this.ackOffset},lag=${lag}`;
  }
}
