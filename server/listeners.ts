/**
 * The server's TCP and TLS listeners: opened at start, moved by CONFIG SET
 * port, bind and the TLS parameters (Redis's changeListenPort/applyBind/
 * applyTlsCfg). A new address is listened on before the old listener closes,
 * so a port in use or a bad address or certificate leaves the server as it
 * was, with Redis's error. One exception: a socket is released only once
 * its pending accept ends, so a new listener that overlaps the old one (the
 * same port: another certificate, or bind 127.0.0.1 → *) is checked on a
 * spare port, and replaces the old one once that one is released.
 */
import { type Config, ConfigError } from "./config.ts";
import { listenTls, tlsCertificate } from "./tls.ts";

type Listener = Deno.TcpListener | Deno.TlsListener;

/** The TLS parameters CONFIG SET applies by listening again. */
const TLS_PARAMS = new Set([
  "tls-port",
  "tls-cert-file",
  "tls-key-file",
  "tls-ca-cert-file",
  "tls-auth-clients",
]);

const PORT_IN_USE = "Unable to listen on this port. Check server logs.";
const BAD_BIND = "Failed to bind to specified addresses.";
const BAD_TLS = "Unable to update TLS configuration. Check server logs.";

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

function portOf(listener: Listener | undefined): number | undefined {
  return (listener?.addr as Deno.NetAddr | undefined)?.port;
}

export class Listeners {
  #tcp: Deno.TcpListener | undefined;
  #tls: Deno.TlsListener | undefined;
  /** Each listener's accept loop: it has released its socket once this settles. */
  readonly #loops = new Map<Listener, Promise<void>>();
  /** listen() ran: CONFIG SET moves the listeners from then on. */
  #started = false;
  /**
   * What each listener was made from (address, port, certificate), live or
   * about to be: one CONFIG SET of several parameters listens once.
   */
  readonly #made = { tcp: "", tls: "" };

  constructor(
    readonly config: Config,
    readonly acceptLoop: (listener: Listener) => Promise<void>,
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
    if (tls !== undefined) {
      this.#serve("tls", tls);
      this.#made.tls = JSON.stringify([hostname, portOf(tls), tlsCertificate(this.config)]);
    }
    this.#started = true;
    return portOf(this.#tcp)!;
  }

  get port(): number {
    return portOf(this.#tcp) ?? this.config.getNumber("port");
  }

  get tlsPort(): number {
    return portOf(this.#tls) ?? 0;
  }

  close(): void {
    for (const listener of [this.#tcp, this.#tls]) {
      try {
        listener?.close();
      } catch {
        // already closed
      }
    }
  }

  /** A parameter changed (CONFIG SET); throws ConfigError when it cannot be applied. */
  apply(name: string): void {
    if (!this.#started) return;
    if (name === "port" || name === "bind") this.#relistenTcp(name);
    if (TLS_PARAMS.has(name) || (name === "bind" && this.#tls !== undefined)) this.#relistenTls();
  }

  #serve(kind: "tcp" | "tls", listener: Listener): void {
    if (kind === "tcp") this.#tcp = listener as Deno.TcpListener;
    else this.#tls = listener as Deno.TlsListener;
    const loop = this.acceptLoop(listener).finally(() => this.#loops.delete(listener));
    this.#loops.set(listener, loop);
  }

  #relistenTcp(changed: "port" | "bind"): void {
    // A new bind keeps the bound port (port 0 at start is any free port; set later, it is none).
    const port = changed === "port"
      ? this.config.getNumber("port")
      : portOf(this.#tcp) ?? this.config.getNumber("port");
    const hostname = listenAddress(this.config.get("bind"));
    const error = changed === "port" ? PORT_IN_USE : BAD_BIND;
    const made = `${hostname} ${port}`;
    if (made === this.#made.tcp) return;
    const make = () => Deno.listen({ hostname, port, transport: "tcp" });
    this.#replace("tcp", port, error, () => Deno.listen({ hostname, port: 0 }).close(), make);
    this.#made.tcp = made;
  }

  #relistenTls(): void {
    const port = this.config.getNumber("tls-port");
    const hostname = listenAddress(this.config.get("bind"));
    let options = { cert: "", key: "" };
    try {
      if (port !== 0) options = tlsCertificate(this.config);
    } catch {
      throw new ConfigError(BAD_TLS);
    }
    const made = JSON.stringify([hostname, port, options]);
    if (made === this.#made.tls) return;
    try {
      // The certificate and key must make a listener before anything changes.
      if (port !== 0) Deno.listenTls({ hostname, port: 0, ...options }).close();
    } catch {
      throw new ConfigError(BAD_TLS);
    }
    const make = () => Deno.listenTls({ hostname, port, ...options });
    this.#replace("tls", port, PORT_IN_USE, () => {}, make);
    this.#made.tls = made;
  }

  /**
   * Listens anew with `make` and closes the old listener; port 0 only
   * closes. When the new socket collides with our own old one, `check`
   * (which throws for a bad address) vouches for it and the switch waits
   * for the old socket's release.
   */
  #replace(
    kind: "tcp" | "tls",
    port: number,
    error: string,
    check: () => void,
    make: () => Listener,
  ): void {
    const old = kind === "tcp" ? this.#tcp : this.#tls;
    if (port === 0) {
      old?.close();
      if (kind === "tcp") this.#tcp = undefined;
      else this.#tls = undefined;
      return;
    }
    try {
      this.#serve(kind, make());
      old?.close();
      return;
    } catch (err) {
      if (!(err instanceof Deno.errors.AddrInUse) || portOf(old) !== port) {
        throw new ConfigError(error);
      }
    }
    try {
      check();
    } catch {
      throw new ConfigError(error);
    }
    const released = this.#loops.get(old!) ?? Promise.resolve();
    old!.close();
    if (kind === "tcp") this.#tcp = undefined;
    else this.#tls = undefined;
    released.then(() => this.#serveLater(kind, make));
  }

  #serveLater(kind: "tcp" | "tls", make: () => Listener): void {
    try {
      this.#serve(kind, make());
    } catch (err) {
      this.log(`Unable to listen after a CONFIG SET of ${kind === "tcp" ? "bind" : "TLS"}: ${err}`);
    }
  }
}
