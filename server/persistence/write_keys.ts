/**
 * Which keys a write command is about to change, for the snapshot's
 * copy-on-write. Most commands name their keys by position ([first, last,
 * step] in the command table); the ones that do not are listed here: keys
 * counted by an argument (LMPOP, ZMPOP...), a destination after an option
 * (SORT ... STORE, GEORADIUS ... STORE), a key in another database (MOVE,
 * COPY ... DB), and whole-database writes (FLUSHDB, FLUSHALL, SWAPDB).
 * Over-reporting is harmless (a needless copy), missing a key is not.
 */
import { parseInteger } from "../args.ts";
import type { Client } from "../client.ts";
import type { Command } from "../command.ts";

export interface WriteTarget {
  /** `key` in database `dbIndex` may change. */
  key(dbIndex: number, key: string): void;
  /** Database `dbIndex` is about to be emptied (`moved`: its values live on elsewhere). */
  database(dbIndex: number, moved: boolean): void;
}

/** Argument index of the key count, for commands whose keys follow a count. */
const KEY_COUNT_AT: Record<string, number> = {
  lmpop: 1,
  zmpop: 1,
  blmpop: 2,
  bzmpop: 2,
  eval: 2,
  evalsha: 2,
  eval_ro: 2,
  evalsha_ro: 2,
  fcall: 2,
  fcall_ro: 2,
};

/** Commands that only write their destination (sources are read): its argument index. */
const DESTINATION_AT: Record<string, number> = {
  sinterstore: 1,
  sunionstore: 1,
  sdiffstore: 1,
  zunionstore: 1,
  zinterstore: 1,
  zdiffstore: 1,
  zrangestore: 1,
  geosearchstore: 1,
  pfmerge: 1,
  bitop: 2,
};

/** Reports to `target` what `argv` may change before `command` runs. */
export function reportWrites(
  client: Client,
  command: Command,
  argv: readonly string[],
  target: WriteTarget,
): void {
  const db = client.db.index;
  const dbCount = client.server.dbs.length;
  const dbArg = (s: string | undefined): number | undefined => {
    const n = s === undefined ? undefined : parseInteger(s);
    return n !== undefined && n >= 0 && n < dbCount ? n : undefined;
  };
  switch (command.fullName) {
    case "flushall":
      for (let i = 0; i < dbCount; i++) target.database(i, false);
      return;
    case "flushdb":
      return target.database(db, false);
    case "swapdb": {
      const a = dbArg(argv[1]);
      const b = dbArg(argv[2]);
      if (a !== undefined && b !== undefined && a !== b) {
        target.database(a, true);
        target.database(b, true);
      }
      return;
    }
    case "move": {
      target.key(db, argv[1]);
      const other = dbArg(argv[2]);
      if (other !== undefined) target.key(other, argv[1]);
      return;
    }
    case "copy": {
      target.key(db, argv[2]);
      for (let i = 3; i + 1 < argv.length; i++) {
        const other = argv[i].toLowerCase() === "db" ? dbArg(argv[i + 1]) : undefined;
        if (other !== undefined) target.key(other, argv[2]);
      }
      return;
    }
  }
  const destination = DESTINATION_AT[command.fullName];
  if (destination !== undefined) {
    if (argv[destination] !== undefined) target.key(db, argv[destination]);
    return;
  }
  const spec = command.spec.keys;
  if (spec !== undefined && spec[0] > 0) {
    const [first, last, step] = spec;
    const end = last < 0 ? argv.length + last : Math.min(last, argv.length - 1);
    for (let i = first; i <= end; i += Math.max(1, step)) target.key(db, argv[i]);
  }
  const countAt = KEY_COUNT_AT[command.fullName];
  if (countAt !== undefined) {
    const count = parseInteger(argv[countAt] ?? "");
    if (count !== undefined && count > 0) {
      const end = Math.min(argv.length - 1, countAt + count);
      for (let i = countAt + 1; i <= end; i++) target.key(db, argv[i]);
    }
    return;
  }
  if (command.fullName === "sort" || command.fullName.startsWith("georadius")) {
    for (let i = 2; i + 1 < argv.length; i++) {
      const option = argv[i].toLowerCase();
      if (option === "store" || option === "storedist") target.key(db, argv[i + 1]);
    }
    return;
  }
  if (command.spec.flags.includes("movablekeys") || spec === undefined || spec[0] === 0) {
    // A write whose keys we cannot place: treat every argument as a possible key.
    for (let i = 1; i < argv.length; i++) target.key(db, argv[i]);
  }
}
