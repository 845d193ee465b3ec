/**
 * Drives command handlers through their context directly: a server built by
 * the composition root (not listening), one socketless client, and each
 * command run through the one dispatch path (`ctx.execute`), its reply
 * decoded from the context's reply writer. No sockets, no event loop.
 */
import { RespReplyDecoder } from "../protocol/resp.ts";
import type { Client } from "../server/client.ts";
import { createServer } from "../server/compose.ts";
import { Config } from "../server/config.ts";
import type { RedisServer } from "../server/server.ts";
import { plain } from "./helpers.ts";

export interface Harness {
  server: RedisServer;
  ctx: Client;
  /** Runs one command; its reply in plain JS form (errors as `{ error }`). */
  run(...argv: (string | number)[]): unknown;
}

export function harness(params: Record<string, string> = {}, resp: 2 | 3 = 2): Harness {
  const config = new Config();
  for (const [name, value] of Object.entries(params)) config.set(name, value, true);
  const server = createServer(config);
  server.quiet = true;
  const ctx = server.createInternalClient();
  ctx.setResp(resp);
  const decoder = new RespReplyDecoder();
  const run = (...args: (string | number)[]) => {
    const argv = args.map(String);
    const command = server.commands.resolve(argv);
    if (command === undefined) throw new Error(`unknown command ${argv[0]}`);
    ctx.out.pos = 0;
    ctx.execute(command, argv);
    const reply = decoder.decode(ctx.out.buf, 0, ctx.out.pos);
    if (reply === undefined || decoder.consumed !== ctx.out.pos) {
      throw new Error(`${argv.join(" ")}: not exactly one reply`);
    }
    ctx.out.pos = 0;
    return plain(reply);
  };
  return { server, ctx, run };
}
