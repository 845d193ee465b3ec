/**
 * TLS (tls-port, tls-cert-file, tls-key-file, tls-ca-cert-file,
 * tls-ca-cert-dir, tls-auth-clients): both protocols run over it as over the
 * plain port. Deno.listenTls cannot ask for client certificates, so the
 * listener is node:tls's server (rustls underneath, as Deno's own), with each
 * socket adapted to the read/write interface a Connection uses.
 *
 * tls-auth-clients as Redis: `yes` refuses a handshake without a certificate
 * the CA signed, `optional` admits a client without one but still refuses a
 * certificate that does not verify, `no` asks for none. Certificates are
 * checked by rustls, which accepts X.509 v3 only (OpenSSL also takes v1).
 * CONFIG SET of the certificate, key, CAs or tls-auth-clients applies to the
 * connections that follow; tls-port and bind make a new listener (Listeners,
 * listeners.ts). tls-replication's client side (replicationTlsOptions) is
 * Deno.connectTls in the master link.
 */
import { createServer, type Server, type TLSSocket } from "node:tls";
import type { Config } from "./config.ts";

/** A TLS configuration the server cannot honour; the message says why. */
export class TlsConfigError extends Error {}

/** What a Connection needs of a socket: Deno.TcpConn has it, and so does NodeTlsConn. */
export interface SocketConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  read(buf: Uint8Array): Promise<number | null>;
  write(buf: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}

/**
 * The TLS listener tls-port asks for, or undefined when tls-port is 0;
 * `context` when given is secureContextOf(config), already checked.
 */
export function listenTls(
  config: Config,
  hostname: string,
  context?: SecureContext,
): TlsListener | undefined {
  const port = config.getNumber("tls-port");
  if (port === 0) return undefined;
  context ??= secureContextOf(config);
  const listener = new TlsListener(createServer(context), hostname, port, context.ca !== undefined);
  listener.setAuthClients(config.get("tls-auth-clients"));
  return listener;
}

/** The certificate, key and CAs the parameters name, checked as Redis's tlsConfigure does. */
export function secureContextOf(config: Config): SecureContext {
  const certFile = config.get("tls-cert-file");
  const keyFile = config.get("tls-key-file");
  const caFile = config.get("tls-ca-cert-file");
  const caDir = config.get("tls-ca-cert-dir");
  if (certFile === "") throw new TlsConfigError("No tls-cert-file configured!");
  if (keyFile === "") throw new TlsConfigError("No tls-key-file configured!");
  const verifiesPeers = config.get("tls-auth-clients") !== "no" ||
    config.getBool("tls-replication");
  if (verifiesPeers && caFile === "" && caDir === "") {
    throw new TlsConfigError(
      "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, " +
        "tls-replication or tls-auth-clients are enabled!",
    );
  }
  const versions = protocolVersions(config.get("tls-protocols"));
  const cert = readPem(certFile, "Failed to load certificate");
  const key = readPem(keyFile, "Failed to load private key");
  checkKeyPair(cert, key, certFile, keyFile);
  const ca = caCertificates(caFile, caDir);
  return ca === undefined ? { cert, key, ...versions } : { cert, key, ca, ...versions };
}

type TlsVersion = "TLSv1.2" | "TLSv1.3";

/** What a TLS listener serves with: secureContextOf's result. */
export interface SecureContext {
  cert: string;
  key: string;
  ca?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/** tls-protocols ("TLSv1.2 TLSv1.3", any case; empty: both) as the lowest and highest version. */
function protocolVersions(value: string): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  const words = value.split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return {};
  const known = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
  const versions = words.map((word) => {
    const version = known.find((v) => v.toLowerCase() === word.toLowerCase());
    if (version === undefined) {
      throw new TlsConfigError("Invalid tls-protocols configuration string");
    }
    if (version !== "TLSv1.2" && version !== "TLSv1.3") {
      throw new TlsConfigError(
        `${version} is specified in tls-protocols but rustls offers only TLSv1.2 and TLSv1.3.`,
      );
    }
    return version;
  }).sort();
  return { minVersion: versions[0]!, maxVersion: versions.at(-1)! };
}

/**
 * node:tls checks a certificate and key only at the first handshake, and
 * rustls checks them when a listener is made: so a throwaway listener on an
 * ephemeral loopback port checks them now, and a bad pair is refused at start
 * or by CONFIG SET as Redis refuses it, not left to fail every client.
 */
