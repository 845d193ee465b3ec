/**
 * A server's counters: what INFO stats, errorstats and the instantaneous
 * rates report. One instance per server (CONFIG RESETSTAT resets it).
 */

/** Redis stops tracking new error codes past this many (errors stay counted in the total). */
const MAX_ERROR_CODES = 128;

/** Samples kept for the instantaneous_* rates (one per cron tick). */
const RATE_SAMPLES = 16;

export class ServerStats {
  connectionsReceived = 0;
  rejectedConnections = 0;
  /** Clients closed for passing client-query-buffer-limit / client-output-buffer-limit. */
  queryBufferLimitDisconnections = 0;
  outputBufferLimitDisconnections = 0;
  commandsProcessed = 0;
  rejectedCalls = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Socket reads and writes done for clients (INFO total_reads_processed / total_writes_processed). */
  readsProcessed = 0;
  writesProcessed = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  evictedClients = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  /** Error replies in all, and by their first word ("ERR", "WRONGTYPE"): INFO errorstats. */
  errorReplies = 0;
  /** Errors this replica answered its master's stream with (Redis's stat_unexpected_error_replies). */
  unexpectedErrorReplies = 0;
  /** Values Redis would have freed in the background (lazyfree.ts; INFO lazyfreed_objects). */
  lazyfreedObjects = 0;
  readonly errorCodes = new Map<string, number>();
  /** Highest used_memory seen (INFO memory's peak). */
  peakMemory = 0;
  readonly #samples = {
    at: [] as number[],
    commands: [] as number[],
    input: [] as number[],
    output: [] as number[],
  };

  /** Counts an error reply (dispatch calls this for every error a command ends with). */
  countError(message: string): void {
    this.errorReplies++;
    // The common codes without a slice: a new string to hash on every error reply.
    const code = message.startsWith("ERR ")
      ? "ERR"
      : message.startsWith("WRONGTYPE ")
      ? "WRONGTYPE"
      : codeOf(message);
    const seen = this.errorCodes.get(code);
    if (seen !== undefined) this.errorCodes.set(code, seen + 1);
    else if (this.errorCodes.size < MAX_ERROR_CODES) this.errorCodes.set(code, 1);
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    const fresh = new ServerStats();
    for (const key of Object.keys(fresh) as (keyof ServerStats)[]) {
      if (typeof fresh[key] === "number") (this as Record<string, unknown>)[key] = fresh[key];
    }
    this.errorCodes.clear();
  }

  /** One cron tick's sample of the counters the rates are taken from. */
  sampleRates(now: number): void {
    const s = this.#samples;
    s.at.push(now);
    s.commands.push(this.commandsProcessed);
    s.input.push(this.netInputBytes);
    s.output.push(this.netOutputBytes);
    if (s.at.length > RATE_SAMPLES) {
      for (const list of [s.at, s.commands, s.input, s.output]) list.shift();
    }
  }

  /** Per second over the sampled window; 0 until two samples exist. */
  rate(series: "commands" | "input" | "output"): number {
    const s = this.#samples;
    const values = s[series];
    const n = s.at.length;
    if (n < 2) return 0;
    // Every series holds one value per sample time.
    const seconds = (s.at[n - 1]! - s.at[0]!) / 1000;
    return seconds > 0 ? (values[n - 1]! - values[0]!) / seconds : 0;
  }
}

/** An error message's code: its first word. */
function codeOf(message: string): string {
  const space = message.indexOf(" ");
  return space < 0 ? message : message.slice(0, space);
}
