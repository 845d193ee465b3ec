/**
 * tests/tcl/redis-server starts redis-home the way Redis's Tcl harness starts
 * redis-server: a config file (the harness's default.conf directives), log
 * lines it waits for, a pid file, and Redis's words when the port is taken.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { connectWhenReady } from "./persistence_helpers.ts";
import { ROOT } from "./helpers.ts";

const WRAPPER = `${ROOT}tests/tcl/redis-server`;

/** Redis's tests/assets/default.conf, as the harness writes it out. */
function harnessConfig(dir: string, port: number, logfile: string): string {
  return [
    "always-show-logo yes",
    "notify-keyspace-events KEA",
    "daemonize no",
    `pidfile ${dir}/redis.pid`,
    `port ${port}`,
    "timeout 0",
    "bind 127.0.0.1",
    "loglevel verbose",
    `logfile ${logfile}`,
    "databases 16",
    "latency-monitor-threshold 1",
    "repl-diskless-sync-delay 0",
    "save 900 1",
    "rdbcompression yes",
    "dbfilename dump.rdb",
    `dir ${dir}`,
    "slave-serve-stale-data yes",
    "appendonly no",
    "appendfsync everysec",
    "no-appendfsync-on-rewrite no",
    "activerehashing yes",
    "enable-protected-configs yes",
    "enable-debug-command yes",
    "enable-module-command yes",
    "propagation-error-behavior panic",
    `unixsocket ${dir}/socket`,
  ].join("\n") + "\n";
}

/** Reads `path` until it contains `text`, for a bounded number of tries. */
async function waitForText(path: string, text: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const content = await Deno.readTextFile(path).catch(() => "");
    if (content.includes(text)) return content;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`'${text}' never appeared in ${path}`);
}

Deno.test("tcl wrapper: harness config, log lines, pid file, SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/server.log`;
    await Deno.writeTextFile(`${dir}/redis.conf`, harnessConfig(dir, 0, log));
    const child = new Deno.Command(WRAPPER, {
      args: [`${dir}/redis.conf`, "--save", ""],
      env: { REDIS_HOME: "" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const text = await waitForText(log, "Ready to accept connections");
    ok(text.includes(` PID: ${child.pid}\n`), text);
    match(text, new RegExp(`^${child.pid}:M \\d\\d \\w{3} \\d{4} [\\d:.]+ \\* `));
    equal(await Deno.readTextFile(`${dir}/redis.pid`), `${child.pid}\n`);
    const port = Number(text.match(/Listening on 127\.0\.0\.1:(\d+)/)![1]);
    using client = await connectWhenReady(port);
    deepEqual(await client.cmd("CONFIG", "GET", "save"), ["save", ""]);
    child.kill("SIGTERM");
    equal((await child.status).code, 0);
    ok(!(await Deno.stat(`${dir}/redis.pid`).catch(() => undefined)), "pid file removed");
    ok((await Deno.readTextFile(log)).endsWith("* bye\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tcl wrapper: a taken port is reported in Redis's words on stdout", async () => {
  const dir = await Deno.makeTempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    await Deno.writeTextFile(`${dir}/redis.conf`, harnessConfig(dir, port, "''"));
    const out = await new Deno.Command(WRAPPER, { args: [`${dir}/redis.conf`] }).output();
    equal(out.code, 1);
    const stdout = new TextDecoder().decode(out.stdout);
    ok(stdout.includes(`Failed listening on port ${port} (TCP), aborting.\n`), stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
