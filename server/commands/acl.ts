/** The ACL command (Redis 7.0): users, their rules, the ACL log and the aclfile. */
import { checkCall } from "../acl/access.ts";
import { AclSetUserError } from "../acl/acl.ts";
import { describeChannels, describeCommandRules, describeKeys } from "../acl/describe.ts";
import { generatePassword, GENPASS_MAX_BITS } from "../acl/password.ts";
import { hasSpaces, type Selector } from "../acl/selector.ts";
import type { User } from "../acl/user.ts";
import { arg, intArg } from "../args.ts";
import type { Client } from "../client.ts";
import type { CommandFlag, CommandSpec } from "../command.ts";
import type { CommandContext, ServerContext } from "../context.ts";
import { globMatch } from "../glob.ts";
import {
  ACL_SAVE_FAILED,
  aclCommandNotFound,
  aclError,
  aclUnknownCategory,
  aclUserNotFound,
  CommandError,
  DEFAULT_USER_UNDELETABLE,
  GENPASS_RANGE,
  NO_ACL_FILE,
  NOT_INTEGER,
  subcommandSyntax,
  USERNAME_HAS_SPACES,
  wrongArity,
} from "../errors.ts";

const ADMIN: CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const PLAIN: CommandFlag[] = ["noscript", "loading", "stale"];

const HELP = [
  "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
  "HELP",
  "    Prints this help.",
];

/** Closes a connection; the calling one after its reply. */
function disconnect(ctx: CommandContext, client: Client): void {
  if (client === ctx.client) client.closeAfterReply = true;
  else client.transport.close();
}

/**
 * Disconnects the user's subscribers whose channels the new rules no longer
 * allow (ACLKillPubsubClientsIfNeeded): nothing to do when a selector allows
 * every channel or the new patterns include every old one.
 */
function dropRevokedSubscribers(ctx: CommandContext, before: User, after: User): void {
  if (after.selectors.some((s) => s.allChannels)) return;
  const upcoming = after.selectors.flatMap((s) => s.channels);
  const kept = (s: Selector) => !s.allChannels && s.channels.every((c) => upcoming.includes(c));
  if (before.selectors.every(kept)) return;
  const allowed = (channel: string, pattern: boolean) =>
    upcoming.some((p) => pattern ? p === channel : globMatch(p, channel));
  for (const client of [...ctx.server.clients.values()]) {
    if (client.user !== after || client.subscriptionCount() === 0) continue;
    const revoked = [...client.patterns ?? []].some((p) => !allowed(p, true)) ||
      [...client.channels ?? [], ...client.shardChannels ?? []].some((c) => !allowed(c, false));
    if (revoked) disconnect(ctx, client);
  }
}

/** The aclfile's path: relative names live in `dir`, as Redis (which chdirs there) reads them. */
export function aclFilePath(server: ServerContext): string {
  const file = server.config.get("aclfile");
  return file.startsWith("/") ? file : `${server.config.get("dir")}/${file}`;
}

/** Why a file could not be opened, in strerror's words where Deno has a kind for it. */
function osReason(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "No such file or directory";
  if (err instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (err instanceof Deno.errors.IsADirectory) return "Is a directory";
  return (err as Error).message;
}

/**
 * ACL LOAD: replaces every user with the file's. Connections logged in as
 * any user but `default` are closed, as Redis frees every old user.
 * Returns the error reply, or undefined.
 */
export function loadAclFile(
  ctx: CommandContext | undefined,
  server: ServerContext,
): string | undefined {
  const name = server.config.get("aclfile");
  let text: string;
  try {
    text = Deno.readTextFileSync(aclFilePath(server));
  } catch (err) {
    return `Error loading ACLs, opening file '${name}': ${osReason(err)}`;
  }
  const acl = server.acl;
  const errors = acl.loadFile(text, name);
  if (errors !== undefined) return errors;
  for (const client of [...server.clients.values()]) {
    if (client.user === acl.defaultUser) continue;
    if (ctx !== undefined) disconnect(ctx, client);
    else client.transport.close();
  }
  return undefined;
}

function saveAclFile(server: ServerContext): boolean {
  const path = aclFilePath(server);
  const temp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    Deno.writeTextFileSync(temp, server.acl.serialize());
    Deno.renameSync(temp, path);
    return true;
  } catch (err) {
    server.log(`Writing ACL file for ACL SAVE: ${(err as Error).message}`);
    try {
      Deno.removeSync(temp);
    } catch {
      // Never created.
    }
    return false;
  }
}

