/**
 * Replication commands: REPLICAOF/SLAVEOF and ROLE for users and Sentinel;
 * FAILOVER, which hands the master role to a replica; REPLCONF, PSYNC and
 * SYNC, which replicas send (and PSYNC ... FAILOVER, which an old master
 * sends to the replica taking over); WAIT, which blocks until enough
 * replicas acknowledged the writes so far. The machinery lives in
 * server/replication/.
 */
import { arg, ArgCursor, intArg, parseInteger } from "../args.ts";
import { blockingKey } from "../blocking.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  FAILOVER_FORCE,
  FAILOVER_IN_PROGRESS,
  FAILOVER_NO_REPLICAS,
  FAILOVER_NOT_A_REPLICA,
  FAILOVER_NOT_ONLINE,
  FAILOVER_ON_REPLICA,
  FAILOVER_TIMEOUT,
  INVALID_MASTER_PORT,
  NO_FAILOVER,
  NOMASTERLINK,
  NOT_INTEGER,
  PSYNC_FAILOVER_REPLID,
  PSYNC_FAILOVER_TO_MASTER,
  replicaIpTooLong,
  REPLICAOF_FROM_REPLICA,
  REPLICAOF_WHILE_FAILING_OVER,
  SYNC_WHILE_FAILING_OVER,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_INTEGER,
  unrecognizedReplconfOption,
  WAIT_ON_REPLICA,
} from "../errors.ts";
import { isReplicaClient, markReplicaClient, peerOf } from "../replication/client_peer.ts";
import type { FailoverRequest } from "../replication/failover.ts";
import { roleReply } from "../replication/info.ts";

/** WAIT's clients block on this pseudo-key; an ACK makes it ready. */
export const WAIT_KEY = blockingKey(-1, "replica-acks");

function replicaof(ctx: CommandContext, argv: string[]): void {
  const server = ctx.server;
  const replication = server.replication;
  if (replication.failover.active) throw new CommandError(REPLICAOF_WHILE_FAILING_OVER);
  if (arg(argv, 1).toLowerCase() === "no" && arg(argv, 2).toLowerCase() === "one") {
    if (replication.isReplica) {
      replication.promote();
      server.config.set("replicaof", "", true);
      server.log(`MASTER MODE enabled (user request from 'id=${ctx.client.id}')`);
    }
    ctx.out.ok();
    return;
  }
  if (isReplicaClient(ctx.client)) throw new CommandError(REPLICAOF_FROM_REPLICA);
  const port = parseInteger(arg(argv, 2));
  if (port === undefined || port < 0 || port > 65535) throw new CommandError(INVALID_MASTER_PORT);
  if (!replication.replicaOf(arg(argv, 1), port)) {
    ctx.out.simple("OK Already connected to specified master");
    return;
  }
  server.config.set("replicaof", `${argv[1]} ${port}`, true);
  server.log(`REPLICAOF ${argv[1]}:${port} enabled (user request from 'id=${ctx.client.id}')`);
  ctx.out.ok();
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], checked in Redis's order. */
function failover(ctx: CommandContext, argv: string[]): void {
  const replication = ctx.server.replication;
  const failover = replication.failover;
  if (argv.length === 2 && arg(argv, 1).toLowerCase() === "abort") {
    if (!failover.active) throw new CommandError(NO_FAILOVER);
    failover.abort("Failover manually aborted");
    ctx.out.ok();
    return;
  }
  const request = failoverRequest(argv);
  if (failover.active) throw new CommandError(FAILOVER_IN_PROGRESS);
  if (replication.isReplica) throw new CommandError(FAILOVER_ON_REPLICA);
  if (replication.master.replicas.size === 0) throw new CommandError(FAILOVER_NO_REPLICAS);
  if (request.force && (request.timeoutMs === 0 || request.host === undefined)) {
    throw new CommandError(FAILOVER_FORCE);
  }
  if (request.host !== undefined) {
    const peer = failover.findReplica(request.host, request.port);
    if (peer === undefined) throw new CommandError(FAILOVER_NOT_A_REPLICA);
    if (peer.state !== "online") throw new CommandError(FAILOVER_NOT_ONLINE);
  }
  failover.start(request);
  ctx.out.ok();
}

