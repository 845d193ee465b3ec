/** Connection commands: PING, ECHO, QUIT, SELECT. */
import { intArg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { CommandError, DB_INDEX_OUT_OF_RANGE, wrongArity } from "../errors.ts";

export const connectionCommands: CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the server's liveliness response.",
    syntax: "[message]",
    handler(client, argv) {
      if (argv.length > 2) throw new CommandError(wrongArity("ping"));
      if (client.inSubscribedMode) {
        // Subscribed RESP2 clients get PING as a pong push, as Redis.
        client.out.array(2);
        client.out.bulk("pong");
        client.out.bulk(argv[1] ?? "");
      } else if (argv.length === 2) client.out.bulk(argv[1]);
      else client.out.simple("PONG");
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["fast"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the given string.",
    syntax: "message",
    handler(client, argv) {
      client.out.bulk(argv[1]);
    },
  },
  {
    name: "quit",
    arity: -1,
    flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    group: "connection",
    since: "1.0.0",
    summary: "Closes the connection.",
    syntax: "",
    handler(client) {
      client.out.ok();
      client.closeAfterReply = true;
    },
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    since: "1.0.0",
    summary: "Changes the selected database.",
    syntax: "index",
    handler(client, argv) {
      const index = intArg(argv[1], "ERR value is not an integer or out of range");
      if (index < 0 || index >= client.server.dbs.length) {
        throw new CommandError(DB_INDEX_OUT_OF_RANGE);
      }
      client.selectDb(index);
      client.out.ok();
    },
  },
];
