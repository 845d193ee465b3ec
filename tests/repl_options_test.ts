/**
 * redis-cli's connection and output options in `redis-home repl`, run
 * against redis-home and compared with what redis-cli 7.0 prints for the
 * same arguments on the same server (over RESP, where the replies are the
 * same), plus the native-protocol default, --wire, and a Unix socket and
 * RESP-only server (a real redis-server).
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";
import { redisCli, repl } from "./repl_helpers.ts";

/** The same arguments through redis-cli and through our REPL speaking RESP. */
async function same(port: number, args: string[], options: Parameters<typeof repl>[1] = {}) {
  const cli = await redisCli(["-p", String(port), ...args], options);
  const ours = await repl(["--resp", "-p", String(port), ...args], options);
  deepEqual(ours, cli, args.join(" "));
  return ours;
}

const FAKETTY = { env: { FAKETTY: "1" } };

Deno.test("-h/-p, -n, -u: the server and database redis-cli would use", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await client.cmd("SELECT", "3");
  await client.cmd("SET", "where", "db3");
  const port = String(srv.port);
  equal((await same(srv.port, ["-h", "127.0.0.1", "-n", "3", "get", "where"])).stdout, "db3\n");
  await same(srv.port, ["-u", `redis://127.0.0.1:${port}/3`, "get", "where"]);
  await same(srv.port, ["-u", `redis://localhost:${port}`, "get", "where"]);
  // Over the native protocol too.
  equal((await repl(["-p", port, "-n", "3", "get", "where"])).stdout, "db3\n");
  equal((await repl(["-u", `redis://127.0.0.1:${port}/3`, "get", "where"])).stdout, "db3\n");
  await same(srv.port, ["-n", "99", "ping"]);
});

Deno.test("-a, --user, --pass, REDISCLI_AUTH, --askpass, and their warnings and failures", async () => {
  await using srv = startServer({ requirepass: "secret" });
  const out = await same(srv.port, ["-a", "secret", "ping"]);
  equal(out.stdout, "PONG\n");
  equal(
    out.stderr,
    "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n",
  );
  await same(srv.port, ["--user", "default", "--pass", "secret", "--no-auth-warning", "ping"]);
  await same(srv.port, ["-u", `redis://default:secret@127.0.0.1:${srv.port}`, "ping"]);
  await same(srv.port, ["ping"], { env: { REDISCLI_AUTH: "secret" } });
  await same(srv.port, ["--askpass", "ping"], { stdin: "secret\n" });
  await same(srv.port, ["--no-auth-warning", "-a", "wrong", "ping"]);
  await same(srv.port, ["ping"]);
  const native = await repl(["-p", String(srv.port), "--no-auth-warning", "-a", "secret", "ping"]);
  equal(native.stdout, "PONG\n");
  const piped = await same(srv.port, ["--askpass"], { stdin: "secret\nping\necho hi\n" });
  equal(piped.stdout, "PONG\nhi\n");
});

Deno.test("-2 and -3: RESP3 replies render as redis-cli renders them", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await client.cmd("HSET", "h", "f1", "v1", "f2", "v2");
  await client.cmd("ZADD", "z", "1.5", "a");
  for (const proto of ["-2", "-3"]) {
    for (
      const command of [["hgetall", "h"], ["zscore", "z", "a"], ["incr", "z"], [
        "smembers",
        "nokey",
      ]]
    ) {
      await same(srv.port, [proto, ...command], FAKETTY);
      await same(srv.port, [proto, ...command]);
    }
  }
});

Deno.test("--raw, --no-raw, --csv, -d and -D: redis-cli's output forms", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await client.cmd("RPUSH", "l", "a", "b c", 'd"\n');
  await client.cmd("HSET", "h", "f", "v");
  const commands = [["lrange", "l", "0", "-1"], ["get", "nokey"], ["hgetall", "h"], ["incr", "l"], [
    "ping",
  ]];
  for (
    const format of [[], ["--raw"], ["--no-raw"], ["--csv"], ["-d", "|"], ["--raw", "-D", "#"]]
  ) {
    for (const command of commands) {
      await same(srv.port, [...format, ...command]);
      await same(srv.port, [...format, ...command], FAKETTY);
    }
  }
  const piped = "lrange l 0 -1\nget nokey\n";
  await same(srv.port, ["--csv"], { stdin: piped });
  await same(srv.port, ["--no-raw"], { stdin: piped });
});

Deno.test("-e: an error reply goes to stderr with exit code 1; -x: the last argument from stdin", async () => {
  await using srv = startServer();
  const failed = await same(srv.port, ["-e", "incr", "nokey", "extra"]);
  equal(failed.code, 1);
  equal((await same(srv.port, ["incr", "nokey", "extra"])).code, 0);
  equal((await same(srv.port, ["-e", "ping"])).code, 0);
  await same(srv.port, ["-x", "set", "k"], { stdin: "from stdin\n\x00 too" });
  equal((await same(srv.port, ["get", "k"])).stdout, "from stdin\n\x00 too\n");
  equal(
    (await repl(["-p", String(srv.port), "-x", "echo"], { stdin: "native" })).stdout,
    "native\n",
  );
});

