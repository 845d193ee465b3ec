/**
 * The REPL's link to a server: sends commands over the native protocol or
 * RESP and reads replies, presenting both as RESP values (native ones through
 * `fromNative`) so the rest of the client has one reply type.
 */
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

const INITIAL_BUFFER = 16 * 1024;

export class ServerConnection {
  #buf = new Uint8Array(INITIAL_BUFFER);
  #start = 0;
  #end = 0;
  #closed = false;
  readonly #scanner = new RespReplyScanner();
  readonly #respDecoder = new RespReplyDecoder();
  readonly #nativeDecoder = new NativeResponseDecoder();

  private constructor(readonly conn: Deno.TcpConn, readonly protocol: WireProtocol) {}

  /** Opens a connection; throws ConnectionError with the reason on failure. */
  static async open(host: string, port: number, protocol: WireProtocol): Promise<ServerConnection> {
    try {
      const conn = await Deno.connect({ hostname: host, port });
      conn.setNoDelay(true);
      return new ServerConnection(conn, protocol);
    } catch (err) {
      throw new ConnectionError(socketErrorText(err));
    }
  }

  async send(argv: readonly string[]): Promise<void> {
    const bytes = this.protocol === "native" ? encodeNativeRequest(argv) : encodeRespRequest(argv);
    try {
      let sent = 0;
      while (sent < bytes.length) sent += await this.conn.write(bytes.subarray(sent));
    } catch (err) {
      throw new ConnectionError(socketErrorText(err));
    }
  }

  /**
   * The next reply. Throws ConnectionError when the link is lost, or when
   * `close()` was called meanwhile (the caller knows which it asked for).
   */
  async read(): Promise<RespValue> {
    for (;;) {
      const reply = this.#decode();
      if (reply !== undefined) return reply;
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
  }

  #decode(): RespValue | undefined {
    if (this.#start === this.#end) return undefined;
    try {
      if (this.protocol === "native") {
        const value = this.#nativeDecoder.decode(this.#buf, this.#start, this.#end);
        if (value === undefined) return undefined;
        this.#start += this.#nativeDecoder.consumed;
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
