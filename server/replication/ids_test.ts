import { deepEqual, equal, match, notEqual } from "node:assert/strict";
import { MIN_BACKLOG_SIZE, ReplicationBacklog } from "./backlog.ts";
import { answerPsync, newReplicationId, NO_REPLID, ReplicationIds } from "./ids.ts";

Deno.test("replication IDs are 40 random hex digits", () => {
  const id = newReplicationId();
  match(id, /^[0-9a-f]{40}$/);
  notEqual(newReplicationId(), id);
});

Deno.test("shift keeps the old history valid up to the promotion offset", () => {
  const ids = new ReplicationIds();
  const old = ids.replid;
  equal(ids.replid2, NO_REPLID);
  equal(ids.secondOffset, -1);
  ids.shift(500);
  equal(ids.replid2, old);
  equal(ids.secondOffset, 501);
  notEqual(ids.replid, old);
  ids.clearSecond();
  equal(ids.replid2, NO_REPLID);
  equal(ids.secondOffset, -1);
});

Deno.test("a replica adopts the ID a master announces in +CONTINUE", () => {
  const ids = new ReplicationIds();
  const old = ids.replid;
  ids.adoptMasterId("a".repeat(40), 99);
  equal(ids.replid, "a".repeat(40));
  equal(ids.replid2, old);
  equal(ids.secondOffset, 100);
  ids.adoptMasterId("a".repeat(40), 200);
  equal(ids.secondOffset, 100);
});

Deno.test("PSYNC continues only with a known ID and an offset in the backlog", () => {
  const ids = new ReplicationIds();
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE, 1000);
  backlog.append(new Uint8Array(50));
  deepEqual(answerPsync(ids, backlog, ids.replid, 1001), { kind: "continue", from: 1001 });
  deepEqual(answerPsync(ids, backlog, ids.replid.toUpperCase(), 1051), {
    kind: "continue",
    from: 1051,
  });
  equal(answerPsync(ids, backlog, ids.replid, 1000).kind, "full");
  equal(answerPsync(ids, backlog, ids.replid, 1052).kind, "full");
  equal(answerPsync(ids, undefined, ids.replid, 1001).kind, "full");
  const forced = answerPsync(ids, backlog, "?", -1);
  deepEqual(forced, { kind: "full", reason: "full resync requested by replica" });
  match((answerPsync(ids, backlog, "b".repeat(40), 1001) as { reason: string }).reason, /mismatch/);
  // The zero ID of "no previous history" never matches.
  equal(answerPsync(ids, backlog, NO_REPLID, 1001).kind, "full");
});

Deno.test("after a promotion the old ID continues up to the promotion offset only", () => {
  const ids = new ReplicationIds();
  const old = ids.replid;
  const backlog = new ReplicationBacklog(MIN_BACKLOG_SIZE, 0);
  backlog.append(new Uint8Array(100));
  ids.shift(100);
  backlog.append(new Uint8Array(20));
  deepEqual(answerPsync(ids, backlog, old, 101), { kind: "continue", from: 101 });
  deepEqual(answerPsync(ids, backlog, old, 50), { kind: "continue", from: 50 });
  const late = answerPsync(ids, backlog, old, 102);
  deepEqual(late, {
    kind: "full",
    reason: "Requested offset for second ID was 102, but I can reply up to 101",
  });
});