Deno.test("-r and -i: repeat a command, waiting between runs; --quoted-input", async () => {
  await using srv = startServer();
  equal((await same(srv.port, ["-r", "3", "-i", "0.05", "echo", "x"])).stdout, "x\nx\nx\n");
  equal((await repl(["-p", String(srv.port), "-r", "3", "incr", "n"])).stdout, "1\n2\n3\n");
  const started = Date.now();
  await repl(["-p", String(srv.port), "-r", "3", "-i", "0.2", "ping"]);
  equal(Date.now() - started >= 600, true);
  await same(srv.port, ["-r", "0", "incr", "n"]);
  await same(srv.port, ["--quoted-input", "set", '"a\\x00b"', "'c d'"]);
  equal((await same(srv.port, ["--quoted-input", "get", '"a\\x00b"'])).stdout, "c d\n");
  await same(srv.port, ["--quoted-input", "get", '"open']);
});

Deno.test("help, connect, clear and :wire in a piped session", async () => {
  await using srv = startServer();
  await using other = startServer();
  using client = await RespClient.connect(other.port);
  await client.cmd("SET", "which", "other");
  const input =
    `get which\nconnect 127.0.0.1 ${other.port}\nget which\nclear\n:wire on\nping\n:wire off\nping\n`;
  const out = await repl(["-p", String(srv.port)], { stdin: input });
  equal(
    out.stdout,
    "\nother\n\x1b[H\x1b[2J" +
      "-> request, native, 16 bytes\n" +
      "   0c 00 00 00                                       msglen 12\n" +
      "   01 00 00 00                                       nstr 1\n" +
      "   04 00 00 00                                       len 4\n" +
      '   70 69 6e 67                                       "ping"\n' +
      "<- reply, native, 13 bytes\n" +
      "   09 00 00 00                                       msglen 9\n" +
      "   02                                                tag 2 string\n" +
      "   04 00 00 00                                       len 4\n" +
      '   50 4f 4e 47                                       "PONG"\n' +
      "PONG\nPONG\n",
  );
  const help = await repl(["-p", String(srv.port)], { stdin: "help @list\n" });
  match(help.stdout, /LPUSH/);
  equal(help.stdout.includes("SADD"), false);
});

Deno.test("--wire: the request and reply frames of one-shot commands, both protocols", async () => {
  await using srv = startServer();
  const resp = await repl(["-p", String(srv.port), "--resp", "--wire", "get", "nokey"]);
  equal(
    resp.stdout,
    "-> request, RESP, 24 bytes\n" +
      "   2a 32 0d 0a                                       *2  array, 2 elements\n" +
      "   24 33 0d 0a                                         $3  bulk string, 3 bytes\n" +
      '   67 65 74 0d 0a                                      "get" CRLF\n' +
      "   24 35 0d 0a                                         $5  bulk string, 5 bytes\n" +
      '   6e 6f 6b 65 79 0d 0a                                "nokey" CRLF\n' +
      "<- reply, RESP, 5 bytes\n" +
      "   24 2d 31 0d 0a                                    $-1  null bulk string\n" +
      "\n",
  );
  const native = await repl(["-p", String(srv.port), "--wire", "incr", "n"]);
  equal(
    native.stdout,
    "-> request, native, 21 bytes\n" +
      "   11 00 00 00                                       msglen 17\n" +
      "   02 00 00 00                                       nstr 2\n" +
      "   04 00 00 00                                       len 4\n" +
      '   69 6e 63 72                                       "incr"\n' +
      "   01 00 00 00                                       len 1\n" +
      '   6e                                                "n"\n' +
      "<- reply, native, 13 bytes\n" +
      "   09 00 00 00                                       msglen 9\n" +
      "   03                                                tag 3 integer\n" +
      "   01 00 00 00 00 00 00 00                           1\n" +
      "1\n",
  );
});

Deno.test("a RESP-only server: the native protocol's one-line advice; -s reaches its Unix socket", async () => {
  using dir = tempDir();
  const socket = `${dir.path}/redis.sock`;
  const redis = ChildServer.redis(dir.path, "--unixsocket", socket);
  try {
    (await redis.connect()).close();
    const native = await repl(["-p", String(redis.port), "ping"]);
    equal(
      native.stderr,
      `Could not connect to Redis at 127.0.0.1:${redis.port}: ` +
        "the server does not speak the native protocol; try --resp\n",
    );
    equal(native.code, 1);
    const args = ["-s", socket, "echo", "unix"];
    deepEqual(await repl(["--resp", ...args]), await redisCli(args));
    const missing = ["-s", `${dir.path}/none.sock`, "ping"];
    deepEqual(await repl(["--resp", ...missing]), await redisCli(missing));
  } finally {
    await redis.stop();
  }
});

Deno.test("--version and -v", async () => {
  for (const flag of ["--version", "-v"]) {
    const out = await repl([flag]);
    match(out.stdout, /^redis-home \d+\.\d+\.\d+\n$/);
  }
});

Deno.test("-n before AUTH: SELECT is refused, then AUTH typed at the prompt selects the database", async () => {
  await using srv = startServer({ requirepass: "secret" });
  using client = await RespClient.connect(srv.port);
  await client.cmd("AUTH", "secret");
  await client.cmd("SELECT", "2");
  await client.cmd("SET", "k", "in db2");
  const out = await same(srv.port, ["-n", "2"], { stdin: "auth secret\nget k\n" });
  equal(out.stdout, "OK\nin db2\n");
  equal(out.stderr, "SELECT 2 failed: NOAUTH Authentication required.\n");
});
