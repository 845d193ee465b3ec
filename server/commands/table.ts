/**
 * The command table: every command module's rows, indexed by name. Adding a
 * command means adding a row to its group's module; adding a group means one
 * import here.
 */
import { Command, type CommandSpec } from "../command.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { connectionCommands } from "./connection.ts";
import { hashCommands } from "./hashes.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./lists.ts";
import { persistenceCommands } from "./persistence.ts";
import { pubsubCommands } from "./pubsub.ts";
import { serverAdminCommands } from "./server_admin.ts";
import { setCommands } from "./sets.ts";
import { sortedSetCommands } from "./sorted_sets.ts";
import { stringCommands } from "./strings.ts";
import { transactionCommands } from "./transactions.ts";

const groups: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  serverAdminCommands,
  keyCommands,
  stringCommands,
  bitmapCommands,
  listCommands,
  hashCommands,
  setCommands,
  sortedSetCommands,
  pubsubCommands,
  transactionCommands,
  persistenceCommands,
];

const byName = new Map<string, Command>();
for (const group of groups) {
  for (const spec of group) {
    if (byName.has(spec.name)) throw new Error(`command '${spec.name}' defined twice`);
    const command = new Command(spec);
    byName.set(spec.name, command);
    // Clients send upper case; registering it too skips a toLowerCase per request.
    byName.set(spec.name.toUpperCase(), command);
  }
}

export function lookupCommand(name: string): Command | undefined {
  return byName.get(name) ?? byName.get(name.toLowerCase());
}

/** Every top-level command, each once. */
export function allCommands(): Command[] {
  return [...new Set(byName.values())];
}
