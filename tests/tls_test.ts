/**
 * TLS: tls-port with tls-cert-file and tls-key-file serves both protocols;
 * certificates are made by openssl for each run. Client certificates cannot
 * be verified over Deno.listenTls, so tls-auth-clients other than `no`
 * refuses to start.
 */
import { deepEqual, equal, throws } from "node:assert/strict";
import { freePort } from "../bench/servers.ts";
import { encodeNativeRequest, NativeResponseDecoder } from "../protocol/native.ts";
import { Config } from "../server/config.ts";
import { listenTls, TlsConfigError } from "../server/tls.ts";
import { run, startServer } from "./helpers.ts";
import { eventually } from "./persistence_helpers.ts";

/** A test CA and a server certificate it signed for 127.0.0.1 and localhost, in `dir`. */
async function makeCertificate(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const [ca, caKey, cert, key, csr, ext] = [
    "ca.pem",
    "ca.key",
    "cert.pem",
    "key.pem",
    "s.csr",
    "ext",
  ]
    .map((name) => `${dir}/${name}`) as [string, string, string, string, string, string];
  await Deno.writeTextFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const steps = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", ca, "-days", "1"],
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr],
    ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert],
  ];
  const subjects = ["/CN=redis-home test CA", "/CN=localhost", undefined];
  for (const [i, args] of steps.entries()) {
    const subject = subjects[i];
    const extra = subject === undefined ? ["-days", "1", "-extfile", ext] : ["-subj", subject];
    const made = await run("openssl", [...args, ...extra]);
    equal(made.code, 0, made.stderr);
  }
  return { ca, cert, key };
}

Deno.test("TLS: redis-cli --tls and a native client over tls-port; the plain port stays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "redis-home-tls-" });
  try {
    const { ca, cert, key } = await makeCertificate(dir);
    const tlsPort = String(freePort());
    await using srv = startServer({
      "tls-port": tlsPort,
      "tls-cert-file": cert,
      "tls-key-file": key,
      "tls-ca-cert-file": ca,
      "tls-auth-clients": "no",
    });
    equal(srv.server.tlsPort, Number(tlsPort));
    const cli = (...args: string[]) =>
      run("redis-cli", ["--tls", "--cacert", ca, "-h", "127.0.0.1", "-p", tlsPort, ...args]);
    equal((await cli("SET", "k", "over tls")).stdout, "OK\n");
    equal((await cli("GET", "k")).stdout, "over tls\n");
    equal((await run("redis-cli", ["-p", String(srv.port), "GET", "k"])).stdout, "over tls\n");

    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: Number(tlsPort),
      caCerts: [await Deno.readTextFile(ca)],
    });
    try {
      await conn.write(encodeNativeRequest(["get", "k"]));
      const buf = new Uint8Array(1024);
      const decoder = new NativeResponseDecoder();
      let end = 0;
      let reply;
      while ((reply = decoder.decode(buf, 0, end)) === undefined) {
        const n = await conn.read(buf.subarray(end));
        if (n === null) throw new Error("closed before the reply");
        end += n;
      }
      deepEqual(reply, { type: "str", value: "over tls" });
    } finally {
      conn.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS: tls-auth-clients yes (Redis's default) or no certificate refuses to start", () => {
  const config = new Config();
  config.set("tls-port", String(freePort()), true);
  throws(() => listenTls(config, "127.0.0.1"), TlsConfigError);
  config.set("tls-cert-file", "/nonexistent/cert.pem", true);
  config.set("tls-key-file", "/nonexistent/key.pem", true);
  throws(() => listenTls(config, "127.0.0.1"), /tls-auth-clients no/);
  config.set("tls-auth-clients", "no", true);
  throws(() => listenTls(config, "127.0.0.1"), Deno.errors.NotFound);
  config.set("tls-port", "0", true);
  equal(listenTls(config, "127.0.0.1"), undefined);
});

Deno.test("TLS: CONFIG SET turns tls-port on and off at run time; a bad certificate changes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "redis-home-tls-" });
  try {
    const { ca, cert, key } = await makeCertificate(dir);
    await using srv = startServer();
    const port = String(srv.port);
    const tlsPort = String(freePort());
    const config = (...args: string[]) => run("redis-cli", ["-p", port, "CONFIG", "SET", ...args]);
    equal(
      (await config("tls-port", tlsPort)).stdout.trim(),
      "ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to update TLS configuration. Check server logs.",
    );
    equal(srv.server.tlsPort, 0);
    const files = ["tls-cert-file", cert, "tls-key-file", key, "tls-auth-clients", "no"];
    equal((await config(...files, "tls-port", tlsPort)).stdout, "OK\n");
    const ping = () =>
      run("redis-cli", ["--tls", "--cacert", ca, "-h", "127.0.0.1", "-p", tlsPort, "PING"]);
    equal((await ping()).stdout, "PONG\n");
    // Another certificate on the same port: the key does not match it, so nothing changes.
    equal((await config("tls-cert-file", ca)).stdout.includes("Unable to update TLS"), true);
    equal((await ping()).stdout, "PONG\n");
    // A second certificate for the same key: served once the old socket is released.
    const cert2 = `${dir}/cert2.pem`;
    const signed = await run("openssl", [
      ..."x509 -req -days 1 -CAcreateserial -in".split(" "),
      `${dir}/s.csr`,
      "-CA",
      ca,
      "-CAkey",
      `${dir}/ca.key`,
      "-out",
      cert2,
      "-extfile",
      `${dir}/ext`,
    ]);
    equal(signed.code, 0, signed.stderr);
    equal((await config("tls-cert-file", cert2)).stdout, "OK\n");
    await eventually(async () => (await ping()).stdout === "PONG\n");
    equal((await config("tls-port", "0")).stdout, "OK\n");
    equal(srv.server.tlsPort, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
