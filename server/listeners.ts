/**
 * The server's TCP and TLS listeners: opened at start, moved by CONFIG SET
 * port, bind and tls-port (Redis's changeListenPort/applyBind/applyTLSPort),
 * and the TLS listener's certificates, CAs, protocols and tls-auth-clients
 * changed in place (applyTlsCfg: reloadTls). A new address is checked
 * before the old listener closes, so a port in use or a bad address or
 * certificate leaves the server as it was, with Redis's error. The old
 * listener closes once the CONFIG SET has finished: when a later parameter
 * of the same call fails, the rollback takes it back as it was.
 *
 * TCP: a Deno socket is released only once its pending accept ends, so a
 * new listener that overlaps the old one (bind 127.0.0.1 → * on the same
 * port) is checked on a spare port and replaces the old one once that one
 * is released. TLS: node:tls loads and binds asynchronously, so the address
 * is first checked by a synchronous Deno listen that is closed at once; a
 * bind that still fails afterwards (another process took the port between)
 * is logged.
 */
import type { Config } from "./config.ts";
import { ConfigError } from "./config_params.ts";
import { BIND_FAILED, LISTEN_PORT_FAILED, TLS_RELOAD_FAILED } from "./errors.ts";
import { listenTls, type TlsListener } from "./tls.ts";
import {
  type SecureContext,
  secureContextOf,
  type SocketConn,
  TlsConfigError,
} from "./tls_config.ts";

type Listener = Deno.TcpListener | TlsListener;
type Kind = "tcp" | "tls";

/** A listener replaced by the CONFIG SET running now, and the address it was made for. */
interface Retired {
  listener: Listener;
  made: string;
}

/**
 * The parameters a TLS listener reloads on CONFIG SET; tls-auth-clients is
 * read per connection instead, as in Redis (which does not check it then).
 */
const TLS_CONTEXT_PARAMS = new Set([
  "tls-cert-file",
  "tls-key-file",
  "tls-ca-cert-file",
  "tls-ca-cert-dir",
  "tls-protocols",
]);

/**
 * The address to listen on: the first of `bind`; "*" is every IPv4
 * interface, "::*" every IPv6 one, and a leading "-" (optional address) is
 * dropped. An empty bind listens everywhere, as Redis's.
 */
export function listenAddress(bind: string): string {
  const first = (bind.split(/\s+/)[0] ?? "").replace(/^-/, "");
  if (first === "" || first === "*") return "0.0.0.0";
  return first === "::*" ? "::" : first;
}

function portOf(listener: Deno.TcpListener | undefined): number | undefined {
  return (listener?.addr as Deno.NetAddr | undefined)?.port;
}

export class Listeners {
  #tcp: Deno.TcpListener | undefined;
  #tls: TlsListener | undefined;
  /** Each listener's accept loop: it has released its socket once this settles. */
  readonly #loops = new Map<Listener, Promise<void>>();
  /** listen() ran: CONFIG SET moves the listeners from then on. */
  #started = false;
  /**
   * The address and port each listener was made for, live or about to be:
   * one CONFIG SET of several parameters listens once.
   */
  readonly #made = { tcp: "", tls: "" };
  /** The listeners the current CONFIG SET replaced, closed once it has finished. */
  readonly #retired: { tcp?: Retired; tls?: Retired } = {};
  /** A TLS listener made at run time while node binds it (it binds on a later turn). */
  #binding: { listener: TlsListener; bound: Promise<void> } | undefined;

  constructor(
    readonly config: Config,
    readonly acceptLoop: (listener: AsyncIterable<SocketConn>) => Promise<void>,
    readonly log: (message: string) => void,
  ) {}

