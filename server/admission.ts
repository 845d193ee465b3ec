/**
 * Which new connections the server turns away before they become clients
 * (Redis's acceptCommonHandler and clientAcceptHandler): past maxclients, and
 * in protected mode a client from outside loopback while the default user
 * has no password.
 */
import type { Config } from "./config.ts";
import { MAX_CLIENTS_REACHED, PROTECTED_MODE_DENIED } from "./errors.ts";

/** Redis's islocalClient: exactly 127.0.0.1 or ::1 (other 127.x addresses are not). */
export function isLocalAddress(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "::1";
}

/** Whether a peer is on this machine: loopback, or a Unix socket (Redis's islocalClient). */
export function isLocalPeer(addr: Deno.Addr): boolean {
  return "hostname" in addr ? isLocalAddress(addr.hostname) : addr.transport !== "vsock";
}

/**
 * An address as CLIENT LIST and the logs show it: host:port, or for a Unix
 * socket its path and 0 (a client's own end has no path: Redis shows the server's).
 */
export function addressText(addr: Deno.Addr, socketPath: string): string {
  return "hostname" in addr ? `${addr.hostname}:${addr.port}` : `${socketPath}:0`;
}

/**
 * The error a new connection gets before it is closed, or undefined to
 * accept it. `clients` counts every open connection, including those that
 * have not sent a byte yet.
 */
export function admissionError(
  config: Config,
  clients: number,
  defaultUserHasNoPassword: boolean,
  remote: Deno.Addr,
): string | undefined {
  if (clients >= config.getNumber("maxclients")) return MAX_CLIENTS_REACHED;
  if (
    config.get("protected-mode") === "yes" && defaultUserHasNoPassword && !isLocalPeer(remote)
  ) {
    return PROTECTED_MODE_DENIED;
  }
  return undefined;
}
