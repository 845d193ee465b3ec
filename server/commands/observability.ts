/**
 * SLOWLOG and LATENCY: what dispatch's call records about slow commands
 * (server/slowlog.ts) and latency spikes (server/latency.ts).
 */
import { parseInteger } from "../args.ts";
import type { Command, CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  MONITOR_DENY_BLOCKING,
  noLatencySamples,
  SLOWLOG_COUNT_RANGE,
  subcommandSyntax,
} from "../errors.ts";
import { doctorReport, latencyGraph } from "../latency_report.ts";
import { helpRow } from "./help.ts";

const SLOWLOG_HELP = [
  "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
  "HELP",
  "    Prints this help.",
];

const LATENCY_HELP = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the " +
  "specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

function slowlogGet(ctx: CommandContext, argv: string[]): void {
  const entries = ctx.server.slowlog.entries;
  let count = 10;
  if (argv.length > 3) throw new CommandError(subcommandSyntax(argv));
  if (argv[2] !== undefined) {
    const n = parseInteger(argv[2]);
    if (n === undefined || n < -1) throw new CommandError(SLOWLOG_COUNT_RANGE);
    count = n === -1 ? entries.length : n;
  }
  const shown = entries.slice(0, count);
  ctx.out.array(shown.length);
  for (const entry of shown) {
    ctx.out.array(6);
    ctx.out.int(entry.id);
    ctx.out.int(entry.time);
    ctx.out.int(entry.microseconds);
    ctx.out.array(entry.argv.length);
    for (const arg of entry.argv) ctx.out.bulk(arg);
    ctx.out.bulk(entry.peer);
    ctx.out.bulk(entry.name);
  }
}

const admin = { flags: ["admin", "loading", "stale"], group: "server" } as const;

const slowlogSubcommands: CommandSpec[] = [
  {
    ...admin,
    name: "get",
    arity: -2,
    tips: ["request_policy:all_nodes", "nondeterministic_output"],
    since: "2.2.12",
    summary: "Get the slow log's entries",
    syntax: "[count]",
    complexity: "O(N) where N is the number of entries returned",
    handler: slowlogGet,
  },
  {
    ...admin,
    name: "len",
    arity: 2,
    tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
    since: "2.2.12",
    summary: "Get the slow log's length",
    syntax: "",
    complexity: "O(1)",
    handler: (ctx) => ctx.out.int(ctx.server.slowlog.entries.length),
  },
  {
    ...admin,
    name: "reset",
    arity: 2,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    since: "2.2.12",
    summary: "Clear all entries from the slow log",
    syntax: "",
    complexity: "O(N) where N is the number of entries in the slowlog",
    handler(ctx) {
      ctx.server.slowlog.reset();
      ctx.out.ok();
    },
  },
  helpRow(SLOWLOG_HELP, {
    group: "server",
    since: "6.2.0",
    summary: "Show helpful text about the different subcommands",
    complexity: "O(1)",
  }),
];

function latencyLatest(ctx: CommandContext): void {
  const events = ctx.server.latency.events;
  ctx.out.array(events.size);
  for (const [name, event] of events) {
    const last = event.samples[event.samples.length - 1];
    ctx.out.array(4);
    ctx.out.bulk(name);
    ctx.out.int(last?.time ?? 0);
    ctx.out.int(last?.latency ?? 0);
    ctx.out.int(event.max);
  }
}

function latencyHistory(ctx: CommandContext, argv: string[]): void {
  const samples = ctx.server.latency.events.get(argv[2] ?? "")?.samples ?? [];
  ctx.out.array(samples.length);
  for (const sample of samples) {
    ctx.out.array(2);
    ctx.out.int(sample.time);
    ctx.out.int(sample.latency);
  }
}

function latencyGraphCommand(ctx: CommandContext, argv: string[]): void {
  const name = argv[2] ?? "";
  const event = ctx.server.latency.events.get(name);
  if (event === undefined || event.samples.length === 0) {
    throw new CommandError(noLatencySamples(name));
  }
  ctx.out.verbatim(latencyGraph(name, event));
}

function latencyDoctor(ctx: CommandContext): void {
  const config = ctx.server.config;
  ctx.out.verbatim(doctorReport(ctx.server.latency, {
    slowlogSlowerThan: config.getNumber("slowlog-log-slower-than"),
    hz: config.getNumber("hz"),
  }));
}

