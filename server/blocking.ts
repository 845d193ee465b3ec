/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...). Waiters on a key are
 * served first come, first served when a write makes the key ready, after
 * the writing command finishes, as Redis's handleClientsBlockedOnKeys.
 */
import type { BlockedState, Client } from "./client.ts";

export function blockingKey(dbIndex: number, key: string): string {
  return `${dbIndex}\0${key}`;
}

export class BlockingRegistry {
  readonly #waiters = new Map<string, Client[]>();
  readonly #ready = new Set<string>();
  blockedClients = 0;

  get hasReadyKeys(): boolean {
    return this.#ready.size > 0;
  }

  /** Blocks `client` until `state.tryServe` succeeds, its deadline, or unblock. */
  block(client: Client, state: BlockedState): void {
    client.blocked = state;
    this.blockedClients++;
    for (const key of state.keys) {
      const queue = this.#waiters.get(key);
      if (queue) queue.push(client);
      else this.#waiters.set(key, [client]);
    }
    if (state.deadline > 0) {
      state.timer = setTimeout(() => {
        if (client.blocked !== state) return;
        this.#reply(client, () => {
          state.onTimeout();
          return true;
        });
        this.unblock(client);
      }, Math.max(0, state.deadline - Date.now()));
    }
  }

  /** A write made `key` of db `dbIndex` possibly non-empty. */
  signalReady(dbIndex: number, key: string): void {
    if (this.#waiters.size === 0) return;
    const k = blockingKey(dbIndex, key);
    if (this.#waiters.has(k)) this.#ready.add(k);
  }

  /** Serves waiters of every ready key, oldest first, while data lasts. */
  serveReadyKeys(): void {
    while (this.#ready.size > 0) {
      const key = this.#ready.values().next().value as string;
      this.#ready.delete(key);
      const queue = this.#waiters.get(key);
      if (!queue) continue;
      for (const client of [...queue]) {
        const state = client.blocked;
        if (!state) continue;
        if (!this.#reply(client, () => state.tryServe(key))) break;
        this.unblock(client);
      }
    }
  }

  /** Frames the reply of a blocked client and discards it when nothing was served. */
  #reply(client: Client, produce: () => boolean): boolean {
    const out = client.out;
    const mark = out.pos;
    out.beginReply();
    if (!produce()) {
      out.truncate(mark);
      out.pos = mark;
      return false;
    }
    out.endReply();
    return true;
  }

  /** Forgets the client's waits (served, timed out, disconnected, CLIENT UNBLOCK). */
  unblock(client: Client, resume = true): void {
    const state = client.blocked;
    if (!state) return;
    client.blocked = undefined;
    this.blockedClients--;
    if (state.timer !== undefined) clearTimeout(state.timer);
    for (const key of state.keys) {
      const queue = this.#waiters.get(key);
      if (!queue) continue;
      const i = queue.indexOf(client);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.#waiters.delete(key);
    }
    if (resume) client.transport.resume();
  }

  /**
   * CLIENT UNBLOCK: ends the wait as a timeout would (`error` false) or with
   * Redis's UNBLOCKED error.
   */
  cancel(client: Client, error: boolean): boolean {
    const state = client.blocked;
    if (!state) return false;
    this.#reply(client, () => {
      if (error) client.out.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
      else state.onTimeout();
      return true;
    });
    this.unblock(client);
    return true;
  }
}
