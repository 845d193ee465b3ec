/**
 * Stream RDB interchange with redis-server 7: a file redis-home's encoder
 * writes passes redis-check-rdb and loads into Redis with every entry, group,
 * consumer and pending entry equal (XRANGE, XINFO STREAM FULL); a file Redis
 * writes decodes to the same stream.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { readRdb } from "../server/persistence/rdb_reader.ts";
import { RdbEncoder } from "../server/persistence/rdb_writer.ts";
import { materialize } from "../server/persistence/values.ts";
import { Stream } from "../server/types/stream.ts";
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from "../server/types/stream_groups.ts";
import { formatId, ID_MAX, ID_MIN, makeId } from "../server/types/stream_id.ts";
import { run } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";
import { infoFull } from "./stream_helpers.ts";

/** What XINFO STREAM FULL reports for `s`, computed from redis-home's structure. */
function expectedInfo(s: Stream): unknown {
  const entries = [...s.range(ID_MIN, ID_MAX)].map((e) => [formatId(e.id), e.pairs]);
  const groups = [...s.groups.keys()].sort().map((name) => {
    const g = s.groups.get(name)!;
    const consumers = [...g.consumers.keys()].sort().map((cname) => {
      const c = g.consumers.get(cname)!;
      return {
        name: cname,
        "seen-time": c.seenTime,
        "pel-count": c.pel.size,
        pending: [...c.pel.entries()].map((
          [id, n],
        ) => [formatId(id), n.deliveryTime, n.deliveryCount]),
      };
    });
    return {
      name,
      "last-delivered-id": formatId(g.lastId),
      "entries-read": g.entriesRead === ENTRIES_READ_UNKNOWN ? null : g.entriesRead,
      lag: s.lag(g) ?? null,
      "pel-count": g.pel.size,
      pending: [...g.pel.entries()].map((
        [id, n],
      ) => [formatId(id), n.consumer.name, n.deliveryTime, n.deliveryCount]),
      consumers,
    };
  });
  return {
    length: s.length,
    "last-generated-id": formatId(s.lastId),
    "max-deleted-entry-id": formatId(s.maxDeletedId),
    "entries-added": s.entriesAdded,
    "recorded-first-entry-id": formatId(s.firstId),
    entries,
    groups,
  };
}

function buildStream(): Stream {
  const s = new Stream();
  const t0 = 1700000000000;
  for (let i = 0; i < 700; i++) {
    const pairs = i % 7 === 0
      ? ["kind", "odd", "payload", "p".repeat(i % 90), "n", String(i - 300)]
      : ["n", String(i), "at", String(t0 + i)];
    s.add(pairs, { kind: "auto" }, t0 + Math.floor(i / 4));
  }
  s.add(["bin", "\x00\xff\r\n"], { kind: "explicit", id: makeId(1n << 50n, 3n) }, 0);
  const ids = [...s.range(ID_MIN, ID_MAX)].map((e) => e.id);
  for (const i of [3, 150, 151, 152, 400]) s.delete(ids[i]!);
  s.trim({ strategy: "maxlen", maxlen: 650, approx: false, limit: 0 });
  const live = [...s.range(ID_MIN, ID_MAX)].map((e) => e.id);
  const g = new ConsumerGroup("workers", ID_MIN, 0);
  s.addGroup(g);
  const alice = g.consumer("alice", t0 + 5).consumer;
  const bob = g.consumer("bob", t0 + 6).consumer;
  g.consumer("carol", t0 + 7);
  for (let i = 0; i < 40; i++) {
    s.advanceGroup(g, live[i]!);
    if (i % 3 !== 2) g.deliver(live[i]!, i % 2 ? alice : bob, t0 + 1000 + i);
  }
  g.pel.get(live[4]!)!.deliveryCount = 9;
  const late = new ConsumerGroup("late", live[600]!, ENTRIES_READ_UNKNOWN);
  s.addGroup(late);
  s.addGroup(new ConsumerGroup("tail", s.lastId, s.entriesAdded));
  return s;
}

Deno.test("an RDB with a stream written by redis-home loads into Redis 7 equal", async () => {
  using dir = tempDir();
  const s = buildStream();
  const enc = new RdbEncoder({ compression: true, checksum: true });
  enc.header([["redis-ver", "7.0.15"], ["redis-bits", "64"]]);
  enc.selectDb(0, 1, 0);
  enc.keyValue("events", s, undefined);
  enc.end();
  await Deno.writeFile(`${dir.path}/dump.rdb`, enc.bytes());
  const check = await run("redis-check-rdb", [`${dir.path}/dump.rdb`]);
  equal(check.code, 0, check.stdout);
  match(check.stdout, /RDB looks OK/);

  const redis = ChildServer.redis(dir.path);
  try {
    using client = await redis.connect();
    equal(await client.cmd("TYPE", "events"), "stream");
    deepEqual(await infoFull(client, "events"), expectedInfo(s));
    const rev = (await client.cmd("XREVRANGE", "events", "+", "-", "COUNT", 5)) as unknown[];
    deepEqual(
      rev,
      [...s.range(ID_MIN, ID_MAX, true)].slice(0, 5).map((e) => [formatId(e.id), e.pairs]),
    );
  } finally {
    await redis.stop();
  }
});

Deno.test("an RDB with streams written by Redis 7 decodes to the same streams", async () => {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path, "--stream-node-max-entries", "10");
  let expected: unknown[] = [];
  try {
    using c = await redis.connect();
    for (let i = 1; i <= 120; i++) {
      const fields = i % 5 === 0 ? ["a", String(i), "b", "x".repeat(i)] : ["f", String(i * 13)];
      await c.cmd("XADD", "s", `${1000 + Math.floor(i / 3)}-*`, ...fields);
    }
    await c.cmd("XDEL", "s", "1001-0", "1010-1", "1020-2");
    await c.cmd("XTRIM", "s", "MINID", "=", "1003-1");
    await c.cmd("XGROUP", "CREATE", "s", "g1", "0", "ENTRIESREAD", "0");
    await c.cmd("XGROUP", "CREATE", "s", "g2", "$");
    await c.cmd("XREADGROUP", "GROUP", "g1", "c1", "COUNT", 7, "STREAMS", "s", ">");
    await c.cmd("XREADGROUP", "GROUP", "g1", "c2", "COUNT", 5, "STREAMS", "s", ">");
    await c.cmd("XACK", "s", "g1", "1004-0", "1005-0");
    await c.cmd("XCLAIM", "s", "g1", "c3", 0, "1006-0", "1007-0");
    await c.cmd("XADD", "empty", "1-1", "f", "v");
    await c.cmd("XDEL", "empty", "1-1");
    expected = [await infoFull(c, "s"), await infoFull(c, "empty")];
    equal(await c.cmd("SAVE"), "OK");
  } finally {
    await redis.stop();
  }
  const streams = new Map<string, Stream>();
  readRdb(await Deno.readFile(`${dir.path}/dump.rdb`), {
    selectDb() {},
    entry(key, value) {
      streams.set(key, materialize(value) as Stream);
    },
  });
  deepEqual([expectedInfo(streams.get("s")!), expectedInfo(streams.get("empty")!)], expected);
});
