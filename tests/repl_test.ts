/**
 * `redis-home repl` run as a subprocess without a terminal: piped input,
 * one-shot commands, terminal formatting forced with FAKETTY (as redis-cli's
 * own tests do), both protocols, connection failures and pub/sub streaming.
 * Expected output is what redis-cli 7.0 prints for the same replies.
 */
import { equal } from "node:assert/strict";
import { binaryToBytes, bytesToBinary } from "../protocol/bytes.ts";
import { NativeRequestDecoder } from "../protocol/native.ts";
import { RespRequestDecoder } from "../protocol/resp.ts";
import { RespClient, ROOT, run, startServer } from "./helpers.ts";

const REPL = `${ROOT}redis-home`;
const PROTOCOLS = [["native", []], ["resp", ["--resp"]]] as const;

function repl(port: number, args: string[], options: { stdin?: string; tty?: boolean } = {}) {
  const env: Record<string, string> = options.tty ? { FAKETTY: "1" } : {};
  return run(REPL, ["repl", "--port", String(port), ...args], { stdin: options.stdin, env });
}

/** A port with nothing listening on it. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("piped input: bare replies, one a line, the same over native and RESP", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await client.cmd("SET", "foo", "bar");
  const input = [
    "get foo",
    "get nokey",
    "del nokey",
    "keys f*",
    "keys nomatch*",
    "pttl foo",
    "pexpire nokey 100",
    'echo "a b"',
    "get",
    "nosuch x",
    "",
    "exists foo",
  ].join("\n");
  const expected = "bar\n" +
    "\n" +
    "0\n" +
    "foo\n" +
    "\n" +
    "-1\n" +
    "0\n" +
    "a b\n" +
    "ERR wrong number of arguments for 'get' command\n\n" +
    "ERR unknown command 'nosuch', with args beginning with: 'x' \n\n" +
    "1\n";
  for (const [name, flags] of PROTOCOLS) {
    const out = await repl(srv.port, [...flags], { stdin: input });
    equal(out.stdout, expected, name);
    equal(out.stderr, "", name);
    equal(out.code, 0, name);
  }
});

Deno.test("terminal form: quoted strings, (nil), (integer), arrays, errors, alike on both protocols", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await client.cmd("SET", "bin", 'a b\x00c\n\t"\\\xff');
  await client.cmd("SET", "foo", "bar");
  const input = [
    "get bin",
    "get nokey",
    "del nokey",
    "keys foo",
    "keys nomatch*",
    "pttl foo",
    "get",
    "echo ''",
  ].join("\n");
  const expected = '"a b\\x00c\\n\\t\\"\\\\\\xff"\n' +
    "(nil)\n" +
    "(integer) 0\n" +
    '1) "foo"\n' +
    "(empty array)\n" +
    "(integer) -1\n" +
    "(error) ERR wrong number of arguments for 'get' command\n" +
    '""\n';
  for (const [name, flags] of PROTOCOLS) {
    const out = await repl(srv.port, [...flags], { stdin: input, tty: true });
    equal(out.stdout, expected, name);
  }
});

Deno.test("status replies: RESP's are bare, the native protocol's are strings", async () => {
  await using srv = startServer();
  const input = "ping\nset k v px 100000\nselect 1\n";
  equal((await repl(srv.port, ["--resp"], { stdin: input, tty: true })).stdout, "PONG\nOK\nOK\n");
  equal((await repl(srv.port, [], { stdin: input, tty: true })).stdout, '"PONG"\n"OK"\n"OK"\n');
});

Deno.test("quoted arguments and escapes follow redis-cli's rules", async () => {
  await using srv = startServer();
  const input = [
    'set k "a b\\x00c\\n"',
    "get k",
    "echo 'it\\'s'",
    'echo "tab\\there" plain',
    'echo "unterminated',
    'echo "closing"quote',
    "echo 'é'",
  ].join("\n");
  const out = await repl(srv.port, ["--resp"], { stdin: input, tty: true });
  equal(
    out.stdout,
    "OK\n" +
      '"a b\\x00c\\n"\n' +
      '"it\'s"\n' +
      "(error) ERR wrong number of arguments for 'echo' command\n" +
      "Invalid argument(s)\n" +
      "Invalid argument(s)\n" +
      '"\\xc3\\xa9"\n',
  );
});

Deno.test("local commands: repeat counts, help, quit", async () => {
  await using srv = startServer();
  const input = "3 echo hi\n0 echo no\nhelp get\nquit\necho after\n";
  const out = await repl(srv.port, ["--resp"], { stdin: input, tty: true });
  const lines = out.stdout.split("\n");
  equal(
    lines.slice(0, 4).join("\n"),
    '"hi"\n"hi"\n"hi"\nInvalid redis-cli repeat command option value.',
  );
  equal(lines[4], "\r");
  equal(lines[5]!.startsWith("  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m"), true);
  equal(out.stdout.includes("after"), false);
  equal(out.code, 0);
});

Deno.test("one-shot: the arguments are the command, taken as they are", async () => {
  await using srv = startServer();
  for (const [name, flags] of PROTOCOLS) {
    equal((await repl(srv.port, [...flags, "echo", "a b"])).stdout, "a b\n", name);
    equal(
      (await repl(srv.port, [...flags, "echo", '"x"'], { tty: true })).stdout,
      '"\\"x\\""\n',
      name,
    );
    equal((await repl(srv.port, [...flags, "get", "nokey"])).stdout, "\n", name);
    const failed = await repl(srv.port, [...flags, "get"]);
    equal(failed.stdout, "ERR wrong number of arguments for 'get' command\n\n", name);
    equal(failed.code, 0, name);
  }
  const negative = await repl(srv.port, ["--resp", "echo", "-1"]);
  equal(negative.stdout, "-1\n");
});

Deno.test("connection refused: reported like redis-cli, exit code 1", async () => {
  const port = closedPort();
  const refused = `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`;
  const oneShot = await repl(port, ["get", "k"]);
  equal(oneShot.stderr, refused);
  equal(oneShot.stdout, "");
  equal(oneShot.code, 1);
  // Once at start, then each command retries.
  const piped = await repl(port, ["--resp"], { stdin: "ping\nping\n" });
  equal(piped.stderr, refused.repeat(3));
  equal(piped.code, 1);
  // help needs no server.
  const help = await repl(port, ["help", "get"]);
  equal(help.code, 0);
  equal(help.stdout.includes("GET"), true);
});

Deno.test("usage: --help, and one-line errors with exit code 2", async () => {
  const help = await run(REPL, ["repl", "--help"]);
  equal(help.code, 0);
  equal(help.stdout.startsWith("Usage: redis-home repl [options] [command [arg ...]]\n"), true);
  const cases: [string[], string][] = [
    [["--bogus"], "redis-home repl: Unrecognized option or bad number of args for: '--bogus'"],
    [["--port", "99999"], "redis-home repl: invalid port '99999' (expected 1-65535)"],
    [["--port", "x"], "redis-home repl: invalid port 'x' (expected 1-65535)"],
  ];
  for (const [args, message] of cases) {
    const out = await run(REPL, ["repl", ...args]);
    equal(out.code, 2, args.join(" "));
    equal(out.stderr.split("\n").length, 2, out.stderr);
    equal(out.stderr.startsWith(message), true, out.stderr);
  }
});

// ---------------------------------------------------------------------------
// A scripted server: canned replies for the types our commands do not all
// produce yet (RESP3 maps, sets, booleans, doubles; native DBL, nested ARR).

type Canned = Uint8Array | "close";

/** Serves canned replies by command name (lower case) over RESP or the native protocol. */
function scriptedServer(protocol: "resp" | "native", replies: Record<string, Canned>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serveConn = async (conn: Deno.Conn) => {
    const decoder = protocol === "resp" ? new RespRequestDecoder() : new NativeRequestDecoder();
    let pending = new Uint8Array(0);
    const chunk = new Uint8Array(4096);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) return;
        const joined = new Uint8Array(pending.length + n);
        joined.set(pending);
        joined.set(chunk.subarray(0, n), pending.length);
        let start = 0;
        for (;;) {
          const argv = decoder.decode(joined, start, joined.length);
          if (argv === undefined) break;
          start += decoder.consumed;
          const reply = replies[argv[0]!.toLowerCase()];
          if (reply === "close" || reply === undefined) return;
          await conn.write(reply);
        }
        pending = joined.slice(start);
      }
    } catch {
      // The client went away.
    } finally {
      conns.delete(conn);
      conn.close();
    }
  };
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      serveConn(conn);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) conn.close();
      await serving.catch(() => {});
    },
  };
}

