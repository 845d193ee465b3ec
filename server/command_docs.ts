/**
 * What COMMAND INFO, COMMAND DOCS and COMMAND GETKEYS say about a command,
 * generated from its table row: flags, ACL categories, key specs, and the
 * argument tree parsed from the row's one-line `syntax` in Redis's notation
 * ("key [NX | XX] [EX seconds] field value [field value ...]").
 */
import type { ReplyWriter } from "../protocol/writer.ts";
import type { Command, CommandSpec } from "./command.ts";

/** One node of COMMAND DOCS "arguments", as Redis 7 replies it. */
export interface ArgumentDoc {
  name: string;
  type:
    | "string"
    | "integer"
    | "double"
    | "key"
    | "pattern"
    | "unix-time"
    | "pure-token"
    | "oneof"
    | "block";
  token?: string;
  flags: ("optional" | "multiple" | "multiple_token")[];
  arguments?: ArgumentDoc[];
}

type SyntaxNode =
  | { kind: "word"; text: string }
  | { kind: "repeat" }
  | { kind: "group"; optional: boolean; alternatives: SyntaxNode[][] };

const CLOSER: Record<string, string> = { "[": "]", "<": ">", "(": ")" };

/**
 * Parses Redis's syntax notation into COMMAND DOCS argument maps: UPPER-case
 * words are tokens (a token followed by a lower-case word names that
 * argument), `[...]` is optional, `<a | b>` and `[a | b]` are oneof, `x [x
 * ...]` makes x multiple, and several arguments in one group become a block
 * named after them, joined with "_" (as Redis names `[LIMIT offset count]`
 * "offset_count"). Throws on unbalanced brackets.
 */
export function parseSyntax(syntax: string): ArgumentDoc[] {
  const tokens = syntax.match(/\.\.\.|[[\]<>()|]|[^\s[\]<>()|]+/g) ?? [];
  let pos = 0;

  const parseAlternatives = (closer: string | undefined): SyntaxNode[][] => {
    const alternatives: SyntaxNode[][] = [[]];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t === closer) return alternatives;
      if (t === "|") alternatives.push([]);
      else if (t === "...") alternatives.at(-1)!.push({ kind: "repeat" });
      else if (CLOSER[t] !== undefined) {
        alternatives.at(-1)!.push({
          kind: "group",
          optional: t === "[",
          alternatives: parseAlternatives(CLOSER[t]),
        });
      } else if (t === "]" || t === ">" || t === ")") {
        throw new Error(`unbalanced '${t}' in syntax: ${syntax}`);
      } else alternatives.at(-1)!.push({ kind: "word", text: t });
    }
    if (closer !== undefined) throw new Error(`missing '${closer}' in syntax: ${syntax}`);
    return alternatives;
  };

  const top = parseAlternatives(undefined);
  if (top.length !== 1) return [oneOf(top.map(convertSequence))];
  return convertSequence(top[0]);
}

function convertSequence(nodes: SyntaxNode[]): ArgumentDoc[] {
  const args: ArgumentDoc[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.kind === "repeat") continue;
    if (node.kind === "word") {
      const next = nodes[i + 1];
      if (!isToken(node.text)) {
        args.push({ name: node.text, type: argumentType(node.text), flags: [] });
      } else if (next?.kind === "word" && !isToken(next.text)) {
        args.push({ name: next.text, type: argumentType(next.text), token: node.text, flags: [] });
        i++;
      } else {
        args.push({
          name: node.text.toLowerCase(),
          type: "pure-token",
          token: node.text,
          flags: [],
        });
      }
      continue;
    }
    const body = node.alternatives[0];
    if (node.alternatives.length === 1 && body.at(-1)?.kind === "repeat") {
      foldRepetition(args, convertSequence(body));
      continue;
    }
    const alternatives = node.alternatives.map(convertSequence);
    const arg = alternatives.length === 1 ? single(alternatives[0]) : oneOf(alternatives);
    if (node.optional) arg.flags.push("optional");
    args.push(arg);
  }
  return args;
}

