/**
 * Loading at start-up, Redis's server.loading: while an RDB file is read (in
 * steps, load.ts loadRdbAtStart) clients connect and get -LOADING for every
 * command without the `loading` flag, and INFO persistence reports the
 * progress with Redis's loading_* fields.
 */

import { ordinaryChanged } from "../ordinary.ts";

/** Parameters CONFIG SET refuses while loading (Redis's DENY_LOADING_CONFIG). */
export const DENY_LOADING_PARAMS: ReadonlySet<string> = new Set([
  "appendonly",
  "repl-diskless-load",
  "dir",
]);

export class LoadingState {
  active = false;
  /**
   * Redis's async_loading: a replica loading its master's RDB from the
   * socket (repl-diskless-load swapdb) from the same history it has, so its
   * clients keep the old dataset meanwhile; only commands flagged
   * no_async_loading and DENY_LOADING parameters are refused.
   */
  async = false;
  /** Unix seconds. */
  startTime = 0;
  totalBytes = 0;
  loadedBytes = 0;
  /** The used-mem the file's writer recorded (its `used-mem` aux field). */
  rdbUsedMem = 0;

  start(totalBytes: number, async = false): void {
    this.active = true;
    this.async = async;
    ordinaryChanged();
    this.startTime = Math.floor(Date.now() / 1000);
    this.totalBytes = totalBytes;
    this.loadedBytes = 0;
    this.rdbUsedMem = 0;
  }

  end(): void {
    this.active = false;
    this.async = false;
    ordinaryChanged();
  }

  /** INFO persistence's loading_* fields while loading, with Redis's percentage and ETA. */
  infoFields(now = Date.now()): [string, string | number][] {
    if (!this.active || this.async) return [];
    const total = this.totalBytes;
    const perc = total > 0 ? (this.loadedBytes / total) * 100 : 0;
    const remaining = total > 0 ? total - this.loadedBytes : 1;
    const elapsed = Math.floor(now / 1000) - this.startTime;
    const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (this.loadedBytes + 1));
    return [
      ["loading_start_time", this.startTime],
      ["loading_total_bytes", total],
      ["loading_rdb_used_mem", this.rdbUsedMem],
      ["loading_loaded_bytes", this.loadedBytes],
      ["loading_loaded_perc", perc.toFixed(2)],
      ["loading_eta_seconds", eta],
    ];
  }
}
