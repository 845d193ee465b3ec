/**
 * Replication IDs and the master's answer to PSYNC, as Redis 7 (PSYNC2).
 *
 * A replication ID names one history of the dataset. `replid` is the
 * current one; after a replica is promoted, `replid2` is the history it
 * inherited from its old master, valid up to `secondOffset`, so the other
 * replicas of that master can continue from the promoted one without a full
 * resynchronisation.
 */
import type { ReplicationBacklog } from "./backlog.ts";

/** Redis's CONFIG_RUN_ID_SIZE. */
export const REPLID_LENGTH = 40;
/** replid2 when there is no previous history. */
export const NO_REPLID = "0".repeat(REPLID_LENGTH);

/** A fresh random replication ID: 40 hex digits. */
export function newReplicationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(REPLID_LENGTH / 2));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ReplicationIds {
  replid = newReplicationId();
  replid2 = NO_REPLID;
  /** second_repl_offset: the last offset + 1 up to which replid2 is valid; -1 with no replid2. */
  secondOffset = -1;

  /** A new history (the backlog is created from scratch). */
  change(): void {
    this.replid = newReplicationId();
  }

  clearSecond(): void {
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
  }

  /**
   * A replica becomes a master (REPLICAOF NO ONE, failover): its history so
   * far stays valid under the old ID up to `masterOffset`, and a new ID starts.
   */
  shift(masterOffset: number): void {
    this.replid2 = this.replid;
    this.secondOffset = masterOffset + 1;
    this.change();
  }

  /** A replica learned its master's (new) ID from +CONTINUE: the old one becomes replid2. */
  adoptMasterId(replid: string, masterOffset: number): void {
    if (replid === this.replid) return;
    this.replid2 = this.replid;
    this.secondOffset = masterOffset + 1;
    this.replid = replid;
  }
}

export type PsyncAnswer =
  /** +CONTINUE: send the backlog from byte `from` on. */
  | { kind: "continue"; from: number }
  /** +FULLRESYNC: `reason` says why (for the log). */
  | { kind: "full"; reason: string };

/**
 * What a master answers `PSYNC replid from` (masterTryPartialResynchronization):
 * a partial resync when the ID is ours (or our previous one, up to where it
 * was valid) and the backlog still holds byte `from`.
 */
export function answerPsync(
  ids: ReplicationIds,
  backlog: ReplicationBacklog | undefined,
  replid: string,
  from: number,
): PsyncAnswer {
  const id = replid.toLowerCase();
  const ours = id === ids.replid;
  const previous = id === ids.replid2 && id !== NO_REPLID;
  if (!ours && !(previous && from <= ids.secondOffset)) {
    if (replid === "?") return { kind: "full", reason: "full resync requested by replica" };
    if (!ours && !previous) {
      return {
        kind: "full",
        reason:
          `Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${ids.replid}' and '${ids.replid2}')`,
      };
    }
    return {
      kind: "full",
      reason:
        `Requested offset for second ID was ${from}, but I can reply up to ${ids.secondOffset}`,
    };
  }
  if (backlog === undefined || !backlog.canServe(from)) {
    return { kind: "full", reason: `lack of backlog (Replica request was: ${from})` };
  }
  return { kind: "continue", from };
}
