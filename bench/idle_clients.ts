/**
 * Holds idle client connections open for the connections benchmark, in its
 * own process so its file descriptors and memory stay apart from the harness.
 *
 *   deno run --allow-net bench/idle_clients.ts PORT COUNT
 *
 * Each connection sends one PING and reads the reply, so the server has set
 * it up as a full client, then stays silent. Once all are settled it prints
 * one JSON line `{"opened":N,"failed":M,"firstError":...}` and holds the
 * connections until its stdin closes.
 */

const PING = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");
/** Connections opened at once: stays under the servers' listen backlog. */
const CONCURRENCY = 256;

interface Outcome {
  opened: Deno.TcpConn[];
  failed: number;
  firstError?: string;
}

async function openOne(port: number, outcome: Outcome): Promise<void> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(PING);
    const buf = new Uint8Array(256);
    const n = await conn.read(buf);
    const reply = new TextDecoder().decode(buf.subarray(0, n ?? 0)).trim();
    // A server over its client limit answers with an error and hangs up.
    if (reply !== "+PONG") throw new Error(reply || "connection closed");
    outcome.opened.push(conn);
  } catch (err) {
    conn?.close();
    outcome.failed++;
    outcome.firstError ??= (err as Error).message;
  }
}

async function main(port: number, count: number): Promise<void> {
  const outcome: Outcome = { opened: [], failed: 0 };
  let next = 0;
  const opener = async () => {
    while (next < count) {
      next++;
      await openOne(port, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, opener));
  const { opened, ...summary } = outcome;
  console.log(JSON.stringify({ opened: opened.length, ...summary }));
  for await (const _ of Deno.stdin.readable) {
    // Hold the connections until the harness closes our stdin.
  }
  for (const conn of opened) conn.close();
}

if (import.meta.main) {
  const [port = 0, count = 0] = Deno.args.map(Number);
  if (!(port > 0) || !(count > 0)) {
    console.error("usage: idle_clients.ts PORT COUNT");
    Deno.exit(2);
  }
  await main(port, count);
}
