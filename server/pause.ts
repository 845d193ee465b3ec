/**
 * Client pauses (Redis's pauseClients): CLIENT PAUSE until a deadline or
 * CLIENT UNPAUSE, and FAILOVER's write pause until the failover ends. Each
 * purpose keeps its own pause, so that CLIENT UNPAUSE does not end a
 * failover's; the strongest mode in force wins. Clients' commands wait —
 * every command in ALL mode, in WRITE mode those that write or may replicate
 * (PFCOUNT, PUBLISH, EVAL, an EXEC queueing one). A waiting client is
 * "postponed": blocked with no keys, its request left in its query buffer
 * and run again when the pause ends or weakens. Replicas are never paused;
 * active expiry waits too.
 */
import type { BlockingRegistry } from "./blocking.ts";
import type { Client } from "./client.ts";
import { ordinaryChanged } from "./ordinary.ts";

export type PauseMode = "write" | "all";
/** Who paused: CLIENT PAUSE, FAILOVER (which has no deadline of its own), or a Lua debugging session. */
export type PausePurpose = "client" | "failover" | "shutdown" | "debug";

interface PauseEvent {
  mode: PauseMode;
  /** Absolute end in ms (Infinity: until unpaused). */
  until: number;
}

export class ClientPause {
  /** The strongest mode in force; undefined when nothing is paused. */
  mode: PauseMode | undefined;
  /** The furthest end among the pauses of that mode, in ms. */
  until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #events = new Map<PausePurpose, PauseEvent>();
  readonly #postponed = new Set<Client>();

  constructor(readonly blocking: BlockingRegistry) {}

  get active(): boolean {
    return this.mode !== undefined;
  }

  /**
   * Pauses for `purpose` until `until` (the later of it and that purpose's
   * pause already on), the stronger mode winning.
   */
  pause(until: number, mode: PauseMode, purpose: PausePurpose = "client"): void {
    const event = this.#events.get(purpose);
    if (event === undefined) this.#events.set(purpose, { mode, until });
    else {
      if (mode === "all") event.mode = "all";
      event.until = Math.max(event.until, until);
    }
    this.#update();
  }

  /** Ends `purpose`'s pause: postponed clients run again unless another pause still holds them. */
  unpause(purpose: PausePurpose = "client"): void {
    if (this.#events.delete(purpose)) this.#update();
  }

  /** Recomputes mode and end from the pauses still in force (Redis's updateClientPauseTypeAndEndTime). */
  #update(now = Date.now()): void {
    const before = rank(this.mode);
    let mode: PauseMode | undefined;
    let nextEnd = Infinity;
    for (const [purpose, event] of this.#events) {
      // As Redis: a pause lasts through its last millisecond (CLIENT PAUSE 0 holds this one).
      if (event.until < now) this.#events.delete(purpose);
      else {
        if (rank(event.mode) > rank(mode)) mode = event.mode;
        nextEnd = Math.min(nextEnd, event.until);
      }
    }
    let until = 0;
    for (const event of this.#events.values()) {
      if (event.mode === mode) until = Math.max(until, event.until);
    }
    this.mode = mode;
    this.until = until;
    ordinaryChanged();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = nextEnd === Infinity
      ? undefined
      : setTimeout(() => this.#update(), Math.max(0, nextEnd + 1 - Date.now()));
    // A weaker pause: everyone runs again, and those it still holds wait again.
    if (rank(mode) < before) this.#release();
  }

  #release(): void {
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

function rank(mode: PauseMode | undefined): number {
  return mode === "all" ? 2 : mode === "write" ? 1 : 0;
}
