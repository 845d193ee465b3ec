/** The HELP subcommands: Redis's lines as simple strings, and the row they share. */
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";

export function writeHelp(ctx: CommandContext, lines: readonly string[]): void {
  ctx.out.array(lines.length);
  for (const line of lines) ctx.out.simple(line);
}

/** The summary of most HELP rows (COMMAND DOCS). */
export const HELP_SUMMARY = "Returns helpful text about the different subcommands.";

/**
 * A HELP subcommand's row replying `lines`. Every HELP takes no argument and
 * runs while loading and on a stale replica; `row` holds what differs from
 * one command to the next (group, since, summary, complexity, ACL categories).
 */
export function helpRow(
  lines: readonly string[],
  row: Pick<CommandSpec, "group" | "since" | "summary"> & Partial<CommandSpec>,
): CommandSpec {
  return {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    syntax: "",
    ...row,
    handler: (ctx) => writeHelp(ctx, lines),
  };
}
