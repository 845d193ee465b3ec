/**
 * maxmemory: what used_memory counts, and key eviction wired into the server.
 *
 * used_memory is an account, not a reading of V8's heap (which lags by
 * whatever garbage the next collection will find, so eviction driven by it
 * would swing): the keyspace as the key tables account for it (records,
 * index, boxed values at their memoryUsage(), kept current by every write:
 * see KeyTable.usedBytes), expiry entries, and the clients (a fixed cost
 * each plus its query buffer and pending output). As Redis's used_memory leaves out its code, this
 * leaves out the runtime's own heap (compiled code, builtins, command tables:
 * ~8 MB at start), which RSS shows. docs/memory.md has the figures behind it.
 *
 * Before every command (dispatch's beforeCommand hook) the server evicts
 * keys while used_memory is above maxmemory (eviction.ts), and refuses
 * commands that may grow memory when it cannot.
 *
 * Client eviction (maxmemory-clients, Redis's evictClients): while normal and
 * pubsub clients together hold the limit or more, the biggest that may go
 * (not CLIENT NO-EVICT, not a replica) is closed. Each client is recounted
 * when it changes (client_memory.ts): after a batch of requests, a write, a
 * message pushed to it, and (under a maxmemory) before each command. The
 * eviction itself runs at safe points only, never amid a command: after the
 * batch or poller round that went over (a microtask, Redis's beforeSleep), so
 * a client closed for its output limit in that round is gone before anyone is
 * judged; before the next batch of any client, if that comes first; and under
 * a maxmemory before each command, ahead of key eviction (processCommand).
 */
import { frequency, idleSeconds } from "./types/keytable_access.ts";
import type { Client } from "./client.ts";
import type { Command } from "./command.ts";
import type { ServerContext } from "./context.ts";
import { type Database, databaseAt } from "./db.ts";
import { OOM } from "./errors.ts";
import {
  type EvictableDb,
  EVICTION_POLICIES,
  type EvictionPolicy,
  type EvictionResult,
  Evictor,
  mustReject,
} from "./eviction.ts";
import { NotifyClass } from "./notify.ts";
import { clientMemory } from "./client_memory.ts";
import { clientInfoLine } from "./commands/client_list.ts";
import { BLOCK_OVERHEAD } from "./replication/backlog.ts";
import { isReplicaClient } from "./replication/client_peer.ts";
import { KeyTable } from "./types/keytable.ts";
import { lfuSettings } from "./types/lfu.ts";
import { stringBytes } from "./types/memory.ts";
import { randomTableKey, sampleScored } from "./types/keytable_keys.ts";

/**
 * An expires entry: ExpireTable's slots at its 25-75% load, ~2 of 12 bytes (the key's pointer and
 * hash), and the key string (~16 bytes). The time's 8 bytes are in the key's record, counted there.
 */
export const EXPIRE_ENTRY_BYTES = 2 * 12 + stringBytes(16);
/** Commands that MULTI never rejects for OOM. */
const ENDS_TRANSACTION = new Set(["exec", "discard", "quit", "reset"]);

/** INFO memory's accounting figures. */
export interface MemoryFigures {
  used: number;
  startup: number;
  dataset: number;
  /** Normal clients (mem_clients_normal). */
  clients: number;
  /**
   * mem_clients_slaves: as Redis, the replication buffer beyond
   * repl-backlog-size while there are replicas; here also the stream the
   * replicas' connections hold to send (Redis sends from the buffer).
   */
  replicas: number;
  /** The replicas' clients: fixed cost, query buffers, output (not counted for eviction). */
  replicaClients: number;
  /** mem_replication_backlog: the replication buffer up to repl-backlog-size. */
  backlog: number;
  /** mem_total_replication_buffers: the whole shared replication buffer. */
  replicationBuffers: number;
  /** mem_not_counted_for_evict: what used_memory holds that eviction leaves out. */
  notCountedForEvict: number;
}

/** Redis's PROTO_REPLY_CHUNK_BYTES: the backlog's block size, for its approximate overhead. */
const REPL_BLOCK_BYTES = 16 * 1024;

/**
 * Redis's split of the replication buffer (object.c getMemoryOverheadData,
 * evict.c freeMemoryGetNotCountedMemory): up to repl-backlog-size it is the
 * backlog's, the rest the replicas'; eviction leaves out what passes the
 * backlog's size and its blocks' overhead, with or without replicas (it is
 * freed a little at a time after they go).
 */
