/**
 * One server's ACL state: its users (always including `default`), the ACL
 * log, and the operations the ACL command, AUTH, redis.conf `user` lines and
 * the aclfile need. Pure: no sockets, no files (callers read and write them).
 */
import type { AclCommands } from "./commands.ts";
import { AclLog } from "./log.ts";
import { RULE_UNKNOWN_COMMAND } from "../errors.ts";
import { AclRuleError, hasSpaces } from "./selector.ts";
import { type AclEnv, User } from "./user.ts";

export const DUPLICATE_CONFIG_USER =
  "Duplicate user found. A user can only be defined once in config files";

/** A rule list that could not be applied: Redis's message for ACL SETUSER. */
export class AclSetUserError extends Error {}

export class Acl {
  readonly env: AclEnv;
  users = new Map<string, User>();
  readonly log = new AclLog();

  constructor(commands: AclCommands, allChannelsByDefault = false) {
    this.env = { commands, allChannelsByDefault };
    this.users.set("default", this.#newDefaultUser());
  }

  /** The user unauthenticated connections run as. */
  get defaultUser(): User {
    return this.users.get("default")!;
  }

  #newDefaultUser(): User {
    const user = new User("default", this.env);
    for (const op of ["+@all", "~*", "&*", "on", "nopass"]) user.apply(op);
    return user;
  }

  getUser(name: string): User | undefined {
    return this.users.get(name);
  }

  /** Users in name order (Redis keeps them in a radix tree). */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** ACL LIST's lines and the aclfile's: "user <name> <rules>". */
  list(): string[] {
    return this.sortedUsers().map((u) => `user ${u.name} ${u.describe()}`);
  }

  /**
   * ACL SETUSER (ACLStringSetUser): applies every rule to a copy of the user
   * (or a new one) and keeps the result only if all succeed; an existing
   * user is updated in place, so connections authenticated as it see the
   * change. Throws AclSetUserError. Returns a copy of the user as it was
   * (undefined when created), so callers can disconnect clients that lost
   * channel permissions.
   */
  setUser(name: string, rules: readonly string[]): { before?: User; after: User } {
    const ops = mergeSelectorArgs(rules);
    if (typeof ops === "number") {
      throw new AclSetUserError(
        `Unmatched parenthesis in acl selector starting at '${rules[ops]}'.`,
      );
    }
    const existing = this.users.get(name);
    const staged = existing?.clone() ?? new User(name, this.env);
    for (const op of ops) {
      try {
        staged.apply(op);
      } catch (err) {
        if (!(err instanceof AclRuleError)) throw err;
        throw new AclSetUserError(`Error in ACL SETUSER modifier '${op}': ${err.message}`);
      }
    }
    if (existing === undefined) {
      this.users.set(name, staged);
      return { after: staged };
    }
    const before = existing.clone();
    existing.copyFrom(staged);
    return { before, after: existing };
  }

  /** ACL DELUSER of one name (the command refuses "default" first); whether it existed. */
  deleteUser(name: string): boolean {
    return this.users.delete(name);
  }

  /** requirepass: the default user gets this one password, or nopass when empty. */
  setDefaultPassword(password: string): void {
    const user = this.defaultUser;
    user.apply("resetpass");
    user.apply(password === "" ? "nopass" : `>${password}`);
  }

  /**
   * Checks a redis.conf `user` line (["user", name, ...rules]) when the
   * config is read (ACLAppendUserForLoading); unknown commands are allowed
   * then. Returns Redis's error, which names argv[j] for the j-th merged
   * rule, as Redis does (its index ignores "user" and the name).
   */
  checkConfiguredUser(argv: readonly string[], seen: ReadonlySet<string>): string | undefined {
    const name = argv[1] ?? "";
    if (seen.has(name)) return `Error in user declaration '${name}': ${DUPLICATE_CONFIG_USER}`;
    const ops = mergeSelectorArgs(argv.slice(2));
    if (typeof ops === "number") return `Error in user declaration '${argv[ops]}': Syntax error`;
    const user = new User(name, this.env);
    for (const [j, op] of ops.entries()) {
      try {
        user.apply(op);
      } catch (err) {
        if (!(err instanceof AclRuleError)) throw err;
        if (err.message !== RULE_UNKNOWN_COMMAND) {
          return `Error in user declaration '${argv[j]}': ${err.message}`;
        }
      }
    }
    return undefined;
  }