const resp = (text: string) => binaryToBytes(text);

/** Native response frames. */
const native = {
  frame(value: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + value.length);
    new DataView(out.buffer).setUint32(0, value.length, true);
    out.set(value, 4);
    return out;
  },
  nil: () => new Uint8Array([0]),
  str(s: string): Uint8Array {
    const out = new Uint8Array(5 + s.length);
    out[0] = 2;
    new DataView(out.buffer).setUint32(1, s.length, true);
    out.set(binaryToBytes(s), 5);
    return out;
  },
  int(n: bigint): Uint8Array {
    const out = new Uint8Array(9);
    out[0] = 3;
    new DataView(out.buffer).setBigInt64(1, n, true);
    return out;
  },
  dbl(d: number): Uint8Array {
    const out = new Uint8Array(9);
    out[0] = 4;
    new DataView(out.buffer).setFloat64(1, d, true);
    return out;
  },
  err(code: number, message: string): Uint8Array {
    const out = new Uint8Array(9 + message.length);
    out[0] = 1;
    new DataView(out.buffer).setUint32(1, code, true);
    new DataView(out.buffer).setUint32(5, message.length, true);
    out.set(binaryToBytes(message), 9);
    return out;
  },
  arr(...values: Uint8Array[]): Uint8Array {
    const size = values.reduce((n, v) => n + v.length, 5);
    const out = new Uint8Array(size);
    out[0] = 5;
    new DataView(out.buffer).setUint32(1, values.length, true);
    let pos = 5;
    for (const v of values) {
      out.set(v, pos);
      pos += v.length;
    }
    return out;
  },
};

