/**
 * MIGRATE's connections, kept per target after use as Redis keeps them
 * (migrateGetSocket): up to 64, each closed 10 s after its last use, with the
 * database it last selected there, so MIGRATE of keys one by one connects
 * and SELECTs once. INFO's migrate_cached_sockets counts them.
 */
import type { ServerContext } from "../context.ts";

/** Redis's MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL. */
const CACHE_MAX = 64;
const IDLE_MS = 10_000;

/** A connection to a MIGRATE target, from the cache or made for one use. */
export interface MigrateSocket {
  readonly conn: Deno.TcpConn;
  /** The database a SELECT last chose on it; -1 when unknown (new, or after an error). */
  lastDb: number;
}

interface Entry {
  socket: MigrateSocket;
  /** A MIGRATE is using it: others connect anew meanwhile (only one client waits on it). */
  busy: boolean;
  timer: ReturnType<typeof setTimeout>;
}

class SocketCache {
  readonly #entries = new Map<string, Entry>();

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached connection to host:port, marked busy, or undefined when there
   * is none free; `connect` makes one, which put() may cache afterwards.
   */
  take(target: string): MigrateSocket | undefined {
    const entry = this.#entries.get(target);
    if (entry === undefined || entry.busy) return undefined;
    entry.busy = true;
    clearTimeout(entry.timer);
    return entry.socket;
  }

  /** A connection used without error: cached (or kept) for IDLE_MS more. */
  put(target: string, socket: MigrateSocket): void {
    const entry = this.#entries.get(target);
    if (entry !== undefined && entry.socket !== socket) {
      // Another MIGRATE cached one meanwhile: this one was for one use.
      return socket.conn.close();
    }
    if (entry === undefined && this.#entries.size >= CACHE_MAX) this.#evictOne();
    const timer = setTimeout(() => this.drop(target, socket), IDLE_MS);
    this.#entries.set(target, { socket, busy: false, timer });
  }

  /** Closes `socket` (after an error, or idle) and forgets it if it is the cached one. */
  drop(target: string, socket: MigrateSocket): void {
    const entry = this.#entries.get(target);
    if (entry?.socket === socket) {
      clearTimeout(entry.timer);
      this.#entries.delete(target);
    }
    try {
      socket.conn.close();
    } catch {
      // Already closed.
    }
  }

  closeAll(): void {
    for (const [target, entry] of this.#entries) this.drop(target, entry.socket);
  }

  /** Redis closes a random cached socket when the cache is full; a free one here. */
  #evictOne(): void {
    for (const [target, entry] of this.#entries) {
      if (!entry.busy) return this.drop(target, entry.socket);
    }
  }
}

const caches = new WeakMap<ServerContext, SocketCache>();

/** The server's MIGRATE connections; made (and closed at shutdown) with the first use. */
export function migrateSockets(server: ServerContext): SocketCache {
  let cache = caches.get(server);
  if (cache === undefined) {
    const made = cache = new SocketCache();
    caches.set(server, made);
    server.shutdownHooks.push(() => made.closeAll());
  }
  return cache;
}

/** INFO's migrate_cached_sockets. */
export function migrateCachedSockets(server: ServerContext): number {
  return caches.get(server)?.size ?? 0;
}
