/** Generic keyspace commands. */
import { intArg } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";

export const keyCommands: CommandSpec[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    keys: [1, -1, 1],
    group: "generic",
    since: "1.0.0",
    summary: "Deletes one or more keys.",
    syntax: "key [key ...]",
    handler(client, argv) {
      const db = client.db;
      let deleted = 0;
      for (let i = 1; i < argv.length; i++) {
        if (db.has(argv[i]) && db.delete(argv[i])) {
          deleted++;
          client.server.keyChanged(db, argv[i], NotifyClass.Generic, "del");
        }
      }
      client.out.int(deleted);
    },
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    group: "generic",
    since: "1.0.0",
    summary: "Determines whether one or more keys exist.",
    syntax: "key [key ...]",
    handler(client, argv) {
      let n = 0;
      for (let i = 1; i < argv.length; i++) if (client.db.has(argv[i])) n++;
      client.out.int(n);
    },
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    keys: [0, 0, 0],
    group: "generic",
    since: "1.0.0",
    summary: "Returns all key names that match a pattern.",
    syntax: "pattern",
    handler(client, argv) {
      const db = client.db;
      const pattern = argv[1];
      const all = pattern === "*";
      const now = Date.now();
      const found: string[] = [];
      for (const key of db.dict.keys()) {
        const when = db.getExpire(key);
        if (when !== undefined && when <= now) continue;
        if (all || globMatch(pattern, key)) found.push(key);
      }
      client.out.bulkArray(found);
    },
  },
  {
    name: "pexpire",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "generic",
    since: "2.6.0",
    summary: "Sets the expiration time of a key in milliseconds.",
    syntax: "key milliseconds [NX | XX | GT | LT]",
    handler(client, argv) {
      const ms = intArg(argv[2]);
      const db = client.db;
      const key = argv[1];
      if (!db.has(key)) return client.out.int(0);
      if (ms <= 0) {
        db.delete(key);
        client.server.keyChanged(db, key, NotifyClass.Generic, "del");
      } else {
        db.setExpire(key, Date.now() + ms);
        client.server.keyChanged(db, key, NotifyClass.Generic, "expire");
      }
      client.out.int(1);
    },
  },
  {
    name: "pttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "generic",
    since: "2.6.0",
    summary: "Returns the expiration time in milliseconds of a key.",
    syntax: "key",
    handler(client, argv) {
      const db = client.db;
      if (!db.has(argv[1])) return client.out.int(-2);
      const when = db.getExpire(argv[1]);
      client.out.int(when === undefined ? -1 : Math.max(0, when - Date.now()));
    },
  },
];
