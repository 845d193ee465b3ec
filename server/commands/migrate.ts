/**
 * MIGRATE: DUMP the keys here, RESTORE them on another server, then delete
 * them here (unless COPY). Redis blocks its whole event loop for the
 * transfer; here only the calling client waits (the others keep running),
 * and the keys are serialized when the command runs.
 */
import { encodeRespRequest, RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import { arg, ArgCursor, intArg } from "../args.ts";
import type { Client } from "../client.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext, ServerContext } from "../context.ts";
import type { Database } from "../db.ts";
import {
  CommandError,
  MIGRATE_CONNECT_FAILED,
  MIGRATE_KEYS_NEEDS_EMPTY_KEY,
  MIGRATE_READ_FAILED,
  MIGRATE_WRITE_FAILED,
  migrateTargetError,
  SYNTAX,
} from "../errors.ts";
import { NotifyClass } from "../notify.ts";
import { dumpPayload } from "../persistence/rdb_writer.ts";
import { migrateSockets } from "./migrate_sockets.ts";

interface MigrateArgs {
  host: string;
  port: number;
  db: number;
  timeoutMs: number;
  copy: boolean;
  replace: boolean;
  auth: string[] | undefined;
  keys: string[];
}

function parseArgs(argv: string[]): MigrateArgs {
  const args: MigrateArgs = {
    host: arg(argv, 1),
    port: intArg(arg(argv, 2)),
    db: intArg(arg(argv, 4)),
    timeoutMs: intArg(arg(argv, 5)),
    copy: false,
    replace: false,
    auth: undefined,
    keys: [arg(argv, 3)],
  };
  const cursor = new ArgCursor(argv, 6);
  while (cursor.hasMore()) {
    const option = cursor.nextOption();
    if (option === "copy") args.copy = true;
    else if (option === "replace") args.replace = true;
    else if (option === "auth") args.auth = ["AUTH", cursor.next()];
    else if (option === "auth2") args.auth = ["AUTH", cursor.next(), cursor.next()];
    else if (option === "keys") {
      if (arg(argv, 3) !== "") throw new CommandError(MIGRATE_KEYS_NEEDS_EMPTY_KEY);
      args.keys = argv.slice(cursor.index);
      break;
    } else throw new CommandError(SYNTAX);
  }
  if (args.timeoutMs <= 0) args.timeoutMs = 1000;
  return args;
}

/** Redis's migrateGetKeys: the key at 3, or those after KEYS when it is empty. */
export function migrateKeyPositions(argv: readonly string[]): number[] {
  const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
  for (let i = 6; i < argv.length; i++) {
    const word = argv[i]!.toLowerCase();
    if (word === "keys") {
      if (argv[3] !== "") return [];
      return Array.from({ length: argv.length - i - 1 }, (_, j) => i + 1 + j);
    }
    i += skip[word] ?? 0;
  }
  return [3];
}

function migrate(ctx: CommandContext, argv: string[]): void {
  const args = parseArgs(argv);
  const db = ctx.db;
  const compression = ctx.server.config.getBool("rdbcompression");
  const moved: string[] = [];
  const restores: string[][] = [];
  for (const key of args.keys) {
    const value = db.lookupRead(key);
    if (value === undefined) continue;
    const expireAt = db.getExpire(key);
    const ttl = expireAt === undefined ? 0 : Math.max(1, expireAt - Date.now());
    const restore = ["RESTORE", key, String(ttl), dumpPayload(value, compression)];
    if (args.replace) restore.push("REPLACE");
    restores.push(restore);
    moved.push(key);
  }
  if (moved.length === 0) return ctx.out.simple("NOKEY");
  const client = ctx.client;
  ctx.server.blocking.block(client, {
    keys: [],
    deadline: 0,
    tryServe: () => false,
    onTimeout: () => {},
  });
  transfer(ctx.server, args, restores).then(
    (replies) => finish(client, db, args, moved, restores, replies),
    (err: Error) => finish(client, db, args, moved, restores, err.message),
  );
}

/**
 * AUTH (if given), SELECT (unless the connection has that database already)
 * and the RESTOREs over a cached connection to the target, or a new one;
 * their replies. As Redis, a socket error that is not a timeout, before any
 * reply came, is tried once more on a new connection (the target may have
 * closed a cached one). Rejects with Redis's IOERR texts.
 */
async function transfer(
  server: ServerContext,
  args: MigrateArgs,
  restores: string[][],
): Promise<RespValue[]> {
  const cache = migrateSockets(server);
  const target = `${args.host}:${args.port}`;
  for (let retried = false;; retried = true) {
    const socket = cache.take(target) ?? { conn: await connect(args), lastDb: -1 };
    const requests: string[][] = [];
    if (args.auth !== undefined) requests.push(args.auth);
    if (socket.lastDb !== args.db) requests.push(["SELECT", String(args.db)]);
    requests.push(...restores);
    try {
      const replies = await exchange(socket.conn, requests, args);
      // After an error reply the selected database is not known: SELECT next time.
      socket.lastDb = replies.some((reply) => reply.type === "error") ? -1 : args.db;
      cache.put(target, socket);
      return replies;
    } catch (err) {
      cache.drop(target, socket);
      const failure = err as ExchangeError;
      if (retried || failure.timedOut || failure.repliesRead > 0) throw failure;
    }
  }
}

/**
 * A new connection to the target. A refused one fails at the first write
 * in Redis (its non-blocking connect "succeeds"), so it is a write error here.
 */
async function connect(args: MigrateArgs): Promise<Deno.TcpConn> {
  try {
    return await withTimeout(Deno.connect({ hostname: args.host, port: args.port }), args);
  } catch (err) {
    throw new Error(err instanceof TimedOut ? MIGRATE_CONNECT_FAILED : MIGRATE_WRITE_FAILED);
  }
}

/** A failed exchange: Redis's IOERR text, whether it timed out and how many replies came first. */
class ExchangeError extends Error {
  constructor(message: string, readonly timedOut: boolean, readonly repliesRead: number) {
    super(message);
  }
}

/** Sends every request, then reads as many replies. */
async function exchange(
  conn: Deno.TcpConn,
  requests: string[][],
  args: MigrateArgs,
): Promise<RespValue[]> {
  try {
    for (const request of requests) {
      await withTimeout(writeAll(conn, encodeRespRequest(request)), args);
    }
  } catch (err) {
    throw new ExchangeError(MIGRATE_WRITE_FAILED, err instanceof TimedOut, 0);
  }
  const replies: RespValue[] = [];
  try {
    await withTimeout(readReplies(conn, requests.length, replies), args);
  } catch (err) {
    throw new ExchangeError(MIGRATE_READ_FAILED, err instanceof TimedOut, replies.length);
  }
  return replies;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}

/** Reads `count` replies into `replies` (those read so far stay there if it fails). */
async function readReplies(conn: Deno.TcpConn, count: number, replies: RespValue[]) {
  const decoder = new RespReplyDecoder();
  let buf = new Uint8Array(4096);
  let start = 0;
  let end = 0;
  while (replies.length < count) {
    const reply = decoder.decode(buf, start, end);
    if (reply !== undefined) {
      replies.push(reply);
      start += decoder.consumed;
      continue;
    }
    if (end === buf.length) {
      const grown = new Uint8Array(buf.length * 2);
      grown.set(buf.subarray(start, end));
      [buf, end, start] = [grown, end - start, 0];
    }
    const n = await conn.read(buf.subarray(end));
    if (n === null) throw new Error("closed");
    end += n;
  }
}

/** withTimeout's rejection. */
class TimedOut extends Error {}

function withTimeout<T>(promise: Promise<T>, args: MigrateArgs): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut("timeout")), args.timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Replies to the waiting client; deletes (and propagates DEL of) the keys the target took. */
function finish(
  client: Client,
  db: Database,
  args: MigrateArgs,
  moved: string[],
  sent: string[][],
  replies: RespValue[] | string,
): void {
  const server = client.server;
  const out = client.out;
  if (client.closed) return;
  out.beginReply();
  if (typeof replies === "string") {
    out.error(replies);
  } else {
    const restores = replies.slice(replies.length - moved.length);
    const setup = replies.slice(0, replies.length - moved.length).find((r) => r.type === "error");
    const failed = setup ?? restores.find((r) => r.type === "error");
    if (!args.copy && setup === undefined) {
      deleteRestored(client, db, moved, restores, sent);
    }
    if (failed !== undefined && failed.type === "error") {
      server.stats.countError(migrateTargetError(failed.value));
      out.error(migrateTargetError(failed.value));
    } else out.ok();
  }
  out.endReply();
  server.blocking.unblock(client);
}

