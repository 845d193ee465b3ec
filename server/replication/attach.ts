/**
 * Wires replication into a server (called once by the composition root):
 * the replication stream becomes one more propagator, the master side runs
 * from the cron once a second, snapshots for full syncs get the server's
 * copy-on-write notices, and a replica applies its master's stream through
 * the one dispatch path as an internal client whose replies are dropped.
 */
import type { Client } from "../client.ts";
import type { ServerContext, WriteWatcher } from "../context.ts";
import { FormatError } from "../persistence/format_error.ts";
import { reportWrites } from "../persistence/write_keys.ts";
import { rdbEncoder } from "../persistence/snapshot_file.ts";
import { libraryCodes, restoreLibrary } from "../scripting/runner.ts";
import { VERSION } from "../../protocol/version.ts";
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
    if (name === "repl-backlog-size") replication.stream.backlog?.resize(Number(value));
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
    loadRdb: (rdb) => {
      server.scripting.flushFunctions();
      const keys = loadReplicaRdb(server.dbs, rdb, config.getBool("rdbchecksum"), (code) => {
        const error = restoreLibrary(server, code, false);
        if (error !== undefined) throw new FormatError(`Failed loading library: ${error}`);
      });
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
    server.log(
      `The master sent a command this server cannot run: '${(argv[0] ?? "").slice(0, 128)}'`,
    );
    return;
  }
  // As inside EXEC: a blocking command from the master answers at once.
  client.inExec = true;
  if (client.multi !== undefined && !NOT_QUEUED.has(command.fullName)) {
    client.multi.queue.push({ command, argv });
  } else {
    server.call(client, command, argv);
  }
  client.out.pos = 0;
}
