/**
 * Wires replication into a server (called once by the composition root):
 * the replication stream becomes one more propagator, the master side runs
 * from the cron once a second, snapshots for full syncs get the server's
 * copy-on-write notices, and a replica applies its master's stream through
 * the one dispatch path as an internal client whose replies are dropped.
 */
import type { Client } from "../client.ts";
import { queuedBytes } from "../client_memory.ts";
import type { ServerContext, WriteWatcher } from "../context.ts";
import { FormatError } from "../persistence/format_error.ts";
import { loadLimits } from "../persistence/values.ts";
import { reportWrites } from "../persistence/write_keys.ts";
import { rdbEncoder } from "../persistence/snapshot_file.ts";
import { libraryCodes, restoreLibrary } from "../scripting/runner.ts";
import { VERSION } from "../../protocol/version.ts";
import { bytesToBinary } from "../../protocol/binary.ts";
import { unknownCommand, wrongArity } from "../errors.ts";
import { loadReplicaRdb } from "./load.ts";
import { Replication, type ReplicationHost } from "./replication.ts";

/** Commands a MULTI from the master does not queue. */
const NOT_QUEUED = new Set(["exec", "discard", "multi"]);

export function attachReplication(server: ServerContext): Replication {
  const replication = new Replication(hostFor(server));
  server.propagators.push(replication.stream);
  let lastCron = 0;
  let started = false;
  server.cronHooks.push(() => {
    // `replicaof` from redis.conf or the command line: the port is known once listening.
    if (!started) {
      started = true;
      const [host, port] = server.config.get("replicaof").split(/\s+/);
      if (host) replication.replicaOf(host, Number(port));
    }
    replication.tick();
    const now = Date.now();
    if (now - lastCron < 1000) return;
    lastCron = now;
    replication.cron();
  });
  const previous = server.config.onChange;
  server.config.onChange = (name, value) => {
    previous(name, value);
    if (name === "repl-backlog-size") replication.stream.resizeBacklog(Number(value));
  };
  server.shutdownHooks.push(() => replication.stop());
  return replication;
}

function hostFor(server: ServerContext): ReplicationHost {
  const config = server.config;
  let masterClient: Client | undefined;
  return {
    dbs: server.dbs,
    config,
    rdbEncoder: (aux, write) =>
      rdbEncoder(
        { compression: config.getBool("rdbcompression"), checksum: config.getBool("rdbchecksum") },
        [
          ["redis-ver", VERSION],
          ["redis-bits", "64"],
          ["ctime", String(Math.floor(Date.now() / 1000))],
          ["used-mem", String(Deno.memoryUsage().rss)],
          ...aux,
          ["aof-base", "0"],
        ],
        write,
        libraryCodes(server),
      ),
    watchWrites: (snapshot) => {
      const target = {
        key: (dbIndex: number, key: string) => snapshot.beforeWrite(dbIndex, key),
        database: (dbIndex: number, moved: boolean) => snapshot.freeze(dbIndex, moved),
      };
      const watcher: WriteWatcher = (ctx, command, argv) =>
        reportWrites(ctx, command, argv, target);
      server.writeWatchers.add(watcher);
      return () => server.writeWatchers.delete(watcher);
    },
    log: (message) => server.log(message),
    // As Redis: a replica over TLS announces its TLS port.
    listeningPort: () =>
      config.getBool("tls-replication") && server.tlsPort !== 0 ? server.tlsPort : server.port,
    // The stream may load functions (FUNCTION LOAD, an RDB's libraries): the VM comes first.
    prepareForMaster: () => server.scripting.load(),
    loading: server.persistence.loading,
    loadRdb: (rdb) => {
      server.scripting.flushFunctions();
      const keys = loadReplicaRdb(server.dbs, rdb, config.getBool("rdbchecksum"), (code) => {
        const error = restoreLibrary(server, code, false);
        if (error !== undefined) throw new FormatError(`Failed loading library: ${error}`);
      }, loadLimits(config));
      if (server.tracking.engaged) server.tracking.invalidateAll();
      server.log(`MASTER <-> REPLICA sync: ${keys} keys loaded`);
      // A new master client: no transaction or database selection survives a full sync.
      masterClient = undefined;
    },
    failBlockedClients: () => server.blocking.failAll(),
    pauseWrites: (paused) => {
      if (paused) server.pause.pause(Infinity, "write", "failover");
      else server.pause.unpause("failover");
    },
    recordMaster: (address) => config.set("replicaof", address, true),
    applyFromMaster: (argv) => {
      masterClient ??= newMasterClient(server);
      applyCommand(server, masterClient, argv);
    },
    masterStreamDb: () => masterClient?.db.index ?? 0,
    resumeMasterStream: (dbIndex) => {
      masterClient = newMasterClient(server);
      masterClient.selectDb(dbIndex);
    },
  };
}

/** The client the master's stream runs as: its commands are obeyed, never refused. */
function newMasterClient(server: ServerContext): Client {
  const client = server.createInternalClient();
  client.obeys = true;
  return client;
}

/**
 * Runs one command of the master's stream: queued inside MULTI as dispatch
 * does, otherwise through the one call path (statistics, AOF), reply dropped.
 */
function applyCommand(server: ServerContext, client: Client, argv: string[]): void {
  const command = server.commands.resolve(argv);
  if (command === undefined || !command.arityFits(argv.length)) {
    const error = command === undefined ? unknownCommand(argv) : wrongArity(command.fullName);
    server.stats.countError(error);
    return errorToMaster(server, error, command?.fullName);
  }
  // As inside EXEC: a blocking command from the master answers at once.
  client.inExec = true;
  if (client.multi !== undefined && !NOT_QUEUED.has(command.fullName)) {
    const queued = { command, argv };
    client.multi.queue.push(queued);
    client.multi.bytes += queuedBytes(queued);
  } else {
    server.call(client, command, argv);
    const out = client.out;
    // The master's client speaks RESP2: a top-level error starts with "-".
    if (out.pos > 0 && out.buf[0] === MINUS) {
      const end = out.buf.indexOf(CR);
      errorToMaster(server, bytesToBinary(out.buf, 1, end < 0 ? out.pos : end), command.fullName);
    }
  }
  client.out.pos = 0;
}

const MINUS = 0x2d;
const CR = 0x0d;

/**
 * A command of the master's stream answered with an error (Redis's
 * afterErrorReply): logged and counted as Redis does, and with
 * propagation-error-behavior panic or panic-on-replicas a read-only replica
 * stops there, its dataset no longer its master's.
 */
function errorToMaster(server: ServerContext, error: string, name: string | undefined): void {
  const text = (error.startsWith("ERR ") ? error.slice(4) : error).slice(0, 4096);
  const command = name ?? "<unknown>";
  server.log(
    `== CRITICAL == This replica is sending an error to its master: '${text}' after processing the command '${command}'`,
  );
  server.stats.unexpectedErrorReplies++;
  const config = server.config;
  if (config.get("propagation-error-behavior") === "ignore") return;
  if (!config.getBool("replica-read-only")) return;
  server.log(
    `Guru Meditation: This replica panicked sending an error to its master after processing the command '${command}' #replication`,
  );
  Deno.exit(1);
}
