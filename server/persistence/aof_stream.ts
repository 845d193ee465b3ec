/**
 * A stream as the commands Redis's AOF rewrite emits for it
 * (rewriteStreamObject): XADD per entry with its ID (or XADD MAXLEN 0 to
 * create an empty stream), XSETID with the counters, then per group
 * XGROUP CREATE ... ENTRIESREAD and an XCLAIM ... JUSTID FORCE per pending
 * entry (XGROUP CREATECONSUMER for consumers with none).
 */
import type { Stream } from "../types/stream.ts";
import { formatId, ID_MAX, ID_MIN, makeId } from "../types/stream_id.ts";

/** Names in rax (byte) order. */
function sorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function* streamCommands(key: string, s: Stream): Iterable<string[]> {
  if (s.length > 0) {
    for (const entry of s.range(ID_MIN, ID_MAX)) {
      yield ["XADD", key, formatId(entry.id), ...entry.pairs];
    }
  } else {
    yield ["XADD", key, "MAXLEN", "0", formatId(makeId(0n, 1n)), "x", "y"];
  }
  yield [
    "XSETID",
    key,
    formatId(s.lastId),
    "ENTRIESADDED",
    String(s.entriesAdded),
    "MAXDELETEDID",
    formatId(s.maxDeletedId),
  ];
  for (const name of sorted(s.groups.keys())) {
    const group = s.groups.get(name)!;
    yield [
      "XGROUP",
      "CREATE",
      key,
      name,
      formatId(group.lastId),
      "ENTRIESREAD",
      String(group.entriesRead),
    ];
    for (const cname of sorted(group.consumers.keys())) {
      const consumer = group.consumers.get(cname)!;
      if (consumer.pel.size === 0) {
        yield ["XGROUP", "CREATECONSUMER", key, name, cname];
        continue;
      }
      for (const [id, nack] of consumer.pel.entries()) {
        yield [
          "XCLAIM",
          key,
          name,
          cname,
          "0",
          formatId(id),
          "TIME",
          String(nack.deliveryTime),
          "RETRYCOUNT",
          String(nack.deliveryCount),
          "JUSTID",
          "FORCE",
        ];
      }
    }
  }
}
