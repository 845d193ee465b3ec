/**
 * Channel and pattern subscriptions and message delivery. Delivery writes
 * straight into each subscriber's output buffer and schedules its flush, so a
 * publisher never waits for a subscriber.
 */
import type { Client } from "./client.ts";
import { globMatch } from "./glob.ts";

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  /** Delivers `message` to subscribers of `channel`; returns how many received it. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct) {
      for (const client of direct) {
        deliver(client, ["message", channel, message]);
        receivers++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        for (const client of clients) {
          deliver(client, ["pmessage", pattern, channel, message]);
          receivers++;
        }
      }
    }
    return receivers;
  }
}

/** Writes a push frame (an array in RESP2 and native) and schedules its send. */
export function deliver(client: Client, items: readonly string[]): void {
  const out = client.out;
  out.beginReply();
  out.push(items.length);
  for (const item of items) out.bulk(item);
  out.endReply();
  client.transport.flushSoon();
}
