/**
 * CONFIG SET as Redis 7.0 applies it: several parameters all or none (a set
 * error or an apply error rolls every one back), port and bind moved at run
 * time, maxmemory-clients percentages, hidden parameters.
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { freePort } from "../bench/servers.ts";
import { RespClient, startServer } from "./helpers.ts";
import { sameAsRedis } from "./redis_compare.ts";

Deno.test("CONFIG SET: a bad value rolls back the whole call, with Redis's errors", async () => {
  await sameAsRedis([
    ["CONFIG", "SET", "maxmemory", "10000002"],
    [
      "CONFIG",
      "SET",
      "maxmemory",
      "10000001",
      "maxmemory-clients",
      "200%",
      "client-query-buffer-limit",
      "invalid",
    ],
    // One name per CONFIG GET: with several, Redis answers in its hash table's order.
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "maxmemory-clients"],
    ["CONFIG", "GET", "client-query-buffer-limit"],
    ["CONFIG", "SET", "maxmemory-clients", "10%"],
    ["CONFIG", "GET", "maxmemory-clients"],
    ["CONFIG", "SET", "maxmemory-clients", "x"],
    ["CONFIG", "SET", "maxmemory-clients", "-1%"],
    ["CONFIG", "SET", "maxmemory", "10000001", "maxmemory", "10000002"],
    ["CONFIG", "SET", "daemonize", "yes"],
    ["CONFIG", "SET", "bind", "999.999.999.999"],
    ["CONFIG", "GET", "bind"],
    ["CONFIG", "SET", "maxmemory", "0", "maxmemory-clients", "0"],
  ]);
});

Deno.test("CONFIG GET: hidden parameters answer by name, never to a pattern", async () => {
  await sameAsRedis([
    ["CONFIG", "GET", "key-load-delay"],
    ["CONFIG", "GET", "key-load-*"],
    ["CONFIG", "GET", "rdb-key-save-delay"],
    ["CONFIG", "GET", "loading-process-events-interval-bytes"],
    ["CONFIG", "GET", "cluster-announce-ip"],
    ["CONFIG", "GET", "tls-session-cache-size"],
  ]);
});

Deno.test("CONFIG SET port moves the listener; a port in use fails and rolls back every parameter", async () => {
  await using srv = startServer();
  const oldPort = srv.port;
  using client = await RespClient.connect(oldPort);
  const newPort = freePort();
  equal(await client.cmd("CONFIG", "SET", "port", String(newPort)), "OK");
  equal(srv.server.port, newPort);
  await rejects(Deno.connect({ hostname: "127.0.0.1", port: oldPort }));
  using moved = await RespClient.connect(newPort);
  equal(await moved.cmd("PING"), "PONG");

  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busyPort = String((busy.addr as Deno.NetAddr).port);
  deepEqual(
    await moved.cmd(
      ..."CONFIG SET maxmemory 10000001 port".split(" "),
      busyPort,
      ..."client-query-buffer-limit 10m".split(" "),
    ),
    {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
    },
  );
  deepEqual(
    await moved.cmd("CONFIG", "GET", "maxmemory", "port", "client-query-buffer-limit"),
    ["maxmemory", "0", "port", String(newPort), "client-query-buffer-limit", "1073741824"],
  );
  using again = await RespClient.connect(newPort);
  equal(await again.cmd("PING"), "PONG");
});

Deno.test("CONFIG SET bind: a bad address changes nothing; a good one listens there", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  deepEqual(await client.cmd("CONFIG", "SET", "bind", "999.999.999.999"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
  });
  equal(await client.cmd("CONFIG", "SET", "bind", "127.0.0.2"), "OK");
  // Connections already open stay.
  (await Deno.connect({ hostname: "127.0.0.2", port: srv.port })).close();
  await rejects(Deno.connect({ hostname: "127.0.0.1", port: srv.port }));
  deepEqual(await client.cmd("CONFIG", "GET", "bind"), ["bind", "127.0.0.2"]);
  equal(await client.cmd("CONFIG", "SET", "bind", "127.0.0.1"), "OK");
  using back = await RespClient.connect(srv.port);
  equal(await back.cmd("PING"), "PONG");
});

Deno.test("CONFIG SET dir: the directory must exist (Redis's chdir errors)", async () => {
  await using srv = startServer({ "enable-protected-configs": "yes" });
  using client = await RespClient.connect(srv.port);
  const failed = (reason: string) => ({
    error: `ERR CONFIG SET failed (possibly related to argument 'dir') - ${reason}`,
  });
  deepEqual(
    await client.cmd("CONFIG", "SET", "dir", "/nonexistent"),
    failed("No such file or directory"),
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    deepEqual(await client.cmd("CONFIG", "SET", "dir", `${dir}/file`), failed("Not a directory"));
    deepEqual(await client.cmd("CONFIG", "GET", "dir"), ["dir", "."]);
    equal(await client.cmd("CONFIG", "SET", "dir", dir), "OK");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CONFIG SET shutdown-on-sigterm/-sigint: several flags at once, as redis-server", async () => {
  const steps: string[][] = [];
  for (
    const value of ["nosave now", "NOW save force", "save nosave", "bogus", "", "default save"]
  ) {
    steps.push(["CONFIG", "SET", "shutdown-on-sigterm", value]);
    steps.push(["CONFIG", "GET", "shutdown-on-sigterm"]);
  }
  steps.push(["CONFIG", "SET", "shutdown-on-sigint", "force now"]);
  steps.push(["CONFIG", "GET", "shutdown-on-sigint"]);
  await sameAsRedis(steps);
});
