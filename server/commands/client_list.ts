/**
 * CLIENT LIST and CLIENT INFO lines: every field Redis 7.0 prints, in its
 * order, from the client's real state (query buffer, arguments, MULTI queue,
 * reply buffer and queued output), and the TYPE / ID filters of CLIENT LIST.
 */
import { ArgCursor } from "../args.ts";
import type { Client } from "../client.ts";
import { argvBytes, clientMemory } from "../client_memory.ts";
import type { CommandContext } from "../context.ts";
import { CommandError, INVALID_CLIENT_ID, SYNTAX, unknownClientType } from "../errors.ts";
import { isReplicaClient } from "../replication/client_peer.ts";

/** Redis's PROTO_REPLY_CHUNK_BYTES: the size of a client's own reply buffer. */
const REPLY_CHUNK_BYTES = 16 * 1024;

/** Redis's client type: a replica after PSYNC/SYNC, pubsub while subscribed, else normal. */
export function clientType(client: Client): "normal" | "pubsub" | "slave" {
  if (isReplicaClient(client)) return "slave";
  return client.subscriptionCount() > 0 ? "pubsub" : "normal";
}

/** The type named in CLIENT LIST/KILL TYPE, or undefined when Redis does not know it. */
export function parseClientType(name: string): string | undefined {
  const type = name.toLowerCase();
  if (type === "replica") return "slave";
  return ["normal", "slave", "pubsub", "master"].includes(type) ? type : undefined;
}

/** Redis's flag letters, in Redis's order; "N" for none. */
export function clientFlags(client: Client): string {
  let flags = "";
  if (client.monitoring) flags += "O";
  else if (isReplicaClient(client)) flags += "S";
  if (client.subscriptionCount() > 0) flags += "P";
  if (client.multi) flags += "x";
  if (client.blocked && !client.blocked.running) flags += "b";
  const tracking = client.tracking;
  if (tracking !== undefined) flags += "t";
  if (tracking?.brokenRedirect) flags += "R";
  if (tracking?.bcast) flags += "B";
  if (client.watchDirty) flags += "d";
  if (client.closeAfterReply) flags += "c";
  if (client.closed) flags += "A";
  if (client.transport.unixSocket) flags += "U";
  if (client.noEvict) flags += "e";
  return flags === "" ? "N" : flags;
}

/**
 * One CLIENT LIST line. `argv` is the command the client is running now
 * (CLIENT LIST / INFO itself for the caller): Redis's argv-mem.
 */
export function clientInfoLine(client: Client, now: number, argv: readonly string[] = []): string {
  const transport = client.transport;
  const qbuf = transport.queryBytes ?? 0;
  const qbufFree = Math.max(0, (transport.queryBufferBytes ?? transport.inputBytes) - qbuf);
  const argvMem = argvBytes(argv);
  const out = client.out;
  // Redis's reply buffer holds the first 16 KB pending (obl); the rest is its
  // reply list (omem), which client-output-buffer-limit tests watch grow.
  const pending = transport.outputBytes;
  const buffered = Math.min(out.length, REPLY_CHUNK_BYTES);
  // A replica's is Redis's figure: the shared replication buffer it still needs (replica_peer.ts).
  const queued = isReplicaClient(client)
    ? client.replicaPeer!.outputBytes
    : Math.max(0, pending - buffered);
  const fields = [
    `id=${client.id}`,
    `addr=${transport.remoteAddr}`,
    `laddr=${transport.localAddr}`,
    `fd=${transport.fd ?? -1}`,
    `name=${client.name}`,
    `age=${Math.floor((now - client.createdAt) / 1000)}`,
    `idle=${Math.floor((now - client.lastInteraction) / 1000)}`,
    `flags=${clientFlags(client)}`,
    `db=${client.db.index}`,
    `sub=${client.channels?.size ?? 0}`,
    `psub=${client.patterns?.size ?? 0}`,
    `ssub=${client.shardChannels?.size ?? 0}`,
    `multi=${client.multi?.queue.length ?? -1}`,
    `qbuf=${qbuf}`,
    `qbuf-free=${qbufFree}`,
    `argv-mem=${argvMem}`,
    `multi-mem=${client.multi?.bytes ?? 0}`,
    `rbs=${out.buf.length}`,
    `rbp=${out.peak}`,
    `obl=${buffered}`,
    `oll=${transport.queuedWrites ?? 0}`,
    `omem=${queued}`,
    `tot-mem=${clientMemory(client, argv)}`,
    `events=${queued > 0 ? "rw" : "r"}`,
    `cmd=${client.lastCommand}`,
    `user=${client.user.name}`,
    `redir=${client.tracking?.redirect ?? -1}`,
    `resp=${client.protocol === 3 ? 3 : 2}`,
    `lib-name=${client.libName}`,
    `lib-ver=${client.libVersion}`,
  ];
  return fields.join(" ");
}

/** The clients CLIENT LIST [TYPE type | ID id...] shows, as Redis 7.0 parses its options. */
export function listedClients(ctx: CommandContext, argv: string[]): Client[] {
  const server = ctx.server;
  const args = new ArgCursor(argv, 2);
  if (!args.hasMore()) return [...server.clients.values()];
  const option = args.nextOption();
  if (option === "type" && args.remaining === 1) {
    const name = args.next();
    const type = parseClientType(name);
    if (type === undefined) throw new CommandError(unknownClientType(name));
    return [...server.clients.values()].filter((c) => clientType(c) === type);
  }
  if (option === "id" && args.hasMore()) {
    const chosen: Client[] = [];
    while (args.hasMore()) {
      const found = server.clients.get(args.nextInt(INVALID_CLIENT_ID));
      if (found) chosen.push(found);
    }
    return chosen;
  }
  throw new CommandError(SYNTAX);
}

/** CLIENT LIST's reply text: one line per client, the caller's with its own arguments. */
export function clientListText(ctx: CommandContext, clients: Client[], argv: string[]): string {
  const now = Date.now();
  return clients.map((c) => clientInfoLine(c, now, c === ctx.client ? argv : []) + "\n").join("");
}
