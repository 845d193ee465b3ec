/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...). Waiters on a key are
 * served first come, first served when a write makes the key ready, after
 * the writing command (or the whole EXEC) finishes, as Redis's
 * handleClientsBlockedOnKeys. A served client's pipelined requests resume
 * only after the current request is done, as Redis's unblocked_clients queue.
 */
import { strtod } from "../protocol/double.ts";
import type { BlockedState, Client } from "./client.ts";
import {
  CommandError,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_FLOAT,
  UNBLOCKED_BY_CLIENT,
  UNBLOCKED_ROLE_CHANGE,
} from "./errors.ts";

export function blockingKey(dbIndex: number, key: string): string {
  return `${dbIndex}\0${key}`;
}

/** setTimeout's longest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** C's isspace: what strtold skips but Redis's string2ld refuses in front. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * A blocking command's timeout in seconds, as Redis 7.0's
 * getTimeoutFromObjectOrReply reads it (strtold, then ceil to ms): the
 * absolute deadline in ms, or 0 to wait forever.
 */
export function parseBlockingTimeout(arg: string, now = Date.now()): number {
  const parsed = strtod(arg);
  if (
    arg.length === 0 || arg.length >= 5 * 1024 || isCSpace(arg.charCodeAt(0)) ||
    parsed.length !== arg.length || Number.isNaN(parsed.value)
  ) {
    throw new CommandError(TIMEOUT_NOT_FLOAT);
  }
  let ms = Math.ceil(parsed.value * 1000);
  // A long double keeps what underflows a double: any positive value waits
  // at least a millisecond. Past the long long range the cast wraps to its
  // minimum on x86, so Redis calls those (and inf) negative.
  if (parsed.outOfRange && parsed.value === 0 && !Object.is(parsed.value, -0)) ms = 1;
  if (!(ms <= 9223372036854775807) || ms < 0) throw new CommandError(TIMEOUT_NEGATIVE);
  return ms === 0 ? 0 : now + ms;
}

export class BlockingRegistry {
  /** Waiters per blocking key, in arrival order. */
  readonly #waiters = new Map<string, Set<Client>>();
  readonly #ready = new Set<string>();
  blockedClients = 0;
  /**
   * Wraps the serving of each blocked client's reply (client-side caching
   * sends that client's own invalidations after the reply).
   */
  wrapServe: (client: Client, serve: () => boolean) => boolean = (_client, serve) => serve();

  get hasReadyKeys(): boolean {
    return this.#ready.size > 0;
  }

  /** Blocks `client` until `state.tryServe` succeeds, its deadline, or unblock. */
  block(client: Client, state: BlockedState): void {
    client.blocked = state;
    if (!state.running) this.blockedClients++;
    for (const key of state.keys) {
      const queue = this.#waiters.get(key);
      if (queue) queue.add(client);
      else this.#waiters.set(key, new Set([client]));
    }
    if (state.deadline > 0) this.#armTimer(client, state);
  }

  #armTimer(client: Client, state: BlockedState): void {
    const wait = Math.max(0, state.deadline - Date.now());
    state.timer = setTimeout(() => {
      if (client.blocked !== state) return;
      if (Date.now() < state.deadline) return this.#armTimer(client, state);
      this.#reply(client, () => {
        state.onTimeout();
        return true;
      });
      this.unblock(client);
    }, Math.min(wait, MAX_TIMER_MS));
  }

  /** A write made `key` of db `dbIndex` possibly non-empty. */
  signalReady(dbIndex: number, key: string): void {
    if (this.#waiters.size === 0) return;
    const k = blockingKey(dbIndex, key);
    if (this.#waiters.has(k)) this.#ready.add(k);
  }

  /**
   * Serves the waiters of every ready key, oldest first. A waiter that cannot
   * be served (the key is empty again, or now holds another type) keeps
   * waiting; serving may make more keys ready (BLMOVE's destination).
   */
  serveReadyKeys(): void {
    while (this.#ready.size > 0) {
      const key = this.#ready.values().next().value as string;
      this.#ready.delete(key);
      const queue = this.#waiters.get(key);
      if (!queue) continue;
      // Deleting the current entry of a Set while iterating it is safe.
      for (const client of queue) {
        const state = client.blocked;
        if (!state) continue;
        if (this.#reply(client, () => state.tryServe(key))) this.unblock(client);
      }
    }
  }

  /** Frames the reply of a blocked client and discards it when nothing was served. */
  #reply(client: Client, produce: () => boolean): boolean {
    return this.wrapServe(client, () => this.#frame(client, produce));
  }

  #frame(client: Client, produce: () => boolean): boolean {
    const out = client.out;
    const mark = out.pos;
    const whenServed = client.blocked?.whenServed;
    const started = whenServed !== undefined ? performance.now() : 0;
    out.beginReply();
    if (!produce()) {
      out.truncate(mark);
      out.pos = mark;
      return false;
    }
    out.endReply();
    whenServed?.(performance.now() - started);
    return true;
  }

  /** Forgets the client's waits (served, timed out, disconnected, CLIENT UNBLOCK). */
  unblock(client: Client, resume = true): void {
    const state = client.blocked;
    if (!state) return;
    client.blocked = undefined;
    if (!state.running) this.blockedClients--;
    if (state.timer !== undefined) clearTimeout(state.timer);
    for (const key of state.keys) {
      const queue = this.#waiters.get(key);
      if (!queue) continue;
      queue.delete(client);
      if (queue.size === 0) this.#waiters.delete(key);
    }
    // Sends the reply and runs the requests that queued up behind the
    // blocking one, once the request being processed now has finished.
    if (resume) queueMicrotask(() => client.transport.resume());
  }

  /**
   * CLIENT UNBLOCK: ends the wait as a timeout would (`error` false) or with
   * Redis's UNBLOCKED error.
   */
  cancel(client: Client, error: boolean): boolean {
    const state = client.blocked;
    if (!state || state.running) return false;
    if (error) this.#fail(client, UNBLOCKED_BY_CLIENT);
    else {
      this.#reply(client, () => {
        state.onTimeout();
        return true;
      });
    }
    this.unblock(client);
    return true;
  }

  /**
   * A master becomes a replica: every blocked client gets Redis's UNBLOCKED
   * error and is closed after it (disconnectAllBlockedClients). What it waits
   * for would now come from the master's stream, and serving it here would
   * pop what the master's own copy keeps.
   */
  failAll(): void {
    const clients = new Set<Client>();
    for (const queue of this.#waiters.values()) for (const client of queue) clients.add(client);
    for (const client of clients) {
      this.#fail(client, UNBLOCKED_ROLE_CHANGE);
      client.closeAfterReply = true;
      this.unblock(client);
    }
  }

  /** An error reply of the blocked command: in errorstats and its failed_calls, as Redis's. */
  #fail(client: Client, error: string): void {
    this.#reply(client, () => {
      client.server.stats.countError(error);
      if (client.resolved !== undefined) client.resolved.failedCalls++;
      client.out.error(error);
      return true;
    });
  }
}
