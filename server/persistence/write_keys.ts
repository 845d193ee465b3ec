/**
 * Which keys a write command is about to change, for the snapshot's
 * copy-on-write: the keys the command table's key specs mark as written
 * (server/key_specs.ts) or, for a write command whose specs mark none
 * written, all its keys; plus what no key spec says: a key in another
 * database (MOVE, COPY ... DB) and whole-database writes (FLUSHDB, FLUSHALL,
 * SWAPDB). Over-reporting is harmless (a needless copy), missing a key is not.
 */
import { parseInteger } from "../args.ts";
import type { Command } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { keysOf } from "../key_specs.ts";

export interface WriteTarget {
  /** `key` in database `dbIndex` may change. */
  key(dbIndex: number, key: string): void;
  /** Database `dbIndex` is about to be emptied (`moved`: its values live on elsewhere). */
  database(dbIndex: number, moved: boolean): void;
}

/** Reports to `target` what `argv` may change before `command` runs. */
export function reportWrites(
  ctx: CommandContext,
  command: Command,
  argv: readonly string[],
  target: WriteTarget,
): void {
  const db = ctx.db.index;
  const dbCount = ctx.server.dbs.length;
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
      const [, key, to] = argv;
      if (key === undefined) return;
      target.key(db, key);
      const other = dbArg(to);
      if (other !== undefined) target.key(other, key);
      return;
    }
    case "copy": {
      const destination = argv[2];
      if (destination === undefined) return;
      target.key(db, destination);
      for (let i = 3; i + 1 < argv.length; i++) {
        const other = argv[i]?.toLowerCase() === "db" ? dbArg(argv[i + 1]) : undefined;
        if (other !== undefined) target.key(other, destination);
      }
      return;
    }
  }
  const keys = keysOf(command, argv);
  if (keys === undefined) {
    // Arguments that do not fit the key specs: any of them may be a key.
    for (const key of argv.slice(1)) target.key(db, key);
    return;
  }
  // A write command whose specs mark no key written still changes its keys
  // (XREADGROUP: Redis 7.0 specs its streams RO, yet moves groups and PELs).
  const all = command.spec.flags.includes("write") && !keys.some((k) => k.write);
  for (const { index, write } of keys) {
    const key = argv[index];
    if ((write || all) && key !== undefined) target.key(db, key);
  }
}
