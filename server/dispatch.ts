/**
 * The one place where a request meets the command table: lookup, arity,
 * transaction queueing, subscribed-mode rules, then the handler. Handlers
 * write their reply to client.out; a CommandError thrown half-way rolls the
 * reply back and sends the error instead.
 */
import { checkCall, logDenial, noPermission } from "./acl/access.ts";
import type { Client, MultiState } from "./client.ts";
import type { Command } from "./command.ts";
import type { CommandContext, ServerContext } from "./context.ts";
import { feedMonitors, monitorWhen } from "./monitor.ts";
import { enterCommand, leaveCommand } from "./types/access_clock.ts";
import { isReplicaClient } from "./replication/client_peer.ts";
import { clientInfoLine } from "./commands/client_list.ts";
import { monotonicMs } from "./clock.ts";
import { queuedBytes } from "./client_memory.ts";
import { ordinaryChanged, ordinaryEpoch } from "./ordinary.ts";
import { COARSE, EXACT } from "./slowlog.ts";
import { resolveDeferred } from "../protocol/bytes.ts";
import type { JudgedFlags } from "./scripting/preflight.ts";
import {
  CommandError,
  execAbortedBy,
  internalError,
  LOADING,
  MASTERDOWN,
  NOAUTH,
  NOREPLICAS,
  NOT_ALLOWED_IN_MULTI,
  notAllowedWhenSubscribed,
  READONLY_REPLICA,
  REPLICA_KEYSPACE,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from "./errors.ts";

/** Commands that run immediately inside MULTI instead of being queued. */
const RUN_IN_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/** Resolves argv to a command (or subcommand), or writes the error and returns undefined. */
export function resolveCommand(client: Client, argv: string[]): Command | undefined {
  const sub = client.resolvedSub;
  const command = argv[0] === client.resolvedName && (sub === undefined || argv[1] === sub)
    ? client.resolved
    : remember(client, argv, client.server.commands.resolve(argv));
  if (command === undefined) {
    // The error quotes the arguments: any left as bytes (a renamed command's old name) are made.
    resolveDeferred(argv);
    const [name = "", sub] = argv;
    const container = sub === undefined ? undefined : client.server.commands.lookup(name);
    reject(
      client,
      sub === undefined || container === undefined
        ? unknownCommand(argv)
        : unknownSubcommand(sub, container.name),
    );
    return undefined;
  }
  if (!command.arityFits(argv.length)) {
    rejectCommand(client, command, wrongArity(command.fullName));
    return undefined;
  }
  return command;
}

/**
 * Caches a command or subcommand for the client's next request, matched by
 * its name (and subcommand name) as sent: no hashing of either. A container
 * alone (COMMAND) is not cached: with a second argument it names another.
 */
function remember(
  client: Client,
  argv: string[],
  command: Command | undefined,
): Command | undefined {
  if (command !== undefined && command.subcommands === undefined) {
    client.resolvedName = argv[0]!;
    client.resolvedSub = command.parent === undefined ? undefined : argv[1];
    client.resolved = command;
  }
  return command;
}

function reject(client: Client, message: string): void {
  if (client.multi) client.multi.dirty = true;
  client.server.stats.rejectedCalls++;
  client.server.stats.countError(message);
  const mark = openReply(client);
  client.out.error(message);
  closeReply(client, mark);
}

/**
 * Refuses a resolved command (Redis's rejectCommand): it counts as rejected,
 * and a refused EXEC ends the transaction it would have run.
 */
function rejectCommand(client: Client, command: Command, message: string): void {
  command.rejectedCalls++;
  if (command.fullName === "exec") {
    client.multi = undefined;
    client.server.watches.unwatchAll(client);
    reject(client, execAbortedBy(message));
  } else reject(client, message);
}

/**
 * Runs one request from the wire. While it runs, it is client-side
 * caching's current request: the client's own invalidations follow its reply.
 */
export function processCommand(client: Client, argv: string[]): void {
  const tracking = client.server.tracking;
  tracking.beforeRequest(client);
  if (isReplicaClient(client)) runReplicaRequest(client, argv);
  else runRequest(client, argv);
  tracking.afterRequest(client, argv);
}

/** Commands a replica may not send (REPLICA_KEYSPACE): they would escape CLIENT PAUSE. */
const KEYSPACE_FLAGS = ["write", "readonly", "may_replicate"] as const;

/**
 * A request on a replica's link. The link carries the stream, never
 * replies: a replica that sent a command with a reply (REPLCONF ACK has
 * none) is logged and dropped, as Redis's _addReplyToBufferOrList does,
 * rather than have the reply land amid its RDB or stream.
 */
function runReplicaRequest(client: Client, argv: string[]): void {
  const out = client.out;
  const before = out.length;
  const command = client.server.commands.resolve(argv);
  const flags = command?.spec.flags ?? [];
  if (command !== undefined && KEYSPACE_FLAGS.some((flag) => flags.includes(flag))) {
    client.lastCommand = command.fullName;
    rejectCommand(client, command, REPLICA_KEYSPACE);
  } else runRequest(client, argv);
  if (out.length === before) return;
  const server = client.server;
  const reply = out.buf.subarray(before, out.length);
  if (reply[0] === 0x2d) {
    const end = reply.indexOf(0x0d);
    const error = new TextDecoder().decode(reply.subarray(1, end < 0 ? reply.length : end));
    server.log(
      `== CRITICAL == This master is sending an error to its replica: '${error}' after processing the command '${client.lastCommand}'`,
    );
  }
  server.log(
    `Replica generated a reply to command '${client.lastCommand}', disconnecting it: ${
      clientInfoLine(client, Date.now())
    }`,
  );
  client.transport.close();
}

function runRequest(client: Client, argv: string[]): void {
  const server = client.server;
  // The book's `keys` takes no pattern: on the native protocol it means every key.
  if (argv.length === 1 && client.isNative && argv[0]?.toLowerCase() === "keys") argv.push("*");
  const command = resolveCommand(client, argv);
  if (command === undefined) return;
  if (client.ordinaryAt !== ordinaryEpoch) {
    if (isOrdinary(client)) client.ordinaryAt = ordinaryEpoch;
    else {
      if (admitted(client, command, argv)) runAdmitted(client, command, argv);
      if (!command.keepsPlain) ordinaryChanged();
      return;
    }
  }
  client.lastCommand = command.fullName;
  if (command.needsLua && !server.scripting.loaded) {
    server.scripting.holdUntilLoaded(client);
    return;
  }
  runPlain(client, command, argv);
  // A control command may have changed what isOrdinary reads, for any client.
  if (!command.keepsPlain) ordinaryChanged();
  // Not while a busy script is parked: its keys are served once it ends, as Redis's.
  if (server.blocking.hasReadyKeys && server.busyScriptError === undefined) {
    server.blocking.serveReadyKeys();
    startBatch();
  }
}

/**
 * Whether none of runRequest's refusals and detours can apply to any
 * command of this client: authenticated, unrestricted, no busy script,
 * maxmemory, replication rule, loading, pause, transaction, RESP2
 * subscribed mode or watchdog. A client found so is stamped with the
 * ordinaryEpoch (server/ordinary.ts): every change of these moves it on.
 */
function isOrdinary(client: Client): boolean {
  const server = client.server;
  const replication = server.replication;
  return !client.authRequired && client.user.unrestricted &&
    server.busyScriptError === undefined && !server.maxmemory.limited &&
    !replication.isReplica && !replication.master.needsReplicas &&
    !server.persistence.loading.active && !server.pause.active && client.multi === undefined &&
    !client.inSubscribedMode && !server.watchdog.enabled;
}

/** An ordinary client's request (isOrdinary): the call, in its reply frame. */
function runPlain(client: Client, command: Command, argv: string[]): void {
  const out = client.out;
  const mark = out.pos;
  out.beginReply();
  const displaced = out.displaced;
  call(client, command, argv, true);
  closeReply(client, mark + out.displaced - displaced);
}

/** Redis's processCommand refusals and detours; false when the request is not to run now. */
function admitted(client: Client, command: Command, argv: string[]): boolean {
  const server = client.server;
  if (client.authRequired && !command.allowedUnauthenticated) {
    rejectCommand(client, command, NOAUTH);
    return false;
  }
  if (!client.user.unrestricted) {
    // A key left as bytes (protocol/bytes.ts) is made for a user whose keys are checked.
    resolveDeferred(argv);
    const denial = checkCall(server.acl, client.user, command, argv);
    if (denial !== undefined) {
      logDenial(client, denial, command, argv, client.multi ? "multi" : "toplevel");
      rejectCommand(client, command, noPermission(denial, command));
      return false;
    }
  }
  // As Redis, nothing is evicted while a busy script has the dataset.
  const oom = server.busyScriptError === undefined
    ? server.maxmemory.beforeCommand(client, command, argv)
    : undefined;
  // Evicted for its memory (maxmemory-clients): nothing runs, nothing replies.
  if (client.closed) return false;
  if (oom !== undefined) {
    rejectCommand(client, command, oom);
    return false;
  }
  client.lastCommand = command.fullName;
  const refusal = replicationRefusal(client, command, argv);
  if (refusal !== undefined) {
    rejectCommand(client, command, refusal);
    return false;
  }
  const loading = server.persistence.loading;
  if (
    loading.active &&
    (loading.async
      ? command.spec.flags.includes("no_async_loading")
      : !command.spec.flags.includes("loading"))
  ) {
    rejectCommand(client, command, LOADING);
    return false;
  }
  // After -LOADING, as Redis's: a script the AOF loader runs leaves loading commands -BUSY.
  if (server.busyScriptError !== undefined && !command.spec.flags.includes("allow_busy")) {
    rejectCommand(client, command, server.busyScriptError);
    return false;
  }
  if (server.pause.active && !isReplicaClient(client)) {
    const exec = command.fullName === "exec" ? client.multi : undefined;
    const mayReplicate = () =>
      server.scripting.commandFlags(command, argv).mayReplicate || exec?.mayReplicate === true;
    if (server.pause.holds(mayReplicate)) {
      server.pause.postpone(client);
      return false;
    }
  }
  if (!server.scripting.loaded && needsLuaNow(client, command)) {
    server.scripting.holdUntilLoaded(client);
    return false;
  }
  return true;
}

/** An admitted request: refused in subscribed mode, queued in MULTI, or called. */
function runAdmitted(client: Client, command: Command, argv: string[]): void {
  const server = client.server;
  const mark = openReply(client);
  const displaced = client.out.displaced;
  if (client.inSubscribedMode && !command.allowedInSubscribedRESP2) {
    client.out.error(notAllowedWhenSubscribed(command.fullName));
  } else if (client.multi !== undefined && !RUN_IN_MULTI.has(command.fullName)) {
    if (command.spec.flags.includes("no_multi")) {
      client.multi.dirty = true;
      client.out.error(NOT_ALLOWED_IN_MULTI);
    } else {
      const queued = { command, argv };
      // A queued request's deferred arguments become strings anyway (settleDeferred): count them.
      resolveDeferred(argv);
      client.multi.queue.push(queued);
      client.multi.bytes += queuedBytes(queued);
      client.multi.needsLua ||= command.needsLua;
      noteQueued(client.multi, server.scripting.commandFlags(command, argv));
      client.out.simple("QUEUED");
    }
  } else {
    const watchdog = server.watchdog;
    if (watchdog.enabled) {
      watchdog.begin(client.id, client.transport.remoteAddr, command.fullName);
      call(client, command, argv, true);
      watchdog.end();
    } else call(client, command, argv, true);
  }
  // Messages to this very client went in front of its reply: CLIENT REPLY OFF keeps them.
  closeReply(client, mark + client.out.displaced - displaced);
  // Not while a busy script is parked: its keys are served once it ends, as Redis's.
  if (server.blocking.hasReadyKeys && server.busyScriptError === undefined) {
    server.blocking.serveReadyKeys();
    startBatch();
  }
}

/** Whether running `command` now (not queueing it in MULTI) needs the Lua VM. */
function needsLuaNow(client: Client, command: Command): boolean {
  if (client.multi === undefined) return command.needsLua;
  return command.fullName === "exec" && client.multi.needsLua === true;
}

/**
 * When the last timed request of the batch being run ended (-1: unknown):
 * [BATCH_CLOCK] on the monotonic clock, [BATCH_MS] on the millisecond clock
 * for COARSE calls. Requests of one batch run back to back, so the next
 * one's timing starts there: one clock reading per request instead of two
 * (a reading costs about a tenth of a small command). Its time then includes
 * parsing it. In a typed array: a module variable boxes each new time.
 */
const batchClocks = new Float64Array([-1, -1]);
const BATCH_CLOCK = 0;
const BATCH_MS = 1;

/** Called before a connection runs a batch of requests. */
export function startBatch(): void {
  forgetBatchClocks();
}

function forgetBatchClocks(): void {
  batchClocks[BATCH_CLOCK] = -1;
  batchClocks[BATCH_MS] = -1;
}

/**
 * Redis's replication checks before a command runs: writes need enough good
 * replicas (min-replicas-to-write), a read-only replica refuses writes, and
 * a replica whose link is down serves only "stale" commands when
 * replica-serve-stale-data is off. EXEC is judged by its queue.
 */
function replicationRefusal(client: Client, command: Command, argv: string[]): string | undefined {
  const { replication, config, scripting } = client.server;
  // Flags are judged only when it matters: for EVAL it means finding the script.
  if (!replication.isReplica) {
    return replication.master.tooFewReplicas() && writes(client, command, argv)
      ? NOREPLICAS
      : undefined;
  }
  if (config.getBool("replica-read-only") && writes(client, command, argv)) return READONLY_REPLICA;
  if (replication.link?.up || config.getBool("replica-serve-stale-data")) return undefined;
  const multi = command.fullName === "exec" ? client.multi : undefined;
  return !scripting.commandFlags(command, argv).stale || multi?.denyStale === true
    ? MASTERDOWN
    : undefined;
}

/** Whether the request writes (EXEC: whether its queue does). */
function writes(client: Client, command: Command, argv: string[]): boolean {
  const multi = command.fullName === "exec" ? client.multi : undefined;
  return client.server.scripting.commandFlags(command, argv).write || multi?.writes === true;
}

/** Adds a queued command's flags to what EXEC will be judged by. */
function noteQueued(multi: MultiState, flags: JudgedFlags): void {
  multi.writes ||= flags.write;
  multi.mayReplicate ||= flags.mayReplicate;
  multi.denyOom ||= flags.denyOom;
  multi.denyStale ||= !flags.stale;
}

/** Starts a top-level reply (the native length prefix); returns where it began. */
function openReply(client: Client): number {
  const out = client.out;
  const mark = out.pos;
  out.beginReply();
  return mark;
}

/**
 * Ends a top-level reply: frames it, drops it if a blocking command is still
 * waiting (it has not replied yet), and applies CLIENT REPLY OFF/SKIP.
 */
function closeReply(client: Client, mark: number): void {
  const out = client.out;
  if (client.blocked !== undefined && out.pos === mark + (client.isNative ? 4 : 0)) {
    out.truncate(mark);
    out.pos = mark;
    return;
  }
  out.endReply();
  if (client.replyMode !== "on") {
    out.pos = mark;
    if (client.replyMode === "skip") client.replyMode = "on";
    else if (client.replyMode === "skip-next") client.replyMode = "skip";
  }
}

/** One call in this many is timed: timing every call costs more than most commands. */
const TIMING_SAMPLE = 16;
/**
 * Sampled calls come in runs of this many consecutive calls, one run in
 * every SAMPLE_RUN * TIMING_SAMPLE calls: within a batch one call's end is
 * the next one's start (batchClocks), so a run of 4 reads the clock 5 times
 * instead of 8.
 */
const SAMPLE_RUN = 4;
const SAMPLE_PERIOD = SAMPLE_RUN * TIMING_SAMPLE;
let timingTick = 0;

/**
 * How a call is timed: 1 (every call), TIMING_SAMPLE (1 in TIMING_SAMPLE,
 * scaled up), 0 (not at all) or COARSE (on the millisecond clock: a command
 * that is not fast, unsampled, while a slow log or latency monitor is on).
 * The slow log decides the mode when a threshold changes (SlowLog.fastTiming,
 * otherTiming): fast commands (GET, INCR...) and those bounded by their
 * arguments (SET: Command.timedBySampling) are only sampled unless the slow
 * log's threshold is under a millisecond.
 */
function timingOf(server: ServerContext, command: Command, argv: readonly string[]): number {
  const slowlog = server.slowlog;
  const mode = command.timedBySampling ||
      (command.sampledWhen !== undefined && command.sampledWhen(argv))
    ? slowlog.fastTiming
    : slowlog.otherTiming;
  // A call finding its command's latency histogram empty is timed: as in
  // Redis, one call is enough to fill it (INFO latencystats).
  if (mode === EXACT || (command.latencyEmpty && slowlog.tracksLatency)) return 1;
  if (++timingTick > SAMPLE_PERIOD - SAMPLE_RUN) {
    if (timingTick === SAMPLE_PERIOD) timingTick = 0;
    return TIMING_SAMPLE;
  }
  return mode;
}

/**
 * Runs a resolved command: the handler, error rollback, statistics, the slow
 * log and latency monitor, and AOF propagation of writes. Also used by EXEC
 * for queued commands.
 */
export function call(
  ctx: CommandContext,
  command: Command,
  argv: string[],
  inBatch = false,
): void {
  const server = ctx.server;
  const out = ctx.out;
  const mark = out.pos;
  const displaced = out.displaced;
  const dirtyBefore = server.dirty;
  const timing = timingOf(server, command, argv);
  const started = timing === 0 ? 0 : startTiming(timing, inBatch);
  ctx.propagateAs = undefined;
  // A background save copies the keys this write is about to change.
  if (server.writeWatchers.size !== 0 && command.isWrite) {
    resolveDeferred(argv);
    for (const watch of server.writeWatchers) watch(ctx, command, argv);
  }
  if (server.monitors.size !== 0 && monitorWhen(command) === "before") {
    feedMonitors(server.monitors, ctx.client, command, argv);
  }
  enterCommand(timing === COARSE ? started : -1);
  try {
    command.handler!(ctx, argv);
  } catch (err) {
    ctx.failure = undefined;
    if (err instanceof CommandError) {
      replyFailure(ctx, command, err.message, err.counted, mark, displaced);
    } else {
      server.log(`error in '${command.fullName}': ${err instanceof Error ? err.stack : err}`);
      replyFailure(ctx, command, internalError(command.fullName), true, mark, displaced);
    }
  } finally {
    leaveCommand();
  }
  const failure = ctx.failure;
  if (failure !== undefined) {
    ctx.failure = undefined;
    replyFailure(ctx, command, failure, false, mark, displaced);
  }
  command.calls++;
  if (server.tracking.clients !== 0) {
    resolveDeferred(argv);
    server.tracking.afterCall(ctx, command, argv);
  }
  if (timing !== 0) endTiming(ctx, command, argv, timing, started, inBatch);
  else if (inBatch) forgetBatchClocks();
  server.stats.commandsProcessed++;
  if (server.monitors.size !== 0 && monitorWhen(command) === "after") {
    feedMonitors(server.monitors, ctx.client, command, argv);
  }
  if (server.dirty !== dirtyBefore && command.isWrite) {
    // The handler may have set it; re-read past TypeScript's narrowing.
    const propagate = ctx.propagateAs as string[][] | undefined;
    if (propagate === undefined) server.propagate(ctx.db.index, argv);
    else for (const args of propagate) server.propagate(ctx.db.index, args);
  }
}

/**
 * A failed call's reply (a thrown CommandError, or ctx.fail): what it wrote
 * rolled back, the call and (unless `counted`) its error counted, the error.
 */
function replyFailure(
  ctx: CommandContext,
  command: Command,
  message: string,
  counted: boolean,
  mark: number,
  displaced: number,
): void {
  const out = ctx.out;
  // A push to this very client may have moved the reply on (see beginPush).
  out.truncate(mark + out.displaced - displaced);
  command.failedCalls++;
  if (!counted) ctx.server.stats.countError(message);
  out.error(message);
}

/** When a timed call starts: the batch's last timed end, or the clock. */
function startTiming(timing: number, inBatch: boolean): number {
  if (timing > 0) {
    const last = batchClocks[BATCH_CLOCK]!;
    return inBatch && last >= 0 ? last : monotonicMs();
  }
  const last = batchClocks[BATCH_MS]!;
  return inBatch && last >= 0 ? last : Date.now();
}

/**
 * The end of a timed call: its statistics (sampled timings are scaled up,
 * an unbiased estimate of the total), the slow log and latency monitor.
 */
function endTiming(
  ctx: CommandContext,
  command: Command,
  argv: string[],
  timing: number,
  started: number,
  inBatch: boolean,
): void {
  if (timing > 0) {
    const ended = monotonicMs();
    if (inBatch) {
      batchClocks[BATCH_CLOCK] = ended;
      batchClocks[BATCH_MS] = -1;
    }
    recordTiming(ctx, command, argv, ended - started, timing);
  } else {
    const ended = Date.now();
    if (inBatch) {
      batchClocks[BATCH_CLOCK] = -1;
      batchClocks[BATCH_MS] = ended;
    }
    if (ended !== started && !command.skipSlowlog) logSlow(ctx, command, argv, ended - started);
  }
}

/** A timed call's statistics, slow log entry and latency sample. */
function recordTiming(
  ctx: CommandContext,
  command: Command,
  argv: string[],
  ms: number,
  weight: number,
): void {
  command.microseconds += ms * 1000 * weight;
  if (ctx.server.slowlog.tracksLatency) command.recordLatency(ms * 1000, weight);
  if (!command.skipSlowlog) logSlow(ctx, command, argv, ms);
}

/** The slow log's and latency monitor's part of a timed call. */
function logSlow(ctx: CommandContext, command: Command, argv: string[], ms: number): void {
  // A client left blocked has not finished: it is logged once served, its wait left out.
  const blocked = ctx.client.blocked;
  if (blocked === undefined) logCall(ctx, command, argv, ms);
  else logWhenServed(ctx, command, argv, ms, blocked);
}

/** A closure of its own: its captured variables would cost every call of logSlow a context. */
function logWhenServed(
  ctx: CommandContext,
  command: Command,
  argv: string[],
  ms: number,
  blocked: NonNullable<Client["blocked"]>,
): void {
  blocked.whenServed = (serving) => logCall(ctx, command, argv, ms + serving);
}

function logCall(ctx: CommandContext, command: Command, argv: string[], ms: number): void {
  const server = ctx.server;
  const slowlog = server.slowlog;
  if (slowlog.slowerThan >= 0 && ms * 1000 >= slowlog.slowerThan) {
    const client = ctx.client;
    slowlog.record(command.fullName, argv, ms * 1000, client.transport.remoteAddr, client.name);
  }
  server.latency.addIfNeeded(command.isFast ? "fast-command" : "command", ms);
}
