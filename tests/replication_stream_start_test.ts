/**
 * The first REPLCONF ACK after a diskless full sync starts the replica's
 * stream (the writes made during the transfer, then the live ones). The
 * replica's requests go through processCommand as from a connection whose
 * output is written at the end of the event loop's round, as the epoll
 * poller writes it: bytes put in the output while a replica's command runs
 * are still there when dispatch looks for a reply to that command, and a
 * replica whose command replies is dropped (Redis's "Replica generated a
 * reply"). No sockets, so nothing here depends on timing.
 */
import { equal, match } from "node:assert/strict";
import { bytesToBinary } from "../protocol/bytes.ts";
import { Client, type ClientTransport } from "../server/client.ts";
import { createServer } from "../server/compose.ts";
import { Config } from "../server/config.ts";
import { processCommand, startBatch } from "../server/dispatch.ts";
import type { RedisServer } from "../server/server.ts";

/** A replica's connection: its output goes out on a timer, as at a poller round's end. */
class RoundEndTransport implements ClientTransport {
  client: Client | undefined;
  /** What was written to the replica so far. */
  sent = "";
  outputBytes = 0;
  inputBytes = 0;
  remoteAddr = "127.0.0.1:50000";
  localAddr = "127.0.0.1:6379";
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly server: RedisServer) {}

  flushSoon(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const client = this.client!;
      if (!client.closed) this.sent += bytesToBinary(client.out.take());
    }, 0);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.client) this.server.unregisterClient(this.client);
  }

  resume(): void {}
}

function send(client: Client, ...argv: string[]): void {
  startBatch();
  processCommand(client, argv);
}

/** What `sent` holds after a whole diskless payload (the stream); undefined before its end. */
function afterPayload(sent: string): string | undefined {
  const at = sent.indexOf("$EOF:");
  const mark = sent.slice(at + 5, at + 45);
  if (at < 0 || mark.length < 40) return undefined;
  const end = sent.indexOf(mark, at + 47);
  return end < 0 ? undefined : sent.slice(end + mark.length);
}

/** Waits (bounded) until `transport` received a whole diskless payload. */
async function payloadDone(transport: RoundEndTransport): Promise<string> {
  for (let i = 0; i < 400; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const rest = afterPayload(transport.sent);
    if (rest !== undefined) return rest;
  }
  throw new Error(`the payload did not complete: ${transport.sent.slice(0, 100)}`);
}

Deno.test("the ACK that starts a replica's stream after a diskless full sync keeps the link", async () => {
  const config = new Config();
  config.set("repl-diskless-sync", "yes", true);
  config.set("repl-diskless-sync-delay", "0", true);
  const server = createServer(config);
  server.quiet = true;
  const writer = server.createInternalClient();
  for (let i = 0; i < 100; i++) send(writer, "SET", `before:${i}`, "v");
  const transport = new RoundEndTransport(server);
  const replica = transport.client = new Client(server, transport, 2);
  server.registerClient(replica);
  send(replica, "REPLCONF", "listening-port", "6380");
  send(replica, "REPLCONF", "capa", "eof", "capa", "psync2");
  send(replica, "PSYNC", "?", "-1");
  // Written while the snapshot is sent: held for the replica until its ACK.
  send(writer, "SET", "during", "1");
  equal(await payloadDone(transport), "");
  match(transport.sent, /^\+OK\r\n\+OK\r\n\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$EOF:/);

  // The replica loaded its RDB and acknowledges it (redis-server sends this at once).
  send(replica, "REPLCONF", "ACK", "0");
  equal(replica.closed, false, "the master dropped the replica on its ACK");
  send(writer, "SET", "after", "2");
  await new Promise((r) => setTimeout(r, 20));
  equal(replica.closed, false);
  equal(server.replication.master.replicas.size, 1);
  equal(
    afterPayload(transport.sent),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$6\r\nduring\r\n$1\r\n1\r\n" +
      "*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n",
  );
  transport.close();
});
