/**
 * A replica's link to its master (Redis's connectWithMaster /
 * syncWithMaster / readSyncBulkPayload, and the master client), over a
 * socket:
 *
 * 1. handshake: PING; then AUTH [masteruser] masterauth, REPLCONF
 *    listening-port, REPLCONF ip-address (with replica-announce-ip) and
 *    REPLCONF capa eof capa psync2, pipelined, as Redis 7 sends them;
 * 2. `PSYNC replid offset+1` (the history this server already has, or
 *    `? -1`): `+CONTINUE [replid]` resumes the stream, `+FULLRESYNC replid
 *    offset` is followed by an RDB payload in either form, which the host
 *    loads; an old master handing over (FAILOVER) adds `FAILOVER`, and the
 *    answer tells it whether the replica took over;
 * 3. the command stream: each command is applied through the host and its
 *    bytes counted into the offset; `REPLCONF GETACK` is answered with
 *    `REPLCONF ACK offset`, as is every second of the link.
 *
 * A lost link is retried every second with PSYNC from the offset reached, so
 * a short outage costs only the missed bytes. The link knows nothing of the
 * keyspace: loading, applying and forwarding are the host's.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { encodeRespRequest, RespRequestDecoder } from "../../protocol/resp.ts";
import type { ReplicationTls } from "../tls_config.ts";
import { PayloadError, RdbPayloadReceiver } from "./rdb_transfer.ts";
import { connectFrom, type LinkConn } from "./source_bound.ts";

/** What the link needs from the server it replicates into. */
export interface ReplicaHost {
  /** Readies what applying the master's data needs (the Lua VM: functions may come). */
  prepare(): Promise<void>;
  /** The history this server has, for PSYNC; undefined asks for a full resync (`? -1`). */
  history(): { replid: string; offset: number } | undefined;
  /**
   * A full resync's payload begins (from the master of history `replid`),
   * then arrives (`read` of `total` bytes, 0 when it ends with a mark), then
   * is through or failed: a diskless load shows as loading meanwhile.
   */
  transferStarted(replid: string): void;
  transferProgress(read: number, total: number): void;
  transferEnded(): void;
  /** A full resync: replace the whole dataset with this RDB (throws if it is malformed). */
  loadRdb(rdb: Uint8Array, replid: string, offset: number): void;
  /** +CONTINUE: the history goes on, possibly under the master's new ID. */
  continued(replid: string | undefined, offset: number): void;
  /** One command of the stream, to run as the master's client (its reply is dropped). */
  apply(argv: string[]): void;
  /** The stream's bytes once applied, for this server's own backlog and replicas. */
  streamed(bytes: Uint8Array): void;
  /** Whether this server is handing over to the master it links to (PSYNC ... FAILOVER). */
  failingOver(): boolean;
  /** The answer to PSYNC ... FAILOVER: +CONTINUE or +FULLRESYNC accept it. */
  failoverAnswered(accepted: boolean): void;
  log(message: string): void;
}

export interface LinkOptions {
  /** REPLCONF listening-port (replica-announce-port, else our port). */
  listeningPort: number;
  /** replica-announce-ip, sent as REPLCONF ip-address when set. */
  announceIp?: string;
  masterUser?: string;
  masterAuth?: string;
  /** repl-timeout in seconds: a silent master is dropped after it. */
  timeoutSeconds: number;
  /** tls-replication: connect over TLS with these (read at each connection). */
  tls?: ReplicationTls;
  /** bind-source-addr: the local address to connect from. */
  sourceAddress?: string;
}

/** ROLE's names for the link's states. */
export type LinkState = "connect" | "connecting" | "handshake" | "sync" | "connected";

/** A failed step; the link logs it and tries again a second later. */
export class LinkError extends Error {
  override readonly name = "LinkError";
}

/** Redis retries a lost master link from its once-a-second cron. */
const RETRY_MS = 1000;
/** The first attempt after a link that was up went down. */
const QUICK_RETRY_MS = 100;
const ACK_EVERY_MS = 1000;

