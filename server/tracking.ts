/**
 * Client-side caching (CLIENT TRACKING), Redis's tracking.c semantics:
 *
 * - Default mode: every key a tracking client reads with a read-only command
 *   is remembered in one table, key name → client ids (databases are not told
 *   apart, as in Redis). When the key changes (a write, expiry, eviction) each
 *   of those clients is sent one invalidation and the entry is dropped: a
 *   client hears about a key once per read.
 * - BCAST mode: no table; a changed key matching a subscribed prefix is
 *   collected, and each prefix's keys are sent to its clients in one message
 *   once the current batch of requests has run (Redis: before sleeping).
 * - Messages are RESP3 pushes (`invalidate` [keys], or null for "everything"
 *   after a flush), or `message` on `__redis__:invalidate` to a RESP2
 *   redirect client in pub/sub mode.
 *
 * The table keeps ids of clients that turned tracking off or left: they are
 * dropped lazily, when their key is invalidated, as Redis does. Writes cost a
 * single boolean check (`engaged`) while nobody tracks and the table is empty.
 */
import type { Client } from "./client.ts";
import type { Command } from "./command.ts";
import type { CommandContext, ServerContext } from "./context.ts";
import { keysOf } from "./key_specs.ts";
import { TrackingTable } from "./tracking_table.ts";

/** The channel a RESP2 redirect client receives invalidations on. */
export const INVALIDATE_CHANNEL = "__redis__:invalidate";

/** A client's tracking options (absent on the client while tracking is off). */
export interface ClientTracking {
  /** Client id invalidations go to; 0 for this client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  caching: boolean;
  /** The redirect client was gone when an invalidation was due. */
  brokenRedirect: boolean;
  /** BCAST prefixes ("" for every key). */
  prefixes: Set<string>;
}

export type TrackingOptions = Omit<ClientTracking, "caching" | "brokenRedirect" | "prefixes">;

/** A BCAST prefix: its subscribers and the keys changed since the last broadcast. */
interface PrefixState {
  readonly clients: Set<Client>;
  /** Changed key → the client that changed it last (NOLOOP), undefined for the server. */
  keys: Map<string, Client | undefined>;
}

/** Read-only commands whose keys are not remembered (scripts track the keys they declare). */
const UNTRACKED_READS = new Set(["eval_ro", "evalsha_ro", "fcall_ro"]);

/** Keys invalidated per table-limit round, times the rounds already spent over the limit. */
const LIMIT_EFFORT = 100;

export class Tracking {
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** Whether a change to a key must be looked at: a client tracks, or the table holds keys. */
  engaged = false;
  /**
   * The client whose request is being run (or whose blocked command is
   * being served): its own invalidations wait until its reply is written.
   */
  current: Client | undefined;
  /** Invalidations for `current` held until its reply is done; null means "every key". */
  #pending: (string | null)[] = [];
  readonly #table = new TrackingTable();
  /** Client ids across the whole table (INFO tracking_total_items). */
  #items = 0;
  readonly #prefixes = new Map<string, PrefixState>();
  #broadcastQueued = false;
  /** Rounds the table has stayed over tracking-table-max-keys: each tries harder. */
  #limitRounds = 0;
  /** Picks the keys dropped past tracking-table-max-keys (a number in [0, 1), as Math.random). */
  random: () => number = Math.random;

  constructor(readonly server: ServerContext) {}

  get totalKeys(): number {
    return this.#table.size;
  }

  get totalItems(): number {
    return this.#items;
  }

  get totalPrefixes(): number {
    return this.#prefixes.size;
  }

