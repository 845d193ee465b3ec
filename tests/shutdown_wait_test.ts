/**
 * Redis 7.0's graceful shutdown: a master whose replica has not
 * acknowledged its stream waits up to shutdown-timeout, writes paused, with
 * INFO's shutdown_in_milliseconds; SHUTDOWN ABORT ends the wait with Redis's
 * error to the waiting callers; at the deadline it logs the lagging replica
 * and stops. The replica here is a socket that asked for a full sync and
 * never acknowledges anything.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { plain, RespClient, startServer, type TestServer, within } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";
import { waitFor } from "./replication_helpers.ts";

/** A replica that never sends REPLCONF ACK: its acknowledged offset stays 0. */
async function silentReplica(port: number): Promise<RespClient> {
  const replica = await RespClient.connect(port);
  equal(await replica.cmd("REPLCONF", "listening-port", "1"), "OK");
  await replica.send("PSYNC", "?", "-1");
  return replica;
}

/** The server's log lines, kept instead of printed. */
function keepLog(srv: TestServer): string[] {
  const logged: string[] = [];
  srv.server.quiet = false;
  srv.server.log = (message: string) => void logged.push(message);
  return logged;
}

/** Waits until the master counts the replica. */
function replicaAttached(c: RespClient): Promise<unknown> {
  return waitFor("the replica", async () => {
    return /connected_slaves:1/.test(String(await c.cmd("INFO", "replication"))) || undefined;
  });
}

Deno.test("SHUTDOWN waits for a lagging replica with writes paused; SHUTDOWN ABORT ends the wait", async () => {
  await using srv = startServer({ "repl-diskless-sync-delay": "0" });
  const logged = keepLog(srv);
  using c = await RespClient.connect(srv.port);
  using replica = await silentReplica(srv.port);
  await replicaAttached(c);
  equal(await c.cmd("SET", "k", "1"), "OK");
  // Redis's connected_clients leaves replicas out.
  match(String(await c.cmd("INFO", "clients")), /connected_clients:1\r\n/);

  using waiting = await RespClient.connect(srv.port);
  await waiting.send("SHUTDOWN");
  await waitFor("the wait", async () => {
    const left = /shutdown_in_milliseconds:(\d+)/.exec(String(await c.cmd("INFO", "server")));
    return left !== null && Number(left[1]) > 0 || undefined;
  });
  ok(logged.includes("Waiting for replicas before shutting down."), logged.join("\n"));
  // Writes wait while it lasts; reads go on.
  using writer = await RespClient.connect(srv.port);
  await writer.send("SET", "k", "2");
  equal(await c.cmd("GET", "k"), "1");
  equal(await c.cmd("SHUTDOWN", "ABORT"), "OK");
  deepEqual(plain(await within(waiting.read())), {
    error: "ERR Errors trying to SHUTDOWN. Check logs.",
  });
  equal(plain(await within(writer.read())), "OK");
  deepEqual(await c.cmd("SHUTDOWN", "ABORT"), { error: "ERR No shutdown in progress." });
  replica[Symbol.dispose]();
});

Deno.test("at shutdown-timeout the master logs its lagging replica and stops", async () => {
  await using srv = startServer({ "repl-diskless-sync-delay": "0", "shutdown-timeout": "1" });
  const logged = keepLog(srv);
  using c = await RespClient.connect(srv.port);
  using _replica = await silentReplica(srv.port);
  await replicaAttached(c);
  equal(await c.cmd("INCR", "k"), 1);
  await c.send("SHUTDOWN", "NOSAVE");
  // The connection closes as the server stops, about a second later.
  await within(c.read().catch(() => "closed"), 5000);
  ok(
    logged.some((line) =>
      /^Lagging replica 127\.0\.0\.1:1 reported offset \d+ behind master/.test(line)
    ),
    logged.join("\n"),
  );
  ok(logged.includes("0 of 1 replicas are in sync when shutting down."), logged.join("\n"));
  ok(logged.includes("Redis is now ready to exit, bye bye..."), logged.join("\n"));
});

Deno.test("a second SIGINT while the shutdown waits for a replica exits at once, as Redis's", async () => {
  using dir = tempDir();
  const server = ChildServer.redisHome(dir.path, "--repl-diskless-sync-delay", "0");
  let exited = false;
  try {
    using c = await server.connect();
    using _replica = await silentReplica(server.port);
    await replicaAttached(c);
    equal(await c.cmd("INCR", "k"), 1);
    server.process.kill("SIGINT");
    await waitFor("the wait", async () => {
      return /shutdown_in_milliseconds:\d+/.test(String(await c.cmd("INFO", "server"))) ||
        undefined;
    });
    server.process.kill("SIGINT");
    // shutdown-timeout is 10 s: the second signal ends it long before.
    const status = await within(server.process.status, 5000);
    exited = true;
    equal(status.code, 1);
  } finally {
    if (!exited) await server.crash();
  }
});
