/**
 * The ACL log (ACL LOG): denied commands, keys, channels and failed AUTHs,
 * newest first. A denial like one among the ten newest entries (same reason,
 * context, object and user, within a minute) bumps that entry's count and
 * moves it to the front instead of adding another, as Redis does.
 */

export type AclLogReason = "command" | "key" | "channel" | "auth";
export type AclLogContext = "toplevel" | "multi" | "lua" | "module";

export interface AclLogEntry {
  count: number;
  reason: AclLogReason;
  context: AclLogContext;
  /** The command's full name, the key, the channel, or for auth the command name ("AUTH"). */
  object: string;
  username: string;
  /** Unix ms of the latest occurrence. */
  time: number;
  /** CLIENT LIST line of the latest client. */
  clientInfo: string;
}

/** Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA. */
const GROUPING_MS = 60_000;
/** How many recent entries a new denial is compared with. */
const GROUPING_SCAN = 10;

export class AclLog {
  /** Newest first. */
  entries: AclLogEntry[] = [];

  /** Records a denial; `maxLen` is acllog-max-len. */
  add(entry: Omit<AclLogEntry, "count">, maxLen: number): void {
    for (const [i, e] of this.entries.entries()) {
      if (i >= GROUPING_SCAN) break;
      if (
        e.reason === entry.reason && e.context === entry.context &&
        Math.abs(e.time - entry.time) <= GROUPING_MS && e.object === entry.object &&
        e.username === entry.username
      ) {
        e.count++;
        e.time = entry.time;
        e.clientInfo = entry.clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        return;
      }
    }
    this.entries.unshift({ count: 1, ...entry });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
