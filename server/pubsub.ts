/**
 * Channel, pattern and shard-channel subscriptions, and message delivery.
 * Delivery writes straight into each subscriber's output buffer and schedules
 * its send, so a publisher never waits for a subscriber; one that stops
 * reading is dropped by its output buffer limit (Connection.flushSoon).
 */
import type { Client } from "./client.ts";
import { globMatch } from "./glob.ts";

/** The three subscription namespaces, as Redis keeps them apart. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();

  /** Subscribes `client` to `name` (again is a no-op). */
  subscribe(client: Client, kind: SubscriptionKind, name: string): void {
    const own = clientSet(client, kind);
    if (own.has(name)) return;
    own.add(name);
    const registry = this.#registry(kind);
    const subscribers = registry.get(name);
    if (subscribers) subscribers.add(client);
    else registry.set(name, new Set([client]));
  }

  /** Unsubscribes `client` from `name`, if it was subscribed. */
  unsubscribe(client: Client, kind: SubscriptionKind, name: string): void {
    const own = subscriptionsOf(client, kind);
    if (own === undefined || !own.delete(name)) return;
    // Forget channels nobody listens to, so PUBSUB CHANNELS and memory stay small.
    const registry = this.#registry(kind);
    const subscribers = registry.get(name);
    subscribers?.delete(client);
    if (subscribers?.size === 0) registry.delete(name);
  }

  /** Drops every subscription of a client without replying (disconnect, RESET). */
  unsubscribeAll(client: Client): void {
    for (const kind of KINDS) {
      const own = subscriptionsOf(client, kind);
      if (own === undefined) continue;
      for (const name of own) this.unsubscribe(client, kind, name);
    }
  }

  /** PUBLISH: delivers to the channel's subscribers, then to matching patterns. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct !== undefined) {
      // Counted as sent: a subscriber dropped for its output limit leaves the set.
      for (const client of direct) {
        deliver(client, "message", undefined, channel, message);
        receivers++;
      }
    }
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const client of clients) {
        deliver(client, "pmessage", pattern, channel, message);
        receivers++;
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channels have no patterns. */
  publishShard(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.shardChannels.get(channel);
    if (direct === undefined) return receivers;
    for (const client of direct) {
      deliver(client, "smessage", undefined, channel, message);
      receivers++;
    }
    return receivers;
  }

  #registry(kind: SubscriptionKind): Map<string, Set<Client>> {
    return kind === "channel"
      ? this.channels
      : kind === "pattern"
      ? this.patterns
      : this.shardChannels;
  }
}

const KINDS: readonly SubscriptionKind[] = ["channel", "pattern", "shard"];

/** A client's own subscriptions of one kind, if it ever had any. */
export function subscriptionsOf(client: Client, kind: SubscriptionKind): Set<string> | undefined {
  return kind === "channel"
    ? client.channels
    : kind === "pattern"
    ? client.patterns
    : client.shardChannels;
}

/** Created on first use: most clients never subscribe. */
function clientSet(client: Client, kind: SubscriptionKind): Set<string> {
  if (kind === "channel") return client.channels ??= new Set();
  if (kind === "pattern") return client.patterns ??= new Set();
  return client.shardChannels ??= new Set();
}

/**
 * Writes one message as a push frame of its own (an array in RESP2 and
 * native) and schedules its send. A client receiving its own message while
 * its command runs is sent it with that command's reply.
 */
function deliver(
  client: Client,
  kind: string,
  pattern: string | undefined,
  channel: string,
  message: string,
): void {
  const out = client.out;
  const running = out.replyOpen;
  const setAside = out.beginPush(pattern === undefined ? 3 : 4);
  out.bulk(kind);
  if (pattern !== undefined) out.bulk(pattern);
  out.bulk(channel);
  out.bulk(message);
  out.endPush(setAside);
  if (!running) client.transport.flushSoon();
}