function checkKeyPair(cert: string, key: string, certFile: string, keyFile: string): void {
  try {
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key }).close();
  } catch (err) {
    const message = (err as Error).message;
    if (/certificate/i.test(message)) {
      throw new TlsConfigError(`Failed to load certificate: ${certFile}: ${message}`);
    }
    throw new TlsConfigError(`Failed to load private key: ${keyFile}: ${message}`);
  }
}

/**
 * tls-replication: how a replica's link connects to its master. The master's
 * certificate must chain to tls-ca-cert-file/dir; the link presents
 * tls-client-cert-file/key, else tls-cert-file/key when those are set, as Redis.
 */
export function replicationTlsOptions(config: Pick<Config, "get">): ReplicationTls {
  const caCerts = caCertificates(config.get("tls-ca-cert-file"), config.get("tls-ca-cert-dir"));
  if (caCerts === undefined) {
    throw new TlsConfigError("tls-replication needs tls-ca-cert-file or tls-ca-cert-dir");
  }
  const clientCert = config.get("tls-client-cert-file");
  const certFile = clientCert !== "" ? clientCert : config.get("tls-cert-file");
  const keyFile = config.get(clientCert !== "" ? "tls-client-key-file" : "tls-key-file");
  if (certFile === "" || keyFile === "") return { caCerts };
  const cert = readPem(certFile, "Failed to load certificate");
  const key = readPem(keyFile, "Failed to load private key");
  return { caCerts, certified: { cert, key } };
}

/** The CAs a replica trusts its master by, and the certificate it presents if any. */
export interface ReplicationTls {
  caCerts: string[];
  certified?: { cert: string; key: string };
}

function readPem(file: string, what: string): string {
  try {
    return Deno.readTextFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`${what}: ${file}: ${(err as Error).message}`);
  }
}

/** The PEM certificates of tls-ca-cert-file and of every file in tls-ca-cert-dir. */
function caCertificates(file: string, dir: string): string[] | undefined {
  const pems: string[] = [];
  const what = "Failed to configure CA certificate(s) file/directory";
  if (file !== "") {
    const pem = readPem(file, what);
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new TlsConfigError(`${what}: ${file}: no certificate in it`);
    }
    pems.push(pem);
  }
  if (dir !== "") {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (!entry.isFile && !entry.isSymlink) continue;
        const text = Deno.readTextFileSync(`${dir}/${entry.name}`);
        if (text.includes("-----BEGIN CERTIFICATE-----")) pems.push(text);
      }
    } catch (err) {
      throw new TlsConfigError(`${what}: ${dir}: ${(err as Error).message}`);
    }
  }
  return pems.length > 0 ? pems : undefined;
}

/**
 * node:tls's server as an async iterable of connections, like a Deno
 * listener. Binding is asynchronous there: `ready` settles when it is done.
 */
export class TlsListener implements AsyncIterable<SocketConn> {
  readonly ready: Promise<void>;
  #accepted: SocketConn[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  /** tls-auth-clients, as last set. */
  #authClients = "yes";
  /** Whether tls-ca-cert-file/dir gave CAs (without, node would trust its public roots). */
  #hasCa: boolean;

  constructor(readonly server: Server, hostname: string, readonly port: number, hasCa: boolean) {
    this.#hasCa = hasCa;
    this.ready = new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Whoever starts the server awaits it; a test that never does must not crash.
    this.ready.catch(() => {});
    // Handshake failures (no or a bad certificate) end that socket, nothing else.
    server.on("tlsClientError", () => {});
    server.on("secureConnection", (socket: TLSSocket) => {
      // `optional` admits a client that sent no certificate, not one that failed;
      // with no CA configured nothing vouches for a certificate, as in OpenSSL.
      const presented = socket.getPeerCertificate()?.subject !== undefined;
      const verified = socket.authorized && this.#hasCa;
      if (this.#authClients !== "no" && presented && !verified) {
        socket.destroy();
        return;
      }
      this.#accepted.push(new NodeTlsConn(socket));
      this.#wake?.();
    });
  }

  /** tls-auth-clients, for the connections that follow (Redis reads it per connection). */
  setAuthClients(mode: string): void {
    // node's tls.Server reads its own options each handshake; the typings leave them out.
    const options = this.server as Server & { requestCert: boolean; rejectUnauthorized: boolean };
    options.requestCert = mode !== "no";
    options.rejectUnauthorized = mode === "yes";
    this.#authClients = mode;
  }

  /** CONFIG SET of a certificate, key or CA: new connections use them; throws TlsConfigError. */
  reconfigure(config: Config): void {
    const context = secureContextOf(config);
    this.server.setSecureContext(context);
    this.#hasCa = context.ca !== undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.server.close();
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
