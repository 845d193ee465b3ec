/**
 * The server's TCP and TLS listeners, one per address of `bind` (bind.ts):
 * opened at start, moved by CONFIG SET port, bind and tls-port (Redis's
 * changeListenPort/applyBind/applyTLSPort), and the TLS listeners'
 * certificates, CAs, protocols and tls-auth-clients changed in place
 * (applyTlsCfg: reloadTls). New addresses are listened on before the old
 * listeners close, so a port in use or a bad address or certificate leaves
 * the server as it was, with Redis's error. The old listeners close once
 * the CONFIG SET has finished: when a later parameter of the same call
 * fails, the rollback takes them back as they were.
 *
 * TCP: a Deno socket is released only once its pending accept ends, so a
 * new address that overlaps an old listener (bind 127.0.0.1 → * on the same
 * port) is listened on once that one is released. TLS: node:tls loads and binds
 * asynchronously, so each address is first checked by a synchronous Deno
 * listen that is closed at once; a bind that still fails afterwards
 * (another process took the port between) is logged.
 */
import { type BindAddress, bindAddresses, BindFailure, listenEach, type Opened } from "./bind.ts";
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

/** The listeners a CONFIG SET running now replaced, and the address they were made for. */
interface Retired {
  listeners: Listener[];
  made: string;
}

/** Listening failed at start; `message` is Redis's last log line before it exits. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenError";
  }
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

function portOf(listener: Deno.TcpListener | undefined): number | undefined {
  return (listener?.addr as Deno.NetAddr | undefined)?.port;
}

/** How listenEach opens (and closes again) one kind's sockets. */
interface Opener<T> {
  open: (host: string, port: number) => { item: T; port: number };
  close: (item: T) => void;
}

const TCP: Opener<Deno.TcpListener> = {
  open(hostname, port) {
    const item = Deno.listen({ hostname, port, transport: "tcp" });
    return { item, port: portOf(item)! };
  },
  close: (listener) => listener.close(),
};

/** A TLS address checked synchronously (node binds later): the socket is closed at once. */
const TLS_PROBE: Opener<string> = {
  open(hostname, port) {
    Deno.listen({ hostname, port, transport: "tcp" }).close();
    return { item: hostname, port };
  },
  close: () => {},
};

function removeSocketFile(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // nothing there
  }
}

export class Listeners {
  #tcp: Deno.TcpListener[] = [];
  #tls: TlsListener[] = [];
  /** Each listener's accept loop: it has released its socket once this settles. */
  readonly #loops = new Map<Listener | Deno.UnixListener, Promise<void>>();
  /** The unixsocket listener, when that parameter names a path. */
  #unix: Deno.UnixListener | undefined;
  /** listen() ran: CONFIG SET moves the listeners from then on. */
  #started = false;
  /**
   * The addresses and port the listeners of each kind were made for, live or
   * about to be: one CONFIG SET of several parameters listens once.
   */
  readonly #made = { tcp: "", tls: "" };
  /** The listeners the current CONFIG SET replaced, closed once it has finished. */
  readonly #retired: { tcp?: Retired; tls?: Retired } = {};
  /** TLS listeners made at run time while node binds them (on a later turn). */
  #binding: { listeners: TlsListener[]; bound: Promise<void> } | undefined;

  constructor(
    readonly config: Config,
    readonly acceptLoop: (listener: AsyncIterable<SocketConn>) => Promise<void>,
    readonly log: (message: string) => void,
  ) {}

  /**
   * Starts listening on every address of bind; returns the bound TCP port
   * (useful with port 0). Throws ListenError (logged already, but for its
   * message) or TlsConfigError.
   */
  listen(): number {
    const bind = this.config.get("bind");
    const addresses = bindAddresses(bind);
    const tcp = this.#listenAtStart(addresses, this.config.getNumber("port"), "TCP", TCP);
    const tlsPort = this.config.getNumber("tls-port");
    let tls: TlsListener[] = [];
    try {
      if (tlsPort !== 0) {
        const context = secureContextOf(this.config);
        const probed = this.#listenAtStart(addresses, tlsPort, "TLS", TLS_PROBE);
        tls = probed.opened.map((host) => listenTls(this.config, host, context)!);
      }
      this.#unix = this.#listenUnix();
      if (tcp.opened.length === 0 && tls.length === 0 && this.#unix === undefined) {
        throw new ListenError("Configured to not listen anywhere, exiting.");
      }
    } catch (err) {
      tcp.opened.forEach((l) => l.close());
      throw err;
    }
    this.#serve("tcp", tcp.opened);
    this.#serve("tls", tls);
    const unix = this.#unix;
    if (unix !== undefined) {
      this.#loops.set(unix, this.acceptLoop(unix).finally(() => this.#loops.delete(unix)));
    }
    // The configured port: a rollback of CONFIG SET port to 0 takes back the listener it bound.
    this.#made.tcp = `${bind} ${this.config.getNumber("port")}`;
    this.#made.tls = `${bind} ${tlsPort}`;
    this.#started = true;
    return tcp.port;
  }

