/** The reply of every HELP subcommand: Redis's lines as simple strings. */
import type { CommandContext } from "../context.ts";

export function writeHelp(ctx: CommandContext, lines: readonly string[]): void {
  ctx.out.array(lines.length);
  for (const line of lines) ctx.out.simple(line);
}
