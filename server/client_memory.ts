/**
 * What one client holds, as Redis's getClientMemoryUsage counts it: one
 * figure for CLIENT LIST's tot-mem, the client's share of used_memory and
 * maxmemory-clients (client eviction). It must stay O(1): it is taken after
 * each batch of requests and each write while a limit is set, so collections
 * (a MULTI queue, subscriptions, WATCHed keys, tracking prefixes) count by
 * their sizes, never by walking them.
 */
import type { Client, QueuedCommand } from "./client.ts";
import { MAP_ENTRY_BYTES } from "./types/memory.ts";

/**
 * A client's fixed cost beyond its buffers: its objects and reply writer.
 * Measured with the idle-connections bench: 10,000 clients add 86 MB of RSS,
 * 8.6 KB each, of which 1 KB is the read buffer.
 */
export const CLIENT_BYTES = 7.5 * 1024;
/** What Redis counts per argument besides its bytes (a robj pointer). */
const POINTER_SIZE = 8;
/** A queued command beyond its arguments: the {command, argv} pair and its slot (Redis's multiCmd). */
const QUEUED_COMMAND_BYTES = 32;

/** Bytes of a command's arguments, without their pointers (CLIENT LIST argv-mem). */
export function argvBytes(argv: readonly string[]): number {
  let bytes = 0;
  for (const arg of argv) bytes += arg.length;
  return bytes;
}

/** What a queued command adds to CLIENT LIST's multi-mem (Redis's mstate.argv_len_sums). */
export function queuedBytes(queued: QueuedCommand): number {
  return argvBytes(queued.argv) + POINTER_SIZE * queued.argv.length;
}

/**
 * The client's bytes with `argv` as the command it is running (CLIENT LIST's
 * own caller); between commands there is none, which is how the server counts it.
 */
export function clientMemory(client: Client, argv: readonly string[] = []): number {
  const transport = client.transport;
  let bytes = CLIENT_BYTES + transport.inputBytes + outputMemory(client);
  if (argv.length > 0) bytes += argvBytes(argv) + POINTER_SIZE * argv.length;
  const multi = client.multi;
  if (multi !== undefined) bytes += multi.bytes + QUEUED_COMMAND_BYTES * multi.queue.length;
  // Set entries, as Redis counts its list nodes and dict entries: the names are shared.
  const entries = (client.watched?.size ?? 0) + client.subscriptionCount() +
    (client.tracking?.prefixes.size ?? 0);
  return bytes + entries * MAP_ENTRY_BYTES;
}

/** The reply buffer's size and what is handed to the socket and not yet written. */
export function outputMemory(client: Client): number {
  const out = client.out;
  // A socketless client's transport holds nothing: its replies are all in `out`.
  return out.buf.length + Math.max(0, client.transport.outputBytes - out.length);
}
