/**
 * Replication commands: REPLICAOF/SLAVEOF and ROLE for users and Sentinel;
 * REPLCONF, PSYNC and SYNC, which replicas send; WAIT, which blocks until
 * enough replicas acknowledged the writes so far. The machinery lives in
 * server/replication/.
 */
import { arg, ArgCursor, intArg, parseInteger } from "../args.ts";
import { blockingKey } from "../blocking.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  INVALID_MASTER_PORT,
  NOMASTERLINK,
  replicaIpTooLong,
  REPLICAOF_FROM_REPLICA,
  SYNTAX,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_INTEGER,
  unrecognizedReplconfOption,
  WAIT_ON_REPLICA,
} from "../errors.ts";
import { isReplicaClient, markReplicaClient, peerOf } from "../replication/client_peer.ts";
import { roleReply } from "../replication/info.ts";

/** WAIT's clients block on this pseudo-key; an ACK makes it ready. */
export const WAIT_KEY = blockingKey(-1, "replica-acks");

function replicaof(ctx: CommandContext, argv: string[]): void {
  const server = ctx.server;
  const replication = server.replication;
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
  if (replication.isReplica && !replication.link?.up) throw new CommandError(NOMASTERLINK);
  const peer = peerOf(client);
  if (arg(argv, 0).toLowerCase() === "sync") {
    markReplicaClient(client);
    replication.master.sync(peer);
    return;
  }
  const offset = intArg(arg(argv, 2));
  markReplicaClient(client);
  replication.master.psync(peer, arg(argv, 1), offset);
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
    flags: ["admin", "noscript", "stale"],
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
    flags: ["admin", "noscript", "stale"],
    group: "server",
    since: "1.0.0",
    summary: REPLICAOF_SUMMARY,
    syntax: "host port",
    complexity: "O(1)",
    handler: replicaof,
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
    flags: ["admin", "no_multi", "noscript"],
    group: "server",
    since: "2.8.0",
    summary: "Internal command used for replication",
    syntax: "replicationid offset",
    handler: psync,
  },
  {
    name: "sync",
    arity: 1,
    flags: ["admin", "no_multi", "noscript"],
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
