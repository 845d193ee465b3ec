/** Test helpers for streams: XINFO STREAM FULL as plain data, and a stream workload. */
import type { RespClient } from "./helpers.ts";

/** A flat [name, value, ...] reply as an object. */
export function record(flat: unknown): Record<string, unknown> {
  const items = flat as unknown[];
  const out: Record<string, unknown> = {};
  for (let i = 0; i < items.length; i += 2) out[items[i] as string] = items[i + 1];
  return out;
}

/**
 * XINFO STREAM key FULL COUNT 0 as an object, without the radix tree figures
 * (node layouts differ) and, unless `seenTimes`, without consumers' seen
 * times (a replayed AOF recreates consumers at replay time, in Redis too).
 */
export async function infoFull(
  client: RespClient,
  key: string,
  seenTimes = true,
): Promise<unknown> {
  const reply = await client.cmd("XINFO", "STREAM", key, "FULL", "COUNT", 0);
  if (!Array.isArray(reply)) return reply;
  const info = record(reply);
  delete info["radix-tree-keys"];
  delete info["radix-tree-nodes"];
  info.groups = (info.groups as unknown[]).map((g) => {
    const group = record(g);
    group.consumers = (group.consumers as unknown[]).map((c) => {
      const consumer = record(c);
      if (!seenTimes) delete consumer["seen-time"];
      return consumer;
    });
    return group;
  });
  return info;
}

/**
 * Streams with every kind of state: entries with varied fields, tombstones,
 * trimming, groups with pending entries owned by several consumers, a claim,
 * a NOACK read, an idle consumer, an emptied stream with a raised last ID.
 */
export async function fillStreams(c: RespClient): Promise<void> {
  for (let i = 1; i <= 300; i++) {
    const fields = i % 9 === 0 ? ["kind", "big", "body", "x".repeat(i)] : ["n", String(i)];
    await c.cmd("XADD", "events", `${1000 + Math.floor(i / 4)}-*`, ...fields);
  }
  await c.cmd("XDEL", "events", "1001-0", "1020-2", "1040-1");
  await c.cmd("XTRIM", "events", "MAXLEN", "~", "250");
  await c.cmd("XTRIM", "events", "MINID", "=", "1012-3");
  await c.cmd("XGROUP", "CREATE", "events", "workers", "0");
  await c.cmd("XREADGROUP", "GROUP", "workers", "alice", "COUNT", "7", "STREAMS", "events", ">");
  await c.cmd("XREADGROUP", "GROUP", "workers", "bob", "COUNT", "4", "STREAMS", "events", ">");
  await c.cmd("XACK", "events", "workers", "1013-0", "1013-1");
  await c.cmd("XCLAIM", "events", "workers", "carol", "0", "1014-0", "1014-1", "RETRYCOUNT", "5");
  await c.cmd("XGROUP", "CREATE", "events", "audit", "$", "ENTRIESREAD", "300");
  await c.cmd("XADD", "events", "*", "late", "1");
  await c.cmd("XREADGROUP", "GROUP", "audit", "auditor", "NOACK", "STREAMS", "events", ">");
  await c.cmd("XGROUP", "CREATECONSUMER", "events", "workers", "idle");
  await c.cmd("XADD", "emptied", "5-5", "f", "v");
  await c.cmd("XDEL", "emptied", "5-5");
  await c.cmd("XSETID", "emptied", "9-9", "ENTRIESADDED", "4", "MAXDELETEDID", "5-5");
  await c.cmd("XGROUP", "CREATE", "emptied", "g", "$");
  await c.cmd("XADD", "capped", "MAXLEN", "~", "20", "*", "a", "1");
  for (let i = 0; i < 60; i++) await c.cmd("XADD", "capped", "MAXLEN", "~", "20", "*", "a", i);
}

export const STREAM_KEYS = ["events", "emptied", "capped"];

/** XINFO STREAM FULL of every key fillStreams makes. */
export async function streamsState(c: RespClient, seenTimes = true): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const key of STREAM_KEYS) out.push(await infoFull(c, key, seenTimes));
  return out;
}
