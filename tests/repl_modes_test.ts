/**
 * The REPL's modes against redis-home, next to redis-cli 7.0 on the same
 * server: the same bytes for the modes that end (--scan, --bigkeys,
 * --memkeys, --hotkeys, --pipe, --rdb's messages, --latency with bare
 * output), the same shape for the live ones (--latency-history,
 * --latency-dist, --stat). --memkeys is also compared on a real redis-server.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";
import { LiveProcess, redisCli, REPL, repl, runBinary } from "./repl_helpers.ts";

/** Runs the same arguments through redis-cli and our REPL (native unless `flags` say). */
async function both(
  port: number,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; flags?: string[] } = {},
) {
  const common = ["-p", String(port), ...args];
  const cli = await redisCli(common, options);
  const ours = await repl([...(options.flags ?? []), ...common], options);
  return { cli, ours };
}

async function fill(client: RespClient, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await client.send("SET", `key:${i}`, "v".repeat(i % 17));
  }
  for (let i = 0; i < count; i++) await client.read();
  await client.cmd("RPUSH", "list:a", "1", "2", "3");
  await client.cmd("RPUSH", "list:b", "1");
  await client.cmd("HSET", "hash", "f1", "v", "f2", "v");
  await client.cmd("SADD", "set", "a", "b", "c", "d");
  await client.cmd("ZADD", "zset", "1", "a", "2", "b");
  await client.cmd("SET", "bin\x01\xff key", "x");
}

Deno.test("--scan: the same keys, bytes and quoting as redis-cli; --pattern; --count", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await fill(client, 300);
  for (const env of [{}, { FAKETTY: "1" }] as Record<string, string>[]) {
    for (const extra of [[], ["--pattern", "key:1*"], ["--quoted-pattern", '"bin\\x01*"']]) {
      const { cli, ours } = await both(srv.port, ["--scan", ...extra], { env });
      equal(cli.code, 0);
      deepEqual(ours, cli, `${JSON.stringify(env)} ${extra.join(" ")}`);
    }
  }
  const all = (await repl(["-p", String(srv.port), "--scan"])).stdout.split("\n").sort();
  equal(all.length, 300 + 6 + 1);
  const counted = await repl(["-p", String(srv.port), "--scan", "--count", "1000"]);
  deepEqual(counted.stdout.split("\n").sort(), all);
  // redis-cli prints a bare key with %s, cutting it at a NUL byte; we print all of it.
  await client.cmd("SET", "nul\x00key", "x");
  const nul = await repl(["-p", String(srv.port), "--scan", "--pattern", "nul*"]);
  equal(nul.stdout, "nul\x00key\n");
});

Deno.test("--bigkeys: redis-cli's report, byte for byte", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await fill(client, 250);
  for (
    const args of [["--bigkeys"], ["--bigkeys", "--pattern", "*:*"], ["--bigkeys", "-i", "0.01"]]
  ) {
    const { cli, ours } = await both(srv.port, args);
    equal(cli.code, 0);
    match(cli.stdout, /Biggest string found '"key:\d+"' has 16 bytes/);
    deepEqual(ours, cli, args.join(" "));
  }
  // An empty database.
  await client.cmd("FLUSHALL");
  const { cli, ours } = await both(srv.port, ["--bigkeys"]);
  deepEqual(ours, cli);
});

Deno.test("--hotkeys under an LFU policy: redis-cli's report, byte for byte; without one, its error", async () => {
  await using srv = startServer({ "maxmemory-policy": "allkeys-lfu" });
  using client = await RespClient.connect(srv.port);
  await fill(client, 40);
  for (let i = 0; i < 30; i++) await client.cmd("GET", `key:${i % 5}`);
  const { cli, ours } = await both(srv.port, ["--hotkeys"]);
  equal(cli.code, 0);
  match(cli.stdout, /hot key found with counter: \d+\tkeyname: "key:0"/);
  deepEqual(ours, cli);
  await client.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction");
  const refused = await both(srv.port, ["--hotkeys"]);
  deepEqual(refused.ours, refused.cli);
  equal(refused.ours.code, 1);
});

