/**
 * TLS: tls-port with tls-cert-file and tls-key-file serves both protocols,
 * and tls-auth-clients yes|optional|no asks for client certificates signed
 * by tls-ca-cert-file or a certificate in tls-ca-cert-dir. Certificates are
 * made by openssl for each run: redis-cli --tls and ioredis connect with them.
 */
import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { Redis } from "ioredis";
import { freePort } from "../bench/servers.ts";
import { encodeNativeRequest, NativeResponseDecoder } from "../protocol/native.ts";
import { Config } from "../server/config.ts";
import { listenTls } from "../server/tls.ts";
import { TlsConfigError } from "../server/tls_config.ts";
import { RespClient, run, startServer, type TestServer } from "./helpers.ts";
import { waitFor } from "./replication_helpers.ts";

interface Certificates {
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

async function openssl(...args: string[]): Promise<void> {
  const made = await run("openssl", args);
  equal(made.code, 0, made.stderr);
}

/** A self-signed CA (cert, key) named `name` in `dir`. */
async function makeCa(dir: string, name: string): Promise<[string, string]> {
  const [cert, key] = [`${dir}/${name}.pem`, `${dir}/${name}.key`];
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    `/CN=redis-home test ${name}`,
  ); // deno-fmt-ignore
  return [cert, key];
}

/** A certificate (cert, key) for CN=`name` that `ca` signed, with the extensions in `ext`. */
async function makeSigned(
  dir: string,
  name: string,
  ca: [string, string],
  ext: string,
): Promise<[string, string]> {
  const [cert, key, csr, extFile] = ["pem", "key", "csr", "ext"].map((e) => `${dir}/${name}.${e}`);
  await Deno.writeTextFile(extFile!, ext);
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key!,
    "-out",
    csr!,
    "-subj",
    `/CN=${name}`,
  );
  await openssl(
    "x509",
    "-req",
    "-in",
    csr!,
    "-CA",
    ca[0],
    "-CAkey",
    ca[1],
    "-CAcreateserial",
    "-out",
    cert!,
    "-days",
    "1",
    "-extfile",
    extFile!,
  ); // deno-fmt-ignore
  return [cert!, key!];
}

async function makeCertificates(dir: string): Promise<Certificates> {
  const ca = await makeCa(dir, "ca");
  const stranger = await makeCa(dir, "stranger-ca");
  const server = "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const client = "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";
  const [cert, key] = await makeSigned(dir, "server", ca, server);
  const [clientCert, clientKey] = await makeSigned(dir, "client", ca, client);
  const [strangerCert, strangerKey] = await makeSigned(dir, "stranger", stranger, client);
  return { ca: ca[0], cert, key, clientCert, clientKey, strangerCert, strangerKey };
}

/** A server with tls-port and the given TLS parameters, once its TLS port is bound. */
/**
 * A server with a TLS port. A free port can be taken by a test running in
 * parallel before the server checks it or before node:tls binds it (a little
 * after start): then it starts again on another one.
 */
async function startTlsServer(certs: Certificates, params: Record<string, string>) {
  for (let attempt = 1;; attempt++) {
    let srv: TestServer | undefined;
    try {
      srv = startServer({
        "tls-port": String(freePort()),
        "tls-cert-file": certs.cert,
        "tls-key-file": certs.key,
        ...params,
      });
      await srv.server.tlsReady;
      return srv;
    } catch (err) {
      await srv?.[Symbol.asyncDispose]();
      // Taken before the start's check (ListenError) or before node bound it (EADDRINUSE).
      if (attempt === 3 || !/EADDRINUSE|Failed listening/.test(String(err))) throw err;
    }
  }
}

/** redis-cli --tls against the server's TLS port, with a client certificate when given. */
function tlsCli(srv: TestServer, certs: Certificates, cert: string[], ...args: string[]) {
  const port = String(srv.server.tlsPort);
  const withCert = cert.length === 0 ? [] : ["--cert", cert[0]!, "--key", cert[1]!];
  return run("redis-cli", ["--tls", "--cacert", certs.ca, ...withCert, "-p", port, ...args]);
}