/** One selector's GETUSER fields: commands, keys, channels. */
function writeSelector(ctx: CommandContext, selector: Selector): void {
  const out = ctx.out;
  out.bulk("commands");
  out.bulk(describeCommandRules(selector));
  out.bulk("keys");
  out.bulk(describeKeys(selector));
  out.bulk("channels");
  out.bulk(describeChannels(selector));
}

function getUser(ctx: CommandContext, name: string): void {
  const user = ctx.server.acl.getUser(name);
  const out = ctx.out;
  if (user === undefined) return out.nil();
  out.map(6);
  out.bulk("flags");
  const flags = user.flags();
  out.set(flags.length);
  for (const flag of flags) out.bulk(flag);
  out.bulk("passwords");
  out.bulkArray(user.passwords);
  writeSelector(ctx, user.root);
  out.bulk("selectors");
  out.array(user.selectors.length - 1);
  for (const selector of user.selectors.slice(1)) {
    out.map(3);
    writeSelector(ctx, selector);
  }
}

function log(ctx: CommandContext, argv: string[]): void {
  const acl = ctx.server.acl;
  const out = ctx.out;
  let count = 10;
  if (argv.length === 3) {
    if (arg(argv, 2).toLowerCase() === "reset") {
      acl.log.reset();
      return out.ok();
    }
    count = Math.max(0, intArg(arg(argv, 2), NOT_INTEGER));
  }
  const entries = acl.log.entries.slice(0, count);
  const now = Date.now();
  out.array(entries.length);
  for (const e of entries) {
    out.map(7);
    out.bulk("count");
    out.int(e.count);
    out.bulk("reason");
    out.bulk(e.reason);
    out.bulk("context");
    out.bulk(e.context);
    out.bulk("object");
    out.bulk(e.object);
    out.bulk("username");
    out.bulk(e.username);
    out.bulk("age-seconds");
    out.double((now - e.time) / 1000);
    out.bulk("client-info");
    out.bulk(e.clientInfo);
  }
}

function dryRun(ctx: CommandContext, argv: string[]): void {
  const server = ctx.server;
  const user = server.acl.getUser(arg(argv, 2));
  if (user === undefined) throw new CommandError(aclUserNotFound(arg(argv, 2)));
  const call = argv.slice(3);
  const command = server.commands.resolve(call);
  if (command === undefined) throw new CommandError(aclCommandNotFound(arg(argv, 3)));
  if (!command.arityFits(call.length)) throw new CommandError(wrongArity(command.fullName));
  const denial = checkCall(server.acl, user, command, call);
  if (denial === undefined) return ctx.out.ok();
  if (denial.reason === "command") {
    return ctx.out.bulk(`This user has no permissions to run the '${command.fullName}' command`);
  }
  ctx.out.bulk(
    `This user has no permissions to access the '${call[denial.index]}' ${denial.reason}`,
  );
}

function row(
  name: string,
  arity: number,
  flags: CommandFlag[],
  summary: string,
  syntax: string,
  handler: CommandSpec["handler"],
  since = "6.0.0",
): CommandSpec {
  return { name, arity, flags, group: "server", since, summary, syntax, handler };
}