/** Each option at most once, in any order; ABORT only alone. */
function failoverRequest(argv: string[]): FailoverRequest {
  const request: FailoverRequest = { port: 0, timeoutMs: 0, force: false };
  const args = new ArgCursor(argv);
  while (args.hasMore()) {
    const option = args.nextOption();
    if (option === "timeout" && args.remaining >= 1 && request.timeoutMs === 0) {
      request.timeoutMs = args.nextInt();
      if (request.timeoutMs <= 0) throw new CommandError(FAILOVER_TIMEOUT);
    } else if (option === "to" && args.remaining >= 2 && request.host === undefined) {
      const host = args.next();
      request.port = args.nextInt();
      request.host = host;
    } else if (option === "force" && !request.force) {
      request.force = true;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return request;
}

function role(ctx: CommandContext): void {
  const reply = roleReply(ctx.server.replication);
  const out = ctx.out;
  if (reply[0] === "master") {
    out.array(3);
    out.bulk("master");
    out.int(reply[1]);
    out.array(reply[2].length);
    for (const replica of reply[2]) out.bulkArray(replica);
    return;
  }
  out.array(5);
  out.bulk("slave");
  out.bulk(reply[1]);
  out.int(reply[2]);
  out.bulk(reply[3]);
  out.int(reply[4]);
}

/** REPLCONF option value pairs; ACK and GETACK get no reply, as in Redis. */
function replconf(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) throw new CommandError(SYNTAX);
  const peer = peerOf(ctx.client);
  const args = new ArgCursor(argv);
  while (args.hasMore()) {
    const name = args.next();
    const value = args.next();
    switch (name.toLowerCase()) {
      case "listening-port":
        peer.listeningPort = intArg(value);
        break;
      case "ip-address":
        if (value.length >= 256) throw new CommandError(replicaIpTooLong(value.length));
        peer.announcedIp = value;
        break;
      case "capa":
        if (value.toLowerCase() === "eof") peer.capaEof = true;
        else if (value.toLowerCase() === "psync2") peer.capaPsync2 = true;
        break;
      case "ack": {
        if (!isReplicaClient(ctx.client)) return;
        const offset = parseInteger(value);
        if (offset === undefined) return;
        ctx.server.replication.master.ack(peer, offset);
        ctx.server.blocking.signalReady(-1, "replica-acks");
        return;
      }
      case "getack":
        // A master's own GETACK is answered by the replica's link, not here.
        return;
      case "rdb-only":
      case "rdb-filter-only":
        break;
      default:
        throw new CommandError(unrecognizedReplconfOption(name));
    }
  }
  ctx.out.ok();
}

/** PSYNC replid offset / SYNC: the client becomes a replica; the master side writes the answer. */
function psync(ctx: CommandContext, argv: string[]): void {
  const client = ctx.client;
  if (isReplicaClient(client)) return;
  const replication = ctx.server.replication;
  if (argv.length > 3 && arg(argv, 0).toLowerCase() === "psync") takeOver(ctx, argv);
  if (replication.failover.active) throw new CommandError(SYNC_WHILE_FAILING_OVER);
  if (replication.isReplica && !replication.link?.up) throw new CommandError(NOMASTERLINK);
  const peer = peerOf(client);
  const name = `${peer.ip}:${peer.listeningPort || "<unknown-replica-port>"}`;
  ctx.server.log(`Replica ${name} asks for synchronization`);
  if (arg(argv, 0).toLowerCase() === "sync") {
    markReplicaClient(client);
    replication.master.sync(peer);
    return;
  }
  const offset = parseInteger(arg(argv, 2));
  if (offset === undefined) {
    ctx.server.log(`Replica ${name} asks for synchronization but with a wrong offset`);
    throw new CommandError(NOT_INTEGER);
  }
  markReplicaClient(client);
  replication.master.psync(peer, arg(argv, 1), offset);
}

/**
 * PSYNC replid offset FAILOVER: our master hands over. With our own replid
 * (it is the master's history) we become a master at once, then answer the
 * PSYNC as any: it continues from our replid2.
 */
function takeOver(ctx: CommandContext, argv: string[]): void {
  if (arg(argv, 3).toLowerCase() !== "failover") return;
  const server = ctx.server;
  const replication = server.replication;
  server.log(`Failover request received for replid ${argv[1]}.`);
  if (!replication.isReplica) throw new CommandError(PSYNC_FAILOVER_TO_MASTER);
  if (arg(argv, 1).toLowerCase() !== replication.stream.ids.replid) {
    throw new CommandError(PSYNC_FAILOVER_REPLID);
  }
  replication.promote();
  server.config.set("replicaof", "", true);
  server.log(`MASTER MODE enabled (failover request from 'id=${ctx.client.id}')`);
}

function wait(ctx: CommandContext, argv: string[]): void {
  const server = ctx.server;
  const replication = server.replication;
  if (replication.isReplica) throw new CommandError(WAIT_ON_REPLICA);
  const wanted = intArg(arg(argv, 1));
  const timeout = parseInteger(arg(argv, 2));
  if (timeout === undefined) throw new CommandError(TIMEOUT_NOT_INTEGER);
  if (timeout < 0) throw new CommandError(TIMEOUT_NEGATIVE);
  const master = replication.master;
  const offset = replication.stream.offset;
  const acked = master.acknowledged(offset);
  if (acked >= wanted || ctx.inExec || ctx.client.multi !== undefined) {
    ctx.out.int(acked);
    return;
  }
  const out = ctx.out;
  server.blocking.block(ctx.client, {
    keys: [WAIT_KEY],
    deadline: timeout === 0 ? 0 : Date.now() + timeout,
    tryServe: () => {
      const n = master.acknowledged(offset);
      if (n < wanted) return false;
      out.int(n);
      return true;
    },
    onTimeout: () => out.int(master.acknowledged(offset)),
  });
  master.requestAcks();
}

const REPLICAOF_SUMMARY = "Make the server a replica of another instance, or promote it as master.";

export const replicationCommands: CommandSpec[] = [
  {
    name: "replicaof",
    arity: 3,
    flags: ["no_async_loading", "admin", "noscript", "stale"],
    group: "server",
    since: "5.0.0",
    summary: REPLICAOF_SUMMARY,
    syntax: "host port",
    complexity: "O(1)",
    handler: replicaof,
  },
  {
    name: "slaveof",
    arity: 3,
    flags: ["no_async_loading", "admin", "noscript", "stale"],
    group: "server",
    since: "1.0.0",
    summary: REPLICAOF_SUMMARY,
    syntax: "host port",
    complexity: "O(1)",
    handler: replicaof,
  },
  {
    name: "failover",
    arity: -1,
    flags: ["admin", "noscript", "stale"],
    group: "server",
    since: "6.2.0",
    summary: "Start a coordinated failover between this server and one of its replicas.",
    syntax: "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]",
    docNames: { host_port_force: "target" },
    complexity: "O(1)",
    handler: failover,
  },
  {
    name: "role",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    group: "server",
    acl: ["admin", "dangerous"],
    since: "2.8.12",
    summary: "Return the role of the instance in the context of replication",
    syntax: "",
    complexity: "O(1)",
    handler: role,
  },
  {
    name: "replconf",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "allow_busy"],
    group: "server",
    since: "3.0.0",
    summary: "An internal command for configuring the replication stream",
    syntax: "",
    complexity: "O(1)",
    handler: replconf,
  },
  {
    name: "psync",
    arity: -3,
    flags: ["no_async_loading", "admin", "no_multi", "noscript"],
    group: "server",
    since: "2.8.0",
    summary: "Internal command used for replication",
    syntax: "replicationid offset",
    handler: psync,
  },
  {
    name: "sync",
    arity: 1,
    flags: ["no_async_loading", "admin", "no_multi", "noscript"],
    group: "server",
    since: "1.0.0",
    summary: "Internal command used for replication",
    syntax: "",
    handler: psync,
  },
  {
    name: "wait",
    arity: 3,
    flags: ["noscript"],
    group: "generic",
    acl: ["connection"],
    since: "3.0.0",
    summary:
      "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
    syntax: "numreplicas timeout",
    complexity: "O(1)",
    handler: wait,
  },
];
