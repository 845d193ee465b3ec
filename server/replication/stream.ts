/**
 * The replication stream a master produces: every write command as RESP,
 * preceded by SELECT when the database changes (as Redis's
 * replicationFeedSlaves), fed to the backlog and to each replica. It is one
 * more propagator of the server (beside the AOF): MULTI/EXEC wrapping, the
 * effects of scripts and expiry DELs arrive already shaped by the server.
 *
 * A replica does not produce its own stream: it forwards its master's bytes
 * unchanged (`forward`), so that its offsets stay its master's and its own
 * replicas and backlog see the same history.
 */
import { resolveDeferred } from "../../protocol/bytes.ts";
import { CommandBuffer } from "../persistence/command_buffer.ts";
import { ReplicationBacklog } from "./backlog.ts";
import { ReplicationIds } from "./ids.ts";

/** Receives the stream's bytes: valid only during the call (copy them to keep them), not to be changed. */
export interface StreamReceiver {
  /** `end` is the offset of the last byte of `bytes`. */
  feed(bytes: Uint8Array, end: number): void;
  /**
   * The lowest offset this receiver still needs from the replication buffer
   * (its next byte not yet sent), or Infinity: the backlog keeps that much.
   */
  readonly neededFrom?: number;
  /** After a block was added: closes the receiver when its output is over its limits. */
  checkLimits?(): void;
}

/** The stream's receivers: a change of who listens updates the stream's `active` flag. */
class ReceiverSet extends Set<StreamReceiver> {
  constructor(readonly changed: () => void) {
    super();
  }

  override add(receiver: StreamReceiver): this {
    super.add(receiver);
    this.changed();
    return this;
  }

  override delete(receiver: StreamReceiver): boolean {
    const had = super.delete(receiver);
    this.changed();
    return had;
  }

  override clear(): void {
    super.clear();
    this.changed();
  }
}

export class ReplicationStream {
  readonly ids = new ReplicationIds();
  #backlog: ReplicationBacklog | undefined;
  readonly receivers: Set<StreamReceiver> = new ReceiverSet(() => this.#listened());
  /**
   * Whether anyone listens: without a backlog or replicas, Redis produces no
   * stream. A field kept as the backlog and receivers change, not a getter:
   * the server reads it on every write (a getter read cost ~10 ns there).
   */
  active = false;
  /** True on a replica: local writes are not streamed, the master's stream is forwarded. */
  forwarding = false;
  readonly target = "replicas";
  /** It resolves a deferred argument itself, only when it records (propagate). */
  readonly resolves = true;
  #offset = 0;
  /** Database the stream last SELECTed; -1 forces a SELECT before the next command. */
  #selectedDb = -1;
  readonly #buffer = new CommandBuffer();

  /** master_repl_offset: the number of the last byte of the stream (0 before any). */
  get offset(): number {
    return this.backlog?.offset ?? this.#offset;
  }

  get backlog(): ReplicationBacklog | undefined {
    return this.#backlog;
  }

  set backlog(backlog: ReplicationBacklog | undefined) {
    this.#backlog = backlog;
    this.#listened();
  }

  #listened(): void {
    this.active = this.#backlog !== undefined || this.receivers.size > 0;
  }

  /** The server's propagation hook: a write command that ran in database `dbIndex`. */
  propagate(dbIndex: number, argv: readonly string[]): void {
    if (this.forwarding || !this.active) return;
    resolveDeferred(argv);
    if (dbIndex !== this.#selectedDb) {
      this.#buffer.append(["SELECT", String(dbIndex)]);
      this.#selectedDb = dbIndex;
    }
    this.#buffer.append(argv);
    this.#flush();
  }

  /**
   * A command that does not depend on the database (PING, REPLCONF GETACK):
   * sent without a SELECT, as Redis feeds it with the current slaveseldb.
   */
  control(argv: readonly string[]): void {
    if (this.forwarding || !this.active) return;
    this.#buffer.append(argv);
    this.#flush();
  }

  /** A replica starts from an RDB: the next command must say its database. */
  forceSelect(): void {
    this.#selectedDb = -1;
  }

  /** On a replica: bytes of the master's stream, passed on unchanged. */
  forward(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#feed(bytes);
  }

  /**
   * Creates the backlog when the first replica attaches. A backlog made from
   * scratch starts a new history (new replid, no replid2), as in Redis.
   */
  createBacklog(size: number): void {
    if (this.backlog !== undefined) return;
    this.ids.change();
    this.ids.clearSecond();
    this.backlog = new ReplicationBacklog(size, this.#offset);
  }

  /** repl-backlog-ttl passed with no replicas: the history is dropped, the offset kept. */
  freeBacklog(): void {
    if (this.backlog === undefined) return;
    this.#offset = this.backlog.offset;
    this.backlog = undefined;
  }

  /**
   * A replica's offset and history after it loaded its master's RDB or
   * continued: the stream restarts at `offset`, with a backlog (so that it
   * can serve PSYNC after a promotion, as Redis 7 replicas do).
   */
  resetTo(offset: number, backlogSize: number): void {
    this.#offset = offset;
    this.backlog = new ReplicationBacklog(backlogSize, offset);
    this.#selectedDb = -1;
  }

  #flush(): void {
    // Fed as a view: the backlog and the replicas' connections copy what they keep.
    const bytes = this.#buffer.view();
    this.#feed(bytes);
    this.#buffer.consume(bytes.length);
  }

  #feed(bytes: Uint8Array): void {
    const backlog = this.#backlog;
    const added = backlog !== undefined && backlog.append(bytes);
    if (backlog === undefined) this.#offset += bytes.length;
    const end = this.offset;
    for (const receiver of this.receivers) receiver.feed(bytes, end);
    if (!added) return;
    // As Redis: output limits are checked, and the backlog trimmed, when a block was added.
    for (const receiver of this.receivers) receiver.checkLimits?.();
    this.trimBacklog();
  }

  /** The lowest offset a receiver still needs (Infinity: none), which the backlog keeps. */
  neededFrom(): number {
    let needed = Infinity;
    for (const receiver of this.receivers) {
      needed = Math.min(needed, receiver.neededFrom ?? Infinity);
    }
    return needed;
  }

  /** Drops what no receiver needs beyond repl-backlog-size (at most `maxBlocks` blocks). */
  trimBacklog(maxBlocks?: number): void {
    this.#backlog?.trim(this.neededFrom(), maxBlocks);
  }

  /** CONFIG SET repl-backlog-size. */
  resizeBacklog(size: number): void {
    this.#backlog?.resize(size);
    this.trimBacklog();
  }
}
