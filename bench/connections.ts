/**
 * Idle connections: a fresh server's RSS and PING latency, then again while
 * a separate process (idle_clients.ts) holds many idle clients open on it.
 */
import { encodeRequests, runLoad } from "./load.ts";
import type { Step } from "./progress.ts";
import {
  type ConnectionFigures,
  type ConnectionsResult,
  failure,
  type Latency,
  notRun,
} from "./results.ts";
import {
  alternating,
  SERVER_NAMES,
  type ServerProcess,
  sleep,
  withFileLimit,
  withServer,
} from "./servers.ts";

const OPENER = new URL("./idle_clients.ts", import.meta.url).pathname;
/** Sequential PINGs per latency figure. */
const PINGS = 2000;
const SETTLE_MS = 1000;

/** PING round trips one at a time on one connection. */
export async function pingLatency(port: number): Promise<Latency> {
  const requests = encodeRequests("resp", PINGS, () => ["PING"]);
  const result = await runLoad({ port, protocol: "resp", requests, connections: 1, pipeline: 1 });
  return { p50Ms: result.p50Ms, p99Ms: result.p99Ms };
}

export async function measureConnections(
  server: ServerProcess,
  count: number,
): Promise<ConnectionFigures> {
  await sleep(SETTLE_MS);
  const emptyRss = await server.rss();
  const pingEmpty = await pingLatency(server.port);
  const [sh, ...args] = withFileLimit([
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-net",
    OPENER,
    String(server.port),
    String(count),
  ]);
  const opener = new Deno.Command(sh, { args, stdin: "piped", stdout: "piped", stderr: "inherit" })
    .spawn();
  const lines = opener.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the idle-connection opener exited early");
      text += value;
    }
    const summary = JSON.parse(text) as { opened: number; failed: number; firstError?: string };
    if (summary.opened === 0) {
      throw new Error(`no connection opened: ${summary.firstError ?? "unknown error"}`);
    }
    await sleep(SETTLE_MS);
    const rss = await server.rss();
    const pingWithConnections = await pingLatency(server.port);
    return { opened: summary.opened, emptyRss, rss, pingEmpty, pingWithConnections };
  } finally {
    await opener.stdin.close();
    await lines.cancel();
    await opener.status;
  }
}

/** One step per server, each on a freshly started server. */
export function connectionSteps(
  count: number,
  workDir: string,
  results: ConnectionsResult[],
): Step[] {
  const entry: ConnectionsResult = { count, redis: notRun(), home: notRun() };
  results.push(entry);
  return alternating(0).map((kind) => ({
    label: `${count.toLocaleString("en-US")} idle connections to ${SERVER_NAMES[kind]}`,
    estimateSec: 10,
    run: async () => {
      entry[kind] = await withServer(kind, workDir, (server) => measureConnections(server, count))
        .catch(failure);
    },
  }));
}
