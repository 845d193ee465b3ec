/**
 * Per-connection state that commands see. The socket loop lives in
 * connection.ts; this holds what a client *is* (selected db, protocol, name,
 * transaction, subscriptions, blocking) and its pending output.
 *
 * 10,000 idle clients must fit in 100 MB, so rarely used state is created on
 * first use and the output buffer starts small.
 */
import { type ReplyWriter, RespWriter, writerFor } from "../protocol/writer.ts";
import type { User } from "./acl/user.ts";
import { isLocalAddress } from "./admission.ts";
import type { Command } from "./command.ts";
import type { CommandContext, ServerContext } from "./context.ts";
import { type Database, databaseAt } from "./db.ts";
import type { NotifyClass } from "./notify.ts";
import type { ReplicaPeer } from "./replication/replica_peer.ts";
import type { ClientTracking } from "./tracking.ts";

/** What the socket side offers to the rest of the server. */
export interface ClientTransport {
  /** Schedules sending whatever is in client.out (for replies made outside a request). */
  flushSoon(): void;
  /** Closes the socket; pending replies are dropped. */
  close(): void;
  /** Runs requests that arrived while the client was blocked. */
  resume(): void;
  /** Reply bytes held for this client: queued plus being written (CLIENT LIST omem). */
  readonly outputBytes: number;
  /** Bytes of the query buffer and of a request's arguments decoded so far (used_memory). */
  readonly inputBytes: number;
  readonly remoteAddr: string;
  readonly localAddr: string;
  /** Whether the peer is on this machine (loopback, a Unix socket); absent: judged by remoteAddr. */
  readonly isLocal?: boolean;
  /** Connected through the unixsocket (CLIENT LIST flag U). */
  readonly unixSocket?: boolean;
  /** Bytes received and not yet consumed, the request being run included (CLIENT LIST qbuf). */
  readonly queryBytes?: number;
  /** The query buffer's size with the arguments decoded so far (CLIENT LIST qbuf + qbuf-free). */
  readonly queryBufferBytes?: number;
  /** Reply chunks queued on the socket (CLIENT LIST oll). */
  readonly queuedWrites?: number;
  /** The socket's descriptor (CLIENT LIST fd); none for a socketless client. */
  readonly fd?: number;
}

/** Takes a client's input in place of the command decoder (the Lua debugger's session). */
export interface InputTap {
  /** Bytes the client sent (all of them are taken). */
  input(bytes: Uint8Array): void;
  /** The client has disconnected. */
  closed(): void;
}

export interface QueuedCommand {
  command: Command;
  argv: string[];
}

export interface MultiState {
  queue: QueuedCommand[];
  /** Set when a command failed to queue; EXEC then answers EXECABORT. */
  dirty: boolean;
  /** The queued commands' arguments as Redis counts them (CLIENT LIST multi-mem: queuedBytes). */
  bytes: number;
  /**
   * What the queue holds, judged as each command was queued (Redis's
   * mstate.cmd_flags and cmd_inv_flags, a script by its declared flags):
   * whether EXEC may write (or replicate: CLIENT PAUSE WRITE), may grow
   * memory, or has a command a stale replica does not serve.
   */
  writes?: boolean;
  mayReplicate?: boolean;
  denyOom?: boolean;
  denyStale?: boolean;
  /** A queued command needs the Lua VM: EXEC waits for it to load. */
  needsLua?: boolean;
}

/** A client waiting in a blocking command (BLPOP, BZPOPMIN, ...). */
export interface BlockedState {
  /** dbIndex + "\0" + key for every key it waits on. */
  keys: string[];
  /** Absolute deadline in ms, 0 for forever. */
  deadline: number;
  timer?: ReturnType<typeof setTimeout>;
  /**
   * Tries to serve the client now that `key` may have data. Returns true when
   * it replied (the client is then unblocked).
   */
  tryServe(key: string): boolean;
  /** Called on timeout: writes the timeout reply. */
  onTimeout(): void;
  /**
   * Set by dispatch on a timed call: called once the reply is written (served,
   * timed out, unblocked) with the milliseconds that took (the slow log).
   */
  whenServed?: (ms: number) => void;
  /** Set for a client CLIENT PAUSE holds: its request is run again once the pause ends. */
  postponed?: boolean;
  /**
   * Set for a client whose command is still running (a busy script, DEBUG
   * LOADAOF), parked only so that it reads no more requests: as Redis's
   * protected client it is not blocked for INFO, CLIENT LIST or CLIENT UNBLOCK.
   */
  running?: boolean;
}

export type Protocol = 2 | 3 | "native";

let nextClientId = 1;

/**
 * A connection's state; it is also the context its commands run with.
 * Fields are laid out in declaration order: those every request reads come
 * first, so a request touches three cache lines of a client, not five (at
 * pipeline 1 each request's client was last touched 49 clients ago).
 */