export class MasterLink {
  state: LinkState = "connect";
  /** The offset of the last stream byte applied (-1 before the first sync). */
  offset = -1;
  /** The master's replication ID as last announced. */
  masterReplid = "";
  /** Time of the last bytes from the master (master_last_io_seconds_ago). */
  lastIo = 0;
  /** When an established link went down (master_link_down_since_seconds); 0 if never up, or up. */
  downSince = 0;
  /** The payload being received (master_sync_* fields of INFO). */
  transfer: RdbPayloadReceiver | undefined;
  #conn: LinkConn | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  readonly done: Promise<void>;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly replica: ReplicaHost,
    readonly options: LinkOptions,
  ) {
    this.done = this.#run();
  }

  /** The master's address as this connection sees it ("ip:port"), for CLIENT KILL. */
  get remoteAddr(): string | undefined {
    const address = this.#conn?.remoteAddr;
    return address === undefined ? undefined : `${address.hostname}:${address.port}`;
  }

  /** master_link_status. */
  get up(): boolean {
    return this.state === "connected";
  }

  /** Drops the current connection (CLIENT KILL TYPE MASTER); the link reconnects with PSYNC. */
  drop(): void {
    this.#close();
  }

  /** Closes the link for good (REPLICAOF NO ONE, another master, shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#close();
    this.#wake?.();
    await this.done;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#session();
      } catch (err) {
        if (!this.#stopped) this.replica.log(`MASTER <-> REPLICA sync: ${describe(err)}`);
      } finally {
        this.#close();
        if (this.state === "connected") this.downSince = Date.now();
        this.state = "connect";
        this.transfer = undefined;
      }
      // A link that was up (the master restarted, or dropped us to announce a new ID) is
      // tried again soon, as Redis's next cron tick would (within its second); others wait.
      const wasUp = this.downSince > 0 && Date.now() - this.downSince < RETRY_MS;
      if (!this.#stopped) await this.#pause(wasUp ? QUICK_RETRY_MS : RETRY_MS);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #close(): void {
    try {
      this.#conn?.close();
    } catch {
      // Already closed.
    }
    this.#conn = undefined;
  }

  async #session(): Promise<void> {
    this.state = "connecting";
    this.replica.log(`Connecting to MASTER ${this.host}:${this.port}`);
    await this.replica.prepare();
    const conn = await this.#connect();
    if (this.#stopped) {
      conn.close();
      return;
    }
    this.#conn = conn;
    conn.setNoDelay?.(true);
    this.lastIo = Date.now();
    const reader = new LinkReader(conn, () => this.lastIo = Date.now());
    const watchdog = setInterval(() => this.#checkTimeout(), 1000);
    try {
      this.state = "handshake";
      await this.#handshake(reader);
      const rest = await this.#synchronize(reader);
      await this.#stream(reader, rest);
    } finally {
      clearInterval(watchdog);
    }
  }

  #connect(): Promise<LinkConn> {
    const target = { hostname: this.host, port: this.port };
    const { tls, sourceAddress } = this.options;
    if (tls === undefined) {
      return sourceAddress === undefined
        ? Deno.connect(target)
        : connectFrom(this.host, this.port, sourceAddress);
    }
    if (sourceAddress !== undefined) {
      this.replica.log(
        "bind-source-addr is not applied to a TLS link: connecting from any address",
      );
    }
    return Deno.connectTls({ ...target, caCerts: tls.caCerts, ...tls.certified });
  }

  #checkTimeout(): void {
    if (Date.now() - this.lastIo > this.options.timeoutSeconds * 1000) {
      this.replica.log("Timeout connecting to the MASTER...");
      this.#close();
    }
  }

  #send(...argv: string[]): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined) return Promise.resolve();
    const bytes = encodeRespRequest(argv);
    const write = this.#writes.then(async () => {
      let sent = 0;
      while (sent < bytes.length) sent += await conn.write(bytes.subarray(sent));
    });
    this.#writes = write.catch(() => {});
    return write;
  }

  async #handshake(reader: LinkReader): Promise<void> {
    await this.#send("PING");
    const pong = await reader.line();
    // Redis accepts an authentication error here: AUTH follows.
    if (pong.startsWith("-") && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(pong)) {
      throw new LinkError(`Error reply to PING from master: '${pong}'`);
    }
    const { masterAuth, masterUser, listeningPort, announceIp } = this.options;
    const requests: [string[], boolean][] = [];
    if (masterAuth !== undefined && masterAuth !== "") {
      requests.push([["AUTH", ...(masterUser ? [masterUser] : []), masterAuth], true]);
    }
    requests.push([["REPLCONF", "listening-port", String(listeningPort)], false]);
    if (announceIp) requests.push([["REPLCONF", "ip-address", announceIp], false]);
    requests.push([["REPLCONF", "capa", "eof", "capa", "psync2"], false]);
    for (const [argv] of requests) this.#send(...argv);
    for (const [argv, mustSucceed] of requests) {
      const reply = await reader.line();
      if (!reply.startsWith("-")) continue;
      if (mustSucceed) throw new LinkError(`Unable to AUTH to MASTER: ${reply}`);
      this.replica.log(`(Non critical) Master does not understand ${argv.join(" ")}: ${reply}`);
    }
  }

  /** PSYNC and, for a full resync, the payload; returns the bytes that followed. */
  async #synchronize(reader: LinkReader): Promise<Uint8Array> {
    const history = this.offset >= 0
      ? { replid: this.masterReplid, offset: this.offset }
      : this.replica.history();
    const failover = this.replica.failingOver();
    const psync = [
      "PSYNC",
      history?.replid ?? "?",
      history === undefined ? "-1" : String(history.offset + 1),
    ];
    try {
      await this.#send(...psync, ...(failover ? ["FAILOVER"] : []));
    } catch (err) {
      if (failover) this.replica.failoverAnswered(false);
      throw err;
    }
    let reply = "";
    // Newlines keep the link alive while the master prepares its answer.
    while (reply === "") reply = await reader.line();
    const full = /^\+FULLRESYNC ([0-9a-fA-F]{40}) (\d+)$/.exec(reply);
    if (full !== null) {
      if (failover) this.replica.failoverAnswered(true);
      const [, replid = "", offset] = full;
      return await this.#fullSync(reader, replid, Number(offset));
    }
    const partial = /^\+CONTINUE(?: ([0-9a-fA-F]{40}))?$/.exec(reply);
    if (partial !== null && history !== undefined) {
      this.replica.log("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
      this.offset = history.offset;
      if (partial[1] !== undefined) this.masterReplid = partial[1];
      else this.masterReplid = history.replid;
      this.replica.continued(partial[1], this.offset);
      if (failover) this.replica.failoverAnswered(true);
      return reader.takeBuffered();
    }
    // The target refused to take over: this server is a master again (the link stops).
    if (failover) this.replica.failoverAnswered(false);
    throw new LinkError(`Unexpected reply to PSYNC from master: ${reply}`);
  }

  async #fullSync(reader: LinkReader, replid: string, offset: number): Promise<Uint8Array> {
    this.replica.log(`Full resync from master: ${replid}:${offset}`);
    this.state = "sync";
    const receiver = new RdbPayloadReceiver();
    this.transfer = receiver;
    this.replica.transferStarted(replid);
    try {
      receiver.feed(reader.takeBuffered());
      while (!receiver.done) {
        receiver.feed(await reader.chunk());
        this.replica.transferProgress(receiver.readBytes, receiver.totalBytes);
      }
      this.replica.log(
        `MASTER <-> REPLICA sync: Loading DB in memory (${receiver.rdb().length} bytes)`,
      );
      this.replica.loadRdb(receiver.rdb(), replid, offset);
    } finally {
      this.replica.transferEnded();
    }
    this.transfer = undefined;
    this.masterReplid = replid;
    this.offset = offset;
    this.replica.log("MASTER <-> REPLICA sync: Finished with success");
    return receiver.rest;
  }

  async #stream(reader: LinkReader, first: Uint8Array): Promise<void> {
    this.state = "connected";
    this.downSince = 0;
    // A diskless master waits for this ACK before it starts the stream.
    this.#ack();
    const acks = setInterval(() => this.#ack(), ACK_EVERY_MS);
    const applier = new StreamApplier((argv, bytes) => this.#applied(argv, bytes));
    try {
      applier.take(first);
      for (;;) applier.take(await reader.chunk());
    } finally {
      clearInterval(acks);
    }
  }

  #ack(): void {
    this.#send("REPLCONF", "ACK", String(this.offset)).catch(() => this.#close());
  }

  /** A command of the stream arrived whole (`bytes` are its exact bytes). */
  #applied(argv: string[], bytes: Uint8Array): void {
    if (argv.length === 3 && isGetAck(argv)) {
      // Redis answers with the offset before the GETACK itself.
      this.#ack();
    } else if (argv.length > 0) {
      this.replica.apply(argv);
    }
    this.offset += bytes.length;
    this.replica.streamed(bytes);
  }
}

