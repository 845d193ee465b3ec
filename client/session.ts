/**
 * A client session: the connection (opened with AUTH, SELECT and HELLO 3 as
 * redis-cli's cliConnect does), the state the prompt shows (selected
 * database, MULTI), and running one command the way redis-cli does
 * (cliSendCommand): print its reply, follow SELECT/MULTI/EXEC/DISCARD/RESET,
 * stream SUBSCRIBE and MONITOR output until Ctrl-C, and report a lost
 * connection, reconnecting on the next command.
 */
import { binaryToBytes } from "../protocol/bytes.ts";
import type { RespValue } from "../protocol/resp.ts";
import {
  ConnectionError,
  type Endpoint,
  endpointName,
  ServerConnection,
  type WireProtocol,
} from "./connection.ts";
import { formatReply, type OutputStyle } from "./render.ts";
import { formatFrame } from "./wire.ts";

/** Where output goes: binary strings, written in order. */
export interface Output {
  stdout(text: string): Promise<void>;
  stderr(text: string): Promise<void>;
}

/** A Deno stream as an Output target, writing binary strings as their bytes. */
export async function writeAll(stream: { write(p: Uint8Array): Promise<number> }, text: string) {
  const bytes = binaryToBytes(text);
  let written = 0;
  while (written < bytes.length) written += await stream.write(bytes.subarray(written));
}

export interface SessionOptions {
  endpoint: Endpoint;
  protocol: WireProtocol;
  /** HELLO 3 on each new connection (-3). */
  resp3: boolean;
  user?: string;
  password?: string;
  /** The database to select on connecting (-n). */
  db: number;
  style: OutputStyle;
  /** Seconds to wait after each run of a command (-i). */
  interval: number;
  /** An error reply goes to stderr and ends the run (-e, one-shot only). */
  exitOnError: boolean;
  /** Print each frame as annotated hex (--wire). */
  wire: boolean;
  /** Whether Ctrl-C ends SUBSCRIBE/MONITOR streaming (it kills a one-shot run instead). */
  interruptibleStreams: boolean;
  output: Output;
}

/** Commands after which replies stream until Ctrl-C. */
const SUBSCRIBE_COMMANDS = new Set(["subscribe", "psubscribe", "ssubscribe"]);
/** Commands whose RESP3 replies are pushes, so a push is their reply. */
const UNSUBSCRIBE_COMMANDS = new Set(["unsubscribe", "punsubscribe", "sunsubscribe"]);

