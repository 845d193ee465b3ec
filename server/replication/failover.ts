/**
 * A coordinated failover from this master to one of its replicas (Redis
 * 7.0's FAILOVER, replication.c's failoverCommand and updateFailoverStatus):
 *
 * 1. writes pause (as CLIENT PAUSE WRITE) and the state is
 *    "waiting-for-sync": every cron tick looks for the target (or, without
 *    one, any replica) whose acknowledged offset is the master's own;
 * 2. found, or with FORCE once the timeout passed, the state is
 *    "failover-in-progress" and this server becomes a replica of it, keeping
 *    its history: its link sends `PSYNC replid offset FAILOVER`, which the
 *    replica takes as the request to become master (psync on its side);
 * 3. the answer ends the failover: +CONTINUE or +FULLRESYNC completes it,
 *    anything else aborts it and this server is a master again.
 *
 * Without FORCE, a timeout aborts; FAILOVER ABORT aborts in either state.
 * The failover knows nothing of commands: FAILOVER checks its arguments and
 * the preconditions, then calls `start`.
 */
import type { ReplicaPeer } from "./replica_peer.ts";

export type FailoverState = "no-failover" | "waiting-for-sync" | "failover-in-progress";

/** What the failover needs from replication. */
export interface FailoverHost {
  /** The replicas that may take over. */
  replicas(): Iterable<ReplicaPeer>;
  /** master_repl_offset: the offset the target must have acknowledged. */
  offset(): number;
  /** Becomes a replica of the target, keeping its history (replicationSetMaster). */
  becomeReplica(host: string, port: number): void;
  /** A master again, with a new history (replicationUnsetMaster). */
  becomeMaster(): void;
  /** Holds or releases clients' writes (FAILOVER's own pause purpose). */
  pauseWrites(paused: boolean): void;
  log(message: string): void;
}

/** FAILOVER's parsed arguments; `timeoutMs` 0 waits for ever. */
export interface FailoverRequest {
  host?: string;
  port: number;
  timeoutMs: number;
  force: boolean;
}

export class Failover {
  state: FailoverState = "no-failover";
  /** Deadline in ms; 0 without TIMEOUT. */
  endTime = 0;
  #force = false;
  #target: { host: string; port: number } | undefined;

  constructor(readonly host: FailoverHost) {}

  get active(): boolean {
    return this.state !== "no-failover";
  }

  /** Whether the link to the new master must send PSYNC ... FAILOVER. */
  get inProgress(): boolean {
    return this.state === "failover-in-progress";
  }

  /** The replica at host:port (announced or socket address, any case), as Redis's findReplica. */
  findReplica(host: string, port: number): ReplicaPeer | undefined {
    const wanted = host.toLowerCase();
    for (const peer of this.host.replicas()) {
      if (peer.ip.toLowerCase() === wanted && peer.listeningPort === port) return peer;
    }
    return undefined;
  }

  /** FAILOVER, its preconditions checked: writes pause and the wait for a synced replica starts. */
  start(request: FailoverRequest, now = Date.now()): void {
    const { host, port } = request;
    if (host !== undefined) {
      this.#target = { host, port };
      this.host.log(`FAILOVER requested to ${host}:${port}.`);
    } else {
      this.host.log("FAILOVER requested to any replica.");
    }
    this.endTime = request.timeoutMs > 0 ? now + request.timeoutMs : 0;
    this.#force = request.force;
    this.state = "waiting-for-sync";
    this.host.pauseWrites(true);
  }

  /** Each cron tick while waiting: the timeout, then a replica that caught up. */
  check(now = Date.now()): void {
    if (this.state !== "waiting-for-sync") return;
    const target = this.#target;
    if (this.endTime !== 0 && this.endTime <= now) {
      if (this.#force && target !== undefined) {
        this.host.log(`FAILOVER to ${target.host}:${target.port} time out exceeded, failing over.`);
        this.#handOver(target);
      } else {
        this.abort("Replica never caught up before timeout");
      }
      return;
    }
    const offset = this.host.offset();
    const synced = target !== undefined
      ? this.findReplica(target.host, target.port)?.ackOffset === offset
      : this.#anySynced(offset);
    if (!synced) return;
    const { host, port } = this.#target!;
    this.host.log(`Failover target ${host}:${port} is synced, failing over.`);
    this.#handOver(this.#target!);
  }

  /** Without a target, the first replica that acknowledged `offset` becomes it. */
  #anySynced(offset: number): boolean {
    for (const peer of this.host.replicas()) {
      if (peer.ackOffset !== offset) continue;
      this.#target = { host: peer.ip, port: peer.listeningPort };
      return true;
    }
    return false;
  }

  #handOver(target: { host: string; port: number }): void {
    this.state = "failover-in-progress";
    this.host.becomeReplica(target.host, target.port);
  }

  /** The target answered PSYNC ... FAILOVER: accepted completes the failover, else it aborts. */
  answered(accepted: boolean): void {
    if (!this.inProgress) return;
    if (accepted) this.#clear();
    else this.abort("Failover target rejected psync request");
  }

  /** Ends a failover in either state; in progress, this server is a master again. */
  abort(reason: string): void {
    if (!this.active) return;
    const target = this.#target;
    const to = target === undefined ? "any replica" : `${target.host}:${target.port}`;
    this.host.log(`FAILOVER to ${to} aborted: ${reason}`);
    if (this.inProgress) this.host.becomeMaster();
    this.#clear();
  }

  #clear(): void {
    this.endTime = 0;
    this.#force = false;
    this.#target = undefined;
    this.state = "no-failover";
    this.host.pauseWrites(false);
  }
}