function isGetAck(argv: string[]): boolean {
  return argv[0]?.toLowerCase() === "replconf" && argv[1]?.toLowerCase() === "getack";
}

function describe(err: unknown): string {
  if (err instanceof LinkError || err instanceof PayloadError) return err.message;
  if (err instanceof Deno.errors.ConnectionRefused) {
    return "Error condition on socket for SYNC: Connection refused";
  }
  return String(err);
}

/**
 * Splits stream bytes into whole commands, keeping each command's exact
 * bytes (a command may span reads) so that offsets count what the master
 * sent.
 */
export class StreamApplier {
  readonly #decoder = new RespRequestDecoder();
  /** Bytes the decoder consumed of a command that is not complete yet. */
  #partial: Uint8Array[] = [];
  /** Bytes the decoder has not consumed yet: they start the next buffer. */
  #leftover = new Uint8Array(0);

  constructor(readonly applied: (argv: string[], bytes: Uint8Array) => void) {}

  take(chunk: Uint8Array): void {
    const bytes = this.#leftover.length === 0 ? chunk : concat([this.#leftover, chunk]);
    let start = 0;
    let commandStart = 0;
    while (start < bytes.length) {
      const argv = this.#decoder.decode(bytes, start, bytes.length);
      start += this.#decoder.consumed;
      if (argv === undefined) break;
      let whole = bytes.subarray(commandStart, start);
      if (this.#partial.length > 0) {
        whole = concat([...this.#partial, whole]);
        this.#partial = [];
      }
      this.applied(argv, whole);
      commandStart = start;
    }
    if (commandStart < start) this.#partial.push(bytes.slice(commandStart, start));
    this.#leftover = bytes.slice(start);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads a connection: whole lines during the handshake, raw chunks after. */
class LinkReader {
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;

  constructor(readonly conn: LinkConn, readonly onData: () => void) {}

  async #fill(): Promise<void> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const grown = new Uint8Array(this.#buf.length * 2);
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = grown;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new LinkError("the master closed the connection");
    this.#end += n;
    this.onData();
  }

  /** The next line without its line ending. */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.#buf.subarray(this.#start, this.#end).indexOf(10);
      if (lf >= 0) {
        const text = bytesToBinary(this.#buf, this.#start, this.#start + lf);
        this.#start += lf + 1;
        return text.endsWith("\r") ? text.slice(0, -1) : text;
      }
      if (this.#end - this.#start > 64 * 1024) throw new LinkError("reply line too long");
      await this.#fill();
    }
  }

  /** Bytes already read past the last line. */
  takeBuffered(): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end = 0;
    return out;
  }

  /** The next bytes from the connection (a fresh array the caller may keep). */
  async chunk(): Promise<Uint8Array> {
    if (this.#start === this.#end) await this.#fill();
    return this.takeBuffered();
  }
}
