/**
 * The REPL's link to a server: sends commands over the native protocol or
 * RESP and reads replies, presenting both as RESP values (native ones through
 * `fromNative`) so the rest of the client has one reply type.
 */
import { bytesToBinary } from "../protocol/bytes.ts";
import { encodeNativeRequest, NativeResponseDecoder } from "../protocol/native.ts";
import { encodeRespRequest, RespReplyDecoder, type RespValue } from "../protocol/resp.ts";
import { fromNative, quoteString } from "./render.ts";

export type WireProtocol = "native" | "resp";

/**
 * A failure to connect or a lost link, worded as hiredis words it
 * ("Connection refused", "Server closed the connection").
 */
export class ConnectionError extends Error {}

/** The OS's words for a socket error, without Deno's decorations. */
export function socketErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .replace(/ \(os error \d+\)$/, "")
    .replace(/^failed to lookup address information: /, "");
}

/**
 * Finds where one RESP reply ends without decoding it, resuming where the
 * last call stopped, so a large reply arriving over many reads is scanned
 * once (the decoder then parses it once, complete).
 */
export class RespReplyScanner {
  /** Bytes of the reply scanned so far. */
  #scanned = 0;
  /** Values still to come before the reply is complete. */
  #pending = 1;

  /**
   * The reply's length if buf[start, end) holds all of it. Throws
   * ConnectionError, in hiredis's words, on a byte that starts no reply type.
   */
  complete(buf: Uint8Array, start: number, end: number): number | undefined {
    let pos = start + this.#scanned;
    while (this.#pending > 0) {
      const lf = buf.subarray(pos, end).indexOf(10);
      if (lf < 0) return undefined;
      const type = buf[pos]!;
      let next = pos + lf + 1;
      if (type === 0x24 /* $ */ || type === 0x3d /* = */ || type === 0x21 /* ! */) {
        const length = lineNumber(buf, pos + 1, next);
        if (length >= 0) next += length + 2;
        if (next > end) return undefined;
      } else if (type === 0x2a /* * */ || type === 0x7e /* ~ */ || type === 0x3e /* > */) {
        this.#pending += Math.max(0, lineNumber(buf, pos + 1, next));
      } else if (type === 0x25 /* % */) {
        this.#pending += 2 * Math.max(0, lineNumber(buf, pos + 1, next));
      } else if (type === 0x7c /* | */) {
        // Attributes, then the reply they describe.
        this.#pending += 2 * Math.max(0, lineNumber(buf, pos + 1, next)) + 1;
      } else if (!LINE_TYPES.has(type)) {
        throw new ConnectionError(
          `Protocol error, got ${quoteString(String.fromCharCode(type))} as reply type byte`,
        );
      }
      this.#pending--;
      pos = next;
      this.#scanned = pos - start;
    }
    const length = this.#scanned;
    this.#scanned = 0;
    this.#pending = 1;
    return length;
  }
}

/** Reply types that are one line: simple string, error, integer, null, double, boolean, big number. */
const LINE_TYPES = new Set([..."+-:_,#("].map((c) => c.charCodeAt(0)));

