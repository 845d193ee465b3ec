/**
 * The socket side of one client: read into a reused buffer, decode every
 * complete request, run them in order, send all their replies with one write.
 * It knows nothing about commands (see dispatch.ts).
 */
import { forgetNotedBytes } from "../protocol/bytes.ts";
import { NativeRequestDecoder } from "../protocol/native.ts";
import { ProtocolError } from "../protocol/errors.ts";
import { RespRequestDecoder } from "../protocol/resp.ts";
import { addressText, isLocalPeer } from "./admission.ts";
import { Client, type ClientTransport, type Protocol } from "./client.ts";
import { processCommand, startBatch } from "./dispatch.ts";
import { FAILED, PENDING, Poller, type PollTarget, WOULD_BLOCK } from "./poller.ts";
import { QUERY_SLICE_SIZE, releaseQueryBuffer, takeQuerySlice } from "./query_slices.ts";
import type { RedisServer } from "./server.ts";
import type { SocketConn } from "./tls_config.ts";

/**
 * Idle clients hold little: a socket read lands in a small buffer, doubled
 * after each read that filled it (up to MAX_READ_SIZE), small again once the
 * client is idle. What it read is appended to the query buffer.
 */
const INITIAL_READ_SIZE = 1024;
const MAX_READ_SIZE = 64 * 1024;
/**
 * The query buffer, as Redis's querybuf: at least PROTO_IOBUF_LEN once
 * used, freed after IDLE_RESIZE_MS of idleness, trimmed to its recent peak
 * past RESIZE_THRESHOLD (clientsCronResizeQueryBuffer), when that frees
 * more than RESIZE_MIN_FREE.
 */
const QUERY_BUF_SIZE = QUERY_SLICE_SIZE;
const RESIZE_THRESHOLD = 32 * 1024;
const RESIZE_MIN_FREE = 4 * 1024;
const IDLE_RESIZE_MS = 2000;
const EMPTY = new Uint8Array(0);
/**
 * What a polled read lands in while the client's query buffer is an empty
 * slice: a client that sends whole requests never writes its own, whose
 * pages then stay uncommitted (query_slices.ts). 10,000 idle clients that
 * each sent one PING held 40 MB of written pages, one each.
 */
const READ_THROUGH = new Uint8Array(QUERY_BUF_SIZE);
/**
 * A batch stops running requests once it has produced this much output;
 * the rest run in further batches once the replies are handed to the socket.
 */
const BATCH_OUTPUT_LIMIT = 256 * 1024;
/**
 * Replies go out while reading goes on, as in Redis, until this much is
 * unsent: then reading waits for the socket. Redis buffers without bound
 * (client-output-buffer-limit normal is 0): its tests pipeline 1M requests
 * before reading 5 MB of replies, and count clients' output toward
 * maxmemory (unit/maxmemory). A client that never reads holds at most about
 * this much.
 */
const OUTPUT_BACKPRESSURE = 16 * 1024 * 1024;
/**
 * A polled batch that left this much output writes it at once, not at the
 * round's end: its buffer, still in cache, then serves the next client's
 * batch (writer.ts, the spare buffer), where 50 clients each holding a
 * batch of 16 GETs of 16 KB until the round's end went through megabytes.
 * Not while earlier bytes wait for the socket or an fsync (#canWriteNow).
 */
const EAGER_WRITE = 64 * 1024;

interface Decoder {
  consumed: number;
  decode(buf: Uint8Array, start: number, end: number): string[] | undefined;
}

/**
 * Which protocol a connection speaks, from its first bytes (docs/protocol.md):
 * a native frame starts with a little-endian length <= 32 MiB, so its fourth
 * byte is 0-2, while RESP is text. Undefined until enough bytes arrived.
 */
export function detectProtocol(buf: Uint8Array, end: number): "resp" | "native" | undefined {
  for (let i = 0; i < Math.min(end, 3); i++) {
    if (buf[i] === 10) return "resp";
  }
  if (end < 4) return undefined;
  return buf[3]! <= 2 ? "native" : "resp";
}

/**
 * Two ways to serve a socket, with the same batches: Deno's sockets (a read
 * loop awaiting each read, a write loop awaiting each write), or the server's
 * Poller, which calls onReadable when bytes wait and writes replies at the
 * end of its round, with no promise on the way (poller.ts).
 */
