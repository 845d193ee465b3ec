import { deepEqual, equal, throws } from "node:assert/strict";
import { Database } from "../db.ts";
import { KeyspaceSnapshot } from "../persistence/snapshot.ts";
import { rdbEncoder } from "../persistence/snapshot_file.ts";
import { RedisSet } from "../types/set.ts";
import { loadReplicaRdb } from "./load.ts";

function dbs(n: number): Database[] {
  return Array.from({ length: n }, (_, i) => new Database(i, { expired() {} }));
}

function rdbOf(source: Database[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const enc = rdbEncoder({ compression: true, checksum: true }, [], (c) => chunks.push(c.slice()));
  new KeyspaceSnapshot(source).step(enc, Infinity);
  enc.end();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

Deno.test("a replica's load replaces everything and keeps keys whose TTL has passed", () => {
  const master = dbs(3);
  master[0]!.set("s", "v");
  master[2]!.set("gone", "x");
  master[2]!.setExpire("gone", 1000);
  const set = new RedisSet();
  set.add("m");
  master[1]!.set("set", set);
  const replica = dbs(3);
  replica[0]!.set("stale", "old");
  equal(loadReplicaRdb(replica, rdbOf(master), true), 3);
  equal(replica[0]!.peek("stale"), undefined);
  equal(replica[0]!.peek("s"), "v");
  deepEqual([...(replica[1]!.peek("set") as RedisSet).members()], ["m"]);
  equal(replica[2]!.dict.peek("gone"), "x");
  equal(replica[2]!.getExpire("gone"), 1000);
});

Deno.test("an RDB with more databases than configured is refused", () => {
  const master = dbs(4);
  master[3]!.set("k", "v");
  throws(() => loadReplicaRdb(dbs(2), rdbOf(master), true), /more than 2 databases/);
});
