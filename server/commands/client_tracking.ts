/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching's
 * commands (the table and the invalidations are server/tracking.ts).
 */
import { arg, parseInteger } from "../args.ts";
import type { Client } from "../client.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CACHING_NO_NEEDS_OPTOUT,
  CACHING_NOT_TRACKING,
  CACHING_YES_NEEDS_OPTIN,
  CommandError,
  NOT_INTEGER,
  SYNTAX,
  TRACKING_BCAST_SWITCH,
  TRACKING_NO_REDIRECT_CLIENT,
  TRACKING_ONE_REDIRECT,
  TRACKING_OPT_BCAST,
  TRACKING_OPT_SWITCH,
  TRACKING_OPTIN_OPTOUT,
  TRACKING_PREFIX_NEEDS_BCAST,
  trackingPrefixOverlap,
} from "../errors.ts";
import type { TrackingOptions } from "../tracking.ts";

/** The options after ON|OFF, parsed and checked as Redis does before looking at ON|OFF. */
function parseOptions(ctx: CommandContext, argv: string[]) {
  const options: TrackingOptions = {
    redirect: 0,
    bcast: false,
    optin: false,
    optout: false,
    noloop: false,
  };
  const prefixes: string[] = [];
  for (let i = 3; i < argv.length; i++) {
    const option = arg(argv, i).toLowerCase();
    const hasValue = i + 1 < argv.length;
    if (option === "redirect" && hasValue) {
      if (options.redirect !== 0) throw new CommandError(TRACKING_ONE_REDIRECT);
      const id = parseInteger(arg(argv, ++i));
      if (id === undefined) throw new CommandError(NOT_INTEGER);
      // The redirect client must exist now, though it may leave later.
      if (!ctx.server.clients.has(id)) throw new CommandError(TRACKING_NO_REDIRECT_CLIENT);
      options.redirect = id;
    } else if (option === "bcast") options.bcast = true;
    else if (option === "optin") options.optin = true;
    else if (option === "optout") options.optout = true;
    else if (option === "noloop") options.noloop = true;
    else if (option === "prefix" && hasValue) prefixes.push(arg(argv, ++i));
    else throw new CommandError(SYNTAX);
  }
  return { options, prefixes };
}

/** Redis's checks before turning tracking on, against the options and the client's current mode. */
function checkEnable(client: Client, options: TrackingOptions, prefixes: readonly string[]): void {
  if (!options.bcast && prefixes.length > 0) throw new CommandError(TRACKING_PREFIX_NEEDS_BCAST);
  const current = client.tracking;
  if (current !== undefined && current.bcast !== options.bcast) {
    throw new CommandError(TRACKING_BCAST_SWITCH);
  }
  if (options.bcast && (options.optin || options.optout)) {
    throw new CommandError(TRACKING_OPT_BCAST);
  }
  if (options.optin && options.optout) throw new CommandError(TRACKING_OPTIN_OPTOUT);
  if ((options.optin && current?.optout) || (options.optout && current?.optin)) {
    throw new CommandError(TRACKING_OPT_SWITCH);
  }
  if (options.bcast) checkPrefixes(current?.prefixes ?? new Set(), prefixes);
}

/** Two prefixes overlap when one starts the other: a key would be sent for both. */
function overlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function checkPrefixes(existing: ReadonlySet<string>, prefixes: readonly string[]): void {
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i]!;
    for (const old of existing) {
      if (overlap(old, prefix)) throw new CommandError(trackingPrefixOverlap(prefix, old, true));
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      const other = prefixes[j]!;
      if (overlap(prefix, other)) {
        throw new CommandError(trackingPrefixOverlap(prefix, other, false));
      }
    }
  }
}

function clientTracking(ctx: CommandContext, argv: string[]): void {
  const { options, prefixes } = parseOptions(ctx, argv);
  const mode = arg(argv, 2).toLowerCase();
  const tracking = ctx.server.tracking;
  if (mode === "on") {
    checkEnable(ctx.client, options, prefixes);
    tracking.enable(ctx.client, options, prefixes);
  } else if (mode === "off") tracking.disable(ctx.client);
  else throw new CommandError(SYNTAX);
  ctx.out.ok();
}

function clientCaching(ctx: CommandContext, answer: string): void {
  const state = ctx.client.tracking;
  if (state === undefined) throw new CommandError(CACHING_NOT_TRACKING);
  const yes = answer.toLowerCase();
  if (yes === "yes") {
    if (!state.optin) throw new CommandError(CACHING_YES_NEEDS_OPTIN);
  } else if (yes === "no") {
    if (!state.optout) throw new CommandError(CACHING_NO_NEEDS_OPTOUT);
  } else throw new CommandError(SYNTAX);
  state.caching = true;
  ctx.out.ok();
}

/** CLIENT TRACKINGINFO's flags, in Redis's order. */
function trackingFlags(client: Client): string[] {
  const state = client.tracking;
  if (state === undefined) return ["off"];
  const flags = ["on"];
  if (state.bcast) flags.push("bcast");
  if (state.optin) flags.push("optin");
  if (state.optin && state.caching) flags.push("caching-yes");
  if (state.optout) flags.push("optout");
  if (state.optout && state.caching) flags.push("caching-no");
  if (state.noloop) flags.push("noloop");
  if (state.brokenRedirect) flags.push("broken_redirect");
  return flags;
}

function trackingInfo(ctx: CommandContext): void {
  const out = ctx.out;
  const state = ctx.client.tracking;
  out.map(3);
  out.bulk("flags");
  const flags = trackingFlags(ctx.client);
  out.set(flags.length);
  for (const flag of flags) out.bulk(flag);
  out.bulk("redirect");
  out.int(state?.redirect ?? -1);
  out.bulk("prefixes");
  // In byte order, as Redis's radix tree lists them.
  const prefixes = [...state?.prefixes ?? []].sort();
  out.array(prefixes.length);
  for (const prefix of prefixes) out.bulk(prefix);
}

const trackingSub = {
  flags: ["noscript", "loading", "stale"],
  group: "connection",
} as const;

/** Rows for CLIENT's subcommand table. */
export const clientTrackingSubcommands: CommandSpec[] = [
  {
    ...trackingSub,
    name: "tracking",
    arity: -3,
    since: "6.0.0",
    summary: "Enable or disable server assisted client side caching support",
    syntax:
      "<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
    complexity: "O(1). Some options may introduce additional complexity.",
    handler: clientTracking,
  },
  {
    ...trackingSub,
    name: "caching",
    arity: 3,
    since: "6.0.0",
    summary: "Instruct the server about tracking or not keys in the next request",
    syntax: "<YES | NO>",
    complexity: "O(1)",
    handler(ctx, argv) {
      clientCaching(ctx, arg(argv, 2));
    },
  },
  {
    ...trackingSub,
    name: "getredir",
    arity: 2,
    since: "6.0.0",
    summary: "Get tracking notifications redirection client ID if any",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.int(ctx.client.tracking?.redirect ?? -1);
    },
  },
  {
    ...trackingSub,
    name: "trackinginfo",
    arity: 2,
    since: "6.2.0",
    summary:
      "Return information about server assisted client side caching for the current connection",
    syntax: "",
    complexity: "O(1)",
    handler: trackingInfo,
  },
];
