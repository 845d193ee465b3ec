/**
 * The addresses of `bind` and listening on each of them, as Redis 7.0's
 * listenToPort: every address is listened on; one that fails is logged
 * ("Warning: Could not create server TCP listening socket ..."), skipped
 * when it is optional ("-" prefix) and not available on this host, or when
 * the host lacks its address family, and otherwise fails the whole bind
 * (what was opened is closed again).
 *
 * "*" is every IPv4 interface and "::*" every IPv6 one. Redis opens the IPv6
 * one IPV6_V6ONLY, so both hold the same port; Deno's "::" socket is dual
 * stack and cannot share the port with "0.0.0.0". The IPv4 wildcard is
 * opened first (a dual-stack socket would show IPv4 clients as
 * ::ffff:a.b.c.d, not loopback for protected mode, not Redis's addresses
 * in CLIENT LIST), and an IPv6 wildcard beside it is skipped: with
 * `* -::*` (Redis's default) redis-home serves IPv4 only.
 */

/** One word of `bind`. */
export interface BindAddress {
  /** What Deno listens on. */
  host: string;
  /** The word without its "-", as Redis logs it. */
  shown: string;
  optional: boolean;
  /** The address family of a wildcard ("*": 4, "::*": 6). */
  wildcard?: 4 | 6;
}

/** Redis's CONFIG_BINDADDR_MAX. */
export const MAX_BIND_ADDRESSES = 16;

/**
 * The addresses `bind` names, an IPv4 wildcard before an IPv6 one. An empty
 * bind listens on every interface (Redis listens on no TCP socket then;
 * redis-home has no Unix socket to fall back on).
 */
export function bindAddresses(bind: string): BindAddress[] {
  const words = bind.split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return [{ host: "0.0.0.0", shown: "*", optional: false, wildcard: 4 }];
  const addresses = words.map((word): BindAddress => {
    const optional = word.startsWith("-");
    const shown = optional ? word.slice(1) : word;
    if (shown === "*") return { host: "0.0.0.0", shown, optional, wildcard: 4 };
    if (shown === "::*") return { host: "::", shown, optional, wildcard: 6 };
    return { host: shown, shown, optional };
  });
  const v6 = addresses.findIndex((a) => a.wildcard === 6);
  const v4 = addresses.findIndex((a) => a.wildcard === 4);
  if (v4 > v6 && v6 >= 0) addresses.splice(v6, 0, ...addresses.splice(v4, 1));
  return addresses;
}

/** A non-optional address could not be listened on (already logged). */
export class BindFailure extends Error {
  constructor(readonly address: string, readonly port: number) {
    super(`Could not listen on ${address}:${port}`);
    this.name = "BindFailure";
  }
}

/** What listenEach opened, the port it did (port 0: the first listener's), and what waits. */
export interface Opened<T> {
  opened: T[];
  port: number;
  /** Addresses whose port one of our own listeners holds: opened once it is released. */
  deferred: BindAddress[];
}

export interface ListenOptions<T> {
  /** Listens on host:port (0: any port) and returns the listener and its port. */
  open: (host: string, port: number) => { item: T; port: number };
  close: (item: T) => void;
  log: (message: string) => void;
  /** One of our own listeners holds `port` now: an address in use there is deferred. */
  holdsPort?: boolean;
  /** Wildcard families already served (a late pass after deferral). */
  served?: Set<4 | 6>;
}

/** Errors that skip an address whatever its "-" (Redis: the host lacks the protocol). */
const UNSUPPORTED = new Set([
  "ENOPROTOOPT",
  "EPROTONOSUPPORT",
  "ESOCKTNOSUPPORT",
  "EPFNOSUPPORT",
  "EAFNOSUPPORT",
]);

/** Listens on every address (Redis's listenToPort); throws BindFailure, having closed all. */
export function listenEach<T>(
  addresses: readonly BindAddress[],
  port: number,
  options: ListenOptions<T>,
): Opened<T> {
  const result: Opened<T> = { opened: [], port, deferred: [] };
  const served = new Set(options.served);
  for (const address of addresses) {
    const covered = address.wildcard !== undefined && served.has(address.wildcard === 4 ? 6 : 4);
    try {
      const { item, port: bound } = options.open(address.host, result.port);
      result.opened.push(item);
      result.port = bound;
      if (address.wildcard !== undefined) served.add(address.wildcard);
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse && (covered || options.holdsPort)) {
        if (!covered) result.deferred.push(address);
        if (address.wildcard !== undefined) served.add(address.wildcard);
        continue;
      }
      options.log(
        `Warning: Could not create server TCP listening socket ${address.shown}:${result.port}: ${
          reasonOf(err)
        }`,
      );
      if (skippable(err, address.optional)) continue;
      result.opened.forEach(options.close);
      throw new BindFailure(address.shown, result.port);
    }
  }
  return result;
}

function skippable(err: unknown, optional: boolean): boolean {
  if (optional && err instanceof Deno.errors.AddrNotAvailable) return true;
  return UNSUPPORTED.has((err as { code?: string }).code ?? "");
}

/** The error as Redis's anet words it ("bind: Cannot assign requested address"). */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lookup = /^failed to lookup address information: (.*)$/.exec(message)?.[1];
  if (lookup !== undefined) return lookup;
  return `bind: ${message.replace(/ \(os error \d+\)$/, "")}`;
}