Deno.test("RESP3 replies render as redis-cli -3 prints them", async () => {
  await using server = scriptedServer("resp", {
    hgetall: resp("%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n"),
    zscore: resp(",1.5\r\n"),
    zrange: resp("*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n"),
    smembers: resp("~2\r\n$1\r\ny\r\n$1\r\nx\r\n"),
    sismember: resp("#t\r\n"),
    hello: resp("%2\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n"),
    docs: resp(
      "%1\r\n$3\r\nget\r\n%2\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$4\r\nargs\r\n*1\r\n$3\r\nkey\r\n",
    ),
    empty: resp("%0\r\n"),
    null: resp("_\r\n"),
    info: resp("=19\r\ntxt:# Server\r\nx:1\r\n\r\n"),
    big: resp("(3492890328409238509324850943850943825024385\r\n"),
    many: resp("*12\r\n" + Array.from({ length: 12 }, (_, i) => `:${i + 1}\r\n`).join("")),
  });
  const input =
    "hgetall\nzscore\nzrange\nsmembers\nsismember\nhello\ndocs\nempty\nnull\ninfo\nbig\nmany\n";
  const tty = await repl(server.port, ["--resp"], { stdin: input, tty: true });
  equal(
    tty.stdout,
    '1# "f1" => "v1"\n2# "f2" => "v2"\n' +
      "(double) 1.5\n" +
      '1) 1) "a"\n   2) (double) 1.5\n2) 1) "b"\n   2) (double) 2\n' +
      '1~ "y"\n2~ "x"\n' +
      "(true)\n" +
      '1# "proto" => (integer) 3\n2# "modules" => (empty array)\n' +
      '1# "get" => \n   1# "since" => "1.0.0"\n   2# "args" => 1) "key"\n' +
      "(empty hash)\n" +
      "(nil)\n" +
      "# Server\r\nx:1\r\n" +
      "(big number) 3492890328409238509324850943850943825024385\n" +
      Array.from({ length: 12 }, (_, i) => `${String(i + 1).padStart(2)}) (integer) ${i + 1}\n`)
        .join(""),
  );
  const piped = await repl(server.port, ["--resp"], { stdin: input });
  equal(
    piped.stdout,
    "f1 v1\nf2 v2\n" +
      "1.5\n" +
      "a\n1.5\nb\n2\n" +
      "y\nx\n" +
      "(true)\n" +
      "proto 3\nmodules \n" +
      "get since 1.0.0\nargs key\n" +
      "\n" +
      "\n" +
      "# Server\r\nx:1\r\n" +
      "3492890328409238509324850943850943825024385\n" +
      Array.from({ length: 12 }, (_, i) => `${i + 1}\n`).join(""),
  );
});

Deno.test("native frames render like the RESP replies they stand for", async () => {
  await using server = scriptedServer("native", {
    // The REPL opens a native connection with a PING.
    ping: native.frame(native.str("PONG")),
    zscore: native.frame(native.dbl(1.5)),
    tiny: native.frame(native.dbl(0.1)),
    inf: native.frame(native.dbl(-Infinity)),
    zquery: native.frame(
      native.arr(
        native.arr(native.str("a"), native.dbl(1.5)),
        native.arr(native.str("b"), native.dbl(2)),
      ),
    ),
    get: native.frame(native.str("x\ny")),
    nil: native.frame(native.nil()),
    int: native.frame(native.int(-9007199254740993n)),
    err: native.frame(
      native.err(3, "WRONGTYPE Operation against a key holding the wrong kind of value"),
    ),
    empty: native.frame(native.arr()),
  });
  const input = "zscore\ntiny\ninf\nzquery\nget\nnil\nint\nerr\nempty\n";
  const tty = await repl(server.port, [], { stdin: input, tty: true });
  equal(
    tty.stdout,
    "(double) 1.5\n" +
      "(double) 0.1\n" +
      "(double) -inf\n" +
      '1) 1) "a"\n   2) (double) 1.5\n2) 1) "b"\n   2) (double) 2\n' +
      '"x\\ny"\n' +
      "(nil)\n" +
      "(integer) -9007199254740993\n" +
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value\n" +
      "(empty array)\n",
  );
  const piped = await repl(server.port, [], { stdin: input });
  equal(
    piped.stdout,
    "1.5\n0.1\n-inf\na\n1.5\nb\n2\nx\ny\n\n-9007199254740993\n" +
      "WRONGTYPE Operation against a key holding the wrong kind of value\n\n\n",
  );
});