  #updateEngaged(): void {
    this.engaged = this.clients > 0 || this.#table.size > 0;
  }

  /** CLIENT TRACKING ON (options already checked against the client's current mode). */
  enable(client: Client, options: TrackingOptions, prefixes: readonly string[]): void {
    if (client.tracking === undefined) this.clients++;
    // As Redis's enableTracking: a CLIENT CACHING already given and BCAST prefixes stay.
    const previous = client.tracking;
    const state: ClientTracking = {
      ...options,
      caching: previous?.caching ?? false,
      brokenRedirect: false,
      prefixes: previous?.prefixes ?? new Set(),
    };
    client.tracking = state;
    if (options.bcast) {
      if (prefixes.length === 0) this.#subscribePrefix(client, "");
      for (const prefix of prefixes) this.#subscribePrefix(client, prefix);
    }
    this.#updateEngaged();
  }

  #subscribePrefix(client: Client, prefix: string): void {
    let state = this.#prefixes.get(prefix);
    if (state === undefined) {
      state = { clients: new Set(), keys: new Map() };
      this.#prefixes.set(prefix, state);
    }
    state.clients.add(client);
    client.tracking!.prefixes.add(prefix);
  }

  /** CLIENT TRACKING OFF, RESET, disconnect. The client's table entries go lazily. */
  disable(client: Client): void {
    const state = client.tracking;
    if (state === undefined) return;
    for (const prefix of state.prefixes) {
      const subscribed = this.#prefixes.get(prefix);
      subscribed?.clients.delete(client);
      if (subscribed?.clients.size === 0) this.#prefixes.delete(prefix);
    }
    client.tracking = undefined;
    this.clients--;
    this.#updateEngaged();
  }

  /**
   * After a read-only command of a tracking client (or a script's read: the
   * keys its caller declared), remembers the keys it read.
   */
  afterCall(ctx: CommandContext, command: Command, argv: readonly string[]): void {
    if (!command.spec.flags.includes("readonly") || UNTRACKED_READS.has(command.fullName)) return;
    let client = ctx.client;
    let source = command;
    if (client.fromScript) {
      const running = this.server.scripting.running;
      const caller = running && this.server.commands.resolve(running.argv);
      if (caller === undefined) return;
      client = running!.caller.client;
      source = caller;
      argv = running!.argv;
    }
    const state = client.tracking;
    if (state === undefined || state.bcast) return;
    if ((state.optin && !state.caching) || (state.optout && state.caching)) return;
    // Shard channels look like keys to COMMAND; they are not cached data.
    if (source.spec.flags.includes("pubsub")) return;
    for (const ref of keysOf(source, argv) ?? []) this.#remember(argv[ref.index]!, client.id);
  }

  #remember(key: string, id: number): void {
    const ids = this.#table.add(key);
    this.engaged = true;
    if (!ids.has(id)) {
      ids.add(id);
      this.#items++;
    }
  }

  /**
   * `key` changed (`writer` changed it; undefined for expiry and eviction):
   * queues it for BCAST prefixes and invalidates it for the clients that
   * read it. `bcast` false when the key did not change (table limit).
   */
  invalidate(key: string, writer: Client | undefined, bcast = true): void {
    if (bcast && this.#prefixes.size > 0) this.#queueBroadcast(key, writer);
    const ids = this.#table.delete(key);
    if (ids === undefined) return;
    this.#items -= ids.size;
    this.#updateEngaged();
    const clients = this.server.clients;
    for (const id of ids) {
      const target = clients.get(id);
      const state = target?.tracking;
      // A client that switched to BCAST since it read the key hears about it there.
      if (target === undefined || state === undefined || state.bcast) continue;
      if (state.noloop && target === this.current) continue;
      this.#sendOrHold(target, key);
    }
  }

  /** FLUSHDB, FLUSHALL, a reload: every tracking client drops its whole cache. */
  invalidateAll(): void {
    if (this.clients > 0) {
      for (const client of this.server.clients.values()) {
        if (client.tracking !== undefined) this.#sendOrHold(client, null);
      }
    }
    this.#table.clear();
    this.#items = 0;
    this.#updateEngaged();
  }

  /**
   * The current client's own invalidations wait until its reply is written,
   * so they never split it (Redis's tracking_pending_keys).
   */
  #sendOrHold(target: Client, key: string | null): void {
    if (target === this.current && target.out.replyOpen) this.#pending.push(key);
    else this.#send(target, key === null ? null : [key]);
  }

  /** Before a request runs: it is the current one; the table is kept within its limit. */
  beforeRequest(client: Client): void {
    this.current = client;
    if (this.clients > 0) this.limitTable();
  }

  /**
   * After a request: its held invalidations, and the end of CLIENT CACHING's
   * effect (it lasts for the next command, or the next transaction).
   */
  afterRequest(client: Client, argv: readonly string[]): void {
    this.current = undefined;
    const state = client.tracking;
    if (state?.caching && client.multi === undefined && argv[0]?.toLowerCase() !== "client") {
      state.caching = false;
    }
    this.#sendHeld(client);
  }

  #sendHeld(client: Client): void {
    if (this.#pending.length === 0) return;
    const held = this.#pending;
    this.#pending = [];
    for (const key of held) {
      if (client.tracking !== undefined) this.#send(client, key === null ? null : [key]);
    }
  }

  /**
   * Runs `serve` (a blocked client's command being served) with `client` as
   * the current one; what it holds is sent after that reply.
   */
  serveAs(client: Client, serve: () => boolean): boolean {
    const current = this.current;
    const pending = this.#pending;
    this.current = client;
    this.#pending = [];
    try {
      return serve();
    } finally {
      this.current = undefined;
      this.#sendHeld(client);
      this.current = current;
      this.#pending = pending;
    }
  }

  /**
   * tracking-table-max-keys: past it, keys picked at random are invalidated
   * as if changed until the table fits, at most 100 per round times the
   * rounds the table has stayed over the limit (Redis's trackingLimitUsedSlots).
   */
  limitTable(): void {
    const max = this.server.config.getNumber("tracking-table-max-keys");
    if (max === 0 || this.#table.size <= max) {
      this.#limitRounds = 0;
      return;
    }
    let effort = LIMIT_EFFORT * (this.#limitRounds + 1);
    for (; effort > 0; effort--) {
      const key = this.#table.randomKey(this.random);
      if (key === undefined) break;
      this.invalidate(key, undefined, false);
      if (this.#table.size <= max) {
        this.#limitRounds = 0;
        return;
      }
    }
    this.#limitRounds++;
  }

  #queueBroadcast(key: string, writer: Client | undefined): void {
    for (const [prefix, state] of this.#prefixes) {
      if (key.startsWith(prefix)) state.keys.set(key, writer);
    }
    if (this.#broadcastQueued) return;
    this.#broadcastQueued = true;
    queueMicrotask(() => this.#broadcast());
  }

  /**
   * Sends each prefix's changed keys to its clients (NOLOOP ones without
   * their own), prefixes and keys in byte order as Redis's radix trees give them.
   */
  #broadcast(): void {
    this.#broadcastQueued = false;
    for (const prefix of [...this.#prefixes.keys()].sort()) {
      const state = this.#prefixes.get(prefix)!;
      if (state.keys.size === 0) continue;
      const changed = [...state.keys].sort(([a], [b]) => a < b ? -1 : 1);
      state.keys = new Map();
      const all = changed.map(([key]) => key);
      for (const client of state.clients) {
        if (!client.tracking?.noloop) {
          this.#send(client, all);
          continue;
        }
        const others = changed.filter(([, writer]) => writer !== client).map(([key]) => key);
        if (others.length > 0) this.#send(client, others);
      }
    }
  }

  /**
   * Writes one invalidation (keys, or null for all) to the client or its
   * redirect: a RESP3 push, or a `message` on __redis__:invalidate to a
   * RESP2 redirect client in pub/sub mode; nothing for a RESP2 client itself.
   */
  #send(client: Client, keys: readonly string[] | null): void {
    const state = client.tracking!;
    let target = client;
    if (state.redirect !== 0) {
      const redirect = this.server.clients.get(state.redirect);
      if (redirect === undefined) {
        state.brokenRedirect = true;
        if (client.protocol === 3) {
          pushFrame(client, 2, () => {
            client.out.bulk("tracking-redir-broken");
            client.out.int(state.redirect);
          });
        }
        return;
      }
      target = redirect;
    }
    const out = target.out;
    const write = () => {
      // As Redis: the null is the tracking client's, even on a redirect speaking the other RESP.
      if (keys === null && !target.isNative) out.raw(client.protocol === 3 ? "_\r\n" : "$-1\r\n");
      else if (keys === null) out.nil();
      else {
        out.array(keys.length);
        for (const key of keys) out.bulk(key);
      }
    };
    if (target.protocol === 3) {
      pushFrame(target, 2, () => {
        out.bulk("invalidate");
        write();
      });
    } else if (target !== client && target.subscriptionCount() > 0) {
      pushFrame(target, 3, () => {
        out.bulk("message");
        out.bulk(INVALIDATE_CHANNEL);
        write();
      });
    }
  }
}

/** One out-of-band frame of `n` items, sent now unless the target's own reply is being written. */
function pushFrame(target: Client, n: number, items: () => void): void {
  const out = target.out;
  const running = out.replyOpen;
  const setAside = out.beginPush(n);
  items();
  out.endPush(setAside);
  if (!running) target.transport.flushSoon();
}
