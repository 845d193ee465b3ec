/**
 * Gives the heap's free pages back to the OS once the server goes idle after
 * a burst of allocation (a bulk load, a big DEL, a flood of clients).
 *
 * V8 keeps the pages a burst committed. Its own memory reducer returns them,
 * but only after an 8 s delay and then a 5 s window of low allocation:
 * measured, a server that had just loaded a 1M-member set sat at 115–120 MB
 * RSS for 9–30 s, then fell to 80 MB. Redis's jemalloc returns dirty pages
 * on a 10 s decay from a background thread. Here the cron watches for quiet:
 * once no request has come for IDLE_MS and V8 has committed GROWTH_BYTES more
 * than after the last reduction (or for the first time since start), one
 * "last resort" full GC (what V8 does on a low-memory notification: compact,
 * shrink the young generation, unmap free pages) brings RSS down at once
 * (that set: 92 -> 67 MB in-process).
 * The pause is a full GC's (measured 45–70 ms for a 64–85 MB heap), taken
 * only when nothing is running, and only after a quiet time at least
 * QUIET_PER_PAUSE times as long as the pause is expected to be: a big heap
 * waits longer (a 1 GB one, seconds), so a request arriving during the pause
 * finds a server that was idle far longer than it stalls. MEMORY PURGE runs
 * the same GC on demand.
 *
 * The GC needs `--expose-gc` (the launcher and tasks pass it); without it
 * the reducer does nothing.
 */
import { openLibc } from "./libc.ts";

/** Shortest quiet time before a reduction: no request read for this long. */
export const IDLE_MS = 250;
/** Quiet time required per ms of expected pause. */
export const QUIET_PER_PAUSE = 5;
/** The pause expected per MB of committed heap before one was measured. */
const INITIAL_MS_PER_MB = 1;
const MB = 1024 * 1024;
/**
 * A pause measured on a smaller heap is not taken as the rate per MB: it is
 * mostly the fixed cost of a full GC (measured: 40–216 ms for the 12 MB heap
 * of an empty server, 76–241 ms for the 63–77 MB a 1M-field hash's load
 * leaves). Taken from the start-up reduction, it made that load wait 1.3–6 s
 * of quiet before its reduction instead of the 0.4–1.2 s five such pauses
 * take, and RSS stayed ~30 MB higher meanwhile.
 */
export const RATE_MIN_HEAP_BYTES = 32 * MB;
/**
 * Committed heap growth since the last reduction that makes one worthwhile:
 * more than the young generation regrows to (2 × 4 MB semi-spaces).
 */
export const GROWTH_BYTES = 16 * 1024 * 1024;

/** What the reducer reads and calls; the server's are the process's own. */
export interface ReducerHost {
  /** Reads and commands so far (a change means the server is busy). */
  activity(): number;
  /** V8's committed heap, in bytes. */
  heapTotal(): number;
  /** A full, memory-reducing GC; undefined when the runtime exposes none. */
  collect: (() => void) | undefined;
  log(message: string): void;
}

type GcOptions = { type: "major"; execution: "sync"; flavor: "last-resort" };

/**
 * glibc's malloc_trim through FFI, where allowed: returns every free page of
 * malloc's heap to the OS, not only its top. Deno's own allocations and
 * V8's off-heap ones (the optimizing compiler's zones, the GC's worklists)
 * share one arena (the launcher's MALLOC_ARENA_MAX=1), and what a load left
 * free below a live chunk stayed resident: measured after loading a
 * 1M-field hash (`deno task bench --only memory`'s load), that heap held
 * 8.3–14.1 MB, 6.8–7.4 after a trim, the whole of the RSS's scatter.
 */
function openMallocTrim(): (() => void) | undefined {
  const libc = openLibc({ malloc_trim: { parameters: ["usize"], result: "i32" } });
  return libc === undefined ? undefined : () => void libc.malloc_trim(0n);
}

/**
 * The process's GC entry point when V8 was started with --expose-gc, then
 * malloc's free pages returned where glibc's malloc_trim can be called.
 */
export function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: (options?: GcOptions) => void }).gc;
  if (typeof gc !== "function") return undefined;
  const trim = openMallocTrim();
  return () => {
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    trim?.();
  };
}

export class MemoryReducer {
  #lastActivity = -1;
  #quietSince = 0;
  /**
   * Committed heap after the last reduction; undefined until the first quiet
   * spell, which always reduces: start-up leaves ~3.5 MB of slack (measured:
   * an empty server 57.7 -> 55.2–55.6 MB RSS).
   */
  #baseline: number | undefined;
  /** The last reduction's pause per MB of the heap it started from (RATE_MIN_HEAP_BYTES or more). */
  #msPerMb = INITIAL_MS_PER_MB;

  constructor(private readonly host: ReducerHost, now = Date.now()) {
    this.#quietSince = now;
  }

  /** Called from the cron: reduces when the server is quiet and the heap grew. */
  tick(now = Date.now()): void {
    const activity = this.host.activity();
    if (activity !== this.#lastActivity) {
      this.#lastActivity = activity;
      this.#quietSince = now;
      return;
    }
    const quiet = now - this.#quietSince;
    if (quiet < IDLE_MS || this.host.collect === undefined) return;
    const committed = this.host.heapTotal();
    if (this.#baseline !== undefined) {
      this.#baseline = Math.min(this.#baseline, committed);
      if (committed - this.#baseline < GROWTH_BYTES) return;
    }
    if (quiet < QUIET_PER_PAUSE * this.#msPerMb * committed / MB) return;
    this.reduce();
  }

  /** One memory-reducing GC now (MEMORY PURGE, or the idle cron); false without --expose-gc. */
  reduce(): boolean {
    const collect = this.host.collect;
    if (collect === undefined) return false;
    const before = this.host.heapTotal();
    const started = performance.now();
    collect();
    const ms = performance.now() - started;
    this.#baseline = this.host.heapTotal();
    if (before >= RATE_MIN_HEAP_BYTES) this.#msPerMb = Math.max(ms / (before / MB), 0.1);
    const mb = (n: number) => (n / MB).toFixed(1);
    this.host.log(
      `Memory reducer: V8 heap ${mb(before)} MB -> ${mb(this.#baseline)} MB (${ms.toFixed(0)} ms)`,
    );
    return true;
  }
}
