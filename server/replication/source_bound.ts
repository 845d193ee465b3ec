/**
 * A connection to the master from a chosen local address (bind-source-addr,
 * as Redis's anetTcpNonBlockBestEffortBindConnect): Deno.connect cannot bind
 * its socket first, node:net can (`localAddress`). The master link reads and
 * writes it through the few calls it makes of a Deno.Conn. node:net loads on
 * first use, as node:tls does (server/tls.ts): imported at start it set up
 * Node's socket layer in every server, ~2.5 MB of RSS on the empty one.
 */
import type { Socket } from "node:net";

/** What the master link uses of a connection. */
export interface LinkConn {
  readonly remoteAddr: { hostname: string; port: number };
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  /** Deno's TCP connections have it; a source-bound one is made with it on. */
  setNoDelay?(noDelay: boolean): void;
}

/** Connects to host:port from `localAddress`; rejects as Deno.connect would on failure. */
export async function connectFrom(
  host: string,
  port: number,
  localAddress: string,
): Promise<LinkConn> {
  const { connect } = await import("node:net");
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress, noDelay: true });
    const failed = (err: Error) => reject(err);
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      resolve(new SourceBoundConn(socket));
    });
  });
}

/** A node:net socket read and written as a Deno.Conn: chunks queue until read. */
class SourceBoundConn implements LinkConn {
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  /** The read waiting for data, if any. */
  #waiting: (() => void) | undefined;

  readonly remoteAddr: { hostname: string; port: number };

  constructor(readonly socket: Socket) {
    this.remoteAddr = { hostname: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (err: Error) => {
      this.#error = err;
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    const chunk = this.#chunks[0]!;
    const n = Math.min(p.length, chunk.length);
    p.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    // The socket keeps its own reference: the caller may reuse `p` once this resolves.
    const copy = p.slice();
    return new Promise((resolve, reject) => {
      this.socket.write(copy, (err?: Error | null) => err ? reject(err) : resolve(copy.length));
    });
  }

  close(): void {
    this.socket.destroy();
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
