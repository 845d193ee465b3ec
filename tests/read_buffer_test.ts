/**
 * The read buffer grows while reads fill it, so a pipeline of 1 KB values is
 * read in big reads (one batch of replies each) rather than 1 KB at a time,
 * one request and one reply write per read. CLIENT INFO's qbuf-free shows
 * the buffer's size.
 */
import { equal, ok } from "node:assert/strict";
import { encodeRespRequest } from "../protocol/resp.ts";
import { RespClient, startServer } from "./helpers.ts";

Deno.test("a pipeline of 1 KB values grows the read buffer to 16 kB", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const value = "x".repeat(1000);
  const requests = 64;
  const parts = Array.from(
    { length: requests },
    (_, i) => encodeRespRequest(["SET", `k${i}`, value]),
  );
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  await c.writeRaw(bytes);
  for (let i = 0; i < requests; i++) equal((await c.read()).type, "simple");
  const info = await c.cmd("CLIENT", "INFO") as string;
  const free = Number(info.match(/qbuf-free=(\d+)/)![1]);
  // 16 kB less the CLIENT INFO request itself; without growth it stays at 1 kB.
  ok(free > 15 * 1024, `qbuf-free=${free}`);
});