export function replicationBufferShares(
  memory: number,
  backlogSize: number,
  replicas: number,
): { backlog: number; replicas: number; notCounted: number } {
  const excess = replicas > 0 && memory > backlogSize;
  const counted = backlogSize + (Math.floor(backlogSize / REPL_BLOCK_BYTES) + 1) * BLOCK_OVERHEAD;
  return {
    backlog: excess ? backlogSize : memory,
    replicas: excess ? memory - backlogSize : 0,
    notCounted: memory > backlogSize ? Math.max(0, memory - counted) : 0,
  };
}

/** Redis's floor on the client eviction limit, so a tiny setting cannot lock every client out. */
const CLIENTS_LIMIT_MIN = 128 * 1024;

/**
 * The bytes maxmemory-clients allows (Redis's getClientEvictionLimit): a
 * size, or (stored as -N) N% of maxmemory; 0 for no limit.
 */
export function clientsLimit(setting: number, maxmemory: number): number {
  let limit = setting;
  if (setting < 0) limit = maxmemory > 0 ? Math.floor(maxmemory * -setting / 100) : 0;
  return limit === 0 ? 0 : Math.max(limit, CLIENTS_LIMIT_MIN);
}

/** What a database's keys and expiry entries cost. */
function databaseBytes(db: Database): number {
  return db.dict.usedBytes + db.expires.size * EXPIRE_ENTRY_BYTES;
}

/** Whether maxmemory-clients may close this client (Redis's clientEvictionAllowed). */
function evictable(client: Client): boolean {
  return !client.noEvict && !client.closed && !isReplicaClient(client);
}

const takeAll = () => true;

/** A database as eviction sees it; volatile keys are sampled from a roving place in `expires`. */
class EvictableDatabase implements EvictableDb {
  #roving: Iterator<string> | undefined;

  constructor(readonly db: Database) {}

  count(volatileOnly: boolean): number {
    return volatileOnly ? this.db.expires.size : this.db.size;
  }

  sample(n: number, volatileOnly: boolean, visit: (key: string) => void): void {
    if (!volatileOnly) return sampleScored(this.db.dict, n, false, takeAll, visit);
    for (let i = Math.min(n, this.db.expires.size); i > 0; i--) visit(this.#nextVolatile());
  }

  sampleScored(
    n: number,
    byFrequency: boolean,
    wanted: (score: number) => boolean,
    visit: (key: string, score: number) => void,
  ): void {
    sampleScored(this.db.dict, n, byFrequency, wanted, visit);
  }

  randomKey(volatileOnly: boolean): string | undefined {
    if (!volatileOnly) return randomTableKey(this.db.dict);
    if (this.db.expires.size === 0) return undefined;
    // Map order is insertion order: skip a random few from the roving place.
    for (let skip = Math.floor(Math.random() * 8); skip > 0; skip--) this.#nextVolatile();
    return this.#nextVolatile();
  }

  contains(key: string, volatileOnly: boolean): boolean {
    return volatileOnly ? this.db.expires.has(key) : this.db.dict.has(key);
  }

  idleSeconds(key: string): number {
    return idleSeconds(this.db.dict, key) ?? 0;
  }

  frequency(key: string): number {
    return frequency(this.db.dict, key) ?? 0;
  }

  expireAt(key: string): number | undefined {
    return this.db.expires.get(key);
  }

  #nextVolatile(): string {
    let step = this.#roving?.next();
    if (step === undefined || step.done) {
      this.#roving = this.db.expires.keys();
      step = this.#roving.next();
    }
    return step.value as string;
  }
}