/** The integer on a header line buf[start, lineEnd), before its CR LF; -1 when there is none. */
function lineNumber(buf: Uint8Array, start: number, lineEnd: number): number {
  let value = 0;
  let sign = 1;
  let i = start;
  if (buf[i] === 0x2d /* - */) {
    sign = -1;
    i++;
  }
  const stop = buf[lineEnd - 2] === 13 ? lineEnd - 2 : lineEnd - 1;
  if (i >= stop) return -1;
  for (; i < stop; i++) {
    const digit = buf[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return sign * value;
}

/** Why a native connection failed against a RESP server. */
export const NOT_NATIVE = "the server does not speak the native protocol; try --resp";

const INITIAL_BUFFER = 16 * 1024;

/** Where a server listens: a TCP host and port, or a Unix socket path. */
export interface Endpoint {
  host: string;
  port: number;
  socket?: string;
}

/** redis-cli's way to name an endpoint: the socket path, or host:port (IPv6 in brackets when needed). */
export function endpointName(endpoint: Endpoint, brackets = false): string {
  if (endpoint.socket !== undefined) return endpoint.socket;
  const { host, port } = endpoint;
  return brackets && host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Sees every frame as it crosses the wire (request bytes as sent, reply bytes as received). */
export type WireTap = (direction: "request" | "reply", bytes: Uint8Array) => Promise<void>;

/**
 * A native connection starts with a PING, answered at once by redis-home. A
 * server that only speaks RESP reads the bytes as an inline command and waits
 * for a line feed that never comes (the length's zero bytes end its line
 * search first), so silence this long means it is not redis-home.
 */
const NATIVE_PROBE_TIMEOUT_MS = 2000;

export class ServerConnection {
  #buf = new Uint8Array(INITIAL_BUFFER);
  #start = 0;
  #end = 0;
  #closed = false;
  /** Set until the first native reply has shown it is one. */
  #verifyNative = false;
  readonly #scanner = new RespReplyScanner();
  readonly #respDecoder = new RespReplyDecoder();
  readonly #nativeDecoder = new NativeResponseDecoder();
  tap: WireTap | undefined;

  private constructor(readonly conn: Deno.Conn, readonly protocol: WireProtocol) {}

  /**
   * Opens a connection; throws ConnectionError with the reason on failure,
   * also when a native connection reaches a server that answers in RESP.
   */
  static async open(endpoint: Endpoint, protocol: WireProtocol): Promise<ServerConnection> {
    let conn: Deno.Conn;
    try {
      if (endpoint.socket !== undefined) {
        conn = await Deno.connect({ transport: "unix", path: endpoint.socket });
      } else {
        const tcp = await Deno.connect({ hostname: endpoint.host, port: endpoint.port });
        tcp.setNoDelay(true);
        conn = tcp;
      }
    } catch (err) {
      throw new ConnectionError(socketErrorText(err));
    }
    const connection = new ServerConnection(conn, protocol);
    if (protocol === "native") await connection.#probe();
    return connection;
  }

  async #probe(): Promise<void> {
    this.#verifyNative = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silence = new Promise<"silence">((resolve) => {
      timer = setTimeout(() => resolve("silence"), NATIVE_PROBE_TIMEOUT_MS);
    });
    const answered = this.call(["PING"]);
    try {
      if (await Promise.race([answered, silence]) === "silence") {
        this.close();
        await answered.catch(() => {});
        throw new ConnectionError(NOT_NATIVE);
      }
    } catch (err) {
      this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes bytes as they are (--pipe sends its input this way). */
  async write(bytes: Uint8Array): Promise<void> {
    try {
      let sent = 0;
      while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
    } catch (err) {
      throw new ConnectionError(socketErrorText(err));
    }
  }

  async send(argv: readonly string[]): Promise<void> {
    await this.sendMany([argv]);
  }

  /** Sends several requests in one write (a pipeline); read their replies in order. */
  async sendMany(requests: readonly (readonly string[])[]): Promise<void> {
    const frames = requests.map((argv) =>
      this.protocol === "native" ? encodeNativeRequest(argv) : encodeRespRequest(argv)
    );
    if (this.tap !== undefined) { for (const frame of frames) await this.tap("request", frame); }
    const [only] = frames;
    if (frames.length === 1 && only !== undefined) return this.write(only);
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      all.set(frame, at);
      at += frame.length;
    }
    await this.write(all);
  }

  /** Sends one command and reads its reply. */
  async call(argv: readonly string[]): Promise<RespValue> {
    await this.send(argv);
    return this.read();
  }

  /**
   * The next reply. Throws ConnectionError when the link is lost, or when
   * `close()` was called meanwhile (the caller knows which it asked for).
   */
  async read(): Promise<RespValue> {
    for (;;) {
      const start = this.#start;
      const reply = this.#decode();
      if (reply !== undefined) {
        await this.tap?.("reply", this.#buf.slice(start, this.#start));
        return reply;
      }
      await this.#fill();
    }
  }

  /** Reads more bytes into the buffer; throws ConnectionError at end of stream. */
  async #fill(): Promise<void> {
    this.#makeRoom();
    let n: number | null;
    try {
      n = await this.conn.read(this.#buf.subarray(this.#end));
    } catch (err) {
      throw new ConnectionError(this.#closed ? "closed" : socketErrorText(err));
    }
    if (n === null) throw new ConnectionError("Server closed the connection");
    this.#end += n;
  }

  /**
   * One line of raw protocol (SYNC's "$<length>" header), without its line
   * feed; empty lines before it (a server's keepalives) are skipped.
   */
  async readLine(): Promise<string> {
    for (;;) {
      while (this.#start < this.#end && this.#buf[this.#start] === 10) this.#start++;
      const lf = this.#buf.subarray(this.#start, this.#end).indexOf(10);
      if (lf >= 0) {
        const line = bytesToBinary(this.#buf, this.#start, this.#start + lf);
        this.#start += lf + 1;
        return line;
      }
      await this.#fill();
    }
  }

  /** Up to `max` raw bytes: buffered ones first, else what the next read brings. */
  async readBytes(max: number): Promise<Uint8Array> {
    if (this.#start === this.#end) await this.#fill();
    const n = Math.min(max, this.#end - this.#start);
    const bytes = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return bytes;
  }

  #decode(): RespValue | undefined {
    if (this.#start === this.#end) return undefined;
    try {
      if (this.protocol === "native") {
        if (this.#verifyNative) this.#checkNative();
        const value = this.#nativeDecoder.decode(this.#buf, this.#start, this.#end);
        if (value === undefined) return undefined;
        this.#start += this.#nativeDecoder.consumed;
        this.#verifyNative = false;
        return fromNative(value);
      }
      if (this.#scanner.complete(this.#buf, this.#start, this.#end) === undefined) return undefined;
      const value = this.#respDecoder.decode(this.#buf, this.#start, this.#end)!;
      this.#start += this.#respDecoder.consumed;
      return value;
    } catch (err) {
      // A reply we cannot parse leaves the stream unusable.
      this.close();
      if (err instanceof ConnectionError) throw err;
      throw new ConnectionError(`Protocol error: ${(err as Error).message}`);
    }
  }

  /**
   * A native reply starts with its length, below 32 MiB, so its fourth byte
   * is 0, 1 or 2; a RESP reply (an error to a request with a line feed in
   * it, say) has text there.
   */
  #checkNative(): void {
    if (this.#end - this.#start >= 4 && this.#buf[this.#start + 3]! > 2) {
      throw new ConnectionError(NOT_NATIVE);
    }
  }

  /** Ensures free space after the buffered bytes: moves them to the front, or grows. */
  #makeRoom(): void {
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      return;
    }
    if (this.#end < this.#buf.length) return;
    const used = this.#end - this.#start;
    if (used * 2 > this.#buf.length) {
      const grown = new Uint8Array(this.#buf.length * 2);
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = grown;
    } else {
      this.#buf.copyWithin(0, this.#start, this.#end);
    }
    this.#start = 0;
    this.#end = used;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer.
    }
  }
}
