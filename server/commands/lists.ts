/** Placeholder: filled in by the issue that owns this group. */
import type { CommandSpec } from "../command.ts";

export const listCommands: CommandSpec[] = [];
