/**
 * CLIENT PAUSE (Redis's pauseClients for the CLIENT command): until a
 * deadline or CLIENT UNPAUSE, clients' commands wait — every command in ALL
 * mode, in WRITE mode those that write or may replicate (PFCOUNT, PUBLISH,
 * EVAL, an EXEC queueing one). A waiting client is "postponed": blocked with
 * no keys, its request left in its query buffer and run again on unpause.
 * Replicas are never paused; active expiry waits too.
 */
import type { BlockingRegistry } from "./blocking.ts";
import type { Client } from "./client.ts";
import { ordinaryChanged } from "./ordinary.ts";

export type PauseMode = "write" | "all";

export class ClientPause {
  mode: PauseMode | undefined;
  /** Absolute end in ms. */
  until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #postponed = new Set<Client>();

  constructor(readonly blocking: BlockingRegistry) {}

  get active(): boolean {
    return this.mode !== undefined;
  }

  /** Pauses until `until` (the later of it and a pause already on), the stronger mode winning. */
  pause(until: number, mode: PauseMode): void {
    this.mode = this.mode === "all" ? "all" : mode;
    ordinaryChanged();
    if (until <= this.until && this.#timer !== undefined) return;
    this.until = Math.max(this.until, until);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.unpause(), Math.max(0, this.until - Date.now()));
  }

  /** Ends the pause: postponed clients run their waiting requests. */
  unpause(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.mode = undefined;
    this.until = 0;
    const waiting = [...this.#postponed];
    this.#postponed.clear();
    for (const client of waiting) this.blocking.unblock(client);
  }

  /**
   * Whether a command must wait now; `mayReplicate` tells whether it (or,
   * for EXEC, its queue) may write or replicate, asked only under PAUSE WRITE.
   */
  holds(mayReplicate: () => boolean): boolean {
    if (this.mode === "all") return true;
    return this.mode === "write" && mayReplicate();
  }

  /** Parks the client until the pause ends; its request stays unread (Connection.process). */
  postpone(client: Client): void {
    this.#postponed.add(client);
    this.blocking.block(client, {
      keys: [],
      deadline: 0,
      postponed: true,
      tryServe: () => false,
      onTimeout: () => {},
    });
  }

  /** Server shutdown: the end timer goes; postponed clients are closed with the rest. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A postponed client went away. */
  forget(client: Client): void {
    this.#postponed.delete(client);
  }
}
