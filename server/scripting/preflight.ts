/**
 * The server-state rules a script runs under, as Redis 7.0 applies them
 * (script.c): when it starts (scriptPrepareForRun: a stale replica, a
 * read-only replica, *_RO commands, too few replicas, maxmemory), and for
 * each command it calls (scriptCall: a stale replica, then the write and
 * out-of-memory checks); and processCommand's view of EVAL and FCALL, where
 * declared flags replace the command's (judgeFlags).
 */
import type { Command } from "../command.ts";
import type { CommandContext, ServerContext } from "../context.ts";
import {
  MASTERDOWN,
  NOREPLICAS,
  OOM,
  READONLY_REPLICA,
  SCRIPT_MASTERDOWN,
  SCRIPT_OOM_NOT_ALLOWED,
  SCRIPT_READONLY_REPLICA,
  SCRIPT_RO_WRITE,
  SCRIPT_STALE_COMMAND,
  SCRIPT_WRITE_ON_RO,
} from "../errors.ts";
import type { ScriptFlags } from "./shebang.ts";

/** The flags of a command that processCommand and EXEC judge it by. */
export interface JudgedFlags {
  write: boolean;
  /** A write, or a command that may propagate (EVAL without flags): CLIENT PAUSE WRITE holds it. */
  mayReplicate: boolean;
  denyOom: boolean;
  stale: boolean;
}

/**
 * Redis's scriptFlagsToCmdFlags: a script's declared flags (undefined when it
 * declares none) in place of the command's. no-writes implies allow-oom.
 */
export function judgeFlags(command: Command, declared: Set<string> | undefined): JudgedFlags {
  const flags = command.spec.flags;
  if (declared === undefined) {
    return {
      write: command.isWrite,
      mayReplicate: command.isWrite || flags.includes("may_replicate"),
      denyOom: flags.includes("denyoom"),
      stale: flags.includes("stale"),
    };
  }
  const noWrites = declared.has("no-writes");
  return {
    write: !noWrites,
    mayReplicate: !noWrites,
    denyOom: !noWrites && !declared.has("allow-oom"),
    stale: declared.has("allow-stale"),
  };
}

/** What a run may do, fixed when it starts and updated as it writes. */
export interface RunLimits {
  /** EVAL_RO / FCALL_RO, or a script declaring no-writes: writes are refused. */
  readOnly: boolean;
  /**
   * Used memory was over maxmemory when the command that started the script
   * arrived and the script did not declare allow-oom: until its first write,
   * its denyoom commands are refused (scriptVerifyOOM).
   */
  denyOom: boolean;
  /** The caller is the master's stream or the AOF (mustObeyClient): never refused for state. */
  obey: boolean;
  /** A write command was called (SCRIPT_WRITE_DIRTY): it can no longer fail on server state. */
  wrote: boolean;
}

/** A replica whose link is down and that must not serve stale data. */
export function servingStale(server: ServerContext): boolean {
  const replication = server.replication;
  return replication.isReplica && !replication.link?.up &&
    !server.config.getBool("replica-serve-stale-data");
}

/**
 * Redis's scriptPrepareForRun checks: the error text refusing the run, or
 * the limits it runs under, written into `limits` (runs never overlap: one
 * record serves them all). `ro` is EVAL_RO / EVALSHA_RO / FCALL_RO.
 */
export function prepareRun(
  ctx: CommandContext,
  declared: ScriptFlags,
  ro: boolean,
  limits: RunLimits,
): string | RunLimits {
  const server = ctx.server;
  const { compat, flags } = declared;
  // Internal clients are the master's stream and AOF loading, which are obeyed.
  const obey = !server.clients.has(ctx.client.id);
  const stale = servingStale(server);
  const outOfMemory = server.maxmemory.preCommandOom && server.config.getNumber("maxmemory") !== 0;
  if (compat) {
    if (stale) return MASTERDOWN;
    return setLimits(limits, ro, outOfMemory, obey);
  }
  if (stale && !flags.has("allow-stale")) return SCRIPT_MASTERDOWN;
  if (!flags.has("no-writes")) {
    const replication = server.replication;
    if (replication.isReplica && server.config.getBool("replica-read-only") && !obey) {
      return SCRIPT_READONLY_REPLICA;
    }
    if (ro) return SCRIPT_WRITE_ON_RO;
    if (!replication.isReplica && replication.master.tooFewReplicas()) return NOREPLICAS;
  }
  // no-writes implies allow-oom; a writing script was refused above already.
  if (outOfMemory && !flags.has("allow-oom") && !flags.has("no-writes")) {
    return SCRIPT_OOM_NOT_ALLOWED;
  }
  return setLimits(
    limits,
    ro || flags.has("no-writes"),
    outOfMemory && !flags.has("allow-oom"),
    obey,
  );
}

function setLimits(
  limits: RunLimits,
  readOnly: boolean,
  denyOom: boolean,
  obey: boolean,
): RunLimits {
  limits.readOnly = readOnly;
  limits.denyOom = denyOom;
  limits.obey = obey;
  limits.wrote = false;
  return limits;
}

/** scriptVerifyAllowStale: on a stale replica a script may call only `stale` commands. */
export function staleRefusal(server: ServerContext, command: Command): string | undefined {
  // The server's state first: it is not stale far more often than a command is flagged `stale`.
  if (!servingStale(server) || command.spec.flags.includes("stale")) return undefined;
  return SCRIPT_STALE_COMMAND;
}

/**
 * scriptVerifyWriteCommandAllow and scriptVerifyOOM: whether the script may
 * call `command` now. A script that has written is not stopped half-way by
 * the server's state, only by its own read-only limit.
 */
export function writeRefusal(
  server: ServerContext,
  limits: RunLimits,
  command: Command,
): string | undefined {
  const flags = command.spec.flags;
  if (limits.readOnly && (command.isWrite || flags.includes("may_replicate"))) {
    return SCRIPT_RO_WRITE;
  }
  if (limits.wrote) return undefined;
  if (command.isWrite) {
    const replication = server.replication;
    if (replication.isReplica && server.config.getBool("replica-read-only") && !limits.obey) {
      return READONLY_REPLICA;
    }
    if (!replication.isReplica && replication.master.tooFewReplicas()) return NOREPLICAS;
  }
  if (limits.denyOom && !limits.obey && flags.includes("denyoom")) return OOM;
  return undefined;
}