  #listenAtStart<T>(
    addresses: BindAddress[],
    port: number,
    kind: "TCP" | "TLS",
    opener: Opener<T>,
  ): Opened<T> {
    try {
      return listenEach(addresses, port, { ...opener, log: this.log });
    } catch (err) {
      if (!(err instanceof BindFailure)) throw err;
      // Redis's words: its test harness retries on another port when it sees them.
      throw new ListenError(`Failed listening on port ${port} (${kind}), aborting.`);
    }
  }

  get port(): number {
    return portOf(this.#tcp[0]) ?? this.config.getNumber("port");
  }

  /** The TLS port, 0 without tls-port. */
  get tlsPort(): number {
    return this.#tls[0]?.port ?? 0;
  }

  /** Settles when the TLS listeners are bound (at once without tls-port); rejects when one cannot be. */
  get tlsReady(): Promise<void> {
    return Promise.all(this.#tls.map((l) => l.ready)).then(() => {});
  }

  /**
   * Pending while TLS listeners a CONFIG SET made are binding: replies wait
   * for them, so that a client told OK can connect (Redis binds before it answers).
   */
  get binding(): Promise<void> | undefined {
    return this.#binding?.bound;
  }

  close(): void {
    this.#tcp.forEach((l) => this.#close(l));
    this.#tls.forEach((l) => this.#close(l));
    if (this.#unix !== undefined) {
      this.#close(this.#unix);
      this.#unix = undefined;
      removeSocketFile(this.config.get("unixsocket"));
    }
  }

  /** The unixsocket path's listener; a file left there (a stale socket) goes first, as in Redis. */
  #listenUnix(): Deno.UnixListener | undefined {
    const path = this.config.get("unixsocket");
    if (path === "") return undefined;
    removeSocketFile(path);
    let listener: Deno.UnixListener;
    try {
      listener = Deno.listen({ transport: "unix", path });
    } catch (err) {
      throw new ListenError(`Failed opening Unix socket: ${(err as Error).message}`);
    }
    const mode = this.config.getNumber("unixsocketperm");
    if (mode !== 0) Deno.chmodSync(path, mode);
    this.log(`The server is now ready to accept connections at ${path}`);
    return listener;
  }

  /**
   * After close(): resolves once every accept loop has ended (at most
   * `maxMs`). A listener's socket stays open until its pending accept is
   * cancelled, on a later turn of Deno's loop; until then a client may still
   * connect, as one that saw SHUTDOWN close its connection would at once.
   */
  async closed(maxMs = 500): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, maxMs));
    await Promise.race([Promise.allSettled([...this.#loops.values()]), late]);
    clearTimeout(timer);
  }

  /** A parameter changed (CONFIG SET); throws ConfigError when it cannot be applied. */
  apply(name: string): void {
    if (!this.#started) return;
    if (name === "port" || name === "bind") this.#relistenTcp(name);
    if (name === "tls-port" || name === "bind") this.#relistenTls();
    if (name === "tls-auth-clients") {
      this.#tls.forEach((l) => l.setAuthClients(this.config.get(name)));
    }
  }

  /**
   * CONFIG SET of TLS files, once all of its values are stored (Config.onApply):
   * the TLS listeners reload them, or name the parameter for which they failed.
   */
  reloadTls(names: readonly string[]): { name: string; problem: string } | undefined {
    const name = names.find((n) => TLS_CONTEXT_PARAMS.has(n));
    if (name === undefined || this.#tls.length === 0) return undefined;
    try {
      this.#tls.forEach((l) => l.reconfigure(this.config));
    } catch (err) {
      if (!(err instanceof TlsConfigError)) throw err;
      this.log(err.message);
      return { name, problem: TLS_RELOAD_FAILED };
    }
    return undefined;
  }

  /** `listeners` serve `kind` (beside the current ones when `add`). */
  #serve(kind: Kind, listeners: Listener[], add = false): void {
    if (kind === "tcp") {
      this.#tcp = [...(add ? this.#tcp : []), ...listeners as Deno.TcpListener[]];
    } else {
      this.#tls = [...(add ? this.#tls : []), ...listeners as TlsListener[]];
    }
    for (const listener of listeners) {
      const loop = this.acceptLoop(listener).finally(() => this.#loops.delete(listener));
      this.#loops.set(listener, loop);
    }
  }

  /** Takes `kind`'s listeners out of service: closed after this CONFIG SET unless its rollback takes them back. */
  #retire(kind: Kind): void {
    const listeners: Listener[] = kind === "tcp" ? this.#tcp : this.#tls;
    if (kind === "tcp") this.#tcp = [];
    else this.#tls = [];
    if (listeners.length === 0) return;
    const retired = { listeners, made: this.#made[kind] };
    this.#retired[kind]?.listeners.forEach((l) => this.#close(l));
    this.#retired[kind] = retired;
    queueMicrotask(() => {
      if (this.#retired[kind] !== retired) return;
      this.#retired[kind] = undefined;
      listeners.forEach((l) => this.#close(l));
    });
  }

  /** A rollback back to the addresses retired listeners serve: they are current again. */
  #unretire(kind: Kind, made: string): boolean {
    const retired = this.#retired[kind];
    if (retired?.made !== made) return false;
    this.#retired[kind] = undefined;
    (kind === "tcp" ? this.#tcp : this.#tls).forEach((l) => this.#close(l));
    if (kind === "tcp") this.#tcp = retired.listeners as Deno.TcpListener[];
    else this.#tls = retired.listeners as TlsListener[];
    this.#made[kind] = made;
    return true;
  }

  #relistenTcp(changed: "port" | "bind"): void {
    // A new bind keeps the bound port (port 0 at start is any free port; set later, it is none).
    const port = changed === "port" ? this.config.getNumber("port") : this.port;
    const bind = this.config.get("bind");
    const made = `${bind} ${port}`;
    if (made === this.#made.tcp || this.#unretire("tcp", made)) return;
    if (port === 0) this.#retire("tcp");
    else {this.#replaceTcp(
        bindAddresses(bind),
        port,
        changed === "port" ? LISTEN_PORT_FAILED : BIND_FAILED,
      );}
    this.#made.tcp = made;
  }

  /**
   * Listens anew on every address and retires the old TCP listeners. An
   * address whose port our own old listener holds is listened on once the
   * old listeners are closed and released.
   */
  #replaceTcp(addresses: BindAddress[], port: number, error: string): void {
    const holdsPort = this.#tcp.some((l) => portOf(l) === port);
    const { opened, deferred } = this.#listenNow(addresses, port, TCP, holdsPort, error);
    if (deferred.length === 0) {
      this.#retire("tcp");
      this.#serve("tcp", opened);
      return;
    }
    const old = this.#tcp;
    const released = Promise.all(old.map((l) => this.#loops.get(l)));
    old.forEach((l) => this.#close(l));
    this.#serve("tcp", opened);
    const served = new Set(
      addresses.filter((a) => !deferred.includes(a)).flatMap((a) => a.wildcard ?? []),
    );
    released.then(() => {
      try {
        const late = listenEach(deferred, port, { ...TCP, log: this.log, served });
        this.#serve("tcp", late.opened, true);
      } catch (err) {
        this.log(`Unable to listen after a CONFIG SET of bind: ${err}`);
      }
    });
  }

  /** listenEach at run time: a failure is CONFIG SET's `error`. */
  #listenNow<T>(
    addresses: BindAddress[],
    port: number,
    opener: Opener<T>,
    holdsPort: boolean,
    error: string,
  ): Opened<T> {
    try {
      return listenEach(addresses, port, { ...opener, log: this.log, holdsPort });
    } catch (err) {
      if (err instanceof BindFailure) throw new ConfigError(error);
      throw err;
    }
  }

  /** tls-port or bind changed: TLS listeners on the new addresses replace the old ones. */
  #relistenTls(): void {
    const port = this.config.getNumber("tls-port");
    const bind = this.config.get("bind");
    const made = `${bind} ${port}`;
    if (made === this.#made.tls || this.#unretire("tls", made)) return;
    if (port === 0) {
      this.#retire("tls");
      this.#made.tls = made;
      return;
    }
    const context = this.#tlsContext();
    const holdsPort = this.#tls.some((l) => l.port === port);
    const { opened, deferred } = this.#listenNow(
      bindAddresses(bind),
      port,
      TLS_PROBE,
      holdsPort,
      LISTEN_PORT_FAILED,
    );
    if (deferred.length > 0) {
      // Only our own old listeners hold the port: they close first.
      this.#tls.forEach((l) => this.#close(l));
      this.#tls = [];
    }
    this.#retire("tls");
    const hosts = [...opened, ...deferred.map((a) => a.host)];
    const listeners = hosts.map((host) => listenTls(this.config, host, context)!);
    const bound = Promise.all(
      listeners.map((listener) =>
        listener.ready.catch((err) => this.log(`Unable to listen on TLS port ${port}: ${err}`))
      ),
    ).then(() => this.#bound(listeners));
    this.#binding = { listeners, bound };
    this.#serve("tls", listeners);
    this.#made.tls = made;
  }

  #bound(listeners: TlsListener[]): void {
    if (this.#binding?.listeners === listeners) this.#binding = undefined;
  }

  /** Closes a listener; one closed before node bound it never binds (nor settles `ready`). */
  #close(listener: Listener | Deno.UnixListener): void {
    try {
      listener.close();
    } catch {
      // already closed
    }
    if (this.#binding?.listeners.includes(listener as TlsListener)) this.#binding = undefined;
  }

  /** The TLS configuration new listeners serve with, or Redis's error when it does not load. */
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
