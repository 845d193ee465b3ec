/**
 * The command catalogue ACL rules are written against: every command and
 * subcommand with a numeric id (an index into a selector's permission bits),
 * its full name ("get", "config|get") and its ACL categories. It is built
 * from plain descriptions, so the ACL modules need nothing from the command
 * table beyond names and categories.
 */

/** What ACL needs to know about one command (or subcommand). */
export interface AclCommandInfo {
  /** Lower case; a subcommand's is "parent|sub". */
  readonly fullName: string;
  /** Category names without "@", e.g. ["read", "string", "fast"]. */
  readonly categories: readonly string[];
  /** Redis's no_auth flag: runs whatever the user's command permissions (AUTH, HELLO). */
  readonly noAuth?: boolean;
  readonly subcommands?: readonly AclCommandInfo[];
}

/** A catalogued command. */
export interface AclCommand {
  readonly id: number;
  readonly fullName: string;
  readonly categories: ReadonlySet<string>;
  readonly noAuth: boolean;
  readonly parent?: AclCommand;
  /** Ids of its subcommands (empty for ordinary commands). */
  readonly subcommands: readonly AclCommand[];
}

export class AclCommands {
  /** Every command, subcommands right after their parent, in catalogue order. */
  readonly all: readonly AclCommand[];
  /** Top-level commands only. */
  readonly topLevel: readonly AclCommand[];
  readonly #byName = new Map<string, AclCommand>();

  /**
   * @param categoryNames every category, in the order Redis lists them (ACL CAT);
   *   it also decides the order in which rule descriptions try categories.
   */
  constructor(commands: readonly AclCommandInfo[], readonly categoryNames: readonly string[]) {
    const all: AclCommand[] = [];
    const topLevel: AclCommand[] = [];
    const add = (info: AclCommandInfo, parent?: AclCommand): AclCommand => {
      const subcommands: AclCommand[] = [];
      const command: AclCommand = {
        id: all.length,
        fullName: info.fullName.toLowerCase(),
        categories: new Set(info.categories),
        noAuth: info.noAuth ?? false,
        parent,
        subcommands,
      };
      all.push(command);
      this.#byName.set(command.fullName, command);
      for (const sub of info.subcommands ?? []) subcommands.push(add(sub, command));
      return command;
    };
    const sorted = [...commands].sort((a, b) => a.fullName < b.fullName ? -1 : 1);
    for (const info of sorted) topLevel.push(add(info));
    this.all = all;
    this.topLevel = topLevel;
  }

  /** How many ids are in use. */
  get size(): number {
    return this.all.length;
  }

  /**
   * A command by name, any case: "get", or "config|get" for a subcommand
   * (Redis's lookupCommandBySds: at most one "|").
   */
  lookup(name: string): AclCommand | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  isCategory(name: string): boolean {
    return this.categoryNames.includes(name.toLowerCase());
  }

  /** Every command and subcommand in a category (ACL CAT name), in catalogue order. */
  inCategory(name: string): AclCommand[] {
    const category = name.toLowerCase();
    return this.all.filter((c) => c.categories.has(category));
  }
}