  /** Starts listening; returns the bound TCP port (useful with port 0). */
  listen(): number {
    const port = this.config.getNumber("port");
    const hostname = listenAddress(this.config.get("bind"));
    const tls = listenTls(this.config, hostname);
    try {
      this.#serve("tcp", Deno.listen({ hostname, port, transport: "tcp" }));
    } catch (err) {
      tls?.close();
      throw err;
    }
    this.#made.tcp = `${hostname} ${port}`;
    this.#made.tls = `${hostname} ${this.config.getNumber("tls-port")}`;
    if (tls !== undefined) this.#serve("tls", tls);
    this.#started = true;
    return portOf(this.#tcp)!;
  }

  get port(): number {
    return portOf(this.#tcp) ?? this.config.getNumber("port");
  }

  /** The TLS port, 0 without tls-port. */
  get tlsPort(): number {
    return this.#tls?.port ?? 0;
  }

  /** Settles when the TLS port is bound (at once without tls-port); rejects when it cannot be. */
  get tlsReady(): Promise<void> {
    return this.#tls?.ready ?? Promise.resolve();
  }

  /**
   * Pending while a TLS listener a CONFIG SET made is binding: replies wait
   * for it, so that a client told OK can connect (Redis binds before it answers).
   */
  get binding(): Promise<void> | undefined {
    return this.#binding?.bound;
  }

  close(): void {
    this.#close(this.#tcp);
    this.#close(this.#tls);
  }

  /** A parameter changed (CONFIG SET); throws ConfigError when it cannot be applied. */
  apply(name: string): void {
    if (!this.#started) return;
    if (name === "port" || name === "bind") this.#relistenTcp(name);
    if (name === "tls-port" || name === "bind") this.#relistenTls();
    if (name === "tls-auth-clients") this.#tls?.setAuthClients(this.config.get(name));
  }

  /**
   * CONFIG SET of TLS files, once all of its values are stored (Config.onApply):
   * the TLS listener reloads them, or names the parameter for which they failed.
   */
  reloadTls(names: readonly string[]): { name: string; problem: string } | undefined {
    const name = names.find((n) => TLS_CONTEXT_PARAMS.has(n));
    if (name === undefined || this.#tls === undefined) return undefined;
    try {
      this.#tls.reconfigure(this.config);
    } catch (err) {
      if (!(err instanceof TlsConfigError)) throw err;
      this.log(err.message);
      return { name, problem: TLS_RELOAD_FAILED };
    }
    return undefined;
  }

  #serve(kind: Kind, listener: Listener): void {
    if (kind === "tcp") this.#tcp = listener as Deno.TcpListener;
    else this.#tls = listener as TlsListener;
    const loop = this.acceptLoop(listener).finally(() => this.#loops.delete(listener));
    this.#loops.set(listener, loop);
  }

  /** Closes `kind`'s current listener after this CONFIG SET, unless its rollback takes it back. */
  #retire(kind: Kind): void {
    const listener = kind === "tcp" ? this.#tcp : this.#tls;
    if (kind === "tcp") this.#tcp = undefined;
    else this.#tls = undefined;
    if (listener === undefined) return;
    const retired = { listener, made: this.#made[kind] };
    if (this.#retired[kind] !== undefined) this.#close(this.#retired[kind].listener);
    this.#retired[kind] = retired;
    queueMicrotask(() => {
      if (this.#retired[kind] !== retired) return;
      this.#retired[kind] = undefined;
      this.#close(listener);
    });
  }

  /** A rollback back to the address a retired listener serves: it is current again. */
  #unretire(kind: Kind, made: string): boolean {
    const retired = this.#retired[kind];
    if (retired?.made !== made) return false;
    this.#retired[kind] = undefined;
    this.#close(kind === "tcp" ? this.#tcp : this.#tls);
    if (kind === "tcp") this.#tcp = retired.listener as Deno.TcpListener;
    else this.#tls = retired.listener as TlsListener;
    this.#made[kind] = made;
    return true;
  }

  #relistenTcp(changed: "port" | "bind"): void {
    // A new bind keeps the bound port (port 0 at start is any free port; set later, it is none).
    const port = changed === "port"
      ? this.config.getNumber("port")
      : portOf(this.#tcp) ?? this.config.getNumber("port");
    const hostname = listenAddress(this.config.get("bind"));
    const made = `${hostname} ${port}`;
    if (made === this.#made.tcp || this.#unretire("tcp", made)) return;
    this.#replaceTcp(hostname, port, changed === "port" ? LISTEN_PORT_FAILED : BIND_FAILED);
    this.#made.tcp = made;
  }

  /**
   * Listens anew on hostname:port and closes the old TCP listener; port 0
   * only closes. When the new socket collides with our own old one, a spare
   * port vouches for the address and the switch waits for the old socket's
   * release.
   */
  #replaceTcp(hostname: string, port: number, error: string): void {
    const old = this.#tcp;
    if (port === 0) return this.#retire("tcp");
    const make = () => Deno.listen({ hostname, port, transport: "tcp" });
    try {
      const listener = make();
      this.#retire("tcp");
      this.#serve("tcp", listener);
      return;
    } catch (err) {
      if (!(err instanceof Deno.errors.AddrInUse) || portOf(old) !== port) {
        throw new ConfigError(error);
      }
    }
    checkAddress(hostname, error);
    const released = this.#loops.get(old!) ?? Promise.resolve();
    old!.close();
    this.#tcp = undefined;
    released.then(() => {
      try {
        this.#serve("tcp", make());
      } catch (err) {
        this.log(`Unable to listen after a CONFIG SET of bind: ${err}`);
      }
    });
  }

  /** tls-port or bind changed: a TLS listener on the new address replaces the old one. */
  #relistenTls(): void {
    const port = this.config.getNumber("tls-port");
    const hostname = listenAddress(this.config.get("bind"));
    const made = `${hostname} ${port}`;
    if (made === this.#made.tls || this.#unretire("tls", made)) return;
    const old = this.#tls;
    if (port === 0) {
      this.#retire("tls");
      this.#made.tls = made;
      return;
    }
    const context = this.#tlsContext();
    try {
      Deno.listen({ hostname, port, transport: "tcp" }).close();
    } catch (err) {
      // Only our own old listener may hold the port (a new bind): it is closed first.
      if (!(err instanceof Deno.errors.AddrInUse) || old?.port !== port) {
        throw new ConfigError(LISTEN_PORT_FAILED);
      }
      checkAddress(hostname, LISTEN_PORT_FAILED);
      this.#close(old);
      this.#tls = undefined;
    }
    this.#retire("tls");
    const listener = listenTls(this.config, hostname, context)!;
    const bound = listener.ready.then(
      () => this.#bound(listener),
      (err) => {
        this.log(`Unable to listen on TLS port ${port}: ${err}`);
        this.#bound(listener);
      },
    );
    this.#binding = { listener, bound };
    this.#serve("tls", listener);
    this.#made.tls = made;
  }

  #bound(listener: TlsListener): void {
    if (this.#binding?.listener === listener) this.#binding = undefined;
  }

  /** Closes a listener; one closed before node bound it never binds (nor settles `ready`). */
  #close(listener: Listener | undefined): void {
    try {
      listener?.close();
    } catch {
      // already closed
    }
    if (listener === this.#binding?.listener) this.#binding = undefined;
  }

  /** The TLS configuration a new listener serves with, or Redis's error when it does not load. */
  #tlsContext(): SecureContext {
    try {
      return secureContextOf(this.config);
    } catch (err) {
      if (!(err instanceof TlsConfigError)) throw err;
      this.log(err.message);
      throw new ConfigError(TLS_RELOAD_FAILED);
    }
  }
}

/** Throws ConfigError(error) unless hostname can be listened on (on a spare port). */
function checkAddress(hostname: string, error: string): void {
  try {
    Deno.listen({ hostname, port: 0, transport: "tcp" }).close();
  } catch {
    throw new ConfigError(error);
  }
}
