/**
 * What Redis would free in the background (UNLINK, FLUSHDB ASYNC, the
 * lazyfree-lazy-* options), counted for INFO's lazyfreed_objects. Here a
 * deleted value is dropped at once and its memory goes back with the GC,
 * whatever its size; the count says how many of those deletions Redis would
 * have handed to its lazyfree thread, so tools and tests that watch it see
 * the same figure.
 */
import type { RedisValue } from "./types/value.ts";
import type { Stream } from "./types/stream.ts";

/** Redis's LAZYFREE_THRESHOLD: a value that takes more allocations to free goes to the thread. */
const LAZYFREE_THRESHOLD = 64;
/** A quicklist node's listpack at list-max-listpack-size -2 (Redis's default). */
const QUICKLIST_NODE_BYTES = 8 * 1024;

/** Redis's lazyfreeGetFreeEffort: the allocations freeing `value` takes, as Redis's encodings hold it. */
export function freeEffort(value: RedisValue): number {
  if (typeof value === "string") return 1;
  switch (value.type) {
    case "list":
      // A quicklist's nodes of 8 KB; ours are not Redis's, so its bytes estimate how many it
      // would have (a list of small integers, which Redis packs tighter, comes out higher).
      return Math.ceil((value.memoryUsage?.() ?? 0) / QUICKLIST_NODE_BYTES);
    case "set":
    case "hash":
      return value.encoding() === "hashtable" ? value.size() : 1;
    case "zset":
      return value.encoding() === "skiplist" ? value.size() : 1;
    case "stream":
      return streamEffort(value as Stream);
    default:
      return 1;
  }
}

/** The radix tree's nodes, and each group with its PEL (the first group's size for all, as Redis). */
function streamEffort(stream: Stream): number {
  let effort = stream.radixTreeNodes();
  const groups = stream.groups;
  const first = groups.values().next().value;
  if (first !== undefined) effort += groups.size * (1 + first.pel.size);
  return effort;
}

/** Whether Redis would free `value` in the background when deleted lazily. */
export function freedLazily(value: RedisValue): boolean {
  return freeEffort(value) > LAZYFREE_THRESHOLD;
}
