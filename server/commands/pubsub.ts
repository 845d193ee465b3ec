/** Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB. */
import { arg } from "../args.ts";
import type { CommandContext } from "../context.ts";
import type { CommandFlag, CommandSpec, Handler } from "../command.ts";
import { CommandError, SSUBSCRIBE_IN_MULTI, subcommandSyntax } from "../errors.ts";
import { globMatch } from "../glob.ts";
import { keyRange } from "../key_specs.ts";
import { type SubscriptionKind, subscriptionsOf } from "../pubsub.ts";

const SUBSCRIBE_FLAGS: readonly CommandFlag[] = ["pubsub", "noscript", "loading", "stale"];
const INTROSPECT_FLAGS: readonly CommandFlag[] = ["pubsub", "loading", "stale"];

/**
 * What a confirmation counts: channels and patterns together, shard
 * channels on their own (Redis's clientSubscriptionsCount and
 * clientShardSubscriptionsCount).
 */
function subscriptionCount(ctx: CommandContext, kind: SubscriptionKind): number {
  if (kind === "shard") return ctx.client.shardChannels?.size ?? 0;
  return (ctx.client.channels?.size ?? 0) + (ctx.client.patterns?.size ?? 0);
}

/**
 * Writes one (un)subscribe confirmation: a push frame of its own, so each is
 * one native frame; inside EXEC, part of EXEC's reply, as Redis writes it.
 */
function confirm(ctx: CommandContext, word: string, name: string | undefined, count: number): void {
  const out = ctx.out;
  const inline = ctx.inExec;
  let setAside: Uint8Array | undefined;
  if (inline) out.push(3);
  else setAside = out.beginPush(3);
  out.bulk(word);
  if (name === undefined) out.nil();
  else out.bulk(name);
  out.int(count);
  if (!inline) out.endPush(setAside);
}

function subscribe(kind: SubscriptionKind, word: string): Handler {
  return (ctx, argv) => {
    // EXEC denies blocking; Redis exempts only the older SUBSCRIBE and PSUBSCRIBE.
    if (kind === "shard" && ctx.inExec) throw new CommandError(SSUBSCRIBE_IN_MULTI);
    const pubsub = ctx.server.pubsub;
    for (const channel of argv.slice(1)) {
      pubsub.subscribe(ctx.client, kind, channel);
      confirm(ctx, word, channel, subscriptionCount(ctx, kind));
    }
  };
}

/** Without arguments: from everything of that kind, or one reply with a nil name. */
function unsubscribe(kind: SubscriptionKind, word: string): Handler {
  return (ctx, argv) => {
    const pubsub = ctx.server.pubsub;
    if (argv.length > 1) {
      for (const channel of argv.slice(1)) {
        pubsub.unsubscribe(ctx.client, kind, channel);
        confirm(ctx, word, channel, subscriptionCount(ctx, kind));
      }
      return;
    }
    const own = subscriptionsOf(ctx.client, kind);
    if (own === undefined || own.size === 0) {
      confirm(ctx, word, undefined, subscriptionCount(ctx, kind));
      return;
    }
    for (const name of own) {
      pubsub.unsubscribe(ctx.client, kind, name);
      confirm(ctx, word, name, subscriptionCount(ctx, kind));
    }
  };
}

/** PUBSUB CHANNELS / SHARDCHANNELS: active names, optionally matching a pattern. */
function listChannels(ctx: CommandContext, argv: string[], registry: Map<string, unknown>): void {
  if (argv.length > 3) throw new CommandError(subcommandSyntax(argv));
  const pattern = argv[2];
  const names: string[] = [];
  for (const name of registry.keys()) {
    if (pattern === undefined || globMatch(pattern, name)) names.push(name);
  }
  ctx.out.bulkArray(names);
}

/** PUBSUB NUMSUB / SHARDNUMSUB: name, count pairs as a flat array (also in RESP3). */
function countSubscribers(
  ctx: CommandContext,
  argv: string[],
  registry: Map<string, Set<CommandContext>>,
) {
  const out = ctx.out;
  out.array((argv.length - 2) * 2);
  for (const channel of argv.slice(2)) {
    out.bulk(channel);
    out.int(registry.get(channel)?.size ?? 0);
  }
}

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
];

