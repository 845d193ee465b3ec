import { deepEqual } from "node:assert/strict";
import { CommandTable } from "../command.ts";
import { commandGroups } from "../commands/table.ts";
import type { CommandContext } from "../context.ts";
import { reportWrites } from "./write_keys.ts";

const table = new CommandTable(commandGroups);

/** What reportWrites says about `argv` run by a client in database 2 of 16. */
function writes(...argv: string[]): string[] {
  const ctx = { db: { index: 2 }, server: { dbs: { length: 16 } } } as unknown as CommandContext;
  const command = table.resolve(argv)!;
  const seen: string[] = [];
  reportWrites(ctx, command, argv, {
    key: (db, key) => seen.push(`${db}:${key}`),
    database: (db, moved) => seen.push(`db${db}${moved ? " moved" : ""}`),
  });
  return seen;
}

Deno.test("keys named by position, with a step and up to the last argument", () => {
  deepEqual(writes("SET", "k", "v", "EX", "10"), ["2:k"]);
  deepEqual(writes("MSET", "a", "1", "b", "2"), ["2:a", "2:b"]);
  deepEqual(writes("DEL", "a", "b", "c"), ["2:a", "2:b", "2:c"]);
  deepEqual(writes("RENAME", "from", "to"), ["2:from", "2:to"]);
});

Deno.test("keys counted by an argument, and destinations only for *STORE commands", () => {
  deepEqual(writes("ZMPOP", "2", "z1", "z2", "MIN"), ["2:z1", "2:z2"]);
  deepEqual(writes("BZMPOP", "0", "1", "z1", "MAX", "COUNT", "3"), ["2:z1"]);
  deepEqual(writes("ZUNIONSTORE", "dest", "2", "big1", "big2"), ["2:dest"]);
  deepEqual(writes("BITOP", "AND", "dest", "a", "b"), ["2:dest"]);
});

Deno.test("writes reaching another database, or whole databases", () => {
  deepEqual(writes("MOVE", "k", "7"), ["2:k", "7:k"]);
  deepEqual(writes("COPY", "src", "dst", "DB", "9", "REPLACE"), ["2:dst", "9:dst"]);
  deepEqual(writes("FLUSHDB"), ["db2"]);
  deepEqual(writes("SWAPDB", "0", "5"), ["db0 moved", "db5 moved"]);
  deepEqual(writes("SWAPDB", "0", "99"), []);
  deepEqual(writes("FLUSHALL").length, 16);
});

Deno.test("a write command whose key specs are all read-only changes its keys (XREADGROUP)", () => {
  deepEqual(writes("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "s2", ">", ">"), [
    "2:s1",
    "2:s2",
  ]);
  deepEqual(writes("XREAD", "STREAMS", "s1", "0"), []);
});