const subcommands: CommandSpec[] = [
  row(
    "cat",
    -2,
    PLAIN,
    "List the ACL categories or the commands inside a category",
    "[categoryname]",
    (ctx, argv) => {
      const commands = ctx.server.acl.env.commands;
      if (argv.length === 2) return ctx.out.bulkArray([...commands.categoryNames]);
      if (argv.length > 3) throw new CommandError(subcommandSyntax(argv));
      if (!commands.isCategory(arg(argv, 2))) {
        throw new CommandError(aclUnknownCategory(arg(argv, 2)));
      }
      ctx.out.bulkArray(commands.inCategory(arg(argv, 2)).map((c) => c.fullName));
    },
  ),
  row(
    "deluser",
    -3,
    ADMIN,
    "Remove the specified ACL users and the associated rules",
    "username [username ...]",
    (ctx, argv) => {
      const acl = ctx.server.acl;
      const names = argv.slice(2);
      if (names.includes("default")) throw new CommandError(DEFAULT_USER_UNDELETABLE);
      let deleted = 0;
      for (const name of names) {
        const user = acl.getUser(name);
        if (user === undefined || !acl.deleteUser(name)) continue;
        deleted++;
        for (const client of [...ctx.server.clients.values()]) {
          if (client.user !== user) continue;
          client.setDefaultUser();
          client.authenticated = false;
          disconnect(ctx, client);
        }
      }
      ctx.out.int(deleted);
    },
  ),
  row(
    "dryrun",
    -4,
    ADMIN,
    "Returns whether the user can execute the given command without executing the command.",
    "username command [arg [arg ...]]",
    dryRun,
    "7.0.0",
  ),
  row(
    "genpass",
    -2,
    PLAIN,
    "Generate a pseudorandom secure password to use for ACL users",
    "[bits]",
    (ctx, argv) => {
      if (argv.length > 3) throw new CommandError(subcommandSyntax(argv));
      const bits = argv.length === 3 ? intArg(arg(argv, 2), NOT_INTEGER) : 256;
      if (bits <= 0 || bits > GENPASS_MAX_BITS) throw new CommandError(GENPASS_RANGE);
      ctx.out.bulk(generatePassword(bits));
    },
  ),
  row(
    "getuser",
    3,
    ADMIN,
    "Get the rules for a specific ACL user",
    "username",
    (ctx, argv) => getUser(ctx, arg(argv, 2)),
  ),
  row(
    "help",
    2,
    ["loading", "stale"],
    "Show helpful text about the different subcommands",
    "",
    (ctx) => {
      ctx.out.array(HELP.length);
      for (const line of HELP) ctx.out.simple(line);
    },
  ),
  row("list", 2, ADMIN, "List the current ACL rules in ACL config file format", "", (ctx) => {
    ctx.out.bulkArray(ctx.server.acl.list());
  }),
  row("load", 2, ADMIN, "Reload the ACLs from the configured ACL file", "", (ctx) => {
    if (ctx.server.config.get("aclfile") === "") throw new CommandError(NO_ACL_FILE);
    const errors = loadAclFile(ctx, ctx.server);
    if (errors !== undefined) throw new CommandError(aclError(errors));
    ctx.out.ok();
  }),
  row(
    "log",
    -2,
    ADMIN,
    "List latest events denied because of ACLs in place",
    "[count | RESET]",
    (ctx, argv) => {
      if (argv.length > 3) throw new CommandError(subcommandSyntax(argv));
      log(ctx, argv);
    },
  ),
  row("save", 2, ADMIN, "Save the current ACL rules in the configured ACL file", "", (ctx) => {
    if (ctx.server.config.get("aclfile") === "") throw new CommandError(NO_ACL_FILE);
    if (!saveAclFile(ctx.server)) throw new CommandError(ACL_SAVE_FAILED);
    ctx.out.ok();
  }),
  row(
    "setuser",
    -3,
    ADMIN,
    "Modify or create the rules for a specific ACL user",
    "username [rule [rule ...]]",
    (ctx, argv) => {
      const name = arg(argv, 2);
      if (hasSpaces(name)) throw new CommandError(USERNAME_HAS_SPACES);
      try {
        const { before, after } = ctx.server.acl.setUser(name, argv.slice(3));
        if (before !== undefined) dropRevokedSubscribers(ctx, before, after);
      } catch (err) {
        if (err instanceof AclSetUserError) throw new CommandError(aclError(err.message));
        throw err;
      }
      ctx.out.ok();
    },
  ),
  row("users", 2, ADMIN, "List the username of all the configured ACL rules", "", (ctx) => {
    ctx.out.bulkArray(ctx.server.acl.sortedUsers().map((u) => u.name));
  }),
  row(
    "whoami",
    2,
    PLAIN,
    "Return the name of the user associated to the current connection",
    "",
    (ctx) => {
      ctx.out.bulk(ctx.client.user.name);
    },
  ),
];

export const aclCommands: CommandSpec[] = [
  {
    name: "acl",
    arity: -2,
    flags: [],
    group: "server",
    since: "6.0.0",
    summary: "A container for Access List Control commands",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands,
  },
];