export class Connection implements ClientTransport, PollTarget {
  client: Client | undefined;
  /** What a socket read lands in (see INITIAL_READ_SIZE). */
  #readBuf = EMPTY;
  /** The query buffer: requests received, consumed from #start, up to #end. */
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  /** The most bytes the query buffer held since the cron last looked (Redis's querybuf_peak). */
  #peak = 0;
  #decoder: Decoder | undefined;
  #writing: Promise<void> | undefined;
  /** Bytes handed to the socket and not yet written. */
  #inFlight = 0;
  /** Bytes of a write the poller batched (PENDING), until writeDone. */
  #batchedLength = 0;
  /** The last batch stopped at BATCH_OUTPUT_LIMIT with requests left to run. */
  #outputCapped = false;
  #closed = false;
  #stopping = false;
  /** Where the request being run began in #buf (CLIENT LIST's qbuf counts it). */
  #requestStart = 0;
  /**
   * A request CLIENT PAUSE or the Lua VM's loading holds, run again on resume.
   * Kept decoded: a large bulk is gathered outside #buf, so it cannot be read twice.
   */
  #held: string[] | undefined;
  /** When a connection that never sent a byte was first seen idle (timeout). */
  idleSince: number | undefined;
  /**
   * The read loop, or for a polled socket a promise made only when asked
   * (shutdown): a promise, its reaction and closures were ~0.4 KB of an idle
   * client. The connection leaves server.connections itself as it ends.
   */
  #done: Promise<void> | undefined;
  /** Resolves #done of a polled socket. */
  #ended: (() => void) | undefined;
  /** The poller serving this socket, and its descriptor; -1 when Deno's loops do. */
  readonly #poller: Poller | undefined;
  readonly #fd: number = -1;
  /** A polled write's chunk the socket has not taken whole, and how much it took. */
  #unsent: Uint8Array | undefined;
  #sent = 0;
  #flushScheduled = false;
  /** Polled reading waits: for unsent replies (backpressure), or for good (end of stream). */
  #readingPaused = false;
  #peerDone = false;
  /** The least free space a polled read gets (as #readBuf's size for Deno's reads). */
  #readSize = INITIAL_READ_SIZE;

  constructor(readonly server: RedisServer, readonly conn: SocketConn) {
    try {
      conn.setNoDelay?.(true);
    } catch {
      // The peer may already be gone; the read loop will notice.
    }
    const poller = server.poller;
    const fd = poller === undefined ? undefined : Poller.fdOf(conn);
    if (poller === undefined || fd === undefined) {
      this.#readBuf = new Uint8Array(INITIAL_READ_SIZE);
      this.#done = this.#readLoop();
      return;
    }
    this.#poller = poller;
    this.#fd = fd;
    poller.add(fd, this);
  }