async function withCertificates(
  body: (certs: Certificates, dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "redis-home-tls-" });
  try {
    await body(await makeCertificates(dir), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One native-protocol request over a fresh TLS connection; the decoded reply. */
async function nativeOverTls(port: number, ca: string, argv: string[]) {
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca] });
  try {
    await conn.write(encodeNativeRequest(argv));
    const buf = new Uint8Array(1024);
    const decoder = new NativeResponseDecoder();
    let end = 0;
    let reply;
    while ((reply = decoder.decode(buf, 0, end)) === undefined) {
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("closed before the reply");
      end += n;
    }
    return reply;
  } finally {
    conn.close();
  }
}

Deno.test("TLS: redis-cli --tls and a native client over tls-port; the plain port stays", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, { "tls-auth-clients": "no" });
    equal((await tlsCli(srv, certs, [], "SET", "k", "over tls")).stdout, "OK\n");
    equal((await tlsCli(srv, certs, [], "GET", "k")).stdout, "over tls\n");
    equal((await run("redis-cli", ["-p", String(srv.port), "GET", "k"])).stdout, "over tls\n");
    const reply = await nativeOverTls(srv.server.tlsPort, await Deno.readTextFile(certs.ca), [
      "get",
      "k",
    ]);
    deepEqual(reply, { type: "str", value: "over tls" });
  });
});

Deno.test("TLS: tls-auth-clients yes (the default) admits only certificates the CA signed", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, { "tls-ca-cert-file": certs.ca });
    const client = [certs.clientCert, certs.clientKey];
    equal((await tlsCli(srv, certs, client, "PING")).stdout, "PONG\n");
    for (const refused of [[], [certs.strangerCert, certs.strangerKey]]) {
      const cli = await tlsCli(srv, certs, refused, "SET", "refused", "1");
      equal(cli.stdout, "", `certificate: ${refused[0] ?? "none"}`);
    }
    equal((await run("redis-cli", ["-p", String(srv.port), "EXISTS", "refused"])).stdout, "0\n");
  });
});

Deno.test("TLS: tls-auth-clients optional admits no certificate, refuses a bad one", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, {
      "tls-ca-cert-file": certs.ca,
      "tls-auth-clients": "optional",
    });
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");
    equal((await tlsCli(srv, certs, [certs.clientCert, certs.clientKey], "PING")).stdout, "PONG\n");
    const stranger = [certs.strangerCert, certs.strangerKey];
    equal((await tlsCli(srv, certs, stranger, "SET", "refused", "1")).stdout, "");
    equal((await run("redis-cli", ["-p", String(srv.port), "EXISTS", "refused"])).stdout, "0\n");
  });
});

Deno.test("TLS: tls-ca-cert-dir trusts every certificate in the directory", async () => {
  await withCertificates(async (certs) => {
    const caDir = await Deno.makeTempDir({ prefix: "redis-home-ca-" });
    try {
      await Deno.copyFile(certs.ca, `${caDir}/ca.pem`);
      await Deno.writeTextFile(`${caDir}/notes.txt`, "not a certificate\n");
      await using srv = await startTlsServer(certs, { "tls-ca-cert-dir": caDir });
      const client = [certs.clientCert, certs.clientKey];
      equal((await tlsCli(srv, certs, client, "PING")).stdout, "PONG\n");
      equal((await tlsCli(srv, certs, [], "PING")).stdout, "");
    } finally {
      await Deno.remove(caDir, { recursive: true });
    }
  });
});

