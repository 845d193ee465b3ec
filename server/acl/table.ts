/** The ACL catalogue of a server's command table: names, categories, no_auth. */
import type { Command, CommandTable } from "../command.ts";
import { ACL_CATEGORIES, aclCategories } from "../command_docs.ts";
import { type AclCommandInfo, AclCommands } from "./commands.ts";

export function aclCommandsOf(table: CommandTable): AclCommands {
  const info = (command: Command): AclCommandInfo => ({
    fullName: command.fullName,
    categories: aclCategories(command.spec),
    noAuth: command.allowedUnauthenticated,
    subcommands: command.subcommands && [...command.subcommands.values()].map(info),
  });
  return new AclCommands(table.all().map(info), ACL_CATEGORIES);
}