Deno.test("--memkeys and --memkeys-samples: the same report as redis-cli", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await fill(client, 120);
  for (const args of [["--memkeys"], ["--memkeys-samples", "2"]]) {
    const { cli, ours } = await both(srv.port, args);
    equal(cli.code, 0);
    match(cli.stdout, /Biggest string found '"key:\d+"' has \d+ bytes/);
    deepEqual(ours, cli, args.join(" "));
  }
});

Deno.test("--memkeys and --memkeys-samples: on redis-server too", async () => {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  try {
    using client = await redis.connect();
    await fill(client, 120);
    for (const args of [["--memkeys"], ["--memkeys-samples", "2"]]) {
      const { cli, ours } = await both(redis.port, args, { flags: ["--resp"] });
      equal(cli.code, 0);
      match(cli.stdout, /Biggest string found '"key:\d+"' has \d+ bytes/);
      deepEqual(ours, cli, args.join(" "));
    }
  } finally {
    await redis.stop();
  }
});

Deno.test("--pipe: mass insertion with redis-cli's lines, errors on stderr, the exit code", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  let input = "";
  for (let i = 0; i < 2000; i++) {
    input += `*3\r\n$3\r\nSET\r\n$${String(i).length}\r\n${i}\r\n$1\r\nx\r\n`;
  }
  const { cli, ours } = await both(srv.port, ["--pipe"], { stdin: input });
  equal(
    cli.stdout,
    "All data transferred. Waiting for the last reply...\n" +
      "Last reply received from server.\nerrors: 0, replies: 2000\n",
  );
  deepEqual(ours, cli);
  equal(await client.cmd("DBSIZE"), 2000);
  const failing = "*2\r\n$4\r\nINCR\r\n$1\r\n1\r\n*1\r\n$4\r\nPING\r\n";
  const bad = await both(srv.port, ["--pipe"], { stdin: failing });
  equal(bad.cli.stderr, "ERR value is not an integer or out of range\n");
  equal(bad.cli.code, 1);
  deepEqual(bad.ours, bad.cli);
});

Deno.test("--latency with bare output: one line after the interval, as redis-cli prints it", async () => {
  await using srv = startServer();
  for (
    const [format, shape] of [["--raw", /^\d+ \d+ \d+\.\d\d \d+\n$/], [
      "--csv",
      /^\d+,\d+,\d+\.\d\d,\d+\n$/,
    ]] as const
  ) {
    const { cli, ours } = await both(srv.port, ["--latency", format, "-i", "0.3"]);
    match(cli.stdout, shape);
    match(ours.stdout, shape);
    equal(ours.code, 0);
    // At least one PING each 10 ms over 0.3 s, but not more than the interval allows.
    const samples = Number(ours.stdout.split(/[ ,]/)[3]);
    equal(samples > 1 && samples <= 31, true, ours.stdout);
  }
});

/** Starts both tools in a live mode and reads until `enough` holds for each. */
/** redis-cli's output, then the REPL's. */
async function liveBoth(
  port: number,
  args: string[],
  enough: (out: string) => boolean,
  env = {},
): Promise<[cli: string, ours: string]> {
  const outputs: string[] = [];
  for (const [cmd, extra] of [["redis-cli", []], [REPL, ["repl"]]] as const) {
    await using live = new LiveProcess(cmd, [...extra, "-p", String(port), ...args], env);
    await live.waitUntil(enough);
    const { code, signal } = await live.stop("SIGINT");
    // Ctrl-C ends these modes as it ends redis-cli.
    equal(code !== 0 || signal !== null, true);
    outputs.push(live.output);
  }
  const [cli = "", ours = ""] = outputs;
  return [cli, ours];
}