Deno.test("TLS: ioredis with tls options, a client certificate and an ACL user", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, { "tls-ca-cert-file": certs.ca });
    const plain = await run("redis-cli", [
      "-p",
      String(srv.port),
      "ACL",
      "SETUSER",
      "app",
      "on",
      ">s3cret",
      "~app:*",
      "+@all",
    ]); // deno-fmt-ignore
    equal(plain.stdout, "OK\n");
    const redis = new Redis({
      host: "127.0.0.1",
      port: srv.server.tlsPort,
      username: "app",
      password: "s3cret",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      tls: {
        ca: await Deno.readTextFile(certs.ca),
        cert: await Deno.readTextFile(certs.clientCert),
        key: await Deno.readTextFile(certs.clientKey),
        servername: "localhost",
      },
    });
    try {
      await redis.connect();
      equal(await redis.set("app:k", "v"), "OK");
      equal(await redis.get("app:k"), "v");
      equal(await redis.acl("WHOAMI"), "app");
      // Past the socket adapter's read-ahead limit, both ways.
      const big = "x".repeat(5 * 1024 * 1024);
      equal(await redis.set("app:big", big), "OK");
      equal(await redis.get("app:big"), big);
      const pipeline = redis.pipeline();
      for (let i = 0; i < 2000; i++) pipeline.incr("app:n");
      equal((await pipeline.exec())!.at(-1)![1], 2000);
      await rejects(
        redis.get("other"),
        /^ReplyError: NOPERM this user has no permissions to access one/,
      );
    } finally {
      redis.disconnect();
    }
  });
});

Deno.test("TLS: CONFIG SET tls-auth-clients and the certificate files apply to new connections", async () => {
  await withCertificates(async (certs, dir) => {
    await using srv = await startTlsServer(certs, { "tls-ca-cert-file": certs.ca });
    using c = await RespClient.connect(srv.port);
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "");
    equal(await c.cmd("CONFIG", "SET", "tls-auth-clients", "no"), "OK");
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");
    equal(await c.cmd("CONFIG", "SET", "tls-auth-clients", "yes"), "OK");
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "");

    // A file that does not load: refused, the previous value kept, still serving.
    deepEqual(await c.cmd("CONFIG", "SET", "tls-cert-file", `${dir}/missing.pem`), {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
    });
    deepEqual(await c.cmd("CONFIG", "GET", "tls-cert-file"), ["tls-cert-file", certs.cert]);
    // Redis's check that client certificates can be verified.
    deepEqual(await c.cmd("CONFIG", "SET", "tls-ca-cert-file", ""), {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'tls-ca-cert-file') - Unable to update TLS configuration. Check server logs.",
    });
    const client = [certs.clientCert, certs.clientKey];
    equal((await tlsCli(srv, certs, client, "PING")).stdout, "PONG\n");

    // A new server certificate from another CA: clients must trust that CA now.
    const ca2 = await makeCa(dir, "ca2");
    const [cert2, key2] = await makeSigned(dir, "server2", ca2, "subjectAltName=IP:127.0.0.1\n");
    equal(await c.cmd("CONFIG", "SET", "tls-cert-file", cert2, "tls-key-file", key2), "OK");
    equal((await tlsCli(srv, certs, client, "PING")).stdout, "");
    equal((await tlsCli(srv, { ...certs, ca: ca2[0] }, client, "PING")).stdout, "PONG\n");
  });
});

Deno.test("TLS: tls-protocols limits the versions a handshake may use", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, { "tls-auth-clients": "no" });
    using c = await RespClient.connect(srv.port);
    /** Whether openssl completes a handshake limited to `version` (it exits 1 when refused). */
    const handshakes = async (version: string) => {
      const connect = `127.0.0.1:${srv.server.tlsPort}`;
      const args = ["s_client", "-no_ign_eof", version, "-CAfile", certs.ca, "-connect", connect];
      return (await run("openssl", args, { stdin: "" })).code === 0;
    };
    equal(await handshakes("-tls1_2"), true);
    equal(await c.cmd("CONFIG", "SET", "tls-protocols", "tlsv1.3"), "OK");
    equal(await handshakes("-tls1_2"), false);
    equal(await handshakes("-tls1_3"), true);
    deepEqual(await c.cmd("CONFIG", "SET", "tls-protocols", "TLSv1.1"), {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'tls-protocols') - Unable to update TLS configuration. Check server logs.",
    });
    deepEqual(await c.cmd("CONFIG", "GET", "tls-protocols"), ["tls-protocols", "tlsv1.3"]);
  });
});