/**
 * Deletes the keys the target restored, each only if it still holds what was
 * sent: another client may have written it while the transfer ran (Redis
 * blocks them all instead), and that acknowledged write must not be lost.
 */
function deleteRestored(
  client: Client,
  db: Database,
  keys: string[],
  replies: RespValue[],
  sent: string[][],
): void {
  const server = client.server;
  const compression = server.config.getBool("rdbcompression");
  const unchanged = (key: string, i: number) => {
    const value = db.peek(key);
    return value !== undefined && dumpPayload(value, compression) === sent[i]![3];
  };
  const deleted = keys.filter((key, i) =>
    replies[i]?.type !== "error" && unchanged(key, i) && db.delete(key)
  );
  for (const key of deleted) server.keyChanged(db, key, NotifyClass.Generic, "del");
  if (deleted.length > 0) server.propagate(db.index, ["DEL", ...deleted]);
}

const KEY_FLAGS = ["RW", "access", "delete"];

export const migrateCommands: CommandSpec[] = [
  {
    name: "migrate",
    arity: -6,
    flags: ["write", "movablekeys"],
    keySpecs: [
      { flags: KEY_FLAGS, begin: { index: 3 }, find: { range: { lastkey: 0, step: 1, limit: 0 } } },
      {
        flags: [...KEY_FLAGS, "incomplete"],
        begin: { keyword: "KEYS", from: -2 },
        find: { range: { lastkey: -1, step: 1, limit: 0 } },
      },
    ],
    getKeys: migrateKeyPositions,
    group: "generic",
    acl: ["keyspace", "dangerous"],
    since: "2.6.0",
    summary: "Atomically transfer a key from a Redis instance to another one.",
    syntax:
      'host port <key | ""> destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key [key ...]]',
    complexity:
      "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
    tips: ["nondeterministic_output"],
    handler: migrate,
  },
];
