/**
 * TLS (tls-port, tls-cert-file, tls-key-file, tls-ca-cert-file,
 * tls-auth-clients) over Deno.listenTls: both protocols run over it as over
 * the plain port. Deno's TLS listener cannot ask for client certificates, so
 * tls-auth-clients must be `no`; with `yes` or `optional` (Redis's default is
 * yes) the server refuses to start rather than accept clients unverified.
 */
import type { Config } from "./config.ts";

/** A TLS configuration the server cannot honour; the message says why. */
export class TlsConfigError extends Error {}

/** The TLS listener tls-port asks for, or undefined when tls-port is 0. */
export function listenTls(config: Config, hostname: string): Deno.TlsListener | undefined {
  const port = config.getNumber("tls-port");
  if (port === 0) return undefined;
  return Deno.listenTls({ hostname, port, ...tlsCertificate(config) });
}

/** The certificate and key files' contents; TlsConfigError when they cannot serve. */
export function tlsCertificate(config: Config): { cert: string; key: string } {
  const certFile = config.get("tls-cert-file");
  const keyFile = config.get("tls-key-file");
  if (certFile === "" || keyFile === "") {
    throw new TlsConfigError("tls-port needs tls-cert-file and tls-key-file");
  }
  if (config.get("tls-auth-clients") !== "no") {
    throw new TlsConfigError(
      "client certificates cannot be verified here: set tls-auth-clients no",
    );
  }
  return { cert: Deno.readTextFileSync(certFile), key: Deno.readTextFileSync(keyFile) };
}
