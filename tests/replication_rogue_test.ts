/**
 * What a master does with a replica link that misbehaves, as redis-server
 * 7.0.15: a replica that sends a command with a reply is logged and dropped
 * (the reply would land amid its RDB or stream), a keyspace command from it
 * is refused first, and PSYNC with an offset that is not a number is
 * refused and logged.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RespClient, startServer, within } from "./helpers.ts";
import { waitFor } from "./replication_helpers.ts";

function capturedLog(server: { log(message: string): void }): string[] {
  const lines: string[] = [];
  server.log = (message) => lines.push(message);
  return lines;
}

/** Reads until the server closes the connection; returns what arrived. */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  const chunks: string[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return chunks.join("");
    chunks.push(new TextDecoder().decode(buf.subarray(0, n)));
  }
}

for (const [sync, command] of [["SYNC", "PING"], ["PSYNC ? -1", "GET foo"]] as const) {
  Deno.test(`a replica that sends ${command.split(" ")[0]} after ${sync.split(" ")[0]} is dropped`, async () => {
    await using master = startServer({ "repl-diskless-sync": "no" });
    const log = capturedLog(master.server);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: master.port });
    await conn.write(new TextEncoder().encode(`${sync}\r\n`));
    await waitFor(
      "the sync",
      () => Promise.resolve(log.some((l) => l.includes("full sync sent")) || undefined),
    );
    await conn.write(new TextEncoder().encode(`${command}\r\n`));
    // The connection closes; the reply is not sent.
    const got = await within(readToEnd(conn)).finally(() => conn.close());
    equal(got.includes("+PONG") || got.includes("$-1\r\n"), false);
    const name = command.split(" ")[0]!.toLowerCase();
    const line = log.find((l) => l.startsWith(`Replica generated a reply to command '${name}'`));
    match(
      line ?? "",
      new RegExp(
        `^Replica generated a reply to command '${name}', disconnecting it: id=\\d+ addr=`,
      ),
    );
    // GET touches the keyspace, which a replica may not: refused, and that error is logged too.
    const refused = log.some((l) =>
      l ===
        "== CRITICAL == This master is sending an error to its replica: 'ERR Replica can't interact with the keyspace' after processing the command 'get'"
    );
    equal(refused, name === "get");
    using c = await RespClient.connect(master.port);
    equal(await c.cmd("PING"), "PONG");
  });
}

Deno.test("PSYNC with an offset that is not a number is refused and logged", async () => {
  await using master = startServer();
  const log = capturedLog(master.server);
  using c = await RespClient.connect(master.port);
  deepEqual(await c.cmd("PSYNC", "replicationid", "offset_str"), {
    error: "ERR value is not an integer or out of range",
  });
  match(
    log.join("\n"),
    /Replica 127\.0\.0\.1:<unknown-replica-port> asks for synchronization but with a wrong offset/,
  );
  equal(await c.cmd("PING"), "PONG");
});
