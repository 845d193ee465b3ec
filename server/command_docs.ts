/**
 * What COMMAND INFO and COMMAND DOCS say about a command, generated from its
 * table row: flags, ACL categories, key specs (server/key_specs.ts), and the
 * argument tree (server/command_syntax.ts).
 */
import type { ReplyWriter } from "../protocol/writer.ts";
import type { Command, CommandSpec } from "./command.ts";
import { type ArgumentDoc, docArguments } from "./command_syntax.ts";
import { type KeySpec, keySpecsOf } from "./key_specs.ts";

// ---- COMMAND INFO ---------------------------------------------------------

/** Redis's order of command flags in replies (may_replicate is hidden, as in Redis). */
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

/** Redis's ACL categories, in the order it lists them. */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

const GROUP_CATEGORY: Record<string, string | undefined> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  set: "set",
  "sorted-set": "sortedset",
  hash: "hash",
  pubsub: "pubsub",
  transactions: "transaction",
  connection: "connection",
  scripting: "scripting",
  bitmap: "bitmap",
  stream: "stream",
  hyperloglog: "hyperloglog",
  geo: "geo",
};

/**
 * A command's ACL categories: those its row lists in `acl` (else its
 * group's), and those its flags imply (as Redis's setImplicitACLCategories).
 */
export function aclCategories(spec: CommandSpec): string[] {
  const found = new Set<string>(spec.acl ?? []);
  const flags = spec.flags;
  if (spec.handler !== undefined && spec.acl === undefined) {
    const group = GROUP_CATEGORY[spec.group];
    if (group !== undefined) found.add(group);
  }
  if (flags.includes("write")) found.add("write");
  if (flags.includes("readonly") && !found.has("scripting")) found.add("read");
  if (flags.includes("admin")) {
    found.add("admin");
    found.add("dangerous");
  }
  if (flags.includes("pubsub")) found.add("pubsub");
  if (flags.includes("fast")) found.add("fast");
  if (flags.includes("blocking")) found.add("blocking");
  if (!found.has("fast")) found.add("slow");
  return ACL_CATEGORIES.filter((c) => found.has(c));
}

function writeStringSet(out: ReplyWriter, items: readonly string[], simple: boolean): void {
  out.set(items.length);
  for (const item of items) {
    if (simple) out.simple(item);
    else out.bulk(item);
  }
}

/** One COMMAND INFO entry (10 fields), or a null for an unknown name. */
export function writeCommandInfo(out: ReplyWriter, command: Command | undefined): void {
  if (command === undefined) return out.nil();
  const spec = command.spec;
  const [first, last, step] = spec.keys !== undefined && spec.keys[0] > 0 ? spec.keys : [0, 0, 0];
  out.array(10);
  out.bulk(command.fullName);
  out.int(spec.arity);
  writeStringSet(out, FLAG_ORDER.filter((f) => spec.flags.includes(f as never)), true);
  out.int(first);
  out.int(last);
  out.int(step);
  writeStringSet(out, aclCategories(spec).map((c) => "@" + c), true);
  writeStringSet(out, spec.tips ?? [], false);
  const specs = keySpecsOf(spec);
  out.set(specs.length);
  for (const keySpec of specs) writeKeySpec(out, keySpec);
  // Redis answers an empty set when there are no subcommands, else an array.
  if (command.subcommands === undefined) return out.set(0);
  out.array(command.subcommands.size);
  for (const sub of command.subcommands.values()) writeCommandInfo(out, sub);
}

/** One key spec as COMMAND INFO replies it: flags, begin_search, find_keys. */
function writeKeySpec(out: ReplyWriter, keySpec: KeySpec): void {
  out.map(3);
  out.bulk("flags");
  writeStringSet(out, keySpec.flags, true);
  out.bulk("begin_search");
  out.map(2);
  out.bulk("type");
  const begin = keySpec.begin;
  if ("index" in begin) {
    out.bulk("index");
    out.bulk("spec");
    out.map(1);
    out.bulk("index");
    out.int(begin.index);
  } else {
    out.bulk("keyword");
    out.bulk("spec");
    out.map(2);
    out.bulk("keyword");
    out.bulk(begin.keyword);
    out.bulk("startfrom");
    out.int(begin.from);
  }
  out.bulk("find_keys");
  out.map(2);
  out.bulk("type");
  const find = keySpec.find;
  out.bulk("range" in find ? "range" : "keynum");
  out.bulk("spec");
  out.map(3);
  if ("range" in find) {
    out.bulk("lastkey");
    out.int(find.range.lastkey);
    out.bulk("keystep");
    out.int(find.range.step);
    out.bulk("limit");
    out.int(find.range.limit);
  } else {
    out.bulk("keynumidx");
    out.int(find.keynum.at);
    out.bulk("firstkey");
    out.int(find.keynum.first);
    out.bulk("keystep");
    out.int(find.keynum.step);
  }
}

// ---- COMMAND DOCS ---------------------------------------------------------

const ARG_FLAG_ORDER = ["optional", "multiple", "multiple_token"] as const;

function writeArguments(out: ReplyWriter, args: readonly ArgumentDoc[], keyed: boolean): void {
  out.array(args.length);
  for (const arg of args) {
    const isKey = arg.type === "key" && keyed;
    const nested = arg.arguments !== undefined;
    out.map(
      2 + (isKey ? 1 : 0) + (arg.token ? 1 : 0) + (arg.flags.length ? 1 : 0) + (nested ? 1 : 0),
    );
    out.bulk("name");
    out.bulk(arg.name);
    out.bulk("type");
    out.bulk(arg.type);
    if (isKey) {
      out.bulk("key_spec_index");
      out.int(0);
    }
    if (arg.token) {
      out.bulk("token");
      out.bulk(arg.token);
    }
    if (arg.flags.length) {
      out.bulk("flags");
      writeStringSet(out, ARG_FLAG_ORDER.filter((f) => arg.flags.includes(f)), true);
    }
    if (nested) {
      out.bulk("arguments");
      writeArguments(out, arg.arguments!, keyed);
    }
  }
}

/** One command's COMMAND DOCS map (without its name). */
export function writeCommandDocs(out: ReplyWriter, command: Command): void {
  const spec = command.spec;
  const args = docArguments(spec);
  const subs = command.subcommands === undefined ? undefined : [...command.subcommands.values()];
  out.map(3 + (spec.complexity ? 1 : 0) + (args.length ? 1 : 0) + (subs ? 1 : 0));
  out.bulk("summary");
  out.bulk(spec.summary);
  out.bulk("since");
  out.bulk(spec.since);
  out.bulk("group");
  out.bulk(spec.group);
  if (spec.complexity) {
    out.bulk("complexity");
    out.bulk(spec.complexity);
  }
  if (args.length) {
    out.bulk("arguments");
    writeArguments(out, args, keySpecsOf(spec).length > 0);
  }
  if (subs) {
    out.bulk("subcommands");
    out.map(subs.length);
    for (const sub of subs) {
      out.bulk(sub.fullName);
      writeCommandDocs(out, sub);
    }
  }
}
