/**
 * A client session: the connection, the state the prompt shows (selected
 * database, MULTI), and running one command the way redis-cli does
 * (cliSendCommand): print its reply, follow SELECT/MULTI/EXEC/DISCARD/RESET,
 * stream SUBSCRIBE and MONITOR output until Ctrl-C, and report a lost
 * connection, reconnecting on the next command.
 */
import { binaryToBytes } from "../protocol/bytes.ts";
import type { RespValue } from "../protocol/resp.ts";
import { ConnectionError, ServerConnection, type WireProtocol } from "./connection.ts";
import { formatReplyRaw, formatReplyTTY } from "./render.ts";

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
  host: string;
  port: number;
  protocol: WireProtocol;
  /** redis-cli's terminal formatting (else the bare piped form). */
  tty: boolean;
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

/** redis-cli's address form: IPv6 hosts in brackets. */
function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export class Session {
  host: string;
  port: number;
  #conn: ServerConnection | undefined;
  /** The database the prompt shows, and the one to select again on a new connection. */
  #db = 0;
  #wantedDb = 0;
  #inMulti = false;
  #dbBeforeMulti = 0;
  /** Set once any connection attempt failed or a connection was lost. */
  connectionFailed = false;

  constructor(readonly options: SessionOptions) {
    this.host = options.host;
    this.port = options.port;
  }

  get connected(): boolean {
    return this.#conn !== undefined;
  }

  /** redis-cli's prompt: "127.0.0.1:6379[2](TX)> ", or "not connected> ". */
  prompt(): string {
    if (!this.connected) return "not connected> ";
    let prompt = formatAddress(this.host, this.port);
    if (this.#db !== 0) prompt += `[${this.#db}]`;
    if (this.#inMulti) prompt += "(TX)";
    return prompt + "> ";
  }

  /**
   * (Re)connects, selecting the database the session was using. Prints why
   * it failed unless `quiet`.
   */
  async connect(quiet = false): Promise<boolean> {
    this.close();
    this.#db = 0;
    this.#inMulti = false;
    let conn: ServerConnection;
    try {
      conn = await ServerConnection.open(this.host, this.port, this.options.protocol);
    } catch (err) {
      this.connectionFailed = true;
      if (!quiet) {
        await this.options.output.stderr(
          `Could not connect to Redis at ${this.host}:${this.port}: ${(err as Error).message}\n`,
        );
      }
      return false;
    }
    this.#conn = conn;
    if (this.#wantedDb !== 0) {
      try {
        await conn.send(["SELECT", String(this.#wantedDb)]);
        const reply = await conn.read();
        if (reply.type === "error") {
          await this.options.output.stderr(`SELECT ${this.#wantedDb} failed: ${reply.value}\n`);
          return false;
        }
        this.#db = this.#wantedDb;
      } catch (err) {
        await this.#lost(err as ConnectionError);
        return false;
      }
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
   * Sends `argv` `repeat` times and prints each reply, connecting first if
   * needed. False when there was no connection or it was lost (already
   * reported).
   */
  async run(argv: readonly string[], repeat = 1): Promise<boolean> {
    if (this.#conn === undefined && !(await this.connect())) return false;
    try {
      for (let i = 0; i < repeat; i++) await this.#runOnce(argv);
      return true;
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      await this.#lost(err);
      return false;
    }
  }

  async #runOnce(argv: readonly string[]): Promise<void> {
    const conn = this.#conn!;
    const name = (argv[0] ?? "").toLowerCase();
    await conn.send(argv);
    if (SUBSCRIBE_COMMANDS.has(name) || name === "monitor") {
      await this.#stream(conn, name !== "monitor");
      return;
    }
    let reply = await conn.read();
    // RESP3 pushes (messages, invalidations) arrive between replies: show them.
    while (reply.type === "push" && !UNSUBSCRIBE_COMMANDS.has(name)) {
      await this.#print(reply, false);
      reply = await conn.read();
    }
    await this.#print(reply, printsRawText(argv));
    this.#follow(argv, name, reply);
  }

  /**
   * Prints replies as they arrive until an error reply, or until Ctrl-C,
   * which drops the connection (the only way to leave subscribed mode) and
   * opens a new one.
   */
  async #stream(conn: ServerConnection, announce: boolean): Promise<void> {
    if (announce && this.options.tty) {
      await this.options.output.stdout("Reading messages... (press Ctrl-C to quit)\n");
    }
    let interrupted = false;
    const interrupt = () => {
      interrupted = true;
      conn.close();
    };
    if (this.options.interruptibleStreams) Deno.addSignalListener("SIGINT", interrupt);
    try {
      for (;;) {
        const reply = await conn.read();
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

  async #print(reply: RespValue, rawText: boolean): Promise<void> {
    const text = rawText
      ? formatReplyRaw(reply)
      : this.options.tty
      ? formatReplyTTY(reply)
      : formatReplyRaw(reply) + "\n";
    await this.options.output.stdout(text);
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