  /** Resolves when the read loop ends (or a polled socket closes). */
  get done(): Promise<void> {
    if (this.#done !== undefined) return this.#done;
    if (this.#closed) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#ended = resolve;
    return this.#done = promise;
  }

  // Formatted on demand: most clients never need them (CLIENT LIST, logs).
  get remoteAddr(): string {
    return addressText(this.conn.remoteAddr, this.#socketPath);
  }

  get localAddr(): string {
    return addressText(this.conn.localAddr, this.#socketPath);
  }

  /** Whether the peer is on this machine (loopback or a Unix socket). */
  get isLocal(): boolean {
    return isLocalPeer(this.conn.remoteAddr);
  }

  get unixSocket(): boolean {
    return !("hostname" in this.conn.localAddr);
  }

  get #socketPath(): string {
    const l = this.conn.localAddr;
    return "path" in l ? l.path ?? "" : "";
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Reply bytes the server holds for this client: queued plus being written. */
  get outputBytes(): number {
    return this.#inFlight + (this.client?.out.length ?? 0);
  }

  get inputBytes(): number {
    return this.#readBuf.length + this.queryBufferBytes;
  }

  /** The query buffer and a request's arguments decoded so far (qbuf + qbuf-free). */
  get queryBufferBytes(): number {
    const decoder = this.#decoder;
    const pending = decoder instanceof RespRequestDecoder ? decoder.pendingBytes : 0;
    return this.#buf.length + pending;
  }

  /**
   * Bytes received and not yet consumed, the request being run included
   * (qbuf); of a bulk being received, its data only, as Redis.
   */
  get queryBytes(): number {
    const decoder = this.#decoder;
    const header = decoder instanceof RespRequestDecoder ? decoder.bulkHeader : 0;
    return Math.max(0, this.#end - this.#requestStart - header);
  }

  get fd(): number {
    return this.#fd >= 0 ? this.#fd : Poller.fdOf(this.conn) ?? -1;
  }

  /** Replies handed to the socket and not yet written: 0 or 1 chunk (oll). */
  get queuedWrites(): number {
    return this.#inFlight > 0 ? 1 : 0;
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#closed) {
        // The cron may swap #readBuf while this read is pending: it lands where it began.
        const target = this.#readBuf;
        const n = await this.conn.read(target);
        if (n === null) break;
        this.#received(target, n);
        await this.#drain();
        if (this.client?.closeAfterReply || this.#stopping) break;
      }
    } catch (err) {
      this.#logFailure(err);
    } finally {
      if (this.#writing) await this.#writing;
      this.close();
      this.server.connections.delete(this);
    }
  }

  /** Takes in what one read brought, then runs the requests it completed. */
  #received(target: Uint8Array, n: number): void {
    if (this.#closed) return;
    this.#append(target.subarray(0, n));
    if (n === target.length && n < MAX_READ_SIZE) this.#readBuf = new Uint8Array(n * 2);
    this.#counted(n, Date.now());
    this.process();
    this.#reserveForBulk();
  }

  /**
   * A read's statistics, stamped `now`. A polled read passes the round's
   * time as read from the poller: a choice between it and Date.now() here made
   * V8 box the time as a heap number, 16 bytes a request.
   */
  #counted(bytesRead: number, now: number): void {
    this.server.stats.netInputBytes += bytesRead;
    this.server.stats.readsProcessed++;
    if (this.client) this.client.lastInteraction = now;
  }

  #logFailure(err: unknown): void {
    if (
      !(err instanceof Deno.errors.BadResource || err instanceof Deno.errors.ConnectionReset ||
        err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.Interrupted)
    ) {
      this.server.log(`connection ${this.remoteAddr}: ${err}`);
    }
  }

  /**
   * The poller saw bytes (or the end of the stream) waiting: one read, straight
   * into the query buffer's free space (at least #readSize), then its batch.
   */
  onReadable(): void {
    if (this.#closed || this.#readingPaused) return;
    try {
      if (this.#buf.length - this.#end < this.#readSize && !this.#bulkHasRoom()) {
        this.#makeRoom(this.#readSize);
      }
      const own = this.#buf;
      const target = this.#end === 0 && own.length === QUERY_BUF_SIZE ? READ_THROUGH : own;
      const room = target.length - this.#end;
      const n = this.#poller!.read(this.#fd, target, this.#end);
      if (n === WOULD_BLOCK) return;
      if (n === FAILED) return this.close();
      if (n === 0) {
        // As the read loop: replies already made still go, then the socket closes.
        this.#peerDone = true;
        this.#pauseReading();
        return this.#writePolled();
      }
      if (n === room) {
        // More may wait, and an edge-triggered socket is not reported again for it.
        if (n < MAX_READ_SIZE) this.#readSize = Math.min(n * 2, MAX_READ_SIZE);
        this.#poller!.rearm(this.#fd);
      }
      this.#landed(n);
      this.#counted(n, this.#poller!.roundMs);
      if (target === own) this.process();
      else this.#processReadThrough(own);
      this.#reserveForBulk();
      this.#drainPolled();
    } catch (err) {
      this.#logFailure(err);
      this.close();
    }
  }

  /**
   * Runs the requests a read brought into READ_THROUGH as if they were in
   * `own`, the client's empty query buffer (the same size, so CLIENT LIST
   * and used_memory see no difference); only bytes left over (a partial
   * request, a blocked client's next ones) are copied into it. Nothing
   * refers to a batch's bytes after it (process() forgets them).
   */
  #processReadThrough(own: Uint8Array): void {
    this.#buf = READ_THROUGH;
    try {
      this.process();
    } finally {
      // A connection closed meanwhile gives `own` back; bytes left over move to it.
      if (this.#buf !== READ_THROUGH) releaseQueryBuffer(own);
      else if (this.#end === 0) this.#buf = own;
      else this.#moveTo(own);
    }
  }

  onWritable(): void {
    try {
      this.#writePolled();
    } catch (err) {
      this.#logFailure(err);
      this.close();
    }
  }

  /** The result of the write the poller batched (PENDING): as #writePolled's first write. */
  writeDone(n: number): void {
    const length = this.#batchedLength;
    this.#batchedLength = 0;
    const out = this.client?.out;
    if (this.#closed || out === undefined || length === 0) return;
    if (n === FAILED) return this.close();
    this.#firstWritten(out, n, length);
    this.onWritable();
  }

  /** A write of the reply buffer's `length` bytes took `n`: what it did not take waits as #unsent. */
  #firstWritten(out: Client["out"], n: number, length: number): void {
    if (n === length) {
      out.sent();
      return this.#written(length);
    }
    this.#unsent = out.take();
    this.#sent = Math.max(n, 0);
    this.#inFlight = length - this.#sent;
  }

  flushPending(): void {
    this.#flushScheduled = false;
    this.onWritable();
  }

  /** #drain for a polled socket: replies go at the round's end unless a limit says now. */
  #drainPolled(): void {
    while (this.client !== undefined && !this.#closed) {
      const client = this.client;
      if (client.closeAfterReply || this.#stopping) {
        this.#pauseReading();
        return this.#writePolled();
      }
      if (client.out.length === 0 && !this.#outputCapped) return;
      if (this.#closedOverOutputLimit(client)) return;
      if (
        !this.#outputCapped && this.outputBytes < OUTPUT_BACKPRESSURE &&
        (client.out.length < EAGER_WRITE || !this.#canWriteNow)
      ) return this.#startWrites();
      this.#writePolled();
      if (this.outputBytes >= OUTPUT_BACKPRESSURE) return this.#pauseReading();
      if (this.#outputCapped) this.process();
    }
  }

  /**
   * Whether #writePolled would write now: not while earlier bytes wait for
   * the socket or the write loop has the batch (an fsync, a listener). An
   * eager write then writes nothing, and asking again each time round
   * #drainPolled's loop spun the server forever.
   */
  get #canWriteNow(): boolean {
    return this.#unsent === undefined && this.#writing === undefined;
  }

  #pauseReading(): void {
    this.#readingPaused = true;
    this.#poller!.watch(this.#fd, false, this.#unsent !== undefined);
  }

  /** Writes what the socket takes now; the rest when it is writable again. */
  #writePolled(): void {
    const client = this.client;
    if (this.#closed || this.#writing || this.#batchedLength > 0) return;
    const out = client?.out;
    while (out !== undefined) {
      const chunk = this.#unsent;
      if (chunk === undefined) {
        const length = out.length;
        if (length === 0) break;
        // Replies that wait for an fsync or a listener go by the write loop.
        if (this.server.beforeReply?.() !== undefined || this.server.listenerBinding) {
          this.#flush().then(() => this.#allWritten());
          return;
        }
        // Mostly the socket takes the whole batch, straight from the writer's buffer.
        const n = this.#poller!.write(this.#fd, out.buf, 0, length);
        if (n === PENDING) {
          this.#batchedLength = length;
          return;
        }
        if (n === FAILED) return this.close();
        // Taken whole, the loop looks for more; in part, it writes the rest (#unsent) next.
        this.#firstWritten(out, n, length);
        continue;
      }
      const n = this.#poller!.write(this.#fd, chunk, this.#sent, chunk.length);
      if (n === WOULD_BLOCK) return this.#poller!.watch(this.#fd, !this.#readingPaused, true);
      if (n === FAILED) return this.close();
      this.#sent += n;
      this.#inFlight = chunk.length - this.#sent;
      if (this.#inFlight > 0) continue;
      this.#unsent = undefined;
      out.recycle(chunk);
      this.#written(chunk.length);
    }
    this.#allWritten();
  }

  /**
   * A write is done: statistics, and the client's share of used_memory
   * recounted (Redis's writeToClient updates it too), or invalidation
   * messages already sent would count until the cron and make more keys
   * evict, whose messages count in turn (unit/maxmemory's feedback loop).
   */
  #written(bytes: number): void {
    this.server.stats.netOutputBytes += bytes;
    this.server.stats.writesProcessed++;
    if (this.client !== undefined) this.server.maxmemory?.recount(this.client);
  }

  /** Every reply is out: close if the client is done, else read on. */
  #allWritten(): void {
    if (this.#closed) return;
    if (this.client?.closeAfterReply || this.#stopping || this.#peerDone) return this.close();
    this.#poller!.watch(this.#fd, true, false);
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    if (this.#outputCapped || this.#start < this.#end) {
      this.process();
      this.#drainPolled();
    }
  }

  /**
   * Decodes and runs every complete request in the buffer, in order. Stops
   * early while the client is blocked (BLPOP...) and resumes on unblock.
   */
  process(): void {
    try {
      if (this.#decoder === undefined && !this.#detect()) return;
      // Clients past maxmemory-clients go before the batch runs (Redis's processCommand).
      const maxmemory = this.server.maxmemory;
      if (maxmemory?.evictionDue) {
        maxmemory.evictClients();
        if (this.#closed) return;
      }
      const client = this.client!;
      const decoder = this.#decoder!;
      const buf = this.#buf;
      let start = this.#start;
      const end = this.#end;
      const out = client.out;
      // Replies not yet taken by the write loop were another batch's.
      const batchStart = out.length;
      this.#outputCapped = false;
      startBatch();
      if (this.#held !== undefined && !client.blocked) {
        const held = this.#held;
        this.#held = undefined;
        processCommand(client, held);
        if (isPostponed(client)) this.#held = held;
      }
      while (start < end && !client.blocked && !client.closeAfterReply && !this.#closed) {
        const tap = client.inputTap;
        if (tap !== undefined) {
          tap.input(buf.subarray(start, end));
          start = end;
          break;
        }
        if (out.length - batchStart >= BATCH_OUTPUT_LIMIT) {
          this.#outputCapped = true;
          break;
        }
        const begun = start;
        const argv = decoder.decode(buf, start, end);
        start += decoder.consumed;
        if (argv === undefined) break;
        if (argv.length === 0) continue;
        this.#start = start;
        this.#requestStart = begun;
        processCommand(client, argv);
        if (isPostponed(client)) this.#held = argv;
      }
      this.#start = this.#requestStart = start;
      if (start === end) this.#start = this.#end = 0;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      // Malformed input or a limit exceeded: send the replies to the requests
      // before it, tell a RESP client why, then drop the connection.
      const client = this.client!;
      if (err.reply !== undefined) client.out.error(err.reply);
      client.closeAfterReply = true;
      // A write in flight closes the connection when it ends (#writeLoop).
      if (client.out.length > 0) this.flushSoon();
      else if (!this.#writing) this.close();
    } finally {
      forgetNotedBytes();
      const decoder = this.#decoder;
      if (decoder instanceof NativeRequestDecoder) decoder.releaseView();
    }
    // What the batch left (replies, a partial request) counts now (maxmemory-clients).
    if (this.client !== undefined) this.server.maxmemory?.recount(this.client);
  }

  /**
   * A large bulk whose header arrived gets its whole size in the query buffer
   * at once, as Redis sizes its querybuf for a big argument: CLIENT LIST and
   * maxmemory-clients see the request's size before the rest of it arrives.
   */
  #reserveForBulk(): void {
    const decoder = this.#decoder;
    if (this.#closed || !(decoder instanceof RespRequestDecoder)) return;
    const needed = decoder.needed;
    if (needed <= this.#buf.length - this.#start) return;
    this.#makeRoom(needed - (this.#end - this.#start));
    if (this.client !== undefined) this.server.maxmemory?.recount(this.client);
  }

  /**
   * Whether the query buffer already has room for the rest of the large bulk
   * being received: a read then takes just that, where making #readSize of
   * room doubled a buffer sized for the bulk (#reserveForBulk) near its end.
   */
  #bulkHasRoom(): boolean {
    const decoder = this.#decoder;
    if (!(decoder instanceof RespRequestDecoder) || decoder.needed === 0) return false;
    const bulkEnd = this.#start + decoder.needed;
    return this.#end < bulkEnd && bulkEnd <= this.#buf.length;
  }

  #detect(): boolean {
    const kind = detectProtocol(this.#buf, this.#end);
    if (kind === undefined) return false;
    const protocol: Protocol = kind === "native" ? "native" : 2;
    const decoder = kind === "native" ? new NativeRequestDecoder() : new RespRequestDecoder();
    const maxBulkLen = this.server.config.getNumber("proto-max-bulk-len");
    if (decoder instanceof RespRequestDecoder) decoder.maxBulkLen = maxBulkLen;
    else {
      decoder.maxArgLen = maxBulkLen;
      // process() forgets the noted bytes before this buffer is read into again.
      decoder.notesBytes = true;
    }
    this.#decoder = decoder;
    const client = this.client = new Client(this.server, this, protocol);
    if (decoder instanceof RespRequestDecoder) {
      decoder.auth = client;
      // process() forgets the noted bytes before this buffer is read into again.
      decoder.notesBytes = true;
    }
    this.client.lastInteraction = Date.now();
    this.server.registerClient(this.client);
    return true;
  }

  /** Appends what a read brought to the query buffer, growing it as needed. */
  #append(bytes: Uint8Array): void {
    if (this.#end + bytes.length > this.#buf.length) this.#makeRoom(bytes.length);
    this.#buf.set(bytes, this.#end);
    this.#landed(bytes.length);
  }

  /** `n` bytes were written into the query buffer at #end. */
  #landed(n: number): void {
    this.#end += n;
    if (this.#end - this.#start > this.#peak) this.#peak = this.#end - this.#start;
  }

  /** Makes space for `incoming` more bytes: compacts consumed bytes, grows when full. */
  #makeRoom(incoming: number): void {
    if (this.#start > 0) this.#moveTo(this.#buf);
    const wanted = this.#end + incoming;
    if (wanted <= this.#buf.length) return;
    let needed = Math.max(QUERY_BUF_SIZE, this.#buf.length * 2, wanted);
    // A large bulk or native frame says how many bytes it needs: grow once.
    const hint = this.#decoder instanceof RespRequestDecoder
      ? this.#decoder.needed
      : this.#decoder instanceof NativeRequestDecoder
      ? this.#decoder.expectedLength(this.#buf, this.#start, this.#end) ?? 0
      : 0;
    if (hint > needed) needed = hint;
    const limit = this.server.config.getNumber("client-query-buffer-limit");
    if (needed > limit) {
      this.server.log(`closing ${this.remoteAddr}: query buffer over ${limit} bytes`);
      this.server.stats.queryBufferLimitDisconnections++;
      throw new Deno.errors.Interrupted("query buffer limit");
    }
    this.#moveTo(needed === QUERY_BUF_SIZE ? takeQuerySlice() : new Uint8Array(needed));
  }

  /** Moves the unconsumed bytes to the start of `buf`, which becomes the query buffer. */
  #moveTo(buf: Uint8Array): void {
    const used = this.#end - this.#start;
    if (used > 0) buf.set(this.#buf.subarray(this.#start, this.#end));
    this.#requestStart -= this.#start;
    if (buf !== this.#buf) releaseQueryBuffer(this.#buf);
    this.#buf = buf;
    this.#start = 0;
    this.#end = used;
  }

  /**
   * The cron's resize (Redis's clientsCronResizeQueryBuffer): an idle
   * client's query buffer is freed and its read buffer made small again; a
   * buffer far larger than its recent peak is trimmed to that peak.
   */
  resizeBuffers(now: number): void {
    // A client over its soft output limit that stopped getting replies still times out
    // (Redis's clientsCron checks it too).
    if (this.client !== undefined && this.client.softLimitSince !== 0) {
      if (this.#closedOverOutputLimit(this.client)) return;
    }
    const used = this.#end - this.#start;
    const idle = now - (this.client?.lastInteraction ?? now) > IDLE_RESIZE_MS;
    if (idle && this.#readBuf.length > INITIAL_READ_SIZE) {
      this.#readBuf = new Uint8Array(INITIAL_READ_SIZE);
    }
    if (idle) {
      this.#readSize = INITIAL_READ_SIZE;
    } else if (this.#readSize > INITIAL_READ_SIZE && this.#peak * 2 < this.#readSize) {
      // Reads stopped filling it: the room each read makes shrinks to the recent peak, or
      // one big request would hold an active client's query buffer at its size for good.
      let size = INITIAL_READ_SIZE;
      while (size < this.#peak) size *= 2;
      this.#readSize = size;
    }
    const size = this.#buf.length;
    if (size - used > RESIZE_MIN_FREE) {
      if (idle) this.#moveTo(used === 0 ? EMPTY : new Uint8Array(used));
      else if (size > RESIZE_THRESHOLD && size / 2 > this.#peak) {
        this.#moveTo(new Uint8Array(Math.max(used, this.#peak)));
      }
    }
    this.#peak = used;
  }

  /**
   * After a batch: its replies start out, and reading goes on unless
   * OUTPUT_BACKPRESSURE bytes are unsent (then they all go first); a batch
   * that stopped at BATCH_OUTPUT_LIMIT runs on in further batches until then.
   */
  async #drain(): Promise<void> {
    while (this.client !== undefined && !this.#closed) {
      const client = this.client;
      if (client.out.length === 0 && !this.#outputCapped) return;
      if (this.#closedOverOutputLimit(client)) return;
      this.#startWrites();
      if (this.outputBytes >= OUTPUT_BACKPRESSURE) await this.#flush();
      else if (!this.#outputCapped) return;
      if (this.#outputCapped) this.process();
    }
  }

  /** Sends everything in client.out; one write per batch of replies. */
  #flush(): Promise<void> {
    if (this.#writing) return this.#writing;
    const promise = this.#writeLoop();
    this.#writing = promise;
    return promise;
  }

  async #writeLoop(): Promise<void> {
    const out = this.client!.out;
    try {
      while (out.length > 0 && !this.#closed) {
        const chunk = out.take();
        this.#inFlight = chunk.length;
        const durable = this.server.beforeReply?.();
        if (durable !== undefined) await durable;
        const bound = this.server.listenerBinding;
        if (bound !== undefined) await bound;
        let sent = 0;
        while (sent < chunk.length) {
          sent += await this.conn.write(chunk.subarray(sent));
          this.#inFlight = chunk.length - sent;
        }
        out.recycle(chunk);
        this.#written(chunk.length);
      }
    } catch {
      this.close();
    } finally {
      this.#writing = undefined;
    }
    if (this.client?.closeAfterReply) this.close();
  }

  flushSoon(): void {
    const client = this.client;
    if (this.#closed || client === undefined || client.out.length === 0) return;
    if (this.#closedOverOutputLimit(client)) return;
    // A message pushed to a client that is not reading counts before any write (Redis's
    // updateClientMemUsageAndBucket after PUBLISH and tracking's invalidations).
    this.server.maxmemory?.pushed(client);
    this.#startWrites();
  }

  /** Replies go out: the write loop starts, or the poller writes them at its round's end. */
  #startWrites(): void {
    if (this.#poller === undefined) {
      if (!this.#writing) this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#poller.scheduleFlush(this);
    }
  }

  /**
   * A client that stops reading (a slow subscriber) or asks for more than
   * client-output-buffer-limit allows must not grow our memory: it is closed.
   */
  #closedOverOutputLimit(client: Client): boolean {
    // Nearly always a few replies, under every limit: nothing to ask (RedisServer.outputFloor).
    if (this.outputBytes <= this.server.outputFloor && client.softLimitSince === 0) return false;
    if (!this.server.outputOverLimit(client)) return false;
    this.server.log(`closing ${this.remoteAddr}: output buffer over its limit`);
    this.server.stats.outputBufferLimitDisconnections++;
    this.close();
    return true;
  }

  /** Runs the requests that queued up while the client was blocked. */
  resume(): void {
    if (this.#closed) return;
    this.process();
    if (this.#poller !== undefined) this.#drainPolled();
    else this.flushSoon();
  }

  /** Graceful shutdown: finish replies in flight, then close. */
  stop(): void {
    this.#stopping = true;
    if (this.#writing) this.#writing.then(() => this.close());
    else if (this.#unsent !== undefined) this.#pauseReading(); // #allWritten closes
    else this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poller !== undefined) {
      this.#poller.remove(this.#fd);
      this.#unsent = undefined;
      this.#inFlight = 0;
      this.server.connections.delete(this);
      this.#ended?.();
    }
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer.
    }
    if (this.client) this.server.unregisterClient(this.client);
    releaseQueryBuffer(this.#buf);
    this.#buf = EMPTY;
    this.#start = this.#end = 0;
  }
}

/** Whether CLIENT PAUSE holds the client (read past the loop's narrowing of `blocked`). */
function isPostponed(client: Client): boolean {
  return client.blocked?.postponed === true;
}