  /**
   * The redis.conf `user` lines, applied at startup (ACLLoadConfiguredUsers):
   * each is [name, ...rules]. A `default` line resets the default user first.
   * Returns the first error as Redis logs it, or undefined.
   */
  loadConfiguredUsers(definitions: readonly (readonly string[])[]): string | undefined {
    for (const [name, ...rules] of definitions) {
      if (name === undefined) continue;
      if (hasSpaces(name)) return "Spaces not allowed in ACL usernames";
      let user = this.users.get(name);
      if (user === undefined) this.users.set(name, user = new User(name, this.env));
      else user.apply("reset");
      for (const op of mergeSelectorArgs(rules) as string[]) {
        try {
          user.apply(op);
        } catch (err) {
          if (!(err instanceof AclRuleError)) throw err;
          return `Error loading ACL rule '${op}' for the user named '${name}': ${err.message}`;
        }
      }
    }
    return undefined;
  }

  /**
   * Replaces every user with an aclfile's (ACLLoadFromFile). On any error
   * nothing changes and the errors come back in one line, as ACL LOAD
   * replies them; `filename` is how the errors name the file.
   */
  loadFile(text: string, filename: string): string | undefined {
    const users = new Map<string, User>();
    let errors = "";
    const lines = text.split("\n");
    for (const [i, text] of lines.entries()) {
      const line = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
      if (line === "") continue;
      const where = `${filename}:${i + 1}`;
      const argv = line.split(" ");
      const [keyword, name] = argv;
      if (keyword !== "user" || name === undefined) {
        errors += `${where} should start with user keyword followed by the username. `;
        continue;
      }
      if (hasSpaces(name)) {
        errors += `'${where}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${i + 1}. `;
        continue;
      }
      const user = new User(name, this.env);
      users.set(name, user);
      errors += applyFileRules(user, argv.slice(2), where);
    }
    if (errors !== "") {
      return errors +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
    }
    // The default user keeps its identity: connections using it stay (ACLLoadFromFile).
    const current = this.defaultUser;
    current.copyFrom(users.get("default") ?? this.#newDefaultUser());
    users.set("default", current);
    this.users = users;
    return undefined;
  }

  /** The aclfile text ACL SAVE writes. */
  serialize(): string {
    return this.list().map((line) => line + "\n").join("");
  }
}

/** One aclfile line's rules; returns the errors to report (ACLLoadFromFile's wording). */
function applyFileRules(user: User, rules: string[], where: string): string {
  const ops = mergeSelectorArgs(rules);
  if (typeof ops === "number") return `${where}: Unmatched parenthesis in selector definition.`;
  let errors = "";
  let syntaxReported = false;
  for (const raw of ops) {
    const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "");
    try {
      user.apply(op);
    } catch (err) {
      if (!(err instanceof AclRuleError)) throw err;
      if (err.message === RULE_UNKNOWN_COMMAND) {
        errors += `${where}: Error in applying operation '${op}': ${err.message}. `;
      } else if (!syntaxReported) {
        // Only the first other error: it may explain the ones after it.
        errors += `${where}: ${err.message}. `;
        syntaxReported = true;
      }
    }
  }
  return errors;
}

/**
 * Joins a selector spread over several arguments ("(+get", "~k)") into one,
 * as ACLMergeSelectorArguments; returns the index of an unclosed "(" instead.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | number {
  const merged: string[] = [];
  let open = -1;
  let selector = "";
  for (const [i, op] of args.entries()) {
    if (op.startsWith("(") && !op.endsWith(")")) {
      open = i;
      selector = op;
    } else if (open >= 0) {
      selector += ` ${op}`;
      if (op.endsWith(")")) {
        merged.push(selector);
        open = -1;
      }
    } else {
      merged.push(op);
    }
  }
  return open >= 0 ? open : merged;
}

export { AclRuleError };