Deno.test("TLS: a certificate and key that do not belong together refuse to start", async () => {
  await withCertificates((certs) => {
    const config = new Config();
    config.set("tls-port", String(freePort()), true);
    config.set("tls-cert-file", certs.cert, true);
    config.set("tls-key-file", certs.clientKey, true);
    config.set("tls-auth-clients", "no", true);
    throws(
      () => listenTls(config, "127.0.0.1"),
      /^Error: Failed to load private key: .*client\.key/,
    );
    config.set("tls-cert-file", certs.key, true);
    throws(
      () => listenTls(config, "127.0.0.1"),
      /^Error: Failed to load certificate: .*server\.key/,
    );
  });
});

Deno.test("TLS: tls-replication: a replica follows a master over its TLS port, with a client certificate", async () => {
  await withCertificates(async (certs) => {
    await using master = await startTlsServer(certs, { "tls-ca-cert-file": certs.ca });
    await using replica = await startTlsServer(certs, {
      "tls-ca-cert-file": certs.ca,
      "tls-replication": "yes",
      "tls-client-cert-file": certs.clientCert,
      "tls-client-key-file": certs.clientKey,
    });
    using m = await RespClient.connect(master.port);
    using r = await RespClient.connect(replica.port);
    equal(await m.cmd("SET", "before", "1"), "OK");
    equal(await r.cmd("REPLICAOF", "127.0.0.1", String(master.server.tlsPort)), "OK");
    await waitFor(
      "the sync over TLS",
      async () => await r.cmd("GET", "before") === "1" || undefined,
    );
    equal(await m.cmd("SET", "after", "2"), "OK");
    await waitFor(
      "the stream over TLS",
      async () => await r.cmd("GET", "after") === "2" || undefined,
    );
    // The replica announced its TLS port.
    const info = await m.cmd("INFO", "replication") as string;
    equal(info.includes(`port=${replica.server.tlsPort},state=online`), true, info);
    equal(await r.cmd("REPLICAOF", "NO", "ONE"), "OK");
  });
});

Deno.test("TLS: the configurations Redis refuses to start with", () => {
  const config = new Config();
  config.set("tls-port", String(freePort()), true);
  throws(() => listenTls(config, "127.0.0.1"), /^Error: No tls-cert-file configured!$/);
  config.set("tls-cert-file", "/nonexistent/cert.pem", true);
  throws(() => listenTls(config, "127.0.0.1"), /No tls-key-file configured!/);
  config.set("tls-key-file", "/nonexistent/key.pem", true);
  throws(() => listenTls(config, "127.0.0.1"), /Either tls-ca-cert-file or tls-ca-cert-dir/);
  config.set("tls-auth-clients", "no", true);
  throws(() => listenTls(config, "127.0.0.1"), TlsConfigError);
  throws(() => listenTls(config, "127.0.0.1"), /Failed to load certificate: \/nonexistent/);
  config.set("tls-port", "0", true);
  equal(listenTls(config, "127.0.0.1"), undefined);
});

