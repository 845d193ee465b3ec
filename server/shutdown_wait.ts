/**
 * Redis 7.0's graceful shutdown (prepareForShutdown, finishShutdown): a
 * master with replicas that have not acknowledged its whole stream pauses
 * writes, asks them for their offsets and waits up to shutdown-timeout
 * seconds before its final steps, so that the writes it acknowledged reach
 * them. SHUTDOWN callers wait with it; SHUTDOWN ABORT cancels it. A failed
 * final step (the save) lets the server run on and tells the callers.
 */
import type { Client } from "./client.ts";
import type { ServerContext } from "./context.ts";
import { SHUTDOWN_FAILED } from "./errors.ts";
import type { ShutdownFlags } from "./persistence/manager.ts";

export class ShutdownWait {
  /** When the wait ends regardless (ms since the epoch); 0 while none is under way. */
  #deadline = 0;
  #flags: ShutdownFlags = {};
  /** SHUTDOWN callers waiting for the outcome. */
  readonly #callers = new Set<Client>();

  constructor(readonly server: ServerContext) {}

  get inProgress(): boolean {
    return this.#deadline !== 0;
  }

  /** INFO's shutdown_in_milliseconds while a wait is under way. */
  remainingMs(now = Date.now()): number {
    return Math.max(0, this.#deadline - now);
  }

  /**
   * A shutdown was asked for (`caller`: a SHUTDOWN client, else a signal).
   * Returns true when the server is stopping now, false when it waits for
   * its replicas (the caller stays blocked) or the final steps failed.
   */
  begin(flags: ShutdownFlags & { now?: boolean }, caller?: Client): boolean {
    const server = this.server;
    if (this.inProgress) {
      if (caller !== undefined) this.#block(caller);
      return false;
    }
    server.log("User requested shutdown...");
    const timeout = server.config.getNumber("shutdown-timeout");
    if (!flags.now && timeout !== 0 && !this.#replicasInSync()) {
      this.#flags = flags;
      this.#deadline = Date.now() + timeout * 1000;
      server.replication.master.requestAcks();
      server.pause.pause(Infinity, "write", "shutdown");
      server.log("Waiting for replicas before shutting down.");
      if (caller !== undefined) this.#block(caller);
      return false;
    }
    return this.#finish(flags);
  }

  /** From the cron: the wait ends once every replica is in sync, or at its deadline. */
  tick(now = Date.now()): void {
    if (!this.inProgress) return;
    if (now < this.#deadline && !this.#replicasInSync()) return;
    const flags = this.#flags;
    this.#end();
    if (!this.#finish(flags)) this.#failCallers();
  }

  /** SHUTDOWN ABORT: false when no wait is under way. */
  abort(): boolean {
    if (!this.inProgress) return false;
    this.#end();
    this.server.log("Shutdown manually aborted.");
    this.#failCallers();
    return true;
  }

  #replicasInSync(): boolean {
    const offset = this.server.replication.stream.offset;
    for (const peer of this.server.replication.master.replicas) {
      if (peer.ackOffset !== offset) return false;
    }
    return true;
  }

  /** Lagging replicas logged, the final save; true when the server stops. */
  #finish(flags: ShutdownFlags): boolean {
    const server = this.server;
    const offset = server.replication.stream.offset;
    const replicas = [...server.replication.master.replicas];
    let lagging = 0;
    for (const peer of replicas) {
      if (peer.ackOffset === offset) continue;
      lagging++;
      const lag = peer.state === "online" ? Math.floor((Date.now() - peer.ackTime) / 1000) : 0;
      server.log(
        `Lagging replica ${peer.ip}:${peer.listeningPort} reported offset ${
          offset - peer.ackOffset
        } behind master, lag=${lag}, state=${peer.state}.`,
      );
    }
    const total = replicas.length;
    if (total > 0) {
      server.log(`${total - lagging} of ${total} replicas are in sync when shutting down.`);
    }
    if (!server.persistence.prepareShutdown(flags)) {
      server.log("Errors trying to shut down the server. Check the logs for more information.");
      return false;
    }
    server.log("Redis is now ready to exit, bye bye...");
    void server.shutdown();
    return true;
  }

  #block(caller: Client): void {
    this.#callers.add(caller);
    this.server.blocking.block(caller, {
      keys: [],
      deadline: 0,
      tryServe: () => false,
      onTimeout: () => caller.out.error(SHUTDOWN_FAILED),
    });
  }

  #end(): void {
    this.#deadline = 0;
    this.server.pause.unpause("shutdown");
  }

  /** Callers still waiting get Redis's error; the server runs on. */
  #failCallers(): void {
    for (const caller of this.#callers) this.server.blocking.cancel(caller, false);
    this.#callers.clear();
  }
}
