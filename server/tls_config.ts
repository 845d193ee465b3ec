/**
 * TLS configuration as Redis checks it (tlsConfigure): the certificate, key,
 * CAs and protocol versions a TLS listener serves with, and what a replica
 * presents and trusts with tls-replication; the socket interface a Connection
 * reads. No node: module here: the listener (tls.ts) loads node:tls only when
 * a TLS port is configured, and start-up imports this module.
 */
import type { Config } from "./config.ts";

/** A TLS configuration the server cannot honour; the message says why. */
export class TlsConfigError extends Error {}

/** What a Connection needs of a socket: Deno.TcpConn and Deno.UnixConn have it, and so does NodeTlsConn. */
export interface SocketConn {
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  read(buf: Uint8Array): Promise<number | null>;
  write(buf: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
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
