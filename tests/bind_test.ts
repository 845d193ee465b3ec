/**
 * bind with several addresses, as Redis 7.0's listenToPort: every address
 * is listened on, for the plain and the TLS port; a "-" address that is not
 * on this host is skipped, any other failure stops the start (Redis's log
 * lines, exit 1) or refuses the CONFIG SET (the old addresses stay).
 * 192.0.2.1 (TEST-NET-1) is on no host: listening there always fails.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { freePort } from "../bench/servers.ts";
import { bindAddresses } from "../server/bind.ts";
import { RespClient, startServer, type TestServer } from "./helpers.ts";

async function reachable(hostname: string, port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname, port })).close();
    return true;
  } catch {
    return false;
  }
}

async function ping(hostname: string, port: number): Promise<unknown> {
  using client = await RespClient.connect(port, hostname);
  return await client.cmd("PING");
}

Deno.test("bind: every address is listened on, at start and after CONFIG SET", async () => {
  await using srv = startServer({ bind: "127.0.0.1 127.0.0.2" });
  equal(await ping("127.0.0.1", srv.port), "PONG");
  equal(await ping("127.0.0.2", srv.port), "PONG");
  equal(await reachable("127.0.0.3", srv.port), false);
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("CONFIG", "SET", "bind", "127.0.0.1 127.0.0.3 -192.0.2.1"), "OK");
  equal(await ping("127.0.0.3", srv.port), "PONG");
  equal(await ping("127.0.0.1", srv.port), "PONG");
  equal(await reachable("127.0.0.2", srv.port), false);
});

Deno.test("bind: an address that fails, not optional, refuses CONFIG SET and keeps every old one", async () => {
  await using srv = startServer({ bind: "127.0.0.1 127.0.0.2" });
  using client = await RespClient.connect(srv.port);
  deepEqual(await client.cmd("CONFIG", "SET", "bind", "127.0.0.4 192.0.2.1"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
  });
  deepEqual(await client.cmd("CONFIG", "GET", "bind"), ["bind", "127.0.0.1 127.0.0.2"]);
  equal(await reachable("127.0.0.4", srv.port), false);
  equal(await ping("127.0.0.2", srv.port), "PONG");
  const many = Array.from({ length: 17 }, (_, i) => `127.0.0.${i + 1}`).join(" ");
  deepEqual(await client.cmd("CONFIG", "SET", "bind", many), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified.",
  });
});

/** A server on a free TLS port; again on another when a parallel test took it first. */
async function startTls(params: Record<string, string>): Promise<TestServer> {
  for (let attempt = 1;; attempt++) {
    let srv: TestServer | undefined;
    try {
      srv = startServer({ ...params, "tls-port": String(freePort()) });
      await srv.server.tlsReady;
      return srv;
    } catch (err) {
      await srv?.[Symbol.asyncDispose]();
      if (attempt === 3 || !/EADDRINUSE|Failed listening/.test(String(err))) throw err;
    }
  }
}

Deno.test("bind: the TLS port listens on every address too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const key = `${dir}/key.pem`;
    const cert = `${dir}/cert.pem`;
    const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"];
    const made = await new Deno.Command("openssl", {
      args: [...args, "-keyout", key, "-out", cert, "-subj", "/CN=localhost"],
      stderr: "null",
    }).output();
    equal(made.code, 0);
    await using srv = await startTls({
      bind: "127.0.0.1 127.0.0.2",
      "tls-cert-file": cert,
      "tls-key-file": key,
      "tls-auth-clients": "no",
    });
    const tlsPort = srv.server.tlsPort;
    ok(await reachable("127.0.0.1", tlsPort));
    ok(await reachable("127.0.0.2", tlsPort));
    using client = await RespClient.connect(srv.port);
    equal(await client.cmd("CONFIG", "SET", "bind", "127.0.0.3 127.0.0.1"), "OK");
    await srv.server.listenerBinding;
    ok(await reachable("127.0.0.3", tlsPort));
    ok(await reachable("127.0.0.1", tlsPort));
    equal(await reachable("127.0.0.2", tlsPort), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bind: a start where an address fails logs Redis's lines and exits 1", async () => {
  const port = String(freePort());
  const serve = (bind: string) =>
    new Deno.Command("./redis-home", { args: ["serve", "--port", port, "--bind", bind] }).output();
  const out = await serve("127.0.0.1 192.0.2.1");
  equal(out.code, 1);
  const log = new TextDecoder().decode(out.stdout);
  ok(
    log.includes(
      `Warning: Could not create server TCP listening socket 192.0.2.1:${port}: bind: Cannot assign requested address`,
    ),
    log,
  );
  ok(log.includes(`Failed listening on port ${port} (TCP), aborting.`), log);
  await rejects(Deno.connect({ hostname: "127.0.0.1", port: Number(port) }));
});

Deno.test("bindAddresses: optional and wildcard words, the IPv4 wildcard first", () => {
  deepEqual(bindAddresses("127.0.0.1 -::1"), [
    { host: "127.0.0.1", shown: "127.0.0.1", optional: false },
    { host: "::1", shown: "::1", optional: true },
  ]);
  const wildcards = [
    { host: "0.0.0.0", shown: "*", optional: false, wildcard: 4 },
    { host: "::", shown: "::*", optional: true, wildcard: 6 },
  ];
  deepEqual(bindAddresses("* -::*"), wildcards);
  deepEqual(bindAddresses("-::* *"), wildcards);
});
