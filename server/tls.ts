/**
 * TLS (tls-port, tls-cert-file, tls-key-file, tls-ca-cert-file,
 * tls-ca-cert-dir, tls-auth-clients): both protocols run over it as over the
 * plain port. Deno.listenTls cannot ask for client certificates, so the
 * listener is node:tls's server (rustls underneath, as Deno's own), with each
 * socket adapted to the read/write interface a Connection uses. node:tls is
 * imported when the first TLS listener is made: loading it brings Deno's
 * Node-compatibility layer (megabytes of resident memory), which a server
 * without TLS never needs.
 *
 * tls-auth-clients as Redis: `yes` refuses a handshake without a certificate
 * the CA signed, `optional` admits a client without one but still refuses a
 * certificate that does not verify, `no` asks for none. Certificates are
 * checked by rustls, which accepts X.509 v3 only (OpenSSL also takes v1);
 * the checks of the configuration are tls_config.ts's.
 * CONFIG SET of the certificate, key, CAs or tls-auth-clients applies to the
 * connections that follow; tls-port and bind make a new listener (Listeners,
 * listeners.ts). tls-replication's client side (replicationTlsOptions) is
 * Deno.connectTls in the master link.
 */
import type { Server, TLSSocket } from "node:tls";
import type { Config } from "./config.ts";
import { type SecureContext, secureContextOf, type SocketConn } from "./tls_config.ts";

type NodeTls = typeof import("node:tls");

let nodeTls: Promise<NodeTls> | undefined;

/** node:tls, imported once, by the first TLS listener. */
function loadNodeTls(): Promise<NodeTls> {
  return nodeTls ??= import("node:tls");
}

/**
 * The TLS listener tls-port asks for, or undefined when tls-port is 0;
 * `context` when given is secureContextOf(config), already checked.
 * Throws TlsConfigError when the configuration does not load.
 */
export function listenTls(
  config: Config,
  hostname: string,
  context?: SecureContext,
): TlsListener | undefined {
  const port = config.getNumber("tls-port");
  if (port === 0) return undefined;
  context ??= secureContextOf(config);
  return new TlsListener(context, hostname, port, config.get("tls-auth-clients"));
}

/**
 * node:tls's server as an async iterable of connections, like a Deno
 * listener. node:tls is imported and the port bound asynchronously: `ready`
 * settles when that is done.
 */
export class TlsListener implements AsyncIterable<SocketConn> {
  readonly ready: Promise<void>;
  /** node's server, once node:tls has loaded. */
  #server: Server | undefined;
  #accepted: SocketConn[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  /** tls-auth-clients, as last set. */
  #authClients: string;
  /** The certificate, key and CAs, as last set. */
  #context: SecureContext;

  constructor(
    context: SecureContext,
    hostname: string,
    readonly port: number,
    authClients: string,
  ) {
    this.#context = context;
    this.#authClients = authClients;
    this.ready = loadNodeTls().then((tls) => this.#listen(tls, hostname));
    // Whoever starts the server awaits it; a test that never does must not crash.
    this.ready.catch(() => {});
  }

  /** Makes node's server and binds it; closed before that, it never binds (nor settles). */
  #listen(tls: NodeTls, hostname: string): Promise<void> {
    if (this.#closed) return new Promise(() => {});
    const server = tls.createServer(this.#context);
    this.#server = server;
    this.setAuthClients(this.#authClients);
    // Handshake failures (no or a bad certificate) end that socket, nothing else.
    server.on("tlsClientError", () => {});
    server.on("secureConnection", (socket: TLSSocket) => this.#accept(socket));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  #accept(socket: TLSSocket): void {
    // `optional` admits a client that sent no certificate, not one that failed;
    // with no CA configured nothing vouches for a certificate, as in OpenSSL
    // (without CAs node would trust its public roots).
    const presented = socket.getPeerCertificate()?.subject !== undefined;
    const verified = socket.authorized && this.#context.ca !== undefined;
    if (this.#authClients !== "no" && presented && !verified) {
      socket.destroy();
      return;
    }
    this.#accepted.push(new NodeTlsConn(socket));
    this.#wake?.();
  }

  /** tls-auth-clients, for the connections that follow (Redis reads it per connection). */
  setAuthClients(mode: string): void {
    this.#authClients = mode;
    if (this.#server === undefined) return;
    // node's tls.Server reads its own options each handshake; the typings leave them out.
    const options = this.#server as Server & { requestCert: boolean; rejectUnauthorized: boolean };
    options.requestCert = mode !== "no";
    options.rejectUnauthorized = mode === "yes";
  }

  /** CONFIG SET of a certificate, key or CA: new connections use them; throws TlsConfigError. */
  reconfigure(config: Config): void {
    this.#context = secureContextOf(config);
    this.#server?.setSecureContext(this.#context);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server?.close();
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SocketConn> {
    while (!this.#closed) {
      if (this.#accepted.length === 0) {
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#wake = undefined;
        continue;
      }
      const batch = this.#accepted;
      this.#accepted = [];
      yield* batch;
    }
    for (const conn of this.#accepted) conn.close();
  }
}

/** Received bytes past this pause the socket until the reader catches up. */
const READ_AHEAD_LIMIT = 256 * 1024;

/** A node TLSSocket with Deno.Conn's pull-style read and promise write. */
class NodeTlsConn implements SocketConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  #chunks: Uint8Array[] = [];
  /** Index of the first unread chunk, and bytes of it already read. */
  #head = 0;
  #offset = 0;
  #queued = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(readonly socket: TLSSocket) {
    this.remoteAddr = netAddr(socket.remoteAddress, socket.remotePort);
    this.localAddr = netAddr(socket.localAddress, socket.localPort);
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > READ_AHEAD_LIMIT) socket.pause();
      this.#wakeReader();
    });
    const end = () => {
      this.#ended = true;
      this.#wakeReader();
    };
    socket.on("end", end);
    socket.on("close", end);
    // A reset peer reads as end of stream, as the plain port's reset does.
    socket.on("error", end);
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#queued === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let n = 0;
    while (n < buf.length && this.#queued > 0) {
      const chunk = this.#chunks[this.#head]!;
      const take = Math.min(buf.length - n, chunk.length - this.#offset);
      buf.set(chunk.subarray(this.#offset, this.#offset + take), n);
      n += take;
      this.#offset += take;
      this.#queued -= take;
      if (this.#offset === chunk.length) {
        this.#head++;
        this.#offset = 0;
      }
    }
    if (this.#queued === 0) {
      this.#chunks = [];
      this.#head = 0;
    }
    if (this.socket.isPaused() && this.#queued <= READ_AHEAD_LIMIT / 2) this.socket.resume();
    return n;
  }

  write(buf: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Deno.errors.BrokenPipe("TLS socket closed"));
    return new Promise((resolve, reject) => {
      this.socket.write(buf, (err) => {
        if (err) reject(new Deno.errors.BrokenPipe(err.message));
        else resolve(buf.length);
      });
    });
  }

  close(): void {
    this.#ended = true;
    this.socket.destroy();
    this.#wakeReader();
  }

  setNoDelay(noDelay = true): void {
    this.socket.setNoDelay(noDelay);
  }
}

function netAddr(hostname: string | undefined, port: number | undefined): Deno.NetAddr {
  return { transport: "tcp", hostname: hostname ?? "", port: port ?? 0 };
}
