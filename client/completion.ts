/**
 * What Tab offers at the prompt, from the same help entries as the hints:
 * command names and subcommands matching the line as typed (redis-cli's
 * completionCallback, which completes the whole line: "config g" offers
 * "CONFIG GET"), groups after `help ` ("help @st" offers "help @string"),
 * and, past redis-cli, the option keywords of a command once its required
 * arguments are typed ("set k v e" offers "set k v EX", "set k v EXAT").
 */
import type { HelpEntry } from "./help.ts";

function startsWithFold(text: string, prefix: string): boolean {
  return text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** The upper-case words of a syntax line, in order, once each: its keywords. */
export function syntaxKeywords(params: string): string[] {
  const words = params.match(/[A-Za-z0-9_-]+/g) ?? [];
  return [...new Set(words.filter((w) => /^[A-Z][A-Z0-9_-]*$/.test(w) && /[A-Z]{2}/.test(w)))];
}

/** How many arguments come before the first optional one ("key value [NX]" needs 2). */
function requiredArguments(params: string): number {
  const head = (params.split("[", 1)[0] ?? "").trim();
  return head === "" ? 0 : head.split(/\s+/).filter((w) => w !== "|").length;
}

/** The entry whose words begin the line, the longest such. */
function commandOf(words: string[], entries: readonly HelpEntry[]): HelpEntry | undefined {
  let best: HelpEntry | undefined;
  for (const entry of entries) {
    const n = entry.words.length;
    if (n > words.length || (best !== undefined && n <= best.words.length)) continue;
    if (entry.words.every((w, i) => w.toLowerCase() === words[i]?.toLowerCase())) best = entry;
  }
  return best;
}

/** Keywords for the word being typed at the end of `line`, once the required arguments are in. */
function keywordCompletions(line: string, entries: readonly HelpEntry[]): string[] {
  const words = line.split(/\s+/).filter((w) => w !== "");
  const partial = /\s$/.test(line) ? "" : words.pop() ?? "";
  const entry = commandOf(words, entries);
  if (entry === undefined) return [];
  const typed = words.length - entry.words.length;
  if (typed < requiredArguments(entry.params)) return [];
  const stem = line.slice(0, line.length - partial.length);
  return syntaxKeywords(entry.params)
    .filter((keyword) => startsWithFold(keyword, partial))
    .map((keyword) => stem + keyword);
}

/** The lines Tab cycles through for `line`, in the order offered. */
export function completions(line: string, entries: readonly HelpEntry[]): string[] {
  const help = /^help\s+/i.exec(line);
  if (help !== null) {
    const rest = line.slice(help[0].length);
    const names = entries.map((e) => e.words.join(" "));
    const groups = [...new Set(entries.map((e) => "@" + e.group))].sort();
    return [...names, ...groups]
      .filter((name) => startsWithFold(name, rest))
      .map((name) => help[0] + name);
  }
  const names = entries
    .map((e) => e.words.join(" "))
    .filter((name) => startsWithFold(name, line));
  return names.length > 0 ? names : keywordCompletions(line, entries);
}
