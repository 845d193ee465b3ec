/**
 * A key's record carries a flag while the key has a TTL (record_format.ts FLAG_TTL), so a
 * lookup from a request's bytes skips the expires Map for a key without one. The flag must be
 * exact after every write that gives, keeps, moves or clears a TTL.
 */
import { deepEqual, equal } from "node:assert/strict";
import type { Database } from "../server/db.ts";
import { tableKeys } from "../server/types/keytable_keys.ts";
import { hasTtl } from "../server/types/keytable_access.ts";
import { pipelineOneWrite, RespClient, startServer } from "./helpers.ts";

/** Keys whose record's flag disagrees with the expires Map, in every database. */
function disagreeing(dbs: readonly Database[]): string[] {
  const wrong: string[] = [];
  for (const db of dbs) {
    for (const key of tableKeys(db.dict)) {
      const flagged = hasTtl(db.dict, db.dict.refOf(key));
      if (flagged !== db.expires.has(key)) wrong.push(`db${db.index} ${key} flag ${flagged}`);
    }
  }
  return wrong;
}

const KEY = "flagged:00000001";
const OTHER = "flagged:00000002";

/** Writes that give, keep, move or clear a TTL; each list runs from an empty server. */
const SEQUENCES: string[][][] = [
  [["SET", KEY, "v", "EX", "100"], ["SET", KEY, "w"]],
  [["SET", KEY, "v", "EX", "100"], ["SET", KEY, "longer value"]],
  [["SET", KEY, "v", "EX", "100"], ["SET", KEY, "x".repeat(20000)]],
  [["SET", KEY, "v", "EX", "100"], ["SET", KEY, "w", "KEEPTTL"], ["SET", KEY, "ww", "KEEPTTL"]],
  [["SET", KEY, "1", "EX", "100"], ["INCR", KEY], ["INCRBY", KEY, "100"], ["DECR", KEY]],
  [["SET", KEY, "v", "EX", "100"], ["APPEND", KEY, "more"], ["SETRANGE", KEY, "40", "x"]],
  [["SET", KEY, "v", "EX", "100"], ["SETBIT", KEY, "100", "1"], ["INCRBYFLOAT", KEY, "0"]],
  [["SET", KEY, "v"], ["EXPIRE", KEY, "100"], ["PERSIST", KEY]],
  [["SET", KEY, "v"], ["PEXPIREAT", KEY, "99999999999999"], ["GETEX", KEY, "PERSIST"]],
  [["SET", KEY, "v"], ["GETEX", KEY, "EX", "100"], ["GETSET", KEY, "w"]],
  [["SET", KEY, "v", "EX", "100"], ["RENAME", KEY, OTHER], ["SET", KEY, "w"]],
  [["SET", KEY, "v", "EX", "100"], ["SET", OTHER, "w"], ["RENAME", OTHER, KEY]],
  [["SET", KEY, "v", "EX", "100"], ["COPY", KEY, OTHER], ["MOVE", KEY, "1"]],
  [["SET", OTHER, "v"], ["SET", KEY, "v", "EX", "100"], ["COPY", OTHER, KEY, "REPLACE"]],
  [["SET", KEY, "v", "EX", "100"], ["DEL", KEY], ["SET", KEY, "w"]],
  [["SET", KEY, "v", "EX", "100"], ["UNLINK", KEY], ["SET", KEY, "w"], ["EXPIRE", KEY, "100"]],
  [["SET", KEY, "v", "EX", "100"], ["FLUSHDB"], ["SET", KEY, "w"]],
  [["SET", KEY, "v", "EX", "100"], ["SWAPDB", "0", "1"], ["SET", KEY, "w"]],
  [["RPUSH", KEY, "a"], ["EXPIRE", KEY, "100"], ["RPUSH", KEY, "b"], ["SADD", OTHER, "m"]],
  [["HSET", KEY, "f", "v"], ["EXPIRE", KEY, "100"], ["HSET", KEY, "g", "w"], ["HDEL", KEY, "f"]],
  [["SET", KEY, "v", "EX", "100"], ["MSET", KEY, "w", OTHER, "x"]],
  [["SET", KEY, "v", "EX", "100"], ["SETEX", OTHER, "100", "w"], ["SETNX", KEY, "z"]],
  [["SET", KEY, "v", "EX", "100"], ["SORT", "none", "STORE", KEY]],
  [["SADD", KEY, "a", "b"], ["EXPIRE", KEY, "100"], ["SINTERSTORE", KEY, KEY, KEY]],
];

Deno.test("the TTL flag follows every write that gives, keeps, moves or clears a TTL", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  for (const sequence of SEQUENCES) {
    await c.cmd("FLUSHALL");
    for (const request of sequence) {
      await pipelineOneWrite(c, [request]);
      deepEqual(disagreeing(srv.server.dbs), [], JSON.stringify(request));
    }
  }
});

Deno.test("the TTL flag: RESTORE with a TTL, DEBUG RELOAD, and lookups from bytes", async () => {
  await using srv = startServer({ "enable-debug-command": "yes" });
  using c = await RespClient.connect(srv.port);
  await c.cmd("SET", KEY, "v", "EX", "100");
  await c.cmd("SET", OTHER, "w");
  const dump = await c.cmd("DUMP", KEY);
  equal(await c.cmd("DEL", KEY), 1);
  equal(await c.cmd("RESTORE", KEY, "100000", dump as string), "OK");
  equal(await c.cmd("RESTORE", OTHER, "0", dump as string, "REPLACE"), "OK");
  deepEqual(disagreeing(srv.server.dbs), []);
  equal(await c.cmd("DEBUG", "RELOAD"), "OK");
  deepEqual(disagreeing(srv.server.dbs), []);
  // A flagged key, one without a TTL and a missing one, in a database with TTLs.
  deepEqual(
    await pipelineOneWrite(c, [
      ["GET", KEY],
      ["EXISTS", OTHER],
      ["INCR", "counter:000001"],
      ["SET", OTHER, "x"],
      ["DEL", "missing:00001"],
      ["DEL", OTHER],
      ["DEL", KEY],
    ]),
    ["v", 1, 1, "OK", 0, 1, 1],
  );
  deepEqual(disagreeing(srv.server.dbs), []);
});