export class MaxMemory {
  readonly evictor = new Evictor();
  /** The empty databases' own structures (used_memory_startup). */
  readonly startup: number;
  #dbs: EvictableDatabase[];
  /**
   * Whether used memory was over maxmemory when the last command arrived
   * (Redis's pre_command_oom_state): scripts judge their writes by it, not by
   * memory their own run moves.
   */
  preCommandOom = false;
  /** Normal and pubsub clients' memory, kept by each recount (countedBytes). */
  #clients = 0;
  /** maxmemory-clients in bytes (clientsLimit), 0 for none: see configure(). */
  #clientsLimit = 0;
  /** Whether clients are recounted as they change: a maxmemory or a maxmemory-clients is set. */
  #counting = false;
  /** The last eviction run found no client it could close and left the clients over the limit. */
  #stuck = false;
  /**
   * Clients went over maxmemory-clients: evictClients() runs before the next
   * batch of requests (Connection.process reads this; Redis's processCommand
   * evicts there too) or from a microtask, whichever comes first. The next
   * batch can come first: the poller's loop resumes as a microtask too.
   */
  evictionDue = false;
  /** Replicas' memory as last counted: their output is the replication stream. */
  #replicas = 0;
  #continuing: ReturnType<typeof setTimeout> | undefined;
  /**
   * keyspaceBytes() as of an eviction run's start, less what each eviction
   * freed: a run reads used memory after every key, and summing all sixteen
   * databases each time was a tenth of a cache's SET.
   */
  #keyspace = 0;
  /** What an empty database costs. */
  readonly #emptyDb: number;
  /** Replication's memory as counted for eviction, as of an eviction run's start. */
  #replicationCounted = 0;
  readonly #usedDuringEviction = () => this.#keyspace + this.#clients + this.#replicationCounted;
  readonly #limit: { readonly value: number };

  constructor(private readonly server: ServerContext) {
    this.#limit = server.config.live("maxmemory");
    this.#dbs = server.dbs.map((db) => new EvictableDatabase(db));
    this.#emptyDb = new KeyTable().usedBytes;
    this.startup = this.keyspaceBytes();
    this.configure();
  }

  /** Bytes of the keyspace: key tables and expiry entries. */
  keyspaceBytes(): number {
    let bytes = 0;
    // An empty key table is a fresh one (the last delete clears it), of known cost.
    for (const db of this.server.dbs) bytes += db.size === 0 ? this.#emptyDb : databaseBytes(db);
    return bytes;
  }

  figures(): MemoryFigures {
    this.refreshClients();
    const keyspace = this.keyspaceBytes();
    const { memory, output, held, shares } = this.#replication();
    return {
      used: keyspace + this.#clients + this.#replicas + memory,
      startup: this.startup,
      dataset: keyspace - this.startup,
      clients: this.#clients,
      replicas: shares.replicas + output,
      replicaClients: this.#replicas,
      backlog: shares.backlog,
      replicationBuffers: memory,
      notCountedForEvict: held + shares.notCounted,
    };
  }