Deno.test("a lost connection or an unreadable reply is reported; the next command reconnects", async () => {
  for (const protocol of ["resp", "native"] as const) {
    const pong = protocol === "resp" ? resp("+PONG\r\n") : native.frame(native.str("PONG"));
    const garbage = protocol === "resp" ? resp("?what\r\n") : native.frame(new Uint8Array([9]));
    await using server = scriptedServer(protocol, { ping: pong, drop: "close", garbage });
    const flags = protocol === "resp" ? ["--resp"] : [];
    const out = await repl(server.port, flags, { stdin: "ping\ndrop\nping\ngarbage\nping\n" });
    equal(out.stdout, "PONG\nPONG\nPONG\n", protocol);
    const unreadable = protocol === "resp"
      ? 'Protocol error, got "?" as reply type byte'
      : "Protocol error: unknown response tag 9";
    equal(out.stderr, `Error: Server closed the connection\nError: ${unreadable}\n`, protocol);
    equal(out.code, 1, protocol);
  }
});

// ---------------------------------------------------------------------------
// Pub/sub: a running subprocess, fed and read as it goes.

/** A REPL subprocess whose input is written as the test goes. */
class LiveRepl implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stdout: ReadableStreamDefaultReader<Uint8Array>;
  output = "";

  constructor(port: number, flags: readonly string[]) {
    this.child = new Deno.Command(REPL, {
      args: ["repl", "--port", String(port), ...flags],
      env: { FAKETTY: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#stdout = this.child.stdout.getReader();
  }

  write(text: string): Promise<void> {
    return this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Reads output until it ends with `suffix` (bounded, so a wrong guess fails instead of hanging). */
  async waitFor(suffix: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.output.endsWith(suffix)) {
      if (Date.now() > deadline) {
        throw new Error(`never printed ${JSON.stringify(suffix)}: ${this.output}`);
      }
      const { value, done } = await this.#stdout.read();
      if (done) throw new Error(`ended before ${JSON.stringify(suffix)}: ${this.output}`);
      this.output += bytesToBinary(value);
    }
  }

  /** Closes input and returns the exit code once all output is read. */
  async finish(): Promise<number> {
    await this.#stdin.close();
    for (;;) {
      const { value, done } = await this.#stdout.read();
      if (done) break;
      this.output += bytesToBinary(value);
    }
    return (await this.child.status).code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill();
    } catch {
      // Already exited.
    }
    await this.child.status;
    this.#stdout.releaseLock();
    await this.child.stdout.cancel().catch(() => {});
    await this.#stdin.close().catch(() => {});
  }
}

/** redis-cli prints how long a command took past half a second; that line varies. */
const withoutDuration = (text: string) => text.replace(/^\(\d+\.\d\ds\)\n/m, "");

Deno.test("SUBSCRIBE prints messages as they arrive until Ctrl-C, then the session goes on", async () => {
  await using srv = startServer();
  using publisher = await RespClient.connect(srv.port);
  for (const [name, flags] of PROTOCOLS) {
    await using live = new LiveRepl(srv.port, flags);
    await live.write("subscribe ch\n");
    await live.waitFor("3) (integer) 1\n");
    equal(await publisher.cmd("PUBLISH", "ch", "hello\n"), 1, name);
    await live.waitFor('3) "hello\\n"\n');
    live.child.kill("SIGINT");
    await live.write("echo after\n");
    equal(await live.finish(), 0, name);
    equal(
      withoutDuration(live.output),
      "Reading messages... (press Ctrl-C to quit)\n" +
        '1) "subscribe"\n2) "ch"\n3) (integer) 1\n' +
        '1) "message"\n2) "ch"\n3) "hello\\n"\n' +
        '"after"\n',
      name,
    );
    // Ctrl-C dropped the subscribed connection.
    equal(await publisher.cmd("PUBLISH", "ch", "x"), 0, name);
  }
});

Deno.test("an error reply to SUBSCRIBE ends the streaming at once", async () => {
  await using srv = startServer();
  const out = await repl(srv.port, [], { stdin: "subscribe\necho next\n", tty: true });
  equal(
    out.stdout,
    "Reading messages... (press Ctrl-C to quit)\n" +
      "(error) ERR wrong number of arguments for 'subscribe' command\n" +
      '"next"\n',
  );
});
