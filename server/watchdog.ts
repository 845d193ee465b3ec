/**
 * Redis's software watchdog (watchdog-period): when one command runs longer
 * than the period, the log names the command and the client. The event loop
 * cannot watch itself while a command holds it, so a Worker does: the main
 * thread writes a heartbeat (when the running command began, which client,
 * which command) into a SharedArrayBuffer around every command, and the
 * worker, on its own thread, checks it and writes the server log itself.
 */

/** Messages the worker understands (see watchdog_worker.ts). */
export type WatchdogMessage =
  | { type: "start"; shared: SharedArrayBuffer; periodMs: number; logfile: string }
  | { type: "name"; index: number; name: string }
  | { type: "client"; id: number; addr: string }
  | { type: "forget"; id: number };

/** Heartbeat layout: Float64 [0] = ms epoch the command began (0 = idle); Int32 [2] client, [3] command. */
export const HEARTBEAT_BYTES = 16;
export const SINCE = 0;
export const CLIENT_ID = 2;
export const COMMAND_INDEX = 3;

export class Watchdog {
  readonly #shared = new SharedArrayBuffer(HEARTBEAT_BYTES);
  readonly #since = new Float64Array(this.#shared, 0, 1);
  readonly #ids = new Int32Array(this.#shared);
  readonly #names = new Map<string, number>();
  readonly #clients = new Set<number>();
  #worker: Worker | undefined;

  get enabled(): boolean {
    return this.#worker !== undefined;
  }

  /** Starts, restarts or (period 0) stops the worker. */
  configure(periodMs: number, logfile: string): void {
    this.stop();
    if (periodMs <= 0) return;
    // The source beside this module, or beside the repository's .build/<build>/,
    // where `serve`'s bundle runs.
    const here = import.meta.url;
    const up = here.includes("/.build/") ? "../../" : "../";
    const url = new URL(`${up}server/watchdog_worker.ts`, here);
    this.#worker = new Worker(url, { type: "module" });
    this.#post({ type: "start", shared: this.#shared, periodMs, logfile });
    for (const [name, index] of this.#names) this.#post({ type: "name", index, name });
    this.#clients.clear();
  }

  stop(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#since[SINCE] = 0;
  }

  /** Before a command runs: who runs what, from now. */
  begin(clientId: number, addr: string, command: string): void {
    if (!this.#clients.has(clientId)) {
      this.#clients.add(clientId);
      this.#post({ type: "client", id: clientId, addr });
    }
    let index = this.#names.get(command);
    if (index === undefined) {
      index = this.#names.size;
      this.#names.set(command, index);
      this.#post({ type: "name", index, name: command });
    }
    this.#ids[CLIENT_ID] = clientId;
    this.#ids[COMMAND_INDEX] = index;
    this.#since[SINCE] = Date.now();
  }

  /** After the command: the loop is free again. */
  end(): void {
    this.#since[SINCE] = 0;
  }

  /** A client disconnected: the worker may drop its address. */
  forget(clientId: number): void {
    if (this.#clients.delete(clientId)) this.#post({ type: "forget", id: clientId });
  }

  #post(message: WatchdogMessage): void {
    this.#worker?.postMessage(message);
  }
}