  /**
   * The replication buffer, the stream the replicas' connections hold to
   * send, and Redis's split of the buffer. Eviction leaves out that output
   * (Redis sends it from the buffer) and the buffer past the backlog's size.
   */
  #replication() {
    const memory = this.server.replication.stream.backlog?.memory ?? 0;
    const peers = this.server.replication.master.replicas;
    // What the connections hold to send (INFO's mem_clients_slaves), and the memory that
    // takes: a replica that stops reading grows its reply buffer by doubling, and that room
    // is in its client's memory too (unit/maxmemory's "slave buffer are counted correctly").
    let output = 0;
    let held = 0;
    let base = 0;
    for (const peer of peers) {
      output += peer.conn.pendingBytes;
      held += peer.conn.outputMemory ?? peer.conn.pendingBytes;
      base += peer.conn.baseMemory ?? 0;
    }
    const size = this.server.config.getNumber("repl-backlog-size");
    return {
      memory,
      output,
      held,
      base,
      shares: replicationBufferShares(memory, size, peers.size),
    };
  }

  /**
   * What replication adds to used memory as eviction counts it: the replicas' clients without
   * their output, read now (the cron's recount of a stalled replica's client took in buffer room
   * its output later left: the difference made keys go, unit/maxmemory's "replica buffer don't
   * induce eviction"), and the buffer up to the backlog's size.
   */
  #countedReplication(): number {
    const { memory, base, shares } = this.#replication();
    return base + memory - shares.notCounted;
  }

  /**
   * Recounts every client (the cron, INFO, a new limit) and evicts clients
   * past maxmemory-clients soon. Replicas are counted apart: as Redis's
   * freeMemoryGetNotCountedMemory, their output never makes keys evict (the
   * deletes would only add to it); see #replication.
   */
  refreshClients(): void {
    this.#countAll();
    if (this.#overClientsLimit()) this.#evictClientsSoon();
  }

  /** The cron's recount: a safe point to evict clients at once. */
  cron(): void {
    this.#countAll();
    if (this.#overClientsLimit()) this.evictClients();
  }

  #countAll(): void {
    let bytes = 0;
    let replicas = 0;
    for (const client of this.server.clients.values()) {
      const counted = client.countedBytes = clientMemory(client);
      if (isReplicaClient(client)) replicas += counted;
      else bytes += counted;
    }
    this.#clients = bytes;
    this.#replicas = replicas;
  }

  /**
   * Reads maxmemory and maxmemory-clients again (at start, and when CONFIG
   * SET changes either): a lower client limit evicts at once, as Redis's
   * applyClientMaxMemoryUsage.
   */
  configure(): void {
    const config = this.server.config;
    this.#clientsLimit = clientsLimit(
      config.getNumber("maxmemory-clients"),
      config.getNumber("maxmemory"),
    );
    this.#counting = this.#limit.value !== 0 || this.#clientsLimit !== 0;
    this.#stuck = false;
    if (this.#counting) this.refreshClients();
  }

  /**
   * Recounts one client: one that ran a batch of requests, wrote replies or
   * was sent a message (Redis's updateClientMemUsageAndBucket). O(1), and
   * nothing at all without a maxmemory or a maxmemory-clients.
   */
  recount(client: Client): void {
    if (this.#counting) this.#recount(client);
  }

  /**
   * A message was pushed to a client outside its own commands (PUBLISH,
   * tracking's invalidations, MONITOR): recounted for maxmemory-clients only.
   * For key eviction its output counts once written (or at the cron), or the
   * invalidations that evicting keys sends would make more keys go, whose
   * invalidations... (unit/maxmemory's feedback loop test).
   */
  pushed(client: Client): void {
    if (this.#clientsLimit !== 0) this.#recount(client);
  }

  #recount(client: Client): void {
    // A closed client's share left with forget(): it must not come back.
    if (client.closed) return;
    const counted = clientMemory(client);
    const delta = counted - client.countedBytes;
    if (delta === 0) return;
    client.countedBytes = counted;
    if (isReplicaClient(client)) {
      this.#replicas += delta;
      return;
    }
    this.#clients += delta;
    // Grown by a client that may go: worth a run even after one found nobody to close.
    if (delta > 0 && this.#overClientsLimit() && (!this.#stuck || evictable(client))) {
      this.#stuck = false;
      this.#evictClientsSoon();
    }
  }

  /** A closed client's share leaves used_memory at once (Redis's freeClient). */
  forget(client: Client): void {
    if (isReplicaClient(client)) this.#replicas -= client.countedBytes;
    else this.#clients -= client.countedBytes;
    client.countedBytes = 0;
  }

  /** CLIENT NO-EVICT OFF: the client may now be the one to go. */
  evictableChanged(client: Client): void {
    if (!this.#counting) return;
    this.#stuck = false;
    this.#recount(client);
    if (this.#overClientsLimit()) this.#evictClientsSoon();
  }

  #overClientsLimit(): boolean {
    return this.#clientsLimit !== 0 && this.#clients >= this.#clientsLimit;
  }

  /** Evicts clients before the next batch of requests, or in a microtask after this one. */
  #evictClientsSoon(): void {
    if (this.evictionDue) return;
    this.evictionDue = true;
    queueMicrotask(() => {
      if (this.evictionDue) this.evictClients();
    });
  }

  /**
   * Redis's evictClients: while the normal and pubsub clients hold
   * maxmemory-clients or more, closes the biggest that may be evicted. Every
   * client counts towards the limit; only those evictable() may go. Redis
   * takes them from buckets of doubling sizes; here they are sorted, which
   * is O(n log n) a run, and runs are rare: a client reached the limit.
   */
  evictClients(): void {
    // A busy script's caller waits amid its command: the next command or the cron evicts.
    if (this.server.scripting.running !== undefined) return;
    this.evictionDue = false;
    if (!this.#overClientsLimit() || this.#stuck) return;
    this.#countAll();
    const candidates = [...this.server.clients.values()].filter(evictable);
    candidates.sort((a, b) => b.countedBytes - a.countedBytes);
    const now = Date.now();
    for (const client of candidates) {
      if (!this.#overClientsLimit()) break;
      this.server.log(`Evicting client: ${clientInfoLine(client, now)}`);
      this.server.stats.evictedClients++;
      // Closing unregisters the client, which forgets its share.
      client.transport.close();
    }
    if (this.#overClientsLimit()) {
      this.server.log("Over client maxmemory after evicting all evictable clients");
      this.#stuck = true;
    }
  }

  /**
   * Whether a maxmemory limit is set (beforeCommand does nothing without
   * one). maxmemory-clients alone needs no check per command: each batch's
   * recount evicts after it, so its clients keep dispatch's ordinary path.
   */
  get limited(): boolean {
    return this.#limit.value !== 0;
  }

  /**
   * Before a command: evicts as needed; returns the OOM error when the
   * command must be refused (Redis's processCommand rules).
   */
  beforeCommand(client: Client, command: Command, argv: string[]): string | undefined {
    if (this.#limit.value === 0) return undefined;
    // While a busy script yields, eviction's DELs would land amid its effects.
    if (this.server.scripting.running !== undefined) return undefined;
    this.#recount(client);
    // Clients first, as Redis's processCommand: their output must not make keys go.
    if (this.#overClientsLimit()) {
      this.evictClients();
      // Evicted itself: dispatch drops the command (it sees client.closed).
      if (client.closed) return undefined;
    }
    const outOfMemory = this.performEvictions() === "fail";
    this.preCommandOom = outOfMemory;
    if (!outOfMemory) return undefined;
    const denyOom = this.server.scripting.commandFlags(command, argv).denyOom ||
      (command.fullName === "exec" && client.multi?.denyOom === true);
    const traits = {
      denyOom,
      inMulti: client.multi !== undefined,
      endsTransaction: ENDS_TRANSACTION.has(command.fullName),
    };
    return mustReject(outOfMemory, traits) ? OOM : undefined;
  }

  /** Evicts keys down to maxmemory; continues from a timer when out of time. */
  performEvictions(): EvictionResult {
    const maxmemory = this.#limit.value;
    this.#keyspace = this.keyspaceBytes();
    this.#replicationCounted = this.#countedReplication();
    // The common case, within the limit, reads no other setting.
    if (maxmemory === 0 || this.#usedDuringEviction() <= maxmemory) return "ok";
    const config = this.server.config;
    const policy = config.get("maxmemory-policy") as EvictionPolicy;
    const settings = {
      maxmemory: config.getNumber("maxmemory"),
      policy: EVICTION_POLICIES.includes(policy) ? policy : "noeviction",
      samples: config.getNumber("maxmemory-samples"),
      tenacity: config.getNumber("maxmemory-eviction-tenacity"),
    };
    const result = this.evictor.perform(
      settings,
      this.#dbs,
      this.#usedDuringEviction,
      (index, key) => this.#evict(index, key),
      undefined,
      this.server.latency.threshold > 0
        ? (event, ms) => this.server.latency.addIfNeeded(event, ms)
        : undefined,
    );
    if (result === "running") this.#continueSoon();
    return result;
  }

  /** A lowered maxmemory evicts from a timer at once, not at the next write (updateMaxmemory). */
  evictSoon(): void {
    if (this.#limit.value > 0) this.#continueSoon();
  }

  /** Redis's evictionTimeProc: keep evicting between events until within maxmemory. */
  #continueSoon(): void {
    if (this.#continuing !== undefined) return;
    this.#continuing = setTimeout(() => {
      this.#continuing = undefined;
      this.performEvictions();
    }, 0);
  }

  /** Deletes an evicted key as Redis does: stats, WATCH, the `evicted` event, a DEL for the AOF. */
  #evict(index: number, key: string): void {
    const server = this.server;
    const db = databaseAt(server.dbs, index);
    const before = databaseBytes(db);
    db.delete(key);
    this.#keyspace -= before - databaseBytes(db);
    server.stats.evictedKeys++;
    server.watches.touch(index, key);
    if (server.tracking.engaged) server.tracking.invalidate(key, undefined);
    server.notify(NotifyClass.Evicted, "evicted", key, index);
    server.propagate(index, ["DEL", key]);
  }

  /** Stops the continuation timer (shutdown). */
  stop(): void {
    if (this.#continuing !== undefined) clearTimeout(this.#continuing);
    this.#continuing = undefined;
  }
}

/** Applies lfu-log-factor and lfu-decay-time (shared by every key table). */
export function applyLfuConfig(name: string, value: string): void {
  if (name === "lfu-log-factor") lfuSettings.logFactor = Number(value);
  if (name === "lfu-decay-time") lfuSettings.decayTime = Number(value);
}