/** `x [x ...]`: the last arguments written repeat. */
function foldRepetition(args: ArgumentDoc[], repeated: ArgumentDoc[]): void {
  if (repeated.length === 1) {
    const last = args.at(-1);
    if (last === undefined) return;
    last.flags.push("multiple");
    if (repeated[0].token !== undefined) last.flags.push("multiple_token");
    return;
  }
  const items = args.splice(-repeated.length);
  const block = single(items);
  block.flags.push("multiple");
  args.push(block);
}

/** The arguments of one group as one argument: itself, or a block of them. */
function single(items: ArgumentDoc[]): ArgumentDoc {
  if (items.length === 1) return items[0];
  // A group led by a token is that token's: [LIMIT offset count], [AGGREGATE <SUM | MAX>].
  const first = items[0];
  let token: string | undefined;
  if (first.token !== undefined && first.flags.length === 0) {
    token = first.token;
    if (first.type === "pure-token") items.shift();
    else delete first.token;
  }
  if (items.length === 1 && token !== undefined && items[0].token === undefined) {
    const only = items[0];
    if (only.type === "oneof") only.name = token.toLowerCase();
    only.token = token;
    return only;
  }
  const block: ArgumentDoc = { name: items.map((a) => a.name).join("_"), type: "block", flags: [] };
  if (token !== undefined) block.token = token;
  block.arguments = items;
  return block;
}

function oneOf(alternatives: ArgumentDoc[][]): ArgumentDoc {
  const choices = alternatives.map(single);
  return {
    name: choices.map((c) => c.name).join("_"),
    type: "oneof",
    flags: [],
    arguments: choices,
  };
}

function isToken(word: string): boolean {
  return /^[A-Z][A-Z0-9_-]*$/.test(word);
}

const INTEGER_NAMES = new Set([
  "count",
  "numkeys",
  "offset",
  "start",
  "end",
  "stop",
  "index",
  "db",
  "destination-db",
  "index1",
  "index2",
  "seconds",
  "milliseconds",
  "increment",
  "decrement",
  "cursor",
  "limit",
  "rank",
  "len",
  "maxlen",
  "numreplicas",
  "timeout-ms",
  "port",
  "bit",
  "protover",
  "client-id",
  "number",
  "delta",
  "weight",
]);

/** Redis's argument type, guessed from the conventional argument names. */
function argumentType(name: string): ArgumentDoc["type"] {
  if (name === "key" || name.endsWith("key") && name !== "numkeys") return "key";
  if (name === "source" || name === "destination") return "key";
  if (name.startsWith("unix-time")) return "unix-time";
  if (name === "pattern") return "pattern";
  if (INTEGER_NAMES.has(name)) return "integer";
  if (name === "score" || name === "timeout" || name === "min" || name === "max") return "double";
  return "string";
}

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
  "fast",
  "no_auth",
  "no_mandatory_keys",
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
};

/**
 * A command's ACL categories: its group's, those its flags imply (as Redis's
 * setImplicitACLCategories), and any the row lists in `acl`.
 */