/** Replies redis-cli prints as bare text even on a terminal: they are reports for people. */
function printsRawText(argv: readonly string[]): boolean {
  const name = argv[0]?.toLowerCase();
  const sub = argv[1]?.toLowerCase();
  if (name === "info" || name === "lolwut") return true;
  if (argv.length < 2) return false;
  switch (name) {
    case "client":
      return sub === "list" || sub === "info";
    case "memory":
      return sub === "doctor" || sub === "malloc-stats";
    case "latency":
      return (argv.length === 3 && sub === "graph") || (argv.length === 2 && sub === "doctor");
    case "cluster":
      return argv.length === 2 && (sub === "nodes" || sub === "info");
    case "debug":
      return sub === "htstats" || sub === "htstats-key" || sub === "client-eviction";
    default:
      return false;
  }
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export class Session {
  endpoint: Endpoint;
  #conn: ServerConnection | undefined;
  /** The database the prompt shows, and the one to select again on a new connection. */
  #db = 0;
  #wantedDb: number;
  #inMulti = false;
  #dbBeforeMulti = 0;
  /** Set once any connection attempt failed or a connection was lost. */
  connectionFailed = false;
  /** Set when -e met an error reply. */
  errorReplied = false;
  #wire: boolean;

  constructor(readonly options: SessionOptions) {
    this.endpoint = { ...options.endpoint };
    this.#wantedDb = options.db;
    this.#wire = options.wire;
  }

  get wire(): boolean {
    return this.#wire;
  }

  /** Turns the frame dump on or off (`:wire on|off`), for this connection and the next. */
  set wire(on: boolean) {
    this.#wire = on;
    if (this.#conn !== undefined) this.#conn.tap = this.#tap();
  }

  /** The connection's tap while --wire is on; none otherwise, so replies are not copied for it. */
  #tap() {
    if (!this.#wire) return undefined;
    const protocol = this.options.protocol;
    const stdout = this.options.output.stdout;
    return (direction: "request" | "reply", bytes: Uint8Array) =>
      stdout(formatFrame(direction, protocol, bytes));
  }

  get connected(): boolean {
    return this.#conn !== undefined;
  }

  /** The open connection, for the modes that drive it themselves. */
  get connection(): ServerConnection | undefined {
    return this.#conn;
  }

  /** redis-cli's prompt: "127.0.0.1:6379[2](TX)> ", "redis /tmp/s> ", or "not connected> ". */
  prompt(): string {
    if (!this.connected) return "not connected> ";
    const socket = this.endpoint.socket;
    let prompt = socket !== undefined ? `redis ${socket}` : endpointName(this.endpoint, true);
    if (this.#db !== 0) prompt += `[${this.#db}]`;
    if (this.#inMulti) prompt += "(TX)";
    return prompt + "> ";
  }

  /**
   * (Re)connects: AUTH, then SELECT of the database the session was using,
   * then HELLO 3. Prints why it failed unless `quiet`.
   */
  async connect(quiet = false): Promise<boolean> {
    this.close();
    this.#db = 0;
    this.#inMulti = false;
    let conn: ServerConnection;
    try {
      conn = await ServerConnection.open(this.endpoint, this.options.protocol);
    } catch (err) {
      this.connectionFailed = true;
      if (!quiet) {
        await this.options.output.stderr(
          `Could not connect to Redis at ${endpointName(this.endpoint)}: ${
            (err as Error).message
          }\n`,
        );
      }
      return false;
    }
    conn.tap = this.#tap();
    this.#conn = conn;
    try {
      return await this.#handshake(conn);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      await this.#lost(err);
      return false;
    }
  }

  async #handshake(conn: ServerConnection): Promise<boolean> {
    const { user, password, resp3 } = this.options;
    const steps: [string[], string][] = [];
    if (password !== undefined) {
      steps.push([user !== undefined ? ["AUTH", user, password] : ["AUTH", password], "AUTH"]);
    }
    if (this.#wantedDb !== 0) {
      steps.push([["SELECT", String(this.#wantedDb)], `SELECT ${this.#wantedDb}`]);
    }
    if (resp3) steps.push([["HELLO", "3"], "HELLO 3"]);
    for (const [argv, what] of steps) {
      await conn.send(argv);
      const reply = await conn.read();
      if (reply.type === "error") {
        await this.options.output.stderr(`${what} failed: ${reply.value}\n`);
        return false;
      }
      if (argv[0] === "SELECT") this.#db = this.#wantedDb;
    }
    return true;
  }

  close(): void {
    this.#conn?.close();
    this.#conn = undefined;
  }

  async #lost(err: ConnectionError): Promise<void> {
    this.connectionFailed = true;
    this.close();
    await this.options.output.stderr(`Error: ${err.message}\n`);
  }

  /**
   * Sends `argv` `repeat` times (forever if negative) and prints each reply,
   * connecting first if needed. False when there was no connection or it was
   * lost (already reported), or when -e met an error reply.
   */
  async run(argv: readonly string[], repeat = 1): Promise<boolean> {
    // A failed AUTH or SELECT is reported, but the command still goes, as in redis-cli.
    if (this.#conn === undefined) await this.connect();
    if (this.#conn === undefined) return false;
    try {
      for (let i = 0; repeat < 0 || i < repeat; i++) {
        if (!(await this.#runOnce(argv))) return false;
        if (this.options.interval > 0) await sleep(this.options.interval);
      }
      return true;
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      await this.#lost(err);
      return false;
    }
  }

  /** One command and its reply (or stream of replies); false when -e stops on an error. */
  async #runOnce(argv: readonly string[]): Promise<boolean> {
    const conn = this.#conn!;
    const name = (argv[0] ?? "").toLowerCase();
    await conn.send(argv);
    if (SUBSCRIBE_COMMANDS.has(name) || name === "monitor") {
      await this.#stream(conn, name !== "monitor");
      return true;
    }
    let reply = await conn.read();
    // RESP3 pushes (messages, invalidations) arrive between replies: show them.
    while (reply.type === "push" && !UNSUBSCRIBE_COMMANDS.has(name)) {
      await this.#print(reply, false);
      reply = await conn.read();
    }
    if (reply.type === "error" && this.options.exitOnError) {
      this.errorReplied = true;
      await this.options.output.stderr(reply.value + "\n");
      return false;
    }
    await this.#print(reply, printsRawText(argv));
    this.#follow(argv, name, reply);
    // After AUTH, the database a refused SELECT could not reach (redis-cli's cliSelect).
    if (name === "auth" && (argv.length === 2 || argv.length === 3)) await this.#reselect(conn);
    return true;
  }

  async #reselect(conn: ServerConnection): Promise<void> {
    if (this.#wantedDb === this.#db) return;
    const reply = await conn.call(["SELECT", String(this.#wantedDb)]);
    if (reply.type === "error") {
      await this.options.output.stderr(`SELECT ${this.#wantedDb} failed: ${reply.value}\n`);
    } else {
      this.#db = this.#wantedDb;
    }
  }

  /**
   * Prints replies as they arrive until an error reply, or until Ctrl-C,
   * which drops the connection (the only way to leave subscribed mode) and
   * opens a new one.
   */
  async #stream(conn: ServerConnection, announce: boolean): Promise<void> {
    if (announce && this.options.style.format !== "raw") {
      await this.options.output.stdout("Reading messages... (press Ctrl-C to quit)\n");
    }
    let interrupted = false;
    const interrupt = () => {
      interrupted = true;
      conn.close();
    };
    if (this.options.interruptibleStreams) Deno.addSignalListener("SIGINT", interrupt);
    try {
      // The native protocol has one string type: MONITOR's status lines are shown as such.
      const lines = !announce && conn.protocol === "native";
      for (;;) {
        const read = await conn.read();
        const reply: RespValue = lines && read.type === "bulk"
          ? { type: "simple", value: read.value }
          : read;
        await this.#print(reply, false);
        if (reply.type === "error") return;
      }
    } catch (err) {
      if (!interrupted) throw err;
    } finally {
      if (this.options.interruptibleStreams) Deno.removeSignalListener("SIGINT", interrupt);
    }
    await this.connect();
  }

  async #print(reply: RespValue, verbatim: boolean): Promise<void> {
    await this.options.output.stdout(formatReply(reply, this.options.style, verbatim));
  }

  /** Keeps the prompt's database and MULTI state in step, as redis-cli does. */
  #follow(argv: readonly string[], name: string, reply: RespValue): void {
    const failed = reply.type === "error";
    const db = argv[1];
    if (argv.length === 2 && db !== undefined && name === "select" && !failed) {
      this.#db = this.#wantedDb = parseInt(db, 10) || 0;
    } else if (argv.length === 1 && name === "multi" && !failed) {
      this.#inMulti = true;
      this.#dbBeforeMulti = this.#db;
    } else if (argv.length === 1 && name === "exec" && this.#inMulti) {
      this.#inMulti = false;
      // A failed or aborted transaction did not switch databases.
      if (failed || reply.type === "null" || reply.type === "nullArray") {
        this.#db = this.#wantedDb = this.#dbBeforeMulti;
      }
    } else if (argv.length === 1 && name === "discard" && !failed) {
      this.#inMulti = false;
      this.#db = this.#wantedDb = this.#dbBeforeMulti;
    } else if (argv.length === 1 && name === "reset" && !failed) {
      this.#inMulti = false;
      this.#db = this.#wantedDb = 0;
    }
  }
}