/** LATENCY HISTOGRAM: every command (or the named ones, with their subcommands) that ran. */
function latencyHistogram(ctx: CommandContext, argv: string[]): void {
  const table = ctx.server.commands;
  const chosen: Command[] = [];
  const addWithSubcommands = (command: Command) => {
    if (command.calls > 0) chosen.push(command);
    for (const sub of command.subcommands?.values() ?? []) if (sub.calls > 0) chosen.push(sub);
  };
  if (argv.length === 2) {
    for (const command of table.all()) addWithSubcommands(command);
  } else {
    for (const name of new Set(argv.slice(2).map((a) => a.toLowerCase()))) {
      const command = table.find(name);
      if (command === undefined) continue;
      if (command.parent === undefined) addWithSubcommands(command);
      else if (command.calls > 0) chosen.push(command);
    }
  }
  ctx.out.map(chosen.length);
  for (const command of chosen) {
    ctx.out.bulk(command.fullName);
    ctx.out.map(2);
    ctx.out.bulk("calls");
    ctx.out.int(command.calls);
    ctx.out.bulk("histogram_usec");
    const buckets = command.latencyBuckets();
    ctx.out.map(buckets.length);
    for (const [micros, cumulative] of buckets) {
      ctx.out.int(micros);
      ctx.out.int(cumulative);
    }
  }
}

const latencySubcommands: CommandSpec[] = [
  {
    ...admin,
    name: "latest",
    arity: 2,
    tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    since: "2.8.13",
    summary: "Return the latest latency samples for all events.",
    syntax: "",
    complexity: "O(1)",
    handler: latencyLatest,
  },
  {
    ...admin,
    name: "history",
    arity: 3,
    tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    since: "2.8.13",
    summary: "Return timestamp-latency samples for the event.",
    syntax: "event",
    complexity: "O(1)",
    handler: latencyHistory,
  },
  {
    ...admin,
    name: "reset",
    arity: -2,
    tips: ["request_policy:all_nodes", "response_policy:agg_sum"],
    since: "2.8.13",
    summary: "Reset latency data for one or more events.",
    syntax: "[event [event ...]]",
    complexity: "O(1)",
    handler: (ctx, argv) => ctx.out.int(ctx.server.latency.reset(argv.slice(2))),
  },
  {
    ...admin,
    name: "graph",
    arity: 3,
    tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    since: "2.8.13",
    summary: "Return a latency graph for the event.",
    syntax: "event",
    complexity: "O(1)",
    handler: latencyGraphCommand,
  },
  {
    ...admin,
    name: "doctor",
    arity: 2,
    tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    since: "2.8.13",
    summary: "Return a human readable latency analysis report.",
    syntax: "",
    complexity: "O(1)",
    handler: latencyDoctor,
  },
  {
    ...admin,
    name: "histogram",
    arity: -2,
    tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
    since: "7.0.0",
    summary:
      "Return the cumulative distribution of latencies of a subset of commands or all commands.",
    syntax: "[command [command ...]]",
    complexity: "O(N) where N is the number of commands with latency information being retrieved.",
    handler: latencyHistogram,
  },
  helpRow(LATENCY_HELP, {
    group: "server",
    since: "2.8.13",
    summary: "Show helpful text about the different subcommands.",
    complexity: "O(1)",
  }),
];

/** MONITOR: this client receives every command the server runs from now on. */
function monitor(ctx: CommandContext): void {
  const client = ctx.client;
  // Inside EXEC or a script a reply per command is expected.
  if (ctx.inExec) throw new CommandError(MONITOR_DENY_BLOCKING);
  if (client.monitoring) return;
  client.monitoring = true;
  ctx.server.monitors.add(client);
  ctx.out.ok();
}

export const observabilityCommands: CommandSpec[] = [
  {
    name: "monitor",
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    since: "1.0.0",
    summary: "Listens for all requests received by the server in real-time.",
    syntax: "",
    handler: monitor,
  },
  {
    name: "slowlog",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.2.12",
    summary: "A container for slow log commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: slowlogSubcommands,
  },
  {
    name: "latency",
    arity: -2,
    flags: [],
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: latencySubcommands,
  },
];
