/**
 * unixsocket and unixsocketperm: clients connect through the path as
 * through the port, CLIENT LIST shows them as Redis 7.0.15 does
 * (addr=<path>:0 laddr=<path>:0 flags=U), they count as local, and the file
 * goes at shutdown.
 */
import { equal, match, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { tempDir } from "./persistence_helpers.ts";

async function request(conn: Deno.Conn, inline: string): Promise<string> {
  await conn.write(new TextEncoder().encode(`${inline}\r\n`));
  const buf = new Uint8Array(4096);
  const n = await conn.read(buf);
  return new TextDecoder().decode(buf.subarray(0, n ?? 0));
}

Deno.test("a client connects through unixsocket; CLIENT LIST shows its path and flag U", async () => {
  using dir = tempDir();
  const path = `${dir.path}/redis.sock`;
  // A file left there by an earlier run is replaced, as Redis does.
  Deno.writeTextFileSync(path, "stale");
  const srv = startServer({
    unixsocket: path,
    unixsocketperm: "700",
    "protected-mode": "yes",
    "enable-debug-command": "local",
  });
  try {
    equal(Deno.statSync(path).mode! & 0o777, 0o700);
    const conn = await Deno.connect({ transport: "unix", path });
    try {
      equal(await request(conn, "PING"), "+PONG\r\n");
      const list = await request(conn, "CLIENT LIST");
      match(
        list,
        new RegExp(`addr=${path}:0 laddr=${path}:0 fd=-?\\d+ name= age=\\d+ idle=\\d+ flags=U `),
      );
      // "local" lets a Unix socket's client in, as loopback's.
      equal(await request(conn, "DEBUG LOG hello"), "+OK\r\n");
    } finally {
      conn.close();
    }
    using c = await RespClient.connect(srv.port);
    equal(await c.cmd("CONFIG", "GET", "unixsocketperm").then((r) => (r as string[])[1]), "700");
    match(String(await c.cmd("CLIENT", "LIST")), /flags=N /);
  } finally {
    await srv.close();
  }
  ok(!(await Deno.stat(path).then(() => true, () => false)), "the socket file is removed");
});