export class Client implements CommandContext {
  readonly server: ServerContext;
  out: ReplyWriter;
  db: Database;
  lastInteraction = 0;
  /**
   * The name (and, for a subcommand, the second argument) this client last
   * sent and the command it named: most clients repeat one.
   */
  resolvedName = "";
  resolvedSub: string | undefined;
  resolved: Command | undefined;
  /** The ordinaryEpoch (server/ordinary.ts) at which this client was found ordinary; -1: never. */
  ordinaryAt = -1;
  /** The ACL user this connection runs as (the default user until AUTH or HELLO AUTH). */
  user: User;
  /** Whether AUTH or HELLO AUTH succeeded, or the default user needs no password. */
  authenticated = false;
  multi: MultiState | undefined;
  blocked: BlockedState | undefined;
  /** QUIT: close once the replies so far are written. */
  closeAfterReply = false;
  /**
   * CLIENT REPLY: "off" and "skip" suppress replies; "skip-next" (set by
   * CLIENT REPLY SKIP) becomes "skip" once its own reply is dropped.
   */
  replyMode: "on" | "off" | "skip" | "skip-next" = "on";
  lastCommand = "NULL";
  /** Set by a command to change what the AOF records for it (EXPIRE → PEXPIREAT). */
  propagateAs: string[][] | undefined;
  failure: string | undefined = undefined;
  /** CLIENT TRACKING's options while tracking is on (server/tracking.ts). */
  tracking: ClientTracking | undefined;
  /** When output first passed the soft client-output-buffer-limit, Unix seconds (0: it has not). */
  softLimitSince = 0;
  /** What maxmemory last counted this client at (its share of used_memory). */
  countedBytes = 0;
  channels: Set<string> | undefined;
  patterns: Set<string> | undefined;
  shardChannels: Set<string> | undefined;
  // Read by some requests only, or by other commands.
  readonly id = nextClientId++;
  readonly createdAt = Date.now();
  name = "";
  libName = "";
  libVersion = "";
  noEvict = false;
  /** MONITOR: every command the server runs is sent to this client. */
  monitoring = false;
  closed = false;
  /** Keys this client WATCHes, as dbIndex + "\0" + key. */
  watched: Set<string> | undefined;
  /** A watched key changed: the next EXEC fails. */
  watchDirty = false;
  /** True while EXEC runs the queue: blocking commands must not block then. */
  inExec = false;
  /**
   * The client scripts run their commands as (Redis's CLIENT_SCRIPT): SORT
   * orders a set's output, XREAD refuses BLOCK.
   */
  fromScript = false;
  /**
   * The AOF loader and the master link (Redis's mustObeyClient): what they
   * send was checked where it was written, so XADD/XTRIM take `= n LIMIT m`
   * as written and trim without a limit.
   */
  obeys = false;
  /**
   * Set on the AOF loader (Redis processes events while a script it replays
   * runs long): a script past busy-reply-threshold is handed over here, to
   * be run on a slice per call of `resume` (true once it ended) between turns
   * of the event loop, instead of to its end.
   */
  onBusyScript: ((resume: () => boolean) => void) | undefined;
  /** SCRIPT DEBUG YES or SYNC: this client's next EVAL runs under the Lua debugger. */
  luaDebug: "yes" | "sync" | undefined;
  /** While set, this client's input goes to it instead of the command decoder. */
  inputTap: InputTap | undefined;
  /** Made by this client's first REPLCONF or PSYNC (replication/client_peer.ts). */
  replicaPeer: ReplicaPeer | undefined;
  readonly transport: ClientTransport;
  readonly protocol0: Protocol;

  constructor(server: ServerContext, transport: ClientTransport, protocol0: Protocol) {
    this.server = server;
    this.transport = transport;
    this.protocol0 = protocol0;
    this.lastInteraction = this.createdAt;
    this.out = writerFor(protocol0);
    this.db = databaseAt(server.dbs, 0);
    this.user = server.acl.defaultUser;
    this.setDefaultUser();
  }

  /** Back to the default user, authenticated if it needs no password (clientSetDefaultAuth). */
  setDefaultUser(): void {
    this.user = this.server.acl.defaultUser;
    this.authenticated = this.user.nopass && this.user.enabled;
  }

  /**
   * Whether commands other than AUTH, HELLO... must wait for authentication:
   * the default user has a password or is off, and this client has not
   * authenticated (authRequired).
   */
  get authRequired(): boolean {
    if (this.authenticated) return false;
    const user = this.server.acl.defaultUser;
    return !user.nopass || !user.enabled;
  }

  get client(): Client {
    return this;
  }

  keyChanged(key: string, eventClass: NotifyClass, event: string, changes = 1): void {
    this.server.keyChanged(this.db, key, eventClass, event, changes);
  }

  execute(command: Command, argv: string[]): void {
    this.server.call(this, command, argv);
  }

  fail(message: string): void {
    this.failure = message;
  }

  get protocol(): Protocol {
    return this.out.protocol;
  }

  /** Switches RESP2/RESP3 (HELLO); replies already buffered keep their format. */
  setResp(version: 2 | 3): void {
    if (this.out instanceof RespWriter) this.out.resp = version;
  }

  /** Whether the request came over loopback (enable-*-command local, protected mode). */
  get fromLoopback(): boolean {
    const local = this.transport.isLocal;
    if (local !== undefined) return local;
    const addr = this.transport.remoteAddr;
    return isLocalAddress(addr.slice(0, addr.lastIndexOf(":")));
  }

  get isNative(): boolean {
    return this.protocol === "native";
  }

  /** Subscriptions of every kind, as SUBSCRIBE replies count them. */
  subscriptionCount(): number {
    return (this.channels?.size ?? 0) + (this.patterns?.size ?? 0) +
      (this.shardChannels?.size ?? 0);
  }

  /** In RESP2 a subscribed client may only (un)subscribe, PING, QUIT, RESET. */
  get inSubscribedMode(): boolean {
    return this.protocol === 2 && this.subscriptionCount() > 0;
  }

  selectDb(index: number): void {
    this.db = databaseAt(this.server.dbs, index);
  }
}