export const pubsubCommands: CommandSpec[] = [
  {
    name: "subscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    since: "2.0.0",
    summary: "Listens for messages published to channels.",
    syntax: "channel [channel ...]",
    complexity: "O(N) where N is the number of channels to subscribe to.",
    handler: subscribe("channel", "subscribe"),
  },
  {
    name: "unsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    since: "2.0.0",
    summary: "Stops listening to messages posted to channels.",
    syntax: "[channel [channel ...]]",
    complexity: "O(N) where N is the number of channels to unsubscribe.",
    handler: unsubscribe("channel", "unsubscribe"),
  },
  {
    name: "psubscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    since: "2.0.0",
    summary: "Listens for messages published to channels that match one or more patterns.",
    syntax: "pattern [pattern ...]",
    complexity: "O(N) where N is the number of patterns to subscribe to.",
    handler: subscribe("pattern", "psubscribe"),
  },
  {
    name: "punsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    since: "2.0.0",
    summary: "Stops listening to messages published to channels that match one or more patterns.",
    syntax: "[pattern [pattern ...]]",
    complexity: "O(N) where N is the number of patterns to unsubscribe.",
    handler: unsubscribe("pattern", "punsubscribe"),
  },
  {
    name: "ssubscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    keys: [1, -1, 1],
    keySpecs: [keyRange(["not_key"], 1, -1)],
    group: "pubsub",
    since: "7.0.0",
    summary: "Listens for messages published to shard channels.",
    syntax: "shardchannel [shardchannel ...]",
    complexity: "O(N) where N is the number of shard channels to subscribe to.",
    handler: subscribe("shard", "ssubscribe"),
  },
  {
    name: "sunsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    keys: [1, -1, 1],
    keySpecs: [keyRange(["not_key"], 1, -1)],
    group: "pubsub",
    since: "7.0.0",
    summary: "Stops listening to messages posted to shard channels.",
    syntax: "[shardchannel [shardchannel ...]]",
    complexity: "O(N) where N is the number of shard channels to unsubscribe.",
    handler: unsubscribe("shard", "sunsubscribe"),
  },
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    group: "pubsub",
    since: "2.0.0",
    summary: "Posts a message to a channel.",
    syntax: "channel message",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    handler(ctx, argv) {
      ctx.out.int(ctx.server.pubsub.publish(arg(argv, 1), arg(argv, 2)));
      // Subscribers on replicas hear it too; the AOF does not keep it (Redis's PROPAGATE_REPL).
      ctx.server.propagate(ctx.db.index, argv, "replicas");
    },
  },
  {
    name: "spublish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    keys: [1, 1, 1],
    // Shard channels hash to slots like keys, but are not keys (ACL key rules skip them).
    keySpecs: [keyRange(["not_key"], 1)],
    group: "pubsub",
    since: "7.0.0",
    summary: "Post a message to a shard channel",
    syntax: "shardchannel message",
    complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
    handler(ctx, argv) {
      ctx.out.int(ctx.server.pubsub.publishShard(arg(argv, 1), arg(argv, 2)));
      ctx.server.propagate(ctx.db.index, argv, "replicas");
    },
  },
  {
    name: "pubsub",
    arity: -2,
    flags: [],
    group: "pubsub",
    since: "2.8.0",
    summary: "A container for Pub/Sub commands.",
    syntax: "subcommand [argument [argument ...]]",
    subcommands: [
      {
        name: "channels",
        arity: -2,
        flags: INTROSPECT_FLAGS,
        group: "pubsub",
        since: "2.8.0",
        summary: "Returns the active channels.",
        syntax: "[pattern]",
        handler(ctx, argv) {
          listChannels(ctx, argv, ctx.server.pubsub.channels);
        },
      },
      {
        name: "numpat",
        arity: 2,
        flags: INTROSPECT_FLAGS,
        group: "pubsub",
        since: "2.8.0",
        summary: "Returns a count of unique pattern subscriptions.",
        syntax: "",
        handler(ctx) {
          ctx.out.int(ctx.server.pubsub.patterns.size);
        },
      },
      {
        name: "numsub",
        arity: -2,
        flags: INTROSPECT_FLAGS,
        group: "pubsub",
        since: "2.8.0",
        summary: "Returns a count of subscribers to channels.",
        syntax: "[channel [channel ...]]",
        handler(ctx, argv) {
          countSubscribers(ctx, argv, ctx.server.pubsub.channels);
        },
      },
      {
        name: "shardchannels",
        arity: -2,
        flags: INTROSPECT_FLAGS,
        group: "pubsub",
        since: "7.0.0",
        summary: "Returns the active shard channels.",
        syntax: "[pattern]",
        handler(ctx, argv) {
          listChannels(ctx, argv, ctx.server.pubsub.shardChannels);
        },
      },
      {
        name: "shardnumsub",
        arity: -2,
        flags: INTROSPECT_FLAGS,
        group: "pubsub",
        since: "7.0.0",
        summary: "Returns the count of subscribers of shard channels.",
        syntax: "[shardchannel [shardchannel ...]]",
        handler(ctx, argv) {
          countSubscribers(ctx, argv, ctx.server.pubsub.shardChannels);
        },
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        group: "pubsub",
        // Redis's PUBSUB HELP is in no category but @slow.
        acl: [],
        since: "6.2.0",
        summary: "Returns helpful text about the different subcommands.",
        syntax: "",
        handler(ctx, argv) {
          const out = ctx.out;
          const command = arg(argv, 0).toUpperCase();
          out.array(PUBSUB_HELP.length + 1);
          out.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
          for (const line of PUBSUB_HELP) out.simple(line);
        },
      },
    ],
  },
];
