/**
 * A command's argument tree, parsed from its row's one-line `syntax` in
 * Redis's notation ("key [NX | XX] [EX seconds] field value [field value
 * ...]"): what COMMAND DOCS replies, the REPL's hints, and where key specs
 * find a `numkeys` argument.
 */
import type { CommandSpec } from "./command.ts";

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
      const t = tokens[pos++]!;
      const groupCloser = CLOSER[t];
      if (t === closer) return alternatives;
      if (t === "|") alternatives.push([]);
      else if (t === "...") alternatives.at(-1)!.push({ kind: "repeat" });
      else if (groupCloser !== undefined) {
        alternatives.at(-1)!.push({
          kind: "group",
          optional: t === "[",
          alternatives: parseAlternatives(groupCloser),
        });
      } else if (t === "]" || t === ">" || t === ")") {
        throw new Error(`unbalanced '${t}' in syntax: ${syntax}`);
      } else alternatives.at(-1)!.push({ kind: "word", text: t });
    }
    if (closer !== undefined) throw new Error(`missing '${closer}' in syntax: ${syntax}`);
    return alternatives;
  };

  const top = parseAlternatives(undefined);
  const [only] = top;
  if (only === undefined || top.length !== 1) return [oneOf(top.map(convertSequence))];
  return convertSequence(only);
}

function convertSequence(nodes: SyntaxNode[]): ArgumentDoc[] {
  const args: ArgumentDoc[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
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
    const [body, ...others] = node.alternatives;
    if (body !== undefined && others.length === 0 && body.at(-1)?.kind === "repeat") {
      foldRepetition(args, convertSequence(body));
      continue;
    }
    const alternatives = node.alternatives.map(convertSequence);
    const [sequence] = alternatives;
    const arg = sequence !== undefined && others.length === 0
      ? single(sequence)
      : oneOf(alternatives);
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
    if (repeated[0]?.token !== undefined) last.flags.push("multiple_token");
    return;
  }
  const items = args.splice(-repeated.length);
  const block = single(items);
  block.flags.push("multiple");
  args.push(block);
}

/** The arguments of one group as one argument: itself, or a block of them. */
function single(items: ArgumentDoc[]): ArgumentDoc {
  const [first] = items;
  if (first === undefined) throw new Error("empty group in syntax");
  if (items.length === 1) return first;
  // A group led by a token is that token's: [LIMIT offset count], [AGGREGATE <SUM | MAX>].
  let token: string | undefined;
  if (first.token !== undefined && first.flags.length === 0) {
    token = first.token;
    if (first.type === "pure-token") items.shift();
    else delete first.token;
  }
  const only = items.length === 1 ? items[0] : undefined;
  if (only !== undefined && token !== undefined && only.token === undefined) {
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

const argumentCache = new WeakMap<CommandSpec, ArgumentDoc[]>();

/** The parsed `syntax` of a row (cached: rows never change). */
export function docArguments(spec: CommandSpec): ArgumentDoc[] {
  let args = argumentCache.get(spec);
  if (args === undefined) {
    args = parseSyntax(spec.syntax);
    if (spec.docNames !== undefined) rename(args, spec.docNames);
    argumentCache.set(spec, args);
  }
  return args;
}

function rename(args: ArgumentDoc[], names: Readonly<Record<string, string>>): void {
  for (const arg of args) {
    arg.name = names[arg.name] ?? arg.name;
    if (arg.arguments !== undefined) rename(arg.arguments, names);
  }
}