Deno.test("--latency-history: sample lines, then the range line, as redis-cli shows them", async () => {
  await using srv = startServer();
  const outputs = await liveBoth(
    srv.port,
    ["--latency-history", "--raw", "-i", "0.2"],
    (out) => / seconds range\n[^]*\n/.test(out),
  );
  for (const out of outputs) {
    const lines = out.split("\n");
    let i = 0;
    while (/^\d+ \d+ \d+\.\d\d \d+$/.test(lines[i]!)) i++;
    equal(i > 1, true, out);
    match(lines[i]!, /^ -- 0\.\d\d seconds range$/);
    match(lines[i + 1]!, /^\d+ \d+ \d+\.\d\d 1$/);
  }
  // On a terminal: one line redrawn in place.
  const [cli, ours] = await liveBoth(
    srv.port,
    ["--latency"],
    (out) => out.split("\x1b[2K").length > 3,
    {
      FAKETTY: "1",
    },
  );
  for (const out of [cli, ours]) {
    match(
      out,
      new RegExp(
        String.raw`^(\x1b\[0G\x1b\[2Kmin: \d+, max: \d+, avg: \d+\.\d\d \(\d+ samples\))+$`,
      ),
    );
  }
});

Deno.test("--latency-dist: redis-cli's legend and spectrum lines", async () => {
  await using srv = startServer();
  const [cli, ours] = await liveBoth(
    srv.port,
    ["--latency-dist", "-i", "0.2"],
    (out) => out.split("\n").length > 10,
  );
  const legend = cli.split("\n").slice(0, 8).join("\n");
  equal(ours.split("\n").slice(0, 8).join("\n"), legend);
  const spectrum = new RegExp(
    String.raw`^\x1b\[38;5;0m(\x1b\[48;5;\d+m[.\-*#1-9A-Q?]){31}\x1b\[0m$`,
  );
  match(cli.split("\n")[8]!, spectrum);
  match(ours.split("\n")[8]!, spectrum);
});

Deno.test("--stat: redis-cli's header and columns", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  await fill(client, 10);
  const [cli, ours] = await liveBoth(
    srv.port,
    ["--stat", "-i", "0.05"],
    (out) => out.split("\n").length > 5,
  );
  const header = cli.split("\n").slice(0, 2);
  deepEqual(ours.split("\n").slice(0, 2), header);
  const row = /^16 {9}\d+\.\d\d[KMG] +\d+ +0 {7}\d+ \(\+\d+\) +\d+ +$/;
  for (const out of [cli, ours]) {
    const lines = out.split("\n");
    match(lines[2]!, row);
    match(lines[3]!, row);
    equal(lines[2]!.length, cli.split("\n")[2]!.length);
  }
});

Deno.test("a mode against a server that is not there: redis-cli's message, exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  for (const mode of ["--scan", "--stat", "--pipe"]) {
    const { cli, ours } = await both(port, [mode], { stdin: "" });
    deepEqual(ours, cli, mode);
  }
  const usage = await runBinary(REPL, ["repl", "--scan", "--count"]);
  equal(usage.code, 2);
});

Deno.test("--rdb: the snapshot redis-cli fetches, with its messages; '-' writes it to stdout", async () => {
  // No five-second wait for more replicas before each transfer.
  await using srv = startServer({ "repl-diskless-sync-delay": "0" });
  using client = await RespClient.connect(srv.port);
  await fill(client, 50);
  using dir = tempDir();
  const [cliFile, ourFile] = [`${dir.path}/cli.rdb`, `${dir.path}/ours.rdb`];
  const cli = await redisCli(["-p", String(srv.port), "--rdb", cliFile]);
  const ours = await repl(["-p", String(srv.port), "--rdb", ourFile]);
  equal(ours.code, 0);
  equal(ours.stderr, cli.stderr.replace(cliFile, ourFile));
  match(ours.stderr, /Transfer finished with success/);
  const [cliBytes, ourBytes] = [await Deno.readFile(cliFile), await Deno.readFile(ourFile)];
  // Two snapshots of the same data: the same size, the same keys (only creation times differ).
  equal(ourBytes.length, cliBytes.length);
  for (const file of [cliFile, ourFile]) {
    const check = await runBinary("redis-check-rdb", [file]);
    match(check.stdout, /\[info\] 56 keys read/);
  }
  // A longer file in the way is cut to the snapshot's size.
  await Deno.writeFile(ourFile, new Uint8Array(100_000));
  await repl(["-p", String(srv.port), "--rdb", ourFile]);
  equal((await Deno.stat(ourFile)).size, cliBytes.length);
  const piped = await repl(["-p", String(srv.port), "--rdb", "-"]);
  equal(piped.stdout.length, cliBytes.length);
  equal(piped.stdout.startsWith("REDIS0010"), true);
});
