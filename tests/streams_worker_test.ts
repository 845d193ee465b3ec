/**
 * A consumer-group work queue on ioredis, end to end: two producers add
 * jobs, two consumers read them with `>` and acknowledge, one crashes with
 * jobs unacknowledged, and the survivor claims them with XAUTOCLAIM. Every
 * job is acknowledged exactly once and the group ends with nothing pending.
 */
import { deepEqual, equal } from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./helpers.ts";

const JOBS = 200;

type Entries = [id: string, fields: string[]][];
type ReadReply = [key: string, entries: Entries][] | null;

function connect(port: number): Redis {
  return new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
}

Deno.test("ioredis consumer group: producers, two consumers, a crash, XAUTOCLAIM, acked once", async () => {
  await using srv = startServer();
  const producers = [connect(srv.port), connect(srv.port)];
  const alice = connect(srv.port);
  const bob = connect(srv.port);
  const acks = new Map<string, number>();
  const ack = async (client: Redis, entries: Entries) => {
    for (const [id, fields] of entries) {
      const job = fields[1]!;
      if (await client.xack("jobs", "workers", id) === 1) acks.set(job, (acks.get(job) ?? 0) + 1);
    }
  };
  try {
    for (const c of [...producers, alice, bob]) await c.connect();
    equal(await alice.xgroup("CREATE", "jobs", "workers", "$", "MKSTREAM"), "OK");
    const produced = Promise.all(producers.map(async (p, n) => {
      for (let i = n; i < JOBS; i += 2) await p.xadd("jobs", "*", "job", String(i));
    }));
    const read = async (c: Redis, name: string) =>
      await c.xreadgroup(
        "GROUP",
        "workers",
        name,
        "COUNT",
        10,
        "BLOCK",
        50,
        "STREAMS",
        "jobs",
        ">",
      ) as ReadReply;

    // Bob acknowledges his first batch, then crashes holding his second.
    let bobBatches = 0;
    let bobHeld = 0;
    for (let round = 0; bobBatches < 2 && round < 10000; round++) {
      const reply = await read(bob, "bob");
      if (reply === null) continue;
      bobBatches++;
      if (bobBatches === 1) await ack(bob, reply[0]![1]);
      else bobHeld = reply[0]![1].length;
    }
    equal(bobBatches, 2);
    bob.disconnect();

    // Alice works until the producers are done and the stream has nothing new.
    let done = false;
    produced.then(() => done = true);
    for (let round = 0; round < 10000; round++) {
      const reply = await read(alice, "alice");
      if (reply !== null) await ack(alice, reply[0]![1]);
      else if (done) break;
    }
    const summary = await alice.xpending("jobs", "workers") as unknown[];
    deepEqual(summary[0], bobHeld);
    deepEqual(summary[3], [["bob", String(bobHeld)]]);

    // Then claims what Bob left behind.
    let cursor = "0-0";
    let claimed = 0;
    do {
      const [next, entries, deleted] = await alice.xautoclaim(
        "jobs",
        "workers",
        "alice",
        0,
        cursor,
        "COUNT",
        3,
      ) as [string, Entries, string[]];
      deepEqual(deleted, []);
      claimed += entries.length;
      await ack(alice, entries);
      cursor = next;
    } while (cursor !== "0-0");
    equal(claimed, bobHeld);

    equal(acks.size, JOBS);
    for (const [job, count] of acks) equal(count, 1, `job ${job} acknowledged ${count} times`);
    deepEqual(await alice.xpending("jobs", "workers"), [0, null, null, null]);
    equal(await alice.xlen("jobs"), JOBS);
    const groups = await alice.xinfo("GROUPS", "jobs") as unknown[][];
    deepEqual(groups[0]!.slice(8), ["entries-read", JOBS, "lag", 0]);
  } finally {
    for (const c of [...producers, alice, bob]) c.disconnect();
  }
});
