/**
 * The REPL's command data (client/command_help.json), derived from the
 * server's command table. `deno task gen-help` rewrites the file;
 * command_help_data_test.ts fails when it is stale.
 */
import type { HelpEntry } from "../client/help.ts";
import { sortHelpEntries } from "../client/help.ts";
import { type Command, CommandTable } from "../server/command.ts";
import { commandGroups } from "../server/commands/table.ts";

export const HELP_DATA_PATH = new URL("../client/command_help.json", import.meta.url);

function entriesOf(command: Command, parentWords: string[]): HelpEntry[] {
  const words = [...parentWords, command.name.toUpperCase()];
  const { syntax, summary, since, group } = command.spec;
  const entries: HelpEntry[] = [{ words, params: syntax, summary, since, group }];
  for (const sub of command.subcommands?.values() ?? []) entries.push(...entriesOf(sub, words));
  return entries;
}

/** The help entries of every command and subcommand, sorted as redis-cli lists them. */
export function helpEntriesFromTable(): HelpEntry[] {
  const table = new CommandTable(commandGroups);
  return sortHelpEntries(table.all().flatMap((command) => entriesOf(command, [])));
}

export function renderHelpData(): string {
  // One entry a line: diffs of the file show which commands changed.
  return "[\n" + helpEntriesFromTable().map((e) => JSON.stringify(e)).join(",\n") + "\n]\n";
}

if (import.meta.main) {
  Deno.writeTextFileSync(HELP_DATA_PATH, renderHelpData());
}