export function aclCategories(spec: CommandSpec): string[] {
  const found = new Set<string>(spec.acl ?? []);
  const flags = spec.flags;
  if (spec.handler !== undefined) {
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

/** A key spec (Redis 7), derived from the row's key range and a `numkeys` argument. */
interface KeySpec {
  flags: string[];
  index: number;
  find: { type: "range"; lastkey: number; keystep: number } | { type: "keynum"; keynumidx: number };
}

function keySpecs(spec: CommandSpec): KeySpec[] {
  const specs: KeySpec[] = [];
  const flags = spec.flags.includes("write")
    ? ["RW", "update"]
    : spec.flags.includes("readonly")
    ? ["RO", "access"]
    : ["RW"];
  const keys = spec.keys;
  if (keys !== undefined && keys[0] > 0) {
    const [first, last, step] = keys;
    specs.push({
      flags,
      index: first,
      find: { type: "range", lastkey: last < 0 ? last : last - first, keystep: step },
    });
  }
  const numkeys = numkeysPosition(spec);
  if (numkeys !== undefined) {
    specs.push({ flags, index: numkeys, find: { type: "keynum", keynumidx: 0 } });
  }
  return specs;
}

/**
 * Where a `numkeys` count sits in argv (ZUNION, EVAL, LMPOP...): after the
 * required single arguments before it. Its keys follow it.
 */
function numkeysPosition(spec: CommandSpec): number | undefined {
  if (!spec.flags.includes("movablekeys")) return undefined;
  const args = docArguments(spec);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.name === "numkeys" && arg.token === undefined) return i + 1;
    if (arg.flags.length > 0 || arg.type === "block" || arg.type === "oneof") return undefined;
  }
  return undefined;
}

const argumentCache = new WeakMap<CommandSpec, ArgumentDoc[]>();

/** The parsed `syntax` of a row (cached: rows never change). */
export function docArguments(spec: CommandSpec): ArgumentDoc[] {
  let args = argumentCache.get(spec);
  if (args === undefined) {
    args = parseSyntax(spec.syntax);
    argumentCache.set(spec, args);
  }
  return args;
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
  const specs = spec.handler === undefined ? [] : keySpecs(spec);
  out.set(specs.length);
  for (const keySpec of specs) {
    out.map(3);
    out.bulk("flags");
    writeStringSet(out, keySpec.flags, true);
    out.bulk("begin_search");
    out.map(2);
    out.bulk("type");
    out.bulk("index");
    out.bulk("spec");
    out.map(1);
    out.bulk("index");
    out.int(keySpec.index);
    out.bulk("find_keys");
    out.map(2);
    out.bulk("type");
    out.bulk(keySpec.find.type);
    out.bulk("spec");
    out.map(3);
    if (keySpec.find.type === "range") {
      out.bulk("lastkey");
      out.int(keySpec.find.lastkey);
      out.bulk("keystep");
      out.int(keySpec.find.keystep);
      out.bulk("limit");
      out.int(0);
    } else {
      out.bulk("keynumidx");
      out.int(keySpec.find.keynumidx);
      out.bulk("firstkey");
      out.int(1);
      out.bulk("keystep");
      out.int(1);
    }
  }
  // Redis answers an empty set when there are no subcommands, else an array.
  if (command.subcommands === undefined) return out.set(0);
  out.array(command.subcommands.size);
  for (const sub of command.subcommands.values()) writeCommandInfo(out, sub);
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
    writeArguments(out, args, keySpecs(spec).length > 0);
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

// ---- COMMAND GETKEYS ------------------------------------------------------

/**
 * The argv positions of a call's keys, from the command's key specs, or
 * undefined when the arguments do not fit them (Redis: "Invalid arguments
 * specified for command").
 */
export function commandKeyPositions(
  command: Command,
  argv: readonly string[],
): number[] | undefined {
  const positions: number[] = [];
  for (const keySpec of keySpecs(command.spec)) {
    const begin = keySpec.index;
    if (begin >= argv.length) return undefined;
    if (keySpec.find.type === "range") {
      const { lastkey, keystep } = keySpec.find;
      const last = lastkey < 0 ? argv.length + lastkey : begin + lastkey;
      if (last >= argv.length || last < begin) return undefined;
      for (let i = begin; i <= last; i += keystep) positions.push(i);
    } else {
      const count = /^\d{1,9}$/.test(argv[begin]) ? Number(argv[begin]) : -1;
      if (count < 0 || begin + count >= argv.length) return undefined;
      for (let i = 1; i <= count; i++) positions.push(begin + i);
    }
  }
  return positions;
}

/** Whether COMMAND GETKEYS has anything to find in this command. */
export function hasKeys(command: Command): boolean {
  return command.spec.handler !== undefined && keySpecs(command.spec).length > 0;
}
