/** String commands. */
import type { CommandSpec } from "../command.ts";
import { NotifyClass } from "../notify.ts";

export const stringCommands: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "string",
    since: "1.0.0",
    summary: "Returns the string value of a key.",
    syntax: "key",
    handler(client, argv) {
      const value = client.db.getString(argv[1]);
      if (value === undefined) {
        client.server.stats.keyspaceMisses++;
        client.out.nil();
      } else {
        client.server.stats.keyspaceHits++;
        client.out.bulk(value);
      }
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "string",
    since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type.",
    syntax:
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
    handler(client, argv) {
      const db = client.db;
      db.set(argv[1], argv[2]);
      client.server.keyChanged(db, argv[1], NotifyClass.String, "set");
      // The book's `set key value` replies NIL on the native protocol.
      if (client.isNative && argv.length === 3) client.out.nil();
      else client.out.ok();
    },
  },
];
