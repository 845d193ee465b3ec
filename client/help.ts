/**
 * Command help for the REPL: the greyed argument hint after a command name
 * (redis-cli's hintsCallback) and the `help` command's text (cliOutputHelp).
 * The data, command_help.json, is generated from the server's command table
 * (`deno task gen-help`; a test fails when it is stale), so the REPL shares
 * COMMAND DOCS's source without loading the server.
 */
import { splitArgs } from "../protocol/inline.ts";
import bundledEntries from "./command_help.json" with { type: "json" };

/** One command or subcommand: "CONFIG GET" is words ["CONFIG", "GET"]. */
export interface HelpEntry {
  words: string[];
  /** The argument syntax after the words. */
  params: string;
  summary: string;
  since: string;
  group: string;
}

/** Sorted by full name, as redis-cli lists them. */
export function sortHelpEntries(entries: HelpEntry[]): HelpEntry[] {
  const fullName = (e: HelpEntry) => e.words.join(" ");
  return entries.sort((
    a,
    b,
  ) => (fullName(a) < fullName(b) ? -1 : fullName(a) > fullName(b) ? 1 : 0));
}

/** Every command and subcommand of redis-home's table (the bundled data, already sorted). */
export function commandHelpEntries(): HelpEntry[] {
  return bundledEntries;
}

function sameWord(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/**
 * The hint shown after what the user typed: the syntax of the longest
 * matching command name, without the arguments already typed (up to the
 * first optional one), with a leading space unless the line ends in one.
 * Undefined when nothing matches.
 */
export function commandHint(line: string, entries: readonly HelpEntry[]): string | undefined {
  const argv = splitArgs(line);
  if (argv === undefined || argv.length === 0) return undefined;
  let best: HelpEntry | undefined;
  for (const entry of entries) {
    const n = entry.words.length;
    if (n > argv.length || (best !== undefined && n <= best.words.length)) continue;
    if (entry.words.every((word, i) => sameWord(word, argv[i]))) best = entry;
  }
  if (best === undefined) return undefined;
  let hint = best.params;
  let toRemove = argv.length - best.words.length;
  while (toRemove > 0 && hint.length > 0 && hint[0] !== "[") {
    if (hint[0] === " ") toRemove--;
    hint = hint.slice(1);
  }
  return /[ \t\n\v\f\r]$/.test(line) ? hint : " " + hint;
}

const BOLD = "\x1b[1m";
const GREY = "\x1b[90m";
const YELLOW = "\x1b[33m";
const RESET = "\x1b[0m";

function describe(entry: HelpEntry, withGroup: boolean): string {
  let out = `\r\n  ${BOLD}${entry.words.join(" ")}${RESET} ${GREY}${entry.params}${RESET}\r\n` +
    `  ${YELLOW}summary:${RESET} ${entry.summary}\r\n` +
    `  ${YELLOW}since:${RESET} ${entry.since}\r\n`;
  if (withGroup) out += `  ${YELLOW}group:${RESET} ${entry.group}\r\n`;
  return out;
}

/**
 * The text of the REPL's own `help` command: general usage with no argument,
 * every command of a group for `help @group`, else every command whose name
 * starts with the given words (`help config` lists CONFIG GET, CONFIG SET...).
 */
export function helpText(
  args: readonly string[],
  entries: readonly HelpEntry[],
  version: string,
): string {
  const [first] = args;
  if (first === undefined) {
    return `redis-home ${version}\n` +
      "To get help about Redis commands type:\n" +
      '      "help @<group>" to get a list of commands in <group>\n' +
      '      "help <command>" for help on <command>\n' +
      '      "quit" to exit\n';
  }
  let out = "";
  if (first.startsWith("@")) {
    const group = first.slice(1);
    for (const entry of entries) {
      if (sameWord(entry.group, group)) out += describe(entry, false);
    }
  } else {
    for (const entry of entries) {
      if (args.length <= entry.words.length && args.every((a, i) => sameWord(a, entry.words[i]))) {
        out += describe(entry, true);
      }
    }
  }
  return out + "\r\n";
}
