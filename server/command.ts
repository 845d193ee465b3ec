/**
 * The shape of a command-table row. Every command is one row: name, handler,
 * arity (Redis convention: N exact, -N at least N, counting the name), flags,
 * key positions, and the documentation COMMAND INFO/DOCS and the REPL's hints
 * are generated from.
 */
import type { Client } from "./client.ts";

export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "allow_busy"
  | "no_multi"
  | "movablekeys";

export type CommandGroup =
  | "generic"
  | "string"
  | "list"
  | "set"
  | "sorted-set"
  | "hash"
  | "pubsub"
  | "transactions"
  | "connection"
  | "server"
  | "scripting"
  | "bitmap";

/** A handler writes its reply to `client.out` and throws CommandError on failure. */
export type Handler = (client: Client, argv: string[]) => void;

export interface CommandSpec {
  /** Lower-case name; for subcommands just the subcommand ("get" of config|get). */
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first, last (negative counts from the end), step; 0 when keyless. */
  keys?: readonly [first: number, last: number, step: number];
  group: CommandGroup;
  /** Redis version the command first appeared in (COMMAND DOCS). */
  since: string;
  summary: string;
  /** Argument syntax after the name, as Redis documents it: "key value [NX | XX]". */
  syntax: string;
  complexity?: string;
  /** ACL categories beyond those its group and flags imply (e.g. "dangerous" for KEYS). */
  acl?: readonly string[];
  /** Redis's command tips for clients ("nondeterministic_output", "request_policy:all_shards"). */
  tips?: readonly string[];
  /** Absent on container commands, which only route to their subcommands. */
  handler?: Handler;
  subcommands?: readonly CommandSpec[];
}

/** A resolved table entry: the spec plus what dispatch needs on the hot path. */
export class Command {
  readonly fullName: string;
  readonly isWrite: boolean;
  readonly isBlocking: boolean;
  readonly allowedInSubscribedRESP2: boolean;
  readonly allowedUnauthenticated: boolean;
  readonly subcommands?: Map<string, Command>;
  calls = 0;
  failedCalls = 0;
  rejectedCalls = 0;
  microseconds = 0;

  constructor(readonly spec: CommandSpec, readonly parent?: Command) {
    this.fullName = parent ? `${parent.spec.name}|${spec.name}` : spec.name;
    this.isWrite = spec.flags.includes("write");
    this.isBlocking = spec.flags.includes("blocking");
    this.allowedUnauthenticated = spec.flags.includes("no_auth");
    this.allowedInSubscribedRESP2 = [
      "subscribe",
      "unsubscribe",
      "psubscribe",
      "punsubscribe",
      "ssubscribe",
      "sunsubscribe",
      "ping",
      "quit",
      "reset",
    ].includes(this.fullName);
    if (spec.subcommands) {
      this.subcommands = new Map();
      for (const sub of spec.subcommands) this.subcommands.set(sub.name, new Command(sub, this));
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get arity(): number {
    return this.spec.arity;
  }
}