Deno.test("TLS: CONFIG SET tls-port turns TLS on, moves it and off at run time; a failure changes nothing", async () => {
  await withCertificates(async (certs, dir) => {
    await using srv = startServer();
    using c = await RespClient.connect(srv.port);
    const tlsPort = freePort();
    const failed = (name: string, reason: string) => ({
      error: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
    });
    const badTls = "Unable to update TLS configuration. Check server logs.";
    deepEqual(
      await c.cmd("CONFIG", "SET", "tls-port", String(tlsPort)),
      failed("tls-port", badTls),
    );
    equal(srv.server.tlsPort, 0);
    const files = ["tls-cert-file", certs.cert, "tls-key-file", certs.key];
    const withCa = [...files, "tls-ca-cert-file", certs.ca];
    equal(await c.cmd("CONFIG", "SET", ...withCa, "tls-port", String(tlsPort)), "OK");
    equal(srv.server.tlsPort, tlsPort);
    const client = [certs.clientCert, certs.clientKey];
    equal((await tlsCli(srv, certs, client, "PING")).stdout, "PONG\n");
    // tls-auth-clients yes (the default) holds on the new listener, and changes on it.
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "");
    equal(await c.cmd("CONFIG", "SET", "tls-auth-clients", "no"), "OK");
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");

    // A port in use (the plain one): refused, TLS stays where it was.
    deepEqual(
      await c.cmd("CONFIG", "SET", "tls-port", String(srv.port)),
      failed("tls-port", "Unable to listen on this port. Check server logs."),
    );
    deepEqual(await c.cmd("CONFIG", "GET", "tls-port"), ["tls-port", String(tlsPort)]);
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");
    // A new port with a certificate that does not load: every value goes back.
    const missing = `${dir}/missing.pem`;
    const moved = String(freePort());
    deepEqual(
      await c.cmd("CONFIG", "SET", "tls-port", moved, "tls-cert-file", missing),
      failed("tls-port", badTls),
    );
    deepEqual(await c.cmd("CONFIG", "GET", "tls-cert-file"), ["tls-cert-file", certs.cert]);
    equal(srv.server.tlsPort, tlsPort);
    // A change applied (tls-auth-clients) and a reload that fails (tls-protocols): both undone.
    deepEqual(
      await c.cmd("CONFIG", "SET", "tls-auth-clients", "yes", "tls-protocols", "TLSv1"),
      failed("tls-protocols", badTls),
    );
    deepEqual(await c.cmd("CONFIG", "GET", "tls-auth-clients"), ["tls-auth-clients", "no"]);
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");
    // The plain port moved and a reload that fails: the old listener is taken back.
    deepEqual(
      await c.cmd("CONFIG", "SET", "port", String(freePort()), "tls-cert-file", missing),
      failed("tls-cert-file", badTls),
    );
    equal(srv.server.port, srv.port);
    using again = await RespClient.connect(srv.port);
    equal(await again.cmd("PING"), "PONG");

    equal(await c.cmd("CONFIG", "SET", "tls-port", moved), "OK");
    // Bound before the reply, although node binds on a later turn.
    (await Deno.connect({ hostname: "127.0.0.1", port: Number(moved) })).close();
    equal(srv.server.tlsPort, Number(moved));
    equal((await tlsCli(srv, certs, [], "PING")).stdout, "PONG\n");
    await rejects(Deno.connect({ hostname: "127.0.0.1", port: tlsPort }));
    equal(await c.cmd("CONFIG", "SET", "tls-port", "0"), "OK");
    equal(srv.server.tlsPort, 0);
    await rejects(Deno.connect({ hostname: "127.0.0.1", port: Number(moved) }));
  });
});

Deno.test("TLS: CONFIG SET bind moves the TLS listener with the plain one", async () => {
  await withCertificates(async (certs) => {
    await using srv = await startTlsServer(certs, { "tls-auth-clients": "no" });
    using c = await RespClient.connect(srv.port);
    equal(await c.cmd("CONFIG", "SET", "bind", "127.0.0.2"), "OK");
    // The same TLS port on another address, bound before the reply.
    const port = String(srv.server.tlsPort);
    const ping = () =>
      run("redis-cli", ["--tls", "--cacert", certs.ca, "-h", "127.0.0.2", "-p", port, "PING"]);
    equal((await ping()).stdout, "PONG\n");
    await rejects(Deno.connect({ hostname: "127.0.0.1", port: srv.server.tlsPort }));
    equal(await c.cmd("CONFIG", "SET", "bind", "127.0.0.1"), "OK");
  });
});
